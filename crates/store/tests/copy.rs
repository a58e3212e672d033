//! `store copy` on a store larger than one statement's worth of rows: every response arrives
//! as it was stored, and a second copy changes nothing.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_domain::{Band, ScoredResponse};
use supportops_formula::Value;
use supportops_ports::store::ResponseStore;
use supportops_ports::store::responses::ResponseQuery;

#[macro_use]
mod common;
use common::{at, scored};

/// Response `n`: one of 7 subjects, red every fifth, with a comment and no submitter every
/// third (NULLs travel too).
fn response(n: u64) -> ScoredResponse {
    let timestamp = format!("2026-02-{:02}T09:{:02}:00Z", 1 + n % 28, n % 60);
    let subject = format!("https://gitlab.com/a/b/-/issues/{}", n % 7);
    let band = if n.is_multiple_of(5) {
        Band::Red
    } else {
        Band::Green
    };
    let score = Value::Number(if band == Band::Red { -1.0 } else { 2.0 });
    let mut r = scored(n, &format!("person {n}"), &timestamp, &subject, band, score);
    r.response.submitter = (!n.is_multiple_of(3)).then(|| format!("person{n}@example.com"));
    r.response.cells.push(format!("comment \"{n}\""));
    r.stored_score = (!n.is_multiple_of(4)).then_some(Value::Number(2.0));
    r
}

contract! {
    /// 1,234 responses take three statements; the target then holds the same rows.
    async fn a_copy_larger_than_a_statement_arrives_whole(target: File) {
        let embedded = common::File::new();
        let source = embedded.open().await;
        let rows: Vec<ScoredResponse> = (2..1_236).map(response).collect();
        source
            .import_responses(&rows, at("2026-03-01T08:00:00Z"))
            .await
            .unwrap();
        let into = target.open().await;

        let copied = source.copy_to(&into).await.unwrap();
        let responses = copied.iter().find(|t| t.table == "responses").unwrap();
        assert_eq!((responses.source, responses.target), (1_234, 1_234));
        assert!(
            copied.iter().all(|t| t.source == t.target),
            "every table arrives whole: {copied:?}"
        );
        let all = ResponseQuery::default();
        assert_eq!(
            into.responses(&all).await.unwrap(),
            source.responses(&all).await.unwrap(),
            "each response arrives as it was stored"
        );

        let again = source.copy_to(&into).await.unwrap();
        assert_eq!(again, copied, "a second copy changes nothing");
    }
}
