//! The Support Shadowing use cases, over a [`ShadowStore`] and a
//! [`Tracker`](supportops_ports::Tracker):
//!
//! - [`plan`]: propose (and with `apply`, record) who shadows which region in a month;
//! - [`schedule`]: give a planned session a time and an engineer, and file its Support
//!   Shadowing issue, which mentions the region's managers so the tracker asks them to help;
//! - [`reschedule`]: move a scheduled session to another time, noting the new time on its
//!   issue (no second issue);
//! - [`done`] and [`cancel`]: finish a session, noting it on its issue and closing it;
//! - [`improve`]: file an improvement issue whose description links the shadowing issue, and
//!   record the link in the store;
//! - [`coverage`]: per period, region and member, with warnings;
//! - [`load_demo_history`]: a year of sessions for the demo team.
//!
//! Everything the tracker is asked to create carries a hidden marker naming the session, and is
//! looked for by that marker before it is created: a run interrupted between "created in the
//! tracker" and "recorded in the store" is finished by running the command again, with no
//! duplicate. With `dry_run` nothing is written to the store or the tracker.
//!
//! [`Shadowing`] turns the `[shadowing]` and `[team]` configuration into domain values once,
//! naming the config key of anything it cannot read.

mod demo;
mod issue;
mod record;
mod reschedule;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use supportops_config::Config;
use supportops_domain::shadow::planner::{Arranged, RegionTally, Skip};
use supportops_domain::shadow::{
    self as domain, Member, Month, NewSession, Period, PeriodCoverage, PeriodKind, Pin, PlanError,
    PlanInput, Region, Rules, SessionId, SessionState, ShadowSession, TransitionError,
    WorkingHours,
};
use supportops_ports::store::ShadowStore;
use supportops_ports::store::shadow::SessionQuery;
use supportops_ports::{StoreError, TrackerError};

pub use demo::load_demo_history;
pub use issue::BUILTIN_TEMPLATE;
pub use record::{
    ImproveReport, IssueDraft, ScheduleReport, ScheduleRequest, SessionReport, cancel, done,
    improve, schedule,
};
pub use reschedule::{RescheduleReport, RescheduleRequest, reschedule};

/// Where the user-editable part of a Support Shadowing issue comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// The shadowing project's issue template of this name; [`BUILTIN_TEMPLATE`] when the
    /// project has none.
    Tracker {
        /// The template's name, e.g. `Support Shadowing`.
        name: String,
    },
    /// A text read by the caller, e.g. from `shadowing.template_file`.
    Text {
        /// Where it came from, for messages.
        origin: String,
        /// The template.
        text: String,
    },
}

/// The shadowing configuration, read into domain values.
#[derive(Debug, Clone)]
pub struct Shadowing {
    /// Targets, period and session length.
    pub rules: Rules,
    /// The Support Ops members, in config order.
    pub members: Vec<Member>,
    /// The regions, by name.
    pub regions: Vec<Region>,
    /// The project Support Shadowing issues are filed in.
    pub project: String,
    /// The project improvement issues are filed in.
    pub improvement_project: String,
    /// Labels on Support Shadowing issues.
    pub labels: Vec<String>,
    /// The issue template.
    pub template: TemplateSource,
    /// `team.since`: the first month tracked; `None` to use the first month with a recorded
    /// session.
    pub since: Option<Month>,
}

