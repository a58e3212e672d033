//! The monthly agenda's reads over the review issues (`review_issues`, `review_coverage`) and
//! the syncs' tables, bounded like a page's whatever the history: each part of the agenda
//! counted in index ranges of `review_issues` (migration 0630), the first few issues of each
//! part read in number order, and the listed issues' covered responses counted per band from
//! the coverage index, a batch of numbers at a time. Nothing here reads the tracker.

use std::collections::HashMap;

use jiff::civil::Date;
use sqlx::{Any, QueryBuilder, Row as _};
use supportops_domain::Band;
use supportops_domain::sync::{AgendaPart, Outcome};
use supportops_ports::StoreError;
use supportops_ports::store::sync::{AgendaQuery, AgendaReviews, KnownReview};

use super::codec::{corrupt, second_text, to_i64, to_u64};
use super::numbered::numbered;
use super::{SqliteStore, query_err};

/// How many issue numbers one `IN (…)` list of the agenda's reads holds.
const BATCH: usize = 100;

/// `select` (ending in `WHERE `) then `{table}project = project AND {table}iid IN (batch)`.
fn by_numbers(select: &str, table: &str, project: &str, batch: &[u64]) -> QueryBuilder<Any> {
    let mut q = QueryBuilder::<Any>::new(select);
    q.push(format!("{table}project = "))
        .push_bind(project.to_owned())
        .push(format!(" AND {table}iid IN ("));
    let mut list = q.separated(", ");
    for iid in batch {
        list.push_bind(to_i64(*iid));
    }
    list.push_unseparated(")");
    q
}

/// A stored time's second, to compare with [`second_text`] as the queries do.
fn second_of(stored: &str) -> &str {
    stored.get(..19).unwrap_or(stored)
}

/// The previous meeting's items, with what the store records of each (nothing for an issue
/// filed by hand). `$1` project, `$2` the meeting's date.
const AGENDA_ITEMS: &str = "\
SELECT m.iid, m.part, m.discussed, i.recorded_at, i.state
FROM sync_meeting_items m JOIN sync_meetings s ON s.id = m.meeting_id
LEFT JOIN review_issues i ON i.project = $1 AND i.iid = m.iid
WHERE s.meeting_date = $2";

/// The agenda's counts, each an index range (migration 0630): the issues recorded since `$2`,
/// the open ones (last seen `opened`, or not seen yet) recorded before it, and the open ones
/// recorded before `$3` (old enough to be neglected). `substr` keeps the planner on the state
/// index, whose entries hold the time, rather than a long range of the time index.
const AGENDA_COUNTS: &str = "\
SELECT
    (SELECT COUNT(*) FROM review_issues WHERE project = $1 AND recorded_at >= $2) AS recent,
    (SELECT COUNT(*) FROM review_issues
        WHERE project = $1 AND state = 'opened' AND substr(recorded_at, 1, 19) < $2)
    + (SELECT COUNT(*) FROM review_issues
        WHERE project = $1 AND state IS NULL AND substr(recorded_at, 1, 19) < $2) AS open_before,
    (SELECT COUNT(*) FROM review_issues
        WHERE project = $1 AND state = 'opened' AND substr(recorded_at, 1, 19) < $3)
    + (SELECT COUNT(*) FROM review_issues
        WHERE project = $1 AND state IS NULL AND substr(recorded_at, 1, 19) < $3) AS aged";

/// The first `$3` issues by number recorded since `$2` (read from the time index's range, then
/// sorted: `iid + 0` keeps the planner from walking the whole history in number order), and
/// the first `$3` open ones recorded before it (in number order from the state index).
const AGENDA_FIRST: &str = "\
SELECT * FROM (SELECT 'new' AS part, iid, state, recorded_at FROM review_issues
    WHERE project = $1 AND recorded_at >= $2 ORDER BY iid + 0 LIMIT $3) recent
UNION ALL
SELECT * FROM (SELECT 'past' AS part, iid, state, recorded_at FROM review_issues
    WHERE project = $1 AND state = 'opened' AND substr(recorded_at, 1, 19) < $2
    ORDER BY iid LIMIT $3) opened
UNION ALL
SELECT * FROM (SELECT 'past' AS part, iid, state, recorded_at FROM review_issues
    WHERE project = $1 AND state IS NULL AND substr(recorded_at, 1, 19) < $2
    ORDER BY iid LIMIT $3) unseen";

/// A review issue as the agenda's reads see it: its last seen state and when it was recorded.
#[derive(Debug, Clone)]
struct Recorded {
    state: Option<String>,
    recorded_at: String,
}

impl Recorded {
    fn is_open(&self) -> bool {
        self.state.as_deref() != Some("closed")
    }
}

