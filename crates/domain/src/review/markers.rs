//! The hidden markers supportops writes into the tracker: `<!-- supportops:subject=… -->` naming
//! a review issue's subject (so the tracker can be searched when the local record is missing)
//! and `<!-- supportops:responses=… -->` listing the responses an issue or note covers; building
//! them and finding them again in a text.

use std::collections::HashSet;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::{ResponseKey, SubjectUrl};

/// Characters escaped in a subject marker: control characters, whitespace, and what could end
/// or confuse an HTML comment (`%` first, so the escaping can be told apart from the text).
const MARKER_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'<').add(b'>').add(b'!');

/// Characters escaped in a response key inside a marker (the list is comma-separated).
const KEY_ESCAPES: &AsciiSet = &MARKER_ESCAPES.add(b',').add(b'-');

/// The subject as written in its marker: percent-escaped so that no `--` (which would end an
/// HTML comment early), `<`, `>` or whitespace remains.
fn marker_subject(subject: &SubjectUrl) -> String {
    let escaped = utf8_percent_encode(subject.as_str(), MARKER_ESCAPES).to_string();
    escaped.replace("--", "-%2D")
}

/// The text a tracker is searched for to find a subject's review issues:
/// `supportops:subject=…`, without the comment delimiters.
pub fn marker_search_text(subject: &SubjectUrl) -> String {
    format!("supportops:subject={}", marker_subject(subject))
}

/// The hidden marker naming a review issue's subject: `<!-- supportops:subject=… -->`.
pub fn marker(subject: &SubjectUrl) -> String {
    format!("<!-- {} -->", marker_search_text(subject))
}

/// Whether a description carries the marker of `subject`.
pub fn has_marker(description: &str, subject: &SubjectUrl) -> bool {
    description.contains(&marker(subject))
}

/// Every subject marker in a text, whole (`<!-- supportops:subject=… -->`), to index many
/// issues at once; compare with [`marker`].
pub fn markers_in(text: &str) -> Vec<&str> {
    const START: &str = "<!-- supportops:subject=";
    const END: &str = " -->";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(START) {
        let start = from + at;
        let Some(len) = text[start + START.len()..].find(END) else {
            break;
        };
        let end = start + START.len() + len + END.len();
        found.push(&text[start..end]);
        from = end;
    }
    found
}

/// The hidden marker listing the responses an issue or note covers:
/// `<!-- supportops:responses=KEY,KEY -->`.
pub fn responses_marker<'k>(keys: impl IntoIterator<Item = &'k ResponseKey>) -> String {
    let list: Vec<String> = keys
        .into_iter()
        .map(|k| utf8_percent_encode(k.as_str(), KEY_ESCAPES).to_string())
        .collect();
    format!("<!-- supportops:responses={} -->", list.join(","))
}

/// Every response key listed by [`responses_marker`]s in a text (an issue description or note).
pub fn covered_keys_in(text: &str) -> HashSet<ResponseKey> {
    const START: &str = "<!-- supportops:responses=";
    let mut keys = HashSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(START) {
        rest = &rest[at + START.len()..];
        let Some(end) = rest.find(" -->") else {
            break;
        };
        for part in rest[..end].split(',').filter(|p| !p.is_empty()) {
            let key = percent_decode_str(part).decode_utf8_lossy().into_owned();
            keys.insert(ResponseKey::from_stored(key));
        }
        rest = &rest[end..];
    }
    keys
}
