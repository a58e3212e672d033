//! `supportops store check|copy`: the schema version, integrity and rows of a store, and an
//! embedded store copied into PostgreSQL (run when `SUPPORTOPS_TEST_POSTGRES_URL` names a
//! server; see `supportops_store::testing`).
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use supportops_store::testing::TestDatabase;

fn supportops(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("SUPPORTOPS__STORE__URL")
        .env("NO_COLOR", "1");
    cmd
}

/// A directory with a configuration, a 60-row sheet reviewed into its SQLite store.
fn reviewed_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[sheet]\nsource = \"sheet.csv\"\n\n[store]\nurl = \"sqlite://store.db\"\n",
    )
    .unwrap();
    let out = supportops(dir.path())
        .args(["sample", "--rows", "60", "--out", "sheet.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = supportops(dir.path()).arg("review").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    dir
}

fn json(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The latest migration this build carries, from the migration files' numbers.
fn latest_migration() -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/migrations/sqlite");
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.split('_').next().and_then(|n| n.parse().ok())
        })
        .max()
        .unwrap()
}

fn rows(tables: &Value, table: &str, column: &str) -> i64 {
    tables
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("no table `{table}` in {tables}"))[column]
        .as_i64()
        .unwrap()
}

#[test]
fn check_reports_the_schema_version_integrity_and_rows_of_a_sqlite_store() {
    let dir = reviewed_store();
    let report = json(
        &supportops(dir.path())
            .args(["store", "check", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(report["backend"], "sqlite");
    assert_eq!(report["ok"], true);
    assert_eq!(report["problems"], Value::Array(vec![]));
    assert_eq!(report["schema_version"], latest_migration());
    assert_eq!(rows(&report["tables"], "responses", "rows"), 60);
    assert!(rows(&report["tables"], "review_issues", "rows") > 0);

    let out = supportops(dir.path())
        .args(["store", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("store      sqlite://store.db (sqlite)\n"),
        "{text}"
    );
    assert!(text.contains("\nintegrity  ok\n"), "{text}");
}

#[test]
fn copy_refuses_a_target_that_is_not_a_store_url() {
    let dir = reviewed_store();
    let out = supportops(dir.path())
        .args(["store", "copy", "--to", "mysql://db/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `--to mysql://db/x` is not a store URL: use `postgres://user@host/db`\n"
    );
}

#[test]
fn copying_into_postgres_twice_gives_the_same_counts_and_a_sound_store() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime.block_on(TestDatabase::create()) else {
        return;
    };
    let dir = reviewed_store();
    // Who may sign in travels too: an API token made on the embedded store.
    let made = supportops(dir.path())
        .args(["tokens", "create", "nightly", "--role", "viewer"])
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0), "{made:?}");
    let copy = || {
        json(
            &supportops(dir.path())
                .args(["store", "copy", "--to", &database.url, "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    let first = copy();
    assert_eq!(first["ok"], true);
    assert_eq!(rows(&first["tables"], "responses", "source"), 60);
    assert_eq!(rows(&first["tables"], "responses", "target"), 60);
    let second = copy();
    assert_eq!(
        second["tables"], first["tables"],
        "a second copy changes nothing"
    );

    // The copy is a working store: it checks sound, and a review on it files nothing new.
    let on_postgres = |args: &[&str]| {
        supportops(dir.path())
            .env("SUPPORTOPS__STORE__URL", &database.url)
            .args(args)
            .output()
            .unwrap()
    };
    let report = json(&on_postgres(&["store", "check", "--format", "json"]));
    assert_eq!(report["backend"], "postgres");
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["schema_version"], latest_migration());
    let issues = rows(&report["tables"], "local_issues", "rows");
    let out = on_postgres(&["review"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&on_postgres(&["store", "check", "--format", "json"]));
    assert_eq!(rows(&report["tables"], "local_issues", "rows"), issues);
    assert_eq!(rows(&report["tables"], "api_tokens", "rows"), 1);
    // The token's id sequence was moved past the copied ids: a new one can be made.
    let out = on_postgres(&["tokens", "create", "second", "--role", "editor"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed = String::from_utf8_lossy(&on_postgres(&["tokens", "list"]).stdout).into_owned();
    assert!(
        listed.contains("nightly") && listed.contains("second"),
        "{listed}"
    );
}
