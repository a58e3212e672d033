//! Feedback Review: which flagged responses still need a review issue, how they combine per
//! subject, whether a subject gets a new issue or a note, and the Markdown supportops writes into
//! the tracker (the generated section of an issue, a note, and the hidden markers that let the
//! tracker itself be searched when the local record is missing).
//!
//! The user-editable part of an issue (the project's issue template) is filled elsewhere; this
//! module renders only the generated section that follows it.
//!
//! ```
//! use supportops_domain::review::{marker, title};
//! use supportops_domain::SubjectUrl;
//! let subject = SubjectUrl::parse("https://gitlab.com/a/b/issues/12#note_1");
//! assert_eq!(title(&subject), "Feedback Review: a/b#12");
//! assert_eq!(marker(&subject), "<!-- supportops:subject=https://gitlab.com/a/b/-/issues/12 -->");
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use supportops_formula::Value;

use crate::{Band, ResponseKey, ScoredResponse, SubjectUrl};

/// The built-in Feedback Review issue template, used when the review project has none and no
/// `review.template_file` is configured. It is filled like any template (see the `app` crate).
pub const BUILTIN_TEMPLATE: &str = "\
## Summary

Support Ops received feedback that needs a review about {{ reference }}.
Read the responses below, then talk to the people involved where that helps.

## Action plan

<!-- What will Support Ops change so this does not happen again? Agree on it at the monthly sync. -->

## Outcome

<!-- At a later monthly sync: did the action plan resolve the problem? -->
";

/// Where the optional columns shown in review issues are, as zero-based column indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewColumns {
    /// Rating 1–5.
    pub rating: Option<usize>,
    /// The resolution answer.
    pub resolution: Option<usize>,
    /// The values shown.
    pub values: Option<usize>,
    /// The free-text comment.
    pub comment: Option<usize>,
}

/// How review issues and notes are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Which columns to show.
    pub columns: ReviewColumns,
    /// Whether the respondent's identity appears (review issues are often more visible than the
    /// sheet, so it is off by default).
    pub include_submitter: bool,
}

/// Why a response was left out of review filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SkipReason {
    /// The row names no issue or merge request, so there is nothing to group it under.
    NoSubject,
    /// The link cell is not a link to a GitLab issue or merge request (free text, a user or
    /// group page, …): it is never filed as text, which would put a respondent's words in a
    /// title.
    NotAnIssueLink,
    /// The link cell holds a line break or another control character: two values were joined
    /// in one cell, or the cell was mangled; it is not guessed at.
    LinkWithControl,
    /// An earlier row has the same key (same id, or same timestamp, subject and submitter).
    Duplicate {
        /// The earlier row.
        of_row: u64,
    },
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::NoSubject => f.write_str("the row names no issue or merge request"),
            SkipReason::NotAnIssueLink => f.write_str(
                "the link cell is not a link to a GitLab issue or merge request \
                 (`https://HOST/GROUP/PROJECT/-/issues/N` or `…/-/merge_requests/N`); fix the cell",
            ),
            SkipReason::LinkWithControl => f.write_str(
                "the link cell holds a line break or another control character; put one link \
                 in the cell",
            ),
            SkipReason::Duplicate { of_row } => write!(
                f,
                "same response as row {of_row} (same id, or same timestamp, subject and submitter)"
            ),
        }
    }
}

/// A flagged response left out of filing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The sheet row.
    pub row: u64,
    /// The response's key.
    pub key: ResponseKey,
    /// Its band.
    pub band: Band,
    /// Why it was left out.
    pub reason: SkipReason,
}

/// Flagged responses about one subject that no review issue covers yet, in sheet order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group<'a> {
    /// The normalised subject.
    pub subject: SubjectUrl,
    /// The responses.
    pub responses: Vec<&'a ScoredResponse>,
}

impl Group<'_> {
    /// The keys of the group's responses.
    pub fn keys(&self) -> Vec<ResponseKey> {
        self.responses
            .iter()
            .map(|r| r.response.key.clone())
            .collect()
    }
}

/// What [`select`] found in a sheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection<'a> {
    /// Groups that need filing, in order of their first response.
    pub groups: Vec<Group<'a>>,
    /// Flagged responses left out, with reasons.
    pub skipped: Vec<Skipped>,
    /// How many distinct responses are flagged (Yellow, Red or Error).
    pub flagged: usize,
    /// How many of those a review issue already covers.
    pub already_covered: usize,
}

