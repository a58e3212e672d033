//! Bounded queries for pages and the API: a page of filtered, ordered rows with its total, and
//! aggregates grouped in SQL. Each reads an index range or a few grouped counts; none loads a
//! table. A page's keys are read from an index alone, then its rows, so a deep page costs index
//! entries, not rows; counts over many responses (a list's total, the flagged responses) are
//! kept against the responses' generation, and the covered responses are counted by triggers.

use std::collections::HashMap;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, QueryBuilder, Row as _};
use supportops_domain::{Band, ResponseKey, SubjectUrl};
use supportops_ports::StoreError;
use supportops_ports::store::PageQueries;
use supportops_ports::store::formula::FormulaVersionId;
use supportops_ports::store::pages::{
    BandTally, CoveredRow, FormulaMark, IssueCoverage, MonthTotals, PageRequest, Paged,
    ResponseFilter, ResponseOrder, ResponseTotals, ReviewFilter, ReviewRow, ReviewTotals,
    SeenState, SubjectMatch, SubjectTotals,
};
use supportops_ports::store::responses::StoredResponse;

use super::codec::{list_from_text, time_from_text, to_i64, to_u64, value_from_text};
use super::numbered::numbered;
use super::responses::{SELECT_BY_KEY, read_response};
use super::review::read_review_issue;
use super::{SqliteStore, query_err};

/// The first instant of `YYYY-MM` and of the month after, as stored timestamps compare.
fn month_range(month: &str) -> Option<(String, String)> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Some((
        format!("{y:04}-{m:02}-01T00:00:00Z"),
        format!("{ny:04}-{nm:02}-01T00:00:00Z"),
    ))
}

/// `text` as a `LIKE` pattern matching it anywhere, `\` escaping the wildcards.
fn contains_pattern(text: &str) -> String {
    let mut p = ends_with_pattern(text);
    p.push('%');
    p
}

/// `text` as a `LIKE` pattern matching it at the end.
fn ends_with_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

