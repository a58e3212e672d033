//! `supportops init`: writes the commented starter configuration, never overwriting a file
//! without `--force`.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::supportops;

#[test]
fn init_writes_the_starter_file_that_loads_back_as_the_handbook_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let out = supportops(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "wrote `supportops.toml` with the handbook's defaults; set [sheet] source and add your [[team.members]]\n"
    );
    let written = std::fs::read_to_string(dir.path().join("supportops.toml")).unwrap();
    assert_eq!(written, supportops_config::STARTER);
    let (config, _) =
        supportops_config::Config::load(Some(&dir.path().join("supportops.toml")), &[]).unwrap();
    assert_eq!(config.score, supportops_config::Config::default().score);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("supportops.toml");
    std::fs::write(&path, "# mine\n").unwrap();
    let out = supportops(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `supportops.toml` already exists; pass --force to overwrite it\n"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");

    let out = supportops(dir.path())
        .args(["init", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        supportops_config::STARTER
    );
}

#[test]
fn init_writes_where_config_points() {
    let dir = tempfile::tempdir().unwrap();
    let out = supportops(dir.path())
        .args(["init", "--config", "conf/ops.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the folder does not exist");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("error: cannot create `conf/ops.toml`")
    );

    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let out = supportops(dir.path())
        .args(["--config", "conf/ops.toml", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("conf/ops.toml").exists());
    assert!(!dir.path().join("supportops.toml").exists());
}

#[test]
fn init_writes_where_supportops_config_points_when_no_flag_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = supportops(dir.path())
        .arg("init")
        .env("SUPPORTOPS_CONFIG", "team.toml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("team.toml").exists());
    assert!(!dir.path().join("supportops.toml").exists());
}