/// The first response of every key, in sheet order; later rows with a key already seen are
/// returned as [`SkipReason::Duplicate`] whatever their band.
pub fn first_occurrences(responses: &[ScoredResponse]) -> (Vec<&ScoredResponse>, Vec<Skipped>) {
    let mut seen: HashMap<&ResponseKey, u64> = HashMap::new();
    let mut kept = Vec::with_capacity(responses.len());
    let mut skipped = Vec::new();
    for r in responses {
        match seen.get(&r.response.key) {
            Some(&of_row) => skipped.push(Skipped {
                row: r.response.row,
                key: r.response.key.clone(),
                band: r.band,
                reason: SkipReason::Duplicate { of_row },
            }),
            None => {
                seen.insert(&r.response.key, r.response.row);
                kept.push(r);
            }
        }
    }
    (kept, skipped)
}

/// Picks the flagged responses that no review issue covers yet (`is_covered` says which are
/// covered) and groups them by normalised subject. Duplicate rows and rows without a subject are
/// skipped with a reason; only flagged duplicates are reported, since the others need nothing.
pub fn select<'a>(
    responses: &'a [ScoredResponse],
    is_covered: impl Fn(&ResponseKey) -> bool,
) -> Selection<'a> {
    let (kept, duplicates) = first_occurrences(responses);
    let mut selection = Selection {
        skipped: duplicates
            .into_iter()
            .filter(|s| s.band.is_flagged())
            .collect(),
        ..Selection::default()
    };
    let mut index: HashMap<SubjectUrl, usize> = HashMap::new();
    for r in kept.into_iter().filter(|r| r.band.is_flagged()) {
        selection.flagged += 1;
        if is_covered(&r.response.key) {
            selection.already_covered += 1;
            continue;
        }
        let problem = if r.response.subject.is_empty() {
            Some(SkipReason::NoSubject)
        } else {
            check_subject(&r.response.subject_raw, &r.response.subject).err()
        };
        if let Some(reason) = problem {
            selection.skipped.push(Skipped {
                row: r.response.row,
                key: r.response.key.clone(),
                band: r.band,
                reason,
            });
            continue;
        }
        let slot = *index.entry(r.response.subject.clone()).or_insert_with(|| {
            selection.groups.push(Group {
                subject: r.response.subject.clone(),
                responses: Vec::new(),
            });
            selection.groups.len() - 1
        });
        selection.groups[slot].responses.push(r);
    }
    selection.skipped.sort_by_key(|s| s.row);
    selection
}

/// Checks that a link cell names one GitLab issue or merge request: an `http(s)` address on
/// any host (a team may link gitlab.com and its own instance alike, and the local tracker has
/// no host), whose path is `NAMESPACE/PROJECT/-/issues/N`, `…/-/merge_requests/N` or
/// `…/-/work_items/N` (legacy paths without `/-/` are normalised first), every namespace part
/// a GitLab path (letters, digits, `_`, `-`, `.`, not starting with `-` or `.`). So nothing a
/// respondent types reaches a title except a project path and a number.
///
/// `raw` is the cell as written, `subject` its normalised form.
pub fn check_subject(raw: &str, subject: &SubjectUrl) -> Result<(), SkipReason> {
    if raw.trim().chars().any(char::is_control) {
        return Err(SkipReason::LinkWithControl);
    }
    let not_a_link = Err(SkipReason::NotAnIssueLink);
    let Ok(url) = url::Url::parse(subject.as_str()) else {
        return not_a_link;
    };
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return not_a_link;
    }
    let Some(segments) = url.path_segments() else {
        return not_a_link;
    };
    let segments: Vec<&str> = segments.collect();
    let [namespace @ .., "-", kind, number] = segments.as_slice() else {
        return not_a_link;
    };
    let path_part = |p: &&str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let is_number =
        !number.is_empty() && number.len() <= 12 && number.chars().all(|c| c.is_ascii_digit());
    if matches!(*kind, "issues" | "merge_requests" | "work_items")
        && namespace.len() >= 2
        && namespace.first() != Some(&"groups")
        && namespace.iter().all(path_part)
        && is_number
    {
        Ok(())
    } else {
        not_a_link
    }
}

/// The most characters GitLab takes in an issue description or a note (1,048,576).
pub const BODY_LIMIT: usize = 1_048_576;

/// The most characters of one respondent's cell written into a tracker; the rest is cut with a
/// visible `… (cut, N characters)`. Keeps any one row far below [`BODY_LIMIT`].
pub const CELL_LIMIT: usize = 10_000;

/// A review issue in the tracker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IssueRef {
    /// The project path.
    pub project: String,
    /// The issue's number in its project.
    pub iid: u64,
    /// A link a person can open.
    pub web_url: String,
}

