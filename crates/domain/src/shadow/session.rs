//! A shadowing session and its life: planned → scheduled → done, or cancelled on the way.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Month;

/// A session's number in the store; scripts pass it to `shadow schedule`, `done`, `cancel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(i64);

impl SessionId {
    /// Wraps a stored id.
    pub const fn new(id: i64) -> SessionId {
        SessionId(id)
    }

    /// The number.
    pub fn get(self) -> i64 {
        self.0
    }

    /// Reads `12` or `#12`.
    pub fn parse(text: &str) -> Option<SessionId> {
        let t = text.trim();
        let t = t.strip_prefix('#').unwrap_or(t);
        t.parse::<i64>().ok().filter(|n| *n > 0).map(SessionId)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a session is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// Proposed by the planner (or by hand) for a month; no time or engineer yet.
    Planned,
    /// Has a time, an engineer and a Support Shadowing issue.
    Scheduled,
    /// Happened.
    Done,
    /// Will not happen.
    Cancelled,
}

impl SessionState {
    /// Every state, in life order.
    pub const ALL: [SessionState; 4] = [
        SessionState::Planned,
        SessionState::Scheduled,
        SessionState::Done,
        SessionState::Cancelled,
    ];

    /// The lowercase name used in JSON, the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Planned => "planned",
            SessionState::Scheduled => "scheduled",
            SessionState::Done => "done",
            SessionState::Cancelled => "cancelled",
        }
    }

    /// Reads a state name (any case).
    pub fn parse(text: &str) -> Option<SessionState> {
        SessionState::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// Whether a session in this state may move to `to`: planned → scheduled → done, and
    /// planned or scheduled → cancelled.
    pub fn can_become(self, to: SessionState) -> bool {
        use SessionState::*;
        matches!(
            (self, to),
            (Planned, Scheduled) | (Scheduled, Done) | (Planned | Scheduled, Cancelled)
        )
    }

    /// Whether the session still counts (anything but cancelled).
    pub fn is_active(self) -> bool {
        self != SessionState::Cancelled
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state change that is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("session {id} is {from}, so it cannot become {to}{}", hint(*from, *to))]
pub struct TransitionError {
    /// The session.
    pub id: SessionId,
    /// Its state.
    pub from: SessionState,
    /// The state asked for.
    pub to: SessionState,
}

fn hint(from: SessionState, to: SessionState) -> &'static str {
    use SessionState::*;
    match (from, to) {
        (Planned, Done) => "; schedule it first",
        (Done | Cancelled, _) => "; plan a new session instead",
        (Scheduled, Scheduled) => "; to move it, cancel it and plan a new one",
        _ => "",
    }
}

/// A tracker issue a session points to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRef {
    /// The project path.
    pub project: String,
    /// The issue's number in its project.
    pub iid: u64,
    /// A link a person can open.
    pub web_url: String,
}

/// An improvement issue filed after a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Improvement {
    /// The issue.
    #[serde(flatten)]
    pub issue: IssueRef,
    /// Its title.
    pub title: String,
    /// When it was filed.
    pub created_at: Timestamp,
}

/// A planned session before the store gives it an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSession {
    /// The month it is planned for.
    pub month: Month,
    /// The Support Ops member who shadows.
    pub member: String,
    /// The region whose engineer is shadowed.
    pub region: String,
    /// Length in minutes.
    pub length_minutes: u32,
    /// Why the planner chose it (or "assigned by hand").
    pub reason: String,
}

/// One shadowing session: a Support Ops member spends an hour with a Support Engineer of a
/// region.
///
/// Move `state` only through [`ShadowSession::schedule`], [`ShadowSession::complete`] and
/// [`ShadowSession::cancel`], which enforce the allowed transitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowSession {
    /// The store's id.
    pub id: SessionId,
    /// The month it counts for: the planned month, then the month of its start.
    pub month: Month,
    /// The Support Ops member (username).
    pub member: String,
    /// The region.
    pub region: String,
    /// The engineer being shadowed, once known.
    pub engineer: Option<String>,
    /// When it starts, once scheduled.
    pub start: Option<Timestamp>,
    /// Length in minutes.
    pub length_minutes: u32,
    /// Where it is in its life.
    pub state: SessionState,
    /// Why it was planned.
    pub reason: String,
    /// The Support Shadowing issue, once scheduled.
    pub issue: Option<IssueRef>,
    /// What the member noted, once done.
    pub notes: Option<String>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Improvement issues filed from it.
    pub improvements: Vec<Improvement>,
    /// When it was planned.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// What scheduling a session sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduling {
    /// The engineer, when already known; otherwise the region's managers are asked to find one.
    pub engineer: Option<String>,
    /// The start.
    pub start: Timestamp,
    /// The month the start falls in (in the member's zone).
    pub month: Month,
    /// The Support Shadowing issue.
    pub issue: IssueRef,
}

impl ShadowSession {
    /// Checks that the session may move to `to`.
    pub fn check(&self, to: SessionState) -> Result<(), TransitionError> {
        if self.state.can_become(to) {
            Ok(())
        } else {
            Err(TransitionError {
                id: self.id,
                from: self.state,
                to,
            })
        }
    }

    /// Planned → scheduled, with its engineer, start and issue.
    pub fn schedule(&mut self, s: Scheduling, now: Timestamp) -> Result<(), TransitionError> {
        self.check(SessionState::Scheduled)?;
        self.engineer = s.engineer;
        self.start = Some(s.start);
        self.month = s.month;
        self.issue = Some(s.issue);
        self.state = SessionState::Scheduled;
        self.updated_at = now;
        Ok(())
    }

