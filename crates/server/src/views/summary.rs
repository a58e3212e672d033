//! The summary of stored responses: counts per band and score (the same shape as
//! `supportops score --summary --format json`), and the band mix and mean score per month that
//! the Overview charts draw.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use supportops_formula::Value;
use supportops_ports::store::responses::{ResponseQuery, StoredResponse};

use super::{month_of, months_ending, number_text};
use crate::charts::BandCounts;
use crate::error::DataError;
use crate::state::AppState;

/// How many months the charts show.
pub const CHART_MONTHS: usize = 12;

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

/// How far back [`SummaryView::hotspots`] looks.
pub const HOTSPOT_DAYS: i64 = 90;
/// How many hotspots are listed.
pub const HOTSPOTS: usize = 5;

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

/// The subjects with the most flagged responses submitted since `since`.
fn hotspots(responses: &[StoredResponse], since: jiff::Timestamp) -> Vec<Hotspot> {
    let mut by_subject: BTreeMap<&str, (BandCounts, u64, &supportops_domain::SubjectUrl)> =
        BTreeMap::new();
    for r in responses {
        let resp = &r.scored.response;
        if resp.subject.is_empty() || resp.submitted_at.is_none_or(|t| t < since) {
            continue;
        }
        let entry = by_subject.entry(resp.subject.as_str()).or_insert((
            BandCounts::default(),
            0,
            &resp.subject,
        ));
        entry.1 += 1;
        if r.scored.band.is_flagged() {
            entry.0.add(r.scored.band);
        }
    }
    let mut list: Vec<Hotspot> = by_subject
        .into_values()
        .filter(|(b, _, _)| b.total() > 0)
        .map(|(bands, responses, subject)| Hotspot {
            subject: subject.as_str().to_owned(),
            subject_ref: supportops_domain::review::reference(subject),
            bands,
            responses,
        })
        .collect();
    list.sort_by(|a, b| {
        let weight = |h: &Hotspot| (h.bands.total(), h.bands.red + h.bands.error);
        weight(b)
            .cmp(&weight(a))
            .then_with(|| a.subject.cmp(&b.subject))
    });
    list.truncate(HOTSPOTS);
    list
}

/// Summarises `responses` as of `now`.
pub fn summarise(responses: &[StoredResponse], now: jiff::Timestamp) -> SummaryView {
    let current_month = month_of(now);
    let current_month = current_month.as_str();
    let mut bands = BandCounts::default();
    let mut hist: BTreeMap<u64, (f64, u64)> = BTreeMap::new();
    let mut subjects = std::collections::HashSet::new();
    let mut mismatches = 0;
    let (mut sum, mut n) = (0.0, 0u64);
    let mut by_month: BTreeMap<String, (BandCounts, f64, u64)> = BTreeMap::new();
    for r in responses {
        let s = &r.scored;
        bands.add(s.band);
        subjects.insert(s.response.subject.as_str());
        if s.mismatch() {
            mismatches += 1;
        }
        let number = match s.score {
            Value::Number(x) if x.is_finite() => Some(if x == 0.0 { 0.0 } else { x }),
            _ => None,
        };
        if let Some(x) = number {
            sum += x;
            n += 1;
            hist.entry(x.to_bits()).or_insert((x, 0)).1 += 1;
        }
        if let Some(at) = s.response.submitted_at {
            let m = by_month.entry(month_of(at)).or_default();
            m.0.add(s.band);
            if let Some(x) = number {
                m.1 += x;
                m.2 += 1;
            }
        }
    }
    let mut scores: Vec<(f64, u64)> = hist.into_values().collect();
    scores.sort_by(|a, b| a.0.total_cmp(&b.0));
    let window = months_ending(current_month, CHART_MONTHS);
    let recent = window.iter().any(|m| by_month.contains_key(m));
    let window = match by_month.keys().next_back() {
        Some(last) if !recent => months_ending(last, CHART_MONTHS),
        _ => window,
    };
    let months = window
        .into_iter()
        .map(|month| {
            let (b, total, scored) = by_month.get(&month).cloned().unwrap_or_default();
            MonthView {
                responses: b.total(),
                bands: b,
                scored,
                mean_score: (scored > 0).then(|| round2(total / scored as f64)),
                month,
            }
        })
        .collect();
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
        scores: ScoreHistogram(scores),
        subjects: subjects.len() as u64,
        mismatches,
        mean_score: (n > 0).then(|| round2(sum / n as f64)),
        months,
        hotspots: hotspots(
            responses,
            now - jiff::SignedDuration::from_hours(24 * HOTSPOT_DAYS),
        ),
    }
}

/// The summary of the store's responses.
pub async fn load(state: &AppState) -> Result<SummaryView, DataError> {
    let responses = state.store().responses(&ResponseQuery::default()).await?;
    Ok(summarise(&responses, state.now()))
}
