//! View models: what each page and API endpoint shows, read from the store, the tracker and the
//! use cases. Pages render them with templates and the API serialises them, so both always
//! agree. Nothing here knows HTTP.

pub mod responses;
pub mod reviews;
pub mod shadowing;
pub mod summary;
pub mod syncs;

use jiff::Timestamp;
use serde::Serialize;
use supportops_domain::Band;
use supportops_formula::Value;

/// A band with its name and the handbook's label, as every view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BandView {
    /// `green`, `yellow`, `red` or `error`.
    pub band: Band,
    /// `Good`, `Needs Improvement`, `Bad` or `Error`.
    pub label: &'static str,
}

impl From<Band> for BandView {
    fn from(band: Band) -> Self {
        BandView {
            band,
            label: band.label(),
        }
    }
}

/// A query parameter as typed, trimmed; `None` when absent or blank (an HTML form sends empty
/// fields).
pub(crate) fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A whole-number parameter from 1 to `max` (`page`, `per_page`), `default` when not given;
/// `expected` says what is accepted when it is refused.
pub(crate) fn count_param<N>(
    param: &'static str,
    given: Option<&str>,
    default: N,
    max: N,
    expected: &'static str,
) -> Result<N, crate::error::BadParam>
where
    N: std::str::FromStr + PartialOrd + From<u8>,
{
    let Some(text) = given else {
        return Ok(default);
    };
    text.parse::<N>()
        .ok()
        .filter(|n| *n >= N::from(1) && *n <= max)
        .ok_or_else(|| crate::error::BadParam {
            param,
            value: text.to_owned(),
            expected,
        })
}

/// A page number parameter (`page`, from 1; 1 when not given).
pub(crate) fn page_param<N>(given: Option<&str>, max: N) -> Result<N, crate::error::BadParam>
where
    N: std::str::FromStr + PartialOrd + From<u8>,
{
    count_param("page", given, N::from(1), max, "a page number from 1")
}

/// `YYYY-MM` of a time, in UTC.
pub fn month_of(at: Timestamp) -> String {
    let d = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// Reads `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<(i16, i8)> {
    let (y, m) = text.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i16 = y.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    (1..=12).contains(&m).then_some((y, m))
}

/// A formula value as JSON: numbers (whole ones without a fraction, `2` not `2.0`), text and
/// booleans as themselves; blank and errors `null`.
pub fn value_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
            serde_json::Value::Number((*n as i64).into())
        }
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Text(t) => serde_json::Value::String(t.clone()),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Blank | Value::Error(_) => serde_json::Value::Null,
    }
}

/// The Sheets error text of a value (`#VALUE!`), if it is one.
pub fn value_error(value: &Value) -> Option<&'static str> {
    match value {
        Value::Error(e) => Some(e.as_str()),
        _ => None,
    }
}

/// A formula value as people read it: `2`, `1.5`, `TRUE`, `"text"`, `#VALUE!`, or blank.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Number(_) => value.to_string(),
        Value::Text(t) => format!("\"{t}\""),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Value::Blank => "(blank)".to_owned(),
        Value::Error(e) => e.as_str().to_owned(),
    }
}

/// `text` as a link target, only when it is an `http(s)` URL: a cell such as
/// `javascript:…` must never become a link.
pub fn href(text: &str) -> Option<String> {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| text.to_owned())
}

/// A number as the sheet shows it: `2`, `-1`, `0.3` (the formula's `number_text`, which a
/// value's `Display` uses: one formatter for the CLI, issues and pages).
pub fn number_text(n: f64) -> String {
    supportops_formula::number_text(n)
}

/// A time as `2026-03-14 09:05 UTC`.
pub fn utc_minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn month_text_is_checked() {
        assert_eq!(parse_month("2026-03"), Some((2026, 3)));
        assert_eq!(parse_month("2026-3"), None);
        assert_eq!(parse_month("2026-00"), None);
        assert_eq!(parse_month("march"), None);
    }
}
