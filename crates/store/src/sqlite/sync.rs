//! The syncs in SQLite (tables `sync_*`, migration `0200_sync.sql`): reschedules of the weekly
//! series, changes to single occurrences, monthly syncs held with their agenda items, and
//! review outcomes. Rows are only appended, except that recording a meeting for a date already
//! recorded replaces it.
//!
//! The monthly agenda's reads over the review issues are in `sync_agenda.rs`; the trait's
//! methods for them call it.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use supportops_domain::sync::{
    AgendaPart, Change, HeldMeeting, MeetingItem, Outcome, SeriesSpec, meeting_length, parse_time,
    parse_weekday, weekday_name,
};
use supportops_ports::StoreError;
use supportops_ports::store::pages::SeenState;
use supportops_ports::store::sync::{
    AgendaQuery, AgendaReviews, KnownReview, OccurrenceChange, OutcomeRecord, Reschedule,
};
use supportops_ports::store::{PageQueries, SyncStore};

use super::codec::corrupt;
use super::{SqliteStore, query_err};

fn zone_name(zone: &TimeZone) -> Result<String, StoreError> {
    zone.iana_name().map(str::to_owned).ok_or_else(|| {
        StoreError::Conflict(
            "a sync time needs a named time zone (e.g. `Europe/Berlin`), not a fixed offset".into(),
        )
    })
}

fn zone(text: &str) -> Result<TimeZone, StoreError> {
    TimeZone::get(text).map_err(|e| corrupt("a time zone", text, e))
}

fn date(text: &str) -> Result<Date, StoreError> {
    text.parse().map_err(|e| corrupt("a date", text, e))
}

fn timestamp(text: &str) -> Result<Timestamp, StoreError> {
    text.parse().map_err(|e| corrupt("a timestamp", text, e))
}

type RescheduleRow = (String, String, String, String, i64, String);
type ChangeRow = (String, String, Option<String>, Option<String>, String);

fn reschedule_from_row(row: RescheduleRow) -> Result<Reschedule, StoreError> {
    let (from, weekday, time, tz, minutes, recorded_at) = row;
    Ok(Reschedule {
        from: date(&from)?,
        spec: SeriesSpec {
            weekday: parse_weekday(&weekday).map_err(|e| corrupt("a weekday", &weekday, e))?,
            time: parse_time(&time).map_err(|e| corrupt("a time", &time, e))?,
            zone: zone(&tz)?,
            length: meeting_length(minutes)
                .map_err(|e| corrupt("a length", &minutes.to_string(), e))?,
        },
        recorded_at: timestamp(&recorded_at)?,
    })
}

fn change_from_row(row: ChangeRow) -> Result<OccurrenceChange, StoreError> {
    let (day, kind, moved_to, moved_zone, recorded_at) = row;
    let change = match (kind.as_str(), moved_to, moved_zone) {
        ("cancelled", _, _) => Change::Cancelled,
        ("moved", Some(to), Some(tz)) => {
            let local: DateTime = to.parse().map_err(|e| corrupt("a date-time", &to, e))?;
            let at = local
                .to_zoned_datetime(zone(&tz)?)
                .map_err(|e| corrupt("a date-time", &to, e))?;
            Change::Moved(at)
        }
        (other, _, _) => return Err(corrupt("an occurrence change", other, "unknown kind")),
    };
    Ok(OccurrenceChange {
        date: date(&day)?,
        change,
        recorded_at: timestamp(&recorded_at)?,
    })
}

