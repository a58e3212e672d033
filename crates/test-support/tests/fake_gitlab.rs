//! The fake answers as GitLab's documentation says: token check, error bodies, pagination
//! headers, quick actions, and faults in the order they were asked for.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_test_support::FakeGitLab;
use supportops_test_support::gitlab::{Fault, Match, SeedIssue};

const PROJECT: &str = "group/project";

async fn get(fake: &FakeGitLab, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(format!("{}/api/v4{path}", fake.base_url()));
    if let Some(t) = token {
        req = req.header("PRIVATE-TOKEN", t);
    }
    req.send().await.unwrap()
}

async fn status_and_body(resp: reqwest::Response) -> (u16, String) {
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn requests_without_the_token_get_401() {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);

    let none = status_and_body(get(&fake, "/projects/group%2Fproject/issues", None).await).await;
    let wrong =
        status_and_body(get(&fake, "/projects/group%2Fproject/issues", Some("nope")).await).await;

    assert_eq!(none, (401, r#"{"message":"401 Unauthorized"}"#.to_owned()));
    assert_eq!(wrong, none);
    assert!(!fake.requests()[0].token_sent);
}

#[tokio::test]
async fn missing_things_get_gitlab_s_404_messages() {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);
    let token = Some(fake.token());

    let project = status_and_body(get(&fake, "/projects/nope%2Fnope/issues", token).await).await;
    let file = status_and_body(
        get(
            &fake,
            "/projects/group%2Fproject/repository/files/README.md/raw",
            token,
        )
        .await,
    )
    .await;
    let group = status_and_body(get(&fake, "/groups/nope/members/all", token).await).await;

    assert_eq!(project.1, r#"{"message":"404 Project Not Found"}"#);
    assert_eq!(file.1, r#"{"message":"404 File Not Found"}"#);
    assert_eq!(group.1, r#"{"message":"404 Group Not Found"}"#);
    assert!([project.0, file.0, group.0].iter().all(|s| *s == 404));
}

#[tokio::test]
async fn lists_carry_gitlab_s_pagination_headers() {
    let fake = FakeGitLab::start().await;
    for n in 1..=5 {
        fake.seed_issue(
            PROJECT,
            SeedIssue {
                title: format!("issue {n}"),
                ..Default::default()
            },
        );
    }

    let resp = get(
        &fake,
        "/projects/group%2Fproject/issues?per_page=2&page=2&state=opened",
        Some(fake.token()),
    )
    .await;

    let header = |name: &str| {
        resp.headers()[name]
            .to_str()
            .unwrap()
            .replace(fake.base_url(), "https://gitlab.example.com")
    };
    let headers = [
        "x-page",
        "x-per-page",
        "x-next-page",
        "x-prev-page",
        "x-total",
        "x-total-pages",
        "link",
    ]
    .map(|h| format!("{h}: {}", header(h)))
    .join("\n");
    insta::assert_snapshot!(headers, @r#"
    x-page: 2
    x-per-page: 2
    x-next-page: 3
    x-prev-page: 1
    x-total: 5
    x-total-pages: 3
    link: <https://gitlab.example.com/api/v4/projects/2/issues?state=opened&page=1&per_page=2>; rel="prev", <https://gitlab.example.com/api/v4/projects/2/issues?state=opened&page=3&per_page=2>; rel="next", <https://gitlab.example.com/api/v4/projects/2/issues?state=opened&page=1&per_page=2>; rel="first", <https://gitlab.example.com/api/v4/projects/2/issues?state=opened&page=3&per_page=2>; rel="last"
    "#);
    let titles: Vec<String> = resp
        .json::<Vec<serde_json::Value>>()
        .await
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect();
    // Newest first, GitLab's default order.
    assert_eq!(titles, ["issue 3", "issue 2"]);
}

#[tokio::test]
async fn faults_are_met_in_the_order_they_were_asked_for_then_stop() {
    let fake = FakeGitLab::start().await;
    fake.add_project(PROJECT);
    fake.fail(
        Match::get("/issues"),
        Fault::TooManyRequests(Some("7".into())),
        1,
    );
    fake.fail(Match::any(), Fault::Status(503), 1);
    let token = Some(fake.token());

    let first = get(&fake, "/projects/group%2Fproject/issues", token).await;
    assert_eq!(first.status().as_u16(), 429);
    assert_eq!(first.headers()["retry-after"], "7");
    let second = get(&fake, "/projects/group%2Fproject/issues", token).await;
    assert_eq!(second.status().as_u16(), 503);
    let third = get(&fake, "/projects/group%2Fproject/issues", token).await;
    assert_eq!(third.status().as_u16(), 200);
}

#[tokio::test]
async fn an_edit_without_any_parameter_is_refused() {
    let fake = FakeGitLab::start().await;
    let iid = fake.seed_issue(
        PROJECT,
        SeedIssue {
            title: "t".into(),
            ..Default::default()
        },
    );

    let resp = reqwest::Client::new()
        .put(format!(
            "{}/api/v4/projects/group%2Fproject/issues/{iid}",
            fake.base_url()
        ))
        .header("PRIVATE-TOKEN", fake.token())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();

    assert_eq!(resp.status().as_u16(), 400);
}