/// Appends the `WHERE` clause of a response filter.
fn push_response_filter(q: &mut QueryBuilder<Any>, f: &ResponseFilter) {
    q.push(" WHERE 1 = 1");
    if let Some(band) = f.band {
        q.push(" AND band = ").push_bind(band.as_str().to_owned());
    }
    if let Some((from, to)) = f.month.as_deref().and_then(month_range) {
        q.push(" AND submitted_at >= ").push_bind(from);
        q.push(" AND submitted_at < ").push_bind(to);
    } else if f.month.is_some() {
        q.push(" AND 1 = 0");
    }
    match &f.subject {
        None => {}
        Some(SubjectMatch::Is(s)) => {
            q.push(" AND subject = ").push_bind(s.as_str().to_owned());
        }
        Some(SubjectMatch::Contains(texts)) => push_any_like(q, texts, contains_pattern),
        Some(SubjectMatch::EndsWith(texts)) => push_any_like(q, texts, ends_with_pattern),
    }
    if let Some(text) = &f.text {
        q.push(" AND LOWER(cells) LIKE ")
            .push_bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
}

/// ` AND (subject LIKE … OR …)` for each text as `pattern` makes it.
fn push_any_like(q: &mut QueryBuilder<Any>, texts: &[String], pattern: fn(&str) -> String) {
    q.push(" AND (1 = 0");
    for t in texts {
        q.push(" OR LOWER(subject) LIKE ")
            .push_bind(pattern(t))
            .push(" ESCAPE '\\'");
    }
    q.push(")");
}

/// A covered response as the Reviews list shows it.
fn read_covered(row: &AnyRow) -> Result<CoveredRow, StoreError> {
    let doing = "reading a covered response";
    let get = query_err(doing);
    let submitted_at: Option<String> = row.try_get("submitted_at").map_err(&get)?;
    Ok(CoveredRow {
        in_note: row
            .try_get::<Option<i64>, _>("note_id")
            .map_err(&get)?
            .is_some(),
        key: ResponseKey::from_stored(row.try_get("response_key").map_err(&get)?),
        row: to_u64(row.try_get("sheet_row").map_err(&get)?),
        submitted_at: submitted_at.as_deref().map(time_from_text).transpose()?,
        score: value_from_text(row.try_get::<&str, _>("score").map_err(&get)?)?,
        band: band_of(row.try_get::<&str, _>("band").map_err(&get)?)?,
        cells: list_from_text(row.try_get::<&str, _>("cells").map_err(&get)?)?,
    })
}

fn band_of(text: &str) -> Result<Band, StoreError> {
    Band::parse(text).ok_or_else(|| StoreError::Query {
        doing: "reading a band".into(),
        message: format!("unknown band `{text}`"),
    })
}

fn limit(page: PageRequest) -> (i64, i64) {
    (to_i64(page.limit), to_i64(page.offset))
}

/// How many counts of filtered responses are kept at most (then all are dropped).
const MEMO_COUNTS: usize = 256;

/// Counts over the responses that pages ask for again and again (a list's total, the flagged
/// responses), kept against the store's response generation, which every write of responses
/// moves: a count is reused only while no response changed. Small and bounded.
#[derive(Debug, Default)]
pub(crate) struct PageMemo {
    counts: std::sync::Mutex<MemoCounts>,
}

#[derive(Debug, Default)]
struct MemoCounts {
    /// The generation the counts were read at.
    generation: i64,
    /// Counts by what was counted (a filter written out).
    by_key: std::collections::HashMap<String, u64>,
}

impl PageMemo {
    /// The count kept for `key` at `generation`.
    fn get(&self, generation: i64, key: &str) -> Option<u64> {
        let counts = self.counts.lock().ok()?;
        (counts.generation == generation)
            .then(|| counts.by_key.get(key).copied())
            .flatten()
    }

    /// Keeps `count` for `key`, read at `generation` or later.
    fn put(&self, generation: i64, key: String, count: u64) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        if counts.generation != generation || counts.by_key.len() >= MEMO_COUNTS {
            counts.generation = generation;
            counts.by_key.clear();
        }
        counts.by_key.insert(key, count);
    }
}

impl SqliteStore {
    /// `count` (a `SELECT COUNT(*)` query) as kept for `key`, or run and kept: the generation
    /// is read before the count, so a count kept is never older than its generation.
    async fn memo_count(
        &self,
        key: String,
        count: &mut QueryBuilder<Any>,
        doing: &str,
    ) -> Result<u64, StoreError> {
        let generation = self.response_generation().await?;
        if let Some(n) = self.memo.get(generation, &key) {
            return Ok(n);
        }
        let n: i64 = numbered(count, self.backend)?
            .scalar()
            .fetch_one(self.pool())
            .await
            .map_err(query_err(doing))?;
        let n = to_u64(n);
        self.memo.put(generation, key, n);
        Ok(n)
    }
}

