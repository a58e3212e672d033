//! Where a sheet comes from (a path, a published-CSV URL, standard input) and opening it as a
//! byte stream of CSV or as a workbook.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use crate::error::SheetError;

/// How long a URL source may take to connect, and to deliver each piece of the body.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the feedback sheet is read from, as written in `sheet.source` or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A CSV, XLSX, XLSM, XLS or ODS file. Workbooks are recognised by extension or content.
    Path(PathBuf),
    /// An `http://` or `https://` URL answering with CSV, such as a Google Sheet published as
    /// CSV (`…/export?format=csv` or `…/pub?output=csv`).
    Url(String),
    /// `-`: CSV (or a workbook) on standard input.
    Stdin,
}

impl SourceSpec {
    /// Reads a source spec: `-` is standard input, `http://…`/`https://…` a URL, anything
    /// else a path.
    pub fn parse(text: &str) -> Result<SourceSpec, SheetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SheetError::EmptySource);
        }
        if text == "-" {
            return Ok(SourceSpec::Stdin);
        }
        let bad_url = |message: String| SheetError::BadUrl {
            url: text.to_owned(),
            message,
        };
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            reqwest::Url::parse(text).map_err(|e| bad_url(format!("{e}; check the URL")))?;
            return Ok(SourceSpec::Url(text.to_owned()));
        }
        if let Some((scheme, _)) = text.split_once("://")
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err(bad_url(
                "only http:// and https:// links are read; for a file, give its path".into(),
            ));
        }
        Ok(SourceSpec::Path(PathBuf::from(text)))
    }

    /// The name used in messages: the path, the URL, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            SourceSpec::Path(p) => p.display().to_string(),
            SourceSpec::Url(u) => u.clone(),
            SourceSpec::Stdin => "<stdin>".into(),
        }
    }
}

impl FromStr for SourceSpec {
    type Err = SheetError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceSpec::parse(s)
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// An opened source.
pub(crate) enum Input {
    /// A CSV byte stream.
    Csv(CsvInput),
    /// A workbook.
    Workbook(WorkbookInput),
}

/// A CSV byte stream and what is known of its size.
pub(crate) struct CsvInput {
    /// The source's name for messages.
    pub name: String,
    /// The bytes.
    pub reader: Box<dyn Read + Send>,
    /// The total size in bytes, when known (files, URLs with a length).
    pub len: Option<u64>,
}

/// A workbook, on disk or in memory.
pub(crate) enum WorkbookInput {
    /// A file, opened by calamine.
    Path { name: String, path: PathBuf },
    /// Bytes read from standard input or a URL.
    Bytes { name: String, bytes: Vec<u8> },
}

const WORKBOOK_EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xlsb", "xls", "xla", "ods"];

fn looks_like_workbook(head: &[u8]) -> bool {
    // XLSX and ODS are zip files; XLS is an OLE compound document.
    head.starts_with(b"PK\x03\x04") || head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn has_workbook_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| WORKBOOK_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Opens a source: a workbook when its extension or first bytes say so, else a CSV stream.
pub(crate) fn open(spec: &SourceSpec) -> Result<Input, SheetError> {
    let name = spec.name();
    match spec {
        SourceSpec::Path(path) => {
            if has_workbook_extension(path) {
                if let Err(source) = std::fs::metadata(path) {
                    return Err(SheetError::Open {
                        path: path.clone(),
                        cause: source,
                    });
                }
                return Ok(Input::Workbook(WorkbookInput::Path {
                    name,
                    path: path.clone(),
                }));
            }
            let open_err = |source| SheetError::Open {
                path: path.clone(),
                cause: source,
            };
            let file = std::fs::File::open(path).map_err(open_err)?;
            let meta = file.metadata().map_err(open_err)?;
            if meta.is_dir() {
                return Err(open_err(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "it is a directory",
                )));
            }
            let mut reader = BufReader::with_capacity(64 * 1024, file);
            let head = reader.fill_buf().map_err(open_err)?;
            if looks_like_workbook(head) {
                return Ok(Input::Workbook(WorkbookInput::Path {
                    name,
                    path: path.clone(),
                }));
            }
            Ok(Input::Csv(CsvInput {
                name,
                reader: Box::new(reader),
                len: Some(meta.len()),
            }))
        }
        SourceSpec::Stdin => sniff(name, Box::new(std::io::stdin()), None),
        SourceSpec::Url(url) => fetch(url),
    }
}

/// Decides between CSV and workbook by the first bytes of a stream.
fn sniff(
    name: String,
    reader: Box<dyn Read + Send>,
    len: Option<u64>,
) -> Result<Input, SheetError> {
    let read_err = |source| SheetError::Read {
        name: name.clone(),
        cause: source,
    };
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let head = reader.fill_buf().map_err(read_err)?;
    if looks_like_workbook(head) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(read_err)?;
        return Ok(Input::Workbook(WorkbookInput::Bytes { name, bytes }));
    }
    Ok(Input::Csv(CsvInput {
        name,
        reader: Box::new(reader),
        len,
    }))
}