    /// Scheduled → done, with the member's notes.
    pub fn complete(
        &mut self,
        notes: Option<String>,
        now: Timestamp,
    ) -> Result<(), TransitionError> {
        self.check(SessionState::Done)?;
        self.notes = notes;
        self.state = SessionState::Done;
        self.updated_at = now;
        Ok(())
    }

    /// Planned or scheduled → cancelled, with the reason.
    pub fn cancel(&mut self, reason: String, now: Timestamp) -> Result<(), TransitionError> {
        self.check(SessionState::Cancelled)?;
        self.cancel_reason = Some(reason);
        self.state = SessionState::Cancelled;
        self.updated_at = now;
        Ok(())
    }

    /// Whether the session is past its time and not recorded done: a scheduled session whose
    /// end has passed, or a planned one whose month is over (in UTC).
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        match self.state {
            SessionState::Scheduled => self.end().is_some_and(|end| end <= now),
            SessionState::Planned => {
                self.month < Month::of(now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
            }
            SessionState::Done | SessionState::Cancelled => false,
        }
    }

    /// The state as people should read it: `overdue` for a session past its time and not
    /// done, else the state's name.
    pub fn status(&self, now: Timestamp) -> &'static str {
        if self.is_overdue(now) {
            "overdue"
        } else {
            self.state.as_str()
        }
    }

    /// When the session ends, if it is scheduled.
    pub fn end(&self) -> Option<Timestamp> {
        let start = self.start?;
        start
            .checked_add(jiff::SignedDuration::from_mins(i64::from(
                self.length_minutes,
            )))
            .ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn planned() -> ShadowSession {
        ShadowSession {
            id: SessionId::new(7),
            month: Month::parse("2026-12").unwrap(),
            member: "amara".into(),
            region: "EMEA".into(),
            engineer: None,
            start: None,
            length_minutes: 60,
            state: SessionState::Planned,
            reason: String::new(),
            issue: None,
            notes: None,
            cancel_reason: None,
            improvements: Vec::new(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn scheduling() -> Scheduling {
        Scheduling {
            engineer: Some("eve".into()),
            start: "2027-01-04T15:00:00Z".parse().unwrap(),
            month: Month::parse("2027-01").unwrap(),
            issue: IssueRef {
                project: "p".into(),
                iid: 3,
                web_url: "https://x/p/-/issues/3".into(),
            },
        }
    }

    #[test]
    fn a_session_goes_planned_scheduled_done() {
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let mut s = planned();
        s.schedule(scheduling(), now).unwrap();
        assert_eq!(s.state, SessionState::Scheduled);
        assert_eq!(
            s.month.to_string(),
            "2027-01",
            "the month follows the start"
        );
        assert_eq!(s.end().unwrap().to_string(), "2027-01-04T16:00:00Z");
        s.complete(Some("great".into()), now).unwrap();
        assert_eq!(s.state, SessionState::Done);
        assert_eq!(s.updated_at, now);
    }

    #[test]
    fn a_planned_session_cannot_be_done_before_it_is_scheduled() {
        let err = planned().complete(None, Timestamp::UNIX_EPOCH).unwrap_err();
        assert_eq!(
            err.to_string(),
            "session 7 is planned, so it cannot become done; schedule it first"
        );
    }

    #[test]
    fn finished_sessions_stay_finished() {
        let mut s = planned();
        s.cancel("member on leave".into(), Timestamp::UNIX_EPOCH)
            .unwrap();
        assert_eq!(s.cancel_reason.as_deref(), Some("member on leave"));
        let err = s.schedule(scheduling(), Timestamp::UNIX_EPOCH).unwrap_err();
        assert_eq!(err.from, SessionState::Cancelled);
        assert!(
            err.to_string().ends_with("plan a new session instead"),
            "{err}"
        );
        assert!(s.cancel("again".into(), Timestamp::UNIX_EPOCH).is_err());
    }

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        use SessionState::*;
        let allowed: Vec<(SessionState, SessionState)> = SessionState::ALL
            .into_iter()
            .flat_map(|a| SessionState::ALL.into_iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.can_become(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Planned, Scheduled),
                (Planned, Cancelled),
                (Scheduled, Done),
                (Scheduled, Cancelled)
            ]
        );
    }

    #[test]
    fn a_session_past_its_end_and_not_done_is_overdue() {
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let mut s = planned();
        // Planned for December: overdue only once December is over.
        assert!(!s.is_overdue(at("2026-12-31T23:00:00Z")));
        assert!(s.is_overdue(at("2027-01-01T00:00:00Z")));
        s.schedule(scheduling(), at("2026-12-01T00:00:00Z"))
            .unwrap();
        // Scheduled 2027-01-04 15:00–16:00 UTC.
        assert!(!s.is_overdue(at("2027-01-04T15:30:00Z")));
        assert_eq!(s.status(at("2027-01-04T15:30:00Z")), "scheduled");
        assert!(s.is_overdue(at("2027-01-04T16:00:00Z")));
        assert_eq!(s.status(at("2027-01-05T09:00:00Z")), "overdue");
        s.complete(None, at("2027-01-05T09:00:00Z")).unwrap();
        assert!(!s.is_overdue(at("2027-02-01T00:00:00Z")));
        assert_eq!(s.status(at("2027-02-01T00:00:00Z")), "done");
    }

    #[test]
    fn session_ids_read_with_or_without_hash() {
        assert_eq!(SessionId::parse("#12"), Some(SessionId::new(12)));
        assert_eq!(SessionId::parse(" 12 "), Some(SessionId::new(12)));
        assert_eq!(SessionId::parse("0"), None);
        assert_eq!(SessionId::parse("twelve"), None);
    }
}
