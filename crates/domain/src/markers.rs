//! Every hidden marker supportops writes into the tracker, built and read here only.
//!
//! A marker is an HTML comment, `<!-- supportops:KIND=VALUE -->`, invisible in the rendered
//! issue, that lets the tracker itself be searched for what the product filed when the local
//! record is missing (an interrupted run, a lost store, another machine):
//! - `supportops:subject=URL`: the subject of a Feedback Review issue;
//! - `supportops:responses=KEY,KEY`: the responses an issue or note covers;
//! - `supportops:shadowing-session=ID/MEMBER/REGION`: a session's Support Shadowing issue;
//! - `supportops:shadowing-improvement=ID`: improvement issues filed from a session;
//! - `supportops:shadow-reschedule:ID:START`: the note announcing a session's new time;
//! - `supportops:agenda=DATE`: the monthly sync's agenda issue.
//!
//! Values are percent-encoded (the `percent-encoding` crate) so that no `--` (which would end
//! the comment early), `<`, `>` or whitespace remains. The wire format is that of the first
//! releases, so markers already in trackers are still found (see the tests).

use std::collections::HashSet;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::shadow::SessionId;
use crate::{ResponseKey, SubjectUrl};

const START: &str = "<!-- ";
const PREFIX: &str = "<!-- supportops:";
const END: &str = " -->";

/// Characters escaped in a subject marker: control characters, whitespace, and what could end
/// or confuse an HTML comment (`%` first, so the escaping can be told apart from the text).
const MARKER_ESCAPES: &AsciiSet = &CONTROLS.add(b' ').add(b'%').add(b'<').add(b'>').add(b'!');

/// Characters escaped in a response key inside a marker (the list is comma-separated).
const KEY_ESCAPES: &AsciiSet = &MARKER_ESCAPES.add(b',').add(b'-');

/// Characters escaped in a member's or region's name in a shadowing marker (`/` separates
/// them). ASCII names come out as the first releases wrote them.
const NAME_ESCAPES: &AsciiSet = &KEY_ESCAPES.add(b'/');

/// A hidden marker: the text inside the comment (`supportops:…`), what a tracker is searched
/// for, and the whole comment (`<!-- supportops:… -->`) that a description must contain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marker(String);

impl Marker {
    /// The text inside the comment, `supportops:…`: what to search a tracker for.
    pub fn search_text(&self) -> &str {
        &self.0
    }

    /// The whole comment, `<!-- supportops:… -->`.
    pub fn comment(&self) -> String {
        format!("{START}{}{END}", self.0)
    }

    /// Whether `text` (a description or a note) carries this marker.
    pub fn is_in(&self, text: &str) -> bool {
        text.contains(&self.comment())
    }
}

impl fmt::Display for Marker {
    /// The whole comment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{START}{}{END}", self.0)
    }
}

/// The subject as written in its marker: percent-escaped so that no `--` (which would end an
/// HTML comment early), `<`, `>` or whitespace remains.
fn marker_subject(subject: &SubjectUrl) -> String {
    let escaped = utf8_percent_encode(subject.as_str(), MARKER_ESCAPES).to_string();
    escaped.replace("--", "-%2D")
}

/// The marker naming a review issue's subject: `supportops:subject=…`.
pub fn subject(subject: &SubjectUrl) -> Marker {
    Marker(format!("supportops:subject={}", marker_subject(subject)))
}

/// The text a tracker is searched for to find a subject's review issues:
/// `supportops:subject=…`, without the comment delimiters.
pub fn marker_search_text(s: &SubjectUrl) -> String {
    subject(s).0
}

/// The hidden marker naming a review issue's subject: `<!-- supportops:subject=… -->`.
pub fn marker(s: &SubjectUrl) -> String {
    subject(s).comment()
}

/// Whether a description carries the marker of `subject`.
pub fn has_marker(description: &str, s: &SubjectUrl) -> bool {
    subject(s).is_in(description)
}

/// Every subject marker in a text, whole (`<!-- supportops:subject=… -->`), to index many
/// issues at once; compare with [`marker`].
pub fn markers_in(text: &str) -> Vec<&str> {
    const SUBJECT: &str = "<!-- supportops:subject=";
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(SUBJECT) {
        let start = from + at;
        let Some(len) = text[start + SUBJECT.len()..].find(END) else {
            break;
        };
        let end = start + SUBJECT.len() + len + END.len();
        found.push(&text[start..end]);
        from = end;
    }
    found
}

