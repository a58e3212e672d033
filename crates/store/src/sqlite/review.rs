//! Feedback Review records: review issues per subject, the responses each covers, the filing
//! intents that make filing crash-safe, the review lock (one row, a lease) that lets one run
//! file at a time, and the append-only tracker action log.

use std::collections::HashSet;
use std::time::Duration;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, QueryBuilder, Row as _, Transaction};
use supportops_domain::review::IssueRef;
use supportops_domain::{ResponseKey, SubjectUrl};
use supportops_ports::StoreError;
use supportops_ports::store::actions::{LoggedAction, TrackerAction};
use supportops_ports::store::review::{
    Filing, FilingKind, FilingOutcome, LockAttempt, NewFiling, ReviewIssueRecord, ReviewLease,
    ReviewOrigin,
};
use supportops_ports::store::{ActionLog, ReviewStore};

use super::codec::{
    corrupt, list_from_text, list_to_text, time_from_text, time_to_text, to_i64, to_u64,
};
use super::numbered::numbered;
use super::{Backend, SqliteStore, query_err};

/// The review issue listing, as a literal so that filters can be appended with `concat!`.
macro_rules! select_review_issues {
    () => {
        "SELECT i.id, i.subject, i.project, i.iid, i.web_url, i.origin, i.recorded_at, \
         p.project AS previous_project, p.iid AS previous_iid, p.web_url AS previous_web_url, \
         (SELECT COUNT(*) FROM review_coverage c WHERE c.review_issue_id = i.id) AS covered \
         FROM review_issues i LEFT JOIN review_issues p ON p.id = i.previous_id"
    };
}

