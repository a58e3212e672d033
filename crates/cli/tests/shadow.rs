//! `supportops shadow …` as a user runs it, with the local tracker and a SQLite store in a
//! fresh directory, the clock fixed at 2026-11-20 through `SUPPORTOPS_NOW`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const CONFIG: &str = r#"
[store]
url = "sqlite://supportops.db"

[[team.members]]
username = "amara"
name = "Amara Okafor"
timezone = "America/New_York"
hours = "09:00-17:00"

[[team.members]]
username = "bruno"
name = "Bruno Fernández"
timezone = "Europe/Madrid"
hours = "08:30-16:30"

[[team.members]]
username = "chen"
name = "Chen Wei"
timezone = "Asia/Singapore"
hours = "09:00-18:00"
away = ["2026-12"]

[[team.members]]
username = "dana"
name = "Dana Kowalski"
timezone = "Europe/Warsaw"
hours = "10:00-18:00"

[shadowing.regions.AMER]
managers = ["amer-manager"]
timezone = "America/Chicago"

[shadowing.regions.EMEA]
managers = ["emea-manager"]
timezone = "Europe/London"

[shadowing.regions.APAC]
managers = ["apac-manager"]
timezone = "Australia/Sydney"
"#;

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).expect("write the config");
    dir
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_at(dir, "2026-11-20T10:00:00Z", args)
}

/// Runs the binary as of `now`.
fn run_at(dir: &Path, now: &str, args: &[&str]) -> Output {
    let out = Command::cargo_bin("supportops")
        .expect("the binary is built")
        .current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1")
        .env("SUPPORTOPS_NOW", now)
        .args(args)
        .output()
        .expect("the binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = run(dir, args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out
}

/// Runs the binary as of `now` and expects success.
fn ok_at(dir: &Path, now: &str, args: &[&str]) -> Output {
    let out = run_at(dir, now, args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out
}

/// After every December session used in these tests.
const AFTER_DECEMBER_4: &str = "2026-12-05T09:00:00Z";

/// Records December's plan; returns each member's session id.
fn apply_december(dir: &Path) -> Vec<(String, i64)> {
    let doc = ok(
        dir,
        &[
            "shadow", "plan", "--month", "2026-12", "--apply", "--format", "json",
        ],
    )
    .json();
    doc["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            (
                s["member"].as_str().expect("member").to_owned(),
                s["id"].as_i64().expect("an id once applied"),
            )
        })
        .collect()
}

fn id_of(ids: &[(String, i64)], member: &str) -> String {
    ids.iter()
        .find(|(m, _)| m == member)
        .map(|(_, id)| id.to_string())
        .expect("the member has a session")
}