/// An item of the previous meeting.
#[derive(Debug, Clone)]
struct Item {
    part: AgendaPart,
    discussed: bool,
    recorded: Option<Recorded>,
}

impl Item {
    /// Its part on this agenda: its own when it was left undiscussed; part 2 when it was
    /// discussed (open still, or closed since perhaps); none for a discussed issue the store
    /// does not record.
    fn part(&self) -> Option<AgendaPart> {
        match (self.discussed, &self.recorded) {
            (false, _) => Some(self.part),
            (true, Some(_)) => Some(AgendaPart::Past),
            (true, None) => None,
        }
    }
}

impl SqliteStore {
    async fn agenda_items(
        &self,
        project: &str,
        previous: Option<Date>,
    ) -> Result<Vec<(u64, Item)>, StoreError> {
        let Some(previous) = previous else {
            return Ok(Vec::new());
        };
        let doing = "reading the last monthly sync's agenda items";
        let get = query_err(doing);
        let rows = sqlx::query(AGENDA_ITEMS)
            .bind(project)
            .bind(previous.to_string())
            .fetch_all(self.pool())
            .await
            .map_err(&get)?;
        rows.iter()
            .map(|row| {
                let iid: i64 = row.try_get("iid").map_err(&get)?;
                let part: String = row.try_get("part").map_err(&get)?;
                let discussed: i64 = row.try_get("discussed").map_err(&get)?;
                let recorded_at: Option<String> = row.try_get("recorded_at").map_err(&get)?;
                let item = Item {
                    part: AgendaPart::parse(&part)
                        .ok_or_else(|| corrupt("an agenda part", &part, "unknown part"))?,
                    discussed: discussed != 0,
                    recorded: match recorded_at {
                        Some(recorded_at) => Some(Recorded {
                            state: row.try_get("state").map_err(&get)?,
                            recorded_at,
                        }),
                        None => None,
                    },
                };
                Ok((to_u64(iid), item))
            })
            .collect()
    }

