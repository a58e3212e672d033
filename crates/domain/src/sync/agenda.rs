//! The monthly sync's agenda, built from the Feedback Review issues:
//!
//! 1. issues created since the last monthly sync: make action plans (each says whether it has
//!    one yet);
//! 2. past issues still open, and those closed since the last sync: did the action plan resolve
//!    the problem (each with its recorded outcome);
//!
//! and a list of neglected issues, open with no action plan some days after creation. Items
//! left undiscussed at the last meeting carry forward to the same part of the next agenda.
//!
//! Each list shows at most [`AgendaInput::limit`] issues (the lowest numbers first; the use
//! case passes [`AGENDA_LIST_LIMIT`]) and counts the rest in [`Agenda::totals`], with a link to
//! the Reviews page that lists them: a meeting gets through a few dozen issues, and an agenda
//! over thousands stays a page (and a readable issue) instead of a table nobody reads.
//!
//! The agenda is a serialisable [`Agenda`] and renders as Markdown with [`Agenda::to_markdown`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::weekday_title;
use crate::Band;

/// The scope of the outcome labels: `review-outcome::resolved`, `review-outcome::not-resolved`.
pub const OUTCOME_SCOPE: &str = "review-outcome";

/// Whether a review's action plan resolved the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It did.
    Resolved,
    /// It did not.
    NotResolved,
}

impl Outcome {
    /// Both outcomes.
    pub const ALL: [Outcome; 2] = [Outcome::Resolved, Outcome::NotResolved];

    /// The name used on the command line and in labels: `resolved`, `not-resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::NotResolved => "not-resolved",
        }
    }

    /// The scoped label, e.g. `review-outcome::resolved`.
    pub fn label(self) -> String {
        format!("{OUTCOME_SCOPE}::{}", self.as_str())
    }

    /// Parses `resolved`, `not-resolved` (or `not_resolved`, `unresolved`), any case.
    pub fn parse(value: &str) -> Option<Outcome> {
        match value.trim().to_ascii_lowercase().as_str() {
            "resolved" => Some(Outcome::Resolved),
            "not-resolved" | "not_resolved" | "unresolved" => Some(Outcome::NotResolved),
            _ => None,
        }
    }

    /// The outcome an issue's labels record, if any.
    pub fn from_labels(labels: &[String]) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| labels.iter().any(|l| *l == o.label()))
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Open.
    Open,
    /// Closed.
    Closed,
}

/// How many of an issue's responses fell in each band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BandMix {
    /// Green responses.
    pub green: u32,
    /// Yellow responses.
    pub yellow: u32,
    /// Red responses.
    pub red: u32,
    /// Responses whose score is a formula error.
    pub error: u32,
}

impl BandMix {
    /// How many responses in all.
    pub fn total(&self) -> u32 {
        self.green + self.yellow + self.red + self.error
    }

    /// Counts `n` more responses of `band`.
    pub fn add(&mut self, band: Band, n: u32) {
        let count = match band {
            Band::Green => &mut self.green,
            Band::Yellow => &mut self.yellow,
            Band::Red => &mut self.red,
            Band::Error => &mut self.error,
        };
        *count = count.saturating_add(n);
    }
}

impl std::fmt::Display for BandMix {
    /// Worst first, e.g. `2 red, 1 yellow`; `unknown` when nothing is counted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            (self.error, "error"),
            (self.red, "red"),
            (self.yellow, "yellow"),
            (self.green, "green"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
        if parts.is_empty() {
            f.write_str("unknown")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A Feedback Review issue as the agenda needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewIssue {
    /// Its number in the review project.
    pub iid: u64,
    /// Title.
    pub title: String,
    /// Link.
    pub web_url: String,
    /// The issue or MR the feedback is about, when the issue names it.
    pub subject: Option<String>,
    /// Open or closed.
    pub state: ReviewState,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Whether its description holds an action plan (see [`super::has_action_plan`]).
    pub has_action_plan: bool,
    /// The bands of the responses it gathers.
    pub bands: BandMix,
    /// How many responses it gathers.
    pub responses: u32,
    /// The recorded outcome, if any.
    pub outcome: Option<Outcome>,
}

/// Which part of the agenda an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaPart {
    /// Part 1: new issues, make action plans.
    New,
    /// Part 2: past issues, did the plan work.
    Past,
}

impl AgendaPart {
    /// The lowercase name used in JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            AgendaPart::New => "new",
            AgendaPart::Past => "past",
        }
    }

