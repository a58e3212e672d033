//! The JSON API under `/api/v1/`, and the calendar feed, over a real server on loopback.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::TestApp;

#[tokio::test]
async fn summary_counts_bands_scores_and_months() {
    let app = TestApp::spawn().await;
    let summary = app.json("/api/v1/summary", 200).await;
    insta::assert_json_snapshot!("api_summary", summary);
}

#[tokio::test]
async fn responses_are_newest_first_with_keys_and_explanations() {
    let app = TestApp::spawn().await;
    let page = app.json("/api/v1/responses", 200).await;
    assert_eq!(page["total"], 6);
    assert_eq!(page["pages"], 1);
    let rows: Vec<u64> = page["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [7, 6, 5, 4, 3, 2]);
    let newest = &page["responses"][0];
    assert!(
        newest["key"].as_str().unwrap().starts_with("h:"),
        "{newest}"
    );
    assert_eq!(newest["band"]["band"], "green");
    assert_eq!(newest["band"]["label"], "Good");
    let terms: Vec<(&str, i64)> = newest["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["term"].as_str().unwrap(), t["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(terms.len(), 3, "{terms:?}");
    assert_eq!(
        terms.iter().map(|t| t.1).sum::<i64>(),
        newest["score"].as_i64().unwrap()
    );
    assert!(
        newest.get("submitter").is_none(),
        "submitters stay hidden by default"
    );
}

#[tokio::test]
async fn responses_filter_by_month_subject_and_text_and_paginate() {
    let app = TestApp::spawn().await;
    let oct = app.json("/api/v1/responses?month=2026-10", 200).await;
    assert_eq!(oct["total"], 2);
    // Legacy `/issues/101#note_5` and `/-/issues/101` are the same subject.
    let same = app
        .json("/api/v1/responses?subject=zendesk/-/issues/101", 200)
        .await;
    assert_eq!(same["total"], 2);
    let text = app.json("/api/v1/responses?q=ZO%C3%AB", 200).await;
    assert_eq!(text["total"], 1, "text search ignores case");
    let p1 = app.json("/api/v1/responses?per_page=4", 200).await;
    let p2 = app.json("/api/v1/responses?per_page=4&page=2", 200).await;
    assert_eq!(
        (
            p1["pages"].as_u64(),
            p1["responses"].as_array().unwrap().len()
        ),
        (Some(2), 4)
    );
    assert_eq!(p2["responses"].as_array().unwrap().len(), 2);
    assert_eq!(p2["responses"][0]["row"], 3);
}

#[tokio::test]
async fn bad_parameters_are_400_json_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let body = app.json("/api/v1/responses?month=March", 400).await;
    assert_eq!(body["error"]["code"], "bad_param");
    assert_eq!(
        body["error"]["message"],
        "query parameter `month`: `March` is not a month written YYYY-MM, e.g. 2026-03"
    );
}

#[tokio::test]
async fn unknown_endpoints_are_404_json() {
    let app = TestApp::spawn().await;
    let body = app.json("/api/v1/nope", 404).await;
    assert_eq!(body["error"]["message"], "no endpoint at `/api/v1/nope`");
}

#[tokio::test]
async fn syncs_list_the_next_meetings_and_the_monthly_agenda() {
    let app = TestApp::spawn().await;
    let syncs = app.json("/api/v1/syncs", 200).await;
    // Now is Friday 2026-11-27: the next weekly sync is Tuesday 1 December at 14:30 UTC, and
    // the monthly sync is the first Tuesday, at 15:00.
    assert_eq!(syncs["next_weekly"]["date"], "2026-12-01");
    assert_eq!(syncs["next_weekly"]["start_utc"], "2026-12-01T14:30:00Z");
    assert_eq!(syncs["next_monthly"]["start_utc"], "2026-12-01T15:00:00Z");
    // Ten meetings: eight weekly syncs and the two monthly syncs among them.
    assert_eq!(syncs["meetings"].as_array().unwrap().len(), 10);
    // The three review issues filed for the fixture are new since the last monthly sync.
    let new: Vec<&str> = syncs["agenda"]["new_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(new.len(), 3, "{new:?}");
    assert!(
        syncs["agenda_markdown"]
            .as_str()
            .unwrap()
            .contains("Feedback Review")
    );
}

#[tokio::test]
async fn the_calendar_feed_is_icalendar_with_the_weekly_rule() {
    let app = TestApp::spawn().await;
    let r = app.get("/calendar.ics").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let ics = r.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU"), "{ics}");
    assert!(ics.contains("SUMMARY:Support Ops monthly sync"), "{ics}");
}

#[tokio::test]
async fn reviews_list_each_issue_with_its_state_and_responses() {
    let app = TestApp::spawn().await;
    let view = app.json("/api/v1/reviews", 200).await;
    assert_eq!(view["open"], 3);
    assert_eq!(view["closed"], 0);
    assert_eq!(view["uncovered"], 0);
    let mut subjects: Vec<(String, u64)> = view["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["subject_ref"].as_str().unwrap().to_owned(),
                r["covered"].as_array().unwrap().len() as u64,
            )
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            ("gitlab-com/support/support-ops/zendesk#101".to_owned(), 1),
            ("gitlab-com/support/support-ops/zendesk#102".to_owned(), 1),
            ("gitlab-com/support/support-ops/zendesk#103".to_owned(), 1),
        ]
    );
    let first = &view["reviews"][0];
    assert_eq!(first["state"], "opened");
    assert!(
        first["web_url"].as_str().unwrap().starts_with("local://"),
        "{first}"
    );
    assert_eq!(first["responses"], 1);
    assert_eq!(
        first["bands"]["red"].as_u64().unwrap()
            + first["bands"]["yellow"].as_u64().unwrap()
            + first["bands"]["error"].as_u64().unwrap(),
        1,
        "{first}"
    );
    // The list carries no issue text: the issue's own answer does.
    assert!(first.get("description").is_none(), "{first}");
    let item = app
        .json(&format!("/api/v1/reviews/{}", first["iid"]), 200)
        .await;
    assert!(
        item["issue"]["description"]
            .as_str()
            .unwrap()
            .contains("supportops:subject="),
        "{item}"
    );
}

