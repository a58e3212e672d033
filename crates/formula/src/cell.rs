//! Cells of the row being scored ([`Cell`], [`Row`]) and how imported text is typed, the way
//! Google Sheets types a CSV cell on import (see `docs/formula.md`, "Cell typing on import").
//!
//! The same number recognition converts text to a number at run time (`"1,234" + 0` is `1234`).

use crate::value::ErrorKind;

/// One cell of the row being scored, borrowed from the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// An empty cell.
    Blank,
    /// A number (dates and times are numbers: days since 1899-12-30).
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
    ///
    /// Numeric text, surrounding spaces allowed: `5`, `-1.5`, `.5`, `007`, `1e3`, `1,234`
    /// (groups of three), `5%` (→ 0.05), `$5`, `-$5`, dates `2024-01-15`, `2024/01/15`,
    /// `1/15/2024`, times `10:30`, `10:30:15`, `2:30 PM` and a date followed by a time (→ serial
    /// day numbers, as Sheets stores them). Error texts such as `#N/A` are errors.
    ///
    /// ```
    /// use supportops_formula::Cell;
    /// assert_eq!(Cell::from_import("1,234"), Cell::Number(1234.0));
    /// assert_eq!(Cell::from_import("true"), Cell::Bool(true));
    /// assert_eq!(Cell::from_import(""), Cell::Blank);
    /// assert_eq!(Cell::from_import("12,34"), Cell::Text("12,34"));
    /// ```
    pub fn from_import(text: &'a str) -> Cell<'a> {
        if text.is_empty() {
            return Cell::Blank;
        }
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("TRUE") {
            return Cell::Bool(true);
        }
        if trimmed.eq_ignore_ascii_case("FALSE") {
            return Cell::Bool(false);
        }
        if trimmed.starts_with('#')
            && let Some(e) = ErrorKind::from_text(trimmed)
        {
            return Cell::Error(e);
        }
        match parse_number_text(trimmed) {
            Some(n) => Cell::Number(n),
            None => Cell::Text(text),
        }
    }
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

impl Row for [Cell<'_>] {
    fn cell(&self, col: usize) -> Cell<'_> {
        self.get(col).copied().unwrap_or(Cell::Blank)
    }
}

impl Row for Vec<Cell<'_>> {
    fn cell(&self, col: usize) -> Cell<'_> {
        self.get(col).copied().unwrap_or(Cell::Blank)
    }
}

/// The number that `text` stands for, as Sheets reads typed or imported text, or `None` if it is
/// not numeric. Surrounding whitespace is ignored. See [`Cell::from_import`] for the forms.
pub fn parse_number_text(text: &str) -> Option<f64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let n = parse_plain_number(s).or_else(|| parse_date_time(s))?;
    // `-0` is 0; and only finite numbers are numbers.
    n.is_finite().then_some(n + 0.0)
}

/// Sign, currency, digits with optional thousands groups, fraction, exponent, percent.
fn parse_plain_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut negative = false;
    let mut signed = false;
    let mut currency = false;
    // [sign] [$] [sign]
    for _ in 0..3 {
        match b.get(i) {
            Some(b'+' | b'-') if !signed => {
                negative = b[i] == b'-';
                signed = true;
                i += 1;
            }
            Some(b'$') if !currency => {
                currency = true;
                i += 1;
            }
            _ => break,
        }
    }
    // Digits into a small stack buffer, commas removed.
    let mut buf = [0u8; 64];
    let mut len = 0;
    let mut push = |c: u8, len: &mut usize| -> Option<()> {
        *buf.get_mut(*len)? = c;
        *len += 1;
        Some(())
    };
    let mut group_len = 0usize; // digits since the last comma (or start)
    let mut saw_comma = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                push(c, &mut len)?;
                group_len += 1;
            }
            b',' => {
                // A comma needs 1–3 digits before the first one and exactly 3 between.
                if group_len == 0 || group_len > 3 || (saw_comma && group_len != 3) {
                    return None;
                }
                saw_comma = true;
                group_len = 0;
            }
            _ => break,
        }
        i += 1;
    }
    if saw_comma && group_len != 3 {
        return None;
    }
    let int_digits = len;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        push(b'.', &mut len)?;
        i += 1;
        while let Some(&c @ b'0'..=b'9') = b.get(i) {
            push(c, &mut len)?;
            frac_digits += 1;
            i += 1;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        if currency {
            return None;
        }
        push(b'e', &mut len)?;
        i += 1;
        if let Some(&c @ (b'+' | b'-')) = b.get(i) {
            push(c, &mut len)?;
            i += 1;
        }
        let mut exp_digits = 0;
        while let Some(&c @ b'0'..=b'9') = b.get(i) {
            push(c, &mut len)?;
            exp_digits += 1;
            i += 1;
        }
        if exp_digits == 0 {
            return None;
        }
    }
    let percent = b.get(i) == Some(&b'%');
    if percent {
        if currency {
            return None;
        }
        i += 1;
    }
    if i != b.len() {
        return None;
    }
    let digits = std::str::from_utf8(&buf[..len]).ok()?;
    let mut n: f64 = digits.parse().ok()?;
    if percent {
        n /= 100.0;
    }
    Some(if negative { -n } else { n })
}

