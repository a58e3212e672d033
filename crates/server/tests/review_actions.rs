//! Acting on a Feedback Review issue from the dashboard and the API: the action plan, a note,
//! the outcome, close and reopen; errors next to the field; CSRF; viewers refused.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::browser::Browser;
use common::{Options, TestApp};
use supportops_ports::Tracker as _;
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::Role;

async fn app() -> TestApp {
    TestApp::spawn_with(Options {
        file_reviews: false,
        ..Options::default()
    })
    .await
}

async fn item(app: &TestApp, iid: u64) -> serde_json::Value {
    app.json(&format!("/api/v1/reviews/{iid}"), 200).await
}

#[tokio::test]
async fn an_editor_writes_the_action_plan_from_the_page() {
    let app = app().await;
    let browser = Browser::default();
    let list = browser.get(&format!("{}/reviews", app.base)).await;
    assert!(
        list.body.contains("href=\"/reviews/1\""),
        "the list links to the item"
    );
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("action plan: <strong data-has-plan>not yet")
    );
    let done = browser
        .post(
            &format!("{}/reviews/1/plan", app.base),
            &[
                ("csrf", &page.csrf()),
                (
                    "plan",
                    "- [ ] ask the author for a repro\n- [ ] fix the docs",
                ),
            ],
        )
        .await;
    assert_eq!(done.status, 200);
    assert!(
        done.trail[1].ends_with("/reviews/1#activity"),
        "{:?}",
        done.trail
    );
    assert!(
        done.body
            .contains("action plan: <strong data-has-plan>written")
    );
    assert!(
        done.body
            .contains("<strong>local</strong> wrote the action plan"),
        "{}",
        done.body
    );
    let json = item(&app, 1).await;
    assert_eq!(json["has_action_plan"], true);
    assert_eq!(
        json["action_plan"],
        "- [ ] ask the author for a repro\n- [ ] fix the docs"
    );
    assert_eq!(json["activity"][0]["actor"], "local");
    assert_eq!(json["activity"][0]["action"], "wrote the action plan");
    // The tracker has it, in the section, and the write was journaled.
    assert!(
        json["issue"]["description"]
            .as_str()
            .unwrap()
            .contains("ask the author for a repro")
    );
    let log = supportops_ports::store::ActionLog::actions(app.store.as_ref())
        .await
        .unwrap();
    assert!(
        log.iter().any(|a| a.action.action == "edit_description"),
        "{log:?}"
    );
}

#[tokio::test]
async fn an_empty_plan_is_refused_next_to_the_field_and_nothing_is_written() {
    let app = app().await;
    let before = item(&app, 1).await;
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    let refused = browser
        .post(
            &format!("{}/reviews/1/plan", app.base),
            &[("csrf", &page.csrf()), ("plan", "   ")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("id=\"plan-error\" role=\"alert\">the action plan is empty"),
        "{}",
        refused.body
    );
    let note = browser
        .post(
            &format!("{}/reviews/1/note", app.base),
            &[("csrf", &page.csrf()), ("body", "")],
        )
        .await;
    assert_eq!(note.status, 422);
    assert!(note.body.contains("id=\"body-error\""));
    let after = item(&app, 1).await;
    assert_eq!(before["issue"], after["issue"]);
    assert_eq!(after["activity"], serde_json::json!([]));
}

#[tokio::test]
async fn notes_outcomes_and_state_are_recorded_with_who_did_them() {
    let app = app().await;
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    let csrf = page.csrf();
    let post = |path: &'static str, field: &'static str, value: &'static str| {
        let browser = &browser;
        let url = format!("{}/reviews/1/{path}", app.base);
        let csrf = csrf.clone();
        async move {
            browser
                .post(&url, &[("csrf", csrf.as_str()), (field, value)])
                .await
        }
    };
    assert_eq!(
        post("note", "body", "Asked the author on Slack.")
            .await
            .status,
        200
    );
    assert_eq!(post("outcome", "outcome", "resolved").await.status, 200);
    assert_eq!(post("state", "state", "closed").await.status, 200);
    let bad = post("outcome", "outcome", "maybe").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("choose resolved or not resolved"));
    let json = item(&app, 1).await;
    assert_eq!(
        json["notes"].as_array().unwrap().last().unwrap()["body"],
        "Asked the author on Slack."
    );
    assert_eq!(json["outcome"], "resolved");
    assert_eq!(json["issue"]["state"], "closed");
    let labels = json["issue"]["labels"].as_array().unwrap();
    assert!(labels.contains(&serde_json::json!("review-outcome::resolved")));
    let actions: Vec<&str> = json["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["added a note", "recorded the outcome", "closed the issue"]
    );
    // Reopened, and the outcome changed: the other label goes.
    assert_eq!(post("state", "state", "opened").await.status, 200);
    assert_eq!(post("outcome", "outcome", "not-resolved").await.status, 200);
    let json = item(&app, 1).await;
    assert_eq!(json["issue"]["state"], "opened");
    assert_eq!(json["outcome"], "not-resolved");
}

