//! Several `supportops serve` replicas on one PostgreSQL store: webhook deliveries land on any
//! of them, one replica is killed with SIGKILL while they arrive and are filed, and afterwards
//! every acknowledged response is stored, every flagged subject has exactly one review issue,
//! and no response is filed twice.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use supportops_store::testing::TestDatabase;

mod common;
use common::{Server, free_port, serve, supportops};

const TOKEN: &str = "replica-test-token-0123456789abcdef";
const DELIVERIES: usize = 240;
const SUBJECTS: usize = 40;
const SENDERS: usize = 4;

/// `POST /hooks/feedback` over plain HTTP/1.1; the status and JSON body, or `None` when the
/// replica cannot be reached or dropped the connection (it was killed).
fn deliver(port: u16, body: &str) -> Option<(u16, Value)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "POST /hooks/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status: u16 = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, serde_json::from_str(body).ok()?))
}

fn delivery(i: usize) -> String {
    serde_json::json!({
        "A": format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i / 60 % 24, i % 60),
        "B": format!("https://gitlab.com/replica/app/-/issues/{}", i % SUBJECTS),
        "C": "It was closed without being solved",
        "D": "Efficiency",
        "E": format!("delivery {i}"),
        "F": 1 + i % 3,
        "G": format!("sender{i}@example.com"),
        "H": "EMEA",
    })
    .to_string()
}

fn cli_json(dir: &Path, args: &[&str]) -> Value {
    let out = supportops(dir).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn start_replica(dir: &Path, port: u16) -> Server {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .env("SUPPORTOPS_WEBHOOK_TOKEN", TOKEN)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")]);
    serve(cmd).0
}

/// Every issue with its text (description and notes), by iid.
fn issue_texts(dir: &Path) -> BTreeMap<u64, String> {
    let list = cli_json(dir, &["issues", "list", "--format", "json"]);
    let mut out = BTreeMap::new();
    for issue in list["issues"].as_array().unwrap() {
        let iid = issue["iid"].as_u64().unwrap();
        let shown = cli_json(
            dir,
            &["issues", "show", &iid.to_string(), "--format", "json"],
        );
        let mut text = shown["description"].as_str().unwrap_or("").to_owned();
        for note in shown["notes"].as_array().unwrap() {
            text.push('\n');
            text.push_str(note["body"].as_str().unwrap_or(""));
        }
        out.insert(iid, text);
    }
    out
}

#[test]
fn a_replica_killed_mid_run_loses_no_accepted_response_and_files_nothing_twice() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime.block_on(TestDatabase::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("supportops.toml"),
        format!(
            "[sheet]\nsource = \"sheet.csv\"\n\n[store]\nurl = \"{}\"\n\n[tracker]\nkind = \"local\"\n",
            database.url
        ),
    )
    .unwrap();
    let out = supportops(dir.path())
        .args(["sample", "--rows", "30", "--out", "sheet.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = supportops(dir.path()).arg("review").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let issues_before = issue_texts(dir.path()).len();

    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let replicas: Vec<Mutex<Option<Server>>> = ports
        .iter()
        .map(|&p| Mutex::new(Some(start_replica(dir.path(), p))))
        .collect();
    let replicas = Arc::new(replicas);

    // Senders spread the deliveries over the replicas; a delivery the killed replica did not
    // answer goes to the next one, as a load balancer would send a retry.
    let next = Arc::new(Mutex::new(0usize));
    let answered: Arc<Mutex<Vec<(usize, u16, Value)>>> = Arc::default();
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (next, answered, replicas, ports) = (
                next.clone(),
                answered.clone(),
                replicas.clone(),
                ports.clone(),
            );
            std::thread::spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        if *n == DELIVERIES {
                            return;
                        }
                        *n += 1;
                        *n - 1
                    };
                    if i == DELIVERIES / 3 {
                        // SIGKILL, while deliveries arrive and flagged ones are being filed.
                        let killed = replicas[0].lock().unwrap().take();
                        drop(killed);
                    }
                    let body = delivery(i);
                    let answer = (0..ports.len())
                        .find_map(|k| deliver(ports[(i + k) % ports.len()], &body))
                        .unwrap_or_else(|| panic!("no replica answered delivery {i}"));
                    answered.lock().unwrap().push((i, answer.0, answer.1));
                }
            })
        })
        .collect();
    for s in senders {
        s.join().unwrap();
    }

    let answered = std::mem::take(&mut *answered.lock().unwrap());
    assert_eq!(answered.len(), DELIVERIES);
    let mut keys = BTreeSet::new();
    let mut flagged_keys = BTreeSet::new();
    let mut flagged_subjects = BTreeSet::new();
    for (i, status, body) in &answered {
        // 202 stored; 200 a retry of a delivery the killed replica stored before it died.
        assert!(
            *status == 202 || (*status == 200 && body["status"] == "duplicate"),
            "delivery {i}: {status} {body}"
        );
        let key = body["key"].as_str().unwrap().to_owned();
        if body["flagged"] == true {
            flagged_keys.insert(key.clone());
            flagged_subjects.insert(body["subject"].as_str().unwrap().to_owned());
        }
        keys.insert(key);
    }
    assert_eq!(keys.len(), DELIVERIES, "every delivery is its own response");
    assert!(!flagged_keys.is_empty());

    // The survivors file what the killed replica held once its lease ends.
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let covered = covered_keys(issue_texts(dir.path()).values());
        if flagged_keys.iter().all(|k| covered.contains_key(k)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "after 180 s not every flagged response is in a review issue"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    // Stop the survivors before counting: nothing is filed behind the counts.
    for replica in replicas.iter() {
        drop(replica.lock().unwrap().take());
    }

    let report = cli_json(dir.path(), &["store", "check", "--format", "json"]);
    let stored = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "responses")
        .unwrap()["rows"]
        .as_u64()
        .unwrap();
    assert_eq!(stored, 30 + DELIVERIES as u64, "accepted = stored");

    let texts = issue_texts(dir.path()).into_values().collect::<Vec<_>>();
    for subject in &flagged_subjects {
        let issues = texts
            .iter()
            .filter(|t| t.contains(&format!("supportops:subject={subject} -->")))
            .count();
        assert_eq!(issues, 1, "review issues for {subject}");
    }
    assert_eq!(
        texts.len(),
        issues_before + flagged_subjects.len(),
        "one new issue per flagged subject"
    );
    let covered = covered_keys(texts.iter());
    for key in &flagged_keys {
        assert_eq!(covered.get(key), Some(&1), "response {key} is filed once");
    }
}

/// How many times each response key is listed in the issues' response markers
/// (`<!-- supportops:responses=KEY,KEY -->`, keys percent-encoded).
fn covered_keys<'t>(texts: impl Iterator<Item = &'t String>) -> BTreeMap<String, usize> {
    const MARKER: &str = "<!-- supportops:responses=";
    let mut out = BTreeMap::new();
    for text in texts {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(MARKER) {
            rest = &rest[at + MARKER.len()..];
            let end = rest.find(" -->").unwrap();
            for part in rest[..end].split(',') {
                *out.entry(percent_decoded(part)).or_insert(0) += 1;
            }
        }
    }
    out
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}