/// The latest review issue of a subject, as the tracker reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingReview {
    /// The issue.
    pub issue: IssueRef,
    /// Whether it is still open.
    pub open: bool,
}

/// What to do with a group of new flagged responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Open a review issue, linking the subject's earlier, closed one if there is one.
    Create {
        /// The closed review issue of the same subject.
        previous: Option<IssueRef>,
    },
    /// Add a note listing the new responses to the subject's open review issue.
    Note {
        /// The open issue.
        issue: IssueRef,
    },
}

/// The rule of §1.2: a subject whose review issue is open gets a note, never a second issue; one
/// whose review issue is closed gets a new issue that links the old one; one without gets an issue.
pub fn decide(existing: Option<&ExistingReview>) -> Decision {
    match existing {
        Some(e) if e.open => Decision::Note {
            issue: e.issue.clone(),
        },
        Some(e) => Decision::Create {
            previous: Some(e.issue.clone()),
        },
        None => Decision::Create { previous: None },
    }
}

/// A short reference for a subject: `group/project#12` for an issue, `group/project!7` for a
/// merge request, `group/project&3` for an epic, else the subject itself.
pub fn reference(subject: &SubjectUrl) -> String {
    let text = subject.as_str();
    let Ok(url) = url::Url::parse(text) else {
        return text.to_owned();
    };
    let Some(segments) = url.path_segments() else {
        return text.to_owned();
    };
    let segments: Vec<&str> = segments.collect();
    if let [project @ .., "-", kind, number] = segments.as_slice() {
        let sigil = match *kind {
            "issues" | "work_items" => Some('#'),
            "merge_requests" => Some('!'),
            "epics" => Some('&'),
            _ => None,
        };
        if let Some(sigil) = sigil
            && !project.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
        {
            let project = project.strip_prefix(&["groups"][..]).unwrap_or(project);
            return format!("{}{sigil}{number}", project.join("/"));
        }
    }
    text.to_owned()
}

/// The title of a subject's review issue, e.g. `Feedback Review: group/project#12`.
///
/// A subject that is not an issue or merge request link (see [`check_subject`]; such rows are
/// never filed) is written as [`cell_text`], so even then it mentions no one.
pub fn title(subject: &SubjectUrl) -> String {
    let reference = if check_subject(subject.as_str(), subject).is_ok() {
        reference(subject)
    } else {
        cell_text(subject.as_str())
    };
    let reference: String = if reference.chars().count() > 120 {
        reference.chars().take(119).chain(['…']).collect()
    } else {
        reference
    };
    format!("Feedback Review: {reference}")
}

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

/// The generated section of a new review issue: the subject, the earlier review if any, the
/// table of responses, and the hidden markers. It follows the filled template.
pub fn issue_section(
    subject: &SubjectUrl,
    responses: &[&ScoredResponse],
    previous: Option<&IssueRef>,
    options: &RenderOptions,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Feedback responses\n");
    let _ = writeln!(out, "Subject: {}", subject_link(subject));
    if let Some(previous) = previous {
        let _ = writeln!(
            out,
            "\nAn earlier review of this subject was closed: {}",
            previous.web_url
        );
    }
    let _ = writeln!(out);
    out.push_str(&table(responses, options));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", marker(subject));
    let _ = writeln!(
        out,
        "{}",
        responses_marker(responses.iter().map(|r| &r.response.key))
    );
    out
}

/// The note added to an open review issue when new flagged responses about its subject arrive.
pub fn note_body(
    subject: &SubjectUrl,
    responses: &[&ScoredResponse],
    options: &RenderOptions,
) -> String {
    let mut out = String::new();
    let count = responses.len();
    let noun = if count == 1 {
        "flagged response"
    } else {
        "flagged responses"
    };
    let _ = writeln!(out, "{count} new {noun} about {}:\n", subject_link(subject));
    out.push_str(&table(responses, options));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        responses_marker(responses.iter().map(|r| &r.response.key))
    );
    out
}

fn subject_link(subject: &SubjectUrl) -> String {
    if subject.as_str().starts_with("http://") || subject.as_str().starts_with("https://") {
        subject.as_str().to_owned()
    } else {
        cell_text(subject.as_str())
    }
}

