//! Reading sheets from every source: CSV quirks, layouts, URLs, workbooks, webhook fields.
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use common::*;
use supportops_domain::Band;
use supportops_formula::{ErrorKind, Value};
use supportops_sheet::{
    ColumnRef, Headers, SheetError, SheetLayout, SourceSpec, WarningKind, load_scored,
    response_from_fields,
};

const HEADER: &str = "Timestamp,Issue/MR link,Resolution,Values shown,Comments,Rating,Submitter,Region,Support Ops Feedback Score";

fn sheet(rows: &[&str], newline: &str) -> String {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push_str(newline);
        text.push_str(r);
    }
    text.push_str(newline);
    text
}

#[test]
fn a_google_sheets_export_with_bom_crlf_and_multi_line_cells_reads_row_by_row() {
    let text = format!(
        "\u{feff}{}",
        sheet(
            &[
                "3/4/2026 9:05:33,https://gitlab.com/a/b/-/issues/1,\"It was solved, and I am confident in the solution\",\"Collaboration, Results, Transparency\",\"Great,\r\nthanks \"\"Zoë\"\"\",5,zoe@gitlab.com,EMEA,3",
                "3/5/2026 10:00:00,https://gitlab.com/a/b/issues/1/,It is still open,,,2,jw@gitlab.com,AMER,0",
            ],
            "\r\n",
        )
    );
    let (_dir, source) = csv_file(&text);
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    assert!(sheet.warnings.is_empty(), "{:?}", sheet.warnings);
    assert_eq!(
        sheet.headers.name(0),
        Some("Timestamp"),
        "the BOM is not part of the header"
    );
    let rows: Vec<(u64, Value, Band)> = sheet
        .responses
        .iter()
        .map(|r| (r.response.row, r.score.clone(), r.band))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, Value::Number(3.0), Band::Green),
            (3, Value::Number(0.0), Band::Red)
        ]
    );
    let first = &sheet.responses[0].response;
    assert_eq!(first.cells[4], "Great,\r\nthanks \"Zoë\"");
    assert_eq!(first.submitter.as_deref(), Some("zoe@gitlab.com"));
    assert_eq!(
        first.submitted_at.map(|t| t.to_string()).as_deref(),
        Some("2026-03-04T09:05:33Z")
    );
    assert_eq!(
        sheet.responses[0].response.subject, sheet.responses[1].response.subject,
        "equivalent links are one subject"
    );

    let (records, report) = stream(&source, &SheetLayout::default(), &handbook(), None);
    assert!(report.warnings.is_empty());
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].key, sheet.responses[0].response.key);
    assert_eq!(records[1].score, Value::Number(0.0));
}

#[test]
fn ragged_rows_are_warned_about_with_file_line_and_row_and_still_scored() {
    let text = sheet(
        &[
            "3/4/2026 9:05:33,https://x/-/issues/1,,,\"two\nlines\",5",
            "3/4/2026 9:06:00,https://x/-/issues/2,,,,1,a@x,AMER,0,extra",
            ",,,,,,,,",
            "3/4/2026 9:07:00,,,,,4,b@x,APAC,",
        ],
        "\n",
    );
    let (_dir, source) = csv_file(&text);
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    let shown: Vec<String> = sheet.warnings.iter().map(ToString::to_string).collect();
    let name = source.name();
    assert_eq!(
        shown,
        vec![
            format!(
                "{name}:2 (row 2): 6 cells but the header has 9; the missing cells count as blank"
            ),
            format!("{name}:4 (row 3): 10 cells but the header has 9; the extra cells are ignored"),
            format!(
                "{name}:6 (row 5, column B): the subject cell is blank, so this response belongs to no issue or MR"
            ),
        ]
    );
    let rows: Vec<u64> = sheet.responses.iter().map(|r| r.response.row).collect();
    assert_eq!(rows, vec![2, 3, 5], "the blank row 4 is not a response");
    assert_eq!(
        sheet.responses[0].band,
        Band::Yellow,
        "rating 5 and nothing else: 1"
    );
    assert_eq!(sheet.responses[1].score, Value::Number(-1.0));

    for block in [None, Some(8)] {
        let (records, report) = stream(&source, &SheetLayout::default(), &handbook(), block);
        assert_eq!(report.warnings, sheet.warnings, "block size {block:?}");
        let rows: Vec<u64> = records.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![2, 3, 5]);
    }
}

