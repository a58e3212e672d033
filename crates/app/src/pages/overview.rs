//! The Overview's numbers: aggregates over every stored response, the band mix and mean score
//! per month of the chart window, and the most flagged subjects of the last 90 days, each
//! grouped in SQL.

use jiff::{SignedDuration, Timestamp};
use supportops_ports::StoreError;
use supportops_ports::store::PageQueries;
use supportops_ports::store::pages::{MonthTotals, ResponseTotals, SubjectTotals};

/// How many months the charts show.
pub const CHART_MONTHS: usize = 12;
/// How far back the most flagged subjects are counted.
pub const HOTSPOT_DAYS: i64 = 90;
/// How many most flagged subjects are listed.
pub const HOTSPOTS: u64 = 5;

/// What the Overview (and `/api/v1/summary`) summarise.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    /// Over every stored response.
    pub totals: ResponseTotals,
    /// The chart window, oldest first, every month present (empty ones zero): up to 12 months
    /// ending with the current one, or with the last month with responses when none came in
    /// the last year.
    pub months: Vec<MonthTotals>,
    /// The subjects with the most flagged responses submitted in the last 90 days, most first.
    pub hotspots: Vec<SubjectTotals>,
}

/// `YYYY-MM` of a time, in UTC.
pub fn month_of(at: Timestamp) -> String {
    let d = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The `count` months ending with `last` (`YYYY-MM`), oldest first.
pub fn months_ending(last: &str, count: usize) -> Vec<String> {
    let Some((y, m)) = last
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<i32>().ok()?)))
    else {
        return Vec::new();
    };
    let end = y * 12 + m - 1;
    (0..count as i32)
        .rev()
        .map(|back| {
            let n = end - back;
            format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
        })
        .collect()
}

/// The window's months with their totals, empty ones zero.
fn fill(window: &[String], found: Vec<MonthTotals>) -> Vec<MonthTotals> {
    window
        .iter()
        .map(|month| {
            found
                .iter()
                .find(|m| &m.month == month)
                .cloned()
                .unwrap_or_else(|| MonthTotals {
                    month: month.clone(),
                    ..MonthTotals::default()
                })
        })
        .collect()
}

/// The Overview's numbers as of `now`.
pub async fn overview<S>(store: &S, now: Timestamp) -> Result<Overview, StoreError>
where
    S: PageQueries + ?Sized,
{
    let totals = store.response_totals().await?;
    let mut window = months_ending(&month_of(now), CHART_MONTHS);
    let (first, last) = (window[0].clone(), window[window.len() - 1].clone());
    let mut found = store.month_totals(&first, &last).await?;
    if found.is_empty()
        && let Some(latest) = store.latest_submission().await?
    {
        window = months_ending(&month_of(latest), CHART_MONTHS);
        let (first, last) = (window[0].clone(), window[window.len() - 1].clone());
        found = store.month_totals(&first, &last).await?;
    }
    let hotspots = store
        .most_flagged_subjects(
            now - SignedDuration::from_hours(24 * HOTSPOT_DAYS),
            HOTSPOTS,
        )
        .await?;
    Ok(Overview {
        totals,
        months: fill(&window, found),
        hotspots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_ending_crosses_years() {
        assert_eq!(
            months_ending("2026-02", 4),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
    }
}