    /// Parses [`AgendaPart::as_str`]'s names.
    pub fn parse(value: &str) -> Option<AgendaPart> {
        match value {
            "new" => Some(AgendaPart::New),
            "past" => Some(AgendaPart::Past),
            _ => None,
        }
    }
}

/// An item of a held meeting's agenda, and whether the meeting got to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingItem {
    /// The review issue.
    pub iid: u64,
    /// Its part of the agenda.
    pub part: AgendaPart,
    /// Whether it was discussed.
    pub discussed: bool,
}

/// A monthly sync that took place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldMeeting {
    /// Its date.
    pub date: Date,
    /// When it started: "since the last meeting" counts from here.
    pub held_at: Timestamp,
    /// Its agenda's items.
    pub items: Vec<MeetingItem>,
}

/// Where the boundary "since the last monthly sync" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SinceKind {
    /// A meeting recorded with `sync held`.
    Held,
    /// No meeting recorded: the last one the schedule planned.
    Scheduled,
}

/// The start of the period an agenda covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Since {
    /// The last monthly sync's date.
    pub date: Date,
    /// When it started.
    pub at: Timestamp,
    /// Recorded or only scheduled.
    pub kind: SinceKind,
}

/// How many issues each part of an agenda, and its neglected list, show at most.
pub const AGENDA_LIST_LIMIT: usize = 50;

/// Review issues the store counts in a part of the agenda but that were not read for it (they
/// are beyond what the part lists): counted in the totals, not listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    /// Issues of part 1 not read.
    pub new: u64,
    /// Issues of part 2 not read.
    pub past: u64,
    /// Open issues old enough to be neglected among those not read: whether they have an
    /// action plan is not known.
    pub aged_open: u64,
}

/// What an agenda is built from.
#[derive(Debug, Clone)]
pub struct AgendaInput<'a> {
    /// The meeting's title, e.g. `Support Ops monthly sync`.
    pub title: &'a str,
    /// The meeting's date.
    pub date: Date,
    /// The current time.
    pub now: Timestamp,
    /// The last monthly sync before this one.
    pub since: Since,
    /// The last meeting recorded as held, whose undiscussed items carry forward.
    pub previous: Option<&'a HeldMeeting>,
    /// The Feedback Review issues read for the agenda: every one it may hold, or the first of
    /// each part (see `unread`).
    pub issues: &'a [ReviewIssue],
    /// Open issues with no action plan this many days after creation are neglected.
    pub neglected_after_days: u32,
    /// How many issues each list shows at most.
    pub limit: usize,
    /// Issues counted but not read, beyond `issues`.
    pub unread: Unread,
    /// The Reviews page, where the issues not listed are (`/reviews`, or an absolute link when
    /// the service's public address is known).
    pub reviews_url: &'a str,
}

/// One issue on the agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaItem {
    /// Its number.
    pub iid: u64,
    /// Title.
    pub title: String,
    /// Link.
    pub web_url: String,
    /// The issue or MR the feedback is about.
    pub subject: Option<String>,
    /// Open or closed.
    pub state: ReviewState,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Responses per band.
    pub bands: BandMix,
    /// Responses in all.
    pub responses: u32,
    /// Whether it has an action plan.
    pub has_action_plan: bool,
    /// Its recorded outcome.
    pub outcome: Option<Outcome>,
    /// The meeting it was left undiscussed at, if it carries forward.
    pub carried_forward_from: Option<Date>,
}