#[test]
fn columns_can_be_named_by_header_and_the_header_need_not_be_row_one() {
    let text = "Support Ops feedback,exported 2026-11-27\n\nlink,when,rating,score\nhttps://x/-/issues/9,3/4/2026 9:05:33,5,1\n";
    let (_dir, source) = csv_file(text);
    let layout = SheetLayout {
        header_row: 2,
        timestamp: ColumnRef::parse("When"),
        subject: ColumnRef::parse("LINK"),
        submitter: None,
        stored_score: Some(ColumnRef::parse("score")),
        id: None,
        sheet_name: None,
    };
    let scoring = supportops_sheet::Scoring::new(
        supportops_formula::Formula::parse("=IF(C2 >= 4, 2, 0)", &Default::default()).unwrap(),
        Default::default(),
    );
    let sheet = load_scored(&source, &layout, &scoring).unwrap();
    assert_eq!(sheet.columns.subject, 0);
    let r = &sheet.responses[0];
    assert_eq!(r.response.row, 3, "the empty line is not a row");
    assert_eq!(r.score, Value::Number(2.0));
    assert!(r.mismatch(), "stored 1, formula 2");
    let (records, _) = stream(&source, &layout, &scoring, None);
    assert_eq!(records[0].row, 3);
    assert!(records[0].mismatch());
}

#[test]
fn a_missing_subject_column_names_the_column_and_the_header() {
    let (_dir, source) = csv_file("Timestamp,Link\n3/4/2026 9:05:33,https://x/-/issues/1\n");
    let layout = SheetLayout {
        subject: ColumnRef::parse("Issue/MR link"),
        ..SheetLayout::default()
    };
    let err = load_scored(&source, &layout, &handbook()).unwrap_err();
    assert!(err.is_bad_input());
    assert_eq!(
        err.to_string(),
        format!(
            "the sheet `{}` has no header \"Issue/MR link\" for `subject` (config key `sheet.columns.subject`); its header row 1 is: `Timestamp`, `Link`",
            source.name()
        )
    );
    let (_dir2, empty) = csv_file("");
    let err = load_scored(&empty, &SheetLayout::default(), &handbook()).unwrap_err();
    assert!(matches!(err, SheetError::NoHeader { rows: 0, .. }), "{err}");
}

#[test]
fn an_optional_column_the_sheet_lacks_is_simply_absent() {
    let (_dir, source) = csv_file(
        "Timestamp,Link,Resolution,Values,Comment,Rating\n3/4/2026 9:05:33,https://x/-/issues/1,,,,5\n",
    );
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    assert_eq!(sheet.columns.stored_score, None);
    assert_eq!(sheet.columns.submitter, None);
    assert_eq!(sheet.responses[0].stored_score, None);
    assert!(!sheet.responses[0].mismatch());
}

#[test]
fn a_missing_file_is_bad_input_naming_the_path() {
    let source = SourceSpec::parse("no/such/sheet.csv").unwrap();
    let err = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string()
            .starts_with("cannot open `no/such/sheet.csv`: "),
        "{err}"
    );
}

#[test]
fn a_published_csv_url_is_fetched_over_http() {
    let body = sheet(
        &["3/4/2026 9:05:33,https://x/-/issues/1,,,,5,a@x,EMEA,0"],
        "\r\n",
    );
    let url = serve(
        http("200 OK", "text/csv; charset=utf-8", body.as_bytes()),
        2,
    );
    let source = SourceSpec::parse(&format!("{url}/export?format=csv")).unwrap();
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    assert_eq!(sheet.responses.len(), 1);
    assert_eq!(sheet.responses[0].score, Value::Number(1.0));
    let (records, _) = stream(&source, &SheetLayout::default(), &handbook(), None);
    assert_eq!(records.len(), 1);
}

