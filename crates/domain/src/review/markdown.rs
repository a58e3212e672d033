//! The Markdown supportops writes into the tracker: a subject's short reference and issue title,
//! the generated section of a review issue, the note for new responses, the table of responses,
//! and the cell text that keeps a respondent's words on one line, notifying no one.

use std::fmt::Write as _;

use supportops_formula::Value;

use super::RenderOptions;
use super::selection::{IssueRef, check_subject};
use crate::markers::{marker, responses_marker};
use crate::{Band, ScoredResponse, SubjectUrl};

/// The most characters GitLab takes in an issue description or a note (1,048,576).
pub const BODY_LIMIT: usize = 1_048_576;

/// The most characters of one respondent's cell written into a tracker; the rest is cut with a
/// visible `… (cut, N characters)`. Keeps any one row far below [`BODY_LIMIT`].
pub const CELL_LIMIT: usize = 10_000;

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

/// A score as the sheet would show it: `1`, `-1`, `0.3`, `TRUE`, `#VALUE!`, or text (the
/// formula value's `Display`).
pub fn score_text(value: &Value) -> String {
    value.to_string()
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
