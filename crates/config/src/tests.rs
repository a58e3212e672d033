//! The configuration's unit tests: defaults, files, variables and their errors.

use super::*;

#[test]
fn the_starter_file_is_the_defaults_plus_an_example_team() {
    let c = Config::from_toml(STARTER, "starter", &[]).unwrap();
    assert_eq!(c.score, Config::default().score);
    assert_eq!(c.sheet, Config::default().sheet);
    assert_eq!(c.sync, Config::default().sync);
    assert_eq!(c.notify, Config::default().notify);
}

#[test]
fn unknown_keys_are_named() {
    let err = Config::from_toml("[score]\nformla = \"=1\"\n", "x.toml", &[]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("formla"), "{msg}");
    assert!(msg.contains("x.toml"), "{msg}");
}

#[test]
fn environment_overrides_the_file() {
    let env = vec![
        (
            "SUPPORTOPS__TRACKER__URL".to_string(),
            "https://gitlab.example.com".to_string(),
        ),
        (
            "SUPPORTOPS__SCORE__BANDS__GREEN".to_string(),
            "3".to_string(),
        ),
    ];
    let c = Config::from_toml("[tracker]\nurl = \"https://a\"\n", "x", &env).unwrap();
    assert_eq!(c.tracker.url, "https://gitlab.example.com");
    assert_eq!(c.score.bands.green, 3.0);
}

#[test]
fn a_mistyped_environment_variable_is_named() {
    let env = vec![
        (
            "SUPPORTOPS__TRACKER__URL".to_string(),
            "https://gitlab.example.com".to_string(),
        ),
        (
            "SUPPORTOPS__TRACKER__TOKNE_ENV".to_string(),
            "T".to_string(),
        ),
    ];
    let err = Config::from_toml("[tracker]\nurl = \"https://a\"\n", "x.toml", &env)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("invalid config in `SUPPORTOPS__TRACKER__TOKNE_ENV`: "),
        "{err}"
    );
    assert!(err.contains("`tokne_env`"), "{err}");
    // A fault in the file is still the file's.
    let err = Config::from_toml("[tracker]\nulr = 1\n", "x.toml", &env)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("invalid config in `x.toml`: "), "{err}");
}

#[test]
fn the_file_given_wins_over_supportops_config() {
    let dir = tempfile::tempdir().unwrap();
    let given = dir.path().join("given.toml");
    let named = dir.path().join("named.toml");
    std::fs::write(&given, "[tracker]\nurl = \"https://given\"\n").unwrap();
    std::fs::write(&named, "[tracker]\nurl = \"https://named\"\n").unwrap();
    let env = vec![("SUPPORTOPS_CONFIG".to_string(), named.display().to_string())];

    let (c, origin) = Config::load(Some(&given), &env).unwrap();
    assert_eq!(c.tracker.url, "https://given");
    assert_eq!(origin, Origin::File(given.clone()));

    let (c, origin) = Config::load(None, &env).unwrap();
    assert_eq!(c.tracker.url, "https://named");
    assert_eq!(origin, Origin::File(named.clone()));

    // A variable overrides whichever file won.
    let mut env = env;
    env.push((
        "SUPPORTOPS__TRACKER__URL".to_string(),
        "https://variable".to_string(),
    ));
    let (c, _) = Config::load(Some(&given), &env).unwrap();
    assert_eq!(c.tracker.url, "https://variable");

    // A file named but missing is an error naming it, not the defaults.
    let missing = dir.path().join("missing.toml");
    let err = Config::load(Some(&missing), &[]).unwrap_err().to_string();
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn timeouts_that_cannot_work_are_refused_naming_the_key() {
    for (text, env, key) in [
        (
            "[tracker]\ntimeout_seconds = 0\n",
            vec![],
            "tracker.timeout_seconds",
        ),
        (
            "[tracker]\ntimeout_seconds = -5\n",
            vec![],
            "tracker.timeout_seconds",
        ),
        (
            "",
            vec![(
                "SUPPORTOPS__TRACKER__MAX_RETRIES".to_owned(),
                "-1".to_owned(),
            )],
            "tracker.max_retries",
        ),
        (
            "[shadowing]\nlength_minutes = 0\n",
            vec![],
            "shadowing.length_minutes",
        ),
        (
            "[sync.monthly]\nneglected_after_days = -3\n",
            vec![],
            "sync.monthly.neglected_after_days",
        ),
    ] {
        let err = Config::from_toml(text, "x.toml", &env).unwrap_err();
        assert!(
            matches!(&err, ConfigError::Value { key: k, .. } if k == key),
            "{text} {env:?}: {err}"
        );
    }
    let err = Config::from_toml("[tracker]\ntimeout_seconds = 0\n", "x", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config key `tracker.timeout_seconds`: a zero timeout makes every request \
         fail; give the seconds a GitLab request may take, e.g. 30"
    );
    // Zero retries works: one attempt, no retry.
    let c = Config::from_toml("[tracker]\nmax_retries = 0\n", "x", &[]).unwrap();
    assert_eq!(c.tracker.max_retries, 0);
}

#[test]
fn the_removed_shadowing_chat_key_points_to_notify() {
    let err =
        Config::from_toml("[shadowing]\nchat_webhook_env = \"HOOK\"\n", "x.toml", &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config key `shadowing.chat_webhook_env`: this key was removed; chat \
         messages are set up in `[notify]` now: move it there as \
         `[notify] chat_webhook_env = \"…\"`"
    );
    let c = Config::from_toml("[notify]\nchat_webhook_env = \"HOOK\"\n", "x", &[]).unwrap();
    assert_eq!(c.notify.chat_webhook_env.as_deref(), Some("HOOK"));
    assert_eq!(c.notify.events.len(), 3);
}

#[test]
fn notify_refuses_a_url_in_the_file_and_unknown_events() {
    let err = Config::from_toml(
        "[notify]\nchat_webhook_env = \"https://hooks.slack.com/services/T/B/X\"\n",
        "x",
        &[],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("`notify.chat_webhook_env`"),
        "{err}"
    );
    let err = Config::from_toml("[notify]\nevents = [\"flagged\"]\n", "x", &[]).unwrap_err();
    assert!(
        err.to_string()
            .contains("`flagged` is not an event; choose from flagged_response"),
        "{err}"
    );
}

#[test]
fn bad_values_name_the_key() {
    let err = Config::from_toml("[score.bands]\ngreen = 0\nyellow = 1\n", "x", &[]).unwrap_err();
    assert!(err.to_string().contains("score.bands.green"), "{err}");
}

#[test]
fn the_demo_config_loads_with_a_team() {
    let text = include_str!("../../../examples/demo.toml");
    let c = Config::from_toml(text, "examples/demo.toml", &[]).unwrap();
    assert_eq!(c.team.members.len(), 4);
    assert_eq!(c.review.assignees.len(), 4);
}