#[tokio::test]
async fn a_post_without_the_session_csrf_token_changes_nothing() {
    let app = app().await;
    let browser = Browser::default();
    let _ = browser.get(&format!("{}/reviews/1", app.base)).await;
    let forged = browser
        .post(
            &format!("{}/reviews/1/plan", app.base),
            &[("csrf", "0000"), ("plan", "forged plan")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let missing = browser
        .post(
            &format!("{}/reviews/1/plan", app.base),
            &[("plan", "forged plan")],
        )
        .await;
    assert_eq!(missing.status, 403);
    assert_eq!(item(&app, 1).await["has_action_plan"], false);
}

#[tokio::test]
async fn the_api_acts_with_an_editor_token_and_refuses_a_viewer_token() {
    let app = app().await;
    let (editor, record) =
        supportops_server::new_api_token("bot", Role::Editor, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let (viewer, record) =
        supportops_server::new_api_token("reader", Role::Viewer, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let call = |token: String, action: &'static str, body: serde_json::Value| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/reviews/1/{action}", app.base);
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
    for (action, body) in [
        ("plan", serde_json::json!({"plan": "viewer plan"})),
        ("note", serde_json::json!({"body": "viewer note"})),
        ("outcome", serde_json::json!({"outcome": "resolved"})),
        ("state", serde_json::json!({"state": "closed"})),
    ] {
        let r = call(viewer.clone(), action, body).await;
        assert_eq!(r.status(), 403, "{action}");
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "forbidden");
    }
    let r = call(
        editor.clone(),
        "plan",
        serde_json::json!({"plan": "Write the missing docs."}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let json: serde_json::Value = r.json().await.unwrap();
    assert_eq!(json["action_plan"], "Write the missing docs.");
    assert_eq!(json["activity"][0]["actor"], "token:bot");
    let r = call(
        editor,
        "outcome",
        serde_json::json!({"outcome": "sideways"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("`outcome`:")
    );
    // A browser session's API call needs the CSRF header.
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    let cookie = format!(
        "supportops_session={}",
        browser.cookies(&app.base)["supportops_session"]
    );
    let without = app
        .client
        .post(format!("{}/api/v1/reviews/1/note", app.base))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
    let with = app
        .client
        .post(format!("{}/api/v1/reviews/1/note", app.base))
        .header("cookie", &cookie)
        .header("x-csrf-token", page.csrf())
        .json(&serde_json::json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), 200);
}

#[tokio::test]
async fn a_viewer_sees_no_forms_and_every_action_is_refused() {
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
    gitlab.sign_in_as(Some("vera"));
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews/1", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("action=\"/reviews/1/plan\""),
        "no forms for a viewer"
    );
    assert!(page.body.contains("Signed in as a viewer"));
    let csrf = page.csrf();
    for (action, field, value) in [
        ("plan", "plan", "p"),
        ("note", "body", "n"),
        ("outcome", "outcome", "resolved"),
        ("state", "state", "closed"),
    ] {
        let r = browser
            .post(
                &format!("{}/reviews/1/{action}", app.base),
                &[("csrf", csrf.as_str()), (field, value)],
            )
            .await;
        assert_eq!(r.status, 403, "{action}");
        assert!(
            r.body
                .contains("you are signed in as vera (`vera`), a viewer"),
            "{}",
            r.body
        );
    }
    let issue = supportops_store::LocalTracker::new(app.store.as_ref().clone())
        .issue("gitlab-com/support/support-ops/feedback-review", 1)
        .await
        .unwrap();
    assert!(!issue.description.contains("p\n"));
    assert!(
        app.store
            .activity("review:gitlab-com/support/support-ops/feedback-review#1")
            .await
            .unwrap()
            .is_empty()
    );
}