impl SqliteStore {
    async fn meeting_items(&self, meeting_id: i64) -> Result<Vec<MeetingItem>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT iid, part, discussed FROM sync_meeting_items WHERE meeting_id = $1 ORDER BY iid",
        )
        .bind(meeting_id)
        .fetch_all(self.pool())
        .await
        .map_err(query_err("reading a monthly sync's agenda items"))?;
        rows.into_iter()
            .map(|(iid, part, discussed)| {
                Ok(MeetingItem {
                    iid: u64::try_from(iid)
                        .map_err(|e| corrupt("an issue number", &iid.to_string(), e))?,
                    part: AgendaPart::parse(&part)
                        .ok_or_else(|| corrupt("an agenda part", &part, "unknown part"))?,
                    discussed: discussed != 0,
                })
            })
            .collect()
    }

    async fn meeting_from_row(
        &self,
        (id, day, held_at): (i64, String, String),
    ) -> Result<HeldMeeting, StoreError> {
        Ok(HeldMeeting {
            date: date(&day)?,
            held_at: timestamp(&held_at)?,
            items: self.meeting_items(id).await?,
        })
    }
}

/// Which series a change to one occurrence belongs to, and so which table keeps it.
#[derive(Debug, Clone, Copy)]
enum Series {
    Weekly,
    Monthly,
}

impl Series {
    fn insert(self) -> &'static str {
        match self {
            Series::Weekly => {
                "INSERT INTO sync_occurrence_changes \
                 (occurrence_date, kind, moved_to, moved_zone, recorded_at) VALUES ($1, $2, $3, $4, $5)"
            }
            Series::Monthly => {
                "INSERT INTO sync_monthly_changes \
                 (occurrence_date, kind, moved_to, moved_zone, recorded_at) VALUES ($1, $2, $3, $4, $5)"
            }
        }
    }

    fn select(self) -> &'static str {
        match self {
            Series::Weekly => {
                "SELECT occurrence_date, kind, moved_to, moved_zone, recorded_at \
                 FROM sync_occurrence_changes ORDER BY id"
            }
            Series::Monthly => {
                "SELECT occurrence_date, kind, moved_to, moved_zone, recorded_at \
                 FROM sync_monthly_changes ORDER BY id"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Series::Weekly => "weekly",
            Series::Monthly => "monthly",
        }
    }
}

impl SqliteStore {
    async fn record_change(&self, series: Series, c: &OccurrenceChange) -> Result<(), StoreError> {
        let (kind, moved_to, moved_zone) = match &c.change {
            Change::Cancelled => ("cancelled", None, None),
            Change::Moved(to) => (
                "moved",
                Some(to.datetime().to_string()),
                Some(zone_name(to.time_zone())?),
            ),
        };
        let doing = format!("recording a change to a {} sync", series.name());
        sqlx::query(series.insert())
            .bind(c.date.to_string())
            .bind(kind)
            .bind(moved_to)
            .bind(moved_zone)
            .bind(c.recorded_at.to_string())
            .execute(self.pool())
            .await
            .map_err(query_err(&doing))?;
        Ok(())
    }

    async fn changes(&self, series: Series) -> Result<Vec<OccurrenceChange>, StoreError> {
        let doing = format!("reading changes to {} syncs", series.name());
        let rows: Vec<ChangeRow> = sqlx::query_as(series.select())
            .fetch_all(self.pool())
            .await
            .map_err(query_err(&doing))?;
        rows.into_iter().map(change_from_row).collect()
    }
}