#[async_trait::async_trait]
impl PageQueries for SqliteStore {
    async fn response_page(
        &self,
        filter: &ResponseFilter,
        order: ResponseOrder,
        page: PageRequest,
    ) -> Result<Paged<StoredResponse>, StoreError> {
        let doing = "listing a page of responses";
        let mut count = QueryBuilder::<Any>::new("SELECT COUNT(*) FROM responses");
        push_response_filter(&mut count, filter);
        let total = self
            .memo_count(format!("responses {filter:?}"), &mut count, doing)
            .await?;
        // The page's keys from the index alone (skipping `offset` index entries, not rows),
        // then those rows; the key ends the order, so ties keep one order from page to page.
        let order = match order {
            ResponseOrder::Newest => {
                " ORDER BY submitted_at DESC NULLS LAST, first_seen_at DESC, sheet_row DESC, \
                 response_key DESC"
            }
            ResponseOrder::Oldest => {
                " ORDER BY submitted_at ASC NULLS LAST, first_seen_at, sheet_row, response_key"
            }
            ResponseOrder::ScoreAsc => {
                " ORDER BY score_number ASC NULLS LAST, submitted_at DESC NULLS LAST, \
                 sheet_row DESC, response_key DESC"
            }
            ResponseOrder::ScoreDesc => {
                " ORDER BY score_number DESC NULLS LAST, submitted_at DESC NULLS LAST, \
                 sheet_row DESC, response_key DESC"
            }
        };
        let mut q = QueryBuilder::<Any>::new(SELECT_BY_KEY);
        q.push(" WHERE response_key IN (SELECT response_key FROM responses");
        push_response_filter(&mut q, filter);
        let (lim, off) = limit(page);
        q.push(order)
            .push(" LIMIT ")
            .push_bind(lim)
            .push(" OFFSET ")
            .push_bind(off)
            .push(")")
            .push(order);
        let rows = numbered(&mut q, self.backend)?
            .query()
            .fetch_all(self.pool())
            .await
            .map_err(query_err(doing))?;
        Ok(Paged {
            total,
            items: rows.iter().map(read_response).collect::<Result<_, _>>()?,
        })
    }

    async fn response_months(&self) -> Result<Vec<String>, StoreError> {
        let doing = "listing the months with responses";
        let mut months = Vec::new();
        // A loose index scan: the latest submission before the month found last, one seek a
        // month.
        let mut before = String::from("9999");
        loop {
            let latest: Option<String> = sqlx::query_scalar(
                "SELECT MAX(submitted_at) FROM responses WHERE submitted_at < $1",
            )
            .bind(&before)
            .fetch_one(self.pool())
            .await
            .map_err(query_err(doing))?;
            let Some(month) = latest.as_deref().and_then(|t| t.get(..7)) else {
                return Ok(months);
            };
            before = format!("{month}-01");
            months.push(month.to_owned());
        }
    }

