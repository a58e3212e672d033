//! The chat texts: short, with links to the issue and the dashboard, in Slack's `mrkdwn`
//! (`*bold*`, `<url|label>`), which Mattermost's incoming webhooks read too. Respondents' text
//! never goes into a message: only bands, counts, subjects and links.

use std::fmt::Write as _;

use supportops_domain::Band;

use super::NotifySettings;
use super::digest::Digest;
use crate::review::ReviewAction;
use crate::shadow::ScheduleReport;
use supportops_ports::store::review::FilingKind;

/// Escapes `&`, `<` and `>`, which Slack reads as markup.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Where a person opens an issue: its tracker page, or for the local tracker (whose links
/// open nowhere) the dashboard page listing it.
pub(super) fn issue_url(settings: &NotifySettings, web_url: &str, dashboard: &str) -> String {
    if web_url.starts_with("local://") {
        settings.page(dashboard)
    } else {
        web_url.to_owned()
    }
}

fn link(url: &str, label: &str) -> String {
    format!(
        "<{}|{}>",
        url.replace('|', "%7C").replace('>', "%3E"),
        escape(label)
    )
}

/// `2 Red, 1 Error`.
fn tally(red: usize, error: usize) -> String {
    let mut parts = Vec::new();
    if red > 0 {
        parts.push(format!("{red} Red"));
    }
    if error > 0 {
        parts.push(format!("{error} Error"));
    }
    parts.join(", ")
}

/// A review action's message, when it files Red or Error responses.
pub(super) fn flagged(settings: &NotifySettings, action: &ReviewAction) -> Option<String> {
    let count = |band| action.responses.iter().filter(|r| r.band == band).count();
    let (red, error) = (count(Band::Red), count(Band::Error));
    if red + error == 0 {
        return None;
    }
    let issue = action.issue.as_ref()?;
    let responses = if red + error == 1 {
        "response"
    } else {
        "responses"
    };
    let filed = match action.kind {
        FilingKind::Create => "new review",
        FilingKind::Note => "noted on review",
    };
    Some(format!(
        ":red_circle: *{} feedback {responses}* about {}: {filed} {} · {}",
        tally(red, error),
        link(action.subject.as_str(), action.subject.as_str()),
        link(
            &issue_url(settings, &issue.web_url, &format!("reviews/{}", issue.iid)),
            &format!("#{}", issue.iid)
        ),
        link(&settings.page("reviews"), "open reviews"),
    ))
}

/// One message for a run that filed many flagged subjects (a first import, a backlog), so
/// the chat gets one line, not dozens.
pub(super) fn flagged_many(settings: &NotifySettings, actions: &[&ReviewAction]) -> String {
    let count = |band| {
        actions
            .iter()
            .flat_map(|a| &a.responses)
            .filter(|r| r.band == band)
            .count()
    };
    format!(
        ":red_circle: *{} feedback responses* filed into {} review issues · {}",
        tally(count(Band::Red), count(Band::Error)),
        actions.len(),
        link(&settings.page("reviews"), "open reviews"),
    )
}

/// The ask for an engineer, naming the region's managers.
pub(super) fn needs_engineer(
    settings: &NotifySettings,
    managers: &[String],
    report: &ScheduleReport,
) -> String {
    let s = &report.session;
    let ask = if managers.is_empty() {
        format!("{} has no managers configured; who can help?", s.region)
    } else {
        let names: Vec<String> = managers.iter().map(|m| format!("@{m}")).collect();
        format!("{}: please find an engineer", names.join(" "))
    };
    // The tracker's issue when it has a page of its own; the dashboard's shadowing page always.
    let issue = report
        .filed
        .as_ref()
        .filter(|i| !i.web_url.starts_with("local://"))
        .map(|i| {
            format!(
                " · {}",
                link(&i.web_url, &format!("shadowing issue #{}", i.iid))
            )
        })
        .unwrap_or_default();
    format!(
        ":busts_in_silhouette: *Shadowing session {} needs an engineer*: {} shadows {} on {} \
         ({}). {}{issue} · {}",
        s.id,
        escape(&s.member),
        escape(&s.region),
        escape(&report.region_time),
        escape(&report.member_time),
        escape(&ask),
        link(&settings.page("shadowing"), "shadowing"),
    )
}

/// The weekly digest.
pub(super) fn digest(settings: &NotifySettings, d: &Digest) -> String {
    let mut out = format!(
        ":calendar: *Support Ops weekly digest* ({}): {} {} without an action plan after {} \
         days, {} overdue shadowing {}",
        d.week,
        d.neglected.len(),
        if d.neglected.len() == 1 {
            "review"
        } else {
            "reviews"
        },
        settings.neglected_after_days,
        d.overdue.len(),
        if d.overdue.len() == 1 {
            "session"
        } else {
            "sessions"
        },
    );
    const SHOWN: usize = 10;
    for n in d.neglected.iter().take(SHOWN) {
        let _ = write!(
            out,
            "\n• {} {} ({} days)",
            link(
                &issue_url(settings, &n.web_url, &format!("reviews/{}", n.iid)),
                &format!("#{}", n.iid)
            ),
            escape(&n.title),
            n.days_without_plan
        );
    }
    if d.neglected.len() > SHOWN {
        let _ = write!(out, "\n• … and {} more", d.neglected.len() - SHOWN);
    }
    for o in d.overdue.iter().take(SHOWN) {
        let _ = write!(
            out,
            "\n• session {}: {} → {}, {}",
            o.id,
            escape(&o.member),
            escape(&o.region),
            escape(&o.what)
        );
    }
    if d.overdue.len() > SHOWN {
        let _ = write!(out, "\n• … and {} more", d.overdue.len() - SHOWN);
    }
    let _ = write!(
        out,
        "\n{} · {}",
        link(&settings.page("reviews"), "reviews"),
        link(&settings.page("shadowing"), "shadowing")
    );
    out
}