/// Dates (`2024-01-15`, `2024/1/15`, `1/15/2024`, `1/15/24`), times (`10:30`, `10:30:15.5`,
/// `2:30 PM`) and a date then a time, as a serial day number (days since 1899-12-30).
fn parse_date_time(s: &str) -> Option<f64> {
    if let Some(t) = parse_time(s) {
        return Some(t);
    }
    let (date_part, time_part) = match s.split_once(|c: char| c.is_whitespace()) {
        Some((d, t)) => (d, Some(t.trim_start())),
        None => (s, None),
    };
    let days = parse_date(date_part)?;
    let fraction = match time_part {
        Some(t) => parse_time(t)?,
        None => 0.0,
    };
    Some(days + fraction)
}

/// Serial day number of an ISO (`Y-M-D`, `Y/M/D`) or US (`M/D/Y`) date.
fn parse_date(s: &str) -> Option<f64> {
    let sep = if s.contains('-') { '-' } else { '/' };
    let mut parts = s.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |p: &str, max_len: usize| -> Option<i32> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let (year, month, day) = if a.len() == 4 {
        (num(a, 4)?, num(b, 2)?, num(c, 2)?)
    } else if sep == '/' {
        let year = match c.len() {
            4 => num(c, 4)?,
            // Two-digit years: 00–29 are 2000–2029, 30–99 are 1930–1999.
            2 => {
                let y = num(c, 2)?;
                if y < 30 { 2000 + y } else { 1900 + y }
            }
            _ => return None,
        };
        (year, num(a, 2)?, num(b, 2)?)
    } else {
        return None;
    };
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let epoch = jiff::civil::date(1899, 12, 30);
    let span = date.since(epoch).ok()?;
    Some(f64::from(span.get_days()))
}

/// Fraction of a day of `H:MM`, `H:MM:SS`, `H:MM:SS.fff`, each optionally followed by `AM`/`PM`.
fn parse_time(s: &str) -> Option<f64> {
    let (clock, meridiem) = match s.len().checked_sub(2).and_then(|i| s.get(i..)) {
        Some(suffix) if suffix.eq_ignore_ascii_case("AM") || suffix.eq_ignore_ascii_case("PM") => (
            s[..s.len() - 2].trim_end(),
            Some(suffix.eq_ignore_ascii_case("PM")),
        ),
        _ => (s, None),
    };
    let mut parts = clock.split(':');
    let (h, m) = (parts.next()?, parts.next()?);
    let sec = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let int = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let mut hour = int(h)?;
    let minute = int(m)?;
    if m.len() != 2 || minute > 59 {
        return None;
    }
    let second: f64 = match sec {
        None => 0.0,
        Some(p) => {
            let (whole, frac) = p.split_once('.').unwrap_or((p, ""));
            if whole.len() != 2 || !frac.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let w = int(whole)?;
            if w > 59 {
                return None;
            }
            let f: f64 = if frac.is_empty() {
                0.0
            } else {
                format!("0.{frac}").parse().ok()?
            };
            f64::from(w) + f
        }
    };
    match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = hour % 12 + if pm { 12 } else { 0 };
        }
        None if hour > 23 => return None,
        None => {}
    }
    Some((f64::from(hour) * 3600.0 + f64::from(minute) * 60.0 + second) / 86400.0)
}
