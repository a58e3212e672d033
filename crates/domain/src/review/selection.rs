//! Which flagged responses still need filing: the first response of every key, flagged ones
//! grouped by normalised subject in sheet order, rows left out with a reason (no subject, not an
//! issue link, a duplicate), and whether a subject gets a new issue, a note, or a new issue that
//! links its closed one.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Band, ResponseKey, ScoredResponse, SubjectUrl};

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
