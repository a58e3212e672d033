//! The whole monthly loop on the local tracker, with no GitLab: `review` files the issues, a
//! person writes an action plan with `issues edit`, records the outcome with `issues note`
//! (a scoped label, as in GitLab), and the next monthly agenda asks about it in part 2 with
//! its outcome, while the review nobody planned for is listed as neglected.

// A failed call here is a failing test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// Row 2 Red (issue 12), row 3 Green, row 4 Yellow (MR 7).
const SHEET: &str = "\
Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r
2/3/2026 9:15:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12,It was not solved,Collaboration,Macros wrong,1,amy@example.com,AMER,\r
2/4/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5,bo@example.com,EMEA,3\r
2/6/2026 12:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,di@example.com,AMER,\r
";

fn supportops(dir: &Path, now: Option<&str>, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = Command::cargo_bin("supportops").unwrap();
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env_remove("GITLAB_TOKEN")
        .env("NO_COLOR", "1")
        .args(args);
    match now {
        Some(at) => cmd.env("SUPPORTOPS_NOW", at),
        None => cmd.env_remove("SUPPORTOPS_NOW"),
    };
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_action_plan_and_an_outcome_written_locally_show_in_part_2_of_the_next_agenda() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("feedback.csv"), SHEET).unwrap();
    supportops(dir.path(), None, &["review", "feedback.csv"], None);

    // The plan goes into the "Action plan" section; the rest (and its hidden marker)
    // stays as it is.
    let shown: Value = serde_json::from_str(&supportops(
        dir.path(),
        None,
        &["issues", "show", "1", "--format", "json"],
        None,
    ))
    .unwrap();
    let description = shown["description"].as_str().unwrap();
    assert!(description.contains("## Action plan\n"), "{description}");
    let planned = description.replacen(
        "## Action plan\n",
        "## Action plan\n\nRewrite the macro so it names the next step.\n",
        1,
    );
    std::fs::write(dir.path().join("plan.md"), &planned).unwrap();
    let edited = supportops(
        dir.path(),
        None,
        &["issues", "edit", "1", "--description-file", "plan.md"],
        None,
    );
    assert!(edited.starts_with("#1 edited: local://"), "{edited}");
    let noted = supportops(
        dir.path(),
        None,
        &["issues", "note", "1", "--body-file", "-"],
        Some("The macro change held: resolved.\n/label ~\"review-outcome::resolved\"\n"),
    );
    assert!(noted.starts_with("#1 noted (note "), "{noted}");

    // Some weeks on, past the next monthly sync: both issues are past ones.
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(40 * 24))
        .unwrap()
        .to_string();
    let agenda: Value = serde_json::from_str(&supportops(
        dir.path(),
        Some(&later),
        &["sync", "agenda", "--format", "json"],
        None,
    ))
    .unwrap();
    let past: Vec<(u64, bool, Value)> = agenda["past_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["iid"].as_u64().unwrap(),
                i["has_action_plan"].as_bool().unwrap(),
                i["outcome"].clone(),
            )
        })
        .collect();
    assert_eq!(
        past,
        [(1, true, Value::from("resolved")), (2, false, Value::Null)]
    );
    let neglected: Vec<u64> = agenda["neglected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["iid"].as_u64().unwrap())
        .collect();
    assert_eq!(neglected, [2]);

    let markdown = supportops(dir.path(), Some(&later), &["sync", "agenda"], None);
    assert!(
        markdown.contains(" | open | yes | resolved |"),
        "part 2 of the Markdown agenda shows the plan and its outcome:\n{markdown}"
    );
}
