//! Calendar months and shadowing periods: a month (`2026-12`), a quarter (`2026-Q4`) or a
//! year (`2026`). Targets are counted per period; members shadow once per month.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a month or period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The text is not a month.
    #[error("`{input}` is not a month; expected YYYY-MM, e.g. `2026-12`")]
    Month {
        /// What was given.
        input: String,
    },
    /// The text is not a period.
    #[error(
        "`{input}` is not a period; expected a month `2026-12`, a quarter `2026-Q4` or a year `2026`"
    )]
    Period {
        /// What was given.
        input: String,
    },
    /// The text is not a period kind.
    #[error("`{input}` is not one of month, quarter, year")]
    Kind {
        /// What was given.
        input: String,
    },
}

/// A calendar month, e.g. `2026-12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i16,
    month: i8,
}

impl Month {
    /// The month `month` (1–12) of `year` (1–9999).
    pub fn new(year: i16, month: i8) -> Option<Month> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: Date) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Reads `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Month, PeriodError> {
        let err = || PeriodError::Month {
            input: text.to_owned(),
        };
        let (y, m) = text.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        Month::new(year, month).ok_or_else(err)
    }

    /// The year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// The month number, 1–12.
    pub fn number(self) -> i8 {
        self.month
    }

    /// The quarter, 1–4.
    pub fn quarter(self) -> i8 {
        (self.month - 1) / 3 + 1
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        jiff::civil::date(self.year, self.month, 1)
    }

    /// The `day`th day of the month, or its last day when the month is shorter.
    pub fn day(self, day: i8) -> Date {
        let first = self.first_day();
        jiff::civil::date(self.year, self.month, day.clamp(1, first.days_in_month()))
    }

    /// The month after this one (December 9999 has none and stays put).
    pub fn next(self) -> Month {
        self.plus(1)
    }

    /// The month before this one (January of year 1 has none and stays put).
    pub fn prev(self) -> Month {
        self.plus(-1)
    }

    /// The month `n` months later (earlier when negative), kept within years 1–9999.
    pub fn plus(self, n: i32) -> Month {
        let index = (self.index() + n).clamp(12, 9999 * 12 + 11);
        Month {
            year: (index / 12) as i16,
            month: (index % 12 + 1) as i8,
        }
    }

    /// How many months `self` is after `earlier` (negative when before).
    pub fn months_since(self, earlier: Month) -> i32 {
        self.index() - earlier.index()
    }

    /// The English three-letter name, e.g. `Dec`.
    pub fn short_name(self) -> &'static str {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        NAMES[(self.month - 1) as usize]
    }

    fn index(self) -> i32 {
        i32::from(self.year) * 12 + i32::from(self.month) - 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Month, PeriodError> {
        Month::parse(s)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How long a coverage period is (config `shadowing.period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// A calendar quarter (the handbook's default).
    Quarter,
    /// A calendar year.
    Year,
}

impl PeriodKind {
    /// Reads `month`, `quarter` or `year`.
    pub fn parse(text: &str) -> Result<PeriodKind, PeriodError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "month" => Ok(PeriodKind::Month),
            "quarter" => Ok(PeriodKind::Quarter),
            "year" => Ok(PeriodKind::Year),
            _ => Err(PeriodError::Kind {
                input: text.to_owned(),
            }),
        }
    }
}

/// A span of whole months over which a region's target is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// One month, `2026-12`.
    Month(Month),
    /// A quarter, `2026-Q4`: year and quarter number 1–4.
    Quarter(i16, i8),
    /// A year, `2026`.
    Year(i16),
}

impl Period {
    /// The period of `kind` that contains `month`.
    pub fn containing(kind: PeriodKind, month: Month) -> Period {
        match kind {
            PeriodKind::Month => Period::Month(month),
            PeriodKind::Quarter => Period::Quarter(month.year(), month.quarter()),
            PeriodKind::Year => Period::Year(month.year()),
        }
    }

    /// Reads `2026-12`, `2026-Q4` (or `2026-q4`) or `2026`.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let t = text.trim();
        let err = || PeriodError::Period {
            input: text.to_owned(),
        };
        if let Some((y, q)) = t
            .split_once(['-', ' '])
            .filter(|(_, q)| q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')))
        {
            let year: i16 = y.parse().map_err(|_| err())?;
            let quarter: i8 = q[1..].parse().map_err(|_| err())?;
            if y.len() != 4 || !(1..=9999).contains(&year) || !(1..=4).contains(&quarter) {
                return Err(err());
            }
            return Ok(Period::Quarter(year, quarter));
        }
        if t.len() == 4 {
            let year: i16 = t.parse().map_err(|_| err())?;
            return if (1..=9999).contains(&year) {
                Ok(Period::Year(year))
            } else {
                Err(err())
            };
        }
        Month::parse(t).map(Period::Month).map_err(|_| err())
    }

