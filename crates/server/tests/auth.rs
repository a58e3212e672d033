//! Sign-in with GitLab (through the fake GitLab's OAuth endpoints, with a real HTTP client
//! following redirects), sessions, roles, CSRF and API tokens, over a real server on loopback.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::browser::Browser;
use common::{Options, TestApp};
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::Role;
use supportops_server::{AuthKind, AuthSetup, GitLabSignIn};
use supportops_test_support::gitlab::FakeGitLab;

const CLIENT_ID: &str = "supportops-app-id";
const SECRET: &str = "supportops-app-secret";

/// A server signing in with `gitlab`; editors are the group `support-ops` (or, with `team`, those
/// usernames), viewers the group `support`.
async fn app_with(gitlab: &FakeGitLab, by_group: bool, team: &[&str]) -> TestApp {
    let app = TestApp::spawn_with(Options {
        auth: AuthSetup {
            kind: AuthKind::GitLab(GitLabSignIn {
                url: gitlab.base_url().to_owned(),
                client_id: CLIENT_ID.into(),
                client_secret: SECRET.to_owned().into(),
                editors_group: by_group.then(|| "support/support-ops".to_owned()),
                viewers_group: Some("support".into()),
                team: team.iter().map(|s| (*s).to_owned()).collect(),
            }),
            ..AuthSetup::default()
        },
        file_reviews: false,
        ..Options::default()
    })
    .await;
    gitlab.add_oauth_app(CLIENT_ID, SECRET, &format!("{}/auth/callback", app.base));
    app
}

async fn gitlab() -> FakeGitLab {
    let gitlab = FakeGitLab::start().await;
    gitlab.add_group("support", &["vera"]);
    gitlab.add_group("support/support-ops", &["alice"]);
    gitlab.add_user("mallory", "Mallory");
    gitlab
}

