//! What a person sees on the list pages at any depth: a deep page of responses holds the rows
//! a walk from the first page reaches there, totals follow imports and filings (counts kept
//! between requests are never stale), and review issues are paged open first, newest first.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use supportops_domain::ScoredResponse;
use supportops_domain::review::IssueRef;
use supportops_domain::{Band, BandThresholds, FormulaSpec, ResponseKey};
use supportops_formula::Value;
use supportops_ports::store::pages::{
    PageRequest, ResponseFilter, ResponseOrder, ReviewFilter, SeenState,
};
use supportops_ports::store::responses::StoredResponse;
use supportops_ports::store::{FormulaStore, PageQueries, ResponseStore, ReviewStore};

#[macro_use]
mod common;
use common::{at, scored};

/// Response `n`: submitted on one of a few instants (so many share a time), red when `n` is a
/// multiple of 3, else green; one without a time every 50.
fn response(n: u64) -> ScoredResponse {
    let timestamp = if n.is_multiple_of(50) {
        format!("not a date {n}")
    } else {
        format!("2026-01-{:02}T10:00:00Z", 1 + n % 7)
    };
    let subject = format!("https://gitlab.com/a/b/-/issues/{}", n % 4);
    let band = if n.is_multiple_of(3) {
        Band::Red
    } else {
        Band::Green
    };
    let score = Value::Number(if band == Band::Red { -1.0 } else { 2.0 });
    let mut r = scored(n, &format!("person {n}"), &timestamp, &subject, band, score);
    r.response.cells.push(format!("comment {n}"));
    r
}

fn rows(from: u64, to: u64) -> Vec<ScoredResponse> {
    (from..=to).map(response).collect()
}

fn keys(page: &[StoredResponse]) -> Vec<String> {
    page.iter()
        .map(|r| r.scored.response.key.as_str().to_owned())
        .collect()
}

/// Every row of the list, a page of `per` at a time from the first.
async fn walk(
    store: &supportops_store::SqlStore,
    filter: &ResponseFilter,
    order: ResponseOrder,
    per: u64,
) -> Vec<String> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .response_page(filter, order, PageRequest { offset, limit: per })
            .await
            .unwrap();
        if page.items.is_empty() {
            return all;
        }
        all.extend(keys(&page.items));
        offset += per;
    }
}

contract! {
    async fn a_deep_page_holds_the_rows_a_walk_from_the_first_page_reaches(file: File) {
        let store = file.open().await;
        store.import_responses(&rows(1, 300), at("2026-02-01T00:00:00Z")).await.unwrap();
        let red = ResponseFilter { band: Some(Band::Red), ..ResponseFilter::default() };
        for filter in [ResponseFilter::default(), red] {
            for order in [
                ResponseOrder::Newest,
                ResponseOrder::Oldest,
                ResponseOrder::ScoreAsc,
                ResponseOrder::ScoreDesc,
            ] {
                let walked = walk(&store, &filter, order, 7).await;
                let expected = if filter.band.is_some() { 100 } else { 300 };
                assert_eq!(walked.len(), expected, "{order:?}");
                let mut distinct = walked.clone();
                distinct.sort();
                distinct.dedup();
                assert_eq!(distinct.len(), expected, "no row twice across pages ({order:?})");
                // Page 12 of 7 read straight away is what the walk found there.
                let deep = store
                    .response_page(&filter, order, PageRequest { offset: 77, limit: 7 })
                    .await
                    .unwrap();
                assert_eq!(deep.total, expected as u64);
                assert_eq!(keys(&deep.items), walked[77..84], "{order:?}");
            }
        }
        // Newest first: times descending, unknown times last.
        let newest = store
            .response_page(
                &ResponseFilter::default(),
                ResponseOrder::Newest,
                PageRequest { offset: 0, limit: 300 },
            )
            .await
            .unwrap();
        let times: Vec<_> = newest.items.iter().map(|r| r.scored.response.submitted_at).collect();
        assert!(times[..294].windows(2).all(|w| w[0] >= w[1] && w[1].is_some()));
        assert!(times[294..].iter().all(Option::is_none));
    }
}