/// An open issue still without an action plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeglectedItem {
    /// Its number.
    pub iid: u64,
    /// Title.
    pub title: String,
    /// Link.
    pub web_url: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// Whole days since it was created.
    pub days_without_plan: i64,
}

/// How many issues each part of an agenda holds, listed or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AgendaTotals {
    /// Part 1: `new_issues` lists the first of them.
    pub new_issues: u64,
    /// Part 2: `past_issues` lists the first of them.
    pub past_issues: u64,
    /// Neglected issues found: `neglected` lists the first of them.
    pub neglected: u64,
    /// Open issues old enough to be neglected that are not listed, so whether they have an
    /// action plan was not read (none of them is counted in `neglected`).
    pub unchecked: u64,
}

/// The monthly sync's agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agenda {
    /// The meeting's title.
    pub title: String,
    /// The meeting's date.
    pub date: Date,
    /// The period covered starts at the last monthly sync.
    pub since: Since,
    /// Part 1: created since the last sync, make action plans (the first `limit`, by number).
    pub new_issues: Vec<AgendaItem>,
    /// Part 2: still open, or closed since the last sync; did the plan work (the first
    /// `limit`, by number).
    pub past_issues: Vec<AgendaItem>,
    /// Open issues with no action plan after `neglected_after_days` (the first `limit`, oldest
    /// first).
    pub neglected: Vec<NeglectedItem>,
    /// The threshold for `neglected`.
    pub neglected_after_days: u32,
    /// How many issues each list shows at most.
    pub limit: usize,
    /// How many issues each part holds, listed or not.
    pub totals: AgendaTotals,
    /// Where the issues not listed are: the Reviews page's open review issues.
    pub more_url: String,
}

const DAY_SECONDS: i64 = 24 * 60 * 60;

impl Agenda {
    /// Builds the agenda.
    pub fn build(input: &AgendaInput<'_>) -> Agenda {
        let carried: BTreeMap<u64, (AgendaPart, Date)> = input
            .previous
            .map(|p| {
                p.items
                    .iter()
                    .filter(|i| !i.discussed)
                    .map(|i| (i.iid, (i.part, p.date)))
                    .collect()
            })
            .unwrap_or_default();
        let discussed: Vec<u64> = input
            .previous
            .map(|p| {
                p.items
                    .iter()
                    .filter(|i| i.discussed)
                    .map(|i| i.iid)
                    .collect()
            })
            .unwrap_or_default();
        let since = input.since.at;
        let mut new_issues = Vec::new();
        let mut past_issues = Vec::new();
        let mut neglected = Vec::new();
        for issue in input.issues {
            if issue.created_at > input.now {
                continue;
            }
            let carried_from = carried.get(&issue.iid);
            let part = match carried_from {
                Some((part, _)) => Some(*part),
                // Created since, but already discussed (the meeting was recorded after it was
                // filed): it is no longer new.
                None if issue.created_at >= since && !discussed.contains(&issue.iid) => {
                    Some(AgendaPart::New)
                }
                None if discussed.contains(&issue.iid) && issue.state == ReviewState::Open => {
                    Some(AgendaPart::Past)
                }
                None if issue.state == ReviewState::Open
                    || issue.closed_at.is_some_and(|c| c >= since) =>
                {
                    Some(AgendaPart::Past)
                }
                None => None,
            };
            let item = AgendaItem {
                iid: issue.iid,
                title: issue.title.clone(),
                web_url: issue.web_url.clone(),
                subject: issue.subject.clone(),
                state: issue.state,
                created_at: issue.created_at,
                closed_at: issue.closed_at,
                bands: issue.bands,
                responses: issue.responses,
                has_action_plan: issue.has_action_plan,
                outcome: issue.outcome,
                carried_forward_from: carried_from.map(|(_, date)| *date),
            };
            match part {
                Some(AgendaPart::New) => new_issues.push(item),
                Some(AgendaPart::Past) => past_issues.push(item),
                None => {}
            }
            let age_days = input.now.duration_since(issue.created_at).as_secs() / DAY_SECONDS;
            if issue.state == ReviewState::Open
                && !issue.has_action_plan
                && age_days >= i64::from(input.neglected_after_days)
            {
                neglected.push(NeglectedItem {
                    iid: issue.iid,
                    title: issue.title.clone(),
                    web_url: issue.web_url.clone(),
                    created_at: issue.created_at,
                    days_without_plan: age_days,
                });
            }
        }
        new_issues.sort_by_key(|i| i.iid);
        past_issues.sort_by_key(|i| i.iid);
        neglected.sort_by_key(|i| (std::cmp::Reverse(i.days_without_plan), i.iid));
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        let totals = AgendaTotals {
            new_issues: count(new_issues.len()).saturating_add(input.unread.new),
            past_issues: count(past_issues.len()).saturating_add(input.unread.past),
            neglected: count(neglected.len()),
            unchecked: input.unread.aged_open,
        };
        new_issues.truncate(input.limit);
        past_issues.truncate(input.limit);
        neglected.truncate(input.limit);
        Agenda {
            title: input.title.to_owned(),
            date: input.date,
            since: input.since,
            new_issues,
            past_issues,
            neglected,
            neglected_after_days: input.neglected_after_days,
            limit: input.limit,
            totals,
            more_url: format!("{}?state=opened", input.reviews_url),
        }
    }