/// The Markdown table of responses.
fn table(responses: &[&ScoredResponse], options: &RenderOptions) -> String {
    let columns = options.columns;
    let mut headers = vec!["Row", "Submitted"];
    let optional = [
        ("Rating", columns.rating),
        ("Resolution", columns.resolution),
        ("Values shown", columns.values),
        ("Comment", columns.comment),
    ];
    headers.extend(
        optional
            .iter()
            .filter(|(_, c)| c.is_some())
            .map(|(h, _)| *h),
    );
    if options.include_submitter {
        headers.push("Submitter");
    }
    headers.extend(["Score", "Band"]);

    let mut out = String::new();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(headers.len()));
    for r in responses {
        let resp = &r.response;
        let mut cells = vec![resp.row.to_string(), cell_text(&resp.timestamp)];
        for (_, col) in optional {
            if let Some(col) = col {
                cells.push(cell_text(
                    resp.cells.get(col).map(String::as_str).unwrap_or(""),
                ));
            }
        }
        if options.include_submitter {
            cells.push(cell_text(resp.submitter.as_deref().unwrap_or("")));
        }
        cells.push(cell_text(&score_text(&r.score)));
        cells.push(match (band_name(r.band), r.band.label()) {
            (name, label) if name == label => name.to_owned(),
            (name, label) => format!("{name} ({label})"),
        });
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

fn band_name(band: Band) -> &'static str {
    match band {
        Band::Green => "Green",
        Band::Yellow => "Yellow",
        Band::Red => "Red",
        Band::Error => "Error",
    }
}

/// A score as the sheet would show it: `1`, `-1`, `1.5`, `TRUE`, `#VALUE!`, or text.
pub fn score_text(value: &Value) -> String {
    match value {
        Value::Blank => String::new(),
        Value::Number(n) if *n == 0.0 => "0".into(),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::Text(t) => t.clone(),
        Value::Error(e) => e.as_str().into(),
    }
}

/// A respondent's text (or any sheet cell) as Markdown for one table cell, or one line of an
/// issue: the same words, on one line, that change nothing in GitLab.
///
/// - Line breaks become `<br>`; `|`, `` ` `` and `\` are backslash-escaped; `<`, `>` and `&`
///   are written as entities, so the text cannot open an HTML comment or tag, and an entity
///   the respondent typed (`&#64;`) is shown as typed rather than read as the character.
/// - GitLab references are put in code spans: `@name` (not an e-mail address), `#12`, `!12`,
///   `&12`, `$12`, `~label`, `~"two words"`, `%milestone`. GitLab finds no reference inside
///   code, so no one is notified (not even with `@all`) and no unrelated issue, merge request
///   or label gets a cross-link, while the text still reads as written. Zero-width characters
///   would hide the change and follow every copy and search; entities and backslashes do not
///   help, since GitLab looks for references after they are decoded.
/// - Web addresses are kept whole, so they stay links (GitLab looks for no reference inside a
///   link).
/// - A leading `/` is escaped, so a value placed at the start of a line in a template is never
///   a quick action.
///
/// NUL and other control characters are removed (a tab becomes a space, a lone carriage return
/// a line break), and a text longer than [`CELL_LIMIT`] characters is cut, ending in
/// `… (cut, N characters)`.
pub fn cell_text(text: &str) -> String {
    let text = text.trim();
    // Only what is kept is cleaned: a 2 MB cell costs no more than a short one.
    let total = text.chars().count();
    let text = match text.char_indices().nth(CELL_LIMIT) {
        Some((at, _)) => &text[..at],
        None => text,
    };
    let cut = total - text.chars().count();
    let cleaned: String = text
        .replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\r' | '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    let text = cleaned.trim();
    let mut out = String::with_capacity(text.len() + 8);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push_str("<br>");
        }
        inline_text(line, &mut out);
    }
    if out.starts_with('/') {
        out.insert(0, '\\');
    }
    if cut > 0 {
        out.push_str(&format!("… (cut, {cut} characters)"));
    }
    out
}

