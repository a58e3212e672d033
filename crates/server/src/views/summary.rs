//! The summary of stored responses as the Overview and `/api/v1/summary` show it: counts per
//! band and score (the same shape as `supportops score --summary --format json`), and the band
//! mix and mean score per month that the Overview charts draw. The numbers come from the
//! overview use case (`supportops_app::pages::overview`), aggregated in SQL.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use supportops_app::pages::overview::{Overview, overview};

use super::number_text;
use crate::charts::BandCounts;
use crate::error::DataError;
use crate::state::AppState;

/// One month of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthView {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// Responses submitted that month.
    pub responses: u64,
    /// Per band.
    pub bands: BandCounts,
    /// Responses with a numeric score.
    pub scored: u64,
    /// Their mean score, rounded to 2 decimals; `null` when none.
    pub mean_score: Option<f64>,
}

/// Shares per band, between 0 and 1, rounded to 4 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shares {
    /// Green.
    pub green: f64,
    /// Yellow.
    pub yellow: f64,
    /// Red.
    pub red: f64,
    /// Error.
    pub error: f64,
}

/// Responses per numeric score, ascending by score, serialised as `{"-1": n, "0": n, …}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreHistogram(pub Vec<(f64, u64)>);

impl Serialize for ScoreHistogram {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (score, n) in &self.0 {
            map.serialize_entry(&number_text(*score), n)?;
        }
        map.end()
    }
}

/// A subject with many flagged responses lately.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    /// The normalised subject.
    pub subject: String,
    /// A short reference, e.g. `group/project#12`.
    pub subject_ref: String,
    /// Flagged responses about it in the window, per band.
    pub bands: BandCounts,
    /// All its responses in the window.
    pub responses: u64,
}

/// The summary of every stored response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryView {
    /// Responses stored.
    pub rows: u64,
    /// Per band.
    pub bands: BandCounts,
    /// Per band, as shares of `rows`.
    pub shares: Shares,
    /// Per numeric score.
    pub scores: ScoreHistogram,
    /// Distinct subjects.
    pub subjects: u64,
    /// Responses whose stored score differs from the formula's.
    pub mismatches: u64,
    /// Yellow, Red and Error responses.
    pub flagged: u64,
    /// Mean of all numeric scores, rounded to 2 decimals.
    pub mean_score: Option<f64>,
    /// The chart window: up to 12 months, oldest first, ending with the current month (or
    /// the last month with responses, when none came in the last year).
    pub months: Vec<MonthView>,
    /// The subjects with the most Yellow, Red and Error responses submitted in the last 90
    /// days, most first (at most 5).
    pub hotspots: Vec<Hotspot>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 / of as f64 * 10_000.0).round() / 10_000.0
    }
}

/// The view of the Overview's numbers.
pub fn summarise(o: Overview) -> SummaryView {
    let bands = BandCounts::from(o.totals.bands);
    let rows = bands.total();
    SummaryView {
        rows,
        shares: Shares {
            green: share(bands.green, rows),
            yellow: share(bands.yellow, rows),
            red: share(bands.red, rows),
            error: share(bands.error, rows),
        },
        flagged: bands.yellow + bands.red + bands.error,
        bands,
        scores: ScoreHistogram(o.totals.scores),
        subjects: o.totals.subjects,
        mismatches: o.totals.mismatches,
        mean_score: (o.totals.scored > 0)
            .then(|| round2(o.totals.score_sum / o.totals.scored as f64)),
        months: o
            .months
            .into_iter()
            .map(|m| {
                let b = BandCounts::from(m.bands);
                MonthView {
                    responses: b.total(),
                    bands: b,
                    scored: m.scored,
                    mean_score: (m.scored > 0).then(|| round2(m.score_sum / m.scored as f64)),
                    month: m.month,
                }
            })
            .collect(),
        hotspots: o
            .hotspots
            .into_iter()
            .map(|h| Hotspot {
                subject_ref: supportops_domain::review::reference(&h.subject),
                subject: h.subject.as_str().to_owned(),
                bands: BandCounts::from(h.flagged),
                responses: h.responses,
            })
            .collect(),
    }
}

/// The summary of the store's responses: aggregated in SQL, and kept until the stored
/// responses change (or the hour does, which moves the 90-day window).
pub async fn load(state: &AppState) -> Result<SummaryView, DataError> {
    let now = state.now();
    let generation = state.store().response_generation().await?;
    let key = (generation, now.strftime("%Y-%m-%dT%H").to_string());
    if let Ok(cache) = state.summary_cache().lock()
        && let Some((k, view)) = cache.as_ref()
        && *k == key
    {
        return Ok(view.clone());
    }
    let view = summarise(overview(state.store().as_ref(), now).await?);
    if let Ok(mut cache) = state.summary_cache().lock() {
        *cache = Some((key, view.clone()));
    }
    Ok(view)
}