    /// Where the issues not listed are, as Markdown: a link when `more_url` is absolute, else
    /// its path on the dashboard.
    fn more_link(&self) -> String {
        if self.more_url.starts_with("https://") || self.more_url.starts_with("http://") {
            format!("[the Reviews page]({})", self.more_url)
        } else {
            format!("the Reviews page of supportops (`{}`)", self.more_url)
        }
    }

    /// How many issues of each list are counted in `totals` but not listed (`unchecked` as in
    /// `totals`: none of those is listed).
    pub fn not_listed(&self) -> AgendaTotals {
        let listed = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        AgendaTotals {
            new_issues: self
                .totals
                .new_issues
                .saturating_sub(listed(self.new_issues.len())),
            past_issues: self
                .totals
                .past_issues
                .saturating_sub(listed(self.past_issues.len())),
            neglected: self
                .totals
                .neglected
                .saturating_sub(listed(self.neglected.len())),
            unchecked: self.totals.unchecked,
        }
    }

    /// Whether a part holds more issues than it lists.
    pub fn leaves_some_out(&self) -> bool {
        let more = self.not_listed();
        more.new_issues > 0 || more.past_issues > 0
    }

    /// The line under a part's table that says how many more there are, if any.
    fn more_line(&self, md: &mut String, what: &str, listed: usize, more: u64) {
        if more > 0 {
            let _ = writeln!(
                md,
                "_{more} more {what} not listed here (this list shows the first {listed} by \
                 number): see {}._\n",
                self.more_link()
            );
        }
    }

    /// Every item listed, with its part, for recording which ones a meeting discussed (issues
    /// counted but not listed were not on the agenda: the open ones come back in part 2).
    pub fn items(&self) -> Vec<(u64, AgendaPart)> {
        self.new_issues
            .iter()
            .map(|i| (i.iid, AgendaPart::New))
            .chain(self.past_issues.iter().map(|i| (i.iid, AgendaPart::Past)))
            .collect()
    }

    /// The title of the issue the agenda is filed as.
    pub fn issue_title(&self) -> String {
        format!("{}: agenda for {}", self.title, self.date)
    }

