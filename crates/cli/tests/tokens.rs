//! `supportops tokens`: a token is printed once, listed without its value, and revoked.

use std::time::Duration;

use assert_cmd::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("supportops")
        .expect("the binary is built")
        .current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1")
        .env("SUPPORTOPS_NOW", "2026-11-27T12:00:00Z")
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("the binary runs")
}

#[test]
fn a_token_is_shown_once_kept_as_a_hash_and_revoked() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = run(
        dir.path(),
        &[
            "tokens", "create", "nightly", "--role", "viewer", "--format", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let token = created["token"].as_str().expect("a token").to_owned();
    assert!(token.starts_with("sot_") && token.len() == 68, "{token}");
    assert_eq!(created["role"], "viewer");

    // The same name again: refused while the first one is in use.
    let again = run(
        dir.path(),
        &["tokens", "create", "nightly", "--role", "editor"],
    );
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("a token named `nightly` exists"));

    let list = run(dir.path(), &["tokens", "list", "--format", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(listed["tokens"][0]["name"], "nightly");
    assert_eq!(listed["tokens"][0]["revoked_at"], serde_json::Value::Null);
    assert!(!String::from_utf8_lossy(&list.stdout).contains(&token[4..]));
    let db = std::fs::read(dir.path().join("supportops.db")).expect("the store");
    assert!(
        !db.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself is not stored"
    );

    let revoked = run(dir.path(), &["tokens", "revoke", "nightly"]);
    assert_eq!(revoked.status.code(), Some(0), "{revoked:?}");
    assert_eq!(
        String::from_utf8_lossy(&revoked.stdout),
        "token `nightly` revoked\n"
    );
    let list = run(dir.path(), &["tokens", "list"]);
    let table = String::from_utf8_lossy(&list.stdout);
    assert!(
        table.contains("nightly") && table.contains("2026-11-27 12:00"),
        "{table}"
    );
    let unknown = run(dir.path(), &["tokens", "revoke", "nightly"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no token named `nightly` is in use")
    );
}
