//! The Google Sheets formula language, as Support Ops pastes it into the feedback sheet.
//!
//! A [`Formula`] is parsed and compiled once, then evaluated for every row of a sheet.
//! References such as `F2` name a column *of the row being scored*: the row number written in
//! the formula is the template row ([`ParseOptions::template_row`], 2 by default).
//!
//! ```
//! use supportops_formula::{Cell, Formula, ParseOptions, Value};
//! let f = Formula::parse("=IF(F2 >= 4, 1, 0)", &ParseOptions::default()).unwrap();
//! let row = vec![Cell::Blank; 5].into_iter().chain([Cell::Number(5.0)]).collect::<Vec<_>>();
//! assert_eq!(f.eval(&row.as_slice()), Value::Number(1.0));
//! ```
//!
//! CONTRACT (skeleton): the public API below is what other crates use. Bodies marked `todo!` are
//! being written; signatures may grow but should not change.

use std::fmt;

/// A Sheets error value such as `#VALUE!`. Errors are values, never panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `#VALUE!`
    Value,
    /// `#DIV/0!`
    Div0,
    /// `#N/A`
    NA,
    /// `#NUM!`
    Num,
    /// `#REF!`
    Ref,
    /// `#NAME?`
    Name,
    /// `#ERROR!`
    Error,
}

impl ErrorKind {
    /// The text Sheets shows for this error, e.g. `#VALUE!`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Value => "#VALUE!",
            ErrorKind::Div0 => "#DIV/0!",
            ErrorKind::NA => "#N/A",
            ErrorKind::Num => "#NUM!",
            ErrorKind::Ref => "#REF!",
            ErrorKind::Name => "#NAME?",
            ErrorKind::Error => "#ERROR!",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell of the row being scored, borrowed from the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// An empty cell.
    Blank,
    /// A number.
    Number(f64),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// Any other text.
    Text(&'a str),
    /// An error value stored in the cell.
    Error(ErrorKind),
}

impl<'a> Cell<'a> {
    /// Types raw imported text the way Google Sheets types a CSV cell on import:
    /// `""` is blank, numeric text is a number, `TRUE`/`FALSE` (any case) are booleans,
    /// everything else is text.
    pub fn from_import(text: &'a str) -> Cell<'a> {
        let _ = text;
        todo!("typing rules")
    }
}

/// The result of evaluating a formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Blank (e.g. a reference to an empty cell returned as is).
    Blank,
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    Text(String),
    /// A Sheets error.
    Error(ErrorKind),
}

/// The cells of the row being evaluated, by zero-based column index (A = 0).
pub trait Row {
    /// The cell in column `col`; columns past the end of the row are [`Cell::Blank`].
    fn cell(&self, col: usize) -> Cell<'_>;
}

impl Row for &[Cell<'_>] {
    fn cell(&self, col: usize) -> Cell<'_> {
        self.get(col).copied().unwrap_or(Cell::Blank)
    }
}

/// How to read a formula.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// The sheet row the formula's references are written for (2 in the handbook's sheet).
    pub template_row: u32,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { template_row: 2 }
    }
}

/// A parse error with the span of the fault, rendered like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong and what would be right.
    pub message: String,
    /// Byte range of the fault in the source.
    pub span: std::ops::Range<usize>,
    /// The formula source as given.
    pub source_text: String,
}

impl ParseError {
    /// The formula, a caret line under the fault and the message.
    pub fn render(&self) -> String {
        todo!("caret rendering")
    }
}

/// One top-level term of a formula, for explaining a score.
#[derive(Debug, Clone, PartialEq)]
pub struct TermValue {
    /// The term's normalised source text, e.g. `IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0))`.
    pub source: String,
    /// What it evaluated to for the row.
    pub value: Value,
}

/// A parsed and compiled formula, cheap to evaluate for many rows. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Formula {
    _private: (),
}

impl Formula {
    /// Parses and compiles `source` (with or without a leading `=`).
    pub fn parse(source: &str, options: &ParseOptions) -> Result<Formula, ParseError> {
        let _ = (source, options);
        todo!("parser")
    }

    /// Zero-based indices of the columns the formula reads, sorted, without duplicates.
    pub fn columns(&self) -> &[usize] {
        todo!()
    }

    /// Evaluates the formula for one row.
    pub fn eval<R: Row + ?Sized>(&self, row: &R) -> Value {
        let _ = row;
        todo!("evaluator")
    }

    /// Evaluates each top-level term (the arguments of an outermost `SUM`, or the whole formula)
    /// for one row, to explain its score.
    pub fn explain<R: Row + ?Sized>(&self, row: &R) -> Vec<TermValue> {
        let _ = row;
        todo!()
    }
}

impl fmt::Display for Formula {
    /// The normalised formula: `=` then canonical spacing and upper-case function names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f;
        todo!()
    }
}

/// The zero-based index of a column letter (`A` → 0, `AA` → 26), or `None` if not letters.
pub fn column_index(letters: &str) -> Option<usize> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n = 0usize;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    Some(n - 1)
}

/// The column letters of a zero-based index (0 → `A`, 26 → `AA`).
pub fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
