//! Acting on the syncs from the dashboard and the API: move, restore and cancel one weekly or
//! monthly meeting, record a monthly sync as held with the items not discussed, file its
//! agenda; errors next to the field; CSRF; viewers refused. The calendar feed for calendar
//! apps (an API token in its address), and the review page's action-plan field.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::browser::Browser;
use common::{Options, TestApp};
use supportops_ports::Tracker as _;
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::Role;

const REVIEWS: &str = "gitlab-com/support/support-ops/feedback-review";

async fn app() -> TestApp {
    TestApp::spawn_with(Options {
        file_reviews: false,
        ..Options::default()
    })
    .await
}

/// A server that signs people in with a fake GitLab, where `vera` is a viewer.
async fn signed_in_app() -> (TestApp, supportops_test_support::gitlab::FakeGitLab) {
    use supportops_server::{AuthKind, AuthSetup, GitLabSignIn};
    use supportops_test_support::gitlab::FakeGitLab;
    let gitlab = FakeGitLab::start().await;
    gitlab.add_group("support", &["vera"]);
    let app = TestApp::spawn_with(Options {
        auth: AuthSetup {
            kind: AuthKind::GitLab(GitLabSignIn {
                url: gitlab.base_url().to_owned(),
                client_id: "id".into(),
                client_secret: "secret".to_owned().into(),
                editors_group: None,
                viewers_group: Some("support".into()),
                team: vec!["alice".into()],
            }),
            ..AuthSetup::default()
        },
        file_reviews: false,
        ..Options::default()
    })
    .await;
    gitlab.add_oauth_app("id", "secret", &format!("{}/auth/callback", app.base));
    (app, gitlab)
}

fn meeting<'a>(syncs: &'a serde_json::Value, kind: &str, date: &str) -> &'a serde_json::Value {
    syncs["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == kind && m["date"] == date)
        .unwrap_or_else(|| panic!("no {kind} meeting of {date} in {syncs}"))
}

