//! Running the shadowing loop from the dashboard and the API: plan a month with a hand pick
//! and apply it, schedule (shown in both zones), move, mark done with notes, cancel, file an
//! improvement; each recorded with who did it; errors next to the field with nothing written;
//! CSRF, viewers and sign-in enforced.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::browser::Browser;
use common::{Options, TestApp, demo_config, with_team};
use serde_json::{Value, json};
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::Role;
use supportops_ports::{IssueQuery, Tracker as _};

const SHADOWING: &str = "gitlab-com/support/support-ops/support-shadowing";

async fn app() -> TestApp {
    TestApp::spawn_with(Options {
        file_reviews: false,
        ..with_team()
    })
    .await
}

async fn sessions(app: &TestApp, query: &str) -> Vec<Value> {
    let page = app
        .json(
            &format!("/api/v1/shadowing/sessions?per_page=200&{query}"),
            200,
        )
        .await;
    page["sessions"].as_array().unwrap().clone()
}

async fn session(app: &TestApp, id: i64) -> Value {
    app.json(&format!("/api/v1/shadowing/sessions/{id}"), 200)
        .await
}

/// A planned session of the current month (the demo history plans it, not more).
async fn planned(app: &TestApp) -> Value {
    sessions(app, "state=planned&month=2026-11")
        .await
        .first()
        .cloned()
        .expect("the demo history plans the current month")
}

