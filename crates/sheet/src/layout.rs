//! Which row is the header and which column plays which role, and resolving that against the
//! sheet's actual header row.

use std::fmt;

use supportops_formula::{column_index, column_letters};

use crate::error::SheetError;

/// A column named the way a user names it: by letter (`B`) or by header (`Issue/MR link`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnRef {
    /// A column letter, as a zero-based index (`A` = 0).
    Letter(usize),
    /// A header name, matched ignoring case and surrounding or repeated spaces.
    Header(String),
}

impl ColumnRef {
    /// Reads a column spec: one to three upper-case letters (`F`, `AA`) are a column letter,
    /// anything else is a header name. Write a header that looks like a letter (e.g. a column
    /// titled `ID`) in another case (`Id`) to match it by name.
    pub fn parse(spec: &str) -> ColumnRef {
        let spec = spec.trim();
        if spec.bytes().all(|b| b.is_ascii_uppercase())
            && let Some(i) = column_index(spec)
        {
            return ColumnRef::Letter(i);
        }
        ColumnRef::Header(spec.to_owned())
    }

    /// Parses an optional role: `None` or a blank spec means the role is not used.
    pub fn parse_optional(spec: Option<&str>) -> Option<ColumnRef> {
        spec.filter(|s| !s.trim().is_empty()).map(ColumnRef::parse)
    }
}

impl fmt::Display for ColumnRef {
    /// `column F` or `header "Rating"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnRef::Letter(i) => write!(f, "column {}", column_letters(*i)),
            ColumnRef::Header(h) => write!(f, "header \"{h}\""),
        }
    }
}

/// How a feedback sheet is laid out: its header row and the columns of the roles scoring needs.
///
/// The binary builds it from the `[sheet]` table of `supportops.toml`; [`Default`] is the
/// handbook's sheet (header in row 1, A Timestamp, B Issue/MR link, G Submitter,
/// I Support Ops Feedback Score).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLayout {
    /// The header row's number (1-based). Rows above it are skipped; rows below are data.
    pub header_row: u32,
    /// When the response was submitted (required).
    pub timestamp: ColumnRef,
    /// The issue/MR link the response is about (required).
    pub subject: ColumnRef,
    /// Who answered; part of the derived response key.
    pub submitter: Option<ColumnRef>,
    /// The sheet's own score column. Absent from the sheet → no stored scores, not an error.
    pub stored_score: Option<ColumnRef>,
    /// A stable response id column; without it the key is derived from timestamp, subject
    /// and submitter.
    pub id: Option<ColumnRef>,
    /// For workbooks: the sheet (tab) to read; the first one when `None`.
    pub sheet_name: Option<String>,
}

impl Default for SheetLayout {
    fn default() -> Self {
        SheetLayout {
            header_row: 1,
            timestamp: ColumnRef::Letter(0),
            subject: ColumnRef::Letter(1),
            submitter: Some(ColumnRef::Letter(6)),
            stored_score: Some(ColumnRef::Letter(8)),
            id: None,
            sheet_name: None,
        }
    }
}

/// The cells of a sheet's header row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    names: Vec<String>,
}

impl Headers {
    /// Headers from the header row's cells.
    pub fn new(names: Vec<String>) -> Headers {
        Headers { names }
    }

    /// The handbook sheet's headers, A to I.
    pub fn handbook() -> Headers {
        Headers::new(crate::sample::HEADER.map(String::from).to_vec())
    }

    /// The header cells, by zero-based column.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of columns in the header row.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the header row is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The header of column `col`, if any.
    pub fn name(&self, col: usize) -> Option<&str> {
        self.names.get(col).map(String::as_str)
    }

    /// The zero-based column a reference points at, if the sheet has it.
    pub fn resolve(&self, column: &ColumnRef) -> Option<usize> {
        match column {
            ColumnRef::Letter(i) => (*i < self.names.len()).then_some(*i),
            ColumnRef::Header(h) => {
                let wanted = normalise_header(h);
                self.names
                    .iter()
                    .position(|n| normalise_header(n) == wanted)
            }
        }
    }