fn actions(item: &serde_json::Value) -> Vec<String> {
    item["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_editor_moves_restores_and_cancels_weekly_syncs_from_the_page() {
    let app = app().await;
    let browser = Browser::default();
    let list = browser.get(&format!("{}/syncs", app.base)).await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("href=\"/syncs/weekly/2026-12-01\""),
        "the list links to each meeting"
    );
    assert!(list.body.contains("data-act>Move or cancel"));
    let page = browser
        .get(&format!("{}/syncs/weekly/2026-12-01", app.base))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Tue 2026-12-01 14:30 UTC"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let moved = browser
        .post(
            &format!("{}/syncs/weekly/2026-12-01/move", app.base),
            &[
                ("csrf", csrf.as_str()),
                ("to_date", "2026-12-02"),
                ("to_time", "16:00"),
                ("zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(moved.status, 200);
    assert!(
        moved.trail[1].ends_with("/syncs/weekly/2026-12-01#activity"),
        "{:?}",
        moved.trail
    );
    assert!(
        moved
            .body
            .contains("<strong>local</strong> moved it: <span class=\"muted\">to Wed 2026-12-02 15:00 UTC (Wed 2026-12-02 16:00 CET as typed)"),
        "16:00 in Berlin is 15:00 UTC, shown in the schedule's zone: {}",
        moved.body
    );
    // The JSON API shows it moved, in the list and on the item.
    let syncs = app.json("/api/v1/syncs", 200).await;
    let m = meeting(&syncs, "weekly", "2026-12-01");
    assert_eq!(m["status"], "moved");
    assert_eq!(m["start_utc"], "2026-12-02T15:00:00Z");
    let item = app.json("/api/v1/syncs/weekly/2026-12-01", 200).await;
    assert_eq!(item["status"], "moved");
    assert_eq!(item["activity"][0]["actor"], "local");
    // The calendar has the moved instance.
    let ics = app.text("/calendar.ics", 200).await;
    assert!(ics.contains("RECURRENCE-ID"), "{ics}");

    // Cancel the next one, then restore it.
    let next = browser
        .post(
            &format!("{}/syncs/weekly/2026-12-08/cancel", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(next.status, 200);
    assert!(next.body.contains("data-status>cancelled"), "{}", next.body);
    let syncs = app.json("/api/v1/syncs", 200).await;
    assert_eq!(
        meeting(&syncs, "weekly", "2026-12-08")["status"],
        "cancelled"
    );
    assert!(app.text("/calendar.ics", 200).await.contains("EXDATE"));
    let restored = browser
        .post(
            &format!("{}/syncs/weekly/2026-12-08/restore", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(restored.status, 200);
    let item = app.json("/api/v1/syncs/weekly/2026-12-08", 200).await;
    assert_eq!(item["status"], "scheduled");
    assert_eq!(
        actions(&item),
        ["cancelled it", "restored it to its scheduled time"]
    );
    // A day the weekly sync does not meet is no page.
    let r = app.get("/syncs/weekly/2026-12-03").await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.get("/api/v1/syncs/weekly/2026-12-03").await.status(),
        404
    );
}

#[tokio::test]
async fn a_bad_move_is_refused_next_to_the_field_with_what_was_typed_and_nothing_is_written() {
    let app = app().await;
    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/syncs/weekly/2026-12-01", app.base))
        .await;
    let csrf = page.csrf();
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let browser = &browser;
        let url = format!("{}/syncs/weekly/2026-12-01/move", app.base);
        let csrf = csrf.clone();
        async move {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields);
            browser.post(&url, &form).await
        }
    };
    let bad_date = post(vec![("to_date", "next tuesday"), ("to_time", "15:00")]).await;
    assert_eq!(bad_date.status, 422);
    assert!(
        bad_date
            .body
            .contains("id=\"to_date-error\" role=\"alert\">`next tuesday` is not a date"),
        "{}",
        bad_date.body
    );
    assert!(
        bad_date.body.contains("value=\"next tuesday\""),
        "typed text kept"
    );
    let bad_time = post(vec![("to_date", "2026-12-02"), ("to_time", "25:00")]).await;
    assert_eq!(bad_time.status, 422);
    assert!(
        bad_time.body.contains("id=\"to_time-error\""),
        "{}",
        bad_time.body
    );
    assert!(bad_time.body.contains("value=\"25:00\""));
    let bad_zone = post(vec![
        ("to_date", "2026-12-02"),
        ("to_time", "15:00"),
        ("zone", "Mars/Olympus"),
    ])
    .await;
    assert_eq!(bad_zone.status, 422);
    assert!(
        bad_zone
            .body
            .contains("id=\"zone-error\" role=\"alert\">unknown time zone `Mars/Olympus`"),
        "{}",
        bad_zone.body
    );
    let item = app.json("/api/v1/syncs/weekly/2026-12-01", 200).await;
    assert_eq!(item["status"], "scheduled");
    assert_eq!(item["activity"], serde_json::json!([]));
    // Unknown actions, and held/agenda on a weekly sync, are no routes.
    let r = post(vec![]).await;
    assert_eq!(r.status, 422, "a move without a date is refused");
    let held = browser
        .post(
            &format!("{}/syncs/weekly/2026-12-01/held", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(held.status, 404);
}

#[tokio::test]
async fn a_move_outside_working_hours_needs_the_box_ticked() {
    let app = TestApp::spawn_with(Options {
        file_reviews: false,
        ..common::with_team()
    })
    .await;
    let syncs = app.json("/api/v1/syncs", 200).await;
    let date = syncs["next_weekly"]["date"].as_str().unwrap().to_owned();
    let browser = Browser::default();
    let url = format!("{}/syncs/weekly/{date}", app.base);
    let page = browser.get(&url).await;
    let csrf = page.csrf();
    let form = |force: bool| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("to_date", date.clone()),
            ("to_time", "03:00".to_owned()),
            ("zone", "UTC".to_owned()),
        ];
        if force {
            f.push(("force", "on".to_owned()));
        }
        f
    };
    let refused = browser
        .post(
            &format!("{url}/move"),
            &form(false)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"to_time-error\"")
            && refused.body.contains("outside the working hours of")
            && refused
                .body
                .contains("tick &#34;even outside working hours&#34; to keep this one"),
        "{}",
        refused.body
    );
    let forced = browser
        .post(
            &format!("{url}/move"),
            &form(true)
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(forced.status, 200);
    let item = app.json(&format!("/api/v1/syncs/weekly/{date}"), 200).await;
    assert_eq!(item["status"], "moved");
    assert!(
        item["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["fit"] == "outside"),
        "{item}"
    );
}

#[tokio::test]
async fn the_monthly_loop_runs_from_the_browser_agenda_filed_meeting_held_items_carried() {
    let app = app().await;
    let browser = Browser::default();
    let list = browser.get(&format!("{}/syncs", app.base)).await;
    assert!(
        list.body.contains("not recorded as held"),
        "the last monthly sync waits to be recorded"
    );
    assert!(
        list.body
            .contains("action=\"/syncs/monthly/2026-12-01/agenda\"")
    );
    let csrf = list.csrf();
    // File the next meeting's agenda from the Syncs page, twice: one issue.
    let filed = browser
        .post(
            &format!("{}/syncs/monthly/2026-12-01/agenda", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(filed.status, 200);
    assert!(filed.trail[1].ends_with("/syncs/monthly/2026-12-01#activity"));
    assert!(
        filed
            .body
            .contains("<strong>local</strong> filed the agenda as an issue"),
        "{}",
        filed.body
    );
    let again = browser
        .post(
            &format!("{}/syncs/monthly/2026-12-01/agenda", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("found the agenda already filed"));
    let tracker = supportops_store::LocalTracker::new(app.store.as_ref().clone());
    let agendas = tracker
        .list_issues(
            REVIEWS,
            &supportops_ports::IssueQuery {
                labels: vec!["Monthly Sync".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(agendas.len(), 1, "{agendas:?}");
    assert!(agendas[0].title.contains("agenda for 2026-12-01"));

    // A meeting still to come cannot be recorded as held.
    let future = browser
        .post(
            &format!("{}/syncs/monthly/2026-12-01/held", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(future.status, 422);
    assert!(
        future.body.contains("that date is still to come"),
        "{}",
        future.body
    );

    // The last one: tick the items not discussed.
    let page = browser
        .get(&format!("{}/syncs/monthly/2026-11-03", app.base))
        .await;
    assert_eq!(page.status, 200);
    let items: Vec<String> = page
        .body
        .match_indices("name=\"not_discussed\" value=\"")
        .map(|(at, m)| {
            let rest = &page.body[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    assert!(
        items.len() >= 2,
        "the agenda has items to tick: {}",
        page.body
    );
    let unknown = browser
        .post(
            &format!("{}/syncs/monthly/2026-11-03/held", app.base),
            &[("csrf", csrf.as_str()), ("not_discussed", "9999")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(
        unknown.body.contains("#9999 were not on the agenda"),
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("Not recorded as held"));
    let held = browser
        .post(
            &format!("{}/syncs/monthly/2026-11-03/held", app.base),
            &[
                ("csrf", csrf.as_str()),
                ("not_discussed", items[0].as_str()),
            ],
        )
        .await;
    assert_eq!(held.status, 200);
    assert!(
        held.body.contains(&format!(
            "recorded it as held: <span class=\"muted\">{} of {} agenda items discussed; carried forward: #{}",
            items.len() - 1,
            items.len(),
            items[0]
        )),
        "{}",
        held.body
    );
    let item = app.json("/api/v1/syncs/monthly/2026-11-03", 200).await;
    let not_discussed: Vec<String> = item["held"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["discussed"] == false)
        .map(|i| i["iid"].to_string())
        .collect();
    assert_eq!(not_discussed, [items[0].clone()]);
    let syncs = app.json("/api/v1/syncs", 200).await;
    assert_eq!(syncs["last_monthly"]["date"], "2026-11-03");
    assert_eq!(syncs["last_monthly"]["held"]["date"], "2026-11-03");
    // The next agenda counts from the meeting held, and carries the item forward.
    assert_eq!(syncs["agenda"]["since"]["kind"], "held");
    let carried = syncs["agenda"]["new_issues"]
        .as_array()
        .unwrap()
        .iter()
        .chain(syncs["agenda"]["past_issues"].as_array().unwrap())
        .find(|i| i["iid"].as_u64().map(|n| n.to_string()).as_deref() == Some(items[0].as_str()))
        .unwrap();
    assert_eq!(carried["carried_forward_from"], "2026-11-03");

    // Moving and cancelling a monthly sync.
    let moved = app
        .client
        .post(format!("{}/api/v1/syncs/monthly/2027-01-05/move", app.base))
        .bearer_auth(editor_token(&app).await)
        .json(&serde_json::json!({"to_date": "2027-01-06", "to_time": "15:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let body: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(body["status"], "moved");
    assert_eq!(body["start_utc"], "2027-01-06T15:00:00Z");
    assert_eq!(body["activity"][0]["actor"], "token:bot");
    let cancelled = browser
        .post(
            &format!("{}/syncs/monthly/2027-01-05/cancel", app.base),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(cancelled.status, 200);
    assert!(cancelled.body.contains("A cancelled meeting has no agenda"));
    let item = app.json("/api/v1/syncs/monthly/2027-01-05", 200).await;
    assert_eq!(item["status"], "cancelled");
    assert_eq!(actions(&item), ["moved it", "cancelled it"]);
}

async fn editor_token(app: &TestApp) -> String {
    let (token, record) =
        supportops_server::new_api_token("bot", Role::Editor, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    token
}

#[tokio::test]
async fn the_api_acts_with_an_editor_token_and_says_which_field_is_wrong() {
    let app = app().await;
    let token = editor_token(&app).await;
    let call = |path: &str, body: serde_json::Value| {
        let req = app
            .client
            .post(format!("{}/api/v1/syncs/{path}", app.base))
            .bearer_auth(&token)
            .json(&body);
        async move { req.send().await.unwrap() }
    };
    let r = call(
        "weekly/2026-12-01/move",
        serde_json::json!({"to_date": "2026-12-01", "to_time": "9am"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("`to_time`:"),
        "{e}"
    );
    let r = call("weekly/2026-12-01/cancel", serde_json::json!({})).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "cancelled");
    let r = call("monthly/2026-12-01/agenda", serde_json::json!({})).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["filed"]["created"], true);
    assert!(body["filed"]["iid"].as_u64().unwrap() > 0);
    let r = call(
        "monthly/2026-11-03/held",
        serde_json::json!({"not_discussed": []}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["held"]["date"], "2026-11-03");
    let r = call("weekly/2026-12-01/explode", serde_json::json!({})).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn viewers_see_no_forms_and_every_action_is_refused() {
    let (app, gitlab) = signed_in_app().await;
    // Not signed in: pages send to sign-in, the API answers 401.
    let r = app.get("/syncs/weekly/2026-12-01").await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/auth/sign-in")
    );
    assert_eq!(
        app.get("/api/v1/syncs/weekly/2026-12-01").await.status(),
        401
    );

    gitlab.sign_in_as(Some("vera"));
    let browser = Browser::default();
    let list = browser.get(&format!("{}/syncs", app.base)).await;
    assert_eq!(list.status, 200);
    assert!(
        !list.body.contains("data-act"),
        "no action links for a viewer"
    );
    assert!(
        !list.body.contains("/agenda\""),
        "no agenda form for a viewer"
    );
    let page = browser
        .get(&format!("{}/syncs/weekly/2026-12-01", app.base))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/move\""));
    assert!(page.body.contains("Signed in as a viewer"));
    let csrf = page.csrf();
    for path in [
        "weekly/2026-12-01/move",
        "weekly/2026-12-01/cancel",
        "weekly/2026-12-01/restore",
        "monthly/2026-11-03/held",
        "monthly/2026-12-01/agenda",
    ] {
        let r = browser
            .post(
                &format!("{}/syncs/{path}", app.base),
                &[
                    ("csrf", csrf.as_str()),
                    ("to_date", "2026-12-02"),
                    ("to_time", "15:00"),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "{path}");
        assert!(r.body.contains("a viewer: acting needs the editor role"));
    }
    let (viewer, record) =
        supportops_server::new_api_token("reader", Role::Viewer, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let r = app
        .client
        .post(format!(
            "{}/api/v1/syncs/weekly/2026-12-01/cancel",
            app.base
        ))
        .bearer_auth(&viewer)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let item = app
        .client
        .get(format!("{}/api/v1/syncs/weekly/2026-12-01", app.base))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(item.status(), 200);
    let item: serde_json::Value = item.json().await.unwrap();
    assert_eq!(item["status"], "scheduled");
    assert_eq!(item["activity"], serde_json::json!([]));
}

#[tokio::test]
async fn a_post_without_the_session_csrf_token_changes_nothing() {
    let app = app().await;
    let browser = Browser::default();
    let _ = browser.get(&format!("{}/syncs", app.base)).await;
    for form in [vec![("csrf", "0000")], vec![]] {
        let r = browser
            .post(
                &format!("{}/syncs/weekly/2026-12-01/cancel", app.base),
                &form,
            )
            .await;
        assert_eq!(r.status, 403);
    }
    let item = app.json("/api/v1/syncs/weekly/2026-12-01", 200).await;
    assert_eq!(item["status"], "scheduled");
}

#[tokio::test]
async fn calendar_apps_subscribe_with_a_token_in_the_address() {
    let (app, gitlab) = signed_in_app().await;
    // No token, no session: as before, sign in first.
    let r = app.get("/calendar.ics").await;
    assert_eq!(r.status(), 303);
    let (token, record) =
        supportops_server::new_api_token("calendar", Role::Viewer, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let r = app.get(&format!("/calendar.ics?token={token}")).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(r.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    // A wrong token is refused; the token in the address opens nothing else.
    let r = app.get("/calendar.ics?token=sot_0123").await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        app.get(&format!("/api/v1/syncs?token={token}"))
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get(&format!("/syncs?token={token}")).await.status(),
        303
    );
    // Revoked: refused.
    assert!(
        app.store
            .revoke_token("calendar", common::now())
            .await
            .unwrap()
    );
    let r = app.get(&format!("/calendar.ics?token={token}")).await;
    assert_eq!(r.status(), 401);
    // A signed-in browser still gets it with its session, and the page says how to subscribe.
    gitlab.sign_in_as(Some("vera"));
    let browser = Browser::default();
    let feed = browser.get(&format!("{}/calendar.ics", app.base)).await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.starts_with("BEGIN:VCALENDAR"));
    let page = browser.get(&format!("{}/syncs", app.base)).await;
    assert!(
        page.body.contains(&format!(
            "data-subscribe>{}/calendar.ics?token=TOKEN",
            app.base
        )),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("supportops tokens create calendar --role viewer")
    );
}

#[tokio::test]
async fn the_action_plan_field_shows_the_plan_and_the_template_hint_as_a_placeholder() {
    let app = app().await;
    let tracker = supportops_store::LocalTracker::new(app.store.as_ref().clone());
    let issue = tracker.issue(REVIEWS, 1).await.unwrap();
    assert!(issue.description.contains("<!-- What will Support Ops"));
    // A plan typed into the issue above the template's hint, as a person editing it does.
    let edited = supportops_app::sync::demo::with_action_plan(&issue.description, "Fix the macro.");
    tracker.edit_description(REVIEWS, 1, &edited).await.unwrap();
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    let textarea = |body: &str| {
        let at = body.find("<textarea id=\"plan\"").unwrap();
        body[at..at + body[at..].find("</textarea>").unwrap()].to_owned()
    };
    let plan = textarea(&page.body);
    assert!(plan.ends_with(">Fix the macro."), "{plan}");
    assert!(!plan.contains("&lt;!--"), "no raw comment: {plan}");
    assert!(
        plan.contains("placeholder=\"What will Support Ops change so this does not happen again?"),
        "{plan}"
    );
    let json = app.json("/api/v1/reviews/1", 200).await;
    assert_eq!(json["action_plan"], "Fix the macro.");
    // An issue without a plan: an empty field, the hint as its placeholder.
    let page = browser.get(&format!("{}/reviews/2", app.base)).await;
    let plan = textarea(&page.body);
    assert!(plan.ends_with('>'), "empty: {plan}");
    assert!(
        plan.contains("placeholder=\"What will Support Ops"),
        "{plan}"
    );
}

/// Files a review issue for each of `n` more flagged subjects, as a `review` run today would.
async fn file_many(app: &TestApp, n: u64) {
    use std::sync::Arc;

    use supportops_domain::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
    use supportops_formula::Value;

    let rows: Vec<ScoredResponse> = (1..=n)
        .map(|i| {
            let subject = format!(
                "https://gitlab.com/gitlab-com/support/zendesk/-/issues/{}",
                1000 + i
            );
            let timestamp = format!("11/26/2026 9:{:02}:00", i % 60);
            ScoredResponse {
                response: Response {
                    row: 100 + i,
                    key: ResponseKey::derive(&timestamp, &subject, "busy"),
                    submitted_at: None,
                    timestamp: timestamp.clone(),
                    subject_raw: subject.clone(),
                    subject: SubjectUrl::parse(&subject),
                    submitter: None,
                    cells: vec![timestamp, subject],
                },
                score: Value::Number(-1.0),
                band: Band::Red,
                stored_score: None,
            }
        })
        .collect();
    let store = app.store.as_ref();
    let tracker =
        supportops_store::LocalTracker::new(store.clone()).with_clock(Arc::new(common::now));
    let clock = supportops_server::Clock::fixed(common::now());
    supportops_app::review::review(
        store,
        &tracker,
        &rows,
        &common::review_options(&supportops_config::Config::default()),
        &supportops_app::review::LockOptions::new(
            "a busy month",
            Arc::new(supportops_server::TokioPace(clock)),
        ),
        common::now(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_busy_month_lists_fifty_issues_of_each_part_and_counts_the_rest() {
    let app = app().await;
    // The fixture's three review issues, and seventy more: all new since the last sync.
    file_many(&app, 70).await;
    let syncs = app.json("/api/v1/syncs", 200).await;
    let agenda = &syncs["agenda"];
    assert_eq!(agenda["new_issues"].as_array().unwrap().len(), 50);
    assert_eq!(agenda["limit"], 50);
    assert_eq!(agenda["totals"]["new_issues"], 73);
    assert_eq!(agenda["totals"]["past_issues"], 0);
    assert_eq!(agenda["more_url"], "/reviews?state=opened");
    // Each issue's responses, counted from the store.
    assert_eq!(agenda["new_issues"][49]["bands"]["red"], 1);
    assert_eq!(agenda["new_issues"][49]["responses"], 1);
    assert!(
        syncs["agenda_markdown"].as_str().unwrap().contains(
            "_23 more new issues are not listed here (this list shows the first 50 by number): \
             see the Reviews page of supportops (`/reviews?state=opened`)._"
        ),
        "{}",
        syncs["agenda_markdown"]
    );

    let html = app.text("/syncs", 200).await;
    assert!(
        html.contains("<span data-kpi=\"agenda_new\">73</span>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"muted small\" data-more=\"new\">The first 50 by number; \
             <a href=\"/reviews?state=opened\">23 more on the Reviews page</a>.</p>"
        ),
        "{html}"
    );
    let meeting = app.text("/syncs/monthly/2026-12-01", 200).await;
    assert!(
        meeting.contains(
            "The agenda has 73 new and 0 past review issues and lists the first 50 of each"
        ),
        "{meeting}"
    );
}
