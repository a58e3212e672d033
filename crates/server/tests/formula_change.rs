//! A formula change on a running dashboard: the Overview's past months stay as they were filed
//! (and the change is marked on its charts), and the What if page compares a pasted formula
//! with the stored responses.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

mod common;

use std::sync::Arc;

use common::{Options, TestApp, fixture, now, review_options};
use serde_json::Value;
use supportops_app::formula::{Rescoring, keep_filed_scores, what_if};
use supportops_app::review::{LockOptions, review};
use supportops_config::Config;
use supportops_domain::{BandThresholds, FormulaSpec};
use supportops_formula::{Formula, ParseOptions};
use supportops_ports::store::FormulaStore;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::responses::ResponseQuery;
use supportops_server::{Clock, TokioPace};
use supportops_sheet::{Scoring, SheetLayout, SourceSpec, load_scored};
use supportops_store::LocalTracker;

/// The rating alone: a 3 is Yellow, a 4 or 5 Green.
const RATING_ONLY: &str = "=IF(F2 >= 4, 2, IF(F2 = 3, 1, 0))";

/// A response of this month (the test servers' now is 2026-11-27).
const NOVEMBER: &str = "11/26/2026 10:00:00,https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/104,It was not solved,Efficiency,,3,gina@example.com,AMER,\n";

fn formula(text: &str) -> Formula {
    Formula::parse(text, &ParseOptions::default()).unwrap()
}

/// Does what `supportops review` does with `text` as `score.formula`: adopts it, scores the
/// sheet, keeps filed scores, files.
async fn review_with(app: &TestApp, text: &str, note: Option<&str>, sheet: &std::path::Path) {
    let spec = FormulaSpec {
        formula: formula(text).to_string(),
        thresholds: BandThresholds::default(),
        note: note.map(Into::into),
    };
    app.store.adopt_formula(&spec, now()).await.unwrap();
    let scoring = Scoring::new(formula(text), BandThresholds::default());
    let source = SourceSpec::parse(sheet.to_str().unwrap()).unwrap();
    let mut sheet = load_scored(&source, &SheetLayout::default(), &scoring).unwrap();
    keep_filed_scores(app.store.as_ref(), &spec, &mut sheet.responses)
        .await
        .unwrap();
    let tracker = LocalTracker::new((*app.store).clone()).with_clock(Arc::new(now));
    review(
        app.store.as_ref(),
        &tracker,
        &sheet.responses,
        &review_options(&Config::default()),
        &LockOptions::new("test", Arc::new(TokioPace(Clock::fixed(now())))),
        now(),
    )
    .await
    .unwrap();
}

fn months(summary: &Value) -> Vec<Value> {
    summary["months"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_formula_change_leaves_the_overviews_past_months_unchanged() {
    let app = TestApp::spawn_with(Options {
        seed: false,
        file_reviews: false,
        ..Options::default()
    })
    .await;
    let handbook = Config::default().score.formula;
    review_with(&app, &handbook, None, &fixture("feedback.csv")).await;
    let before = months(&app.json("/api/v1/summary", 200).await);
    let stored_before: Vec<_> = app
        .store
        .responses(&ResponseQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.scored.response.key, r.scored.score, r.scored.band))
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("feedback.csv");
    let text = std::fs::read_to_string(fixture("feedback.csv")).unwrap();
    std::fs::write(&sheet, format!("{text}{NOVEMBER}")).unwrap();
    review_with(
        &app,
        RATING_ONLY,
        Some("Q4 focus: <the rating> alone"),
        &sheet,
    )
    .await;

    let after = months(&app.json("/api/v1/summary", 200).await);
    assert_eq!(before.len(), after.len());
    for (b, a) in before.iter().zip(&after) {
        if b["month"] == "2026-11" {
            assert_eq!(a["responses"], b["responses"].as_u64().unwrap() + 1);
            assert_eq!(
                a["bands"]["yellow"],
                b["bands"]["yellow"].as_u64().unwrap() + 1
            );
        } else {
            assert_eq!(a, b, "a past month changed with the formula");
        }
    }
    let stored_after: Vec<_> = app
        .store
        .responses(&ResponseQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.scored.response.key, r.scored.score, r.scored.band))
        .collect();
    for earlier in &stored_before {
        assert!(stored_after.contains(earlier), "{earlier:?} changed");
    }
    assert_eq!(stored_after.len(), stored_before.len() + 1);

    // The Overview marks the change on both monthly charts, with the note escaped.
    let overview = app.text("/", 200).await;
    assert_eq!(
        overview.matches("class=\"formula-mark\"").count(),
        2,
        "{overview}"
    );
    assert!(overview.contains("formula v2: Q4 focus: &#60;the rating&#62; alone"));
}

#[tokio::test]
async fn what_if_shows_the_matrix_of_a_pasted_formula_or_its_caret() {
    const GENEROUS: &str = "=IF(F2 >= 3, 2, 0)";
    let app = TestApp::spawn().await;
    let expected = what_if(
        app.store.as_ref(),
        &Rescoring {
            formula: &formula(GENEROUS),
            thresholds: BandThresholds::default(),
            examples: 3,
        },
    )
    .await
    .unwrap();
    assert!(expected.transitions.changed() > 0);
    let query = |f: &str| {
        format!(
            "/what-if?formula={}",
            f.bytes().map(|b| format!("%{b:02X}")).collect::<String>()
        )
    };
    let page = app.text(&query(GENEROUS), 200).await;
    assert!(
        page.contains(&format!(
            "Changed band: <strong>{}</strong> of {} responses",
            expected.transitions.changed(),
            expected.transitions.total()
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "Flagged responses: {} → <strong>{}</strong>",
        expected.transitions.flagged_before(),
        expected.transitions.flagged_after()
    )));
    assert!(!page.contains("does not parse"));

    let broken = app.text(&query("=IF(F2 >= 4, 2"), 200).await;
    assert!(broken.contains("The formula does not parse"), "{broken}");
    let pre = broken
        .split("<pre class=\"formula-error\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap();
    assert!(
        pre.contains("=IF(F2 &#62;= 4, 2") || pre.contains("=IF(F2 &gt;= 4, 2"),
        "{pre}"
    );
    assert!(pre.contains('^'), "{pre}");
    assert!(!broken.contains("Changed band"));
    // Pasted text comes back escaped in the form.
    let hostile = app.text(&query("=\"</textarea><script>\""), 200).await;
    assert!(!hostile.contains("</textarea><script>"));
}