fn actions(item: &Value) -> Vec<String> {
    item["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn shadowing_issues(app: &TestApp) -> usize {
    supportops_store::LocalTracker::new(app.store.as_ref().clone())
        .list_issues(SHADOWING, &IssueQuery::default())
        .await
        .map_or(0, |issues| issues.len())
}

#[tokio::test]
async fn an_editor_plans_next_month_with_a_hand_pick_and_applies_it() {
    let app = app().await;
    let browser = Browser::default();
    let overview = browser.get(&format!("{}/shadowing", app.base)).await;
    assert!(
        overview
            .body
            .contains("<form method=\"post\" action=\"/shadowing/plan\""),
        "an editor may apply next month's plan from the Shadowing page"
    );
    assert!(
        overview
            .body
            .contains("href=\"/shadowing/plan?month=2026-12\"")
    );
    assert!(sessions(&app, "month=2026-12").await.is_empty());

    let preview = browser
        .get(&format!(
            "{}/shadowing/plan?month=2026-12&assign=amara%3DEMEA&assign=",
            app.base
        ))
        .await;
    assert_eq!(preview.status, 200);
    assert!(
        preview
            .body
            .contains("<option value=\"amara=EMEA\" selected>EMEA</option>"),
        "the hand pick stays picked"
    );
    assert!(
        preview
            .body
            .contains("<input type=\"hidden\" name=\"assign\" value=\"amara=EMEA\">"),
        "{}",
        preview.body
    );
    // Previewing writes nothing.
    assert!(sessions(&app, "month=2026-12").await.is_empty());

    let applied = browser
        .post(
            &format!("{}/shadowing/plan", app.base),
            &[
                ("csrf", &preview.csrf()),
                ("month", "2026-12"),
                ("assign", "amara=EMEA"),
            ],
        )
        .await;
    assert_eq!(applied.status, 200);
    assert!(
        applied.trail[1].ends_with("/shadowing/plan?month=2026-12#activity"),
        "{:?}",
        applied.trail
    );
    assert!(
        applied
            .body
            .contains("<strong>local</strong> applied the plan"),
        "{}",
        applied.body
    );
    let december = sessions(&app, "month=2026-12").await;
    assert_eq!(
        december.len(),
        4,
        "one session per member of the team of four"
    );
    let amara = december.iter().find(|s| s["member"] == "amara").unwrap();
    assert_eq!(amara["region"], "EMEA");
    assert_eq!(amara["state"], "planned");
    let item = session(&app, amara["id"].as_i64().unwrap()).await;
    assert_eq!(actions(&item), ["planned it"]);
    assert_eq!(item["activity"][0]["actor"], "local");
    assert_eq!(item["actions"], json!(["schedule", "cancel"]));

    // Applying again plans nothing twice.
    let again = browser
        .post(
            &format!("{}/shadowing/plan", app.base),
            &[("csrf", &preview.csrf()), ("month", "2026-12")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(
        again
            .body
            .contains("id=\"month-error\" role=\"alert\">nothing to plan for 2026-12")
    );
    assert_eq!(sessions(&app, "month=2026-12").await.len(), 4);
    let plan = app.json("/api/v1/shadowing/plan?month=2026-12", 200).await;
    assert_eq!(plan["plan"]["sessions"], json!([]));
    assert_eq!(plan["sessions"].as_array().unwrap().len(), 4);
    assert_eq!(actions(&plan), ["applied the plan"]);
}

#[tokio::test]
async fn a_plan_with_a_bad_month_or_pick_is_refused_next_to_the_field() {
    let app = app().await;
    let browser = Browser::default();
    let page = browser.get(&format!("{}/shadowing/plan", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Shadowing plan for 2026-12"),
        "next month by default"
    );
    let csrf = page.csrf();
    for (form, field, message) in [
        (
            vec![("month", "2026-10")],
            "month-error",
            "2026-10 is over; plan this month or a later one",
        ),
        (
            vec![("month", "December")],
            "month-error",
            "`December` is not a month",
        ),
        (
            vec![("month", "2026-12"), ("assign", "zoe=EMEA")],
            "assign-error",
            "`zoe` is not a team member",
        ),
        (
            vec![("month", "2026-12"), ("assign", "amara=MARS")],
            "assign-error",
            "`MARS` is not a region",
        ),
    ] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form);
        let r = browser
            .post(&format!("{}/shadowing/plan", app.base), &fields)
            .await;
        assert_eq!(r.status, 422, "{message}");
        assert!(
            r.body
                .contains(&format!("id=\"{field}\" role=\"alert\">{message}")),
            "{message}: {}",
            r.body
        );
    }
    assert!(sessions(&app, "month=2026-12").await.is_empty());
}

#[tokio::test]
async fn scheduling_shows_both_zones_files_the_issue_and_asks_the_managers_in_chat() {
    let mut config = demo_config();
    config.notify.chat_webhook_env = Some("SUPPORTOPS_TEST_CHAT_UNSET".into());
    let app = TestApp::spawn_with(Options {
        config,
        file_reviews: false,
        ..with_team()
    })
    .await;
    let s = planned(&app).await;
    let id = s["id"].as_i64().unwrap();
    let member = s["member"].as_str().unwrap().to_owned();
    let region = s["region"].as_str().unwrap().to_owned();
    let team = demo_config();
    let member_zone = team
        .team
        .members
        .iter()
        .find(|m| m.username == member)
        .unwrap()
        .timezone
        .clone();
    let region_cfg = &team.shadowing.regions[&region];
    let issues_before = shadowing_issues(&app).await;

    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("action=\"/shadowing/sessions/{id}/schedule\""))
    );
    assert!(page.body.contains("type=\"date\"") && page.body.contains("type=\"time\""));
    assert!(
        page.body
            .contains(&format!("<option value=\"{member_zone}\" selected>"))
    );
    let done = browser
        .post(
            &format!("{}/shadowing/sessions/{id}/schedule", app.base),
            &[
                ("csrf", &page.csrf()),
                ("date", "2026-11-30"),
                ("time", "15:00"),
                ("zone", "UTC"),
                ("engineer", ""),
                ("force", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.trail[1].ends_with(&format!("/shadowing/sessions/{id}#activity")),
        "{:?}",
        done.trail
    );
    let item = session(&app, id).await;
    assert_eq!(item["state"], "scheduled");
    assert_eq!(item["start"], "2026-11-30T15:00:00Z");
    assert_eq!(
        item["times"]["utc"]["text"],
        "Mon 30 Nov 2026, 15:00–16:00 UTC"
    );
    assert_eq!(item["times"]["member"]["zone"], member_zone.as_str());
    assert_eq!(
        item["times"]["region"]["zone"],
        region_cfg.timezone.as_str()
    );
    let member_time = item["times"]["member"]["text"].as_str().unwrap();
    let region_time = item["times"]["region"]["text"].as_str().unwrap();
    assert!(
        done.body
            .contains(&format!("<dd data-member-time>{member_time}</dd>"))
    );
    assert!(
        done.body
            .contains(&format!("<dd data-region-time>{region_time}</dd>"))
    );
    assert_eq!(shadowing_issues(&app).await, issues_before + 1);
    assert_eq!(item["issue"]["project"], SHADOWING);
    assert_eq!(actions(&item), ["scheduled it"]);
    let manager = format!("@{}", region_cfg.managers[0]);
    let detail = item["activity"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("asked {manager} in chat")),
        "{detail}"
    );
    // The chat message is queued (no webhook URL is set, so it waits in the outbox).
    let outbox = app.json("/api/v1/notifications", 200).await;
    let asks: Vec<&Value> = outbox["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event"] == "shadowing_needs_engineer")
        .collect();
    assert_eq!(asks.len(), 1, "{outbox}");
    assert!(asks[0]["text"].as_str().unwrap().contains(&manager));
    assert!(asks[0]["text"].as_str().unwrap().contains(region_time));

    // Moved: the new time in both zones, the same issue, and no second ask.
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    assert!(
        page.body
            .contains(&format!("action=\"/shadowing/sessions/{id}/reschedule\""))
    );
    let moved = browser
        .post(
            &format!("{}/shadowing/sessions/{id}/reschedule", app.base),
            &[
                ("csrf", &page.csrf()),
                ("date", "2026-11-30"),
                ("time", "16:00"),
                ("zone", "UTC"),
                ("force", "on"),
            ],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let item = session(&app, id).await;
    assert_eq!(item["start"], "2026-11-30T16:00:00Z");
    assert_eq!(actions(&item), ["scheduled it", "moved it"]);
    assert_eq!(shadowing_issues(&app).await, issues_before + 1);
}

#[tokio::test]
async fn a_session_is_done_with_notes_and_an_improvement_links_its_issue() {
    let app = app().await;
    let id = planned(&app).await["id"].as_i64().unwrap();
    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    let csrf = page.csrf();
    let post = |action: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let browser = &browser;
        let url = format!("{}/shadowing/sessions/{id}/{action}", app.base);
        let csrf = csrf.clone();
        async move {
            let mut form = vec![("csrf", csrf.as_str())];
            form.extend(fields);
            browser.post(&url, &form).await
        }
    };
    // Not yet scheduled: it cannot be done.
    let early = post("done", vec![("notes", "too soon")]).await;
    assert_eq!(early.status, 422);
    assert!(
        early.body.contains("cannot become done; schedule it first"),
        "{}",
        early.body
    );
    // Scheduled yesterday (a warning, noted on the activity), then done.
    let r = post(
        "schedule",
        vec![
            ("date", "2026-11-26"),
            ("time", "15:00"),
            ("zone", "UTC"),
            ("engineer", "sofia"),
            ("force", "on"),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("note: the session starts in the past"),
        "{}",
        r.body
    );
    let r = post(
        "done",
        vec![(
            "notes",
            "Macros search missed three obvious macros.\nWorkaround: a personal list.",
        )],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("Macros search missed three obvious macros.")
    );
    let item = session(&app, id).await;
    assert_eq!(item["state"], "done");
    assert_eq!(item["engineer"], "sofia");
    assert_eq!(item["actions"], json!(["improve"]));
    let issue_iid = item["issue"]["iid"].as_u64().unwrap();
    let tracker = supportops_store::LocalTracker::new(app.store.as_ref().clone());
    let issue = tracker.issue(SHADOWING, issue_iid).await.unwrap();
    assert_eq!(issue.state.as_str(), "closed");
    let notes = tracker.notes(SHADOWING, issue_iid).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.contains("Macros search missed"))
    );

    let empty = post("improve", vec![("title", "  "), ("body", "kept")]).await;
    assert_eq!(empty.status, 422);
    assert!(
        empty
            .body
            .contains("id=\"title-error\" role=\"alert\">give the improvement issue a title")
    );
    assert!(
        empty.body.contains(">kept</textarea>"),
        "what was typed is kept"
    );
    let r = post(
        "improve",
        vec![
            ("title", "Make macro search find titles"),
            ("body", "Seen while shadowing."),
        ],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let item = session(&app, id).await;
    let improvement = &item["improvements"][0];
    assert_eq!(improvement["title"], "Make macro search find titles");
    let filed = tracker
        .issue(
            improvement["project"].as_str().unwrap(),
            improvement["iid"].as_u64().unwrap(),
        )
        .await
        .unwrap();
    assert!(
        filed
            .description
            .contains(item["issue"]["web_url"].as_str().unwrap()),
        "the improvement mentions the shadowing issue"
    );
    assert_eq!(
        actions(&item),
        [
            "scheduled it",
            "marked it done",
            "filed an improvement issue"
        ]
    );
}

