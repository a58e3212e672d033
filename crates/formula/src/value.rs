//! Values a formula computes: [`Value`], Sheets error values ([`ErrorKind`]) and how a number
//! is shown as text (15 significant digits, as Sheets' "General" format).

use std::fmt;

/// A Sheets error value such as `#VALUE!`. Errors are values, never panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `#VALUE!`: a value of the wrong type, e.g. text where a number is needed.
    Value,
    /// `#DIV/0!`: division by zero.
    Div0,
    /// `#N/A`: no value available, e.g. no regex match or no `IFS` condition true.
    NA,
    /// `#NUM!`: a number out of range, e.g. `(-1)^0.5`.
    Num,
    /// `#REF!`: a reference or regular expression that cannot be used.
    Ref,
    /// `#NAME?`: an unknown name.
    Name,
    /// `#ERROR!`: a formula that cannot be parsed.
    Error,
}

impl ErrorKind {
    /// Every error kind, in the order Sheets documents them.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Value,
        ErrorKind::Div0,
        ErrorKind::NA,
        ErrorKind::Num,
        ErrorKind::Ref,
        ErrorKind::Name,
        ErrorKind::Error,
    ];

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

    /// The error whose text is `text` (any case), e.g. `#n/a` → [`ErrorKind::NA`].
    pub fn from_text(text: &str) -> Option<ErrorKind> {
        ErrorKind::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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

impl Value {
    /// The error, if this value is one.
    pub fn error(&self) -> Option<ErrorKind> {
        match self {
            Value::Error(e) => Some(*e),
            _ => None,
        }
    }

    /// The number, if this value is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// The value as a Sheets cell shows it: numbers with up to 15 significant digits,
    /// `TRUE`/`FALSE`, text as is, nothing for blank, the error text for errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Blank => Ok(()),
            Value::Number(n) => f.write_str(&number_text(*n)),
            Value::Bool(true) => f.write_str("TRUE"),
            Value::Bool(false) => f.write_str("FALSE"),
            Value::Text(s) => f.write_str(s),
            Value::Error(e) => f.write_str(e.as_str()),
        }
    }
}

/// Numbers at or above this magnitude are shown in scientific notation.
const SCIENTIFIC_ABOVE: i32 = 15;
/// Numbers below `10^SCIENTIFIC_BELOW` in magnitude are shown in scientific notation.
const SCIENTIFIC_BELOW: i32 = -9;

/// A number as text, the way Sheets converts it for `&`, `LEN`, `CONCATENATE`…: at most 15
/// significant digits, no trailing zeros, scientific notation (`1E+15`, `1.5E-10`) for very large
/// or very small magnitudes.
pub fn number_text(n: f64) -> String {
    if n == 0.0 || !n.is_finite() {
        return "0".to_owned();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Exact: |n| < 1e15 fits in i64 without loss.
        return format!("{}", n as i64);
    }
    let sci = format!("{:.14e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut out = String::with_capacity(24);
    if n < 0.0 {
        out.push('-');
    }
    if !(SCIENTIFIC_BELOW..SCIENTIFIC_ABOVE).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "E{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(&digits);
    }
    out
}

/// `n` rounded to 15 significant digits, the precision Sheets shows and compares with.
pub(crate) fn round_15(n: f64) -> f64 {
    if n == 0.0 || !n.is_finite() {
        return n;
    }
    format!("{n:.14e}").parse().unwrap_or(n)
}

/// A number literal as the normalised formula prints it: the shortest text that reads back as
/// the same number (`1.5E-7`, `1000`, `0.1`).
pub(crate) fn number_text_for_source(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let s = format!("{n:?}");
    match s.split_once('e') {
        Some((m, e)) if e.starts_with('-') => format!("{m}E{e}"),
        Some((m, e)) => format!("{m}E+{e}"),
        None => s,
    }
}