/// The subject named by a review issue's hidden marker, if it has one, decoded.
pub fn review_subject(description: &str) -> Option<String> {
    const SUBJECT: &str = "<!-- supportops:subject=";
    let at = description.find(SUBJECT)?;
    let rest = &description[at + SUBJECT.len()..];
    let end = rest.find("-->")?;
    let subject = percent_decode_str(rest[..end].trim())
        .decode_utf8_lossy()
        .into_owned();
    (!subject.is_empty()).then_some(subject)
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
    const RESPONSES: &str = "<!-- supportops:responses=";
    let mut keys = HashSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(RESPONSES) {
        rest = &rest[at + RESPONSES.len()..];
        let Some(end) = rest.find(END) else {
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

fn name(text: &str) -> String {
    utf8_percent_encode(text, NAME_ESCAPES).to_string()
}

/// The marker of a session's Support Shadowing issue:
/// `supportops:shadowing-session=ID/MEMBER/REGION`.
pub fn shadowing_session(id: SessionId, member: &str, region: &str) -> Marker {
    Marker(format!(
        "supportops:shadowing-session={id}/{}/{}",
        name(member),
        name(region)
    ))
}

/// The session marker as the first releases wrote it (only `-`, `/`, space and `>` escaped),
/// when it differs from [`shadowing_session`]'s: for a name with other characters (`é`,
/// `%`, `<`, `!`), so its issue filed then is still found.
pub fn legacy_shadowing_session(id: SessionId, member: &str, region: &str) -> Option<Marker> {
    fn escape(name: &str) -> String {
        name.replace('-', "%2D")
            .replace('/', "%2F")
            .replace(' ', "%20")
            .replace('>', "%3E")
    }
    let legacy = Marker(format!(
        "supportops:shadowing-session={id}/{}/{}",
        escape(member),
        escape(region)
    ));
    (legacy != shadowing_session(id, member, region)).then_some(legacy)
}

/// The marker of improvement issues filed from a session: `supportops:shadowing-improvement=ID`.
pub fn shadowing_improvement(id: SessionId) -> Marker {
    Marker(format!("supportops:shadowing-improvement={id}"))
}

/// The marker of the note that moves session `id` to `start`:
/// `supportops:shadow-reschedule:ID:START`.
pub fn shadow_reschedule(id: SessionId, start: Timestamp) -> Marker {
    Marker(format!("supportops:shadow-reschedule:{id}:{start}"))
}

/// The marker of the monthly sync's agenda issue for the meeting on `date`:
/// `supportops:agenda=DATE`.
pub fn agenda(date: Date) -> Marker {
    Marker(format!("supportops:agenda={date}"))
}

/// Every marker in a text that names what was written (whole, `<!-- supportops:… -->`): a
/// list of responses is not one, nor a comment running over lines. The local tracker indexes
/// these; the same rule as the backfill in the store's migration `0012_local_issue_markers`.
pub fn naming_markers(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(PREFIX) {
        let start = from + at;
        let Some(len) = text[start..].find(END) else {
            break;
        };
        let marker = &text[start..start + len + END.len()];
        from = start + len + END.len();
        if !marker.starts_with("<!-- supportops:responses=") && !marker.contains('\n') {
            found.push(marker);
        }
    }
    found
}

/// The first marker in a text that names what was written ([`naming_markers`]), and its text
/// inside the comment, to search for.
pub fn first_marker(text: &str) -> Option<(&str, &str)> {
    naming_markers(text)
        .into_iter()
        .next()
        .map(|m| (m, &m[START.len()..m.len() - END.len()]))
}

#[cfg(test)]
mod tests {
    use super::*;
    const ID: SessionId = SessionId::new(4);

    /// Markers already filed by earlier releases, exactly as they appear in trackers.
    #[test]
    fn markers_keep_the_wire_format_already_in_trackers() {
        assert_eq!(
            shadowing_session(ID, "chen", "APAC").comment(),
            "<!-- supportops:shadowing-session=4/chen/APAC -->"
        );
        assert_eq!(
            shadowing_session(ID, "a--b", "X -->").comment(),
            "<!-- supportops:shadowing-session=4/a%2D%2Db/X%20%2D%2D%3E -->"
        );
        assert_eq!(
            shadowing_improvement(ID).comment(),
            "<!-- supportops:shadowing-improvement=4 -->"
        );
        let date = Date::constant(2026, 12, 1);
        assert_eq!(
            agenda(date).comment(),
            "<!-- supportops:agenda=2026-12-01 -->"
        );
        let at: Timestamp = "2026-12-10T15:00:00Z".parse().expect("a time");
        assert_eq!(
            shadow_reschedule(SessionId::new(7), at).comment(),
            "<!-- supportops:shadow-reschedule:7:2026-12-10T15:00:00Z -->"
        );
        // Subject and responses markers: `review`'s tests.
    }

    #[test]
    fn a_name_the_first_releases_wrote_raw_keeps_its_old_marker_to_look_for() {
        // ASCII names: one marker, as before.
        assert_eq!(legacy_shadowing_session(ID, "a-b", "EMEA"), None);
        // A name with `é` or `%`: now encoded; the old marker is still looked for.
        assert_eq!(
            shadowing_session(ID, "josé", "50%").search_text(),
            "supportops:shadowing-session=4/jos%C3%A9/50%25"
        );
        assert_eq!(
            legacy_shadowing_session(ID, "josé", "50%").map(|m| m.comment()),
            Some("<!-- supportops:shadowing-session=4/josé/50% -->".to_owned())
        );
    }

    #[test]
    fn naming_markers_skip_response_lists_and_comments_over_lines() {
        let text = "a <!-- supportops:responses=h:1 --> b <!-- supportops:agenda=2026-12-01 -->\n\
                    <!-- supportops:x\ny --> <!-- supportops:subject=u -->";
        assert_eq!(
            naming_markers(text),
            vec![
                "<!-- supportops:agenda=2026-12-01 -->",
                "<!-- supportops:subject=u -->"
            ]
        );
        assert_eq!(
            first_marker(text),
            Some((
                "<!-- supportops:agenda=2026-12-01 -->",
                "supportops:agenda=2026-12-01"
            ))
        );
    }
}
