//! `supportops sync …` as a user runs it: in a fresh directory with a `supportops.toml` naming
//! a team, the local tracker and a SQLite store, and the clock fixed by `SUPPORTOPS_NOW`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const CONFIG: &str = r#"
[[team.members]]
username = "amara"
timezone = "America/New_York"
hours = "09:00-17:00"

[[team.members]]
username = "dana"
timezone = "Europe/Berlin"
hours = "09:00-17:00"
"#;

/// Two flagged responses about one issue, one about a merge request.
const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/g/zendesk/-/issues/12,It was not solved,Collaboration,Macros wrong,1,amy@example.com,AMER,\r
2/5/2026 11:30:00,https://gitlab.com/g/zendesk/issues/12#note_9,It was not solved,Results,Slow,3,cy@example.com,APAC,\r
2/6/2026 12:00:00,https://gitlab.com/g/zendesk/-/merge_requests/7,It was not solved,Efficiency,,2,di@example.com,AMER,\r
";

/// Wednesday 2026-11-25, 10:00 UTC.
const NOW: &str = "2026-11-25T10:00:00Z";

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("supportops.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("feedback.csv"), SHEET).unwrap();
    dir
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_at(dir: &Path, now: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::cargo_bin("supportops").unwrap();
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("SUPPORTOPS_NOW")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1");
    if let Some(now) = now {
        cmd.env("SUPPORTOPS_NOW", now);
    }
    let out = cmd.args(args).output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_at(dir, Some(NOW), args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(dir, args)).unwrap()
}

#[test]
fn next_lists_the_weekly_and_monthly_syncs_in_everyones_time() {
    let dir = workdir();
    insta::assert_snapshot!(ok(dir.path(), &["sync", "next", "--count", "3"]), @r#"
     date       | sync    | start (UTC) | status                             | amara     | dana      
    ------------+---------+-------------+------------------------------------+-----------+-----------
     2026-12-01 | weekly  | Tue 14:30   | scheduled                          | Tue 09:30 | Tue 15:30 
     2026-12-01 | monthly | Tue 15:00   | scheduled, follows the weekly sync | Tue 10:00 | Tue 16:00 
     2026-12-08 | weekly  | Tue 14:30   | scheduled                          | Tue 09:30 | Tue 15:30 

    Members' columns show their local time; (off) is outside their working hours.
    Move or cancel one sync by its date: `supportops sync move DATE --to "YYYY-MM-DD HH:MM"` (add `--monthly` for the monthly one).
    "#);
}

#[test]
fn next_as_json_names_each_meeting_by_its_date() {
    let dir = workdir();
    let doc = json(dir.path(), &["sync", "next", "-n", "2", "--format", "json"]);
    let first = &doc["meetings"][0];
    assert_eq!(first["kind"], "weekly");
    assert_eq!(first["date"], "2026-12-01");
    assert_eq!(first["status"], "scheduled");
    assert_eq!(first["start_utc"], "2026-12-01T14:30:00Z");
    assert_eq!(first["members"][0]["username"], "amara");
    assert_eq!(
        first["members"][0]["local"],
        "2026-12-01T09:30:00-05:00[America/New_York]"
    );
    assert_eq!(first["members"][0]["fit"], "inside");
    assert_eq!(doc["meetings"][1]["relation"], "follows_weekly");
}

#[test]
fn moves_and_cancellations_show_in_next_and_bad_dates_change_nothing() {
    let dir = workdir();
    let moved = ok(
        dir.path(),
        &["sync", "move", "2026-12-08", "--to", "2026-12-09 15:00"],
    );
    insta::assert_snapshot!(moved, @r"
    Moved the Support Ops weekly sync of 2026-12-08 (Tue 2026-12-08 14:30 UTC) to Wed 2026-12-09 15:00 UTC.
      amara        Wed 10:00
      dana         Wed 16:00
    ");
    ok(dir.path(), &["sync", "cancel", "2026-12-15"]);

    let wrong = run(dir.path(), &["sync", "cancel", "2026-12-16"]);
    assert_eq!(wrong.code, 2);
    insta::assert_snapshot!(wrong.stderr, @r"
    error: cannot cancel the weekly sync of `2026-12-16`
      caused by: `2026-12-16` is not a weekly sync date: the series meets on Tuesdays then (nearest: `2026-12-15` and `2026-12-22`)
    ");
    let garbled = run(dir.path(), &["sync", "move", "2026-12-22", "--to", "soon"]);
    assert_eq!(garbled.code, 2);
    assert!(
        garbled.stderr.contains("expected \"YYYY-MM-DD HH:MM\""),
        "{}",
        garbled.stderr
    );

    // Five meetings: four weekly syncs (one cancelled) and the monthly sync of 2026-12-01.
    let doc = json(dir.path(), &["sync", "next", "-n", "5", "--format", "json"]);
    let weekly: Vec<(String, String, String)> = doc["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "weekly")
        .map(|m| {
            (
                m["date"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
                m["start_utc"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |d: &str, s: &str, t: &str| (d.to_owned(), s.to_owned(), t.to_owned());
    assert_eq!(
        weekly,
        [
            expect("2026-12-01", "scheduled", "2026-12-01T14:30:00Z"),
            expect("2026-12-08", "moved", "2026-12-09T15:00:00Z"),
            expect("2026-12-15", "cancelled", "2026-12-15T14:30:00Z"),
            expect("2026-12-22", "scheduled", "2026-12-22T14:30:00Z"),
        ]
    );
}

#[test]
fn a_reschedule_moves_the_series_from_its_date_and_keeps_the_past() {
    let dir = workdir();
    let out = ok(
        dir.path(),
        &[
            "sync",
            "reschedule",
            "--weekday",
            "thursday",
            "--time",
            "16:00",
            "--from",
            "2026-12-07",
            "--timezone",
            "Europe/Berlin",
        ],
    );
    insta::assert_snapshot!(out, @r"
    From 2026-12-07 the Support Ops weekly sync meets on Thursdays at 16:00 Europe/Berlin for 30 minutes; earlier syncs keep their time.

    Next:
      Thu 2026-12-10 16:00 CET
      Thu 2026-12-17 16:00 CET
      Thu 2026-12-24 16:00 CET
    ");
    // Three meetings: the weekly sync of 2026-12-01, the monthly sync after it, the Thursday.
    let doc = json(dir.path(), &["sync", "next", "-n", "3", "--format", "json"]);
    let starts: Vec<&str> = doc["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "weekly")
        .map(|m| m["start_utc"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["2026-12-01T14:30:00Z", "2026-12-10T15:00:00Z"]);

    let past = run(
        dir.path(),
        &[
            "sync",
            "reschedule",
            "--weekday",
            "friday",
            "--time",
            "09:00",
            "--from",
            "2026-11-01",
        ],
    );
    assert_eq!(past.code, 2);
    assert!(
        past.stderr.contains("choose today (`2026-11-25`) or later"),
        "{}",
        past.stderr
    );
    let zone = run(
        dir.path(),
        &[
            "sync",
            "reschedule",
            "--weekday",
            "friday",
            "--time",
            "09:00",
            "--from",
            "2027-01-01",
            "--timezone",
            "Mars/Olympus",
        ],
    );
    assert_eq!(zone.code, 2);
    assert!(
        zone.stderr.contains("unknown time zone `Mars/Olympus`"),
        "{}",
        zone.stderr
    );
}

#[test]
fn slots_list_the_times_that_suit_new_york_and_berlin() {
    let dir = workdir();
    let out = ok(
        dir.path(),
        &["sync", "slots", "--week", "2027-01-13", "--count", "4"],
    );
    insta::assert_snapshot!(out, @r"
    Weekly 30-minute slots in the week of 2027-01-11 (UTC), where all 2 members are inside their working hours, best first:

     # | slot      | comfortable | from current | amara     | dana      | note                                   
    ---+-----------+-------------+--------------+-----------+-----------+----------------------------------------
     1 | Tue 14:30 | 1/2         | current      | Tue 09:30 | Tue 15:30 |                                        
     2 | Tue 14:00 | 1/2         | 30m          | Tue 09:00 | Tue 15:00 |                                        
     3 | Tue 15:00 | 1/2         | 30m          | Tue 10:00 | Tue 16:00 | from 2027-03-30 outside hours for dana 
     4 | Tue 15:30 | 1/2         | 1h           | Tue 10:30 | Tue 16:30 | from 2027-03-30 outside hours for dana 

    comfortable: members an hour or more inside both ends of their day. Move the series with `supportops sync reschedule --weekday DAY --time HH:MM --from DATE`.
    ");
    let doc = json(
        dir.path(),
        &[
            "sync",
            "slots",
            "--week",
            "2027-01-13",
            "--length",
            "1h",
            "--count",
            "50",
            "--format",
            "json",
        ],
    );
    assert_eq!(doc["length_minutes"], 60);
    assert_eq!(doc["everyone_fits"], true);
    // The overlap is 14:00–16:00 UTC: an hour fits from 14:00, 14:30 and 15:00, five days.
    assert_eq!(doc["slots"].as_array().unwrap().len(), 15);
    assert_eq!(doc["slots"][0]["rank"], 1);
    assert_eq!(doc["slots"][0]["outside"], serde_json::json!([]));
    let bad = run(dir.path(), &["sync", "slots", "--length", "a while"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn slots_need_a_team() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["sync", "slots"]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(out.stderr, @r"
    error: cannot look for weekly slots
      caused by: invalid config key `team.members`: no team members are configured; add [[team.members]] entries with a timezone and hours
    ");
}

#[test]
fn bad_sync_settings_name_their_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("supportops.toml"),
        "[sync.monthly]\nrule = \"fifth monday\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["sync", "next"]);
    assert_eq!(out.code, 2);
    insta::assert_snapshot!(out.stderr, @r"
    error: cannot use the sync settings
      caused by: invalid config key `sync.monthly.rule`: `fifth monday` is not a monthly rule: not every month has a fifth one; use `last …` for the last of the month
    ");
}

#[test]
fn ics_writes_a_calendar_to_standard_output_or_a_file() {
    let dir = workdir();
    ok(dir.path(), &["sync", "cancel", "2026-12-15"]);
    let text = ok(dir.path(), &["sync", "ics"]);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains("EXDATE:20261215T143000Z\r\n"), "{text}");
    assert!(text.contains("RRULE:FREQ=MONTHLY;BYDAY=1TU\r\n"), "{text}");
    ok(dir.path(), &["sync", "ics", "--output", "team.ics"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("team.ics")).unwrap(),
        text
    );
}

#[test]
fn the_monthly_sync_agenda_held_and_outcomes_with_the_local_tracker() {
    let dir = workdir();
    // The local tracker stamps issues with the real clock, so these steps run at real time
    // and name the meeting dates; the agenda is for a meeting far ahead.
    let live = |args: &[&str]| {
        let out = run_at(dir.path(), None, args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    };
    live(&["review", "feedback.csv"]);

    let outcome = live(&["sync", "outcome", "#1", "not-resolved", "--format", "json"]);
    let outcome: Value = serde_json::from_str(&outcome).unwrap();
    assert_eq!(outcome["outcome"], "not_resolved");
    assert_eq!(outcome["label"], "review-outcome::not-resolved");
    live(&["sync", "outcome", "1", "resolved"]);
    let shown: Value =
        serde_json::from_str(&live(&["issues", "show", "1", "--format", "json"])).unwrap();
    let labels: Vec<&str> = shown["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Feedback Review", "review-outcome::resolved"]);

    let agenda = live(&["sync", "agenda", "--date", "2099-01-06", "--format", "json"]);
    let agenda: Value = serde_json::from_str(&agenda).unwrap();
    assert_eq!(agenda["since"]["kind"], "scheduled");
    assert_eq!(agenda["since"]["date"], "2098-12-02");
    let past: Vec<(u64, Value)> = agenda["past_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["iid"].as_u64().unwrap(), i["outcome"].clone()))
        .collect();
    assert_eq!(past, [(1, Value::from("resolved")), (2, Value::Null)]);
    assert_eq!(agenda["past_issues"][0]["responses"], 2);
    assert_eq!(agenda["filed"], Value::Null);

    let filed = run_at(
        dir.path(),
        None,
        &["sync", "agenda", "--date", "2099-01-06", "--file-issue"],
    );
    assert_eq!(filed.code, 0, "{}", filed.stderr);
    assert!(
        filed
            .stdout
            .starts_with("# Support Ops monthly sync: Tuesday 2099-01-06\n")
    );
    assert!(
        filed.stderr.starts_with("Filed the agenda as #3: local://"),
        "{}",
        filed.stderr
    );

    let held = live(&["sync", "held", "--not-discussed", "2"]);
    assert!(
        held.contains("1 of 2 agenda items discussed; #2 carries forward"),
        "{held}"
    );
    let not_a_review = run_at(dir.path(), None, &["sync", "outcome", "3", "resolved"]);
    assert_eq!(not_a_review.code, 2);
    assert!(
        not_a_review
            .stderr
            .contains("is not a Feedback Review issue"),
        "{}",
        not_a_review.stderr
    );
    let missing = run_at(dir.path(), None, &["sync", "outcome", "42", "resolved"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
}

#[test]
fn commands_that_use_gitlab_need_its_token_before_opening_the_store() {
    let dir = workdir();
    for args in [
        &["sync", "agenda"][..],
        &["sync", "held", "--not-discussed", "2"],
        &["sync", "outcome", "3", "resolved"],
    ] {
        let out = Command::cargo_bin("supportops")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("SUPPORTOPS_CONFIG")
            .env("SUPPORTOPS__TRACKER__KIND", "gitlab")
            .env("SUPPORTOPS__TRACKER__TOKEN_ENV", "SYNC_TOKEN")
            .env_remove("SYNC_TOKEN")
            .env("NO_COLOR", "1")
            .env("SUPPORTOPS_NOW", NOW)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: the GitLab token is missing: set the environment variable `SYNC_TOKEN` \
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
fn a_move_to_a_date_without_a_time_is_refused_and_hours_need_force() {
    let dir = workdir();
    let bare = run(
        dir.path(),
        &["sync", "move", "2026-12-22", "--to", "2026-12-22"],
    );
    assert_eq!(bare.code, 2);
    insta::assert_snapshot!(bare.stderr, @r#"
    error: invalid value '2026-12-22' for '--to <DATETIME>': `2026-12-22` has no time of day; write the new start as "YYYY-MM-DD HH:MM", e.g. "2026-12-22 15:00"

    For more information, try '--help'.
    "#);

    // 20:00 UTC is 21:00 in Berlin: dana has gone home.
    let late = run(
        dir.path(),
        &["sync", "move", "2026-12-22", "--to", "2026-12-22 20:00"],
    );
    assert_eq!(late.code, 2);
    insta::assert_snapshot!(late.stderr, @r"
    error: cannot move the weekly sync of `2026-12-22`
      caused by: Tue 2026-12-22 20:00 UTC is outside the working hours of dana (Tue 21:00 CET); pick a time inside them (`supportops sync slots` lists some), or add `--force` to keep this one
    ");
    let doc = json(dir.path(), &["sync", "next", "-n", "5", "--format", "json"]);
    assert!(
        doc["meetings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "scheduled"),
        "nothing moved: {doc}"
    );
    let forced = ok(
        dir.path(),
        &[
            "sync",
            "move",
            "2026-12-22",
            "--to",
            "2026-12-22 20:00",
            "--force",
        ],
    );
    assert!(forced.contains("dana         Tue 21:00 (off)"), "{forced}");
}

#[test]
fn next_count_counts_every_meeting_listed() {
    let dir = workdir();
    ok(dir.path(), &["sync", "cancel", "2026-12-08"]);
    for n in ["1", "3", "8"] {
        let doc = json(dir.path(), &["sync", "next", "-n", n, "--format", "json"]);
        assert_eq!(
            doc["meetings"].as_array().unwrap().len(),
            n.parse::<usize>().unwrap(),
            "{doc}"
        );
    }
}

#[test]
fn slots_look_at_the_next_full_week_and_always_show_the_current_time() {
    let dir = workdir();
    // Wednesday 2026-11-25: the next full week starts on Monday 2026-11-30.
    let doc = json(
        dir.path(),
        &["sync", "slots", "-n", "1", "--format", "json"],
    );
    assert_eq!(doc["week_start"], "2026-11-30");
    assert_eq!(doc["slots"].as_array().unwrap().len(), 1);
    assert_eq!(doc["current"]["weekday"], "tuesday");
    assert_eq!(doc["current"]["time"], "14:30");
    assert_eq!(doc["current"]["current"], true);
    // A series at a time that suits nobody is still shown, last, with who is off.
    ok(
        dir.path(),
        &[
            "sync",
            "reschedule",
            "--weekday",
            "monday",
            "--time",
            "06:00",
            "--from",
            "2026-11-30",
        ],
    );
    let table = ok(dir.path(), &["sync", "slots", "-n", "2"]);
    insta::assert_snapshot!(table, @r"
    Weekly 30-minute slots in the week of 2026-11-30 (UTC), where all 2 members are inside their working hours, best first:

     # | slot      | comfortable | from current | amara           | dana            | note                          
    ---+-----------+-------------+--------------+-----------------+-----------------+-------------------------------
     1 | Mon 14:00 | 1/2         | 8h           | Mon 09:00       | Mon 15:00       |                               
     2 | Mon 14:30 | 1/2         | 8h30m        | Mon 09:30       | Mon 15:30       |                               
     - | Mon 06:00 | 0/2         | current      | Mon 01:00 (off) | Mon 07:00 (off) | outside hours for amara, dana 

    comfortable: members an hour or more inside both ends of their day. Move the series with `supportops sync reschedule --weekday DAY --time HH:MM --from DATE`.
    ");
    let doc = json(
        dir.path(),
        &["sync", "slots", "-n", "2", "--format", "json"],
    );
    assert_eq!(doc["current"]["rank"], serde_json::Value::Null);
    assert_eq!(doc["current"]["time"], "06:00");
}

#[test]
fn the_monthly_sync_is_moved_and_cancelled_like_the_weekly_one_and_other_dates_are_refused() {
    let dir = workdir();
    let moved = ok(
        dir.path(),
        &[
            "sync",
            "move",
            "2027-01-05",
            "--monthly",
            "--to",
            "2027-01-06 15:00",
        ],
    );
    insta::assert_snapshot!(moved, @r"
    Moved the Support Ops monthly sync of 2027-01-05 (Tue 2027-01-05 15:00 UTC) to Wed 2027-01-06 15:00 UTC.
      amara        Wed 10:00
      dana         Wed 16:00
    ");
    // Both syncs meet on 2027-02-02: --monthly picks the monthly one.
    ok(dir.path(), &["sync", "cancel", "2027-02-02", "--monthly"]);
    let doc = json(
        dir.path(),
        &["sync", "next", "-n", "14", "--format", "json"],
    );
    let monthly: Vec<(String, String, String)> = doc["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "monthly")
        .map(|m| {
            (
                m["date"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
                m["start_utc"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |d: &str, s: &str, t: &str| (d.to_owned(), s.to_owned(), t.to_owned());
    assert_eq!(
        monthly,
        [
            expect("2026-12-01", "scheduled", "2026-12-01T15:00:00Z"),
            expect("2027-01-05", "moved", "2027-01-06T15:00:00Z"),
            expect("2027-02-02", "cancelled", "2027-02-02T15:00:00Z"),
        ]
    );
    let ics = ok(dir.path(), &["sync", "ics"]);
    assert!(ics.contains("RECURRENCE-ID:20270105T150000Z\r\n"), "{ics}");
    assert!(ics.contains("DTSTART:20270106T150000Z\r\n"), "{ics}");
    assert!(ics.contains("EXDATE:20270202T150000Z\r\n"), "{ics}");

    let wednesday = run(dir.path(), &["sync", "cancel", "2027-01-13", "--monthly"]);
    assert_eq!(wednesday.code, 2);
    insta::assert_snapshot!(wednesday.stderr, @r"
    error: cannot cancel the monthly sync of `2027-01-13`
      caused by: `2027-01-13` is not a monthly sync date: it meets on the first Tuesday (nearest: `2027-01-05` and `2027-02-02`)
    ");

    // `held` and `agenda` take only the monthly sync's dates (or the date it was moved to).
    let later = Some("2027-01-07T09:00:00Z");
    let held = run_at(dir.path(), later, &["sync", "held", "--date", "2026-12-02"]);
    assert_eq!(held.code, 2);
    insta::assert_snapshot!(held.stderr, @r"
    error: cannot record the monthly sync
      caused by: `2026-12-02` is not a monthly sync date: it meets on the first Tuesday (nearest: `2026-12-01` and `2027-01-05`)
    ");
    let agenda = run_at(
        dir.path(),
        later,
        &["sync", "agenda", "--date", "2027-01-13"],
    );
    assert_eq!(agenda.code, 2, "{}", agenda.stdout);
    let cancelled = run_at(
        dir.path(),
        later,
        &["sync", "agenda", "--date", "2027-02-02"],
    );
    assert_eq!(cancelled.code, 2, "{}", cancelled.stdout);
    assert!(
        cancelled.stderr.contains("was cancelled"),
        "{}",
        cancelled.stderr
    );
    let recorded = run_at(
        dir.path(),
        later,
        &["sync", "held", "--date", "2027-01-06", "--format", "json"],
    );
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    let doc: Value = serde_json::from_str(&recorded.stdout).unwrap();
    assert_eq!(doc["date"], "2027-01-05");
    assert_eq!(doc["held_at"], "2027-01-06T15:00:00Z");
}
