//! A deterministic generator of realistic feedback sheets in the handbook's layout, for trials
//! and benchmarks: `examples/feedback.csv` is its output for 300 rows, seed 2026 and the
//! [`Mix::FewLinks`] mix.
//!
//! Rows look like a Google Form's responses exported from Sheets (CRLF, quoted multi-line
//! cells): timestamps spread over the twelve months up to November 2026, responses about
//! issues or MRs with the link written in equivalent forms (`/-/issues/` and `/issues/`,
//! `#note_…` anchors, trailing slashes), resolutions from the form's drop-down (a few in
//! lower case), the GitLab values ticked, multi-line comments with non-ASCII names, a few blank
//! ratings, a few cells that make the formula fail, and the sheet's own score column — blank
//! for the newest rows and stale for a few.
//!
//! Two mixes: [`Mix::Realistic`] (the default) is what a real feedback sheet looks like — about
//! one distinct issue/MR per three responses, most issues getting one to three, 2% blank links,
//! some free text instead of a link, odd spellings (upper-case hosts, queries, spaces around)
//! and the values ticked in any order; [`Mix::FewLinks`] is the earlier mix, a few thousand
//! issues/MRs however many rows, values always in the form's order.

use std::collections::HashMap;
use std::io::Write;

use supportops_formula::{Cell, Formula, Value};

use crate::record::value_text;

/// The header row of the handbook's sheet.
pub const HEADER: [&str; 9] = [
    "Timestamp",
    "Issue/MR link",
    "Resolution",
    "Values shown",
    "Comments",
    "Rating",
    "Submitter",
    "Region",
    "Support Ops Feedback Score",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Data rows (the header comes on top).
    pub rows: u64,
    /// The same seed gives the same sheet.
    pub seed: u64,
    /// Which kind of sheet.
    pub mix: Mix,
}

/// The kind of sheet [`write_sample`] generates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mix {
    /// About one distinct issue/MR link per three responses (most get one to three), 2% blank
    /// links, 1% free text, odd spellings of links, values ticked in any order.
    #[default]
    Realistic,
    /// A few thousand issues/MRs whatever the size (about five responses each at first), every
    /// link present and well formed, values in the form's order.
    FewLinks,
}

/// Free text typed where the link should be.
const NOT_LINKS: [&str; 6] = [
    "ZD macro cleanup",
    "the SLA view for APAC",
    "see Slack thread #support-ops",
    "n/a",
    "Ticket 482113",
    "Zendesk form: \"Billing\" fields",
];

/// The form's resolution answers, with their weights.
const RESOLUTIONS: [(&str, u32); 6] = [
    (
        "It was solved, and I feel this will dramatically improve my use of Zendesk",
        18,
    ),
    ("It was solved, and I am confident in the solution", 30),
    ("It was solved, but I am not confident in the solution", 14),
    ("It was closed as it became a stale issue", 8),
    ("It was closed without being solved", 12),
    ("It is still open", 8),
];

/// GitLab's values as the form lists them, with the chance each is ticked.
const VALUES: [(&str, f64); 6] = [
    ("Collaboration", 0.62),
    ("Results", 0.58),
    ("Efficiency", 0.4),
    ("Diversity, Inclusion & Belonging", 0.22),
    ("Iteration", 0.35),
    ("Transparency", 0.55),
];

const PROJECTS: [(&str, &str); 6] = [
    (
        "gitlab-com/support/support-ops/support-ops-project",
        "issues",
    ),
    (
        "gitlab-com/support/support-ops/zendesk-global/macros",
        "merge_requests",
    ),
    (
        "gitlab-com/support/support-ops/zendesk-global/triggers",
        "merge_requests",
    ),
    (
        "gitlab-com/support/support-ops/zendesk-global/views",
        "issues",
    ),
    (
        "gitlab-com/support/support-ops/zendesk-us-federal/forms",
        "issues",
    ),
    (
        "gitlab-com/support/support-ops/support-ops-project",
        "merge_requests",
    ),
];

/// (display name, e-mail local part)
const PEOPLE: [(&str, &str); 16] = [
    ("Zoë Müller", "zmuller"),
    ("Jürgen Weiß", "jweiss"),
    ("Søren Kierkegaard-Holm", "sholm"),
    ("Aoife Ní Bhriain", "anibhriain"),
    ("Łukasz Dvořák", "ldvorak"),
    ("Ayşe Yılmaz", "ayilmaz"),
    ("Nguyễn Thị Lan", "lnguyen"),
    ("Renée Côté", "rcote"),
    ("佐藤 花子", "hsato"),
    ("Priya Raghunathan", "praghunathan"),
    ("Mateo Núñez", "mnunez"),
    ("Olamide Adébáyọ̀", "oadebayo"),
    ("Chloé Martin", "cmartin"),
    ("Kwame Mensah", "kmensah"),
    ("Ingrid Ødegård", "iodegard"),
    ("Sam O'Neill", "soneill"),
];