    /// The column of a webhook field key: a column letter, else a header name.
    pub fn resolve_key(&self, key: &str) -> Option<usize> {
        match ColumnRef::parse(key) {
            ColumnRef::Letter(i) => Some(i),
            header => self.resolve(&header),
        }
    }
}

fn normalise_header(h: &str) -> String {
    h.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A [`SheetLayout`] resolved against a sheet: the zero-based column of each role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// The timestamp column.
    pub timestamp: usize,
    /// The subject column.
    pub subject: usize,
    /// The submitter column, if the sheet has it.
    pub submitter: Option<usize>,
    /// The stored score column, if the sheet has it.
    pub stored_score: Option<usize>,
    /// The id column, if the sheet has it.
    pub id: Option<usize>,
}

impl SheetLayout {
    /// Resolves the roles against the header row of the sheet named `name`. A required role
    /// whose column is missing is an error naming the column and the header row; an optional
    /// one is simply absent.
    pub fn resolve(&self, headers: &Headers, name: &str) -> Result<Columns, SheetError> {
        let required = |role: &'static str, column: &ColumnRef| {
            headers
                .resolve(column)
                .ok_or_else(|| SheetError::MissingColumn {
                    name: name.to_owned(),
                    role,
                    column: column.to_string(),
                    header_row: self.header_row,
                    headers: headers.names.clone(),
                })
        };
        let optional =
            |column: &Option<ColumnRef>| column.as_ref().and_then(|c| headers.resolve(c));
        Ok(Columns {
            timestamp: required("timestamp", &self.timestamp)?,
            subject: required("subject", &self.subject)?,
            submitter: optional(&self.submitter),
            stored_score: optional(&self.stored_score),
            id: optional(&self.id),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn upper_case_letters_are_columns_and_anything_else_a_header() {
        assert_eq!(ColumnRef::parse("F"), ColumnRef::Letter(5));
        assert_eq!(ColumnRef::parse(" AA "), ColumnRef::Letter(26));
        assert_eq!(
            ColumnRef::parse("Rating"),
            ColumnRef::Header("Rating".into())
        );
        assert_eq!(ColumnRef::parse("Id"), ColumnRef::Header("Id".into()));
        assert_eq!(ColumnRef::parse("ABCD"), ColumnRef::Header("ABCD".into()));
        assert_eq!(ColumnRef::parse_optional(Some("  ")), None);
    }

    #[test]
    fn headers_match_ignoring_case_and_spacing() {
        let h = Headers::handbook();
        assert_eq!(h.resolve(&ColumnRef::parse("issue/mr  LINK")), Some(1));
        assert_eq!(h.resolve(&ColumnRef::parse("I")), Some(8));
        assert_eq!(h.resolve(&ColumnRef::parse("J")), None);
        assert_eq!(h.resolve(&ColumnRef::parse("Nope")), None);
    }

    #[test]
    fn a_missing_optional_column_is_absent_but_a_missing_subject_is_an_error() {
        let headers = Headers::new(vec!["Timestamp".into(), "Link".into()]);
        let layout = SheetLayout {
            subject: ColumnRef::parse("Link"),
            ..SheetLayout::default()
        };
        let cols = layout.resolve(&headers, "f.csv").unwrap();
        assert_eq!(cols.subject, 1);
        assert_eq!(cols.stored_score, None);
        assert_eq!(cols.submitter, None);

        let err = SheetLayout::default().resolve(&Headers::new(vec!["Timestamp".into()]), "f.csv");
        let msg = err.unwrap_err().to_string();
        assert_eq!(
            msg,
            "the sheet `f.csv` has no column B for `subject` (config key `sheet.columns.subject`); its header row 1 is: `Timestamp`"
        );
    }
}
