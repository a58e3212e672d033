//! The demo's monthly loop, so `serve --demo` shows what a team running it has: most review
//! issues older than the last monthly sync have an action plan, written into the issue's
//! "Action plan" section (as `supportops issues edit` would); at the last sync some were
//! judged resolved (outcome recorded with `sync outcome`, a note, the issue closed) and some
//! not (outcome and a note saying what comes next); a few were forgotten and show as
//! neglected. Of the issues since the last sync, about half already have a plan.
//!
//! It goes through the same tracker calls and use cases a person would, on the agenda the
//! demo would show, so part 1 and part 2 of the next agenda both have something to show.

use jiff::Timestamp;
use serde::Serialize;
use supportops_domain::sync::{AgendaItem, Outcome, ReviewState};
use supportops_ports::store::SyncStore;
use supportops_ports::{IssueState, Tracker};

use super::{SyncAppError, SyncSettings, agenda, outcome};

const PLANS: [&str; 5] = [
    "- [ ] Rewrite the macro so it states the next step and who owns it\n- [ ] Ask the \
     submitter to check the new wording",
    "- [ ] Add the missing ticket field to the form, with a default\n- [ ] Announce the change \
     in the Support Week in Review",
    "- [ ] Document the workaround in the handbook page the ticket links\n- [ ] Open an \
     upstream issue with the vendor",
    "- [ ] Pair with the requester to rework the trigger conditions\n- [ ] Add a test ticket \
     to the sandbox checklist",
    "- [ ] Close the stale request with an explanation, and link the replacement issue",
];

const RESOLVED: &str = "Outcome at the monthly sync: **resolved**. No new feedback since the \
                        change went out, and the requester confirmed it works.";
const NOT_RESOLVED: &str = "Outcome at the monthly sync: **not resolved**. The same complaint \
                            came back; next step: revisit the plan with the requester.";

/// What the demo's loop recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoLoop {
    /// Issues given an action plan.
    pub plans: usize,
    /// Outcomes recorded as resolved (those issues are closed).
    pub resolved: usize,
    /// Outcomes recorded as not resolved.
    pub not_resolved: usize,
    /// Issues left without a plan.
    pub without_plan: usize,
}

/// The description with `plan` in its "Action plan" section (added at the end when it has
/// none), as a person editing the issue would write it.
pub fn with_action_plan(description: &str, plan: &str) -> String {
    const HEADING: &str = "## Action plan\n";
    match description.find(HEADING) {
        Some(at) => {
            let (head, tail) = description.split_at(at + HEADING.len());
            format!("{head}\n{plan}\n{tail}")
        }
        None => format!("{}\n\n{HEADING}\n{plan}\n", description.trim_end()),
    }
}

async fn write_plan(
    settings: &SyncSettings,
    tracker: &dyn Tracker,
    item: &AgendaItem,
    plan: &str,
) -> Result<(), SyncAppError> {
    let project = &settings.review_project;
    let issue = tracker.issue(project, item.iid).await?;
    tracker
        .edit_description(
            project,
            item.iid,
            &with_action_plan(&issue.description, plan),
        )
        .await?;
    Ok(())
}

/// Runs the loop on the review issues the next agenda lists, as of `now`.
pub async fn load_demo_loop(
    settings: &SyncSettings,
    store: &dyn SyncStore,
    tracker: &dyn Tracker,
    now: Timestamp,
) -> Result<DemoLoop, SyncAppError> {
    let before = agenda(settings, store, tracker, None, now).await?;
    let project = &settings.review_project;
    let mut done = DemoLoop::default();
    let past = before
        .past_issues
        .iter()
        .filter(|i| i.state == ReviewState::Open && !i.has_action_plan);
    for (k, item) in past.enumerate() {
        if k % 6 == 5 {
            done.without_plan += 1;
            continue;
        }
        write_plan(settings, tracker, item, PLANS[k % PLANS.len()]).await?;
        done.plans += 1;
        match k % 3 {
            0 => {
                outcome(settings, store, tracker, item.iid, Outcome::Resolved, now).await?;
                tracker.add_note(project, item.iid, RESOLVED).await?;
                tracker
                    .set_state(project, item.iid, IssueState::Closed)
                    .await?;
                done.resolved += 1;
            }
            1 => {
                outcome(
                    settings,
                    store,
                    tracker,
                    item.iid,
                    Outcome::NotResolved,
                    now,
                )
                .await?;
                tracker.add_note(project, item.iid, NOT_RESOLVED).await?;
                done.not_resolved += 1;
            }
            _ => {}
        }
    }
    for (k, item) in before
        .new_issues
        .iter()
        .filter(|i| !i.has_action_plan)
        .enumerate()
    {
        if k % 2 == 0 {
            write_plan(settings, tracker, item, PLANS[(k + 2) % PLANS.len()]).await?;
            done.plans += 1;
        } else {
            done.without_plan += 1;
        }
    }
    Ok(done)
}