fn fetch(url: &str) -> Result<Input, SheetError> {
    let fail = |message: String| SheetError::Fetch {
        url: url.to_owned(),
        message,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("supportops/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(error_chain(&e)))?;
    let response = client.get(url).send().map_err(|e| {
        if e.is_timeout() {
            fail(format!(
                "no answer within {} s; check the link and the network",
                FETCH_TIMEOUT.as_secs()
            ))
        } else {
            fail(error_chain(&e))
        }
    })?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(SheetError::HttpStatus {
            url: url.to_owned(),
            status: status.to_string(),
        });
    }
    let is_html = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
    if is_html {
        return Err(SheetError::HtmlPage {
            url: url.to_owned(),
        });
    }
    let len = response.content_length();
    let input = sniff(url.to_owned(), Box::new(response), len)?;
    if let Input::Csv(mut csv) = input {
        // Some servers send a sign-in page as text/plain or without a type.
        let mut reader = BufReader::with_capacity(64 * 1024, csv.reader);
        let head = reader.fill_buf().map_err(|source| SheetError::Read {
            name: url.to_owned(),
            cause: source,
        })?;
        let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with("<!doctype html") || text.starts_with("<html") {
            return Err(SheetError::HtmlPage {
                url: url.to_owned(),
            });
        }
        csv.reader = Box::new(reader);
        return Ok(Input::Csv(csv));
    }
    Ok(input)
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut cur = err.source();
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn specs_are_told_apart_by_their_text() {
        assert_eq!(SourceSpec::parse("-").unwrap(), SourceSpec::Stdin);
        assert_eq!(
            SourceSpec::parse("HTTPS://docs.example/x?format=csv").unwrap(),
            SourceSpec::Url("HTTPS://docs.example/x?format=csv".into())
        );
        assert_eq!(
            SourceSpec::parse(" examples/feedback.csv ").unwrap(),
            SourceSpec::Path("examples/feedback.csv".into())
        );
        assert!(matches!(
            SourceSpec::parse("  "),
            Err(SheetError::EmptySource)
        ));
    }

    #[test]
    fn a_malformed_or_non_http_link_is_bad_input_naming_it() {
        let err = SourceSpec::parse("http://bad host/x.csv").unwrap_err();
        assert!(err.is_bad_input());
        assert_eq!(
            err.to_string(),
            "`http://bad host/x.csv` is not a valid link: invalid international domain name; check the URL"
        );
        let err = SourceSpec::parse("htp://docs.example/x.csv").unwrap_err();
        assert!(err.is_bad_input());
        assert_eq!(
            err.to_string(),
            "`htp://docs.example/x.csv` is not a valid link: only http:// and https:// links are read; for a file, give its path"
        );
    }
}
