//! Regular expressions as Sheets' `REGEX*` functions read them (RE2 syntax), compiled with the
//! `regex` crate after translating the known differences:
//!
//! - `\d \D \w \W \s \S \b \B` are ASCII-only in RE2 but Unicode-aware in `regex`, so they
//!   become explicit ASCII classes (`[0-9]`…) and `(?-u:\b)`;
//! - `\Q…\E` (literal text) exists in RE2 only, so its content is escaped;
//! - `\pN`/`\p{…}` Unicode classes are rejected, as Sheets rejects them;
//! - `[` inside a class and `&&`, `--`, `~~` are literal in RE2 but class operators in `regex`;
//! - a single digit after `\` is a backreference, which RE2 does not support.
//!
//! Patterns built at run time go through a small per-call cache ([`RegexCache`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use regex::{Regex, RegexBuilder};

use crate::bytes::find2;

/// Compiled size limit: far above any pattern a person writes.
const SIZE_LIMIT: usize = 4 << 20;
/// Entries a runtime-pattern cache keeps before it starts over.
const CACHE_CAPACITY: usize = 256;

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError(pub String);

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str = "\\t\\n\\f\\r ";

/// Translates an RE2 pattern to `regex` syntax.
pub(crate) fn translate(pattern: &str) -> Result<String, PatternError> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // Inside a character class: whether a `]` right now would be literal (just after `[`/`[^`).
    let mut class: Option<bool> = None;
    while i < chars.len() {
        let c = chars[i];
        match (c, class) {
            ('\\', _) => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(PatternError("the pattern ends with a lone `\\`".into()));
                };
                i += 2;
                let inside = class.is_some();
                match e {
                    'd' | 'w' | 's' => {
                        let set = match e {
                            'd' => DIGIT,
                            'w' => WORD,
                            _ => SPACE,
                        };
                        if inside {
                            out.push_str(set);
                        } else {
                            out.push('[');
                            out.push_str(set);
                            out.push(']');
                        }
                    }
                    'D' | 'W' | 'S' => {
                        let set = match e {
                            'D' => DIGIT,
                            'W' => WORD,
                            _ => SPACE,
                        };
                        out.push_str("[^");
                        out.push_str(set);
                        out.push(']');
                    }
                    'b' | 'B' if !inside => {
                        out.push_str(if e == 'b' { "(?-u:\\b)" } else { "(?-u:\\B)" });
                    }
                    'p' | 'P' => {
                        return Err(PatternError(
                            "Unicode classes such as `\\p{L}` are not supported by Sheets".into(),
                        ));
                    }
                    'C' => {
                        return Err(PatternError("`\\C` (any byte) is not supported".into()));
                    }
                    'Q' => {
                        let rest: String = chars[i..].iter().collect();
                        let (literal, skip) = match rest.find("\\E") {
                            Some(end) => (&rest[..end], rest[..end].chars().count() + 2),
                            None => (rest.as_str(), rest.chars().count()),
                        };
                        for ch in literal.chars() {
                            let mut buf = [0u8; 4];
                            out.push_str(&regex::escape(ch.encode_utf8(&mut buf)));
                        }
                        i += skip;
                    }
                    'E' => {}
                    '1'..='9' if !chars.get(i).is_some_and(char::is_ascii_digit) => {
                        return Err(PatternError(format!(
                            "backreferences such as `\\{e}` are not supported by RE2"
                        )));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                if class == Some(true) {
                    class = Some(false);
                }
                continue;
            }
            ('[', None) => {
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class = Some(true);
                continue;
            }
            ('[', Some(_)) if chars.get(i + 1) == Some(&':') => {
                // A POSIX class such as `[:alpha:]`: copy through its closing `:]`.
                let rest: String = chars[i..].iter().collect();
                match rest.find(":]") {
                    Some(end) => {
                        out.push_str(&rest[..end + 2]);
                        i += rest[..end + 2].chars().count();
                    }
                    None => {
                        out.push_str("\\[");
                        i += 1;
                    }
                }
                class = Some(false);
                continue;
            }
            (']', Some(true)) => out.push_str("\\]"),
            (']', Some(false)) => {
                out.push(']');
                class = None;
                i += 1;
                continue;
            }
            ('[' | '&' | '~', Some(_)) => {
                out.push('\\');
                out.push(c);
            }
            ('-', Some(_)) if chars.get(i + 1) == Some(&'-') => out.push_str("\\-"),
            _ => out.push(c),
        }
        if class == Some(true) {
            class = Some(false);
        }
        i += 1;
    }
    Ok(out)
}

/// Compiles an RE2 pattern.
pub(crate) fn compile(pattern: &str) -> Result<Regex, PatternError> {
    let translated = translate(pattern)?;
    RegexBuilder::new(&translated)
        .octal(true)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| PatternError(describe(&e)))
}

/// A pattern made only of literal text joined by `.*` (`Collaboration.*Results.*Transparency`),
/// answered with substring searches instead of the regex engine.
///
/// The text matches exactly when the pieces occur in order on one line (`.` does not match a
/// newline). A cell-sized text is searched line by line and answered exactly; in a longer one
/// the earliest occurrence of each piece after the previous one is found with `memmem`, and
/// when the span found holds a newline, the regex engine decides.
#[derive(Debug, Clone)]
pub(crate) struct LiteralChain {
    pieces: Box<[memchr::memmem::Finder<'static>]>,
    /// The pieces' total length: a shorter text cannot match.
    min_len: usize,
}

/// The outcome of a [`LiteralChain`] search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChainMatch {
    Yes,
    No,
    /// The pieces were found, across a line break: ask the regex.
    Unsure,
}