const REGIONS: [(&str, u32); 3] = [("AMER", 45), ("EMEA", 35), ("APAC", 20)];

const PRAISE: [&str; 8] = [
    "Thanks, this saves me a lot of clicks every day.",
    "The new macro works great, {name} walked me through it.",
    "Much clearer now. Appreciate the quick turnaround!",
    "Works as described; the \"Needs Org\" view finally shows the right tickets.",
    "Great collaboration with {name} on this one.",
    "Solved, and the docs page was updated too.",
    "Love it. Small thing, but it matters.",
    "Fast, clear, and {name} kept the issue updated.",
];

const CRITICISM: [&str; 8] = [
    "The trigger still fires on closed tickets, e.g. #482113.",
    "Closed as stale, but the problem is still there for us in APAC.",
    "Not sure this fixes it; I still see duplicate tags, sometimes.",
    "Nobody replied for three weeks. {name} eventually picked it up.",
    "The form field is back, but now the SLA policy does not apply.",
    "I wasn't asked before the change went live.",
    "It works, but the macro text is wrong: \"priority\" should be \"severity\".",
    "Hard to tell, the issue was closed without a comment.",
];

const FOLLOW_UPS: [&str; 5] = [
    "Steps to reproduce:\n1. Open a ticket in the Support Ops view\n2. Apply the macro\n3. Check the tags",
    "Also: the same happens on the US Federal instance.",
    "Cc {name}, who reported it first.",
    "Otherwise, thank you!",
    "Happy to pair on it — ping me.",
];

/// Generates a sheet: the header, then `options.rows` responses, as CSV with CRLF line ends.
/// When `formula` is given, the last column holds its score (blank for the newest rows, stale
/// for a few); otherwise the column is blank.
pub fn write_sample<W: Write>(
    out: W,
    options: &SampleOptions,
    formula: Option<&Formula>,
) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(HEADER)?;
    let mut g = Generator::new(options);
    // The formula reads a few columns with few distinct values: evaluate each combination once.
    let mut cache: HashMap<Vec<String>, Value> = HashMap::new();
    let mut row: Vec<String> = Vec::with_capacity(9);
    for i in 0..options.rows {
        g.row(i, &mut row);
        let stored = match formula {
            None => String::new(),
            Some(f) => {
                let key: Vec<String> = f
                    .columns()
                    .iter()
                    .map(|&c| row.get(c).cloned().unwrap_or_default())
                    .collect();
                let value = cache
                    .entry(key)
                    .or_insert_with(|| {
                        let cells: Vec<Cell<'_>> =
                            row.iter().map(|c| Cell::from_import(c)).collect();
                        f.eval(&cells.as_slice())
                    })
                    .clone();
                g.stored(i, &value)
            }
        };
        row.push(stored);
        writer.write_record(&row)?;
    }
    writer.flush()
}

struct Generator {
    rng: fastrand::Rng,
    rows: u64,
    subjects: usize,
    start: jiff::civil::DateTime,
    span_secs: i64,
    /// The current row's rating (0 for blank); the comment's tone follows it.
    rating: u32,
    mix: Mix,
    /// Realistic mix: issues/MRs opened so far (the next one gets this number).
    opened: usize,
}

impl Generator {
    fn new(options: &SampleOptions) -> Generator {
        let start = jiff::civil::date(2025, 12, 1).at(0, 0, 0, 0);
        let end = jiff::civil::date(2026, 11, 27).at(18, 0, 0, 0);
        let span_secs = end.duration_since(start).as_secs();
        Generator {
            rng: fastrand::Rng::with_seed(options.seed),
            rows: options.rows.max(1),
            // About five responses per subject, at most a few thousand subjects a year.
            subjects: (options.rows / 5).clamp(12, 5_000) as usize,
            start,
            span_secs,
            rating: 0,
            mix: options.mix,
            opened: 0,
        }
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> usize {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut pick = self.rng.u32(0..total.max(1));
        for (i, (_, w)) in items.iter().enumerate() {
            if pick < *w {
                return i;
            }
            pick -= w;
        }
        0
    }

    fn name(&mut self) -> &'static str {
        PEOPLE[self.rng.usize(..PEOPLE.len())].0
    }

