//! Formula versions in the SQLite store: one version per formula and thresholds, the note kept
//! up to date, and each response stamped with the version of the handle that wrote it.

use supportops_domain::{
    Band, BandThresholds, FormulaSpec, Response, ResponseKey, ScoredResponse, SubjectUrl,
};
use supportops_formula::Value;
use supportops_ports::store::responses::ResponseQuery;
use supportops_ports::store::{FormulaStore, ResponseStore};

#[macro_use]
mod common;
use common::at;

fn spec(formula: &str, note: Option<&str>) -> FormulaSpec {
    FormulaSpec {
        formula: formula.into(),
        thresholds: BandThresholds::default(),
        note: note.map(Into::into),
    }
}

fn response(row: u64, rating: &str, score: f64, band: Band) -> ScoredResponse {
    let subject = "https://gitlab.com/g/p/-/issues/1";
    let timestamp = format!("1/{row}/2026 10:00:00");
    ScoredResponse {
        response: Response {
            row,
            key: ResponseKey::derive(&timestamp, subject, ""),
            submitted_at: Some(at(&format!("2026-01-{row:02}T10:00:00Z"))),
            timestamp: timestamp.clone(),
            subject_raw: subject.into(),
            subject: SubjectUrl::parse(subject),
            submitter: None,
            cells: vec![timestamp, subject.into(), rating.into()],
        },
        score: Value::Number(score),
        band,
        stored_score: None,
    }
}

contract! {
    async fn versions_are_recorded_once_and_stamped_on_what_a_handle_writes(file: File) {
        let store = file.open().await;
        let old = response(2, "5", 3.0, Band::Green);
        store
            .import_responses(std::slice::from_ref(&old), at("2026-01-02T00:00:00Z"))
            .await
            .expect("import before any version");

        let v1 = store
            .adopt_formula(&spec("=F2", None), at("2026-01-03T00:00:00Z"))
            .await
            .expect("adopt");
        let again = store
            .adopt_formula(&spec("=F2", Some("why")), at("2026-01-04T00:00:00Z"))
            .await
            .expect("adopt again");
        assert_eq!(again.id, v1.id, "one version per formula and thresholds");
        assert_eq!(again.note.as_deref(), Some("why"));
        assert_eq!(again.first_used_at, at("2026-01-03T00:00:00Z"));
        assert_eq!(again.last_used_at, at("2026-01-04T00:00:00Z"));
        store
            .import_responses(
                &[response(3, "4", 2.0, Band::Green)],
                at("2026-01-05T00:00:00Z"),
            )
            .await
            .expect("import under v1");

        // Another process adopts a new formula; its handle stamps v2, an unchanged row keeps v1.
        let other = file.open().await;
        let v2 = other
            .adopt_formula(&spec("=F2 - 1", None), at("2026-02-01T00:00:00Z"))
            .await
            .expect("adopt v2");
        assert_ne!(v2.id, v1.id);
        other
            .import_responses(
                &[
                    response(3, "4", 2.0, Band::Green),
                    response(4, "1", 0.0, Band::Red),
                ],
                at("2026-02-02T00:00:00Z"),
            )
            .await
            .expect("import under v2");

        let versions: Vec<_> = other
            .responses(&ResponseQuery::default())
            .await
            .expect("responses")
            .into_iter()
            .map(|r| (r.scored.response.row, r.formula_version))
            .collect();
        assert_eq!(
            versions,
            vec![(2, None), (3, Some(v1.id)), (4, Some(v2.id))]
        );

        let history = store.formula_history().await.expect("history");
        assert_eq!(history.unrecorded_responses, 1);
        let counts: Vec<_> = history
            .versions
            .iter()
            .map(|v| (v.formula.as_str(), v.responses, v.last_used_at))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("=F2", 1, at("2026-01-05T00:00:00Z")),
                ("=F2 - 1", 1, at("2026-02-02T00:00:00Z")),
            ]
        );
    }
}
