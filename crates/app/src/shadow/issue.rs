//! The texts filed in the tracker for shadowing: the Support Shadowing issue (template, session
//! details, the managers' mention), the notes for done and cancelled sessions, the improvement
//! issue, and the hidden markers that find them again.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use supportops_domain::markers::{self, Marker};
use supportops_domain::shadow::{Member, Region, ShadowSession, WorkingHours};

use super::{ShadowError, TemplateSource};
use crate::template::{IssueTemplate, TemplateFault};

/// The Support Shadowing template used when the project has none and no file is configured.
pub const BUILTIN_TEMPLATE: &str = "\
## Before the session

- [ ] Agree on the time with the engineer
- [ ] Read the engineer's open tickets so you know the context

## What we saw

<!-- Where did Zendesk or GitLab slow the engineer down? What did they work around? -->

## Improvements

<!-- File each improvement with `supportops shadow improve`: it links back to this issue. -->
";

/// The marker of a session's Support Shadowing issue ([`markers::shadowing_session`]).
pub(crate) fn session_marker(s: &ShadowSession) -> Marker {
    markers::shadowing_session(s.id, &s.member, &s.region)
}

/// The marker of improvement issues filed from a session.
pub(crate) fn improvement_marker(s: &ShadowSession) -> Marker {
    markers::shadowing_improvement(s.id)
}

/// A username as a mention (`@eve`); a display name with spaces stays as written.
pub(crate) fn mention(name: &str) -> String {
    let name = name.trim();
    if name.contains(char::is_whitespace) || name.starts_with('@') {
        name.to_owned()
    } else {
        format!("@{name}")
    }
}

/// A session's span in a zone: `Thu 3 Dec 2026, 15:00–16:00 GMT`.
pub(crate) fn span_in(start: Timestamp, minutes: u32, zone: &TimeZone) -> String {
    let begin = start.to_zoned_datetime(zone.clone());
    let end = start
        .checked_add(jiff::SignedDuration::from_mins(i64::from(minutes)))
        .map(|e| e.to_zoned_datetime(zone.clone()));
    let fmt = |f: &str, z: &jiff::ZonedDateTime| jiff::fmt::strtime::format(f, z).ok();
    let day = fmt("%a %-d %b %Y, %H:%M", &begin).unwrap_or_else(|| start.to_string());
    match end {
        Ok(end) => {
            let until = fmt("%H:%M %Z", &end).unwrap_or_default();
            if begin.date() == end.date() {
                format!("{day}–{until}")
            } else {
                let until = fmt("%a %-d %b %H:%M %Z", &end).unwrap_or_default();
                format!("{day} – {until}")
            }
        }
        Err(_) => day,
    }
}

/// Whether `[start, start + minutes]` falls within the working hours of some day in `zone`.
pub(crate) fn within_hours(
    hours: WorkingHours,
    zone: &TimeZone,
    start: Timestamp,
    minutes: u32,
) -> bool {
    let Ok(end) = start.checked_add(jiff::SignedDuration::from_mins(i64::from(minutes))) else {
        return false;
    };
    let day = start.to_zoned_datetime(zone.clone()).date();
    [day.yesterday().ok(), Some(day)]
        .into_iter()
        .flatten()
        .filter_map(|d| hours.on(d, zone))
        .any(|(s, e)| s <= start && end <= e)
}

/// What a Support Shadowing issue says about its session.
pub(crate) struct SessionText<'a> {
    pub session: &'a ShadowSession,
    pub member: &'a Member,
    pub region: &'a Region,
    pub engineer: Option<&'a str>,
    pub start: Timestamp,
    /// The zone the time was given in, when it is neither the member's nor the region's.
    pub given_zone: Option<&'a TimeZone>,
}