    fn row(&mut self, i: u64, row: &mut Vec<String>) {
        row.clear();
        // A: timestamps in order over the year, with jitter.
        let offset =
            ((i as f64 + self.rng.f64()) / self.rows as f64 * self.span_secs as f64) as i64;
        let at = self
            .start
            .checked_add(jiff::SignedDuration::from_secs(offset))
            .unwrap_or(self.start);
        row.push(format!(
            "{}/{}/{} {}:{:02}:{:02}",
            at.month(),
            at.day(),
            at.year(),
            at.hour(),
            at.minute(),
            at.second()
        ));
        // B: a subject, recent ones more likely, written in one of its equivalent forms.
        if self.mix == Mix::Realistic {
            let link = self.realistic_link();
            row.push(link);
        } else {
            let base = (i as f64 / self.rows as f64 * self.subjects as f64) as i64;
            let age = self.rng.f64().powi(3) * 12f64.min(base as f64);
            let subject = (base - age as i64).clamp(0, self.subjects as i64 - 1) as usize;
            row.push(self.link(subject));
        }
        // C: the resolution.
        let pick = self.weighted(&RESOLUTIONS);
        let resolution = RESOLUTIONS[pick].0;
        row.push(if pick <= 1 && self.rng.u32(0..40) == 0 {
            resolution.to_lowercase()
        } else {
            resolution.to_owned()
        });
        // D: the values ticked; rarely a number typed into the "Other" box.
        let values = if self.rng.u32(0..80) == 0 {
            self.rng.u32(1..7).to_string()
        } else {
            let mut ticked: Vec<&str> = VALUES
                .iter()
                .filter(|(_, p)| self.rng.f64() < *p)
                .map(|(v, _)| *v)
                .collect();
            if self.mix == Mix::Realistic {
                // Form tools list the ticked boxes in the order they were ticked.
                self.rng.shuffle(&mut ticked);
            }
            ticked.join(", ")
        };
        row.push(values);
        // F (chosen before E, whose tone follows it): the rating, sometimes blank.
        self.rating = match self.rng.u32(0..100) {
            0..=4 => 0,
            5..=11 => 1,
            12..=19 => 2,
            20..=34 => 3,
            35..=64 => 4,
            _ => 5,
        };
        // E: a comment, more likely when the rating is low.
        let comment = self.comment();
        row.push(comment);
        row.push(if self.rating == 0 {
            String::new()
        } else {
            self.rating.to_string()
        });
        // G, H: who answered, and from where.
        let who = PEOPLE[self.rng.usize(..PEOPLE.len())].1;
        row.push(format!("{who}@gitlab.com"));
        row.push(REGIONS[self.weighted(&REGIONS)].0.to_owned());
    }

    fn link(&mut self, subject: usize) -> String {
        let (project, kind) = PROJECTS[subject % PROJECTS.len()];
        let number = 200 + subject * 7 % 1900 + subject / PROJECTS.len();
        let dash = if self.rng.u32(0..4) == 0 { "" } else { "-/" };
        let mut link = format!("https://gitlab.com/{project}/{dash}{kind}/{number}");
        match self.rng.u32(0..10) {
            0 => link.push('/'),
            1 => {
                let note = 1_800_000_000
                    + (subject as u64 * 7_919) % 90_000_000
                    + u64::from(self.rng.u32(0..3));
                link.push_str(&format!("#note_{note}"));
            }
            _ => {}
        }
        link
    }

