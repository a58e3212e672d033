//! The *What if* page (`GET /what-if?formula=…`): paste a formula and see what it would do to
//! the stored responses before adopting it: the band transition matrix from the bands they
//! were filed under, the change in flagged responses and in review issues needed, example rows,
//! and the formula versions used so far. A formula that does not parse is shown with its caret.
//! Nothing is written. Open to whoever can see the dashboard; it becomes editor-only when the
//! dashboard gains sign-in.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use supportops_app::formula::{Rescoring, what_if};
use supportops_domain::Band;
use supportops_domain::formula_change::{ExampleRow, WhatIf, delta};
use supportops_formula::{Formula, ParseOptions};
use supportops_ports::store::formula::FormulaVersion;

use crate::error::{DataError, PageError};
use crate::pages::Layout;
use crate::state::AppState;

/// Example rows shown per changed cell.
const EXAMPLES: usize = 3;

/// The page's query: the proposed formula, if one was submitted.
#[derive(Debug, Deserialize)]
pub struct WhatIfParams {
    formula: Option<String>,
}

/// One row of the matrix as drawn.
struct MatrixRow {
    from: Band,
    cells: Vec<(u64, bool)>,
    total: u64,
}

/// One changed cell's examples.
struct ExampleGroup {
    from: Band,
    to: Band,
    count: u64,
    rows: Vec<ExampleRow>,
}

/// The comparison as the page shows it.
struct Comparison {
    bands: [Band; 4],
    rows: Vec<MatrixRow>,
    totals: Vec<u64>,
    total: u64,
    changed: u64,
    flagged: (u64, u64, String),
    subjects: (u64, u64, String),
    examples: Vec<ExampleGroup>,
}

fn signed(d: i64) -> String {
    if d > 0 {
        format!("+{d}")
    } else {
        d.to_string()
    }
}

impl Comparison {
    fn of(w: &WhatIf) -> Comparison {
        let t = &w.transitions;
        let rows = Band::ALL
            .into_iter()
            .map(|from| MatrixRow {
                from,
                cells: Band::ALL
                    .into_iter()
                    .map(|to| (t.count(from, to), from != to))
                    .collect(),
                total: Band::ALL.into_iter().map(|to| t.count(from, to)).sum(),
            })
            .collect();
        let totals = Band::ALL
            .into_iter()
            .map(|to| Band::ALL.into_iter().map(|f| t.count(f, to)).sum())
            .collect();
        Comparison {
            bands: Band::ALL,
            rows,
            totals,
            total: t.total(),
            changed: t.changed(),
            flagged: (
                t.flagged_before(),
                t.flagged_after(),
                signed(delta(t.flagged_before(), t.flagged_after())),
            ),
            subjects: (
                w.subjects_before,
                w.subjects_after,
                signed(delta(w.subjects_before, w.subjects_after)),
            ),
            examples: w
                .examples
                .iter()
                .map(|((from, to), rows)| ExampleGroup {
                    from: *from,
                    to: *to,
                    count: t.count(*from, *to),
                    rows: rows.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "what_if.html")]
struct WhatIfPage {
    layout: Layout,
    current: String,
    formula: String,
    error: Option<String>,
    result: Option<Comparison>,
    versions: Vec<FormulaVersion>,
    unrecorded: u64,
}

impl WhatIfPage {
    fn date(v: &FormulaVersion) -> (String, String) {
        (
            v.first_used_at.strftime("%Y-%m-%d").to_string(),
            v.last_used_at.strftime("%Y-%m-%d").to_string(),
        )
    }
}

/// `GET /what-if`.
pub async fn page(
    State(state): State<AppState>,
    Query(params): Query<WhatIfParams>,
) -> Result<Html<String>, PageError> {
    let scoring = &state.sheet().scoring;
    let text = params.formula.unwrap_or_default().trim().to_owned();
    let (mut error, mut result) = (None, None);
    if !text.is_empty() {
        let options = ParseOptions {
            template_row: state.config().sheet.template_row,
        };
        match Formula::parse(&text, &options) {
            Err(e) => error = Some(e.render_unlabelled()),
            Ok(formula) => {
                let with = Rescoring {
                    formula: &formula,
                    thresholds: scoring.thresholds,
                    examples: EXAMPLES,
                };
                let w = what_if(state.store().as_ref(), &with)
                    .await
                    .map_err(DataError::from)?;
                result = Some(Comparison::of(&w));
            }
        }
    }
    let history = state
        .store()
        .formula_history()
        .await
        .map_err(DataError::from)?;
    let page = WhatIfPage {
        layout: Layout::of(&state, "/what-if"),
        current: scoring.formula.to_string(),
        formula: text,
        error,
        result,
        versions: history.versions,
        unrecorded: history.unrecorded_responses,
    };
    Ok(Html(page.render()?))
}