impl SessionText<'_> {
    /// The issue title.
    pub fn title(&self) -> String {
        let day = self
            .start
            .to_zoned_datetime(self.region.zone.clone())
            .date();
        format!(
            "Support Shadowing: {} shadows {} on {day}",
            self.member.name, self.region.name
        )
    }

    fn zone_name(zone: &TimeZone) -> &str {
        zone.iana_name().unwrap_or("UTC")
    }

    /// The member's time, for messages and templates.
    pub fn member_time(&self) -> String {
        span_in(self.start, self.session.length_minutes, &self.member.zone)
    }

    /// The region's time.
    pub fn region_time(&self) -> String {
        span_in(self.start, self.session.length_minutes, &self.region.zone)
    }

    /// The line that asks the region's managers for help.
    pub fn managers_line(&self) -> String {
        let r = &self.region;
        if r.managers.is_empty() {
            return format!(
                "No Support Managers are configured for {} (`shadowing.regions.{}.managers`); \
                 find an engineer directly.",
                r.name, r.name
            );
        }
        let managers: Vec<String> = r.managers.iter().map(|m| mention(m)).collect();
        match self.engineer {
            Some(e) => format!(
                "{}: please help confirm {} for this session, or find another Support Engineer in {}.",
                managers.join(" "),
                mention(e),
                r.name
            ),
            None => format!(
                "{}: please help find a Support Engineer in {} for this session.",
                managers.join(" "),
                r.name
            ),
        }
    }

    /// The generated section: who, when in both zones, how long, and the managers' line.
    pub fn details(&self) -> String {
        let m = self.member;
        let r = self.region;
        let who = match self.engineer {
            Some(e) => format!(
                "**{}** ({}) shadows {}, a Support Engineer in **{}**.",
                m.name,
                mention(&m.username),
                mention(e),
                r.name
            ),
            None => format!(
                "**{}** ({}) shadows a Support Engineer in **{}**; the engineer is still to be found.",
                m.name,
                mention(&m.username),
                r.name
            ),
        };
        let mut lines = vec![
            who,
            String::new(),
            format!(
                "- **{}'s time** ({}): {}",
                m.name,
                Self::zone_name(&m.zone),
                self.member_time()
            ),
            format!(
                "- **{} time** ({}): {}",
                r.name,
                Self::zone_name(&r.zone),
                self.region_time()
            ),
        ];
        if let Some(z) = self.given_zone {
            lines.push(format!(
                "- **As given** ({}): {}",
                Self::zone_name(z),
                span_in(self.start, self.session.length_minutes, z)
            ));
        }
        lines.push(format!(
            "- **Length:** {} minutes",
            self.session.length_minutes
        ));
        lines.push(format!(
            "- **Counts toward:** {} (session {})",
            supportops_domain::shadow::Month::of(
                self.start.to_zoned_datetime(m.zone.clone()).date()
            ),
            self.session.id
        ));
        lines.push(String::new());
        lines.push(self.managers_line());
        lines.join("\n")
    }

    /// What a template can use.
    fn context(&self) -> TemplateContext {
        TemplateContext {
            session: self.session.id.get(),
            member: self.member.username.clone(),
            member_name: self.member.name.clone(),
            region: self.region.name.clone(),
            engineer: self.engineer.map(mention),
            managers: self.region.managers.iter().map(|m| mention(m)).collect(),
            member_time: self.member_time(),
            region_time: self.region_time(),
            length_minutes: self.session.length_minutes,
            details: self.details(),
        }
    }

    /// The whole description: the generated section (unless the template places it with
    /// `{{ details }}`), the filled template, and the hidden marker.
    pub fn description(&self, template: &Template) -> Result<String, ShadowError> {
        let context = self.context();
        let filled = template.render(&context)?;
        let body = if template.uses_details() || filled.trim().is_empty() {
            if filled.trim().is_empty() {
                context.details
            } else {
                filled.trim_end().to_owned()
            }
        } else {
            format!("{}\n\n{}", context.details, filled.trim_end())
        };
        Ok(format!("{body}\n\n{}\n", session_marker(self.session)))
    }
}

/// The variables of a Support Shadowing template.
#[derive(Serialize)]
struct TemplateContext {
    session: i64,
    member: String,
    member_name: String,
    region: String,
    engineer: Option<String>,
    managers: Vec<String>,
    member_time: String,
    region_time: String,
    length_minutes: u32,
    details: String,
}

/// A compiled issue template and where it came from, for messages.
#[derive(Debug)]
pub(crate) struct Template {
    inner: IssueTemplate,
    origin: String,
}