    /// What kind of period this is.
    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Month(_) => PeriodKind::Month,
            Period::Quarter(..) => PeriodKind::Quarter,
            Period::Year(_) => PeriodKind::Year,
        }
    }

    /// Its first month.
    pub fn first_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(y, q) => Month {
                year: y,
                month: (q - 1) * 3 + 1,
            },
            Period::Year(y) => Month { year: y, month: 1 },
        }
    }

    /// Its last month.
    pub fn last_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(y, q) => Month {
                year: y,
                month: q * 3,
            },
            Period::Year(y) => Month { year: y, month: 12 },
        }
    }

    /// Its months, in order.
    pub fn months(self) -> Vec<Month> {
        let (first, last) = (self.first_month(), self.last_month());
        (0..=last.months_since(first))
            .map(|i| first.plus(i))
            .collect()
    }

    /// Whether `month` falls in this period.
    pub fn contains(self, month: Month) -> bool {
        self.first_month() <= month && month <= self.last_month()
    }

    /// The periods of `kind` that together cover this span, in order (a year split into
    /// quarters, a month widened to its quarter).
    pub fn split(self, kind: PeriodKind) -> Vec<Period> {
        let mut out = Vec::new();
        let mut p = Period::containing(kind, self.first_month());
        while p.first_month() <= self.last_month() {
            out.push(p);
            if p.last_month() == Month::new(9999, 12).unwrap_or(p.last_month()) {
                break;
            }
            p = Period::containing(kind, p.last_month().next());
        }
        out
    }

    /// The period of the same kind just before this one.
    pub fn prev(self) -> Period {
        Period::containing(self.kind(), self.first_month().prev())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(m) => write!(f, "{m}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Year(y) => write!(f, "{y:04}"),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        Period::parse(s)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn m(text: &str) -> Month {
        Month::parse(text).unwrap()
    }

    #[test]
    fn months_read_and_print_as_yyyy_mm() {
        assert_eq!(m("2026-12").to_string(), "2026-12");
        assert_eq!(m("2026-12").next().to_string(), "2027-01");
        assert_eq!(m("2026-01").prev().to_string(), "2025-12");
        assert_eq!(m("2026-03").months_since(m("2025-11")), 4);
        for bad in [
            "2026-13", "2026-00", "26-12", "2026/12", "december", "2026-1",
        ] {
            let err = Month::parse(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{err}");
        }
    }

    #[test]
    fn periods_read_in_three_shapes() {
        assert_eq!(Period::parse("2026-Q4").unwrap(), Period::Quarter(2026, 4));
        assert_eq!(Period::parse("2026-q1").unwrap(), Period::Quarter(2026, 1));
        assert_eq!(Period::parse("2026").unwrap(), Period::Year(2026));
        assert_eq!(
            Period::parse("2026-11").unwrap(),
            Period::Month(m("2026-11"))
        );
        for bad in ["2026-Q5", "2026-Q0", "Q4", "20261", "2026-11-01", ""] {
            assert!(Period::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn a_quarter_has_three_months() {
        let q = Period::containing(PeriodKind::Quarter, m("2026-11"));
        assert_eq!(q.to_string(), "2026-Q4");
        let months: Vec<String> = q.months().iter().map(Month::to_string).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
        assert!(q.contains(m("2026-10")));
        assert!(!q.contains(m("2027-01")));
        assert_eq!(q.prev().to_string(), "2026-Q3");
        assert_eq!(Period::Quarter(2026, 1).prev().to_string(), "2025-Q4");
    }

    #[test]
    fn a_year_splits_into_quarters_and_a_month_widens_to_its_quarter() {
        let quarters: Vec<String> = Period::Year(2026)
            .split(PeriodKind::Quarter)
            .iter()
            .map(Period::to_string)
            .collect();
        assert_eq!(quarters, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
        assert_eq!(
            Period::Month(m("2026-05")).split(PeriodKind::Quarter),
            [Period::Quarter(2026, 2)]
        );
        assert_eq!(Period::Quarter(2026, 2).split(PeriodKind::Month).len(), 3);
    }

    #[test]
    fn months_and_periods_are_strings_in_json() {
        assert_eq!(
            serde_json::to_string(&Period::Quarter(2026, 4)).unwrap(),
            r#""2026-Q4""#
        );
        assert_eq!(
            serde_json::to_string(&m("2026-02")).unwrap(),
            r#""2026-02""#
        );
        let back: Month = serde_json::from_str(r#""2026-02""#).unwrap();
        assert_eq!(back, m("2026-02"));
    }
}