    /// The agenda as Markdown (GitLab flavour: tables and links).
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# {}: {} {}\n",
            self.title,
            weekday_title(self.date.weekday()),
            self.date
        );
        let _ = match self.since.kind {
            SinceKind::Held => {
                writeln!(md, "Since the last monthly sync on {}.\n", self.since.date)
            }
            SinceKind::Scheduled => writeln!(
                md,
                "Since {}, the last monthly sync on the schedule (no meeting has been recorded \
                 with `supportops sync held`).\n",
                self.since.date
            ),
        };

        md.push_str("## 1. New Feedback Review issues: make action plans\n\n");
        if self.new_issues.is_empty() {
            md.push_str("_No new Feedback Review issues._\n\n");
        } else {
            md.push_str("| Issue | Subject | Bands | Responses | Action plan |\n");
            md.push_str("| --- | --- | --- | --- | --- |\n");
            for i in &self.new_issues {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    issue_cell(i),
                    i.subject.as_deref().map_or("unknown".to_owned(), cell),
                    i.bands,
                    i.responses,
                    if i.has_action_plan {
                        "yes"
                    } else {
                        "**not yet**"
                    },
                );
            }
            md.push('\n');
        }
        let more = self.not_listed();
        self.more_line(
            &mut md,
            "new issues are",
            self.new_issues.len(),
            more.new_issues,
        );

        md.push_str(
            "## 2. Past Feedback Review issues: did the action plan resolve the problem?\n\n",
        );
        if self.past_issues.is_empty() {
            md.push_str("_No open or recently closed Feedback Review issues._\n\n");
        } else {
            md.push_str("| Issue | State | Action plan | Outcome |\n");
            md.push_str("| --- | --- | --- | --- |\n");
            for i in &self.past_issues {
                let state = match (i.state, i.closed_at) {
                    (ReviewState::Closed, Some(at)) => format!("closed {}", utc_date(at)),
                    (ReviewState::Closed, None) => "closed".to_owned(),
                    (ReviewState::Open, _) => "open".to_owned(),
                };
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} |",
                    issue_cell(i),
                    state,
                    if i.has_action_plan { "yes" } else { "**none**" },
                    i.outcome.map_or("not recorded", Outcome::as_str),
                );
            }
            md.push('\n');
        }
        self.more_line(
            &mut md,
            "past issues are",
            self.past_issues.len(),
            more.past_issues,
        );

        let _ = writeln!(
            md,
            "## Neglected: no action plan {} days after creation\n",
            self.neglected_after_days
        );
        if self.neglected.is_empty() && self.totals.unchecked == 0 {
            md.push_str("_Nothing neglected._\n\n");
        } else if self.neglected.is_empty() {
            md.push_str("_Nothing neglected among the issues listed._\n\n");
        } else {
            for n in &self.neglected {
                let _ = writeln!(
                    md,
                    "- [#{} {}]({}): opened {}, {} days ago",
                    n.iid,
                    link_text(&n.title),
                    n.web_url,
                    utc_date(n.created_at),
                    n.days_without_plan
                );
            }
            if more.neglected > 0 {
                let _ = writeln!(md, "- _and {} more, opened more recently_", more.neglected);
            }
            md.push('\n');
        }
        if self.totals.unchecked > 0 {
            let _ = writeln!(
                md,
                "_{} more open issues are {} days old or more but not listed above, so their \
                 action plans were not checked: see {}._\n",
                self.totals.unchecked,
                self.neglected_after_days,
                self.more_link()
            );
        }

        let _ = writeln!(
            md,
            "---\n\nRecord each outcome with `supportops sync outcome ISSUE resolved|not-resolved` \
             and the meeting with `supportops sync held --date {}`.",
            self.date
        );
        md
    }
}

fn utc_date(t: Timestamp) -> Date {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text safe inside a Markdown link's brackets, in a table cell.
fn link_text(s: &str) -> String {
    cell(s).replace('[', "\\[").replace(']', "\\]")
}

fn issue_cell(i: &AgendaItem) -> String {
    let mut s = format!("[#{} {}]({})", i.iid, link_text(&i.title), i.web_url);
    if let Some(date) = i.carried_forward_from {
        let _ = write!(s, " (carried forward from {date})");
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
