//! `supportops serve` as a user starts it: a setup problem stops it before it listens or opens
//! the store.

mod common;

use std::time::Duration;

use common::{free_port, get, serve, supportops};

#[test]
fn serve_with_gitlab_needs_its_token_before_opening_the_store() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = supportops(dir.path())
        .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
        .env("SUPPORTOPS__TRACKER__TOKEN_ENV", "SERVE_TOKEN")
        .env_remove("SERVE_TOKEN")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the GitLab token is missing: set the environment variable `SERVE_TOKEN` \
         (named by config key `tracker.token_env`) to a token with the `api` scope\n"
    );
    assert!(!dir.path().join("supportops.db").exists());
}

#[test]
fn the_demo_runs_as_of_its_data_so_every_month_adds_up_to_the_headline() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("SUPPORTOPS_NOW")
        .env("NO_COLOR", "1")
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", "demo"]);
    let (server, lines) = serve(cmd);
    let said = lines.join("\n");
    assert!(
        said.contains("the demo runs as of 2026-11-27 15:10 UTC (just after its last response)"),
        "{said}"
    );

    let summary: serde_json::Value =
        serde_json::from_str(&get(port, "/api/v1/summary")).expect("json");
    let months: Vec<u64> = summary["months"]
        .as_array()
        .expect("months")
        .iter()
        .map(|m| m["responses"].as_u64().expect("a count"))
        .collect();
    assert_eq!(summary["rows"], 300);
    assert_eq!(months.iter().sum::<u64>(), 300, "{months:?}");
    assert_eq!(summary["months"][0]["month"], "2025-12");
    assert_eq!(summary["months"][11]["month"], "2026-11");

    // Review issues were opened as their responses came in: the agenda's first part holds only
    // those opened since the last monthly sync, not all of them.
    let syncs: serde_json::Value = serde_json::from_str(&get(port, "/api/v1/syncs")).expect("json");
    let since = syncs["agenda"]["since"]["at"].as_str().expect("since");
    assert_eq!(since, "2026-11-03T15:00:00Z");
    let new = syncs["agenda"]["new_issues"]
        .as_array()
        .expect("new issues");
    let past = syncs["agenda"]["past_issues"]
        .as_array()
        .expect("past issues");
    assert!(!new.is_empty() && new.len() < 54, "{}", new.len());
    assert_eq!(new.len() + past.len(), 54);

    // The team ran the monthly loop on them: part 2 asks "did the plan work?" of issues with
    // plans, and shows outcomes both ways; only a few issues are neglected.
    let count = |items: &[serde_json::Value], test: &dyn Fn(&serde_json::Value) -> bool| {
        items.iter().filter(|i| test(i)).count()
    };
    let planned = count(past, &|i| i["has_action_plan"] == true);
    let resolved = count(past, &|i| {
        i["outcome"] == "resolved" && i["state"] == "closed"
    });
    let not_resolved = count(past, &|i| i["outcome"] == "not_resolved");
    assert!(planned > past.len() / 2, "{planned} of {}", past.len());
    assert!(
        resolved > 0 && not_resolved > 0,
        "{resolved} {not_resolved}"
    );
    assert!(count(new, &|i| i["has_action_plan"] == true) > 0);
    let neglected = syncs["agenda"]["neglected"].as_array().expect("neglected");
    assert!(
        !neglected.is_empty() && neglected.len() < past.len() / 3,
        "{} neglected",
        neglected.len()
    );
    assert!(
        said.contains(&format!(
            "outcomes: {resolved} resolved, {not_resolved} not resolved"
        )),
        "{said}"
    );
    let agenda = syncs["agenda_markdown"].as_str().expect("markdown");
    assert!(agenda.contains(" | yes | resolved |"), "{agenda}");
    assert!(
        agenda.contains(" | open | yes | not-resolved |"),
        "{agenda}"
    );

    let page = get(port, "/");
    assert!(
        page.contains("The demo runs as of <time data-demo-now>2026-11-27 15:10"),
        "{page}"
    );
    drop(server);
}

/// `SUPPORTOPS_NOW` starts the service's clock: its pages are as of that moment.
#[test]
fn serve_runs_as_of_supportops_now() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env("SUPPORTOPS_NOW", "2027-01-05T09:00:00Z")
        .env("NO_COLOR", "1")
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    let (server, _) = serve(cmd);
    // The first Tuesday of January 2027 is the 5th: the next monthly sync is that day's, and
    // its agenda runs from December's.
    let page = get(port, "/syncs");
    assert!(
        page.contains("Agenda: Support Ops monthly sync, 2027-01-05"),
        "{page}"
    );
    assert!(
        page.contains("Review issues since 2026-12-01, the last monthly sync on the schedule"),
        "{page}"
    );
    drop(server);
}

/// One formatter for values shown to people: a score of `=0.1+0.2` reads `0.3` in the
/// `score` table, in the review issue's table and on the web page, as a sheet shows it.
#[test]
fn a_score_reads_the_same_in_the_cli_the_issue_and_the_page() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("feedback.csv"),
        "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r\n\
         2/3/2026 9:15:00,https://gitlab.com/a/b/-/issues/12,It was not solved,,,1,amy@example.com,AMER,\r\n",
    )
    .expect("write the sheet");
    let binary = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"));
        cmd.current_dir(dir.path())
            .env_remove("SUPPORTOPS_CONFIG")
            .env("SUPPORTOPS__SCORE__FORMULA", "=0.1+0.2")
            .env("SUPPORTOPS__SHEET__SOURCE", "feedback.csv")
            .env("SUPPORTOPS_NOW", "2027-01-05T09:00:00Z")
            .env("NO_COLOR", "1");
        cmd
    };
    let run = |args: &[&str]| {
        let out = binary().args(args).output().expect("the binary runs");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let exact = "0.30000000000000004";

    let table = run(&["score"]);
    assert!(table.contains(" 0.3 ") && !table.contains(exact), "{table}");

    run(&["review"]);
    let issue = run(&["issues", "show", "1"]);
    assert!(
        issue.contains("| 0.3 ") && !issue.contains(exact),
        "{issue}"
    );

    let port = free_port();
    let mut cmd = binary();
    cmd.args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    let (server, _) = serve(cmd);
    let page = get(port, "/responses");
    drop(server);
    assert!(page.contains(">0.3<") && !page.contains(exact), "{page}");
}

#[test]
fn serve_without_sign_in_refuses_an_address_others_can_reach() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = supportops(dir.path())
        .args(["serve", "--addr", "0.0.0.0:0"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a loopback address"), "{err}");
    assert!(err.contains("`server.auth.kind` is `none`"), "{err}");
    assert!(!dir.path().join("supportops.db").exists());
}

#[test]
fn serve_with_gitlab_sign_in_needs_the_application_secret() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[server]\npublic_url = \"https://supportops.example.com\"\n[server.auth]\n\
         kind = \"gitlab\"\nclient_id = \"abc\"\nclient_secret_env = \"SERVE_OAUTH_SECRET\"\n",
    )
    .expect("write the config");
    let out = supportops(dir.path())
        .env_remove("SERVE_OAUTH_SECRET")
        .args(["serve", "--addr", "0.0.0.0:0"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: sign-in with GitLab needs the application's secret in `SERVE_OAUTH_SECRET` \
         (named by config key `server.auth.client_secret_env`); set it and start again\n"
    );
}