impl Shadowing {
    /// Reads `[shadowing]` and `[team]`. `template_text` is the content of
    /// `shadowing.template_file` when the caller read one: `(origin, text)`.
    pub fn from_config(
        config: &Config,
        template_text: Option<(String, String)>,
    ) -> Result<Shadowing, ShadowError> {
        let s = &config.shadowing;
        let bad = |key: String, message: String| ShadowError::Config { key, message };
        let period = PeriodKind::parse(&s.period)
            .map_err(|e| bad("shadowing.period".into(), e.to_string()))?;
        if s.length_minutes == 0 {
            return Err(bad(
                "shadowing.length_minutes".into(),
                "a session needs a length of at least one minute".into(),
            ));
        }
        let rules = Rules {
            period,
            target_per_region: s.target_per_region,
            per_member_per_month: s.per_member_per_month,
            length_minutes: s.length_minutes,
        };
        let mut members = Vec::new();
        for (i, m) in config.team.members.iter().enumerate() {
            let key = |field: &str| format!("team.members[{i}].{field}");
            let mut away = std::collections::BTreeSet::new();
            for text in &m.away {
                away.insert(Month::parse(text).map_err(|e| bad(key("away"), e.to_string()))?);
            }
            members.push(Member {
                username: m.username.clone(),
                name: m.name.clone().unwrap_or_else(|| m.username.clone()),
                zone: zone(&m.timezone).map_err(|e| bad(key("timezone"), e.to_string()))?,
                hours: WorkingHours::parse(&m.hours)
                    .map_err(|e| bad(key("hours"), e.to_string()))?,
                away,
            });
        }
        let mut regions = Vec::new();
        for (name, r) in &s.regions {
            let key = |field: &str| format!("shadowing.regions.{name}.{field}");
            regions.push(Region {
                name: name.clone(),
                managers: r.managers.clone(),
                zone: zone(&r.timezone).map_err(|e| bad(key("timezone"), e.to_string()))?,
                hours: WorkingHours::parse(&r.hours)
                    .map_err(|e| bad(key("hours"), e.to_string()))?,
            });
        }
        let since = match &config.team.since {
            Some(text) => {
                Some(Month::parse(text).map_err(|e| bad("team.since".into(), e.to_string()))?)
            }
            None => None,
        };
        let template = match template_text {
            Some((origin, text)) => TemplateSource::Text { origin, text },
            None => TemplateSource::Tracker {
                name: s.template.clone(),
            },
        };
        Ok(Shadowing {
            rules,
            members,
            regions,
            project: s.project.clone(),
            improvement_project: s.improvement_project.clone(),
            labels: s.labels.clone(),
            template,
            since,
        })
    }

    /// The member with this username.
    pub fn member(&self, username: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.username == username)
    }

    /// The configured member and region of `session`; either missing from the configuration
    /// is an error naming its key.
    pub fn member_and_region(
        &self,
        session: &ShadowSession,
    ) -> Result<(&Member, &Region), ShadowError> {
        let member = self
            .member(&session.member)
            .ok_or_else(|| ShadowError::NotConfigured {
                id: session.id,
                what: "member",
                name: session.member.clone(),
                key: "[[team.members]]".into(),
            })?;
        let region = self
            .region(&session.region)
            .ok_or_else(|| ShadowError::NotConfigured {
                id: session.id,
                what: "region",
                name: session.region.clone(),
                key: format!("[shadowing.regions.{}]", session.region),
            })?;
        Ok((member, region))
    }

    /// The region with this name (any case).
    pub fn region(&self, name: &str) -> Option<&Region> {
        self.regions
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }

    /// When `session` takes place, in the member's zone, the region's zone and UTC; `None`
    /// until it has a start. A member or region no longer configured shows in UTC.
    pub fn times(&self, session: &ShadowSession) -> Option<SessionTimes> {
        let start = session.start?;
        let length = session.length_minutes;
        let at = |zone: Option<&TimeZone>| {
            let zone = zone.cloned().unwrap_or(TimeZone::UTC);
            ZonedTime {
                zone: zone.iana_name().unwrap_or("UTC").to_owned(),
                text: issue::span_in(start, length, &zone),
            }
        };
        Some(SessionTimes {
            member: at(self.member(&session.member).map(|m| &m.zone)),
            region: at(self.region(&session.region).map(|r| &r.zone)),
            utc: at(None),
        })
    }
}

/// A session's span in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZonedTime {
    /// The IANA zone, e.g. `Europe/Madrid`.
    pub zone: String,
    /// The span, e.g. `Thu 3 Dec 2026, 15:00–16:00 CET`.
    pub text: String,
}

/// When a session takes place, as the member, the region's engineers and a calendar read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionTimes {
    /// In the member's (the shadower's) zone.
    pub member: ZonedTime,
    /// In the region's (the engineer's) zone.
    pub region: ZonedTime,
    /// In UTC.
    pub utc: ZonedTime,
}

/// A time zone name that is not in the IANA database.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a known IANA time zone; use a name such as `Europe/Berlin`")]
struct UnknownZone(String);

/// Looks up an IANA time zone.
fn zone(name: &str) -> Result<TimeZone, UnknownZone> {
    TimeZone::get(name.trim()).map_err(|_| UnknownZone(name.to_owned()))
}

