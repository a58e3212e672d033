//! Subjects with two or more open review issues: after `issues reopen` of an older review,
//! say. Later responses about the subject are noted on its latest review issue only, so the
//! team should close the others; `review` and the Reviews page say so.

use std::collections::BTreeMap;

use serde::Serialize;
use supportops_ports::store::ReviewStore;
use supportops_ports::{IssueState, Tracker, TrackerError};

use super::ReviewError;

/// One subject with more than one open review issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenDuplicates {
    /// The subject (normalised).
    pub subject: String,
    /// Its open review issues' numbers, lowest first.
    pub iids: Vec<u64>,
    /// The latest recorded one: where later responses are noted.
    pub latest: u64,
}

/// The subjects whose recorded review issues include two or more that are open in the tracker.
/// Only subjects with more than one recorded issue are looked up.
pub async fn open_duplicates<S>(
    store: &S,
    tracker: &dyn Tracker,
) -> Result<Vec<OpenDuplicates>, ReviewError>
where
    S: ReviewStore + ?Sized,
{
    let mut by_subject: BTreeMap<String, Vec<(i64, String, u64)>> = BTreeMap::new();
    for r in store.review_issues().await? {
        by_subject
            .entry(r.subject.as_str().to_owned())
            .or_default()
            .push((r.id, r.issue.project, r.issue.iid));
    }
    let mut out = Vec::new();
    for (subject, records) in by_subject {
        if records.len() < 2 {
            continue;
        }
        let mut open = Vec::new();
        for (id, project, iid) in &records {
            match tracker.issue(project, *iid).await {
                Ok(issue) if issue.state == IssueState::Opened => open.push((*id, *iid)),
                Ok(_) | Err(TrackerError::NotFound { .. }) => {}
                Err(source) => {
                    return Err(ReviewError::Lookup {
                        doing: format!("read review issue #{iid} of project `{project}`"),
                        source,
                    });
                }
            }
        }
        if open.len() < 2 {
            continue;
        }
        let latest = open
            .iter()
            .max_by_key(|(id, _)| *id)
            .map_or(0, |(_, iid)| *iid);
        let mut iids: Vec<u64> = open.into_iter().map(|(_, iid)| iid).collect();
        iids.sort_unstable();
        out.push(OpenDuplicates {
            subject,
            iids,
            latest,
        });
    }
    Ok(out)
}
