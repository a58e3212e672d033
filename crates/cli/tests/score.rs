//! `supportops score` as a user runs it: every source (file, workbook, URL, stdin), every
//! format, the summary, band filters, explanations, and the errors a user can make.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn examples(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// The binary, run in `dir` with the built-in defaults and no colours.
fn supportops(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_supportops"));
    cmd.current_dir(dir)
        .env_remove("SUPPORTOPS_CONFIG")
        .env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn score(dir: &Path, args: &[&str]) -> Run {
    run(supportops(dir).arg("score").args(args))
}

fn sample() -> String {
    examples("feedback.csv").display().to_string()
}

const HEADER: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score";

#[test]
fn the_summary_of_the_sample_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &[&sample(), "--summary", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let summary: Value = serde_json::from_str(&r.stdout).unwrap();
    insta::assert_json_snapshot!(summary, @r#"
    {
      "bands": {
        "error": 3,
        "green": 148,
        "red": 51,
        "yellow": 98
      },
      "mismatches": 9,
      "rows": 300,
      "scores": {
        "-1": 9,
        "0": 42,
        "1": 98,
        "2": 118,
        "3": 30
      },
      "shares": {
        "error": 0.01,
        "green": 0.4933,
        "red": 0.17,
        "yellow": 0.3267
      },
      "subjects": 60
    }
    "#);
}

#[test]
fn the_summary_table_shows_counts_and_shares_per_band() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &[&sample(), "--summary"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout, @r"
     band   | label             | rows |  share 
    --------+-------------------+------+--------
     green  | Good              |  148 |  49.3% 
     yellow | Needs Improvement |   98 |  32.7% 
     red    | Bad               |   51 |  17.0% 
     error  | Error             |    3 |   1.0% 
     total  |                   |  300 | 100.0% 

    scores      -1: 9 · 0: 42 · 1: 98 · 2: 118 · 3: 30
    subjects    60
    mismatches  9 (rows whose stored score differs from the formula's)
    ");
}

#[test]
fn the_workbook_and_standard_input_score_like_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = score(dir.path(), &[&sample(), "--summary", "--format", "json"]);
    let xlsx_path = examples("feedback.xlsx").display().to_string();
    let xlsx = score(dir.path(), &[&xlsx_path, "--summary", "--format", "json"]);
    assert_eq!(xlsx.code, 0, "{}", xlsx.stderr);
    assert_eq!(xlsx.stdout, csv.stdout);

    let stdin = run(supportops(dir.path())
        .args(["score", "-", "--summary", "--format", "json"])
        .write_stdin(std::fs::read(examples("feedback.csv")).unwrap()));
    assert_eq!(stdin.code, 0, "{}", stdin.stderr);
    assert_eq!(stdin.stdout, csv.stdout);

    let other = score(dir.path(), &[&xlsx_path, "--sheet", "About"]);
    assert_eq!(other.code, 2);
    assert!(
        other
            .stderr
            .contains("has no column B for `subject` (config key `sheet.columns.subject`)"),
        "{}",
        other.stderr
    );
}

#[test]
fn json_ndjson_and_csv_records_carry_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let json = score(dir.path(), &[&sample(), "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let records: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(records.len(), 300);
    let fields: Vec<&str> = records[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "band",
            "error",
            "key",
            "mismatch",
            "row",
            "score",
            "stored_score",
            "subject"
        ]
    );
    assert_eq!(records[0]["row"], 2);
    let errors: Vec<&Value> = records.iter().filter(|r| r["band"] == "error").collect();
    assert_eq!(errors.len(), 3);
    assert!(
        errors
            .iter()
            .all(|r| r["score"].is_null() && r["error"] == "#VALUE!")
    );
    let stale = records.iter().filter(|r| r["mismatch"] == true).count();
    assert_eq!(stale, 9);

    let ndjson = score(dir.path(), &[&sample(), "--format", "ndjson"]);
    let lines: Vec<Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, records);

    let csv = score(dir.path(), &[&sample(), "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "row",
            "key",
            "subject",
            "score",
            "error",
            "band",
            "stored_score",
            "mismatch"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    assert_eq!(&rows[0][1], records[0]["key"].as_str().unwrap());
}

#[test]
fn the_table_lists_rows_with_band_score_and_stored_score() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = format!(
        "{HEADER}\r\n\
         3/4/2026 9:05:33,https://gitlab.com/a/b/issues/1,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",,5,zoe@gitlab.com,EMEA,3\r\n\
         3/5/2026 9:05:33,https://gitlab.com/a/b/-/issues/1#note_4,It is still open,,,4,jw@gitlab.com,AMER,2\r\n\
         3/6/2026 9:05:33,https://gitlab.com/a/b/-/merge_requests/2,,3,,1,ay@gitlab.com,APAC,\r\n"
    );
    std::fs::write(dir.path().join("feedback.csv"), sheet).unwrap();
    let r = score(dir.path(), &["feedback.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout, @r"
     row | band   | score   | stored | subject                                   
    -----+--------+---------+--------+-------------------------------------------
     2   | green  | 3       | 3      | https://gitlab.com/a/b/-/issues/1         
     3   | yellow | 1       | 2 ≠    | https://gitlab.com/a/b/-/issues/1         
     4   | error  | #VALUE! | —      | https://gitlab.com/a/b/-/merge_requests/2 
    3 row(s) from `feedback.csv`; 1 stored score(s) differ from the formula (marked ≠)
    ");
    let red = score(
        dir.path(),
        &[
            "feedback.csv",
            "--only",
            "error",
            "--only",
            "red",
            "--format",
            "ndjson",
        ],
    );
    let rows: Vec<Value> = red
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["row"], 4);
}

#[test]
fn explain_shows_the_cells_read_and_each_term() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &[&sample(), "--explain", "5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout, @r#"
    row 5 · https://gitlab.com/gitlab-com/support/support-ops/support-ops-project/-/issues/200 · score 1 · yellow (Needs Improvement) · stored 0 ≠ the formula's

     cell | header       | value                                                 
    ------+--------------+-------------------------------------------------------
     C    | Resolution   | It was solved, but I am not confident in the solution 
     D    | Values shown | Results, Efficiency, Transparency                     
     F    | Rating       | 4                                                     

     term                                                                                       | value 
    --------------------------------------------------------------------------------------------+-------
     IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0))                                                         | 1     
     IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0)                           | 0     
     IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1,   | 0     
     IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as  |       
     it became a stale issue", 1, 0)))                                                          |       
    "#);

    let json = score(
        dir.path(),
        &[&sample(), "--explain", "5", "--format", "json"],
    );
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["band"], "yellow");
    assert_eq!(v["terms"][0]["value"], 1);
    assert_eq!(v["cells"][2]["header"], "Rating");

    let missing = score(dir.path(), &[&sample(), "--explain", "999"]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr,
        format!(
            "error: `{}` has no data row 999; its data rows are 2–301\n",
            sample()
        )
    );
}

