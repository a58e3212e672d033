//! Text helpers for the hot path: case-insensitive comparison and search without allocating
//! (ASCII fast path, Unicode lower-casing char by char otherwise), comparison with a literal
//! lower-cased once ([`fold`], [`eq_folded`]) and `*`/`?` wildcard matching for `COUNTIF`
//! criteria.

use std::cmp::Ordering;

use crate::bytes::eq_ascii_lowered;

/// Compares two texts ignoring case, as Sheets' `=`, `<` and `>` do: character by character
/// after Unicode lower-casing. The common ASCII prefix is compared byte by byte; the Unicode
/// comparison starts only where a non-ASCII character does.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    for (i, (&p, &q)) in x.iter().zip(y).enumerate() {
        if !p.is_ascii() || !q.is_ascii() {
            // Every byte before `i` is an ASCII character, so `i` is a character boundary.
            return a[i..]
                .chars()
                .flat_map(char::to_lowercase)
                .cmp(b[i..].chars().flat_map(char::to_lowercase));
        }
        let (p, q) = (p.to_ascii_lowercase(), q.to_ascii_lowercase());
        if p != q {
            return p.cmp(&q);
        }
    }
    // One is a prefix of the other; a character lower-cases to at least one character.
    x.len().cmp(&y.len())
}

/// Whether two texts are equal ignoring case.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    cmp_ignore_case(a, b) == Ordering::Equal
}

/// `text` lower-cased character by character, as the comparisons here see it
/// (`char::to_lowercase`, so a final `Σ` is `σ` and `İ` is `i̇`). A literal is folded once.
pub(crate) fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Whether `text` equals ignoring case a text whose [`fold`] is `folded`: what
/// [`eq_ignore_case`] says of the two, with one side lower-cased ahead. `text_ascii` and
/// `folded_ascii` say whether each is ASCII.
///
/// An ASCII text lower-cases to ASCII of the same length, so it is compared eight bytes at a
/// time, in line; any other text by [`eq_folded_unicode`].
#[inline(always)]
pub(crate) fn eq_folded(text: &str, text_ascii: bool, folded: &str, folded_ascii: bool) -> bool {
    if text_ascii {
        return folded_ascii && eq_ascii_lowered(text.as_bytes(), folded.as_bytes());
    }
    eq_folded_unicode(text, folded)
}

/// [`eq_folded`] for a text that is not ASCII: the common ASCII prefix is compared byte by
/// byte, the rest character by character from the first non-ASCII one.
#[inline(never)]
fn eq_folded_unicode(text: &str, folded: &str) -> bool {
    let (x, y) = (text.as_bytes(), folded.as_bytes());
    for (i, (&p, &q)) in x.iter().zip(y).enumerate() {
        if !p.is_ascii() || !q.is_ascii() {
            // Every byte before `i` is an ASCII character on both sides: a character boundary.
            return text[i..]
                .chars()
                .flat_map(char::to_lowercase)
                .eq(folded[i..].chars());
        }
        if p.to_ascii_lowercase() != q {
            return false;
        }
    }
    // One is used up; a character lower-cases to at least one character.
    x.len() == y.len()
}

fn chars_eq_ignore_case(a: char, b: char) -> bool {
    a == b
        || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b))
        || (!a.is_ascii() || !b.is_ascii()) && a.to_lowercase().eq(b.to_lowercase())
}

/// Whether `text` starts with `prefix`, ignoring case; the byte length of the matched part.
fn starts_with_ignore_case(text: &str, prefix: &str) -> Option<usize> {
    let mut t = text.char_indices();
    for p in prefix.chars() {
        let (_, c) = t.next()?;
        if !chars_eq_ignore_case(c, p) {
            return None;
        }
    }
    Some(t.next().map_or(text.len(), |(i, _)| i))
}

/// The zero-based character position of `needle` in `haystack` at or after character `from`,
/// ignoring case when `ignore_case`.
pub(crate) fn find_chars(
    haystack: &str,
    needle: &str,
    from: usize,
    ignore_case: bool,
) -> Option<usize> {
    let start_byte = haystack
        .char_indices()
        .nth(from)
        .map(|(i, _)| i)
        .or_else(|| (from == haystack.chars().count()).then_some(haystack.len()))?;
    let rest = &haystack[start_byte..];
    if needle.is_empty() {
        return Some(from);
    }
    if !ignore_case {
        return rest.find(needle).map(|b| from + rest[..b].chars().count());
    }
    rest.char_indices()
        .find(|(i, _)| starts_with_ignore_case(&rest[*i..], needle).is_some())
        .map(|(i, _)| from + rest[..i].chars().count())
}