#[test]
fn plan_explains_each_choice_and_records_nothing_without_apply() {
    let dir = workdir();
    let out = ok(dir.path(), &["shadow", "plan", "--month", "2026-12"]);
    insta::assert_snapshot!(out.stdout, @"
    Proposed plan for 2026-12 (counts toward 2026-Q4); nothing is recorded until you add --apply:

      bruno (Bruno Fernández) → EMEA
          EMEA has 0 of 3 sessions arranged for 2026-Q4; bruno has never shadowed EMEA; working hours overlap by 6h30, the only region that does
      amara (Amara Okafor) → AMER
          AMER has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; amara has never shadowed AMER; working hours overlap by 7h
      dana (Dana Kowalski) → APAC
          APAC has 0 of 3 sessions arranged for 2026-Q4, the furthest behind; dana has never shadowed APAC; working hours do not overlap (10:00-18:00 Europe/Warsaw vs 09:00-17:00 Australia/Sydney)

    Not planned:
      chen: away in 2026-12

    Sessions in 2026-Q4:

     region | arranged | this plan | target 
    --------+----------+-----------+--------
     AMER   | 0        | 1         | 3      
     APAC   | 0        | 1         | 3      
     EMEA   | 0        | 1         | 3
    ");
    let list = ok(dir.path(), &["shadow", "list", "--format", "json"]);
    assert_eq!(list.json()["sessions"], serde_json::json!([]));
}

#[test]
fn applied_plans_carry_ids_and_are_not_planned_twice() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    assert_eq!(ids.len(), 3, "chen is away in December");
    let again = ok(
        dir.path(),
        &[
            "shadow", "plan", "--month", "2026-12", "--apply", "--format", "json",
        ],
    )
    .json();
    assert_eq!(again["sessions"], serde_json::json!([]));
    assert_eq!(again["arranged"].as_array().map(Vec::len), Some(3));
    let list = ok(dir.path(), &["shadow", "list"]);
    insta::assert_snapshot!(list.stdout, @"
     id | month   | member | region | state   | engineer | start | issue 
    ----+---------+--------+--------+---------+----------+-------+-------
     1  | 2026-12 | bruno  | EMEA   | planned |          |       |       
     2  | 2026-12 | amara  | AMER   | planned |          |       |       
     3  | 2026-12 | dana   | APAC   | planned |          |       |
    ");
}

#[test]
fn a_session_from_plan_to_improvement() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let bruno = id_of(&ids, "bruno");

    let scheduled = ok(
        dir.path(),
        &[
            "shadow",
            "schedule",
            &bruno,
            "--engineer",
            "sofia",
            "--at",
            "2026-12-03 10:00",
        ],
    );
    insta::assert_snapshot!(scheduled.stdout, @"
    Scheduled session 1: bruno shadows sofia in EMEA
      member's time: Thu 3 Dec 2026, 10:00–11:00 CET
      region's time: Thu 3 Dec 2026, 09:00–10:00 GMT
      issue: local://gitlab-com/support/support-ops/support-shadowing/-/issues/1
    ");
    let issue = ok(
        dir.path(),
        &[
            "issues",
            "show",
            "1",
            "--project",
            "shadowing",
            "--format",
            "json",
        ],
    )
    .json();
    let description = issue["description"].as_str().expect("a description");
    assert!(
        description.contains("@emea-manager: please help confirm @sofia for this session"),
        "{description}"
    );

    std::fs::write(dir.path().join("notes.md"), "Macros are hard to find.\n").expect("notes");
    let done = ok_at(
        dir.path(),
        AFTER_DECEMBER_4,
        &["shadow", "done", &bruno, "--notes", "notes.md"],
    );
    assert!(done.stdout.contains("is done"), "{}", done.stdout);
    let issue = ok(
        dir.path(),
        &[
            "issues",
            "show",
            "1",
            "--project",
            "shadowing",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(issue["state"], "closed");

    let improved = ok(
        dir.path(),
        &[
            "shadow",
            "improve",
            &bruno,
            "--title",
            "Searchable macros",
            "--format",
            "json",
        ],
    )
    .json();
    let filed = improved["filed"]["web_url"]
        .as_str()
        .expect("filed")
        .to_owned();
    let improvement = ok(
        dir.path(),
        &[
            "issues",
            "show",
            "1",
            "--project",
            "improvement",
            "--format",
            "json",
        ],
    )
    .json();
    assert!(
        improvement["description"]
            .as_str()
            .expect("a description")
            .contains("Found while shadowing: local://gitlab-com/support/support-ops/support-shadowing/-/issues/1"),
        "{improvement}"
    );
    let list = ok(
        dir.path(),
        &["shadow", "list", "--member", "bruno", "--format", "json"],
    )
    .json();
    assert_eq!(list["sessions"][0]["state"], "done");
    assert_eq!(list["sessions"][0]["notes"], "Macros are hard to find.\n");
    assert_eq!(
        list["sessions"][0]["improvements"][0]["web_url"],
        filed.as_str()
    );
}

#[test]
fn a_dry_run_shows_the_issue_and_changes_nothing() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let amara = id_of(&ids, "amara");
    let out = ok(
        dir.path(),
        &[
            "shadow",
            "schedule",
            &amara,
            "--at",
            "2026-12-07 11:00",
            "--dry-run",
        ],
    );
    assert!(
        out.stdout.contains("Would file in project"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("@amer-manager: please help find a Support Engineer in AMER"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("no engineer given"), "{}", out.stderr);
    let issues = ok(
        dir.path(),
        &[
            "issues",
            "list",
            "--project",
            "shadowing",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(issues["issues"], serde_json::json!([]));
    let list = ok(
        dir.path(),
        &["shadow", "list", "--member", "amara", "--format", "json"],
    )
    .json();
    assert_eq!(list["sessions"][0]["state"], "planned");
}

#[test]
fn coverage_warns_when_the_quarter_can_no_longer_be_met() {
    let dir = workdir();
    // The team tracked the whole quarter: October counts.
    std::fs::write(
        dir.path().join("supportops.toml"),
        format!("[team]\nsince = \"2026-10\"\n{CONFIG}"),
    )
    .expect("write the config");
    let ids = apply_december(dir.path());
    for (_, id) in &ids {
        let id = id.to_string();
        ok(
            dir.path(),
            &[
                "shadow",
                "schedule",
                &id,
                "--engineer",
                "eve",
                "--at",
                "2026-12-04 15:00",
                "--zone",
                "UTC",
                "--force",
            ],
        );
        ok_at(dir.path(), AFTER_DECEMBER_4, &["shadow", "done", &id]);
    }
    let table = ok(dir.path(), &["shadow", "coverage"]);
    insta::assert_snapshot!(table.stdout, @r"
    2026-Q4 (current): target 3 sessions per region

     region | done | scheduled | planned | overdue | target | status 
    --------+------+-----------+---------+---------+--------+--------
     AMER   | 1    | 0         | 0       | 0       | 3      | open   
     APAC   | 1    | 0         | 0       | 0       | 3      | open   
     EMEA   | 1    | 0         | 0       | 0       | 3      | open   

     member | Oct    | Nov  | Dec       
    --------+--------+------+-----------
     amara  | missed | open | done AMER 
     bruno  | missed | open | done EMEA 
     chen   | missed | open | away      
     dana   | missed | open | done APAC 
    warning: the team cannot cover every region in 2026-Q4 any more: the regions need 6 more sessions but only 4 free member-months are left
    ");
    let json = ok(
        dir.path(),
        &[
            "shadow", "coverage", "--period", "2026-Q4", "--format", "json",
        ],
    );
    insta::assert_json_snapshot!(json.json(), @r#"
    {
      "per_member_per_month": 1,
      "period_kind": "quarter",
      "periods": [
        {
          "free_member_months": 4,
          "members": [
            {
              "member": "amara",
              "months": [
                {
                  "month": "2026-10",
                  "sessions": [],
                  "status": "missed"
                },
                {
                  "month": "2026-11",
                  "sessions": [],
                  "status": "open"
                },
                {
                  "month": "2026-12",
                  "sessions": [
                    {
                      "id": 2,
                      "region": "AMER",
                      "state": "done"
                    }
                  ],
                  "status": "shadowed"
                }
              ],
              "name": "Amara Okafor"
            },
            {
              "member": "bruno",
              "months": [
                {
                  "month": "2026-10",
                  "sessions": [],
                  "status": "missed"
                },
                {
                  "month": "2026-11",
                  "sessions": [],
                  "status": "open"
                },
                {
                  "month": "2026-12",
                  "sessions": [
                    {
                      "id": 1,
                      "region": "EMEA",
                      "state": "done"
                    }
                  ],
                  "status": "shadowed"
                }
              ],
              "name": "Bruno Fernández"
            },
            {
              "member": "chen",
              "months": [
                {
                  "month": "2026-10",
                  "sessions": [],
                  "status": "missed"
                },
                {
                  "month": "2026-11",
                  "sessions": [],
                  "status": "open"
                },
                {
                  "month": "2026-12",
                  "sessions": [],
                  "status": "away"
                }
              ],
              "name": "Chen Wei"
            },
            {
              "member": "dana",
              "months": [
                {
                  "month": "2026-10",
                  "sessions": [],
                  "status": "missed"
                },
                {
                  "month": "2026-11",
                  "sessions": [],
                  "status": "open"
                },
                {
                  "month": "2026-12",
                  "sessions": [
                    {
                      "id": 3,
                      "region": "APAC",
                      "state": "done"
                    }
                  ],
                  "status": "shadowed"
                }
              ],
              "name": "Dana Kowalski"
            }
          ],
          "months": [
            "2026-10",
            "2026-11",
            "2026-12"
          ],
          "period": "2026-Q4",
          "regions": [
            {
              "done": 1,
              "overdue": 0,
              "planned": 0,
              "reachable": 5,
              "region": "AMER",
              "scheduled": 0,
              "status": "open",
              "target": 3
            },
            {
              "done": 1,
              "overdue": 0,
              "planned": 0,
              "reachable": 5,
              "region": "APAC",
              "scheduled": 0,
              "status": "open",
              "target": 3
            },
            {
              "done": 1,
              "overdue": 0,
              "planned": 0,
              "reachable": 5,
              "region": "EMEA",
              "scheduled": 0,
              "status": "open",
              "target": 3
            }
          ],
          "target_per_region": 3,
          "timing": "current",
          "warnings": [
            {
              "message": "the team cannot cover every region in 2026-Q4 any more: the regions need 6 more sessions but only 4 free member-months are left",
              "region": null
            }
          ]
        }
      ],
      "since": "2026-10",
      "target_per_region": 3,
      "today": "2026-11-20",
      "warnings": [
        {
          "message": "the team cannot cover every region in 2026-Q4 any more: the regions need 6 more sessions but only 4 free member-months are left",
          "period": "2026-Q4",
          "region": null
        }
      ]
    }
    "#);
}

#[test]
fn bad_input_names_the_problem_and_exits_2() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let amara = id_of(&ids, "amara");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["shadow", "schedule", "99", "--at", "2026-12-03 10:00"],
            "there is no shadowing session 99; `supportops shadow list` shows the sessions",
        ),
        (
            vec!["shadow", "schedule", &amara, "--at", "3 Dec, 10am"],
            "`3 Dec, 10am` is not a date and time; expected `YYYY-MM-DD HH:MM`",
        ),
        (
            vec![
                "shadow",
                "schedule",
                &amara,
                "--at",
                "2027-03-14 02:30",
                "--zone",
                "America/New_York",
            ],
            "`2027-03-14 02:30` does not exist or happens twice in `America/New_York`",
        ),
        (
            vec![
                "shadow",
                "schedule",
                &amara,
                "--at",
                "2026-12-03 10:00",
                "--zone",
                "EST5",
            ],
            "`EST5` is not a known IANA time zone",
        ),
        (
            vec!["shadow", "done", &amara],
            "is planned, so it cannot become done; schedule it first",
        ),
        (
            vec!["shadow", "improve", &amara, "--title", "x"],
            "improvements are filed from scheduled or done sessions, so schedule it first",
        ),
        (
            vec!["shadow", "plan", "--assign", "amara=LATAM"],
            "`LATAM` is not a region; known regions: AMER, APAC, EMEA",
        ),
        (
            vec!["shadow", "coverage", "--period", "Q4"],
            "`Q4` is not a period",
        ),
        (
            vec!["shadow", "done", &amara, "--notes", "missing.md"],
            "cannot read the notes file `missing.md`",
        ),
    ];
    for (args, expected) in cases {
        let out = run(dir.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
    }
    let list = ok(dir.path(), &["shadow", "list", "--format", "json"]).json();
    assert!(
        list["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .all(|s| s["state"] == "planned"),
        "nothing changed: {list}"
    );
}

#[test]
fn without_a_team_the_planner_says_what_to_configure() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = run(dir.path(), &["shadow", "plan"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "error: no Support Ops members are configured; add `[[team.members]]` entries (username, \
         timezone, hours) to the configuration, as `supportops init` shows\n"
    );
    let out = run(dir.path(), &["--config", "nope.toml", "shadow", "coverage"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn commands_that_file_in_gitlab_need_its_token_before_opening_the_store() {
    let dir = workdir();
    for args in [
        &["shadow", "schedule", "1", "--at", "2026-12-03 10:00"][..],
        &["shadow", "done", "1"],
        &["shadow", "cancel", "1", "--reason", "ill"],
    ] {
        let out = Command::cargo_bin("supportops")
            .expect("the binary is built")
            .current_dir(dir.path())
            .env_remove("SUPPORTOPS_CONFIG")
            .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
            .env("SUPPORTOPS__TRACKER__TOKEN_ENV", "SHADOW_TOKEN")
            .env_remove("SHADOW_TOKEN")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("the binary runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: the GitLab token is missing: set the environment variable `SHADOW_TOKEN` \
             (named by config key `tracker.token_env`) to a token with the `api` scope\n",
            "{args:?}"
        );
        assert!(
            !dir.path().join("supportops.db").exists(),
            "{args:?} made a store"
        );
    }
}

#[test]
fn a_start_without_a_time_is_refused_and_a_time_outside_hours_needs_force() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let bruno = id_of(&ids, "bruno");

    let bare = run(
        dir.path(),
        &["shadow", "schedule", &bruno, "--at", "2026-12-03"],
    );
    assert_eq!(bare.code, 2, "{}", bare.stderr);
    insta::assert_snapshot!(bare.stderr, @r"
    error: cannot schedule session 1
      caused by: `2026-12-03` is a date without a time; write the start as `YYYY-MM-DD HH:MM`, e.g. `2026-12-03 15:00`
    ");

    // 20:00 in Madrid is after bruno's day and after London's.
    let late = run(
        dir.path(),
        &["shadow", "schedule", &bruno, "--at", "2026-12-03 20:00"],
    );
    assert_eq!(late.code, 2, "{}", late.stderr);
    insta::assert_snapshot!(late.stderr, @r"
    error: cannot schedule session 1
      caused by: Thu 3 Dec 2026, 20:00–21:00 CET is outside bruno's working hours (08:30-16:30 Europe/Madrid) and EMEA's working hours (09:00-17:00 Europe/London); pick a time inside them, or add `--force` to keep this one
    ");
    // Nothing was filed or recorded.
    let listed = ok(dir.path(), &["shadow", "list", "--format", "json"]).json();
    assert!(
        listed["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .all(|s| s["state"] == "planned"),
        "{listed}"
    );

    let forced = ok(
        dir.path(),
        &[
            "shadow",
            "schedule",
            &bruno,
            "--at",
            "2026-12-03 20:00",
            "--force",
        ],
    );
    assert!(
        forced.stderr.contains("kept with --force"),
        "{}",
        forced.stderr
    );
}

#[test]
fn a_scheduled_session_is_rescheduled_with_a_note_not_a_second_issue() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let bruno = id_of(&ids, "bruno");
    ok(
        dir.path(),
        &["shadow", "schedule", &bruno, "--at", "2026-12-03 10:00"],
    );

    let moved = ok(
        dir.path(),
        &["shadow", "reschedule", &bruno, "--at", "2026-12-10 11:00"],
    );
    insta::assert_snapshot!(moved.stdout, @r"
    Moved session 1 (bruno shadows in EMEA) to:
      member's time: Thu 10 Dec 2026, 11:00–12:00 CET
      region's time: Thu 10 Dec 2026, 10:00–11:00 GMT
      add a note with the new time to local://gitlab-com/support/support-ops/support-shadowing/-/issues/1
    ");
    let notes = ok(
        dir.path(),
        &[
            "issues",
            "show",
            "1",
            "--project",
            "shadowing",
            "--format",
            "json",
        ],
    )
    .json();
    let text = notes.to_string();
    assert!(text.contains("Thu 10 Dec 2026, 11:00–12:00 CET"), "{text}");
    assert!(text.contains("Thu 10 Dec 2026, 10:00–11:00 GMT"), "{text}");
    // Still one shadowing issue.
    let missing = run(
        dir.path(),
        &["issues", "show", "2", "--project", "shadowing"],
    );
    assert_ne!(missing.code, 0, "{}", missing.stdout);
    let listed = ok(
        dir.path(),
        &["shadow", "list", "--member", "bruno", "--format", "json"],
    )
    .json();
    assert_eq!(listed["sessions"][0]["start"], "2026-12-10T10:00:00Z");
    assert_eq!(listed["sessions"][0]["state"], "scheduled");

    // Running it again adds no second note.
    ok(
        dir.path(),
        &["shadow", "reschedule", &bruno, "--at", "2026-12-10 11:00"],
    );
    let again = ok(
        dir.path(),
        &[
            "issues",
            "show",
            "1",
            "--project",
            "shadowing",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(
        again.to_string().matches("Rescheduled.").count(),
        1,
        "{again}"
    );

    let planned = id_of(&ids, "amara");
    let not_yet = run(
        dir.path(),
        &["shadow", "reschedule", &planned, "--at", "2026-12-10 11:00"],
    );
    assert_eq!(not_yet.code, 2);
    assert!(
        not_yet
            .stderr
            .contains("give it one with `supportops shadow schedule`"),
        "{}",
        not_yet.stderr
    );
    let bare = run(
        dir.path(),
        &["shadow", "reschedule", &bruno, "--at", "2026-12-11"],
    );
    assert_eq!(bare.code, 2);
    assert!(
        bare.stderr.contains("a date without a time"),
        "{}",
        bare.stderr
    );
}

#[test]
fn a_session_cannot_be_done_before_it_starts() {
    let dir = workdir();
    let ids = apply_december(dir.path());
    let bruno = id_of(&ids, "bruno");
    ok(
        dir.path(),
        &["shadow", "schedule", &bruno, "--at", "2026-12-03 10:00"],
    );
    let early = run(dir.path(), &["shadow", "done", &bruno]);
    assert_eq!(early.code, 2);
    insta::assert_snapshot!(early.stderr, @r#"
    error: cannot record session 1 as done
      caused by: session 1 starts Thu 3 Dec 2026, 09:00–10:00 UTC, so it cannot be done yet; record it after it has taken place, or move it with `supportops shadow reschedule 1 --at "YYYY-MM-DD HH:MM"`
    "#);
    let listed = ok(
        dir.path(),
        &["shadow", "list", "--member", "bruno", "--format", "json"],
    )
    .json();
    assert_eq!(listed["sessions"][0]["state"], "scheduled");
    ok_at(dir.path(), AFTER_DECEMBER_4, &["shadow", "done", &bruno]);
}

#[test]
fn listing_a_member_who_is_not_in_the_team_says_so() {
    let dir = workdir();
    apply_december(dir.path());
    let zed = run(dir.path(), &["shadow", "list", "--member", "zed"]);
    assert_eq!(zed.code, 2);
    insta::assert_snapshot!(zed.stderr, @r"error: `zed` is not in `[[team.members]]` (members: `amara`, `bruno`, `chen`, `dana`); check the username");
    let none = ok(dir.path(), &["shadow", "list", "--member", "chen"]);
    assert!(
        none.stdout.contains("No shadowing sessions"),
        "{}",
        none.stdout
    );
}

#[test]
fn on_day_one_coverage_calls_no_month_missed_and_lists_overdue_sessions() {
    let dir = workdir();
    // Day one: the team plans December on 20 November.
    let ids = apply_december(dir.path());
    let table = ok(dir.path(), &["shadow", "coverage"]);
    insta::assert_snapshot!(table.stdout, @r"
    2026-Q4 (current): target 2 sessions per region (its share of 3: the team tracks from 2026-11, `team.since`)

     region | done | scheduled | planned | overdue | target | status 
    --------+------+-----------+---------+---------+--------+--------
     AMER   | 0    | 0         | 1       | 0       | 2      | open   
     APAC   | 0    | 0         | 1       | 0       | 2      | open   
     EMEA   | 0    | 0         | 1       | 0       | 2      | open   

     member | Oct | Nov  | Dec          
    --------+-----+------+--------------
     amara  | -   | open | planned AMER 
     bruno  | -   | open | planned EMEA 
     chen   | -   | open | away         
     dana   | -   | open | planned APAC
    ");
    assert!(!table.stdout.contains("missed"), "{}", table.stdout);
    assert!(!table.stdout.contains("warning"), "{}", table.stdout);

    // A session past its end and never recorded done is overdue, not scheduled or done.
    let bruno = id_of(&ids, "bruno");
    ok(
        dir.path(),
        &["shadow", "schedule", &bruno, "--at", "2026-12-03 10:00"],
    );
    let later = "2026-12-10T09:00:00Z";
    let listed = ok_at(dir.path(), later, &["shadow", "list", "--member", "bruno"]);
    assert!(listed.stdout.contains("| overdue "), "{}", listed.stdout);
    let doc = ok_at(
        dir.path(),
        later,
        &["shadow", "list", "--member", "bruno", "--format", "json"],
    )
    .json();
    assert_eq!(doc["sessions"][0]["overdue"], true);
    assert_eq!(doc["sessions"][0]["state"], "scheduled");
    let coverage = ok_at(
        dir.path(),
        later,
        &["shadow", "coverage", "--format", "json"],
    )
    .json();
    let emea = coverage["periods"][0]["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|r| r["region"] == "EMEA")
        .expect("EMEA")
        .clone();
    assert_eq!(
        (emea["done"].as_u64(), emea["overdue"].as_u64()),
        (Some(0), Some(1))
    );

    // `team.since` must be a month.
    std::fs::write(
        dir.path().join("supportops.toml"),
        format!("[team]\nsince = \"Nov 2026\"\n{CONFIG}"),
    )
    .expect("write the config");
    let bad = run(dir.path(), &["shadow", "coverage"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("`team.since`"), "{}", bad.stderr);
}
