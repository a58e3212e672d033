//! Shadowing sessions in SQLite (tables `shadow_sessions` and `shadow_improvements`, migration
//! `0100_shadowing.sql`). A session's state changes only when its stored state is the one the
//! caller read, so two people cannot both schedule the same session.

use sqlx::Row as _;
use sqlx::any::AnyRow;
use supportops_domain::shadow::{
    Improvement, IssueRef, Month, NewSession, SessionId, SessionState, ShadowSession,
};
use supportops_ports::StoreError;
use supportops_ports::store::ShadowStore;
use supportops_ports::store::shadow::SessionQuery;

use super::codec::{time_from_text, time_to_text, to_i64, to_u64};
use super::{SqliteStore, query_err};

/// The session listing, as a literal so that filters can be appended with `concat!`.
macro_rules! select_sessions {
    () => {
        "SELECT id, month, member, region, engineer, start_at, length_minutes, state, reason, \
         issue_project, issue_iid, issue_web_url, notes, cancel_reason, created_at, updated_at \
         FROM shadow_sessions"
    };
}

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Query {
        doing: format!("reading a shadowing session's {what}"),
        message: format!("`{text}` cannot be read back"),
    }
}

fn session_from_row(row: &AnyRow) -> Result<ShadowSession, StoreError> {
    let get = query_err("reading a shadowing session");
    let month: String = row.try_get("month").map_err(&get)?;
    let state: String = row.try_get("state").map_err(&get)?;
    let start: Option<String> = row.try_get("start_at").map_err(&get)?;
    let project: Option<String> = row.try_get("issue_project").map_err(&get)?;
    let iid: Option<i64> = row.try_get("issue_iid").map_err(&get)?;
    let web_url: Option<String> = row.try_get("issue_web_url").map_err(&get)?;
    let length: i64 = row.try_get("length_minutes").map_err(&get)?;
    let created: String = row.try_get("created_at").map_err(&get)?;
    let updated: String = row.try_get("updated_at").map_err(&get)?;
    Ok(ShadowSession {
        id: SessionId::new(row.try_get("id").map_err(&get)?),
        month: Month::parse(&month).map_err(|_| corrupt("month", &month))?,
        member: row.try_get("member").map_err(&get)?,
        region: row.try_get("region").map_err(&get)?,
        engineer: row.try_get("engineer").map_err(&get)?,
        start: start.as_deref().map(time_from_text).transpose()?,
        length_minutes: u32::try_from(length)
            .map_err(|_| corrupt("length", &length.to_string()))?,
        state: SessionState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        reason: row.try_get("reason").map_err(&get)?,
        issue: match (project, iid, web_url) {
            (Some(project), Some(iid), Some(web_url)) => Some(IssueRef {
                project,
                iid: to_u64(iid),
                web_url,
            }),
            _ => None,
        },
        notes: row.try_get("notes").map_err(&get)?,
        cancel_reason: row.try_get("cancel_reason").map_err(&get)?,
        improvements: Vec::new(),
        created_at: time_from_text(&created)?,
        updated_at: time_from_text(&updated)?,
    })
}

impl SqliteStore {
    /// Fills in each session's improvements.
    async fn with_improvements(
        &self,
        mut sessions: Vec<ShadowSession>,
    ) -> Result<Vec<ShadowSession>, StoreError> {
        if sessions.is_empty() {
            return Ok(sessions);
        }
        // One session (the usual case) reads its own rows; a listing reads them all once.
        let only = match sessions.as_slice() {
            [one] => Some(one.id.get()),
            _ => None,
        };
        let rows = sqlx::query(
            "SELECT session_id, project, iid, web_url, title, created_at \
             FROM shadow_improvements WHERE ($1 IS NULL OR session_id = $1) \
             ORDER BY created_at, project, iid",
        )
        .bind(only)
        .fetch_all(self.pool())
        .await
        .map_err(query_err("reading improvement issues"))?;
        let get = query_err("reading an improvement issue");
        for row in rows {
            let id = SessionId::new(row.try_get("session_id").map_err(&get)?);
            let Some(session) = sessions.iter_mut().find(|s| s.id == id) else {
                continue;
            };
            let created: String = row.try_get("created_at").map_err(&get)?;
            session.improvements.push(Improvement {
                issue: IssueRef {
                    project: row.try_get("project").map_err(&get)?,
                    iid: to_u64(row.try_get("iid").map_err(&get)?),
                    web_url: row.try_get("web_url").map_err(&get)?,
                },
                title: row.try_get("title").map_err(&get)?,
                created_at: time_from_text(&created)?,
            });
        }
        Ok(sessions)
    }
}