/// Reads the issue whose columns start with `prefix` (`project`, `iid`, `web_url`).
fn read_issue_ref(
    row: &AnyRow,
    prefix: &str,
    get: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<IssueRef, StoreError> {
    let column = |name: &str| format!("{prefix}{name}");
    Ok(IssueRef {
        project: row.try_get(column("project").as_str()).map_err(get)?,
        iid: to_u64(row.try_get(column("iid").as_str()).map_err(get)?),
        web_url: row.try_get(column("web_url").as_str()).map_err(get)?,
    })
}

/// Like [`read_issue_ref`], for an issue that may be missing: `None` when its project is `NULL`.
fn read_optional_issue_ref(
    row: &AnyRow,
    prefix: &str,
    get: &impl Fn(sqlx::Error) -> StoreError,
) -> Result<Option<IssueRef>, StoreError> {
    let project: Option<String> = row
        .try_get(format!("{prefix}project").as_str())
        .map_err(get)?;
    match project {
        Some(_) => read_issue_ref(row, prefix, get).map(Some),
        None => Ok(None),
    }
}

pub(crate) fn read_review_issue(row: &AnyRow) -> Result<ReviewIssueRecord, StoreError> {
    let get = query_err("reading a review issue");
    let origin: String = row.try_get("origin").map_err(&get)?;
    Ok(ReviewIssueRecord {
        id: row.try_get("id").map_err(&get)?,
        subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
        issue: read_issue_ref(row, "", &get)?,
        previous: read_optional_issue_ref(row, "previous_", &get)?,
        origin: [ReviewOrigin::Filed, ReviewOrigin::Found]
            .into_iter()
            .find(|o| o.as_str() == origin)
            .ok_or_else(|| corrupt("a review issue's origin", &origin, "not `filed` or `found`"))?,
        recorded_at: time_from_text(row.try_get::<&str, _>("recorded_at").map_err(&get)?)?,
        responses: to_u64(row.try_get("covered").map_err(&get)?),
    })
}

fn read_filing(row: &AnyRow) -> Result<Filing, StoreError> {
    let get = query_err("reading a filing");
    let kind: String = row.try_get("kind").map_err(&get)?;
    let keys: Vec<String> = list_from_text(row.try_get("response_keys").map_err(&get)?)?;
    Ok(Filing {
        id: row.try_get("id").map_err(&get)?,
        intent: NewFiling {
            kind: [FilingKind::Create, FilingKind::Note]
                .into_iter()
                .find(|k| k.as_str() == kind)
                .ok_or_else(|| corrupt("a filing's kind", &kind, "not `create` or `note`"))?,
            tracker: row.try_get("tracker").map_err(&get)?,
            project: row.try_get("project").map_err(&get)?,
            subject: SubjectUrl::parse(row.try_get::<&str, _>("subject").map_err(&get)?),
            issue: read_optional_issue_ref(row, "issue_", &get)?,
            keys: keys.into_iter().map(ResponseKey::from_stored).collect(),
            at: time_from_text(row.try_get::<&str, _>("created_at").map_err(&get)?)?,
        },
    })
}

/// Finds the store's id of an issue, recording it when it is new.
async fn review_issue_id(
    tx: &mut Transaction<'static, Any>,
    subject: &SubjectUrl,
    issue: &IssueRef,
    previous: Option<&IssueRef>,
    origin: ReviewOrigin,
    at: &str,
) -> Result<i64, StoreError> {
    let doing = "recording a review issue";
    let previous_id: Option<i64> = match previous {
        Some(p) => {
            sqlx::query_scalar("SELECT id FROM review_issues WHERE project = $1 AND iid = $2")
                .bind(&p.project)
                .bind(to_i64(p.iid))
                .fetch_optional(&mut **tx)
                .await
                .map_err(query_err(doing))?
        }
        None => None,
    };
    sqlx::query(
        "INSERT INTO review_issues (subject, project, iid, web_url, previous_id, origin, \
         recorded_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         CASE WHEN $6 = 'filed' THEN 'opened' END) ON CONFLICT (project, iid) DO NOTHING",
    )
    .bind(subject.as_str())
    .bind(&issue.project)
    .bind(to_i64(issue.iid))
    .bind(&issue.web_url)
    .bind(previous_id)
    .bind(origin.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(query_err(doing))?;
    sqlx::query_scalar("SELECT id FROM review_issues WHERE project = $1 AND iid = $2")
        .bind(&issue.project)
        .bind(to_i64(issue.iid))
        .fetch_one(&mut **tx)
        .await
        .map_err(query_err(doing))
}

/// Marks responses as covered by an issue (or a note on it), a few hundred keys a statement.
/// Keys already covered keep their first issue; keys the store does not hold are ignored.
async fn cover(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    issue_id: i64,
    note_id: Option<u64>,
    keys: &[ResponseKey],
    at: &str,
) -> Result<(), StoreError> {
    for chunk in keys.chunks(COVER_BATCH) {
        let mut q = QueryBuilder::<Any>::new(
            "INSERT INTO review_coverage (response_key, review_issue_id, note_id, covered_at, \
             band) SELECT response_key, ",
        );
        q.push_bind(issue_id)
            .push(", ")
            .push_bind(note_id.map(to_i64))
            .push(", ")
            .push_bind(at)
            .push(", band FROM responses WHERE response_key IN (");
        let mut list = q.separated(", ");
        for key in chunk {
            list.push_bind(key.as_str());
        }
        list.push_unseparated(") ON CONFLICT (response_key) DO NOTHING");
        numbered(&mut q, backend)?
            .query()
            .execute(&mut **tx)
            .await
            .map_err(query_err("recording which responses a review covers"))?;
    }
    Ok(())
}

/// Keys covered per statement.
const COVER_BATCH: usize = 500;

fn read_lease(row: &AnyRow) -> Result<ReviewLease, StoreError> {
    let get = query_err("reading the review lock");
    Ok(ReviewLease {
        holder: row.try_get("holder").map_err(&get)?,
        acquired_at: time_from_text(row.try_get::<&str, _>("acquired_at").map_err(&get)?)?,
        renewed_at: time_from_text(row.try_get::<&str, _>("renewed_at").map_err(&get)?)?,
        expires_at: time_from_text(row.try_get::<&str, _>("expires_at").map_err(&get)?)?,
    })
}

/// When a lease renewed at `now` lapses.
fn lapses_at(now: Timestamp, ttl: Duration) -> Result<String, StoreError> {
    now.checked_add(ttl)
        .map(time_to_text)
        .map_err(|e| StoreError::Query {
            doing: format!("computing when a review lock taken at {now} for {ttl:?} lapses"),
            message: e.to_string(),
        })
}

async fn append_action(
    executor: impl sqlx::Executor<'_, Database = Any>,
    action: &TrackerAction,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO tracker_actions (at, tracker, action, project, iid, note_id, web_url, \
         summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(time_to_text(action.at))
    .bind(&action.tracker)
    .bind(&action.action)
    .bind(&action.project)
    .bind(action.iid.map(to_i64))
    .bind(action.note_id.map(to_i64))
    .bind(&action.web_url)
    .bind(&action.summary)
    .fetch_one(executor)
    .await
    .map_err(query_err("appending to the tracker action log"))
}

#[async_trait::async_trait]
impl ReviewStore for SqliteStore {
    async fn covered_keys(&self) -> Result<HashSet<ResponseKey>, StoreError> {
        let keys: Vec<String> = sqlx::query_scalar("SELECT response_key FROM review_coverage")
            .fetch_all(self.pool())
            .await
            .map_err(query_err("listing covered responses"))?;
        Ok(keys.into_iter().map(ResponseKey::from_stored).collect())
    }

    async fn covered_among(
        &self,
        keys: &[ResponseKey],
    ) -> Result<HashSet<ResponseKey>, StoreError> {
        const BATCH: usize = 500;
        let mut covered = HashSet::new();
        for batch in keys.chunks(BATCH) {
            let mut query = sqlx::QueryBuilder::<sqlx::Any>::new(
                "SELECT response_key FROM review_coverage WHERE response_key IN (",
            );
            let mut list = query.separated(", ");
            for key in batch {
                list.push_bind(key.as_str());
            }
            list.push_unseparated(")");
            let found: Vec<String> = numbered(&mut query, self.backend)?
                .scalar()
                .fetch_all(self.pool())
                .await
                .map_err(query_err("looking up covered responses"))?;
            covered.extend(found.into_iter().map(ResponseKey::from_stored));
        }
        Ok(covered)
    }

    async fn has_review_issues(&self) -> Result<bool, StoreError> {
        let any: Option<i64> = sqlx::query_scalar("SELECT id FROM review_issues LIMIT 1")
            .fetch_optional(self.pool())
            .await
            .map_err(query_err("looking for review issues"))?;
        Ok(any.is_some())
    }

    async fn latest_review_issue(
        &self,
        subject: &SubjectUrl,
    ) -> Result<Option<ReviewIssueRecord>, StoreError> {
        const SQL: &str = concat!(
            select_review_issues!(),
            " WHERE i.subject = $1 ORDER BY i.id DESC LIMIT 1"
        );
        let row = sqlx::query(SQL)
            .bind(subject.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(query_err("finding a subject's review issue"))?;
        row.as_ref().map(read_review_issue).transpose()
    }

    async fn review_issues(&self) -> Result<Vec<ReviewIssueRecord>, StoreError> {
        let rows = sqlx::query(concat!(select_review_issues!(), " ORDER BY i.id"))
            .fetch_all(self.pool())
            .await
            .map_err(query_err("listing review issues"))?;
        rows.iter().map(read_review_issue).collect()
    }

    async fn begin_filing(&self, filing: &NewFiling) -> Result<Filing, StoreError> {
        let keys: Vec<&str> = filing.keys.iter().map(ResponseKey::as_str).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO review_filings (kind, tracker, project, subject, issue_project, \
             issue_iid, issue_web_url, response_keys, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9) RETURNING id",
        )
        .bind(filing.kind.as_str())
        .bind(&filing.tracker)
        .bind(&filing.project)
        .bind(filing.subject.as_str())
        .bind(filing.issue.as_ref().map(|i| i.project.as_str()))
        .bind(filing.issue.as_ref().map(|i| to_i64(i.iid)))
        .bind(filing.issue.as_ref().map(|i| i.web_url.as_str()))
        .bind(list_to_text(&keys))
        .bind(time_to_text(filing.at))
        .fetch_one(self.pool())
        .await
        .map_err(query_err("recording the intent to file"))?;
        Ok(Filing {
            id,
            intent: filing.clone(),
        })
    }

    async fn pending_filings(&self) -> Result<Vec<Filing>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, tracker, project, subject, issue_project, issue_iid, issue_web_url, \
             response_keys, created_at FROM review_filings WHERE state = 'pending' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing unfinished filings"))?;
        rows.iter().map(read_filing).collect()
    }

    async fn finish_filing(
        &self,
        id: i64,
        outcome: &FilingOutcome,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let doing = "recording a filed review";
        let at_text = time_to_text(at);
        let mut tx = self.begin_write(doing).await?;
        let row = sqlx::query(
            "SELECT id, kind, tracker, project, subject, issue_project, issue_iid, issue_web_url, \
             response_keys, created_at FROM review_filings WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(doing))?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("pending filing {id}"),
        })?;
        let filing = read_filing(&row)?.intent;
        let action = match (outcome, filing.kind) {
            (FilingOutcome::Created { issue }, FilingKind::Create) => {
                let issue_id = review_issue_id(
                    &mut tx,
                    &filing.subject,
                    issue,
                    filing.issue.as_ref(),
                    ReviewOrigin::Filed,
                    &at_text,
                )
                .await?;
                cover(
                    &mut tx,
                    self.backend,
                    issue_id,
                    None,
                    &filing.keys,
                    &at_text,
                )
                .await?;
                TrackerAction {
                    at,
                    tracker: filing.tracker.clone(),
                    action: "create_issue".into(),
                    project: issue.project.clone(),
                    iid: Some(issue.iid),
                    note_id: None,
                    web_url: Some(issue.web_url.clone()),
                    summary: format!(
                        "review issue for {} covering {} responses",
                        filing.subject,
                        filing.keys.len()
                    ),
                }
            }
            (FilingOutcome::Noted { note_id }, FilingKind::Note) => {
                let issue = filing.issue.as_ref().ok_or_else(|| {
                    StoreError::Conflict(format!("filing {id} is a note but names no issue"))
                })?;
                let issue_id = review_issue_id(
                    &mut tx,
                    &filing.subject,
                    issue,
                    None,
                    ReviewOrigin::Filed,
                    &at_text,
                )
                .await?;
                cover(
                    &mut tx,
                    self.backend,
                    issue_id,
                    Some(*note_id),
                    &filing.keys,
                    &at_text,
                )
                .await?;
                TrackerAction {
                    at,
                    tracker: filing.tracker.clone(),
                    action: "add_note".into(),
                    project: issue.project.clone(),
                    iid: Some(issue.iid),
                    note_id: Some(*note_id),
                    web_url: Some(issue.web_url.clone()),
                    summary: format!(
                        "note on the review of {} covering {} responses",
                        filing.subject,
                        filing.keys.len()
                    ),
                }
            }
            (outcome, kind) => {
                return Err(StoreError::Conflict(format!(
                    "filing {id} is a {} but its outcome is {outcome:?}",
                    kind.as_str()
                )));
            }
        };
        append_action(&mut *tx, &action).await?;
        sqlx::query("UPDATE review_filings SET state = 'done', finished_at = $2 WHERE id = $1")
            .bind(id)
            .bind(&at_text)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn abandon_filing(&self, id: i64, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE review_filings SET state = 'abandoned', finished_at = $2 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(time_to_text(at))
        .execute(self.pool())
        .await
        .map_err(query_err("abandoning a filing"))?;
        Ok(())
    }

    async fn fail_filing(&self, id: i64, failure: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE review_filings SET state = 'failed', failure = $3, finished_at = $2 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(time_to_text(at))
        .bind(failure)
        .execute(self.pool())
        .await
        .map_err(query_err("recording a refused filing"))?;
        Ok(())
    }

    async fn failed_subjects(&self) -> Result<HashSet<SubjectUrl>, StoreError> {
        let subjects: Vec<String> = sqlx::query_scalar(
            "SELECT f.subject FROM review_filings f WHERE f.state = 'failed' AND f.id = \
             (SELECT MAX(g.id) FROM review_filings g WHERE g.subject = f.subject)",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing subjects whose filing failed"))?;
        Ok(subjects.iter().map(|s| SubjectUrl::parse(s)).collect())
    }

    async fn record_found_issue(
        &self,
        subject: &SubjectUrl,
        issue: &IssueRef,
        keys: &[ResponseKey],
        at: Timestamp,
    ) -> Result<ReviewIssueRecord, StoreError> {
        let doing = "recording a review issue found in the tracker";
        let at_text = time_to_text(at);
        let mut tx = self.begin_write(doing).await?;
        let id =
            review_issue_id(&mut tx, subject, issue, None, ReviewOrigin::Found, &at_text).await?;
        cover(&mut tx, self.backend, id, None, keys, &at_text).await?;
        let sql = concat!(select_review_issues!(), " WHERE i.id = $1");
        let row = sqlx::query(sql)
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        let record = read_review_issue(&row)?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(record)
    }

    async fn acquire_review_lock(
        &self,
        holder: &str,
        now: Timestamp,
        ttl: Duration,
    ) -> Result<LockAttempt, StoreError> {
        let doing = "taking the review lock";
        let expires_at = lapses_at(now, ttl)?;
        let now_text = time_to_text(now);
        let mut tx = self.begin_write(doing).await?;
        let row = sqlx::query(
            "SELECT holder, acquired_at, renewed_at, expires_at FROM review_lock WHERE id = 1",
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        let current = row.as_ref().map(read_lease).transpose()?;
        let took_over = match current {
            None => None,
            Some(lease) if lease.holder == holder => {
                sqlx::query("UPDATE review_lock SET renewed_at = $1, expires_at = $2 WHERE id = 1")
                    .bind(&now_text)
                    .bind(&expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(query_err(doing))?;
                tx.commit().await.map_err(query_err(doing))?;
                return Ok(LockAttempt::Acquired { took_over: None });
            }
            Some(lease) if lease.expires_at <= now => Some(lease),
            Some(lease) => {
                tx.rollback().await.map_err(query_err(doing))?;
                return Ok(LockAttempt::Held(lease));
            }
        };
        sqlx::query(
            "INSERT INTO review_lock (id, holder, acquired_at, renewed_at, expires_at) \
             VALUES (1, $1, $2, $2, $3) ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, \
             acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, \
             expires_at = excluded.expires_at",
        )
        .bind(holder)
        .bind(&now_text)
        .bind(&expires_at)
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(LockAttempt::Acquired { took_over })
    }

    async fn renew_review_lock(
        &self,
        holder: &str,
        now: Timestamp,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE review_lock SET renewed_at = $2, expires_at = $3 WHERE id = 1 AND holder = $1",
        )
        .bind(holder)
        .bind(time_to_text(now))
        .bind(lapses_at(now, ttl)?)
        .execute(self.pool())
        .await
        .map_err(query_err("renewing the review lock"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_review_lock(&self, holder: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM review_lock WHERE id = 1 AND holder = $1")
            .bind(holder)
            .execute(self.pool())
            .await
            .map_err(query_err("releasing the review lock"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn review_lock(&self) -> Result<Option<ReviewLease>, StoreError> {
        let row = sqlx::query(
            "SELECT holder, acquired_at, renewed_at, expires_at FROM review_lock WHERE id = 1",
        )
        .fetch_optional(self.pool())
        .await
        .map_err(query_err("reading the review lock"))?;
        row.as_ref().map(read_lease).transpose()
    }
}

#[async_trait::async_trait]
impl ActionLog for SqliteStore {
    async fn log_action(&self, action: &TrackerAction) -> Result<i64, StoreError> {
        append_action(self.pool(), action).await
    }

    async fn begin_action(&self, intent: &TrackerAction) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO tracker_intents (at, tracker, action, project, iid, summary, state) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id",
        )
        .bind(time_to_text(intent.at))
        .bind(&intent.tracker)
        .bind(&intent.action)
        .bind(&intent.project)
        .bind(intent.iid.map(to_i64))
        .bind(&intent.summary)
        .fetch_one(self.pool())
        .await
        .map_err(query_err("recording the intent to change the tracker"))
    }

    async fn finish_action(&self, id: i64, done: &TrackerAction) -> Result<i64, StoreError> {
        let doing = "recording a change made in the tracker";
        let mut tx = self.begin_write(doing).await?;
        let intent =
            sqlx::query("SELECT action, project, iid, summary FROM tracker_intents WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query_err(doing))?
                .ok_or_else(|| StoreError::NotFound {
                    what: format!("tracker intent {id}"),
                })?;
        let get = query_err(doing);
        let action: String = intent.try_get("action").map_err(&get)?;
        let project: String = intent.try_get("project").map_err(&get)?;
        let iid: Option<i64> = intent.try_get("iid").map_err(&get)?;
        let summary: String = intent.try_get("summary").map_err(&get)?;
        let logged = append_action(&mut *tx, done).await?;
        sqlx::query(
            "UPDATE tracker_intents SET state = 'done', action_id = $2, finished_at = $3 \
             WHERE id = $1 OR (state = 'pending' AND id < $1 AND action = $4 AND project = $5 \
             AND iid IS NOT DISTINCT FROM $6 AND summary = $7)",
        )
        .bind(id)
        .bind(logged)
        .bind(time_to_text(done.at))
        .bind(&action)
        .bind(&project)
        .bind(iid)
        .bind(&summary)
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(logged)
    }

    async fn fail_action(&self, id: i64, failure: &str, at: Timestamp) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tracker_intents SET state = 'failed', failure = $2, finished_at = $3 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(failure)
        .bind(time_to_text(at))
        .execute(self.pool())
        .await
        .map_err(query_err("recording a refused change"))?;
        Ok(())
    }

    async fn pending_actions(&self) -> Result<Vec<LoggedAction>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, tracker, action, project, iid, summary FROM tracker_intents \
             WHERE state = 'pending' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing unfinished tracker changes"))?;
        let get = query_err("listing unfinished tracker changes");
        rows.iter()
            .map(|row| {
                let iid: Option<i64> = row.try_get("iid").map_err(&get)?;
                Ok(LoggedAction {
                    id: row.try_get("id").map_err(&get)?,
                    action: TrackerAction {
                        at: time_from_text(row.try_get::<&str, _>("at").map_err(&get)?)?,
                        tracker: row.try_get("tracker").map_err(&get)?,
                        action: row.try_get("action").map_err(&get)?,
                        project: row.try_get("project").map_err(&get)?,
                        iid: iid.map(to_u64),
                        note_id: None,
                        web_url: None,
                        summary: row.try_get("summary").map_err(&get)?,
                    },
                })
            })
            .collect()
    }

    async fn actions(&self) -> Result<Vec<LoggedAction>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, tracker, action, project, iid, note_id, web_url, summary \
             FROM tracker_actions ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("reading the tracker action log"))?;
        let get = query_err("reading the tracker action log");
        rows.iter()
            .map(|row| {
                let iid: Option<i64> = row.try_get("iid").map_err(&get)?;
                let note_id: Option<i64> = row.try_get("note_id").map_err(&get)?;
                Ok(LoggedAction {
                    id: row.try_get("id").map_err(&get)?,
                    action: TrackerAction {
                        at: time_from_text(row.try_get::<&str, _>("at").map_err(&get)?)?,
                        tracker: row.try_get("tracker").map_err(&get)?,
                        action: row.try_get("action").map_err(&get)?,
                        project: row.try_get("project").map_err(&get)?,
                        iid: iid.map(to_u64),
                        note_id: note_id.map(to_u64),
                        web_url: row.try_get("web_url").map_err(&get)?,
                        summary: row.try_get("summary").map_err(&get)?,
                    },
                })
            })
            .collect()
    }
}