#[tokio::test]
async fn refused_input_is_shown_next_to_the_field_and_nothing_is_written() {
    let app = app().await;
    let s = planned(&app).await;
    let id = s["id"].as_i64().unwrap();
    let issues_before = shadowing_issues(&app).await;
    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    let csrf = page.csrf();
    let url = format!("{}/shadowing/sessions/{id}/schedule", app.base);
    let no_time = browser
        .post(
            &url,
            &[("csrf", &csrf), ("date", "2026-11-30"), ("time", "")],
        )
        .await;
    assert_eq!(no_time.status, 422);
    assert!(
        no_time
            .body
            .contains("id=\"at-error\" role=\"alert\">give the time the session starts")
    );
    let night = browser
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("date", "2026-11-30"),
                ("time", "03:00"),
                ("zone", "UTC"),
                ("engineer", "priya"),
            ],
        )
        .await;
    assert_eq!(night.status, 422);
    assert!(night.body.contains("is outside"), "{}", night.body);
    assert!(
        night
            .body
            .contains("or tick “Keep this time outside working hours”"),
        "{}",
        night.body
    );
    assert!(
        night.body.contains("value=\"2026-11-30\""),
        "the date is kept"
    );
    assert!(night.body.contains("value=\"03:00\""), "the time is kept");
    assert!(
        night.body.contains("value=\"priya\""),
        "the engineer is kept"
    );
    assert!(
        night.body.contains("<option value=\"UTC\" selected>"),
        "the zone is kept"
    );
    let no_reason = browser
        .post(
            &format!("{}/shadowing/sessions/{id}/cancel", app.base),
            &[("csrf", &csrf), ("reason", " ")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    assert!(
        no_reason
            .body
            .contains("id=\"reason-error\" role=\"alert\">give the reason")
    );
    let item = session(&app, id).await;
    assert_eq!(item["state"], "planned");
    assert_eq!(item["start"], Value::Null);
    assert_eq!(item["activity"], json!([]));
    assert_eq!(shadowing_issues(&app).await, issues_before);

    // The same through the API: the field named, 422, nothing written.
    let (token, record) =
        supportops_server::new_api_token("bot", Role::Editor, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let r = app
        .client
        .post(format!(
            "{}/api/v1/shadowing/sessions/{id}/schedule",
            app.base
        ))
        .bearer_auth(&token)
        .json(&json!({"at": "2026-11-30 15:00", "zone": "Mars/Olympus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("`zone`:"),
        "{e}"
    );
    assert_eq!(session(&app, id).await["state"], "planned");
}

#[tokio::test]
async fn a_cancelled_session_keeps_its_reason_and_offers_nothing_more() {
    let app = app().await;
    let id = planned(&app).await["id"].as_i64().unwrap();
    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    let r = browser
        .post(
            &format!("{}/shadowing/sessions/{id}/cancel", app.base),
            &[
                ("csrf", &page.csrf()),
                ("reason", "Engineer on leave all month"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("<strong>Cancelled:</strong> Engineer on leave all month")
    );
    assert!(!r.body.contains("/schedule\""), "no more forms");
    let item = session(&app, id).await;
    assert_eq!(item["state"], "cancelled");
    assert_eq!(item["cancel_reason"], "Engineer on leave all month");
    assert_eq!(item["actions"], json!([]));
    assert_eq!(item["activity"][0]["detail"], "Engineer on leave all month");
    // The page lists it no more among the sessions to arrange.
    let overview = browser.get(&format!("{}/shadowing", app.base)).await;
    assert!(!overview.body.contains(&format!("data-session=\"{id}\"")));
}

#[tokio::test]
async fn the_list_api_pages_in_a_stable_order_and_scripts_run_the_loop_with_a_token() {
    let app = app().await;
    let all = sessions(&app, "").await;
    assert!(all.len() > 10, "the demo history has a year of sessions");
    let key = |s: &Value| {
        (
            s["month"].as_str().unwrap().to_owned(),
            s["id"].as_i64().unwrap(),
        )
    };
    let keys: Vec<_> = all.iter().map(key).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "by month, then id");
    let first = app.json("/api/v1/shadowing/sessions?per_page=5", 200).await;
    assert_eq!(first["total"].as_u64().unwrap() as usize, all.len());
    assert_eq!(first["sessions"].as_array().unwrap().len(), 5);
    let next = first["next"].as_str().unwrap();
    assert!(
        next.starts_with("/api/v1/shadowing/sessions?per_page=5&page=2"),
        "{next}"
    );
    let second = app.json(next, 200).await;
    let paged: Vec<_> = first["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["sessions"].as_array().unwrap())
        .map(key)
        .collect();
    assert_eq!(paged, keys[..10]);
    let bad = app
        .json("/api/v1/shadowing/sessions?state=maybe", 400)
        .await;
    assert_eq!(bad["error"]["code"], "bad_param");
    app.json("/api/v1/shadowing/sessions/999999", 404).await;
    app.json("/api/v1/shadowing/sessions/abc", 404).await;
    assert_eq!(app.get("/shadowing/sessions/abc").await.status(), 404);

    let (token, record) =
        supportops_server::new_api_token("bot", Role::Editor, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let post = |path: String, body: Value| {
        let client = app.client.clone();
        let url = format!("{}{path}", app.base);
        let token = token.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = post(
        "/api/v1/shadowing/plan".into(),
        json!({"month": "2026-12", "assign": ["bruno=APAC"]}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let plan: Value = r.json().await.unwrap();
    assert_eq!(plan["plan"]["applied"], true);
    let bruno = plan["plan"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["member"] == "bruno")
        .unwrap()
        .clone();
    assert_eq!(bruno["region"], "APAC");
    assert_eq!(bruno["pinned"], true);
    assert_eq!(plan["activity"][0]["actor"], "token:bot");
    let id = bruno["id"].as_i64().unwrap();
    let r = post(
        format!("/api/v1/shadowing/sessions/{id}/schedule"),
        json!({"at": "2026-12-03 09:30", "engineer": "kenji", "force": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["state"], "scheduled");
    assert_eq!(item["times"]["member"]["zone"], "Europe/Madrid");
    assert!(
        item["times"]["member"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Thu 3 Dec 2026, 09:30–10:30"),
        "{item}"
    );
    assert_eq!(item["activity"][0]["actor"], "token:bot");
    let r = post(
        format!("/api/v1/shadowing/sessions/{id}/cancel"),
        json!({"reason": "moved to January"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = post(
        format!("/api/v1/shadowing/sessions/{id}/explode"),
        json!({}),
    )
    .await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_post_without_the_session_csrf_token_changes_nothing() {
    let app = app().await;
    let id = planned(&app).await["id"].as_i64().unwrap();
    let browser = Browser::default();
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    let forged = browser
        .post(
            &format!("{}/shadowing/sessions/{id}/cancel", app.base),
            &[("csrf", "0000"), ("reason", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let missing = browser
        .post(
            &format!("{}/shadowing/plan", app.base),
            &[("month", "2026-12")],
        )
        .await;
    assert_eq!(missing.status, 403);
    // The API call of a browser session needs the header.
    let cookie = format!(
        "supportops_session={}",
        browser.cookies(&app.base)["supportops_session"]
    );
    let without = app
        .client
        .post(format!(
            "{}/api/v1/shadowing/sessions/{id}/cancel",
            app.base
        ))
        .header("cookie", &cookie)
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    assert_eq!(session(&app, id).await["state"], "planned");
    assert!(sessions(&app, "month=2026-12").await.is_empty());
    let with = app
        .client
        .post(format!(
            "{}/api/v1/shadowing/sessions/{id}/cancel",
            app.base
        ))
        .header("cookie", &cookie)
        .header("x-csrf-token", page.csrf())
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn a_viewer_sees_no_forms_every_action_is_refused_and_strangers_sign_in_first() {
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
                team: vec!["amara".into()],
            }),
            ..AuthSetup::default()
        },
        file_reviews: false,
        ..with_team()
    })
    .await;
    // Not signed in: pages redirect to sign-in, the API answers 401.
    let r = app.get("/shadowing/plan").await;
    assert_eq!(r.status(), 303);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/auth/sign-in")
    );
    assert_eq!(app.get("/api/v1/shadowing/sessions").await.status(), 401);

    gitlab.add_oauth_app("id", "secret", &format!("{}/auth/callback", app.base));
    gitlab.sign_in_as(Some("vera"));
    let browser = Browser::default();
    let overview = browser.get(&format!("{}/shadowing", app.base)).await;
    assert_eq!(overview.status, 200);
    assert!(
        !overview
            .body
            .contains("method=\"post\" action=\"/shadowing/plan\"")
    );
    let id = planned_in_store(&app).await;
    let page = browser
        .get(&format!("{}/shadowing/sessions/{id}", app.base))
        .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/schedule\""), "no forms for a viewer");
    assert!(page.body.contains("Signed in as a viewer"));
    let plan = browser
        .get(&format!("{}/shadowing/plan?month=2026-12", app.base))
        .await;
    assert_eq!(plan.status, 200, "a viewer may look at the proposal");
    assert!(!plan.body.contains("Apply: record"));
    let csrf = page.csrf();
    for (path, field, value) in [
        (
            format!("/shadowing/sessions/{id}/schedule"),
            "date",
            "2026-11-30",
        ),
        (
            format!("/shadowing/sessions/{id}/reschedule"),
            "date",
            "2026-11-30",
        ),
        (format!("/shadowing/sessions/{id}/done"), "notes", "n"),
        (format!("/shadowing/sessions/{id}/cancel"), "reason", "r"),
        (format!("/shadowing/sessions/{id}/improve"), "title", "t"),
        ("/shadowing/plan".to_owned(), "month", "2026-12"),
    ] {
        let r = browser
            .post(
                &format!("{}{path}", app.base),
                &[("csrf", csrf.as_str()), (field, value)],
            )
            .await;
        assert_eq!(r.status, 403, "{path}");
    }
    let (viewer, record) =
        supportops_server::new_api_token("reader", Role::Viewer, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    for path in [
        format!("/api/v1/shadowing/sessions/{id}/cancel"),
        "/api/v1/shadowing/plan".to_owned(),
    ] {
        let r = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(&viewer)
            .json(&json!({"reason": "r", "month": "2026-12"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let r = app
        .client
        .get(format!("{}/api/v1/shadowing/sessions/{id}", app.base))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a viewer reads");
    assert_eq!(session_state(&app, id).await, "planned");
    assert!(
        app.store
            .activity(&format!("shadow:{id}"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        app.store
            .activity("shadow-plan:2026-12")
            .await
            .unwrap()
            .is_empty()
    );
}

/// A session's state, read from the store (the API needs a sign-in here).
async fn session_state(app: &TestApp, id: i64) -> String {
    use supportops_ports::store::ShadowStore as _;
    app.store
        .session(supportops_domain::shadow::SessionId::new(id))
        .await
        .unwrap()
        .unwrap()
        .state
        .as_str()
        .to_owned()
}

/// A planned session of the current month, read from the store.
async fn planned_in_store(app: &TestApp) -> i64 {
    use supportops_ports::store::ShadowStore as _;
    let month = supportops_domain::shadow::Month::parse("2026-11").unwrap();
    app.store
        .sessions(&supportops_ports::store::shadow::SessionQuery {
            from: Some(month),
            to: Some(month),
            state: Some(supportops_domain::shadow::SessionState::Planned),
            ..Default::default()
        })
        .await
        .unwrap()
        .first()
        .unwrap()
        .id
        .get()
}
