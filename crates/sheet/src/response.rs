//! Turning one row's cells into a [`Response`]: its key, subject, submitter and timestamp.

use supportops_domain::{Response, ResponseKey, SubjectUrl};

use crate::layout::Columns;

/// Builds the response of sheet row `row` from its cells.
///
/// The key is the id column's value when the sheet has one and the cell is not blank, else
/// derived from timestamp, subject and submitter.
pub(crate) fn build_response(row: u64, cells: Vec<String>, columns: &Columns) -> Response {
    let cell = |col: usize| cells.get(col).map_or("", |s| s.as_str());
    let timestamp = cell(columns.timestamp).trim().to_owned();
    let subject_raw = cell(columns.subject).to_owned();
    let submitter = columns
        .submitter
        .map(cell)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let key = match columns
        .id
        .map(cell)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => ResponseKey::from_id(id),
        None => ResponseKey::derive(&timestamp, &subject_raw, submitter.as_deref().unwrap_or("")),
    };
    Response {
        row,
        key,
        submitted_at: parse_timestamp(&timestamp),
        timestamp,
        subject: SubjectUrl::parse(&subject_raw),
        subject_raw,
        submitter,
        cells,
    }
}

/// Reads a timestamp cell: Google Sheets' `M/D/YYYY H:MM:SS` (also without seconds or time),
/// or ISO 8601 (`2026-03-14T09:05:33Z`, `2026-03-14 09:05:33`, `2026-03-14`). Times without an
/// offset are taken as UTC. `None` when the text is none of these.
pub fn parse_timestamp(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let utc = |dt: jiff::civil::DateTime| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok();
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return utc(dt);
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return utc(d.to_datetime(jiff::civil::Time::midnight()));
    }
    for format in ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(format, text) {
            return utc(dt);
        }
    }
    jiff::civil::Date::strptime("%m/%d/%Y", text)
        .ok()
        .and_then(|d| utc(d.to_datetime(jiff::civil::Time::midnight())))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn ts(text: &str) -> Option<String> {
        parse_timestamp(text).map(|t| t.to_string())
    }

    #[test]
    fn sheets_and_iso_timestamps_read_as_utc() {
        assert_eq!(
            ts("3/4/2026 9:05:33").as_deref(),
            Some("2026-03-04T09:05:33Z")
        );
        assert_eq!(
            ts("12/31/2025 23:59:59").as_deref(),
            Some("2025-12-31T23:59:59Z")
        );
        assert_eq!(ts("3/4/2026 9:05").as_deref(), Some("2026-03-04T09:05:00Z"));
        assert_eq!(ts("3/4/2026").as_deref(), Some("2026-03-04T00:00:00Z"));
        assert_eq!(
            ts("2026-03-04T09:05:33+01:00").as_deref(),
            Some("2026-03-04T08:05:33Z")
        );
        assert_eq!(
            ts("2026-03-04 09:05:33").as_deref(),
            Some("2026-03-04T09:05:33Z")
        );
        assert_eq!(ts("2026-03-04").as_deref(), Some("2026-03-04T00:00:00Z"));
        assert_eq!(ts("yesterday"), None);
        assert_eq!(ts("13/45/2026 9:00:00"), None);
        assert_eq!(ts(""), None);
    }

    #[test]
    fn the_id_column_wins_over_the_derived_key() {
        let cells: Vec<String> = [
            "3/4/2026 9:05:33",
            "https://gitlab.com/a/b/issues/1",
            "",
            "k-7",
        ]
        .map(String::from)
        .to_vec();
        let mut columns = Columns {
            timestamp: 0,
            subject: 1,
            submitter: Some(2),
            stored_score: None,
            id: Some(3),
        };
        let r = build_response(2, cells.clone(), &columns);
        assert_eq!(r.key.as_str(), "id:k-7");
        assert_eq!(r.submitter, None);
        assert_eq!(r.subject.as_str(), "https://gitlab.com/a/b/-/issues/1");
        columns.id = None;
        let r = build_response(2, cells, &columns);
        assert_eq!(
            r.key,
            ResponseKey::derive("3/4/2026 9:05:33", "https://gitlab.com/a/b/issues/1", "")
        );
    }
}
