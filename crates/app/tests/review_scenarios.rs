//! The Feedback Review scenarios against the local tracker kept in the store.

mod rows;
mod scenarios;

use std::sync::Arc;

use jiff::Timestamp;
use supportops_domain::Band;
use supportops_ports::tracker::Tracker;
use supportops_store::{LocalTracker, SqliteStore};

async fn local(store: SqliteStore) -> Arc<dyn Tracker> {
    let start: Timestamp = "2026-03-02T10:00:00Z".parse().expect("a timestamp");
    Arc::new(LocalTracker::new(store).with_clock(Arc::new(move || start)))
}

scenarios::every_scenario!(local);

/// The whole issue as the local tracker stores it: the built-in template, then the generated
/// section.
#[tokio::test]
async fn local_review_issue_body() {
    let h = scenarios::Harness::new(&local).await;
    let rows = vec![
        scenarios::row(2, "https://gitlab.com/g/p/-/issues/12", 1, Band::Red),
        scenarios::row(
            4,
            "https://gitlab.com/g/p/issues/12#note_1",
            3,
            Band::Yellow,
        ),
    ];
    h.run(&rows).await;
    let issue = &h.issues().await[0];
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @"
    # Feedback Review: g/p#12

    ## Summary

    Support Ops received feedback that needs a review about g/p#12.
    Read the responses below, then talk to the people involved where that helps.

    ## Action plan

    <!-- What will Support Ops change so this does not happen again? Agree on it at the monthly sync. -->

    ## Outcome

    <!-- At a later monthly sync: did the action plan resolve the problem? -->

    ## Feedback responses

    Subject: https://gitlab.com/g/p/-/issues/12

    | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | 2 | 2/2/2026 9:02:00 | 1 | It was not solved | Collaboration | comment 2 | -1 | Red (Bad) |
    | 4 | 2/4/2026 9:04:00 | 3 | It was not solved | Collaboration | comment 4 | 1 | Yellow (Needs Improvement) |

    <!-- supportops:subject=https://gitlab.com/g/p/-/issues/12 -->
    <!-- supportops:responses=h:716f66955f1dff2ebc17e257,h:053803cde75449ba27a810b7 -->
    ");
}