impl Template {
    /// Compiles `text`, named `origin` in errors. Unknown variables are errors, not blanks.
    pub fn compile(origin: &str, text: String) -> Result<Template, ShadowError> {
        let inner = IssueTemplate::compile(text).map_err(|f| template_error(origin, f))?;
        Ok(Template {
            inner,
            origin: origin.to_owned(),
        })
    }

    fn uses_details(&self) -> bool {
        self.inner.uses("details")
    }

    fn render(&self, context: &TemplateContext) -> Result<String, ShadowError> {
        self.inner
            .render(context)
            .map_err(|f| template_error(&self.origin, f))
    }
}

fn template_error(origin: &str, fault: TemplateFault) -> ShadowError {
    ShadowError::Template {
        origin: origin.to_owned(),
        line: fault.line,
        message: fault.message,
    }
}

/// Loads the configured template: a text, the project's template, or [`BUILTIN_TEMPLATE`].
pub(crate) async fn load_template(
    tracker: &dyn supportops_ports::Tracker,
    project: &str,
    source: &TemplateSource,
    warnings: &mut Vec<String>,
) -> Result<Template, ShadowError> {
    match source {
        TemplateSource::Text { origin, text } => Template::compile(origin, text.clone()),
        TemplateSource::Tracker { name } => {
            let text = tracker
                .read_template(project, name)
                .await
                .map_err(|source| ShadowError::Tracker {
                    doing: format!("read the issue template `{name}` of project `{project}`"),
                    source,
                })?;
            match text {
                Some(text) => Template::compile(&format!("`{name}` of project `{project}`"), text),
                None => {
                    warnings.push(format!(
                        "project `{project}` has no issue template `{name}` \
                         (.gitlab/issue_templates/{name}.md); using the built-in one"
                    ));
                    Template::compile("built-in", BUILTIN_TEMPLATE.to_owned())
                }
            }
        }
    }
}

/// The note added to a session's issue when it is done.
pub(crate) fn done_note(notes: Option<&str>) -> String {
    match notes.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("Shadowing session done.\n\n### Notes\n\n{n}\n"),
        None => "Shadowing session done.\n".to_owned(),
    }
}

/// The note added to a session's issue when it is cancelled.
pub(crate) fn cancel_note(reason: &str) -> String {
    format!("Shadowing session cancelled: {}\n", reason.trim())
}

/// The note added to a session's issue when an improvement is filed from it.
pub(crate) fn improvement_note(url: &str, title: &str) -> String {
    format!("Improvement filed from this session: {url} ({title})\n")
}