contract! {
    async fn a_total_follows_each_import(file: File) {
        let store = file.open().await;
        store.import_responses(&rows(1, 30), at("2026-02-01T00:00:00Z")).await.unwrap();
        let red = ResponseFilter { band: Some(Band::Red), ..ResponseFilter::default() };
        let page = PageRequest { offset: 0, limit: 5 };
        let total = |p: supportops_ports::store::pages::Paged<StoredResponse>| p.total;
        assert_eq!(total(store.response_page(&red, ResponseOrder::Newest, page).await.unwrap()), 10);
        assert_eq!(total(store.response_page(&red, ResponseOrder::Newest, page).await.unwrap()), 10);
        // Another handle (another process) imports; this one's next answer counts them.
        file.open()
            .await
            .import_responses(&rows(31, 60), at("2026-02-02T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(total(store.response_page(&red, ResponseOrder::Newest, page).await.unwrap()), 20);
        let all = store
            .response_page(&ResponseFilter::default(), ResponseOrder::Newest, page)
            .await
            .unwrap();
        assert_eq!(all.total, 60);
    }
}

fn issue(iid: u64) -> IssueRef {
    IssueRef {
        project: "fr".into(),
        iid,
        web_url: format!("local://fr/-/issues/{iid}"),
    }
}

contract! {
    async fn the_uncovered_count_follows_imports_and_filings(file: File) {
        let store = file.open().await;
        let sheet = rows(1, 30);
        store.import_responses(&sheet, at("2026-02-01T00:00:00Z")).await.unwrap();
        assert_eq!(store.review_totals().await.unwrap().uncovered, 10);
        let red: Vec<&ScoredResponse> = sheet.iter().filter(|r| r.band == Band::Red).collect();
        let first: Vec<ResponseKey> = red[..4].iter().map(|r| r.response.key.clone()).collect();
        store
            .record_found_issue(&red[0].response.subject, &issue(1), &first, at("2026-02-01T01:00:00Z"))
            .await
            .unwrap();
        assert_eq!(store.review_totals().await.unwrap().uncovered, 6);
        // Covering a key again changes nothing; a second issue covers two more.
        let more: Vec<ResponseKey> = red[3..6].iter().map(|r| r.response.key.clone()).collect();
        store
            .record_found_issue(&red[3].response.subject, &issue(2), &more, at("2026-02-01T02:00:00Z"))
            .await
            .unwrap();
        let totals = store.review_totals().await.unwrap();
        assert_eq!(totals.uncovered, 4);
        assert_eq!(totals.open, 0, "found issues have no state until seen");
        // New flagged responses count at once.
        file.open()
            .await
            .import_responses(&rows(31, 36), at("2026-02-02T00:00:00Z"))
            .await
            .unwrap();
        assert_eq!(store.review_totals().await.unwrap().uncovered, 6);
    }
}

contract! {
    async fn review_issues_are_paged_open_first_then_newest_first(file: File) {
        let store = file.open().await;
        let sheet = rows(1, 30);
        store.import_responses(&sheet, at("2026-02-01T00:00:00Z")).await.unwrap();
        for iid in 1..=9 {
            let r = &sheet[iid as usize - 1];
            store
                .record_found_issue(
                    &r.response.subject,
                    &issue(iid),
                    std::slice::from_ref(&r.response.key),
                    at("2026-02-01T01:00:00Z"),
                )
                .await
                .unwrap();
        }
        let seen: Vec<SeenState> = (1..=9)
            .map(|iid| SeenState {
                project: "fr".into(),
                iid,
                state: if iid % 3 == 0 { "opened" } else { "closed" }.into(),
                outcome: None,
            })
            .collect();
        store.note_review_states(&seen).await.unwrap();
        let mut walked = Vec::new();
        for offset in [0, 4, 8] {
            let page = store
                .review_page(&Default::default(), PageRequest { offset, limit: 4 })
                .await
                .unwrap();
            assert_eq!(page.total, 9);
            for row in page.items {
                assert_eq!(row.record.responses, 1, "each covers one response");
                walked.push(row.record.issue.iid);
            }
        }
        assert_eq!(walked, [9, 6, 3, 8, 7, 5, 4, 2, 1]);
    }
}

contract! {
    async fn formula_marks_list_every_version_first_used_first(file: File) {
        let store = file.open().await;
        let spec = |formula: &str, note: Option<&str>| FormulaSpec {
            formula: formula.into(),
            thresholds: BandThresholds::default(),
            note: note.map(Into::into),
        };
        store.adopt_formula(&spec("=F2", None), at("2026-01-03T00:00:00Z")).await.unwrap();
        store
            .adopt_formula(&spec("=F2 - 1", Some("stricter")), at("2026-02-01T00:00:00Z"))
            .await
            .unwrap();
        let marks = store.formula_marks().await.unwrap();
        let seen: Vec<_> = marks.iter().map(|m| (m.note.as_deref(), m.first_used_at)).collect();
        assert_eq!(
            seen,
            [(None, at("2026-01-03T00:00:00Z")), (Some("stricter"), at("2026-02-01T00:00:00Z"))]
        );
        let history = store.formula_history().await.unwrap();
        assert_eq!(marks[1].hash, history.versions[1].hash);
    }
}

contract! {
    async fn a_listed_issue_shows_its_latest_covered_responses_and_counts_every_band(file: File) {
        let store = file.open().await;
        let sheet = rows(1, 30);
        store.import_responses(&sheet, at("2026-02-01T00:00:00Z")).await.unwrap();
        // Twelve responses on one issue: rows 3, 6, …, 24 are red, 1, 2, 4, 5 green.
        let covered: Vec<&ScoredResponse> = sheet
            .iter()
            .filter(|r| r.response.row.is_multiple_of(3) || r.response.row <= 5)
            .take(12)
            .collect();
        assert_eq!(covered.len(), 12);
        let keys: Vec<ResponseKey> = covered.iter().map(|r| r.response.key.clone()).collect();
        store
            .record_found_issue(&covered[0].response.subject, &issue(1), &keys, at("2026-02-01T01:00:00Z"))
            .await
            .unwrap();
        let page = store.review_page(&Default::default(), PageRequest { offset: 0, limit: 10 }).await.unwrap();
        let id = page.items[0].record.id;
        let coverage = store.coverage_of(&[id], 5).await.unwrap().remove(&id).unwrap();
        assert_eq!((coverage.bands.red, coverage.bands.green, coverage.bands.yellow), (8, 4, 0));
        // The latest five, in the order they were covered (covered together: by key).
        let mut expected: Vec<&str> = keys.iter().map(ResponseKey::as_str).collect();
        expected.sort_unstable();
        let shown: Vec<&str> = coverage.latest.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(shown, expected[7..]);
        let by_key = |k: &str| covered.iter().find(|r| r.response.key.as_str() == k).unwrap();
        for c in &coverage.latest {
            let r = by_key(c.key.as_str());
            assert_eq!((c.row, c.band, &c.cells), (r.response.row, r.band, &r.response.cells));
        }

        // Two covered red rows are scored Yellow by a later import: counted as Yellow at once,
        // and the issue is found by the Yellow filter.
        let mut changed: Vec<ScoredResponse> = sheet.clone();
        for r in changed.iter_mut().filter(|r| [3, 6].contains(&r.response.row)) {
            r.band = Band::Yellow;
            r.score = Value::Number(1.0);
        }
        store.import_responses(&changed, at("2026-02-02T00:00:00Z")).await.unwrap();
        let coverage = store.coverage_of(&[id], 0).await.unwrap().remove(&id).unwrap();
        assert_eq!((coverage.bands.red, coverage.bands.yellow), (6, 2));
        assert!(coverage.latest.is_empty(), "none asked for");
        let yellow = ReviewFilter { band: Some(Band::Yellow), ..Default::default() };
        let page = store.review_page(&yellow, PageRequest { offset: 0, limit: 10 }).await.unwrap();
        assert_eq!(page.total, 1);
        // An issue covering nothing has no entry.
        assert!(store.coverage_of(&[id + 1000], 5).await.unwrap().is_empty());
    }
}