    /// The state last seen and the recording time of the review issues of `project` among
    /// `iids` that the store records.
    async fn recorded(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<Vec<(u64, Recorded)>, StoreError> {
        let doing = "reading review issues by number";
        let mut out = Vec::new();
        for batch in iids.chunks(BATCH) {
            let mut q = by_numbers(
                "SELECT iid, state, recorded_at FROM review_issues WHERE ",
                "",
                project,
                batch,
            );
            let rows: Vec<(i64, Option<String>, String)> = numbered(&mut q, self.backend())?
                .query_as()
                .fetch_all(self.pool())
                .await
                .map_err(query_err(doing))?;
            out.extend(
                rows.into_iter().map(|(iid, state, recorded_at)| {
                    (to_u64(iid), Recorded { state, recorded_at })
                }),
            );
        }
        Ok(out)
    }

    pub(super) async fn read_outcomes_of(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, Outcome>, StoreError> {
        let doing = "reading the outcomes of review issues";
        let mut out = HashMap::new();
        for batch in iids.chunks(BATCH) {
            let mut q = by_numbers(
                "SELECT iid, outcome FROM sync_outcomes WHERE ",
                "",
                project,
                batch,
            );
            q.push(" ORDER BY id");
            let rows: Vec<(i64, String)> = numbered(&mut q, self.backend())?
                .query_as()
                .fetch_all(self.pool())
                .await
                .map_err(query_err(doing))?;
            // Later records win.
            for (iid, outcome) in rows {
                let outcome = Outcome::parse(&outcome)
                    .ok_or_else(|| corrupt("an outcome", &outcome, "unknown outcome"))?;
                out.insert(to_u64(iid), outcome);
            }
        }
        Ok(out)
    }

    pub(super) async fn read_agenda_reviews(
        &self,
        query: &AgendaQuery,
    ) -> Result<AgendaReviews, StoreError> {
        let doing = "choosing the review issues of the monthly agenda";
        let get = query_err(doing);
        let since = second_text(query.since);
        let aged_until = second_text(
            query
                .aged_before
                .checked_add(jiff::SignedDuration::from_secs(1))
                .unwrap_or(query.aged_before),
        );
        let items: HashMap<u64, Item> = self
            .agenda_items(&query.project, query.previous)
            .await?
            .into_iter()
            .collect();
        // Closed since the period began, as the tracker says: in part 2 even when the store saw
        // them closed already (those it takes for open, or new, it counts anyway).
        let closed_since: Vec<(u64, Recorded)> = self
            .recorded(&query.project, &query.closed_since)
            .await?
            .into_iter()
            .filter(|(iid, r)| {
                !items.contains_key(iid)
                    && !r.is_open()
                    && second_of(&r.recorded_at) < since.as_str()
            })
            .collect();
        let counts = sqlx::query(AGENDA_COUNTS)
            .bind(&query.project)
            .bind(&since)
            .bind(&aged_until)
            .fetch_one(self.pool())
            .await
            .map_err(&get)?;
        let count = |name: &str| -> Result<u64, StoreError> {
            Ok(to_u64(counts.try_get(name).map_err(&get)?))
        };
        // The items are counted in the ranges by their recording time and state; they count in
        // their own part instead.
        let (mut new_total, mut past_total) = (count("recent")?, count("open_before")?);
        for item in items.values() {
            if let Some(r) = &item.recorded {
                if second_of(&r.recorded_at) >= since.as_str() {
                    new_total = new_total.saturating_sub(1);
                } else if r.is_open() {
                    past_total = past_total.saturating_sub(1);
                }
            }
            match item.part() {
                Some(AgendaPart::New) => new_total += 1,
                Some(AgendaPart::Past) => past_total += 1,
                None => {}
            }
        }
        past_total += closed_since.len() as u64;
        // The first of each part: enough rows to make up for the items among them.
        let wanted = query.limit.saturating_add(items.len() as u64);
        let rows = sqlx::query(AGENDA_FIRST)
            .bind(&query.project)
            .bind(&since)
            .bind(to_i64(wanted))
            .fetch_all(self.pool())
            .await
            .map_err(&get)?;
        let mut parts: [Vec<(u64, Option<Recorded>)>; 2] = [Vec::new(), Vec::new()];
        for row in &rows {
            let iid = to_u64(row.try_get("iid").map_err(&get)?);
            if items.contains_key(&iid) {
                continue;
            }
            let part: String = row.try_get("part").map_err(&get)?;
            let recorded = Recorded {
                state: row.try_get("state").map_err(&get)?,
                recorded_at: row.try_get("recorded_at").map_err(&get)?,
            };
            parts[usize::from(part != "new")].push((iid, Some(recorded)));
        }
        for (iid, item) in &items {
            match item.part() {
                Some(AgendaPart::New) => parts[0].push((*iid, item.recorded.clone())),
                Some(AgendaPart::Past) => parts[1].push((*iid, item.recorded.clone())),
                None => {}
            }
        }
        parts[1].extend(closed_since.into_iter().map(|(iid, r)| (iid, Some(r))));
        let aged = |r: &Option<Recorded>| {
            r.as_ref()
                .is_some_and(|r| r.is_open() && second_of(&r.recorded_at) < aged_until.as_str())
        };
        let mut out = AgendaReviews {
            new_total,
            past_total,
            aged_unlisted: count("aged")?,
            listed: Vec::new(),
        };
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        for (part, mut issues) in [AgendaPart::New, AgendaPart::Past].into_iter().zip(parts) {
            issues.sort_by_key(|(iid, _)| *iid);
            for (iid, recorded) in issues.into_iter().take(limit) {
                if aged(&recorded) {
                    out.aged_unlisted = out.aged_unlisted.saturating_sub(1);
                }
                out.listed.push((iid, part));
            }
        }
        Ok(out)
    }

    pub(super) async fn read_known_reviews(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, KnownReview>, StoreError> {
        let doing = "counting the responses of review issues per band";
        let get = query_err(doing);
        let mut out: HashMap<u64, KnownReview> = HashMap::new();
        for batch in iids.chunks(BATCH) {
            let mut q = by_numbers(
                "SELECT i.iid, i.state, i.outcome, c.band, COUNT(c.response_key) AS n \
                 FROM review_issues i LEFT JOIN review_coverage c ON c.review_issue_id = i.id \
                 WHERE ",
                "i.",
                project,
                batch,
            );
            q.push(" GROUP BY i.iid, i.state, i.outcome, c.band");
            let rows = numbered(&mut q, self.backend())?
                .query()
                .fetch_all(self.pool())
                .await
                .map_err(&get)?;
            for row in &rows {
                let iid: i64 = row.try_get("iid").map_err(&get)?;
                let known = out.entry(to_u64(iid)).or_default();
                known.state = row.try_get("state").map_err(&get)?;
                known.outcome = row.try_get("outcome").map_err(&get)?;
                let band: Option<String> = row.try_get("band").map_err(&get)?;
                let n = u32::try_from(to_u64(row.try_get("n").map_err(&get)?)).unwrap_or(u32::MAX);
                // No coverage (or a band not kept yet): nothing to count.
                if let Some(band) = band.as_deref().and_then(Band::parse) {
                    known.bands.add(band, n);
                }
            }
        }
        Ok(out)
    }
}