/// Why a shadowing command failed.
#[derive(Debug, thiserror::Error)]
pub enum ShadowError {
    /// A configuration value cannot be used.
    #[error("invalid config key `{key}`: {message}")]
    Config {
        /// The dotted key, e.g. `team.members[1].timezone`.
        key: String,
        /// What is wrong and what would be right.
        message: String,
    },
    /// No session has this id.
    #[error("there is no shadowing session {id}; `supportops shadow list` shows the sessions")]
    UnknownSession {
        /// The id given.
        id: SessionId,
    },
    /// The session is not in a state that allows this.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The plan's pins name an unknown member or region.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Improvements come from sessions that are scheduled or done, through their issue.
    #[error(
        "session {id} is {state}; improvements are filed from scheduled or done sessions{}",
        if *state == SessionState::Planned { ", so schedule it first" } else { "" }
    )]
    NoIssue {
        /// The session.
        id: SessionId,
        /// Its state.
        state: SessionState,
    },
    /// The start time cannot be read.
    #[error(
        "`{input}` is not a date and time; expected `YYYY-MM-DD HH:MM`, e.g. `2026-12-03 15:00`"
    )]
    BadTime {
        /// What was given.
        input: String,
    },
    /// A date where a start is expected: it would silently be midnight.
    #[error(
        "`{input}` is a date without a time; write the start as `YYYY-MM-DD HH:MM`, e.g. `{input} 15:00`"
    )]
    NoTime {
        /// What was given.
        input: String,
    },
    /// The start is outside the working hours of the member or the region.
    #[error("{when} is outside {who}; pick a time inside them, or add `--force` to keep this one")]
    OutsideHours {
        /// The session's time, in the zone it was given in.
        when: String,
        /// Whose hours, e.g. `amara's working hours (09:00-17:00 America/New_York)`.
        who: String,
    },
    /// Only a scheduled session has a time and an issue to move.
    #[error(
        "session {id} is {state}, so it has no time to move{}",
        match state {
            SessionState::Planned => "; give it one with `supportops shadow schedule`",
            _ => "; plan a new session instead",
        }
    )]
    NotScheduled {
        /// The session.
        id: SessionId,
        /// Its state.
        state: SessionState,
    },
    /// A session recorded as done before it started.
    #[error(
        "session {id} starts {start}, so it cannot be done yet; record it after it has taken place, or move it with `supportops shadow reschedule {id} --at \"YYYY-MM-DD HH:MM\"`"
    )]
    NotYetHeld {
        /// The session.
        id: SessionId,
        /// Its start, in the member's zone.
        start: String,
    },
    /// The time zone given with the start is unknown.
    #[error("`{input}` is not a known IANA time zone; use a name such as `Europe/Berlin`")]
    UnknownZone {
        /// What was given.
        input: String,
    },
    /// The local time does not exist, or exists twice, in the zone.
    #[error(
        "`{at}` does not exist or happens twice in `{zone}` (clocks change that night); pick another time"
    )]
    AmbiguousTime {
        /// The time given.
        at: String,
        /// The zone.
        zone: String,
    },
    /// The session's member or region is no longer configured.
    #[error(
        "session {id}'s {what} `{name}` is not in the configuration; add it back under `{key}`"
    )]
    NotConfigured {
        /// The session.
        id: SessionId,
        /// `member` or `region`.
        what: &'static str,
        /// The username or region name.
        name: String,
        /// Where it would be configured.
        key: String,
    },
    /// A required text is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// The issue template is not a valid template.
    #[error("the issue template {origin} is not a valid template (line {line}): {message}")]
    Template {
        /// Which template.
        origin: String,
        /// The line of the fault, 1-based.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The tracker failed.
    #[error("cannot {doing}")]
    Tracker {
        /// What was being done.
        doing: String,
        /// The tracker's error.
        #[source]
        source: TrackerError,
    },
    /// The tracker did its part but the store could not record it.
    #[error(
        "{url} was filed but could not be recorded; run the same command again to record it \
         (it is found by its hidden marker, not filed twice)"
    )]
    NotRecorded {
        /// The issue filed.
        url: String,
        /// The store's error.
        #[source]
        source: StoreError,
    },
}

impl ShadowError {
    /// Whether the user's input or configuration is at fault (exit code 2), rather than the
    /// store or the tracker (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            ShadowError::Store(_) | ShadowError::Tracker { .. } | ShadowError::NotRecorded { .. }
        )
    }
}

/// A proposed session, with its id once recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedSession {
    /// The store's id once `apply` recorded it; `null` in a proposal.
    pub id: Option<SessionId>,
    /// The member's username.
    pub member: String,
    /// The member's display name.
    pub name: String,
    /// The region.
    pub region: String,
    /// Why the planner chose it.
    pub reason: String,
    /// Minutes the member's and the region's working hours overlap mid-month.
    pub overlap_minutes: i64,
    /// Whether it was assigned by hand.
    pub pinned: bool,
}