/// Writes one line of [`cell_text`].
fn inline_text(line: &str, out: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    // Where the last code span ended, so that a reference right after another joins its span.
    let mut span_end = None;
    // Where the last character written as plain text ended: `@` right after a letter of the
    // same text is an e-mail address, not a mention.
    let mut text_end = None;
    let mut i = 0;
    while i < chars.len() {
        if let Some(end) = url_end(&chars, i) {
            for &c in &chars[i..end] {
                out.push(c);
            }
            i = end;
            continue;
        }
        let after_letter = i > 0 && text_end == Some(i) && chars[i - 1].is_ascii_alphanumeric();
        if let Some(len) = reference_len(&chars, i, after_letter) {
            if span_end == Some(i) {
                out.pop();
            } else {
                out.push('`');
            }
            out.extend(&chars[i..i + len]);
            out.push('`');
            i += len;
            span_end = Some(i);
            continue;
        }
        match chars[i] {
            '|' => out.push_str("\\|"),
            '`' => out.push_str("\\`"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        i += 1;
        text_end = Some(i);
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The end of a web address starting at `i`: up to a space or a character Markdown would read,
/// without trailing punctuation (which ends a sentence, not the address). None when no address
/// starts there.
fn url_end(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && chars[i - 1].is_alphanumeric() {
        return None;
    }
    let rest: String = chars[i..]
        .iter()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| rest.starts_with(s))?;
    let mut end = i + scheme.len();
    while end < chars.len() {
        let c = chars[end];
        let entity = c == '&' && starts_entity(&chars[end..]);
        if c.is_whitespace() || matches!(c, '<' | '>' | '|' | '`' | '\\' | '"') || entity {
            break;
        }
        end += 1;
    }
    while end > i + scheme.len()
        && matches!(
            chars[end - 1],
            '.' | ',' | ':' | ';' | '!' | '?' | ')' | '\'' | '*' | '_' | '~'
        )
    {
        end -= 1;
    }
    (end > i + scheme.len()).then_some(end)
}

/// Whether `&…` reads as an HTML entity (`&#64;`, `&commat;`).
fn starts_entity(chars: &[char]) -> bool {
    let body: Vec<char> = chars[1..]
        .iter()
        .copied()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !body.is_empty() && chars.get(1 + body.len()) == Some(&';')
}

/// The length of the GitLab reference starting at `i`, if one does. `after_letter`: the
/// character before is a letter or digit of the same text.
fn reference_len(chars: &[char], i: usize, after_letter: bool) -> Option<usize> {
    let next = chars.get(i + 1).copied();
    let run = |from: usize, keep: fn(char) -> bool, trim: &[char]| {
        let mut end = from;
        while end < chars.len() && keep(chars[end]) {
            end += 1;
        }
        while end > from && trim.contains(&chars[end - 1]) {
            end -= 1;
        }
        end - i
    };
    match chars[i] {
        '@' => (!after_letter && next.is_some_and(is_word)).then(|| {
            run(
                i + 1,
                |c| is_word(c) || matches!(c, '.' | '-' | '/'),
                &['.', '-', '/'],
            )
        }),
        '#' | '!' | '&' | '$' => next
            .is_some_and(|c| c.is_ascii_digit())
            .then(|| run(i + 1, |c| c.is_ascii_digit(), &[])),
        '~' | '%' => match next {
            Some('"') => {
                let close = chars[i + 2..]
                    .iter()
                    .position(|c| matches!(c, '"' | '|' | '`' | '\\' | '<' | '>'));
                match close {
                    Some(n) if chars[i + 2 + n] == '"' && n > 0 => Some(n + 3),
                    // Unclosed, or with what a code span cannot hold: the sigil alone.
                    _ => Some(2),
                }
            }
            Some(c) if is_word(c) => Some(run(
                i + 1,
                |c| is_word(c) || matches!(c, '.' | '-' | '/' | '?' | '&'),
                &['.', '-', '/', '?', '&'],
            )),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Response;
    use supportops_formula::ErrorKind;

    fn scored(row: u64, subject: &str, rating: &str, score: Value, band: Band) -> ScoredResponse {
        let timestamp = format!("1/{row}/2026 10:00:00");
        let submitter = format!("user{row}@example.com");
        let cells = vec![
            timestamp.clone(),
            subject.to_owned(),
            "It was not solved".to_owned(),
            "Collaboration".to_owned(),
            format!("comment for row {row}"),
            rating.to_owned(),
            submitter.clone(),
        ];
        ScoredResponse {
            response: Response {
                row,
                key: ResponseKey::derive(&timestamp, subject, &submitter),
                timestamp,
                submitted_at: None,
                subject_raw: subject.to_owned(),
                subject: SubjectUrl::parse(subject),
                submitter: Some(submitter),
                cells,
            },
            score,
            band,
            stored_score: None,
        }
    }

    const COLUMNS: ReviewColumns = ReviewColumns {
        rating: Some(5),
        resolution: Some(2),
        values: Some(3),
        comment: Some(4),
    };

    fn options(include_submitter: bool) -> RenderOptions {
        RenderOptions {
            columns: COLUMNS,
            include_submitter,
        }
    }

    #[test]
    fn flagged_responses_group_by_normalised_subject_in_sheet_order() {
        let rows = vec![
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                3,
                "https://gitlab.com/a/b/-/issues/2",
                "5",
                Value::Number(3.0),
                Band::Green,
            ),
            scored(
                4,
                "https://gitlab.com/a/b/-/issues/2",
                "3",
                Value::Number(1.0),
                Band::Yellow,
            ),
            scored(
                5,
                "https://GITLAB.com/a/b/issues/1/#note_9",
                "2",
                Value::Number(0.0),
                Band::Red,
            ),
            scored(6, "", "1", Value::Number(-1.0), Band::Red),
            scored(
                7,
                "https://gitlab.com/a/b/-/issues/3",
                "x",
                Value::Error(ErrorKind::Value),
                Band::Error,
            ),
        ];
        let selection = select(&rows, |_| false);
        let summary: Vec<(String, Vec<u64>)> = selection
            .groups
            .iter()
            .map(|g| {
                (
                    g.subject.to_string(),
                    g.responses.iter().map(|r| r.response.row).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("https://gitlab.com/a/b/-/issues/1".into(), vec![2, 5]),
                ("https://gitlab.com/a/b/-/issues/2".into(), vec![4]),
                ("https://gitlab.com/a/b/-/issues/3".into(), vec![7]),
            ]
        );
        assert_eq!(selection.flagged, 5);
        assert_eq!(selection.already_covered, 0);
        assert_eq!(selection.skipped.len(), 1);
        assert_eq!(selection.skipped[0].row, 6);
        assert_eq!(selection.skipped[0].reason, SkipReason::NoSubject);
    }

    #[test]
    fn covered_responses_are_counted_not_filed() {
        let rows = vec![
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                3,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
        ];
        let covered = rows[0].response.key.clone();
        let selection = select(&rows, |k| *k == covered);
        assert_eq!(selection.flagged, 2);
        assert_eq!(selection.already_covered, 1);
        assert_eq!(selection.groups.len(), 1);
        assert_eq!(selection.groups[0].responses[0].response.row, 3);
    }

    #[test]
    fn a_repeated_row_is_skipped_as_a_duplicate_of_the_first() {
        let first = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        let mut again = first.clone();
        again.response.row = 9;
        let rows = vec![first, again];
        let selection = select(&rows, |_| false);
        assert_eq!(selection.flagged, 1);
        assert_eq!(selection.groups[0].responses.len(), 1);
        assert_eq!(
            selection.skipped,
            vec![Skipped {
                row: 9,
                key: rows[0].response.key.clone(),
                band: Band::Red,
                reason: SkipReason::Duplicate { of_row: 2 },
            }]
        );
        assert_eq!(
            selection.skipped[0].reason.to_string(),
            "same response as row 2 (same id, or same timestamp, subject and submitter)"
        );
    }

    #[test]
    fn open_review_gets_a_note_closed_review_gets_a_linked_issue() {
        let issue = IssueRef {
            project: "p".into(),
            iid: 4,
            web_url: "local://p/-/issues/4".into(),
        };
        assert_eq!(decide(None), Decision::Create { previous: None });
        assert_eq!(
            decide(Some(&ExistingReview {
                issue: issue.clone(),
                open: true
            })),
            Decision::Note {
                issue: issue.clone()
            }
        );
        assert_eq!(
            decide(Some(&ExistingReview {
                issue: issue.clone(),
                open: false
            })),
            Decision::Create {
                previous: Some(issue)
            }
        );
    }

    #[test]
    fn titles_use_short_references() {
        let t = |s: &str| title(&SubjectUrl::parse(s));
        assert_eq!(
            t("https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12"),
            "Feedback Review: gitlab-com/support/support-ops/zendesk#12"
        );
        assert_eq!(
            t("https://gitlab.com/a/b/merge_requests/7"),
            "Feedback Review: a/b!7"
        );
        // Epics are not review subjects: their link is kept whole.
        assert_eq!(
            t("https://gitlab.com/groups/g/-/epics/3"),
            "Feedback Review: https://gitlab.com/groups/g/-/epics/3"
        );
        assert_eq!(t("ZD macro cleanup"), "Feedback Review: ZD macro cleanup");
        assert_eq!(
            t(&"x".repeat(200)).chars().count(),
            "Feedback Review: ".len() + 120
        );
        assert_eq!(t("@all"), "Feedback Review: `@all`");
    }

    #[test]
    fn only_issue_and_merge_request_links_are_subjects() {
        let check = |raw: &str| check_subject(raw, &SubjectUrl::parse(raw));
        for good in [
            "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12",
            "https://gitlab.com/a/b/issues/12#note_3",
            "https://gitlab.example.org/a/b.c/-/merge_requests/7?diff_id=2",
            "http://127.0.0.1:8080/a_b/c-d/-/work_items/1",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "@all",
            "see https://gitlab.com/a/b/-/issues/4 /close",
            "https://gitlab.com/@gitlab-com/support-team/-/issues/1",
            "https://gitlab.com/a/-/issues/1",
            "https://gitlab.com/groups/g/-/epics/3",
            "https://gitlab.com/a/b/-/issues/x",
            "https://user:pw@gitlab.com/a/b/-/issues/1",
            "https://gitlab.com/a/b/-/pipelines/1",
            "ftp://gitlab.com/a/b/-/issues/1",
            "ZD macro cleanup",
        ] {
            assert_eq!(check(bad), Err(SkipReason::NotAnIssueLink), "{bad}");
        }
        assert_eq!(
            check("https://gitlab.com/a/b/-/issues/1\nhttps://gitlab.com/a/b/-/issues/2"),
            Err(SkipReason::LinkWithControl)
        );
        assert_eq!(
            check("https://gitlab.com/a/b/-/issues/1\u{0}"),
            Err(SkipReason::LinkWithControl)
        );
        // A title never carries a respondent's mention, even for a subject never filed.
        assert_eq!(title(&SubjectUrl::parse("@all")), "Feedback Review: `@all`");
    }

    #[test]
    fn control_characters_go_and_long_cells_are_cut_visibly() {
        assert_eq!(
            cell_text("a\u{0}b\tc\u{1b}[31md\r\ne\rf"),
            "ab c[31md<br>e<br>f"
        );
        let long = "x".repeat(CELL_LIMIT + 2_500);
        let text = cell_text(&long);
        assert!(
            text.ends_with("x… (cut, 2500 characters)"),
            "{}",
            &text[text.len() - 40..]
        );
        assert_eq!(text.chars().filter(|c| *c == 'x').count(), CELL_LIMIT);
    }

    #[test]
    fn markers_never_contain_a_comment_end() {
        let s = SubjectUrl::parse("https://gitlab.com/a--b/c---d/-/issues/1");
        let m = marker(&s);
        assert_eq!(
            m,
            "<!-- supportops:subject=https://gitlab.com/a-%2Db/c-%2D-d/-/issues/1 -->"
        );
        let inner = &m["<!--".len()..m.len() - "-->".len()];
        assert!(!inner.contains("--"), "{m}");

        let odd = SubjectUrl::parse("notes --> <b>%2D");
        let m = marker(&odd);
        assert_eq!(
            m,
            "<!-- supportops:subject=notes%20-%2D%3E%20%3Cb%3E%252D -->"
        );
        assert!(has_marker(&format!("text\n{m}\n"), &odd));
        assert!(!has_marker(&format!("text\n{m}\n"), &s));
    }

    #[test]
    fn markers_are_found_whole_in_a_description() {
        let a = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let b = SubjectUrl::parse("notes --> here");
        let text = format!(
            "intro\n{}\ntext {} end\n<!-- supportops:subject=cut",
            marker(&a),
            marker(&b)
        );
        assert_eq!(markers_in(&text), vec![marker(&a), marker(&b)]);
    }

    #[test]
    fn marker_of_one_subject_does_not_match_a_longer_one() {
        let short = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let long = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/12");
        assert!(!has_marker(&marker(&long), &short));
    }

    #[test]
    fn response_keys_round_trip_through_markers() {
        let keys = vec![
            ResponseKey::from_id("a,b--c -->"),
            ResponseKey::derive("t", "s", "u"),
        ];
        let text = format!(
            "body\n{}\nmore\n{}\n",
            responses_marker(&keys[..1]),
            responses_marker(&keys[1..])
        );
        assert!(!text.contains("a,b"));
        let found = covered_keys_in(&text);
        assert_eq!(found, keys.into_iter().collect());
    }

    #[test]
    fn issue_section_keeps_respondents_out_by_default() {
        let rows = [
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                5,
                "https://gitlab.com/a/b/issues/1",
                "3",
                Value::Error(ErrorKind::Value),
                Band::Error,
            ),
        ];
        let refs: Vec<&ScoredResponse> = rows.iter().collect();
        let subject = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let text = issue_section(&subject, &refs, None, &options(false));
        assert!(!text.contains("example.com"));
        insta::assert_snapshot!(text, @"
        ## Feedback responses

        Subject: https://gitlab.com/a/b/-/issues/1

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | Collaboration | comment for row 2 | -1 | Red (Bad) |
        | 5 | 1/5/2026 10:00:00 | 3 | It was not solved | Collaboration | comment for row 5 | #VALUE! | Error |

        <!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->
        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4,h:412b0c94587c1e35173f1b51 -->
        ");
    }

    #[test]
    fn issue_section_shows_submitters_when_asked_and_links_the_closed_review() {
        let rows = [scored(
            3,
            "https://gitlab.com/a/b/-/issues/1",
            "2",
            Value::Number(0.0),
            Band::Red,
        )];
        let refs: Vec<&ScoredResponse> = rows.iter().collect();
        let previous = IssueRef {
            project: "fr".into(),
            iid: 7,
            web_url: "https://gitlab.com/fr/-/issues/7".into(),
        };
        let subject = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let text = issue_section(&subject, &refs, Some(&previous), &options(true));
        insta::assert_snapshot!(text, @"
        ## Feedback responses

        Subject: https://gitlab.com/a/b/-/issues/1

        An earlier review of this subject was closed: https://gitlab.com/fr/-/issues/7

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Submitter | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        | 3 | 1/3/2026 10:00:00 | 2 | It was not solved | Collaboration | comment for row 3 | user3@example.com | 0 | Red (Bad) |

        <!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->
        <!-- supportops:responses=h:598e5b23f5a8fd19fd49a56e -->
        ");
    }

    #[test]
    fn cells_cannot_break_the_table_or_hide_text() {
        let mut row = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        row.response.cells[4] = "first | line\nsecond <!-- hidden -->\r\nthird".into();
        let refs = [&row];
        let text = note_body(&row.response.subject, &refs, &options(false));
        insta::assert_snapshot!(text, @r"
        1 new flagged response about https://gitlab.com/a/b/-/issues/1:

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | Collaboration | first \| line<br>second &lt;!-- hidden --&gt;<br>third | -1 | Red (Bad) |

        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4 -->
        ");
    }

    #[test]
    fn references_in_cells_notify_no_one_and_link_nothing() {
        let mut row = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        row.response.cells[4] = "Thanks @carol and @all: see #12, !7, &3, $40 and ~bug \
            ~\"needs review\" %\"Q3 2026\" %v2.\n\
            Mail amy@example.com or read https://gitlab.com/a/b/-/issues/9#note_1.\n\
            &#64;dave \\@erin `@frank` a~b #1#2 1@x"
            .into();
        row.response.cells[3] = "/close".into();
        let refs = [&row];
        let text = note_body(&row.response.subject, &refs, &options(false));
        insta::assert_snapshot!(text, @r#"
        1 new flagged response about https://gitlab.com/a/b/-/issues/1:

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | \/close | Thanks `@carol` and `@all`: see `#12`, `!7`, `&3`, `$40` and `~bug` `~"needs review"` `%"Q3 2026"` `%v2`.<br>Mail amy@example.com or read https://gitlab.com/a/b/-/issues/9#note_1.<br>&amp;`#64`;dave \\`@erin` \``@frank`\` a`~b` `#1#2` 1@x | -1 | Red (Bad) |

        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4 -->
        "#);
    }

    /// What GitLab reads as a reference in a text node: `@name` not after a letter or digit,
    /// `#1`, `!1`, `&1`, `$1`, `~x`, `~"`, `%x`, `%"`.
    fn reference_in(text: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(2).enumerate().find_map(|(i, w)| {
            let hit = match w[0] {
                '@' => {
                    (w[1].is_ascii_alphanumeric() || w[1] == '_')
                        && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
                }
                '#' | '!' | '&' | '$' => w[1].is_ascii_digit(),
                '~' | '%' => w[1].is_ascii_alphanumeric() || matches!(w[1], '_' | '"'),
                _ => false,
            };
            hit.then(|| w.iter().collect())
        })
    }

    proptest::proptest! {
        /// Whatever a respondent writes, the note's table keeps its shape and GitLab finds no
        /// reference in its text (code spans are not searched).
        #[test]
        fn no_comment_breaks_the_table_or_makes_a_reference(
            comment in "[ a-g0-9_@#!&$~%\"|`\\\\<>/.:;*\n-]{0,40}"
        ) {
            use pulldown_cmark::{Event, Options, Parser, Tag};
            let mut row = scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            );
            row.response.cells[4] = comment.clone();
            let refs = [&row];
            let text = note_body(&row.response.subject, &refs, &options(false));
            let mut rows = 0;
            let mut cells = 0;
            let mut texts: Vec<String> = vec![String::new()];
            for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
                match event {
                    Event::Start(Tag::TableRow) => rows += 1,
                    Event::Start(Tag::TableCell) => cells += 1,
                    // Text split only by escapes and entities is one text to GitLab.
                    Event::Text(t) => texts.last_mut().expect("a text").push_str(&t),
                    // Code, HTML (`<br>`) and cell boundaries end a text.
                    _ => texts.push(String::new()),
                }
            }
            proptest::prop_assert_eq!(rows, 1, "{}", text);
            proptest::prop_assert_eq!(cells, 16, "{}", text);
            for t in &texts {
                proptest::prop_assert_eq!(reference_in(t), None, "in {:?} of\n{}", t, text);
            }
        }
    }
}