#[test]
fn a_ragged_csv_warns_with_file_and_line_and_still_scores() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = format!(
        "{HEADER}\n3/4/2026 9:05:33,https://x/-/issues/1,,,\"multi\nline\",5\n3/4/2026 9:06:00,https://x/-/issues/2,,,,4,a@x,EMEA,1,surplus\n"
    );
    std::fs::write(dir.path().join("ragged.csv"), sheet).unwrap();
    let r = score(dir.path(), &["ragged.csv", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // JSON records come with each warning as a JSON object on its own line of stderr.
    let warnings: Vec<Value> = r
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{}", r.stderr);
    assert_eq!(warnings[0]["line"], 2);
    assert_eq!(warnings[0]["row"], 2);
    assert_eq!(warnings[0]["kind"], "ragged");
    assert_eq!(warnings[0]["cells"], 6);
    assert_eq!(
        warnings[0]["message"],
        "ragged.csv:2 (row 2): 6 cells but the header has 9; the missing cells count as blank"
    );
    assert_eq!(
        warnings[1]["message"],
        "ragged.csv:4 (row 3): 10 cells but the header has 9; the extra cells are ignored"
    );
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);

    let table = score(dir.path(), &["ragged.csv", "--summary"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert_eq!(
        table.stderr,
        "warning: ragged.csv: 1 row has fewer cells than the header (9); the missing cells count as blank: line 2\n\
         warning: ragged.csv: 1 row has more cells than the header (9); the extra cells are ignored: line 4\n"
    );
}

#[test]
fn a_quote_left_open_is_bad_input_naming_the_line_where_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = format!(
        "{HEADER}\n3/4/2026 9:05:33,https://x/-/issues/1,,,,5\n3/4/2026 9:06:00,https://x/-/issues/2,,,\"oops,4\n3/4/2026 9:07:00,https://x/-/issues/3,,,,1\n"
    );
    std::fs::write(dir.path().join("broken.csv"), sheet).unwrap();
    for args in [
        &["broken.csv", "--summary"][..],
        &["broken.csv", "--format", "json"][..],
    ] {
        let r = score(dir.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(
                "broken.csv:3: a quoted cell opens here and is never closed, so the rest of the file would be one cell"
            ),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn many_blank_links_make_one_warning_line_with_the_count_and_the_first_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut sheet = format!("{HEADER}\n");
    for i in 0..2_500 {
        let link = if i % 2 == 0 {
            String::new()
        } else {
            format!("https://x/-/issues/{i}")
        };
        sheet.push_str(&format!("3/4/2026 9:05:33,{link},,,,5,a@x,EMEA,\n"));
    }
    std::fs::write(dir.path().join("blank.csv"), sheet).unwrap();
    let r = score(dir.path(), &["blank.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "warning: blank.csv: 1,250 rows have a blank issue/MR link, so they belong to no issue or MR: lines 2, 4, 6, … (see --format json for all)\n"
    );
    let summary = score(dir.path(), &["blank.csv", "--summary", "--format", "json"]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    assert!(
        summary
            .stderr
            .ends_with("lines 2, 4, 6, … (see --format json without --summary for all)\n"),
        "{}",
        summary.stderr
    );
    let json = score(dir.path(), &["blank.csv", "--format", "ndjson"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert_eq!(json.stderr.lines().count(), 1_250);
    assert_eq!(json.stdout.lines().count(), 2_500);
}

#[test]
fn a_missing_subject_column_is_bad_input_naming_the_column_and_header() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.csv"), "When\n3/4/2026 9:05:33\n").unwrap();
    let r = score(dir.path(), &["short.csv"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: the sheet `short.csv` has no column B for `subject` (config key `sheet.columns.subject`); its header row 1 is: `When`\n"
    );
    // Pointing the role at a header by name through the environment fixes it.
    let fixed = run(supportops(dir.path())
        .args([
            "score",
            "short.csv",
            "--summary",
            "--format",
            "json",
            "--formula",
            "=IF(A2 <> \"\", 2, 0)",
        ])
        .env("SUPPORTOPS__SHEET__COLUMNS__SUBJECT", "When")
        .env("SUPPORTOPS__SHEET__COLUMNS__TIMESTAMP", "When"));
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let v: Value = serde_json::from_str(&fixed.stdout).unwrap();
    assert_eq!(v["bands"]["green"], 1);
}

#[test]
fn an_unknown_band_name_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &[&sample(), "--only", "purple"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("invalid value 'purple' for '--only <BAND>'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("[possible values: green, yellow, red, error]"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_formula_that_does_not_parse_shows_a_caret_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &[&sample(), "--formula", "=SUM(F2, "]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: the formula (--formula) does not parse:\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains('^'), "{}", r.stderr);
    assert_eq!(r.stderr.matches("error:").count(), 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[test]
fn a_formula_error_in_a_row_is_the_error_band_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(
        dir.path(),
        &[
            &sample(),
            "--formula",
            "=F2 / 0",
            "--summary",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["bands"]["error"], 300);
    assert_eq!(v["scores"], serde_json::json!({}));
}

#[test]
fn a_missing_file_exits_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &["nope.csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: cannot open `nope.csv`: "),
        "{}",
        r.stderr
    );
}

/// Serves `body` with `status` to every request on 127.0.0.1, `requests` times.
fn serve(
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    requests: usize,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut seen = Vec::new();
            let mut buf = [0u8; 2048];
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}/spreadsheets/d/x/export?format=csv")
}

#[test]
fn a_published_sheet_url_is_scored_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let body = std::fs::read(examples("feedback.csv")).unwrap();
    let url = serve("200 OK", "text/csv", body, 1);
    let r = score(dir.path(), &[&url, "--summary", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = score(dir.path(), &[&sample(), "--summary", "--format", "json"]);
    assert_eq!(r.stdout, file.stdout);
}

#[test]
fn a_private_sheet_url_says_to_publish_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = serve(
        "200 OK",
        "text/html; charset=utf-8",
        b"<!doctype html><title>Sign in</title>".to_vec(),
        1,
    );
    let r = score(dir.path(), &[&url]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "error: `{url}` returned an HTML page, not CSV: the sheet is probably private; publish it to the web as CSV (File → Share → Publish to web) and use that link\n"
        )
    );
    let gone = serve("404 Not Found", "text/plain", b"no".to_vec(), 1);
    let r = score(dir.path(), &[&gone]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("answered 404 Not Found"), "{}", r.stderr);
}

#[test]
fn explain_as_csv_is_refused_before_the_sheet_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(
        dir.path(),
        &["missing.csv", "--explain", "3", "--format", "csv"],
    );
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: --explain prints a table or JSON; use --format table or --format json\n"
    );
}

#[test]
fn a_malformed_link_is_bad_input_before_any_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &["http://bad host/x.csv"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `http://bad host/x.csv` is not a valid link: invalid international domain name; check the URL\n"
    );
}

#[test]
fn the_configured_source_is_used_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("supportops.toml"),
        format!("[sheet]\nsource = {:?}\n", sample()),
    )
    .unwrap();
    let r = score(dir.path(), &["--summary", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["rows"], 300);
}

#[test]
fn a_configured_source_that_is_missing_says_where_it_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let r = score(dir.path(), &["--summary"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error: cannot read the sheet named by config key `sheet.source`; pass a SOURCE to score another sheet\n  caused by: cannot open `examples/feedback.csv`: "
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_workbook_on_standard_input_is_recognised_by_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(supportops(dir.path())
        .args(["score", "-", "--summary", "--format", "csv"])
        .write_stdin(std::fs::read(examples("feedback.xlsx")).unwrap()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "band,label,rows,share\n\
         green,Good,148,0.4933\n\
         yellow,Needs Improvement,98,0.3267\n\
         red,Bad,51,0.1700\n\
         error,Error,3,0.0100\n"
    );
}

#[test]
fn sample_to_a_file_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(supportops(dir.path()).args(["sample", "--rows", "12", "--out", "s.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout, @r"Wrote 12 responses (seed 2026, scored with the configured formula) to `s.csv`.");
    let written = std::fs::read_to_string(dir.path().join("s.csv")).unwrap();
    assert!(written.starts_with("Timestamp,"), "{written}");
    let summary = score(dir.path(), &["s.csv", "--summary", "--format", "json"]);
    assert!(
        summary.stdout.contains("\"rows\": 12"),
        "{}",
        summary.stdout
    );
}