impl LiteralChain {
    /// The chain of `pattern` (RE2 syntax), when it is only literal text and `.*`.
    pub(crate) fn of(pattern: &str) -> Option<LiteralChain> {
        let meta = |c: char| "\\.+*?()|[]{}^$".contains(c);
        let pieces: Vec<&str> = pattern.split(".*").collect();
        if pieces.iter().any(|p| p.contains(meta) || p.contains('\n')) {
            return None;
        }
        Some(LiteralChain {
            pieces: pieces
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| memchr::memmem::Finder::new(p.as_bytes()).into_owned())
                .collect(),
            min_len: pieces.iter().map(|p| p.len()).sum(),
        })
    }

    /// Whether `text` matches the pattern.
    pub(crate) fn search(&self, text: &str) -> ChainMatch {
        let bytes = text.as_bytes();
        if bytes.len() < self.min_len {
            return ChainMatch::No;
        }
        if bytes.len() <= SHORT_TEXT {
            return self.search_lines(bytes);
        }
        let (mut at, mut first) = (0, None);
        for piece in &self.pieces {
            let Some(found) = piece.find(&bytes[at..]) else {
                return ChainMatch::No;
            };
            first.get_or_insert(at + found);
            at += found + piece.needle().len();
        }
        let start = first.unwrap_or(0);
        if memchr::memchr(b'\n', &bytes[start..at]).is_some() {
            ChainMatch::Unsure
        } else {
            ChainMatch::Yes
        }
    }

    /// [`Self::search`] for a short text, exactly: the pattern matches when the pieces (none
    /// holds a line break) occur in order on one line, and taking on each line the earliest
    /// occurrence of each piece after the previous one finds them if any choice does. Each
    /// occurrence of a piece's first byte, or a line break, is found eight bytes at a time
    /// ([`find2`]); a line break starts the chain again on the next line.
    fn search_lines(&self, bytes: &[u8]) -> ChainMatch {
        let (mut next, mut at) = (0, 0);
        while let Some(piece) = self.pieces.get(next) {
            let needle = piece.needle();
            let Some((&head, tail)) = needle.split_first() else {
                return ChainMatch::Unsure;
            };
            let Some(found) = find2(head, b'\n', bytes, at) else {
                return ChainMatch::No;
            };
            if bytes[found] == b'\n' {
                (next, at) = (0, found + 1);
            } else if bytes
                .get(found + 1..found + needle.len())
                .is_some_and(|candidate| same_bytes(candidate, tail))
            {
                (next, at) = (next + 1, found + needle.len());
            } else {
                at = found + 1;
            }
        }
        ChainMatch::Yes
    }
}

/// Whether two byte strings are equal; from 4 to 16 bytes with two overlapping word loads
/// each (the first and the last bytes), cheaper than a call to `memcmp` for a piece.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word<const W: usize>(s: &[u8], at: usize) -> Option<[u8; W]> {
        s.get(at..at + W).and_then(|w| <[u8; W]>::try_from(w).ok())
    }
    match n {
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        _ => a == b,
    }
}

/// Texts up to this many bytes are searched line by line, eight bytes at a time
/// ([`LiteralChain::search_lines`]); longer ones with `memmem`, whose set-up costs more than
/// the search of a cell-sized text, and worst cases stay linear.
const SHORT_TEXT: usize = 256;

/// The one-line cause from a `regex` error.
fn describe(e: &regex::Error) -> String {
    match e {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or("invalid syntax")
            .to_owned(),
        regex::Error::CompiledTooBig(_) => "the pattern is too large".to_owned(),
        _ => "invalid regular expression".to_owned(),
    }
}

/// Compiled runtime patterns of one `REGEX*` call, shared by clones of the formula.
#[derive(Debug, Default)]
pub(crate) struct RegexCache {
    map: Mutex<HashMap<Box<str>, Option<Arc<Regex>>>>,
}

impl RegexCache {
    /// The compiled `pattern`, or `None` if it is invalid.
    pub(crate) fn get(&self, pattern: &str) -> Option<Arc<Regex>> {
        if let Ok(map) = self.map.lock()
            && let Some(found) = map.get(pattern)
        {
            return found.clone();
        }
        let compiled = compile(pattern).ok().map(Arc::new);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CACHE_CAPACITY {
                map.clear();
            }
            map.insert(pattern.into(), compiled.clone());
        }
        compiled
    }
}

/// Translates a Sheets replacement (`$1`…`$9` name capture groups, `$0` the match, any other
/// `$` is literal) to `regex`'s replacement syntax.
pub(crate) fn translate_replacement(replacement: &str) -> String {
    let mut out = String::with_capacity(replacement.len() + 8);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str("${");
                    out.push(*d);
                    out.push('}');
                    chars.next();
                }
                _ => out.push_str("$$"),
            }
        } else {
            out.push(c);
        }
    }
    out
}
