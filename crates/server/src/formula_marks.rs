//! Formula-change marks on the Overview's monthly charts: a dashed vertical line at the month a
//! new formula version was first used, labelled with its note (the whole note and the version's
//! hash in the tooltip). Responses keep the score they were filed under, so months before a
//! mark were scored by the earlier formula and stay as they were.

use askama::Template;
use supportops_ports::store::pages::FormulaMark;

use crate::charts::{MonthlyChart, month_slot_start};
use crate::error::DataError;
use crate::state::AppState;
use crate::views::month_of;

/// Visible label length; the tooltip has the whole note.
const LABEL_CHARS: usize = 34;

/// A formula change to mark: the month its version was first used, and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct FormulaChange {
    /// `YYYY-MM` (UTC).
    pub month: String,
    /// The short label drawn on the chart.
    pub label: String,
    /// The tooltip: date, version, hash and the whole note.
    pub title: String,
}

impl FormulaChange {
    fn of(v: &FormulaMark) -> FormulaChange {
        let note = v.note.as_deref().unwrap_or("no note");
        let short: String = if note.chars().count() > LABEL_CHARS {
            let cut: String = note.chars().take(LABEL_CHARS - 1).collect();
            format!("{cut}…")
        } else {
            note.to_owned()
        };
        FormulaChange {
            month: month_of(v.first_used_at),
            label: format!("formula v{}: {short}", v.id.0),
            title: format!(
                "Formula changed {} (version {}, {}): {note}",
                v.first_used_at.strftime("%Y-%m-%d"),
                v.id.0,
                v.hash
            ),
        }
    }
}

/// The changes to mark: every version after the first one recorded.
pub async fn load(state: &AppState) -> Result<Vec<FormulaChange>, DataError> {
    let versions = state.store().formula_marks().await?;
    Ok(versions.iter().skip(1).map(FormulaChange::of).collect())
}

/// The Overview's band-mix and trend charts with the formula changes in their months marked.
pub async fn on_overview(
    state: &AppState,
    months: &[crate::charts::MonthMix],
    band_mix: String,
    trend: String,
) -> Result<(String, String), crate::error::PageError> {
    let changes = load(state).await?;
    let months: Vec<String> = months.iter().map(|m| m.month.clone()).collect();
    Ok((
        draw(band_mix, MonthlyChart::BandMix, &months, &changes)?,
        draw(trend, MonthlyChart::Trend, &months, &changes)?,
    ))
}

struct Mark {
    x: f64,
    /// Where the label starts, and whether it ends there instead (marks on the right half).
    label_x: f64,
    anchor: &'static str,
    label: String,
    title: String,
}

#[derive(Template)]
#[template(path = "charts/formula_marks.svg")]
struct MarksSvg {
    top: f64,
    baseline: f64,
    marks: Vec<Mark>,
}

/// `svg` (a monthly chart over `months`) with the changes that fall in its months drawn on it.
pub fn draw(
    svg: String,
    chart: MonthlyChart,
    months: &[String],
    changes: &[FormulaChange],
) -> Result<String, askama::Error> {
    let mut marks = Vec::new();
    let mut top = 0.0;
    let mut baseline = 0.0;
    for c in changes {
        if let Some(i) = months.iter().position(|m| *m == c.month) {
            let (x, t, b) = month_slot_start(chart, i, months.len());
            (top, baseline) = (t, b);
            let right_half = x > month_slot_start(chart, 1, 2).0;
            marks.push(Mark {
                x,
                label_x: if right_half { x - 3.0 } else { x + 3.0 },
                anchor: if right_half { "end" } else { "start" },
                label: c.label.clone(),
                title: c.title.clone(),
            });
        }
    }
    if marks.is_empty() {
        return Ok(svg);
    }
    let drawn = MarksSvg {
        top,
        baseline,
        marks,
    }
    .render()?;
    Ok(match svg.rfind("</svg>") {
        Some(end) => format!("{}{drawn}\n{}", &svg[..end], &svg[end..]),
        None => svg,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn marks_land_on_their_month_and_escape_the_note() {
        let months: Vec<String> = ["2026-10", "2026-11", "2026-12"].map(String::from).to_vec();
        let change = FormulaChange {
            month: "2026-11".into(),
            label: "formula v2: <rating> & values".into(),
            title: "Formula changed".into(),
        };
        let svg = "<svg viewBox=\"0 0 640 240\"></svg>".to_owned();
        let out = draw(
            svg.clone(),
            MonthlyChart::Trend,
            &months,
            std::slice::from_ref(&change),
        )
        .unwrap();
        assert!(
            out.contains("formula v2: &#60;rating&#62; &#38; values")
                || out.contains("formula v2: &lt;rating&gt; &amp; values"),
            "{out}"
        );
        let (x, _, _) = month_slot_start(MonthlyChart::Trend, 1, 3);
        assert!(out.contains(&format!("x1=\"{x:.1}\"")), "{out}");
        assert!(out.ends_with("</svg>"));
        let outside = FormulaChange {
            month: "2025-01".into(),
            ..change
        };
        assert_eq!(
            draw(svg.clone(), MonthlyChart::BandMix, &months, &[outside]).unwrap(),
            svg
        );
    }
}
