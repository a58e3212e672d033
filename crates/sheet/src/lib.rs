//! Feedback sheet sources and the scorer.
//!
//! A feedback sheet is read from a [`SourceSpec`]: a CSV file as Google Sheets exports it, an
//! XLSX/ODS workbook, the URL of a published CSV, or standard input. A [`SheetLayout`] says which
//! header row to read and which column plays which role (`timestamp`, `subject`, optional
//! `submitter`, `stored_score`, `id`), by column letter or by header name; [`Headers`] resolves
//! it against the sheet into [`Columns`]. A [`Scoring`] is the compiled formula plus the band
//! thresholds.
//!
//! Two ways to score:
//!
//! - [`load_scored`] materialises every row as a [`ScoredResponse`](supportops_domain::ScoredResponse)
//!   (for `review` and the dashboard: hundreds to thousands of rows);
//!   [`response_from_fields`] does the same for one webhook body; [`load_scored_after`] reads
//!   a CSV file on from where an earlier read stopped, when the bytes before are unchanged.
//! - [`score_summary`] and [`score_records`] stream: a CSV source is split into chunks at record
//!   boundaries and scored by two worker threads that only read the cells the formula needs,
//!   with results merged in row order, so memory stays flat whatever the sheet's size.
//!   [`score_compare`] does the same with two formulas at once, for a what-if.
//!
//! This crate knows nothing of `supportops.toml`: the binary builds a [`SheetLayout`] from the
//! configuration's `[sheet]` table.
//!
//! ```no_run
//! use supportops_sheet::{load_scored, Scoring, SheetLayout, SourceSpec};
//! use supportops_formula::{Formula, ParseOptions};
//! let formula = Formula::parse("=IF(F2 >= 4, 2, 0)", &ParseOptions::default()).unwrap();
//! let scoring = Scoring::new(formula, Default::default());
//! let source = SourceSpec::parse("examples/feedback.csv").unwrap();
//! let sheet = load_scored(&source, &SheetLayout::default(), &scoring).unwrap();
//! for r in &sheet.responses {
//!     println!("{} {}", r.response.row, r.band);
//! }
//! ```

mod blocks;
mod compare;
mod csv_rows;
mod distinct;
mod engine;
mod error;
mod layout;
mod record;
mod response;
mod resume;
pub mod sample;
mod scoring;
mod source;
mod summary;
mod workbook;

pub use compare::{CompareOptions, score_compare};
pub use engine::{RecordSink, ScoreOptions, StreamReport, score_records, score_summary};
pub use error::{
    Location, QuoteFault, SheetError, Warning, WarningGroup, WarningGroupKind, WarningKind,
    WarningTally, thousands,
};
pub use layout::{ColumnRef, Columns, Headers, SheetLayout};
pub use record::{ScoreRecord, StoredJson, ValueJson, format_number, value_text};
pub use response::parse_timestamp;
pub use resume::{ReadMark, ScoredTail, load_scored_after};
pub use scoring::{
    ExplainedCell, Explanation, ScoredSheet, Scoring, explain_row, load_scored, read_headers,
    response_from_fields,
};
pub use source::SourceSpec;
pub use summary::Summary;