    /// A link in the realistic mix: a third of the responses are about an issue/MR nobody
    /// answered about before; the others about one of the last few dozen.
    fn realistic_link(&mut self) -> String {
        match self.rng.u32(0..100) {
            0..=1 => return String::new(),
            2 => return NOT_LINKS[self.rng.usize(..NOT_LINKS.len())].to_owned(),
            _ => {}
        }
        let subject = if self.opened == 0 || self.rng.u32(0..3) == 0 {
            self.opened += 1;
            self.opened - 1
        } else {
            let back = (self.rng.f64().powi(2) * 40.0) as usize;
            self.opened - 1 - back.min(self.opened - 1)
        };
        // Mixed radix: every subject gets its own group, project, kind and number.
        let (group, project) = (subject % 37, subject / 37 % 23);
        let kind = ["issues", "merge_requests"][subject / 851 % 2];
        let number = 1 + subject / 1_702;
        let dash = if self.rng.u32(0..4) == 0 { "" } else { "-/" };
        let (scheme, host) = match self.rng.u32(0..50) {
            0 => ("HTTPS", "gitlab.com"),
            1 => ("https", "GitLab.com"),
            2 => ("https", "gitlab.com:443"),
            _ => ("https", "gitlab.com"),
        };
        let team = ["support-ops", "zendesk-global", "readiness", "us-federal"][group % 4];
        let mut link = format!(
            "{scheme}://{host}/gitlab-com/support/{team}/g{group}/project-{project}/{dash}{kind}/{number}"
        );
        match self.rng.u32(0..20) {
            0 | 1 => link.push('/'),
            2..=4 => {
                let note = 1_800_000_000 + u64::from(self.rng.u32(0..90_000_000));
                link.push_str(&format!("#note_{note}"));
            }
            5 => link.push_str("?tab=activity"),
            6 => link.push('#'),
            7 => link = format!(" {link} "),
            _ => {}
        }
        link
    }

    fn comment(&mut self) -> String {
        let chance = if self.rating >= 4 { 35 } else { 75 };
        if self.rng.u32(0..100) >= chance {
            return String::new();
        }
        let pool = if self.rating >= 4 || (self.rating == 3 && self.rng.bool()) {
            &PRAISE
        } else {
            &CRITICISM
        };
        let mut text = pool[self.rng.usize(..pool.len())].to_owned();
        if self.rng.u32(0..100) < 18 {
            text.push('\n');
            text.push_str(FOLLOW_UPS[self.rng.usize(..FOLLOW_UPS.len())]);
        }
        while text.contains("{name}") {
            let name = self.name();
            text = text.replacen("{name}", name, 1);
        }
        text
    }

    /// The sheet's stored score for row `i`: blank for the newest rows (not scored yet),
    /// stale (off by one) for a few, else the formula's value as the sheet shows it.
    fn stored(&mut self, i: u64, value: &Value) -> String {
        if i + self.rows / 40 >= self.rows {
            return String::new();
        }
        match value {
            Value::Number(n) if self.rng.u32(0..30) == 0 => {
                let stale = if self.rng.bool() { n + 1.0 } else { n - 1.0 };
                value_text(&Value::Number(stale))
            }
            other => value_text(other),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn sample(rows: u64, seed: u64) -> String {
        let mut out = Vec::new();
        let options = SampleOptions {
            rows,
            seed,
            mix: Mix::FewLinks,
        };
        write_sample(&mut out, &options, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_sheet_and_another_seed_another() {
        assert_eq!(sample(50, 7), sample(50, 7));
        assert_ne!(sample(50, 7), sample(50, 8));
    }

    #[test]
    fn the_realistic_mix_has_a_link_per_few_responses_and_odd_cells() {
        let mut out = Vec::new();
        let options = SampleOptions {
            rows: 3_000,
            seed: 3,
            mix: Mix::Realistic,
        };
        write_sample(&mut out, &options, None).unwrap();
        let mut reader = csv::ReaderBuilder::new().from_reader(out.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3_000);
        let blank = rows.iter().filter(|r| r[1].is_empty()).count();
        assert!((20..=100).contains(&blank), "{blank} blank links");
        let subjects: std::collections::HashSet<supportops_domain::SubjectUrl> = rows
            .iter()
            .map(|r| supportops_domain::SubjectUrl::parse(&r[1]))
            .filter(|s| s.as_str().starts_with("https://"))
            .collect();
        // One issue/MR per two to four responses.
        assert!(
            (750..=1_500).contains(&subjects.len()),
            "{} subjects",
            subjects.len()
        );
        assert!(rows.iter().any(|r| r[1].contains("GitLab.com")));
        assert!(rows.iter().any(|r| r[1].starts_with(' ')));
        assert!(rows.iter().any(|r| r[3].starts_with("Transparency, ")));
    }

    #[test]
    fn rows_parse_as_csv_with_the_handbook_header() {
        let text = sample(400, 1);
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 400);
        assert!(rows.iter().all(|r| r.len() == 9));
        assert!(
            rows.iter().any(|r| r[4].contains('\n')),
            "some multi-line comments"
        );
        assert!(rows.iter().any(|r| r[5].is_empty()), "some blank ratings");
        assert!(
            rows.iter()
                .any(|r| r[1].contains("/issues/") && !r[1].contains("/-/"))
        );
        assert!(text.contains("\r\n"));
    }
}
