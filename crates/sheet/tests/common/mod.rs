//! Helpers shared by the sheet crate's integration tests.
#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::io::{Read, Write};
use std::net::TcpListener;

use supportops_formula::{Formula, ParseOptions};
use supportops_sheet::{
    Columns, Headers, RecordSink, ScoreOptions, ScoreRecord, Scoring, SheetLayout, SourceSpec,
    StreamReport,
};

/// The handbook's scoring formula.
pub const HANDBOOK: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;

pub fn handbook() -> Scoring {
    Scoring::new(
        Formula::parse(HANDBOOK, &ParseOptions::default()).unwrap(),
        Default::default(),
    )
}

pub fn examples(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Writes `text` to a temporary file and returns it with its source spec.
pub fn csv_file(text: &str) -> (tempfile::TempDir, SourceSpec) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.csv");
    std::fs::write(&path, text).unwrap();
    (dir, SourceSpec::Path(path))
}

/// Collects streamed records.
#[derive(Default)]
pub struct Collect {
    pub records: Vec<ScoreRecord>,
    pub started: Option<Columns>,
}

impl RecordSink for Collect {
    fn start(&mut self, _name: &str, _headers: &Headers, columns: &Columns) -> std::io::Result<()> {
        self.started = Some(*columns);
        Ok(())
    }

    fn record(&mut self, record: &ScoreRecord) -> std::io::Result<()> {
        self.records.push(record.clone());
        Ok(())
    }
}

/// Streams a source through the fast scorer with a given block size.
pub fn stream(
    source: &SourceSpec,
    layout: &SheetLayout,
    scoring: &Scoring,
    block_size: Option<usize>,
) -> (Vec<ScoreRecord>, StreamReport) {
    let mut sink = Collect::default();
    let options = ScoreOptions {
        block_size,
        ..ScoreOptions::default()
    };
    let report =
        supportops_sheet::score_records(source, layout, scoring, &options, &mut sink).unwrap();
    (sink.records, report)
}

/// A one-shot HTTP server on 127.0.0.1 answering every request with `response` (raw HTTP).
/// Returns the base URL.
pub fn serve(response: Vec<u8>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(&response);
        }
    });
    format!("http://{addr}")
}

/// A raw HTTP response.
pub fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}
