//! Word-at-a-time byte helpers for the short texts of a row, eight bytes per step in safe code:
//! finding the first of two bytes ([`find2`]) and comparing with ASCII case ignored
//! ([`eq_ascii_lowered`]). A cell is usually shorter than the set-up of a vector search, and
//! these stay in line.

/// `0x01` in every byte.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte.
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// Eight bytes as a word, the first byte lowest (so `trailing_zeros / 8` is a position).
#[inline(always)]
fn word(chunk: &[u8]) -> u64 {
    <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes)
}

/// The zero bytes of `x` marked by their high bit. The lowest mark is always a zero byte; a mark
/// above it may come from the borrow.
#[inline(always)]
fn zeros(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The position of the first byte of `hay` at or after `from` that is `a` or `b`.
#[inline]
pub(crate) fn find2(a: u8, b: u8, hay: &[u8], from: usize) -> Option<usize> {
    let rest = hay.get(from..)?;
    let (wa, wb) = (ONES * u64::from(a), ONES * u64::from(b));
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in chunks.by_ref() {
        let w = word(chunk);
        let marks = zeros(w ^ wa) | zeros(w ^ wb);
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == a || c == b)
        .map(|i| at + i)
}

/// `x` with its ASCII capitals lower-cased, every other byte (any from `0x80` up) unchanged.
#[inline(always)]
fn lower(x: u64) -> u64 {
    // The seven low bits of each byte plus a bias set its high bit from a threshold on, with no
    // carry into the next byte (at most 0x7f + 0x3f).
    let low = x & !HIGH;
    let from_a = low + ONES * u64::from(0x80 - b'A');
    let past_z = low + ONES * u64::from(0x80 - b'Z' - 1);
    let capitals = from_a & !past_z & !x & HIGH;
    x | (capitals >> 2)
}

/// Whether `text` with its ASCII capitals lower-cased is `lowered`: `text` equals, ignoring
/// ASCII case, a text whose ASCII lower-case form is `lowered`. The last word of a text of
/// eight bytes or more overlaps the one before.
#[inline(always)]
pub(crate) fn eq_ascii_lowered(text: &[u8], lowered: &[u8]) -> bool {
    let n = text.len();
    if n != lowered.len() {
        return false;
    }
    if n < 8 {
        return text
            .iter()
            .zip(lowered)
            .all(|(x, y)| x.to_ascii_lowercase() == *y);
    }
    let same =
        |at: usize| text.get(at..at + 8).map(word).map(lower) == lowered.get(at..at + 8).map(word);
    (0..n - 8).step_by(8).all(same) && same(n - 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_to_ascii_lowercase_for_every_byte() {
        for start in 0..=248u8 {
            let bytes: Vec<u8> = (start..=start + 7).collect();
            let expected: Vec<u8> = bytes.iter().map(u8::to_ascii_lowercase).collect();
            assert_eq!(lower(word(&bytes)), word(&expected), "bytes from {start}");
        }
        // Neighbours of the capitals, and high bytes whose seven low bits are capitals.
        let edges = [
            b'@', b'A', b'Z', b'[', b'`', b'a', b'z', 0xC1, 0xDA, 0xFF, 0x80, 0x00,
        ];
        for x in edges {
            for y in edges {
                let bytes = [x, y, x, y, y, x, y, x];
                let expected = bytes.map(|c| c.to_ascii_lowercase());
                assert_eq!(lower(word(&bytes)), word(&expected));
            }
        }
    }

    #[test]
    fn eq_ascii_lowered_is_eq_ignore_ascii_case() {
        let texts = [
            "",
            "a",
            "1234567",
            "12345678",
            "123456789",
            "It was closed as it became a stale issue",
            "it was closed as it became a stale issue",
            "IT WAS CLOSED AS IT BECAME A STALE ISSUE",
            "it was closed as it became a stale issuE",
            "It was closed as it became a stale issue.",
            "it was closed as it became a stale issu",
            "it was closed as it became a stale issué",
            "@[`{ AZaz",
            "@[`{ azaz",
            "`{`{ AZAZ",
            "Résolu ✅",
            "rÉsolu ✅",
        ];
        for a in texts {
            for b in texts {
                let lowered = b.to_ascii_lowercase();
                assert_eq!(
                    eq_ascii_lowered(a.as_bytes(), lowered.as_bytes()),
                    a.eq_ignore_ascii_case(b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn find2_finds_the_first_of_either_byte() {
        let hay = b"Collaboration, Results, Efficiency, Diversity, Inclusion & Belonging, Iteration, Transparency";
        for from in 0..=hay.len() + 1 {
            for (a, b) in [
                (b'T', b'\n'),
                (b'R', b'\n'),
                (b'z', b'\n'),
                (b',', b'y'),
                (0, 0x80),
            ] {
                let expected = hay
                    .get(from..)
                    .and_then(|rest| rest.iter().position(|&c| c == a || c == b))
                    .map(|i| from + i);
                assert_eq!(find2(a, b, hay, from), expected, "{from} {a} {b}");
            }
        }
        // A zero byte right below the one sought, where a borrow marks the next byte.
        assert_eq!(find2(0x01, 0x02, &[0, 1, 0, 0, 0, 0, 0, 0, 0], 0), Some(1));
        assert_eq!(find2(b'\n', b'\n', "Résultats\n".as_bytes(), 0), Some(10));
    }
}