#[async_trait::async_trait]
impl SyncStore for SqliteStore {
    async fn record_reschedule(&self, r: &Reschedule) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sync_reschedules \
             (from_date, weekday, start_time, timezone, length_minutes, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.from.to_string())
        .bind(weekday_name(r.spec.weekday))
        .bind(r.spec.time.strftime("%H:%M").to_string())
        .bind(zone_name(&r.spec.zone)?)
        .bind(r.spec.length.as_mins())
        .bind(r.recorded_at.to_string())
        .execute(self.pool())
        .await
        .map_err(query_err("recording a reschedule of the weekly sync"))?;
        Ok(())
    }

    async fn reschedules(&self) -> Result<Vec<Reschedule>, StoreError> {
        let rows: Vec<RescheduleRow> = sqlx::query_as(
            "SELECT from_date, weekday, start_time, timezone, length_minutes, recorded_at \
             FROM sync_reschedules ORDER BY id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("reading the weekly sync's reschedules"))?;
        rows.into_iter().map(reschedule_from_row).collect()
    }

    async fn record_occurrence_change(&self, c: &OccurrenceChange) -> Result<(), StoreError> {
        self.record_change(Series::Weekly, c).await
    }

    async fn occurrence_changes(&self) -> Result<Vec<OccurrenceChange>, StoreError> {
        self.changes(Series::Weekly).await
    }

    async fn record_monthly_change(&self, c: &OccurrenceChange) -> Result<(), StoreError> {
        self.record_change(Series::Monthly, c).await
    }

    async fn monthly_changes(&self) -> Result<Vec<OccurrenceChange>, StoreError> {
        self.changes(Series::Monthly).await
    }

    async fn record_meeting(
        &self,
        m: &HeldMeeting,
        recorded_at: Timestamp,
    ) -> Result<(), StoreError> {
        let err = query_err("recording a monthly sync");
        let mut tx = self.begin_write("recording a monthly sync").await?;
        sqlx::query("DELETE FROM sync_meetings WHERE meeting_date = $1")
            .bind(m.date.to_string())
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sync_meetings (meeting_date, held_at, recorded_at) VALUES ($1, $2, $3) \
             RETURNING id",
        )
        .bind(m.date.to_string())
        .bind(m.held_at.to_string())
        .bind(recorded_at.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(&err)?;
        for item in &m.items {
            let iid = i64::try_from(item.iid).map_err(|e| {
                StoreError::Conflict(format!(
                    "issue number `{}` is too large to store: {e}",
                    item.iid
                ))
            })?;
            sqlx::query(
                "INSERT INTO sync_meeting_items (meeting_id, iid, part, discussed) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (meeting_id, iid) DO UPDATE SET discussed = excluded.discussed",
            )
            .bind(id)
            .bind(iid)
            .bind(item.part.as_str())
            .bind(i64::from(item.discussed))
            .execute(&mut *tx)
            .await
            .map_err(&err)?;
        }
        tx.commit().await.map_err(&err)?;
        Ok(())
    }

    async fn meeting_before(&self, before: Date) -> Result<Option<HeldMeeting>, StoreError> {
        let row: Option<(i64, String, String)> = sqlx::query_as(
            "SELECT id, meeting_date, held_at FROM sync_meetings WHERE meeting_date < $1 \
             ORDER BY meeting_date DESC LIMIT 1",
        )
        .bind(before.to_string())
        .fetch_optional(self.pool())
        .await
        .map_err(query_err("reading the last monthly sync"))?;
        match row {
            Some(row) => Ok(Some(self.meeting_from_row(row).await?)),
            None => Ok(None),
        }
    }

    async fn meetings(&self) -> Result<Vec<HeldMeeting>, StoreError> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, meeting_date, held_at FROM sync_meetings ORDER BY meeting_date",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("reading the monthly syncs held"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.meeting_from_row(row).await?);
        }
        Ok(out)
    }

    async fn record_outcome(&self, o: &OutcomeRecord) -> Result<(), StoreError> {
        let iid = i64::try_from(o.iid).map_err(|e| {
            StoreError::Conflict(format!(
                "issue number `{}` is too large to store: {e}",
                o.iid
            ))
        })?;
        sqlx::query(
            "INSERT INTO sync_outcomes (project, iid, outcome, recorded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&o.project)
        .bind(iid)
        .bind(o.outcome.as_str())
        .bind(o.recorded_at.to_string())
        .execute(self.pool())
        .await
        .map_err(query_err("recording a review outcome"))?;
        Ok(())
    }

    async fn outcomes_of(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, Outcome>, StoreError> {
        self.read_outcomes_of(project, iids).await
    }

    async fn agenda_reviews(&self, query: &AgendaQuery) -> Result<AgendaReviews, StoreError> {
        self.read_agenda_reviews(query).await
    }

    async fn known_reviews(
        &self,
        project: &str,
        iids: &[u64],
    ) -> Result<HashMap<u64, KnownReview>, StoreError> {
        self.read_known_reviews(project, iids).await
    }

    async fn keep_review_states(&self, seen: &[SeenState]) -> Result<(), StoreError> {
        PageQueries::note_review_states(self, seen).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jiff::SignedDuration;
    use jiff::civil::{Weekday, date, time};

    use super::*;

    async fn store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("sync.db").display());
        (SqliteStore::open(&url).await.unwrap(), dir)
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn reschedules_and_changes_come_back_in_the_order_recorded() {
        let (store, _dir) = store().await;
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let spec = SeriesSpec {
            weekday: Weekday::Thursday,
            time: time(16, 0, 0, 0),
            zone: berlin.clone(),
            length: SignedDuration::from_mins(45),
        };
        let r = Reschedule {
            from: date(2027, 1, 6),
            spec,
            recorded_at: at("2026-12-01T10:00:00Z"),
        };
        store.record_reschedule(&r).await.unwrap();
        assert_eq!(store.reschedules().await.unwrap(), [r]);

        let moved = date(2026, 12, 9)
            .at(15, 0, 0, 0)
            .to_zoned_datetime(berlin)
            .unwrap();
        let changes = [
            OccurrenceChange {
                date: date(2026, 12, 8),
                change: Change::Moved(moved),
                recorded_at: at("2026-12-01T10:01:00Z"),
            },
            OccurrenceChange {
                date: date(2026, 12, 15),
                change: Change::Cancelled,
                recorded_at: at("2026-12-01T10:02:00Z"),
            },
        ];
        for c in &changes {
            store.record_occurrence_change(c).await.unwrap();
        }
        assert_eq!(store.occurrence_changes().await.unwrap(), changes);
    }

    #[tokio::test]
    async fn a_meeting_recorded_twice_keeps_the_second_record() {
        let (store, _dir) = store().await;
        let item = |iid, discussed| MeetingItem {
            iid,
            part: AgendaPart::New,
            discussed,
        };
        let first = HeldMeeting {
            date: date(2026, 11, 3),
            held_at: at("2026-11-03T15:00:00Z"),
            items: vec![item(1, true), item(2, true)],
        };
        store.record_meeting(&first, first.held_at).await.unwrap();
        let corrected = HeldMeeting {
            items: vec![item(1, true), item(2, false)],
            ..first.clone()
        };
        store
            .record_meeting(&corrected, at("2026-11-04T09:00:00Z"))
            .await
            .unwrap();
        let later = HeldMeeting {
            date: date(2026, 12, 1),
            held_at: at("2026-12-01T15:00:00Z"),
            items: vec![],
        };
        store.record_meeting(&later, later.held_at).await.unwrap();

        assert_eq!(store.meetings().await.unwrap(), [corrected.clone(), later]);
        assert_eq!(
            store.meeting_before(date(2026, 12, 1)).await.unwrap(),
            Some(corrected)
        );
        assert_eq!(store.meeting_before(date(2026, 11, 3)).await.unwrap(), None);
    }

    #[tokio::test]
    async fn outcomes_are_kept_per_project() {
        let (store, _dir) = store().await;
        let rec = |project: &str, outcome| OutcomeRecord {
            project: project.into(),
            iid: 7,
            outcome,
            recorded_at: at("2026-12-01T16:00:00Z"),
        };
        store
            .record_outcome(&rec("a/b", Outcome::NotResolved))
            .await
            .unwrap();
        store
            .record_outcome(&rec("a/b", Outcome::Resolved))
            .await
            .unwrap();
        store
            .record_outcome(&rec("c/d", Outcome::NotResolved))
            .await
            .unwrap();
        // The later record wins, each project its own.
        assert_eq!(
            store.outcomes_of("a/b", &[7]).await.unwrap(),
            HashMap::from([(7, Outcome::Resolved)])
        );
        assert_eq!(
            store.outcomes_of("c/d", &[7]).await.unwrap(),
            HashMap::from([(7, Outcome::NotResolved)])
        );
    }
}
