//! An import large enough to take the store's bulk path (a larger page cache, foreign keys
//! checked by construction): every row arrives, a second import finds them unchanged, an edited
//! row is updated in place, and the store checks sound after.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_domain::{Band, ScoredResponse};
use supportops_formula::Value;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::responses::{ImportCounts, ResponseQuery};

#[macro_use]
mod common;
use common::{at, scored};

/// More rows than the bulk path's threshold.
const ROWS: u64 = 20_500;

fn response(n: u64, comment: &str) -> ScoredResponse {
    let timestamp = format!("2026-04-{:02}T10:{:02}:00Z", 1 + n % 30, n % 60);
    let subject = format!("https://gitlab.com/a/b/-/issues/{}", n % 300);
    let band = if n.is_multiple_of(9) {
        Band::Yellow
    } else {
        Band::Green
    };
    let score = Value::Number(if band == Band::Yellow { 0.0 } else { 2.0 });
    let mut r = scored(n, &format!("person {n}"), &timestamp, &subject, band, score);
    r.response.cells.push(comment.to_owned());
    r
}

contract! {
    async fn a_large_import_stores_every_row_and_reruns_in_place(file: File) {
        let store = file.open().await;
        let mut rows: Vec<ScoredResponse> = (2..ROWS + 2).map(|n| response(n, "fine")).collect();
        let first = store.import_responses(&rows, at("2026-05-01T08:00:00Z")).await.unwrap();
        let all = ResponseQuery::default();
        assert_eq!(
            first,
            ImportCounts { inserted: ROWS as usize, updated: 0, unchanged: 0 }
        );
        assert_eq!(store.responses(&all).await.unwrap().len(), ROWS as usize);

        rows[7] = response(9, "edited: it was not fine");
        let again = store.import_responses(&rows, at("2026-05-02T08:00:00Z")).await.unwrap();
        assert_eq!(
            again,
            ImportCounts { inserted: 0, updated: 1, unchanged: ROWS as usize - 1 }
        );
        let edited = store
            .responses_by_key(std::slice::from_ref(&rows[7].response.key))
            .await
            .unwrap();
        assert_eq!(edited[0].scored.response.cells[2], "edited: it was not fine");

        let report = store.check().await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }
}