#[tokio::test]
async fn pages_send_to_sign_in_and_the_api_answers_401() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    let page = app.get("/reviews?state=open").await;
    assert_eq!(page.status(), 303);
    assert_eq!(
        page.headers()["location"],
        "/auth/sign-in?next=%2Freviews%3Fstate%3Dopen"
    );
    let api = app.get("/api/v1/summary").await;
    assert_eq!(api.status(), 401);
    assert_eq!(api.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    // Health and the webhook keep their own rules.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn an_editor_signs_in_through_gitlab_and_lands_on_the_page_asked_for() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    gitlab.sign_in_as(Some("alice"));
    let browser = Browser::default();
    let page = browser.get(&format!("{}/reviews", app.base)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.url, format!("{}/reviews", app.base));
    assert!(
        page.trail
            .iter()
            .any(|u| u.starts_with(&format!("{}/oauth/authorize", gitlab.base_url()))),
        "{:?}",
        page.trail
    );
    let authorize = gitlab.requests_to("GET", "/oauth/authorize");
    assert_eq!(
        authorize[0].param("code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(authorize[0].param("scope").as_deref(), Some("read_api"));
    assert_eq!(gitlab.codes_exchanged(), 1);
    assert!(page.body.contains("alice"), "{}", page.body);
    assert!(page.body.contains("editor"));
    // The session works for the API too, and is kept in the store.
    let cookies = browser.cookies(&app.base);
    let session = &cookies["supportops_session"];
    let api = app
        .client
        .get(format!("{}/api/v1/summary", app.base))
        .header("cookie", format!("supportops_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    let stored = app
        .store
        .find_session(&supportops_server::token_hash(session), common::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.username.as_str(), stored.role),
        ("alice", Role::Editor)
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_and_lax() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    let r = app.get("/auth/sign-in?next=/").await;
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Plain http here: not Secure.
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn roles_come_from_groups_or_the_team_and_nobody_else_gets_in() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, false, &["mallory"]).await;
    // mallory is on the team (no editors group): editor.
    gitlab.sign_in_as(Some("mallory"));
    let page = Browser::default().get(&format!("{}/", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mallory · editor"), "{}", page.body);
    // vera is in the viewers' group: viewer.
    gitlab.sign_in_as(Some("vera"));
    let page = Browser::default().get(&format!("{}/", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("vera · viewer"), "{}", page.body);
    // alice is in neither (the editors are the team here): refused, told who and why.
    gitlab.sign_in_as(Some("alice"));
    let browser = Browser::default();
    let page = browser.get(&format!("{}/", app.base)).await;
    assert_eq!(page.status, 403);
    assert!(
        page.body
            .contains("you signed in to GitLab as alice (`alice`)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("[[team.members]]"), "{}", page.body);
    assert!(page.body.contains("`support`"), "{}", page.body);
    assert!(
        !browser
            .cookies(&app.base)
            .contains_key("supportops_session")
    );
}

#[tokio::test]
async fn a_sign_in_is_finished_once_and_only_by_the_browser_that_started_it() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    gitlab.sign_in_as(Some("alice"));
    let started = app.get("/auth/sign-in?next=/").await;
    let state_cookie = started.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let to_gitlab = started.headers()["location"].to_str().unwrap().to_owned();
    let back = app.client.get(&to_gitlab).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    // Another browser (without the sign-in cookie) cannot finish it.
    let other = app.client.get(&callback).send().await.unwrap();
    assert_eq!(other.status(), 400);
    assert!(
        other
            .text()
            .await
            .unwrap()
            .contains("this browser did not start that sign-in")
    );
    let done = app
        .client
        .get(&callback)
        .header("cookie", &state_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    // Replayed: refused.
    let again = app
        .client
        .get(&callback)
        .header("cookie", &state_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("used already or has expired")
    );
}

#[tokio::test]
async fn gitlab_refusing_the_sign_in_is_explained() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    gitlab.sign_in_as(None);
    let page = Browser::default().get(&format!("{}/", app.base)).await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("GitLab answered `access_denied`"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_fake_gitlab_checks_the_pkce_verifier() {
    let gitlab = gitlab().await;
    let redirect = "http://127.0.0.1:9/auth/callback";
    gitlab.add_oauth_app(CLIENT_ID, SECRET, redirect);
    gitlab.sign_in_as(Some("alice"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // S256 of "verifier-verifier-verifier-verifier-verifier-1".
    let verifier = "verifier-verifier-verifier-verifier-verifier-1";
    let challenge = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
    };
    let code = |client: reqwest::Client, challenge: String| {
        let base = gitlab.base_url().to_owned();
        async move {
            let r = client
                .get(format!("{base}/oauth/authorize"))
                .query(&[
                    ("client_id", CLIENT_ID),
                    ("redirect_uri", redirect),
                    ("response_type", "code"),
                    ("state", "s"),
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                ])
                .send()
                .await
                .unwrap();
            let to = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
            to.query_pairs()
                .find(|(k, _)| k == "code")
                .unwrap()
                .1
                .into_owned()
        }
    };
    let exchange = |code: String, verifier: &'static str| {
        let client = client.clone();
        let base = gitlab.base_url().to_owned();
        async move {
            client
                .post(format!("{base}/oauth/token"))
                .form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", SECRET),
                    ("code", &code),
                    ("grant_type", "authorization_code"),
                    ("redirect_uri", redirect),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = exchange(
        code(client.clone(), challenge.clone()).await,
        "another-verifier",
    )
    .await;
    assert_eq!(wrong.status(), 400);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    let right = exchange(code(client.clone(), challenge).await, verifier).await;
    assert_eq!(right.status(), 200);
    let token: serde_json::Value = right.json().await.unwrap();
    let me: serde_json::Value = client
        .get(format!("{}/api/v4/user", gitlab.base_url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "alice");
}

#[tokio::test]
async fn signing_out_needs_the_csrf_token_and_ends_the_session() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    gitlab.sign_in_as(Some("alice"));
    let browser = Browser::default();
    let page = browser.get(&format!("{}/", app.base)).await;
    let session = browser.cookies(&app.base)["supportops_session"].clone();
    let refused = browser
        .post(
            &format!("{}/auth/sign-out", app.base),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("CSRF"), "{}", refused.body);
    let out = browser
        .post(
            &format!("{}/auth/sign-out", app.base),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(out.status, 200);
    assert!(out.body.contains("Signed out"));
    assert!(
        !browser
            .cookies(&app.base)
            .contains_key("supportops_session")
    );
    let old = app
        .client
        .get(format!("{}/", app.base))
        .header("cookie", format!("supportops_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the ended session no longer works");
}

#[tokio::test]
async fn api_tokens_work_until_revoked() {
    let gitlab = gitlab().await;
    let app = app_with(&gitlab, true, &[]).await;
    let (token, record) =
        supportops_server::new_api_token("nightly", Role::Viewer, common::now()).unwrap();
    app.store.create_token(&record).await.unwrap();
    let call = |token: String| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/summary", app.base);
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(call(token.clone()).await, 200);
    assert_eq!(call("sot_0123".into()).await, 401);
    assert!(
        app.store
            .revoke_token("nightly", common::now())
            .await
            .unwrap()
    );
    assert_eq!(call(token).await, 401);
    let listed = app.store.tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some() && listed[0].revoked_at.is_some());
}

#[tokio::test]
async fn without_sign_in_a_browser_gets_a_local_session_but_a_cookieless_post_is_refused() {
    let app = TestApp::spawn_with(Options {
        file_reviews: false,
        ..Options::default()
    })
    .await;
    let browser = Browser::default();
    let page = browser.get(&format!("{}/", app.base)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Local user · editor"), "{}", page.body);
    let cross_site = app
        .client
        .post(format!("{}/auth/sign-out", app.base))
        .form(&[("csrf", page.csrf())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
}

#[tokio::test]
async fn without_sign_in_a_script_reads_the_api_without_a_session_each_time() {
    let app = TestApp::spawn_with(Options {
        file_reviews: false,
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        let r = app.get("/api/v1/summary").await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().get("set-cookie").is_none(), "{:?}", r.headers());
    }
    // A page still starts a session: its forms carry the session's CSRF token.
    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("set-cookie").is_some());
}