#[test]
fn a_url_answering_404_or_a_sign_in_page_is_a_clear_error() {
    let url = serve(http("404 Not Found", "text/plain", b"nope"), 1);
    let source = SourceSpec::parse(&format!("{url}/export?format=csv")).unwrap();
    let err = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap_err();
    assert!(err.is_bad_input());
    assert_eq!(
        err.to_string(),
        format!(
            "`{url}/export?format=csv` answered 404 Not Found; check the link (a Google Sheet must be published to the web as CSV: File → Share → Publish to web)"
        )
    );

    let page = b"<!DOCTYPE html><html><body>Sign in - Google Accounts</body></html>";
    for content_type in ["text/html; charset=utf-8", "text/plain"] {
        let url = serve(http("200 OK", content_type, page), 1);
        let source = SourceSpec::parse(&url).unwrap();
        let err = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap_err();
        assert!(
            matches!(err, SheetError::HtmlPage { .. }),
            "{content_type}: {err}"
        );
        assert!(
            err.to_string().contains("returned an HTML page, not CSV"),
            "{err}"
        );
    }

    let url = serve(http("503 Service Unavailable", "text/plain", b"busy"), 1);
    let err = load_scored(
        &SourceSpec::parse(&url).unwrap(),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap_err();
    assert!(
        !err.is_bad_input(),
        "a server failure is not the user's input"
    );
}

#[test]
fn webhook_fields_by_letter_or_header_become_a_scored_response() {
    let fields = [
        ("A", "11/27/2026 14:05:00"),
        ("Issue/MR link", "https://gitlab.com/a/b/issues/3#note_5"),
        (
            "resolution",
            "It was solved, and I am confident in the solution",
        ),
        ("F", "5"),
        ("Support Ops Feedback Score", "2"),
    ];
    let r = response_from_fields(
        fields,
        &Headers::handbook(),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap();
    assert_eq!(r.response.row, 0);
    assert_eq!(
        r.response.subject.as_str(),
        "https://gitlab.com/a/b/-/issues/3"
    );
    assert_eq!(r.score, Value::Number(2.0));
    assert_eq!(r.band, Band::Green);
    assert!(!r.mismatch());

    let err = response_from_fields(
        [("Issue/MR link", "https://x/-/issues/1"), ("Mood", "great")],
        &Headers::handbook(),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("unknown field `Mood`: use a column letter"),
        "{err}"
    );
    let err = response_from_fields(
        [("F", "5")],
        &Headers::handbook(),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap_err();
    assert!(matches!(err, SheetError::NoSubject { .. }), "{err}");
}

#[test]
fn a_cell_that_makes_the_formula_fail_is_an_error_band_not_a_failure() {
    let (_dir, source) = csv_file(&sheet(
        &["3/4/2026 9:05:33,https://x/-/issues/1,,3,,5,a@x,EMEA,#VALUE!"],
        "\n",
    ));
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    let r = &sheet.responses[0];
    assert_eq!(r.score, Value::Error(ErrorKind::Value));
    assert_eq!(r.band, Band::Error);
    assert!(!r.mismatch(), "the sheet shows the same error");
    let (records, _) = stream(&source, &SheetLayout::default(), &handbook(), None);
    assert_eq!(records[0].error(), Some("#VALUE!"));
    assert!(!records[0].mismatch());
}

#[test]
fn the_workbook_gives_the_same_responses_as_the_csv() {
    let csv = load_scored(
        &SourceSpec::Path(examples("feedback.csv")),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap();
    let xlsx_source = SourceSpec::Path(examples("feedback.xlsx"));
    let xlsx = load_scored(&xlsx_source, &SheetLayout::default(), &handbook()).unwrap();
    assert_eq!(xlsx.name, format!("{}[Responses]", xlsx_source.name()));
    assert_eq!(csv.responses.len(), xlsx.responses.len());
    for (a, b) in csv.responses.iter().zip(&xlsx.responses) {
        assert_eq!(a.response.row, b.response.row);
        assert_eq!(a.response.key, b.response.key, "row {}", a.response.row);
        assert_eq!(a.response.timestamp, b.response.timestamp);
        assert_eq!(a.response.subject, b.response.subject);
        assert_eq!(a.score, b.score, "row {}", a.response.row);
        assert_eq!(a.stored_score, b.stored_score, "row {}", a.response.row);
    }
    let err = load_scored(
        &xlsx_source,
        &SheetLayout {
            sheet_name: Some("Sheet9".into()),
            ..SheetLayout::default()
        },
        &handbook(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("has no sheet `Sheet9`; its sheets are: `Responses`, `About`"),
        "{err}"
    );
}

#[test]
fn an_ods_workbook_reads_like_the_csv() {
    let csv = load_scored(
        &SourceSpec::Path(examples("feedback.csv")),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap();
    let ods_path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feedback.ods");
    let ods = load_scored(
        &SourceSpec::Path(ods_path),
        &SheetLayout::default(),
        &handbook(),
    )
    .unwrap();
    assert_eq!(ods.responses.len(), 10);
    for (a, b) in csv.responses.iter().zip(&ods.responses) {
        assert_eq!(a.response.key, b.response.key, "row {}", a.response.row);
        assert_eq!(a.response.cells, b.response.cells, "row {}", a.response.row);
        assert_eq!(a.score, b.score);
    }
}

#[test]
fn the_stored_score_column_and_no_subject_warning_kinds_serialise_for_scripts() {
    let (_dir, source) = csv_file(&sheet(&["3/4/2026 9:05:33,,,,,5"], "\n"));
    let sheet = load_scored(&source, &SheetLayout::default(), &handbook()).unwrap();
    let kinds: Vec<&WarningKind> = sheet.warnings.iter().map(|w| &w.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &WarningKind::Ragged {
                cells: 6,
                expected: 9
            },
            &WarningKind::NoSubject
        ]
    );
}
