//! The weekly digest: review issues neglected (open, no action plan after
//! `sync.monthly.neglected_after_days`, as the monthly agenda lists them) and shadowing
//! sessions overdue (past their time and not recorded done). Queued once per ISO week, so
//! `serve` and a scheduled `supportops notify digest` never both send it.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use supportops_domain::shadow::SessionState;
use supportops_domain::sync::NeglectedItem;
use supportops_ports::Store;
use supportops_ports::Tracker;
use supportops_ports::store::SyncStore;
use supportops_ports::store::shadow::SessionQuery;

use super::{Event, NotifyError, NotifySettings, messages, queue};
use crate::sync::SyncSettings;

/// A shadowing session past its time and not recorded done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueSession {
    /// The session's id.
    pub id: i64,
    /// The member.
    pub member: String,
    /// The region.
    pub region: String,
    /// What is overdue, for people.
    pub what: String,
}

/// What the digest lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    /// The ISO week it is for, e.g. `2026-W50`.
    pub week: String,
    /// Open review issues without an action plan, longest first.
    pub neglected: Vec<NeglectedItem>,
    /// Overdue sessions.
    pub overdue: Vec<OverdueSession>,
}

/// What [`digest`] did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestOutcome {
    /// `queued`, `already_queued` (this week's digest was queued before), `nothing_to_report`
    /// or `dry_run`.
    pub status: &'static str,
    /// The outbox id, when queued (now or before).
    pub delivery_id: Option<i64>,
    /// The chat text.
    pub text: String,
    /// What it lists.
    pub digest: Digest,
}

/// The ISO week of `now` in `settings`' digest zone, e.g. `2026-W50`.
pub fn week_key(settings: &NotifySettings, now: Timestamp) -> String {
    let week = now
        .to_zoned_datetime(settings.digest_at.2.clone())
        .date()
        .iso_week_date();
    format!("{}-W{:02}", week.year(), week.week())
}

/// Whether this week's digest time (`notify.digest_weekday` at `notify.digest_time`) has
/// come.
pub fn digest_due(settings: &NotifySettings, now: Timestamp) -> bool {
    let (weekday, time, zone) = &settings.digest_at;
    let today: Date = now.to_zoned_datetime(zone.clone()).date();
    let back = i64::from(today.weekday().to_monday_zero_offset());
    let Ok(monday) = today.checked_sub(jiff::Span::new().days(back)) else {
        return false;
    };
    let Ok(day) =
        monday.checked_add(jiff::Span::new().days(i64::from(weekday.to_monday_zero_offset())))
    else {
        return false;
    };
    day.to_datetime(*time)
        .to_zoned_datetime(zone.clone())
        .is_ok_and(|at| at.timestamp() <= now)
}

/// Gathers the digest and, unless `dry_run`, queues it for this week (once: a second call in
/// the same week finds it queued). Nothing is queued when there is nothing to report.
pub async fn digest(
    store: &dyn Store,
    tracker: &dyn Tracker,
    sync: &SyncSettings,
    settings: &NotifySettings,
    now: Timestamp,
    dry_run: bool,
) -> Result<DigestOutcome, NotifyError> {
    let sync_store: &dyn SyncStore = store;
    let week = week_key(settings, now);
    let agenda = crate::sync::agenda(sync, sync_store, tracker, None, now)
        .await
        .map_err(|e| NotifyError::Digest(e.to_string()))?;
    let mut overdue = Vec::new();
    for s in store.sessions(&SessionQuery::default()).await? {
        if !s.is_overdue(now) {
            continue;
        }
        let what = match (s.state, s.start) {
            (SessionState::Scheduled, Some(start)) => format!(
                "was on {} UTC and is not recorded done",
                start
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .strftime("%a %-d %b %H:%M")
            ),
            _ => format!("planned for {} and never scheduled", s.month),
        };
        overdue.push(OverdueSession {
            id: s.id.get(),
            member: s.member,
            region: s.region,
            what,
        });
    }
    let digest = Digest {
        week: week.clone(),
        neglected: agenda.neglected,
        overdue,
    };
    let text = messages::digest(settings, &digest);
    let key = format!("digest:{week}");
    let outcome = |status, delivery_id| DigestOutcome {
        status,
        delivery_id,
        text: text.clone(),
        digest: digest.clone(),
    };
    if dry_run {
        return Ok(outcome("dry_run", None));
    }
    if let Some(d) = store.delivery_by_key(&key).await? {
        return Ok(outcome("already_queued", Some(d.id)));
    }
    if digest.neglected.is_empty() && digest.overdue.is_empty() {
        return Ok(outcome("nothing_to_report", None));
    }
    let id = queue(store, Event::WeeklyDigest, key.clone(), text.clone(), now).await?;
    match id {
        Some(id) => Ok(outcome("queued", Some(id))),
        None => Ok(outcome(
            "already_queued",
            store.delivery_by_key(&key).await?.map(|d| d.id),
        )),
    }
}