#[tokio::test]
async fn a_later_flagged_response_about_an_open_review_becomes_a_note_on_it() {
    let app = TestApp::spawn().await;
    let body = serde_json::json!({
        "A": "2026-11-26T10:00:00Z",
        "B": "https://gitlab.com/gitlab-com/support/support-ops/zendesk/issues/102/",
        "C": "It was not solved",
        "F": 1,
    });
    let r = app
        .post_feedback(body.to_string(), Some(common::TOKEN))
        .await;
    let status = r.status();
    assert_eq!(status, 202, "{}", r.text().await.unwrap());
    for _ in 0..200 {
        let view = app.json("/api/v1/reviews", 200).await;
        let issue = view["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["subject_ref"] == "gitlab-com/support/support-ops/zendesk#102")
            .cloned()
            .unwrap();
        let covered = issue["covered"].as_array().unwrap();
        if covered.len() == 2 {
            assert_eq!(view["open"], 3, "no second issue for the same subject");
            assert_eq!(covered[1]["in_note"], true);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the response was not added to the open review issue");
}

#[tokio::test]
async fn the_subject_filter_normalises_links_and_accepts_references() {
    let app = TestApp::spawn().await;
    let total = |doc: serde_json::Value| doc["total"].as_u64().unwrap();
    // The fixture has two responses about zendesk issue 101, written two ways.
    for wanted in [
        "https://gitlab.com/gitlab-com/support/support-ops/zendesk/issues/101#note_5",
        "https://GITLAB.com/gitlab-com/support/support-ops/zendesk/-/issues/101/",
        "gitlab-com/support/support-ops/zendesk#101",
        "zendesk#101",
        "zendesk/issues/101",
        "zendesk/-/issues/101",
    ] {
        let path = format!("/api/v1/responses?subject={}", urlencode(wanted));
        assert_eq!(total(app.json(&path, 200).await), 2, "{wanted}");
    }
    // A merge request by its reference, and an issue number that is not 101.
    let mr = app.json("/api/v1/responses?subject=zendesk%217", 200).await;
    assert_eq!(total(mr), 1);
    let other = app
        .json("/api/v1/responses?subject=zendesk%2310", 200)
        .await;
    assert_eq!(total(other), 0);
}

/// Percent-encodes a query value.
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn reviews_are_paged_and_filtered_with_a_next_link_until_the_last_page() {
    let app = TestApp::spawn().await;
    let all = app.json("/api/v1/reviews", 200).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 2, "{all}");
    assert!(all["next"].is_null(), "one page holds them all: {all}");

    let first = app.json("/api/v1/reviews?per_page=1", 200).await;
    assert_eq!(first["reviews"].as_array().unwrap().len(), 1);
    assert_eq!(first["pages"], total);
    let next = first["next"].as_str().unwrap().to_owned();
    assert_eq!(next, "/api/v1/reviews?per_page=1&page=2");
    let second = app.json(&next, 200).await;
    assert_eq!(second["page"], 2);
    assert_eq!(second["reviews"][0], all["reviews"][1]);
    assert_ne!(second["reviews"][0]["iid"], first["reviews"][0]["iid"]);

    let last = app
        .json(&format!("/api/v1/reviews?per_page=1&page={total}"), 200)
        .await;
    assert!(last["next"].is_null(), "{last}");
    assert_eq!(last["reviews"][0], all["reviews"][total as usize - 1]);

    // A filter narrows: one subject, and no closed review in the fixture.
    let subject = all["reviews"][0]["subject"].as_str().unwrap().to_owned();
    let one = app
        .json(&format!("/api/v1/reviews?q={}", urlencode(&subject)), 200)
        .await;
    assert_eq!(one["total"], 1);
    assert_eq!(one["reviews"][0]["subject"], subject.as_str());
    let closed = app.json("/api/v1/reviews?state=closed", 200).await;
    assert_eq!(closed["total"], 0);
    assert_eq!(closed["reviews"].as_array().unwrap().len(), 0);
    let bad = app.get("/api/v1/reviews?state=shut").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn responses_pages_follow_each_other_and_the_last_has_no_next_link() {
    let app = TestApp::spawn().await;
    let all = app.json("/api/v1/responses?per_page=500", 200).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total > 4, "{all}");
    let page = |n: u64| format!("/api/v1/responses?per_page=2&page={n}");
    let first = app.json(&page(1), 200).await;
    assert_eq!(first["next"], "/api/v1/responses?per_page=2&page=2");
    let second = app.json(&page(2), 200).await;
    assert_eq!(second["responses"][0], all["responses"][2]);
    assert_eq!(second["responses"][1], all["responses"][3]);
    let last = app.json(&page(total.div_ceil(2)), 200).await;
    assert!(last["next"].is_null(), "{last}");

    // Oldest first is the newest-first list reversed where times differ.
    let oldest = app
        .json("/api/v1/responses?per_page=500&sort=oldest", 200)
        .await;
    let times = |doc: &serde_json::Value| -> Vec<String> {
        doc["responses"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["submitted_at"].as_str().map(str::to_owned))
            .collect()
    };
    let mut newest = times(&all);
    newest.reverse();
    assert_eq!(times(&oldest), newest);
    let red = app
        .json("/api/v1/responses?band=red&per_page=500", 200)
        .await;
    assert!(red["total"].as_u64().unwrap() < total);
    assert!(
        red["responses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["band"]["band"] == "red")
    );
}

#[tokio::test]
async fn an_issue_closed_in_the_tracker_counts_as_closed_once_states_are_refreshed() {
    use supportops_ports::{IssueState, Tracker as _};
    let app = TestApp::spawn().await;
    let first = app.json("/api/v1/reviews?per_page=1", 200).await;
    let iid = first["reviews"][0]["iid"].as_u64().unwrap();
    let project = first["reviews"][0]["project"].as_str().unwrap().to_owned();
    // Closed in the tracker behind the service's back (as while it was down).
    let tracker = supportops_store::LocalTracker::new(app.store.as_ref().clone());
    tracker
        .set_state(&project, iid, IssueState::Closed)
        .await
        .unwrap();
    assert_eq!(
        app.json("/api/v1/reviews?state=closed", 200).await["total"],
        0
    );
    let read = supportops_app::pages::reviews::refresh_states(app.store.as_ref(), &tracker)
        .await
        .unwrap();
    assert_eq!(
        read as u64,
        app.json("/api/v1/reviews", 200).await["total"]
            .as_u64()
            .unwrap()
    );
    let closed = app.json("/api/v1/reviews?state=closed", 200).await;
    assert_eq!(closed["total"], 1, "{closed}");
    assert_eq!(closed["reviews"][0]["iid"], iid);
}