/// Whether `text` matches the wildcard `pattern` as a whole, ignoring case: `*` is any run of
/// characters, `?` any one character, `~` makes the next character literal.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: &[u8] = pattern.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern index after the star, text index).
    let mut star: Option<(usize, usize)> = None;
    let next_char = |s: &str, i: usize| s[i..].chars().next().map(|c| (c, c.len_utf8()));
    loop {
        if pi < p.len() && p[pi] == b'*' {
            pi += 1;
            star = Some((pi, ti));
            continue;
        }
        let Some((tc, tl)) = next_char(text, ti) else {
            // Text used up: the rest of the pattern must be stars.
            return pattern[pi..].bytes().all(|b| b == b'*');
        };
        let matched = match next_char(pattern, pi) {
            Some(('?', 1)) => Some(1),
            Some(('~', 1)) => match next_char(pattern, pi + 1) {
                Some((pc, pl)) if chars_eq_ignore_case(tc, pc) => Some(1 + pl),
                Some(_) => None,
                None if tc == '~' => Some(1),
                None => None,
            },
            Some((pc, pl)) if chars_eq_ignore_case(tc, pc) => Some(pl),
            _ => None,
        };
        match matched {
            Some(pl) => {
                pi += pl;
                ti += tl;
            }
            None => match star {
                Some((sp, st)) => {
                    // Let the last `*` swallow one more character and retry.
                    let (_, l) = next_char(text, st).unwrap_or(('\0', 1));
                    star = Some((sp, st + l));
                    pi = sp;
                    ti = st + l;
                }
                None => return false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts whose lower-casing is not ASCII's: accents, the Kelvin sign (lower-cases to an
    /// ASCII `k`), Turkish dotted and dotless I (`İ` lower-cases to two characters), German
    /// `ß` and `ẞ`, Greek sigmas (final and not), a ligature, emoji.
    const TEXTS: &[&str] = &[
        "",
        "a",
        "A",
        "k",
        "K",
        "\u{212A}",
        "\u{212A}elvin",
        "kelvin",
        "KELVIN",
        "Ä",
        "ä",
        "Äpfel",
        "äPFEL",
        "İstanbul",
        "i̇stanbul",
        "istanbul",
        "ISTANBUL",
        "ıstanbul",
        "straße",
        "STRASSE",
        "STRAẞE",
        "strasse",
        "ΟΔΟΣ",
        "οδος",
        "οδοσ",
        "οδος ",
        "ﬁn",
        "FIN",
        "Résolu, et j'en suis sûr ✅",
        "RÉSOLU, ET J'EN SUIS SÛR ✅",
        "résolu, et j'en suis sûr ✅",
        "résolu, et j'en suis sûr",
        "It was closed as it became a stale issue",
        "it was closed as it became a stale issue",
        "IT WAS CLOSED AS IT BECAME A STALE ISSUE",
        "it was closed as it became a stale issu",
        "it was closed as it became a stale issué",
        "It was solved, and I am confident in the solution",
        "It was solved, and I feel this will dramatically improve my use of Zendesk",
        "@[`{",
        "`{@[",
    ];

    #[test]
    fn eq_folded_agrees_with_eq_ignore_case() {
        for a in TEXTS {
            for b in TEXTS {
                let folded = fold(b);
                assert_eq!(
                    eq_folded(a, a.is_ascii(), &folded, folded.is_ascii()),
                    eq_ignore_case(a, b),
                    "{a:?} = {b:?}"
                );
            }
        }
    }

    #[test]
    fn comparisons_lower_case_by_character() {
        assert!(eq_ignore_case("Ä", "ä"));
        assert!(eq_ignore_case("\u{212A}elvin", "kelvin"));
        assert!(eq_ignore_case("İstanbul", "i̇stanbul"));
        assert!(!eq_ignore_case("İstanbul", "istanbul"));
        assert!(eq_ignore_case("STRAẞE", "straße"));
        assert!(!eq_ignore_case("STRASSE", "straße"));
        // Character by character, a final capital sigma is `σ`, not `ς`.
        assert!(eq_ignore_case("ΟΔΟΣ", "οδοσ"));
        assert!(!eq_ignore_case("ΟΔΟΣ", "οδος"));
        assert_eq!(fold("ΟΔΟΣ"), "οδοσ");
        assert_eq!(fold("İ"), "i\u{307}");
    }
}