#[async_trait::async_trait]
impl ShadowStore for SqliteStore {
    async fn add_sessions(
        &self,
        sessions: &[NewSession],
        at: jiff::Timestamp,
    ) -> Result<Vec<ShadowSession>, StoreError> {
        let mut tx = self
            .begin_write("starting to record planned sessions")
            .await?;
        let mut ids = Vec::with_capacity(sessions.len());
        let now = time_to_text(at);
        for s in sessions {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO shadow_sessions \
                 (month, member, region, length_minutes, state, reason, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7) RETURNING id",
            )
            .bind(s.month.to_string())
            .bind(&s.member)
            .bind(&s.region)
            .bind(i64::from(s.length_minutes))
            .bind(&s.reason)
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await
            .map_err(query_err("recording a planned session"))?;
            ids.push(id);
        }
        tx.commit()
            .await
            .map_err(query_err("committing planned sessions"))?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let session =
                self.session(SessionId::new(id))
                    .await?
                    .ok_or_else(|| StoreError::NotFound {
                        what: format!("shadowing session {id} just recorded"),
                    })?;
            out.push(session);
        }
        Ok(out)
    }

    async fn session(&self, id: SessionId) -> Result<Option<ShadowSession>, StoreError> {
        let row = sqlx::query(concat!(select_sessions!(), " WHERE id = $1"))
            .bind(id.get())
            .fetch_optional(self.pool())
            .await
            .map_err(query_err("reading a shadowing session"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let session = session_from_row(&row)?;
        Ok(self.with_improvements(vec![session]).await?.pop())
    }

    async fn sessions(&self, query: &SessionQuery) -> Result<Vec<ShadowSession>, StoreError> {
        let rows = sqlx::query(concat!(
            select_sessions!(),
            " WHERE ($1 IS NULL OR month >= $1) AND ($2 IS NULL OR month <= $2) \
             AND ($3 IS NULL OR member = $3) AND ($4 IS NULL OR state = $4) \
             ORDER BY month, id"
        ))
        .bind(query.from.map(|m| m.to_string()))
        .bind(query.to.map(|m| m.to_string()))
        .bind(query.member.as_deref())
        .bind(query.state.map(SessionState::as_str))
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing shadowing sessions"))?;
        let sessions = rows
            .iter()
            .map(session_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.with_improvements(sessions).await
    }

    async fn update_session(
        &self,
        s: &ShadowSession,
        expected: SessionState,
    ) -> Result<(), StoreError> {
        let issue = s.issue.as_ref();
        let done = sqlx::query(
            "UPDATE shadow_sessions SET month = $1, engineer = $2, start_at = $3, state = $4, \
             issue_project = $5, issue_iid = $6, issue_web_url = $7, notes = $8, cancel_reason = $9, \
             updated_at = $10 WHERE id = $11 AND state = $12",
        )
        .bind(s.month.to_string())
        .bind(s.engineer.as_deref())
        .bind(s.start.map(time_to_text))
        .bind(s.state.as_str())
        .bind(issue.map(|i| i.project.as_str()))
        .bind(issue.map(|i| to_i64(i.iid)))
        .bind(issue.map(|i| i.web_url.as_str()))
        .bind(s.notes.as_deref())
        .bind(s.cancel_reason.as_deref())
        .bind(time_to_text(s.updated_at))
        .bind(s.id.get())
        .bind(expected.as_str())
        .execute(self.pool())
        .await
        .map_err(query_err("saving a shadowing session"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        match self.session(s.id).await? {
            None => Err(StoreError::NotFound {
                what: format!("shadowing session {}", s.id),
            }),
            Some(now) => Err(StoreError::Conflict(format!(
                "shadowing session {} changed meanwhile: it is {} now, not {expected}",
                s.id, now.state
            ))),
        }
    }

    async fn add_improvement(
        &self,
        id: SessionId,
        improvement: &Improvement,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO shadow_improvements (session_id, project, iid, web_url, title, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session_id, project, iid) DO NOTHING",
        )
        .bind(id.get())
        .bind(&improvement.issue.project)
        .bind(to_i64(improvement.issue.iid))
        .bind(&improvement.issue.web_url)
        .bind(&improvement.title)
        .bind(time_to_text(improvement.created_at))
        .execute(self.pool())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound {
                what: format!("shadowing session {id}"),
            },
            _ => query_err("recording an improvement issue")(e),
        })?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use supportops_domain::shadow::Scheduling;

    async fn open(dir: &tempfile::TempDir) -> SqliteStore {
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        SqliteStore::open(&url).await.unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn new(month: &str, member: &str, region: &str) -> NewSession {
        NewSession {
            month: Month::parse(month).unwrap(),
            member: member.into(),
            region: region.into(),
            length_minutes: 60,
            reason: format!("{region} is furthest behind"),
        }
    }

    #[tokio::test]
    async fn planned_sessions_get_ids_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        let added = store
            .add_sessions(
                &[
                    new("2026-11", "amara", "AMER"),
                    new("2026-12", "chen", "APAC"),
                ],
                at("2026-11-02T09:00:00Z"),
            )
            .await
            .unwrap();
        assert_eq!(added.len(), 2);
        assert_ne!(added[0].id, added[1].id);
        assert_eq!(added[1].state, SessionState::Planned);
        assert_eq!(added[1].reason, "APAC is furthest behind");
        drop(store);

        let store = open(&dir).await;
        let all = store.sessions(&SessionQuery::default()).await.unwrap();
        assert_eq!(all, added);
        let december = store
            .sessions(&SessionQuery {
                from: Some(Month::parse("2026-12").unwrap()),
                ..SessionQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(december.len(), 1);
        assert_eq!(december[0].member, "chen");
        let amara = store
            .sessions(&SessionQuery {
                member: Some("amara".into()),
                state: Some(SessionState::Planned),
                ..SessionQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(amara.len(), 1);
    }

    #[tokio::test]
    async fn a_state_change_is_saved_only_from_the_state_it_was_read_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        let mut s = store
            .add_sessions(
                &[new("2026-11", "amara", "AMER")],
                at("2026-11-02T09:00:00Z"),
            )
            .await
            .unwrap()
            .remove(0);
        let mut other = s.clone();
        s.schedule(
            Scheduling {
                engineer: Some("eve".into()),
                start: at("2026-11-20T15:00:00Z"),
                month: Month::parse("2026-11").unwrap(),
                issue: IssueRef {
                    project: "support-shadowing".into(),
                    iid: 4,
                    web_url: "local://support-shadowing/-/issues/4".into(),
                },
            },
            at("2026-11-03T09:00:00Z"),
        )
        .unwrap();
        store
            .update_session(&s, SessionState::Planned)
            .await
            .unwrap();
        let read = store.session(s.id).await.unwrap().unwrap();
        assert_eq!(read, s);

        other
            .cancel("no engineer".into(), at("2026-11-03T10:00:00Z"))
            .unwrap();
        let err = store
            .update_session(&other, SessionState::Planned)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        assert!(err.to_string().contains("it is scheduled now"), "{err}");
        assert_eq!(
            store.session(s.id).await.unwrap().unwrap().state,
            SessionState::Scheduled
        );
    }

    #[tokio::test]
    async fn improvements_are_recorded_once_and_read_with_their_session() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir).await;
        let s = store
            .add_sessions(
                &[new("2026-11", "amara", "AMER")],
                at("2026-11-02T09:00:00Z"),
            )
            .await
            .unwrap()
            .remove(0);
        let improvement = Improvement {
            issue: IssueRef {
                project: "support-ops-project".into(),
                iid: 9,
                web_url: "local://support-ops-project/-/issues/9".into(),
            },
            title: "Macro for refunds".into(),
            created_at: at("2026-11-21T10:00:00Z"),
        };
        store.add_improvement(s.id, &improvement).await.unwrap();
        store.add_improvement(s.id, &improvement).await.unwrap();
        let read = store.session(s.id).await.unwrap().unwrap();
        assert_eq!(read.improvements, vec![improvement.clone()]);
        let err = store
            .add_improvement(SessionId::new(999), &improvement)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("shadowing session 999"), "{err}");
    }
}
