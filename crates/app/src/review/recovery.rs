//! Recovery of an interrupted run: filings recorded as begun but not as done are looked up in
//! the tracker and recorded if they were made, abandoned (and filed again) if not; an issue made
//! while another machine filed the same subject is closed as the newer duplicate.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;
use supportops_domain::review::IssueRef;
use supportops_domain::{ResponseKey, SubjectUrl};
use supportops_ports::Tracker;
use supportops_ports::store::review::FilingOutcome;
use supportops_ports::store::{ActionLog, ReviewStore};

use super::filing::{self, Filer};
use super::finder::{self, Finder};
use super::{Recovered, ReviewError, ReviewOptions, ReviewReport};

/// After `issue` was created for `subject`: when an older open review of the subject exists
/// (another machine filed at the same time), closes `issue` as its duplicate. Lookup failures
/// are warnings; the next run checks again.
pub(super) async fn converge_after_create<S>(
    filer: &Filer<'_, S>,
    finder: &mut Finder<'_>,
    subject: &SubjectUrl,
    issue: &IssueRef,
    report: &mut ReviewReport,
) -> Result<Option<IssueRef>, ReviewError>
where
    S: ReviewStore + ActionLog + ?Sized,
{
    let marked = match finder.fresh(&filer.options.project, subject, None).await {
        Ok(marked) => marked,
        Err(ReviewError::Lookup { source, .. }) if !filing::is_fatal(&source) => {
            report.warnings.push(format!(
                "cannot check the tracker for a second review issue of `{subject}` ({source}); \
                 the next run checks again"
            ));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let ours_is_newer = finder::pick(marked.clone())
        .is_some_and(|(keep, _)| keep.iid != issue.iid || keep.project != issue.project);
    if !ours_is_newer {
        return Ok(None);
    }
    filer.converge(finder, subject, marked, report).await
}

/// A [`Filer`] for converging duplicates found while planning (no template needed).
pub(super) fn converger<'a, S: ?Sized>(
    store: &'a S,
    tracker: &'a dyn Tracker,
    options: &'a ReviewOptions,
    now: Timestamp,
) -> Filer<'a, S> {
    Filer {
        store,
        tracker,
        options,
        template: None,
        assignees: &[],
        pace: None,
        now,
    }
}

/// Settles filings an interrupted run left pending.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename these
pub(super) async fn recover<S>(
    filer: &Filer<'_, S>,
    finder: &mut Finder<'_>,
    covered: &mut HashSet<ResponseKey>,
    latest: &mut HashMap<SubjectUrl, IssueRef>,
    failed: &mut HashSet<SubjectUrl>,
    report: &mut ReviewReport,
) -> Result<(), ReviewError>
where
    S: ReviewStore + ActionLog + ?Sized,
{
    let (store, now, dry_run) = (filer.store, filer.now, filer.options.dry_run);
    for filing in store.pending_filings().await? {
        let intent = &filing.intent;
        let outcome = filing::settle(store, finder, &filing, 1, None, Duration::ZERO).await?;
        let issue = match (&outcome, &intent.issue) {
            (Some(FilingOutcome::Created { issue }), _) => Some(issue.clone()),
            (Some(FilingOutcome::Noted { .. }), Some(issue)) => Some(issue.clone()),
            _ => None,
        };
        if let Some(issue) = &issue {
            covered.extend(intent.keys.iter().cloned());
            latest.insert(intent.subject.clone(), issue.clone());
        } else {
            // It never reached the tracker (a crash, or a run that gave up): file it after
            // the others.
            failed.insert(intent.subject.clone());
        }
        if !dry_run {
            match &outcome {
                Some(outcome) => store.finish_filing(filing.id, outcome, now).await?,
                None => store.abandon_filing(filing.id, now).await?,
            }
            if let Some(FilingOutcome::Created { issue }) = &outcome {
                // The interrupted run made this issue; if another machine made one for the
                // same subject meanwhile, the newer is this run's to close.
                converge_after_create(filer, finder, &intent.subject, issue, report).await?;
            }
        }
        report.recovered.push(Recovered {
            kind: intent.kind,
            subject: intent.subject.clone(),
            found: issue.is_some(),
            issue,
            responses: intent.keys.len(),
        });
    }
    Ok(())
}
