//! When the scoring formula changes: history that stays true, rescoring on purpose, and what a
//! new formula would do to the stored responses before it is adopted.
//!
//! - [`keep_filed_scores`]: a response keeps the score and band it was filed under. Before a
//!   sheet is imported, each response the store already holds, with the same cells, scored by
//!   another formula version (or before versions were recorded), gets its stored score back;
//!   so the import leaves it as it is and the review files by it. A response that is new, or
//!   whose cells changed, is scored by the current formula.
//! - [`rescore`]: `review --rescore`: every stored response scored again with the current
//!   formula, the band transitions counted, and what becomes flagged filed through the review
//!   use case ([`crate::review::review`]), so filing stays idempotent and crash-safe.
//! - [`what_if`]: the band transition matrix of a proposed formula over the stored responses,
//!   for the dashboard's *What if* page; nothing is written.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use supportops_domain::formula_change::{ExampleRow, WhatIf, WhatIfBuilder};
use supportops_domain::{BandThresholds, FormulaSpec, ScoredResponse};
use supportops_formula::{Cell, Formula};
use supportops_ports::store::formula::FormulaVersionId;
use supportops_ports::store::responses::{ResponseQuery, StoredResponse};
use supportops_ports::store::{ActionLog, FormulaStore, ResponseStore, ReviewStore};
use supportops_ports::{StoreError, Tracker};

use crate::review::{LockOptions, ReviewError, ReviewOptions, ReviewReport, review};

/// Responses that keep the score an earlier formula gave them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KeptScores {
    /// Responses whose stored score differs from the current formula's and was kept.
    pub kept: usize,
    /// Of those, how many the current formula would put in another band.
    pub other_band: usize,
}

/// Up to this many responses are looked up by key without first asking whether any stored
/// response was scored by another formula.
const LOOK_UP_AT_ONCE: usize = 1_000;

/// Gives each response in `responses` that the store holds with the same cells, scored by a
/// formula version other than `current`, its stored score and band back. Reads only.
pub async fn keep_filed_scores<S>(
    store: &S,
    current: &FormulaSpec,
    responses: &mut [ScoredResponse],
) -> Result<KeptScores, StoreError>
where
    S: ResponseStore + FormulaStore + ?Sized,
{
    let hash = current.hash();
    let current_id = store.formula_version_id(&hash).await?;
    // A sheet's worth of responses, all scored by the current formula: nothing to keep and
    // nothing to read (a rerun on an unchanged sheet looks up none of its rows). A few
    // responses (a webhook delivery) are looked up at once, which costs less than the check.
    if responses.len() > LOOK_UP_AT_ONCE && !store.scored_otherwise(current_id).await? {
        return Ok(KeptScores::default());
    }
    let current_ids: Vec<FormulaVersionId> = current_id.into_iter().collect();
    // Only the responses at hand are looked up: a webhook delivery costs one response.
    let keys: Vec<_> = responses.iter().map(|r| r.response.key.clone()).collect();
    let stored: HashMap<_, StoredResponse> = store
        .responses_by_key(&keys)
        .await?
        .into_iter()
        .map(|r| (r.scored.response.key.clone(), r))
        .collect();
    let mut kept = KeptScores::default();
    for r in responses.iter_mut() {
        let Some(s) = stored.get(&r.response.key) else {
            continue;
        };
        let by_current = s
            .formula_version
            .is_some_and(|id| current_ids.contains(&id));
        if by_current || s.scored.response.cells != r.response.cells || s.scored.score == r.score {
            continue;
        }
        kept.kept += 1;
        if s.scored.band != r.band {
            kept.other_band += 1;
        }
        r.score = s.scored.score.clone();
        r.band = s.scored.band;
    }
    Ok(kept)
}

/// A formula to score stored responses with, and how many example rows to keep per changed
/// cell of the transition matrix.
#[derive(Debug, Clone, Copy)]
pub struct Rescoring<'a> {
    /// The formula, parsed for the sheet's template row.
    pub formula: &'a Formula,
    /// Its band thresholds.
    pub thresholds: BandThresholds,
    /// Example rows kept per changed cell.
    pub examples: usize,
}

/// Scores `cells` (a stored response's row) with a formula and thresholds.
fn score_cells(
    formula: &Formula,
    thresholds: &BandThresholds,
    cells: &[String],
) -> (supportops_formula::Value, supportops_domain::Band) {
    let row: Vec<Cell<'_>> = cells.iter().map(|c| Cell::from_import(c)).collect();
    let value = formula.eval(&row.as_slice());
    let band = thresholds.band(&value);
    (value, band)
}

/// The stored responses scored again with `formula`, and the transitions from their stored
/// bands.
fn compare_stored(
    stored: Vec<StoredResponse>,
    with: &Rescoring<'_>,
) -> (WhatIf, Vec<ScoredResponse>) {
    let mut builder = WhatIfBuilder::new(with.examples);
    let mut rescored = Vec::with_capacity(stored.len());
    for s in stored {
        let mut r = s.scored;
        let (value, band) = score_cells(with.formula, &with.thresholds, &r.response.cells);
        let subject = (!r.response.subject_raw.trim().is_empty()).then_some(&r.response.subject);
        builder.add(r.band, band, subject, || ExampleRow {
            row: r.response.row,
            subject: r.response.subject_raw.clone(),
            score_before: r.score.to_string(),
            score_after: value.to_string(),
        });
        r.score = value;
        r.band = band;
        rescored.push(r);
    }
    (builder.finish(), rescored)
}

/// What a formula would do to the stored responses: from their stored bands to its bands,
/// with example rows per changed cell. Writes nothing.
pub async fn what_if<S>(store: &S, with: &Rescoring<'_>) -> Result<WhatIf, StoreError>
where
    S: ResponseStore + ?Sized,
{
    let stored = store.responses(&ResponseQuery::default()).await?;
    Ok(compare_stored(stored, with).0)
}

/// What `review --rescore` did (or would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RescoreReport {
    /// The stored responses, from the bands they were filed under to the current formula's.
    pub rescored: WhatIf,
    /// The filing of what is flagged now.
    pub review: ReviewReport,
}

/// Scores every stored response again with the current formula (`with`; the caller adopted
/// it with [`FormulaStore::adopt_formula`] unless this is a dry run), then
/// files what is flagged now with the review use case. With `options.dry_run` nothing is
/// written and nothing filed.
pub async fn rescore<S>(
    store: &S,
    tracker: &dyn Tracker,
    with: &Rescoring<'_>,
    options: &ReviewOptions,
    lock: &LockOptions,
    now: Timestamp,
) -> Result<RescoreReport, ReviewError>
where
    S: ResponseStore + ReviewStore + ActionLog + ?Sized,
{
    let stored = store.responses(&ResponseQuery::default()).await?;
    let (rescored, responses) = compare_stored(stored, with);
    let review = review(store, tracker, &responses, options, lock, now).await?;
    Ok(RescoreReport { rescored, review })
}