/// The answer of [`plan`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanReport {
    /// The month planned.
    pub month: Month,
    /// The period its sessions count toward.
    pub period: Period,
    /// Whether the proposals were recorded as planned sessions.
    pub applied: bool,
    /// The proposed sessions.
    pub sessions: Vec<PlannedSession>,
    /// Sessions that already existed for the month.
    pub arranged: Vec<Arranged>,
    /// Members left out, and why.
    pub skipped: Vec<Skip>,
    /// Each region's count for the period, before and with this plan.
    pub regions: Vec<RegionTally>,
}

impl PlanReport {
    /// The members left out for a reason other than the session already arranged for them:
    /// a member listed under [`PlanReport::arranged`] needs no second line.
    pub fn not_planned(&self) -> Vec<&Skip> {
        self.skipped
            .iter()
            .filter(|s| !self.arranged.iter().any(|a| a.member == s.member))
            .collect()
    }
}

/// Proposes the sessions of `month` (see [`supportops_domain::shadow::planner`]) after the
/// sessions fixed in `pins`; with `apply`, records them as planned sessions stamped `now`.
pub async fn plan<S>(
    store: &S,
    sh: &Shadowing,
    month: Month,
    pins: &[Pin],
    apply: bool,
    now: Timestamp,
) -> Result<PlanReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let sessions = store.sessions(&SessionQuery::default()).await?;
    let plan = domain::plan(PlanInput {
        month,
        rules: &sh.rules,
        members: &sh.members,
        regions: &sh.regions,
        sessions: &sessions,
        pins,
    })?;
    let mut report = PlanReport {
        month: plan.month,
        period: plan.period,
        applied: false,
        sessions: plan
            .proposals
            .iter()
            .map(|p| PlannedSession {
                id: None,
                member: p.member.clone(),
                name: sh
                    .member(&p.member)
                    .map_or_else(|| p.member.clone(), |m| m.name.clone()),
                region: p.region.clone(),
                reason: p.reason.clone(),
                overlap_minutes: p.overlap_minutes,
                pinned: p.pinned,
            })
            .collect(),
        arranged: plan.arranged,
        skipped: plan.skipped,
        regions: plan.regions,
    };
    if apply {
        let new: Vec<NewSession> = plan
            .proposals
            .iter()
            .map(|p| NewSession {
                month,
                member: p.member.clone(),
                region: p.region.clone(),
                length_minutes: sh.rules.length_minutes,
                reason: p.reason.clone(),
            })
            .collect();
        let added = store.add_sessions(&new, now).await?;
        for (line, session) in report.sessions.iter_mut().zip(added) {
            line.id = Some(session.id);
        }
        report.applied = true;
    }
    Ok(report)
}

