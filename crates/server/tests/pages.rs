//! The dashboard pages, health and assets, over a real server on loopback.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::TestApp;

#[tokio::test]
async fn healthz_says_ok_with_the_tracker() {
    let app = TestApp::spawn().await;
    let body = app.json("/healthz", 200).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"], "ok");
    assert_eq!(body["tracker"], "local tracker");
}

#[tokio::test]
async fn assets_are_served_from_the_binary_with_types() {
    let app = TestApp::spawn().await;
    let css = app.get("/assets/app.css").await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("--green"));
    let js = app.get("/assets/app.js").await;
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn every_page_loads_nothing_from_elsewhere() {
    let app = TestApp::spawn().await;
    for path in ["/", "/responses", "/reviews", "/shadowing", "/syncs"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        let html = r.text().await.unwrap();
        assert!(
            !html.contains("http://cdn") && !html.contains("<script src=\"http"),
            "{path}"
        );
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/assets/app.css\">"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_naming_the_path() {
    let app = TestApp::spawn().await;
    let html = app.text("/nope", 404).await;
    assert!(html.contains("no page at `/nope`"), "{html}");
}

#[tokio::test]
async fn hostile_cells_are_escaped_on_the_responses_page() {
    let app = TestApp::spawn().await;
    let html = app.text("/responses?q=owned", 200).await;
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(&#39;owned&#39;)&#60;/script&#62;"),
        "{html}"
    );
}

#[tokio::test]
async fn responses_page_filters_by_band_and_explains_each_score() {
    let app = TestApp::spawn().await;
    let html = app.text("/responses?band=red", 200).await;
    assert!(html.contains("<span data-kpi=\"total\">2</span>"), "{html}");
    assert!(html.contains("zendesk#103"), "{html}");
    assert!(!html.contains("zendesk!7"), "{html}");
    // The rating term of the handbook formula, with its value for a rating of 1.
    assert!(
        html.contains("IF(F2 &#62;= 4, 1, IF(F2 &#60;= 1, -1, 0))"),
        "{html}"
    );
}

#[tokio::test]
async fn a_bad_filter_is_a_400_page_saying_what_is_expected() {
    let app = TestApp::spawn().await;
    let html = app.text("/responses?band=purple", 400).await;
    assert!(
        html.contains("query parameter `band`: `purple` is not one of green, yellow, red, error"),
        "{html}"
    );
}

#[tokio::test]
async fn syncs_page_lists_meetings_with_local_times_and_the_agenda() {
    let app = TestApp::spawn().await;
    let html = app.text("/syncs", 200).await;
    assert!(html.contains("Tue 01 Dec 2026"), "{html}");
    assert!(html.contains("14:30–15:00 UTC"), "{html}");
    assert!(
        html.contains("<span data-kpi=\"agenda_new\">3</span>"),
        "{html}"
    );
    assert!(html.contains("href=\"/calendar.ics\""), "{html}");
}

#[tokio::test]
async fn reviews_page_shows_open_issues_with_their_bands() {
    let app = TestApp::spawn().await;
    let html = app.text("/reviews", 200).await;
    assert!(
        html.contains("<span data-kpi=\"open_reviews\">3</span>"),
        "{html}"
    );
    assert!(html.contains("zendesk#103"), "{html}");
    assert!(
        html.contains("<span class=\"band band-red\">1 Bad</span>"),
        "{html}"
    );
    // Local issues have no web page: their links stay on the dashboard.
    assert!(html.contains("href=\"/reviews/1\""), "{html}");
}

#[tokio::test]
async fn when_the_tracker_is_down_the_overview_still_shows_and_reviews_say_why() {
    let app = TestApp::spawn_with(common::Options {
        tracker_down: true,
        ..common::Options::default()
    })
    .await;
    let html = app.text("/", 200).await;
    assert!(html.contains("the tracker could not be reached"), "{html}");
    assert!(html.contains("data-kpi=\"responses\">6<"), "{html}");
    let html = app.text("/reviews", 502).await;
    assert!(html.contains("the tracker could not be reached"), "{html}");
    let body = app.json("/api/v1/reviews", 502).await;
    assert_eq!(body["error"]["code"], "tracker_unavailable");
    // Responses are still accepted and stored; they are filed once the tracker is back.
    let response = serde_json::json!({
        "A": "2026-11-26T10:00:00Z",
        "B": "https://gitlab.com/a/b/-/issues/5",
        "F": 1,
    });
    let r = app
        .post_feedback(response.to_string(), Some(common::TOKEN))
        .await;
    assert_eq!(r.status(), 202);
}

/// The first `<tbody>` of a page, one row per line, for snapshots.
fn table_body(html: &str) -> String {
    let start = html.find("<tbody>").expect("a table");
    // The last `</tbody>`: issue texts may hold tables of their own.
    let end = html.rfind("</tbody>").expect("a closed table");
    html[start + "<tbody>".len()..end].trim().to_owned()
}

#[tokio::test]
async fn responses_table_snapshot() {
    let app = TestApp::spawn().await;
    let html = app.text("/responses?band=red", 200).await;
    insta::assert_snapshot!("responses_red_table", table_body(&html));
}

#[tokio::test]
async fn reviews_table_snapshot() {
    let app = TestApp::spawn().await;
    let html = app.text("/reviews", 200).await;
    insta::assert_snapshot!("reviews_table", table_body(&html));
}

#[tokio::test]
async fn a_fresh_store_shows_every_page() {
    let app = TestApp::spawn_with(common::Options {
        seed: false,
        ..common::Options::default()
    })
    .await;
    for path in ["/", "/responses", "/reviews", "/shadowing", "/syncs"] {
        app.text(path, 200).await;
    }
    let html = app.text("/responses", 200).await;
    assert!(html.contains("No response matches this filter."), "{html}");
    let html = app.text("/reviews", 200).await;
    assert!(html.contains("No review issue yet"), "{html}");
}

#[tokio::test]
async fn a_subject_that_is_not_a_web_link_is_never_made_a_link() {
    let app = TestApp::spawn().await;
    let body = serde_json::json!({
        "A": "2026-11-26T10:00:00Z",
        "B": "javascript:alert(document.cookie)",
        "F": 5,
    });
    let r = app
        .post_feedback(body.to_string(), Some(common::TOKEN))
        .await;
    assert_eq!(r.status(), 202);
    let html = app.text("/responses?subject=javascript", 200).await;
    assert!(html.contains("<span data-kpi=\"total\">1</span>"), "{html}");
    assert!(!html.contains("href=\"javascript:"), "{html}");
}

#[tokio::test]
async fn two_open_reviews_of_one_subject_are_flagged_on_the_reviews_page() {
    use supportops_ports::store::ReviewStore as _;
    use supportops_ports::{IssueState, Tracker as _};
    let app = TestApp::spawn().await;
    let project = supportops_config::Config::default().review.project;
    let subject = "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/102";
    let reviews = app.json("/api/v1/reviews", 200).await;
    assert_eq!(reviews["duplicates"], serde_json::json!([]));
    let first = reviews["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject"] == subject)
        .unwrap()["iid"]
        .as_u64()
        .unwrap();
    let tracker = supportops_store::LocalTracker::new((*app.store).clone());
    tracker
        .set_state(&project, first, IssueState::Closed)
        .await
        .unwrap();
    // A later Red response opens a new review, which links the closed one.
    let body = serde_json::json!({"A": "2026-11-26T10:00:00Z", "B": subject, "F": 1});
    let r = app
        .post_feedback(body.to_string(), Some(common::TOKEN))
        .await;
    assert_eq!(r.status(), 202);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.store.review_issues().await.unwrap().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the review was not filed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Then someone reopens the first one.
    tracker
        .set_state(&project, first, IssueState::Opened)
        .await
        .unwrap();
    let reviews = app.json("/api/v1/reviews", 200).await;
    assert_eq!(
        reviews["duplicates"][0]["iids"],
        serde_json::json!([first, 4])
    );
    let html = app.text("/reviews", 200).await;
    assert!(
        html.contains(
            "<strong>2 open review issues for gitlab-com/support/support-ops/zendesk#102:</strong>"
        ),
        "{html}"
    );
    assert!(html.contains(&format!("also open: #{first}")), "{html}");
    assert!(html.contains("also open: #4"), "{html}");
}

#[tokio::test]
async fn why_shows_the_cells_the_formula_reads_so_an_error_names_its_cause() {
    let app = TestApp::spawn().await;
    // REGEXMATCH needs text: a number in the values-shown column makes the score #VALUE!.
    let body = serde_json::json!({
        "A": "2026-11-26T10:00:00Z",
        "B": "https://gitlab.com/a/b/-/issues/5",
        "D": "1",
        "F": 5,
    });
    let r = app
        .post_feedback(body.to_string(), Some(common::TOKEN))
        .await;
    assert_eq!(r.status(), 202);
    let page = app.json("/api/v1/responses?band=error", 200).await;
    let row = &page["responses"][0];
    assert_eq!(row["error"], "#VALUE!");
    let d2 = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell"] == "D2")
        .unwrap();
    assert_eq!(d2["value"], "1");
    assert_eq!(d2["header"], "Values shown");
    let f2 = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["cell"] == "F2")
        .unwrap();
    assert_eq!(f2["value"], "5");
    let html = app.text("/responses?band=error", 200).await;
    assert!(html.contains("<th>Values</th>"), "{html}");
    assert!(
        html.contains("<li><code>D2</code> <span class=\"muted small\">Values shown</span><span class=\"term-value\" title=\"as written: 1\">= 1</span></li>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_review_page_renders_the_issue_markdown_sanitised() {
    let app = TestApp::spawn().await;
    let iid = app.json("/api/v1/reviews", 200).await["reviews"][0]["iid"].clone();
    let html = app.text(&format!("/reviews/{iid}"), 200).await;
    let start = html
        .find("<div class=\"markdown\">")
        .expect("the issue text");
    let text = &html[start..start + html[start..].find("</div>").unwrap()];
    // The generated section is Markdown: a heading and a table, drawn as HTML.
    assert!(text.contains("<table>"), "{text}");
    assert!(!text.contains("| ---"), "{text}");
    // Entities are read once, the hidden marker is not shown, nothing is raw HTML.
    assert!(!text.contains("&amp;amp;"), "{text}");
    assert!(!text.contains("supportops:"), "{text}");
    assert!(!text.contains("<script"), "{text}");
}

#[tokio::test]
async fn the_reviews_page_says_what_it_shows_and_links_the_next_page() {
    let app = TestApp::spawn().await;
    let total = app.json("/api/v1/reviews", 200).await["total"]
        .as_u64()
        .unwrap();
    let html = app.text("/reviews?per_page=1", 200).await;
    assert!(html.contains(&format!("showing 1–1 of {total}")), "{html}");
    assert!(
        html.contains(r#"href="/reviews?per_page=1&#38;page=2" rel="next""#),
        "{html}"
    );
    let last = app
        .text(&format!("/reviews?per_page=1&page={total}"), 200)
        .await;
    assert!(!last.contains(r#"rel="next""#), "{last}");
    assert!(last.contains(r#"rel="prev""#), "{last}");
}
