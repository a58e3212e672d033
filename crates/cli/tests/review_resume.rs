//! `supportops review` on a sheet that grew since the last clean run: only the rows from the
//! last one read on are read, scored and imported; a new row repeating an earlier row is a
//! duplicate of it; a sheet edited before that point is read whole.

mod common;

use std::path::Path;

use serde_json::Value;

const HEAD: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score\r\n";
/// Row 2 Red, row 3 Green, row 4 Red (row 2's issue), row 5 Yellow, row 6 Red without a link.
const ROWS: [&str; 5] = [
    "2/3/2026 9:15:00,https://gitlab.com/g/zendesk/-/issues/12,It was not solved,Collaboration,\"Macros still\nwrong\",1,amy@example.com,AMER,\r\n",
    "2/4/2026 10:00:00,https://gitlab.com/g/zendesk/-/merge_requests/7,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5,bo@example.com,EMEA,3\r\n",
    "2/5/2026 11:30:00,https://gitlab.com/g/zendesk/issues/12#note_9,It was not solved,Results,Slow,3,cy@example.com,APAC,\r\n",
    "2/6/2026 12:00:00,https://gitlab.com/g/zendesk/-/merge_requests/7,It was closed as it became a stale issue,Efficiency,,3,di@example.com,AMER,\r\n",
    "2/8/2026 14:00:00,,It was not solved,,No link given,2,fi@example.com,APAC,\r\n",
];

fn review(dir: &Path) -> Value {
    let out = common::output(
        common::supportops(dir)
            .env("SUPPORTOPS_NOW", "2027-01-05T09:00:00Z")
            .args(["review", "feedback.csv", "--format", "json"]),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("one JSON document")
}

fn rows_of(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|s| s["row"].as_u64().expect("a row"))
        .collect()
}

#[test]
fn a_grown_sheet_is_read_from_the_last_row_on_and_a_repeated_row_is_a_duplicate() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sheet = dir.path().join("feedback.csv");
    let mut text = format!("{HEAD}{}", ROWS.concat());
    std::fs::write(&sheet, &text).expect("write the sheet");

    let first = review(dir.path());
    assert!(first["earlier"].is_null());
    assert_eq!(first["actions"].as_array().map(Vec::len), Some(2));
    assert_eq!(rows_of(&first["skipped"]), [6]);

    // Nothing new: only the last row is read again; the counts are the whole sheet's.
    let again = review(dir.path());
    assert_eq!(again["earlier"]["rows"], 5, "{again:#}");
    assert_eq!(again["responses"], 5);
    assert_eq!(again["imported"]["unchanged"], 5);
    assert_eq!(again["imported"]["inserted"], 0);
    assert_eq!(again["flagged"], first["flagged"]);
    assert_eq!(again["already_covered"], 3);
    assert_eq!(again["actions"].as_array().map(Vec::len), Some(0));

    // Appended: a Red row about a new issue, and row 2 again (same timestamp, link, submitter).
    text.push_str("2/9/2026 8:00:00,https://gitlab.com/g/zendesk/-/issues/40,It was not solved,,,1,gu@example.com,EMEA,\r\n");
    text.push_str(ROWS[0]);
    std::fs::write(&sheet, &text).expect("append to the sheet");
    let grown = review(dir.path());
    assert_eq!(grown["earlier"]["rows"], 5, "{grown:#}");
    assert_eq!(grown["responses"], 7);
    assert_eq!(grown["imported"]["inserted"], 1);
    let actions = grown["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{grown:#}");
    assert_eq!(
        actions[0]["subject"],
        "https://gitlab.com/g/zendesk/-/issues/40"
    );
    assert_eq!(rows_of(&actions[0]["responses"]), [7]);
    let skipped = grown["skipped"].as_array().expect("skipped");
    assert_eq!(rows_of(&grown["skipped"]), [6, 8]);
    assert_eq!(skipped[1]["code"], "duplicate");
    assert!(
        skipped[1]["reason"]
            .as_str()
            .is_some_and(|r| r.contains('2')),
        "{skipped:?}"
    );
    assert_eq!(grown["flagged"], 5);
    assert_eq!(grown["already_covered"], 3);

    // Edited above the mark (row 3 now Red): read whole, and the edit is imported.
    let edited = text.replacen(
        "It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",Great,5",
        "It was not solved\",\"Collaboration\",Great,1",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&sheet, &edited).expect("edit the sheet");
    let whole = review(dir.path());
    assert!(whole["earlier"].is_null(), "{whole:#}");
    assert_eq!(whole["responses"], 7);
    assert_eq!(whole["imported"]["updated"], 1);
    assert_eq!(whole["actions"].as_array().map(Vec::len), Some(1));
    assert_eq!(rows_of(&whole["actions"][0]["responses"]), [3]);
}