/// A warning of the coverage report, with its period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageWarning {
    /// The period.
    pub period: Period,
    /// The region, or `null` for the team as a whole.
    pub region: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The answer of [`coverage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageReport {
    /// The day the report was made for.
    pub today: Date,
    /// The configured period.
    pub period_kind: PeriodKind,
    /// Sessions wanted per region per period.
    pub target_per_region: u32,
    /// Sessions each member does per month.
    pub per_member_per_month: u32,
    /// The first month the team tracks (`team.since`, or the first month with a recorded
    /// session); earlier months are never missed.
    pub since: Option<Month>,
    /// Each period, oldest first.
    pub periods: Vec<PeriodCoverage>,
    /// Every period's warnings, oldest first.
    pub warnings: Vec<CoverageWarning>,
}

/// The periods a coverage report shows by default: the current period and those before it
/// that start within the last twelve months (four quarters, twelve months, or one year).
pub fn default_span(kind: PeriodKind, today: Date) -> Vec<Period> {
    let now = Month::of(today);
    let horizon = now.plus(-12);
    let mut periods = vec![Period::containing(kind, now)];
    while let Some(first) = periods.first().copied() {
        let prev = first.prev();
        if prev.first_month() <= horizon || prev == first {
            break;
        }
        periods.insert(0, prev);
    }
    periods
}

/// The first month the team tracks: `team.since`, else the first month with any recorded
/// session (the month it was planned for, or the month it was recorded in if earlier).
pub async fn tracked_since<S>(store: &S, sh: &Shadowing) -> Result<Option<Month>, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    if let Some(since) = sh.since {
        return Ok(Some(since));
    }
    Ok(store
        .sessions(&SessionQuery::default())
        .await?
        .iter()
        .map(|s| {
            s.month.min(Month::of(
                s.created_at.to_zoned_datetime(TimeZone::UTC).date(),
            ))
        })
        .min())
}

/// The coverage of the configured periods that make up `span`, as of `now`. By default:
/// the periods of [`default_span`] from the team's first tracked month on (the current period
/// at least). Months before the team's first tracked month ([`tracked_since`]) are never
/// missed.
pub async fn coverage<S>(
    store: &S,
    sh: &Shadowing,
    span: Option<Period>,
    now: Timestamp,
) -> Result<CoverageReport, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    let today = now.to_zoned_datetime(TimeZone::UTC).date();
    let since = tracked_since(store, sh).await?;
    let mut periods = match span {
        Some(span) => span.split(sh.rules.period),
        None => default_span(sh.rules.period, today),
    };
    let (Some(first), Some(last)) = (periods.first().copied(), periods.last().copied()) else {
        return Err(ShadowError::Empty("the period"));
    };
    let sessions = store
        .sessions(&SessionQuery {
            from: Some(first.first_month()),
            to: Some(last.last_month()),
            ..SessionQuery::default()
        })
        .await?;
    if span.is_none() {
        // By default, periods before the team started are not shown: nothing was tracked
        // then, and calling them missed would only be noise.
        periods.retain(|p| p == &last || since.is_some_and(|m| p.last_month() >= m));
    }
    let as_of = domain::AsOf {
        now,
        since: since.or(Some(Month::of(today))),
    };
    let periods: Vec<PeriodCoverage> = periods
        .iter()
        .map(|p| domain::coverage_as_of(*p, &sh.rules, &sh.members, &sh.regions, &sessions, as_of))
        .collect();
    let warnings = periods
        .iter()
        .flat_map(|p| {
            p.warnings.iter().map(|w| CoverageWarning {
                period: p.period,
                region: w.region.clone(),
                message: w.message.clone(),
            })
        })
        .collect();
    Ok(CoverageReport {
        today,
        period_kind: sh.rules.period,
        target_per_region: sh.rules.target_per_region,
        per_member_per_month: sh.rules.per_member_per_month,
        since: as_of.since,
        periods,
        warnings,
    })
}

/// The sessions matching `query`, by month then id.
pub async fn list<S>(
    store: &S,
    query: &SessionQuery,
) -> Result<Vec<domain::ShadowSession>, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    Ok(store.sessions(query).await?)
}

/// Reads a session, or says there is none.
async fn load<S>(store: &S, id: SessionId) -> Result<domain::ShadowSession, ShadowError>
where
    S: ShadowStore + ?Sized,
{
    store
        .session(id)
        .await?
        .ok_or(ShadowError::UnknownSession { id })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::from_toml(text, "test.toml", &[]).unwrap()
    }

    #[test]
    fn unreadable_team_settings_name_their_config_key() {
        let c = config(
            "[[team.members]]\nusername = \"a\"\n\n[[team.members]]\nusername = \"b\"\ntimezone = \"Mars/Olympus\"\n",
        );
        let err = Shadowing::from_config(&c, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config key `team.members[1].timezone`: `Mars/Olympus` is not a known IANA \
             time zone; use a name such as `Europe/Berlin`"
        );
        assert!(err.is_bad_input());

        let c = config("[shadowing.regions.LATAM]\nhours = \"9-5\"\n");
        let err = Shadowing::from_config(&c, None).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid config key `shadowing.regions.LATAM.hours`: `9-5`"),
            "{err}"
        );

        let c = config("[[team.members]]\nusername = \"a\"\naway = [\"December\"]\n");
        let err = Shadowing::from_config(&c, None).unwrap_err().to_string();
        assert!(err.contains("`team.members[0].away`"), "{err}");
    }

    #[test]
    fn the_handbook_defaults_make_three_regions_and_quarters() {
        let sh = Shadowing::from_config(&Config::default(), None).unwrap();
        let names: Vec<&str> = sh.regions.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["AMER", "APAC", "EMEA"]);
        assert_eq!(sh.rules, Rules::default());
        assert_eq!(
            sh.template,
            TemplateSource::Tracker {
                name: "Support Shadowing".into()
            }
        );
    }

    #[test]
    fn the_default_report_covers_the_last_twelve_months() {
        let today = jiff::civil::date(2026, 11, 20);
        let show = |kind| {
            default_span(kind, today)
                .iter()
                .map(Period::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            show(PeriodKind::Quarter),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        let months = show(PeriodKind::Month);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2025-12");
        assert_eq!(show(PeriodKind::Year), ["2026"]);
    }
}