/// The description of an improvement issue: the user's text, then a line that links the
/// shadowing issue (so GitLab cross-links them), then the hidden marker.
pub(crate) fn improvement_description(
    s: &ShadowSession,
    member_name: &str,
    shadowing_url: &str,
    body: Option<&str>,
) -> String {
    let with = s
        .engineer
        .as_deref()
        .map_or_else(|| "a Support Engineer".to_owned(), mention);
    let when = s
        .start
        .map(|t| format!(", {}", t.to_zoned_datetime(TimeZone::UTC).date()))
        .unwrap_or_default();
    let origin = format!(
        "Found while shadowing: {shadowing_url} ({member_name} with {with}, {}{when}).",
        s.region
    );
    let marker = improvement_marker(s);
    match body.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => format!("{b}\n\n{origin}\n\n{marker}\n"),
        None => format!("{origin}\n\n{marker}\n"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use supportops_domain::shadow::{Month, SessionId, SessionState};

    fn member() -> Member {
        Member {
            username: "chen".into(),
            name: "Chen Wei".into(),
            zone: TimeZone::get("Asia/Singapore").unwrap(),
            hours: WorkingHours::parse("09:00-18:00").unwrap(),
            away: BTreeSet::new(),
        }
    }

    fn region(managers: &[&str]) -> Region {
        Region {
            name: "APAC".into(),
            managers: managers.iter().map(|m| (*m).to_owned()).collect(),
            zone: TimeZone::get("Australia/Sydney").unwrap(),
            hours: WorkingHours::parse("09:00-17:00").unwrap(),
        }
    }

    fn session() -> ShadowSession {
        ShadowSession {
            id: SessionId::new(4),
            month: Month::parse("2026-12").unwrap(),
            member: "chen".into(),
            region: "APAC".into(),
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

    fn describe(template: &str, engineer: Option<&str>, managers: &[&str]) -> String {
        let (s, m, r) = (session(), member(), region(managers));
        let text = SessionText {
            session: &s,
            member: &m,
            region: &r,
            engineer,
            start: "2026-12-03T01:00:00Z".parse().unwrap(),
            given_zone: None,
        };
        let t = Template::compile("test", template.to_owned()).unwrap();
        text.description(&t).unwrap()
    }

    #[test]
    fn without_an_engineer_the_managers_are_asked_to_find_one() {
        insta::assert_snapshot!(describe(BUILTIN_TEMPLATE, None, &["apac-manager", "@apac-lead"]), @"
        **Chen Wei** (@chen) shadows a Support Engineer in **APAC**; the engineer is still to be found.

        - **Chen Wei's time** (Asia/Singapore): Thu 3 Dec 2026, 09:00–10:00 +08
        - **APAC time** (Australia/Sydney): Thu 3 Dec 2026, 12:00–13:00 AEDT
        - **Length:** 60 minutes
        - **Counts toward:** 2026-12 (session 4)

        @apac-manager @apac-lead: please help find a Support Engineer in APAC for this session.

        ## Before the session

        - [ ] Agree on the time with the engineer
        - [ ] Read the engineer's open tickets so you know the context

        ## What we saw

        <!-- Where did Zendesk or GitLab slow the engineer down? What did they work around? -->

        ## Improvements

        <!-- File each improvement with `supportops shadow improve`: it links back to this issue. -->

        <!-- supportops:shadowing-session=4/chen/APAC -->
        ");
    }

    #[test]
    fn a_template_can_place_the_details_and_use_the_variables() {
        let text = describe(
            "Shadowing {{ region }} with {{ engineer }} ({{ length_minutes }} min)\n\n{{ details }}\n",
            Some("kenji"),
            &[],
        );
        insta::assert_snapshot!(text, @"
        Shadowing APAC with @kenji (60 min)

        **Chen Wei** (@chen) shadows @kenji, a Support Engineer in **APAC**.

        - **Chen Wei's time** (Asia/Singapore): Thu 3 Dec 2026, 09:00–10:00 +08
        - **APAC time** (Australia/Sydney): Thu 3 Dec 2026, 12:00–13:00 AEDT
        - **Length:** 60 minutes
        - **Counts toward:** 2026-12 (session 4)

        No Support Managers are configured for APAC (`shadowing.regions.APAC.managers`); find an engineer directly.

        <!-- supportops:shadowing-session=4/chen/APAC -->
        ");
    }

    #[test]
    fn template_errors_name_the_template_and_line() {
        let err = Template::compile("`shadow.md`", "# x\n\n{% if %}\n".into()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the issue template `shadow.md` is not a valid template (line 3)"),
            "{err}"
        );
        let t = Template::compile("`shadow.md`", "{{ enginer }}".into()).unwrap();
        let (s, m, r) = (session(), member(), region(&[]));
        let text = SessionText {
            session: &s,
            member: &m,
            region: &r,
            engineer: None,
            start: Timestamp::UNIX_EPOCH,
            given_zone: None,
        };
        let err = text.description(&t).unwrap_err().to_string();
        assert!(err.contains("`shadow.md`"), "{err}");
    }

    #[test]
    fn markers_stay_inside_their_comment() {
        let mut s = session();
        s.member = "a--b".into();
        s.region = "X -->".into();
        let m = session_marker(&s).comment();
        assert_eq!(
            m,
            "<!-- supportops:shadowing-session=4/a%2D%2Db/X%20%2D%2D%3E -->"
        );
    }

    #[test]
    fn a_span_past_midnight_names_both_days() {
        let start: Timestamp = "2026-12-03T23:30:00Z".parse().unwrap();
        assert_eq!(
            span_in(start, 60, &TimeZone::UTC),
            "Thu 3 Dec 2026, 23:30 – Fri 4 Dec 00:30 UTC"
        );
        assert_eq!(
            span_in(start, 60, &TimeZone::get("Asia/Singapore").unwrap()),
            "Fri 4 Dec 2026, 07:30–08:30 +08"
        );
    }
}
