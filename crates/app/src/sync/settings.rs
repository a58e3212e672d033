//! The sync settings: `[sync]`, `[review]` and `[team]` read from the configuration once and
//! validated ([`SyncSettings::from_config`]), with errors naming the config key.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use supportops_config::Config;
use supportops_domain::sync::{
    self as domain, MonthlyRule, MonthlySchedule, SeriesSpec, TeamMember, WorkingHours,
};

use super::SyncAppError;

/// Looks up an IANA time zone.
pub fn zone(name: &str) -> Result<TimeZone, SyncAppError> {
    TimeZone::get(name.trim()).map_err(|_| SyncAppError::UnknownZone {
        zone: name.to_owned(),
    })
}

/// Everything the sync use cases need from the configuration, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncSettings {
    /// `sync.weekly.title`.
    pub weekly_title: String,
    /// The configured weekly schedule (before any reschedule).
    pub weekly: SeriesSpec,
    /// `sync.monthly.title`.
    pub monthly_title: String,
    /// The monthly schedule.
    pub monthly: MonthlySchedule,
    /// `sync.monthly.neglected_after_days`.
    pub neglected_after_days: u32,
    /// `sync.monthly.agenda_labels`.
    pub agenda_labels: Vec<String>,
    /// `review.project`: where review issues are, and where agendas are filed.
    pub review_project: String,
    /// `review.labels`: what makes an issue a Feedback Review issue.
    pub review_labels: Vec<String>,
    /// `[[team.members]]`.
    pub members: Vec<TeamMember>,
    /// The dashboard's Reviews page, where an agenda's issues not listed are: absolute under
    /// `server.public_url` when it is set (so a filed agenda links it), else `/reviews`.
    pub reviews_url: String,
}

pub(super) fn config_err(key: &str, e: impl std::fmt::Display) -> SyncAppError {
    SyncAppError::Config {
        key: key.to_owned(),
        message: e.to_string(),
    }
}

fn config_zone(key: &str, name: &str) -> Result<TimeZone, SyncAppError> {
    zone(name).map_err(|e| config_err(key, e))
}

fn config_length(key: &str, minutes: u32) -> Result<SignedDuration, SyncAppError> {
    domain::meeting_length(i64::from(minutes)).map_err(|e| config_err(key, e))
}

impl SyncSettings {
    /// Validates the settings. Errors name the config key, e.g. `sync.monthly.rule`.
    pub fn from_config(config: &Config) -> Result<SyncSettings, SyncAppError> {
        let w = &config.sync.weekly;
        let weekly = SeriesSpec {
            weekday: domain::parse_weekday(&w.weekday)
                .map_err(|e| config_err("sync.weekly.weekday", e))?,
            time: domain::parse_time(&w.time).map_err(|e| config_err("sync.weekly.time", e))?,
            zone: config_zone("sync.weekly.timezone", &w.timezone)?,
            length: config_length("sync.weekly.length_minutes", w.length_minutes)?,
        };
        let m = &config.sync.monthly;
        let monthly = MonthlySchedule {
            rule: MonthlyRule::parse(&m.rule).map_err(|e| config_err("sync.monthly.rule", e))?,
            time: domain::parse_time(&m.time).map_err(|e| config_err("sync.monthly.time", e))?,
            zone: config_zone("sync.monthly.timezone", &m.timezone)?,
            length: config_length("sync.monthly.length_minutes", m.length_minutes)?,
            changes: BTreeMap::new(),
        };
        let mut members = Vec::new();
        for (i, member) in config.team.members.iter().enumerate() {
            let key = |field: &str| format!("team.members[{i}].{field}");
            let workdays = match &member.workdays {
                None => TeamMember::WEEKDAYS.to_vec(),
                Some(days) => days
                    .iter()
                    .map(|d| domain::parse_weekday(d).map_err(|e| config_err(&key("workdays"), e)))
                    .collect::<Result<Vec<Weekday>, _>>()?,
            };
            members.push(TeamMember {
                username: member.username.clone(),
                zone: config_zone(&key("timezone"), &member.timezone)?,
                hours: WorkingHours::parse(&member.hours)
                    .map_err(|e| config_err(&key("hours"), e))?,
                workdays,
            });
        }
        Ok(SyncSettings {
            weekly_title: w.title.clone(),
            weekly,
            monthly_title: m.title.clone(),
            monthly,
            neglected_after_days: m.neglected_after_days,
            agenda_labels: m.agenda_labels.clone(),
            review_project: config.review.project.clone(),
            review_labels: config.review.labels.clone(),
            members,
            reviews_url: format!(
                "{}/reviews",
                config
                    .server
                    .public_url
                    .as_deref()
                    .unwrap_or_default()
                    .trim_end_matches('/')
            ),
        })
    }
}
