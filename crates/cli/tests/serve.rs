//! `supportops serve` as a user starts it: a setup problem stops it before it listens or opens
//! the store.

use std::time::Duration;

use assert_cmd::Command;

#[test]
fn serve_with_gitlab_needs_its_token_before_opening_the_store() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Command::cargo_bin("supportops")
        .expect("the binary is built")
        .current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
        .env("SUPPORTOPS__TRACKER__TOKEN_ENV", "SERVE_TOKEN")
        .env_remove("SERVE_TOKEN")
        .env("NO_COLOR", "1")
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

/// A `GET` over plain HTTP/1.1; returns the body.
fn get(port: u16, path: &str) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a response");
    assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("a chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

/// Kills the server when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_demo_runs_as_of_its_data_so_every_month_adds_up_to_the_headline() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"))
        .current_dir(dir.path())
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("SUPPORTOPS_NOW")
        .env("NO_COLOR", "1")
        .args(["serve", "--demo", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", "demo"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let serving = line.contains("is serving");
        lines.push(line);
        if serving {
            break;
        }
    }
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