    async fn response_generation(&self) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT value FROM response_generation WHERE id = 1")
            .fetch_one(self.pool())
            .await
            .map_err(query_err("reading the responses' generation"))
    }

    async fn response_totals(&self) -> Result<ResponseTotals, StoreError> {
        let doing = "counting responses";
        let mut totals = ResponseTotals::default();
        let rows = sqlx::query(
            "SELECT band, COUNT(*) AS n, COUNT(score_number) AS scored, \
             COALESCE(SUM(score_number), 0.0) AS score_sum, COALESCE(SUM(mismatch), 0) AS mismatches \
             FROM responses GROUP BY band",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        let get = query_err(doing);
        for row in &rows {
            let band = band_of(row.try_get::<&str, _>("band").map_err(&get)?)?;
            totals
                .bands
                .add(band, to_u64(row.try_get("n").map_err(&get)?));
            totals.scored += to_u64(row.try_get("scored").map_err(&get)?);
            totals.score_sum += row.try_get::<f64, _>("score_sum").map_err(&get)?;
            totals.mismatches += to_u64(row.try_get("mismatches").map_err(&get)?);
        }
        let scores: Vec<(f64, i64)> = sqlx::query_as(
            "SELECT score_number, COUNT(*) FROM responses WHERE score_number IS NOT NULL \
             GROUP BY score_number ORDER BY score_number",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        totals.scores = scores
            .into_iter()
            .map(|(s, n)| (if s == 0.0 { 0.0 } else { s }, to_u64(n)))
            .collect();
        let subjects: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT subject) FROM responses")
            .fetch_one(self.pool())
            .await
            .map_err(query_err(doing))?;
        totals.subjects = to_u64(subjects);
        Ok(totals)
    }

    async fn month_totals(&self, first: &str, last: &str) -> Result<Vec<MonthTotals>, StoreError> {
        let doing = "counting responses per month";
        let (Some((from, _)), Some((_, to))) = (month_range(first), month_range(last)) else {
            return Ok(Vec::new());
        };
        let rows = sqlx::query(
            "SELECT SUBSTR(submitted_at, 1, 7) AS month, band, COUNT(*) AS n, \
             COUNT(score_number) AS scored, COALESCE(SUM(score_number), 0.0) AS score_sum \
             FROM responses WHERE submitted_at >= $1 AND submitted_at < $2 \
             GROUP BY SUBSTR(submitted_at, 1, 7), band ORDER BY month",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        let get = query_err(doing);
        let mut months: Vec<MonthTotals> = Vec::new();
        for row in &rows {
            let month: String = row.try_get("month").map_err(&get)?;
            if months.last().is_none_or(|m| m.month != month) {
                months.push(MonthTotals {
                    month,
                    ..MonthTotals::default()
                });
            }
            let Some(m) = months.last_mut() else {
                continue;
            };
            let band = band_of(row.try_get::<&str, _>("band").map_err(&get)?)?;
            m.bands.add(band, to_u64(row.try_get("n").map_err(&get)?));
            m.scored += to_u64(row.try_get("scored").map_err(&get)?);
            m.score_sum += row.try_get::<f64, _>("score_sum").map_err(&get)?;
        }
        Ok(months)
    }

    async fn latest_submission(&self) -> Result<Option<Timestamp>, StoreError> {
        let latest: Option<String> = sqlx::query_scalar("SELECT MAX(submitted_at) FROM responses")
            .fetch_one(self.pool())
            .await
            .map_err(query_err("finding the latest response"))?;
        latest.as_deref().map(time_from_text).transpose()
    }

    async fn most_flagged_subjects(
        &self,
        since: Timestamp,
        limit: u64,
    ) -> Result<Vec<SubjectTotals>, StoreError> {
        let doing = "finding the most flagged subjects";
        let rows = sqlx::query(
            "SELECT subject, COUNT(*) AS n, \
             SUM(CASE WHEN band = 'yellow' THEN 1 ELSE 0 END) AS yellow, \
             SUM(CASE WHEN band = 'red' THEN 1 ELSE 0 END) AS red, \
             SUM(CASE WHEN band = 'error' THEN 1 ELSE 0 END) AS error \
             FROM responses WHERE submitted_at >= $1 AND subject <> '' \
             GROUP BY subject \
             HAVING SUM(CASE WHEN band <> 'green' THEN 1 ELSE 0 END) > 0 \
             ORDER BY SUM(CASE WHEN band <> 'green' THEN 1 ELSE 0 END) DESC, \
             SUM(CASE WHEN band IN ('red', 'error') THEN 1 ELSE 0 END) DESC, subject \
             LIMIT $2",
        )
        .bind(since.to_string())
        .bind(to_i64(limit))
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        let get = query_err(doing);
        rows.iter()
            .map(|row| {
                Ok(SubjectTotals {
                    subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
                    flagged: BandTally {
                        green: 0,
                        yellow: to_u64(row.try_get("yellow").map_err(&get)?),
                        red: to_u64(row.try_get("red").map_err(&get)?),
                        error: to_u64(row.try_get("error").map_err(&get)?),
                    },
                    responses: to_u64(row.try_get("n").map_err(&get)?),
                })
            })
            .collect()
    }

    async fn review_page(
        &self,
        filter: &ReviewFilter,
        page: PageRequest,
    ) -> Result<Paged<ReviewRow>, StoreError> {
        let doing = "listing a page of review issues";
        let push_filter = |q: &mut QueryBuilder<Any>| {
            q.push(" WHERE 1 = 1");
            if let Some(s) = &filter.state {
                q.push(" AND i.state = ").push_bind(s.clone());
            }
            if let Some(o) = &filter.outcome {
                q.push(" AND i.outcome = ").push_bind(o.clone());
            }
            if let Some((from, to)) = filter.month.as_deref().and_then(month_range) {
                q.push(" AND i.recorded_at >= ").push_bind(from);
                q.push(" AND i.recorded_at < ").push_bind(to);
            } else if filter.month.is_some() {
                q.push(" AND 1 = 0");
            }
            if let Some(t) = &filter.text {
                q.push(" AND LOWER(i.subject) LIKE ")
                    .push_bind(contains_pattern(t))
                    .push(" ESCAPE '\\'");
            }
            if let Some(b) = filter.band {
                q.push(
                    " AND EXISTS (SELECT 1 FROM review_coverage c \
                     WHERE c.review_issue_id = i.id AND c.band = ",
                )
                .push_bind(b.as_str().to_owned())
                .push(")");
            }
        };
        let mut count = QueryBuilder::<Any>::new("SELECT COUNT(*) FROM review_issues i");
        push_filter(&mut count);
        let total: i64 = numbered(&mut count, self.backend)?
            .scalar()
            .fetch_one(self.pool())
            .await
            .map_err(query_err(doing))?;
        // The page's ids first (the issues' own columns, sorted), then their rows and
        // coverage counts: the counts are read for this page only, not for every issue.
        let mut q = QueryBuilder::<Any>::new(
            "SELECT i.id, i.subject, i.project, i.iid, i.web_url, i.origin, i.recorded_at, \
             i.state, i.outcome, \
             p.project AS previous_project, p.iid AS previous_iid, p.web_url AS previous_web_url, \
             (SELECT COUNT(*) FROM review_coverage c WHERE c.review_issue_id = i.id) AS covered \
             FROM (SELECT i.id, CASE WHEN i.state = 'opened' THEN 0 ELSE 1 END AS closed_last \
             FROM review_issues i",
        );
        push_filter(&mut q);
        let (lim, off) = limit(page);
        q.push(" ORDER BY closed_last, i.id DESC LIMIT ")
            .push_bind(lim)
            .push(" OFFSET ")
            .push_bind(off)
            .push(
                ") page JOIN review_issues i ON i.id = page.id \
                 LEFT JOIN review_issues p ON p.id = i.previous_id \
                 ORDER BY page.closed_last, i.id DESC",
            );
        let rows = numbered(&mut q, self.backend)?
            .query()
            .fetch_all(self.pool())
            .await
            .map_err(query_err(doing))?;
        let get = query_err(doing);
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            items.push(ReviewRow {
                record: read_review_issue(row)?,
                state: row.try_get("state").map_err(&get)?,
                outcome: row.try_get("outcome").map_err(&get)?,
            });
        }
        Ok(Paged {
            total: to_u64(total),
            items,
        })
    }

    async fn review_totals(&self) -> Result<ReviewTotals, StoreError> {
        let doing = "counting review issues";
        let states: Vec<(Option<String>, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM review_issues GROUP BY state")
                .fetch_all(self.pool())
                .await
                .map_err(query_err(doing))?;
        let mut totals = ReviewTotals::default();
        for (state, n) in states {
            match state.as_deref() {
                Some("opened") => totals.open += to_u64(n),
                Some("closed") => totals.closed += to_u64(n),
                _ => {}
            }
        }
        // Flagged responses (three index ranges, counted once per generation) less the
        // covered ones (kept by triggers as coverage is written): responses covered while
        // flagged and changed to Green since are not told apart.
        let mut count = QueryBuilder::<Any>::new(
            "SELECT COUNT(*) FROM responses WHERE band IN ('yellow', 'red', 'error')",
        );
        let flagged = self
            .memo_count("flagged".to_owned(), &mut count, doing)
            .await?;
        let covered: i64 =
            sqlx::query_scalar("SELECT covered FROM review_coverage_count WHERE id = 1")
                .fetch_one(self.pool())
                .await
                .map_err(query_err(doing))?;
        totals.uncovered = flagged.saturating_sub(to_u64(covered));
        Ok(totals)
    }

    async fn open_duplicate_reviews(&self) -> Result<Vec<(SubjectUrl, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT subject, iid FROM review_issues WHERE state = 'opened' AND subject IN \
             (SELECT subject FROM review_issues WHERE state = 'opened' GROUP BY subject \
             HAVING COUNT(*) > 1) ORDER BY subject, iid",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("finding subjects with two open review issues"))?;
        Ok(rows
            .into_iter()
            .map(|(s, iid)| (SubjectUrl::parse(&s), to_u64(iid)))
            .collect())
    }

    async fn coverage_of(
        &self,
        review_issue_ids: &[i64],
        latest: usize,
    ) -> Result<HashMap<i64, IssueCoverage>, StoreError> {
        let doing = "listing the responses review issues cover";
        let get = query_err(doing);
        let mut out: HashMap<i64, IssueCoverage> = HashMap::new();
        for batch in review_issue_ids.chunks(100) {
            // Per band: the coverage index alone.
            let mut q = QueryBuilder::<Any>::new(
                "SELECT review_issue_id, band, COUNT(*) AS n FROM review_coverage \
                 WHERE review_issue_id IN (",
            );
            let mut ids = q.separated(", ");
            for id in batch {
                ids.push_bind(*id);
            }
            ids.push_unseparated(") GROUP BY review_issue_id, band");
            let rows = numbered(&mut q, self.backend)?
                .query()
                .fetch_all(self.pool())
                .await
                .map_err(&get)?;
            for row in &rows {
                let id: i64 = row.try_get("review_issue_id").map_err(&get)?;
                let band: Option<String> = row.try_get("band").map_err(&get)?;
                let n: i64 = row.try_get("n").map_err(&get)?;
                if let Some(band) = band.as_deref().and_then(Band::parse) {
                    out.entry(id).or_default().bands.add(band, to_u64(n));
                }
            }
            if latest == 0 {
                continue;
            }
            // The latest few of each issue: one index range read backwards per issue, then
            // only those responses' rows.
            let mut q = QueryBuilder::<Any>::new("");
            for (i, id) in batch.iter().enumerate() {
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push(
                    "SELECT * FROM (SELECT c.review_issue_id, c.note_id, c.covered_at, \
                     r.response_key, r.sheet_row, r.submitted_at, r.cells, r.score, r.band \
                     FROM review_coverage c JOIN responses r ON r.response_key = c.response_key \
                     WHERE c.review_issue_id = ",
                )
                .push_bind(*id)
                .push(" ORDER BY c.covered_at DESC, c.response_key DESC LIMIT ")
                .push_bind(to_i64(latest as u64))
                .push(") AS latest");
            }
            let rows = numbered(&mut q, self.backend)?
                .query()
                .fetch_all(self.pool())
                .await
                .map_err(&get)?;
            for row in &rows {
                let id: i64 = row.try_get("review_issue_id").map_err(&get)?;
                out.entry(id).or_default().latest.push(read_covered(row)?);
            }
        }
        // Read latest first; shown in the order they were covered.
        for coverage in out.values_mut() {
            coverage.latest.reverse();
        }
        Ok(out)
    }

    async fn formula_marks(&self) -> Result<Vec<FormulaMark>, StoreError> {
        let doing = "listing formula versions";
        let rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, hash, note, first_used_at FROM formula_versions \
             ORDER BY first_used_at, id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        rows.into_iter()
            .map(|(id, hash, note, first_used_at)| {
                Ok(FormulaMark {
                    id: FormulaVersionId(id),
                    hash,
                    note,
                    first_used_at: time_from_text(&first_used_at)?,
                })
            })
            .collect()
    }

    async fn note_review_states(&self, seen: &[SeenState]) -> Result<(), StoreError> {
        let doing = "keeping the review issues' tracker states";
        if seen.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write(doing).await?;
        for s in seen {
            sqlx::query(
                "UPDATE review_issues SET state = $3, outcome = $4 \
                 WHERE project = $1 AND iid = $2",
            )
            .bind(&s.project)
            .bind(to_i64(s.iid))
            .bind(&s.state)
            .bind(&s.outcome)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        }
        tx.commit().await.map_err(query_err(doing))
    }
}
