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
