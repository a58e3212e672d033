//! The configuration file `supportops.toml`.
//!
//! Layers, later wins: the handbook's defaults (in code), the TOML file, then environment
//! variables `SUPPORTOPS__SECTION__KEY` (e.g. `SUPPORTOPS__TRACKER__URL`; nested tables use more
//! `__`). Unknown keys are errors naming the key. Secrets are never in the file: the file names
//! the environment variable that holds each one.
//!
//! [`STARTER`] is the commented file `supportops init` writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod auth;
mod notify;

pub use auth::AuthConfig;
pub use notify::{NOTIFY_EVENTS, NotifyConfig};

/// The commented starter file written by `supportops init`.
pub const STARTER: &str = include_str!("../starter.toml");

/// The handbook's scoring formula.
pub const HANDBOOK_FORMULA: &str = r#"=SUM(IF(F2 >= 4, 1, IF(F2 <= 1, -1, 0)), IF(REGEXMATCH(D2, "Collaboration.*Results.*Transparency"), 1, 0), IF(C2 = "It was solved, and I feel this will dramatically improve my use of Zendesk", 1, IF(C2 = "It was solved, and I am confident in the solution", 1, IF(C2 = "It was closed as it became a stale issue", 1, 0))))"#;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys or bad values.
    #[error("invalid config in `{origin}`: {message}")]
    Invalid {
        /// The file, or the environment variable.
        origin: String,
        /// What is wrong, with the key.
        message: String,
    },
    /// A value is well-formed but not acceptable.
    #[error("invalid config key `{key}`: {message}")]
    Value {
        /// The dotted key, e.g. `score.bands.green`.
        key: String,
        /// What is wrong and what would be right.
        message: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `[sheet]`: where responses come from and how its columns are laid out.
    pub sheet: SheetConfig,
    /// `[score]`: the formula and band thresholds.
    pub score: ScoreConfig,
    /// `[store]`: where supportops keeps its data.
    pub store: StoreConfig,
    /// `[tracker]`: where issues are filed.
    pub tracker: TrackerConfig,
    /// `[review]`: Feedback Review issues.
    pub review: ReviewConfig,
    /// `[team]`: the Support Ops members.
    pub team: TeamConfig,
    /// `[shadowing]`: Support Shadowing.
    pub shadowing: ShadowingConfig,
    /// `[sync]`: the weekly and monthly syncs.
    pub sync: SyncConfig,
    /// `[server]`: the web service.
    pub server: ServerConfig,
    /// `[notify]`: messages to the team's chat.
    pub notify: NotifyConfig,
}

/// `[sheet]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SheetConfig {
    /// A path, an `http(s)` URL of a published CSV, or `-` for standard input.
    pub source: String,
    /// XLSX/ODS: the sheet to read (default: the first).
    pub sheet_name: Option<String>,
    /// The header row's number (1 in the handbook's sheet).
    pub header_row: u32,
    /// The row the formula's references are written for (2: the first data row).
    pub template_row: u32,
    /// Column roles → a column letter (`"B"`) or a header name (`"Issue/MR link"`).
    pub columns: ColumnsConfig,
}

impl Default for SheetConfig {
    fn default() -> Self {
        SheetConfig {
            source: "examples/feedback.csv".into(),
            sheet_name: None,
            header_row: 1,
            template_row: 2,
            columns: ColumnsConfig::default(),
        }
    }
}

/// `[sheet.columns]`: which column plays which role. Each is a letter or a header name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnsConfig {
    /// When the response was submitted (required).
    pub timestamp: String,
    /// The issue/MR link the response is about (required).
    pub subject: String,
    /// Resolution answer (shown in review issues).
    pub resolution: Option<String>,
    /// Values shown (shown in review issues).
    pub values: Option<String>,
    /// Free-text comment (shown in review issues).
    pub comment: Option<String>,
    /// Rating 1–5 (shown in review issues).
    pub rating: Option<String>,
    /// Who answered (kept out of issues unless `review.include_submitter`).
    pub submitter: Option<String>,
    /// The respondent's region.
    pub region: Option<String>,
    /// The sheet's own score column.
    pub stored_score: Option<String>,
    /// A stable response id column.
    pub id: Option<String>,
}

impl Default for ColumnsConfig {
    fn default() -> Self {
        ColumnsConfig {
            timestamp: "A".into(),
            subject: "B".into(),
            resolution: Some("C".into()),
            values: Some("D".into()),
            comment: Some("E".into()),
            rating: Some("F".into()),
            submitter: Some("G".into()),
            region: Some("H".into()),
            stored_score: Some("I".into()),
            id: None,
        }
    }
}

/// `[score]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// The formula in Google Sheets syntax, as pasted from the sheet.
    pub formula: String,
    /// Band thresholds.
    pub bands: BandsConfig,
    /// Why this formula (`score.formula_note`): recorded with the formula version and shown
    /// by `formula history` and on the trend charts.
    pub formula_note: Option<String>,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            formula: HANDBOOK_FORMULA.into(),
            bands: BandsConfig::default(),
            formula_note: None,
        }
    }
}

/// `[score.bands]`: `score >= green` is Green, `score >= yellow` is Yellow, else Red.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BandsConfig {
    /// Lowest Green score.
    pub green: f64,
    /// Lowest Yellow score.
    pub yellow: f64,
}

impl Default for BandsConfig {
    fn default() -> Self {
        BandsConfig {
            green: 2.0,
            yellow: 1.0,
        }
    }
}

impl BandsConfig {
    /// The domain thresholds.
    pub fn thresholds(&self) -> supportops_domain::BandThresholds {
        supportops_domain::BandThresholds {
            green: self.green,
            yellow: self.yellow,
        }
    }
}

/// `[store]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// `sqlite://PATH` or `postgres://user@host/db`. Credentials belong in `PGPASSWORD`.
    pub url: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: "sqlite://supportops.db".into(),
        }
    }
}

/// Which tracker files issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    /// Issues kept in the store; `supportops issues list` shows them.
    Local,
    /// GitLab's REST API v4.
    Gitlab,
}

/// `[tracker]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerConfig {
    /// `local` (default) or `gitlab`.
    pub kind: TrackerKind,
    /// GitLab's base URL.
    pub url: String,
    /// The environment variable holding the GitLab token.
    pub token_env: String,
    /// Seconds before a GitLab request times out.
    pub timeout_seconds: u64,
    /// How many times a rate-limited or failed request is retried.
    pub max_retries: u32,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            kind: TrackerKind::Local,
            url: "https://gitlab.com".into(),
            token_env: "GITLAB_TOKEN".into(),
            timeout_seconds: 30,
            max_retries: 5,
        }
    }
}

/// `[review]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// The review project's path.
    pub project: String,
    /// The issue template's name in that project.
    pub template: String,
    /// A local template file, used instead of the project's template.
    pub template_file: Option<PathBuf>,
    /// Usernames to assign.
    pub assignees: Vec<String>,
    /// Assign the members of this group instead of (or besides) `assignees`.
    pub assignee_group: Option<String>,
    /// Labels on every review issue.
    pub labels: Vec<String>,
    /// Whether respondents' identity appears in review issues.
    pub include_submitter: bool,
    /// How long a `review` run's lease on the store's review lock lasts unless renewed: a run
    /// that was killed blocks the next one at most this long.
    pub lock_lease_seconds: u64,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            project: "gitlab-com/support/support-ops/feedback-review".into(),
            template: "Feedback Review".into(),
            template_file: None,
            assignees: Vec::new(),
            assignee_group: None,
            labels: vec!["Feedback Review".into()],
            include_submitter: false,
            lock_lease_seconds: 45,
        }
    }
}

/// `[team]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeamConfig {
    /// `[[team.members]]`: the Support Ops team.
    pub members: Vec<MemberConfig>,
    /// `team.since`: the first month (`YYYY-MM`) the team tracks its shadowing; earlier months
    /// are never "missed". Default: the first month with any recorded session.
    pub since: Option<String>,
}

/// One `[[team.members]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberConfig {
    /// Tracker username.
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Working hours in the member's zone, `HH:MM-HH:MM`.
    #[serde(default = "default_hours")]
    pub hours: String,
    /// Working weekdays (default Monday to Friday).
    #[serde(default)]
    pub workdays: Option<Vec<String>>,
    /// Months (`YYYY-MM`) the member is away and does not shadow.
    #[serde(default)]
    pub away: Vec<String>,
}

fn default_timezone() -> String {
    "UTC".into()
}

fn default_hours() -> String {
    "09:00-17:00".into()
}

/// `[shadowing]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShadowingConfig {
    /// The Support Shadowing project.
    pub project: String,
    /// Its issue template's name.
    pub template: String,
    /// A local template file instead.
    pub template_file: Option<PathBuf>,
    /// Where improvement issues are filed.
    pub improvement_project: String,
    /// Session length.
    pub length_minutes: u32,
    /// Sessions each member does per month.
    pub per_member_per_month: u32,
    /// Sessions per region per period, as a team.
    pub target_per_region: u32,
    /// `month`, `quarter` or `year`.
    pub period: String,
    /// Labels on shadowing issues.
    pub labels: Vec<String>,
    /// `[shadowing.regions.NAME]`.
    pub regions: BTreeMap<String, RegionConfig>,
}

impl Default for ShadowingConfig {
    fn default() -> Self {
        let region = |tz: &str, mgr: &str| RegionConfig {
            managers: vec![mgr.into()],
            timezone: tz.into(),
            hours: default_hours(),
        };
        ShadowingConfig {
            project: "gitlab-com/support/support-ops/support-shadowing".into(),
            template: "Support Shadowing".into(),
            template_file: None,
            improvement_project: "gitlab-com/support/support-ops/support-ops-project".into(),
            length_minutes: 60,
            per_member_per_month: 1,
            target_per_region: 3,
            period: "quarter".into(),
            labels: vec!["Support Shadowing".into()],
            regions: BTreeMap::from([
                (
                    "AMER".into(),
                    region("America/Chicago", "amer-support-manager"),
                ),
                (
                    "EMEA".into(),
                    region("Europe/London", "emea-support-manager"),
                ),
                (
                    "APAC".into(),
                    region("Australia/Sydney", "apac-support-manager"),
                ),
            ]),
        }
    }
}

/// One `[shadowing.regions.NAME]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    /// Support Managers' usernames, mentioned when a session needs an engineer.
    #[serde(default)]
    pub managers: Vec<String>,
    /// The region's IANA time zone.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Working hours in that zone.
    #[serde(default = "default_hours")]
    pub hours: String,
}

/// `[sync]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// `[sync.weekly]`.
    pub weekly: WeeklyConfig,
    /// `[sync.monthly]`.
    pub monthly: MonthlyConfig,
}

/// `[sync.weekly]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WeeklyConfig {
    /// Meeting title.
    pub title: String,
    /// Weekday, e.g. `tuesday`.
    pub weekday: String,
    /// Start time `HH:MM` in `timezone`.
    pub time: String,
    /// IANA zone of `time`.
    pub timezone: String,
    /// Length.
    pub length_minutes: u32,
}

impl Default for WeeklyConfig {
    fn default() -> Self {
        WeeklyConfig {
            title: "Support Ops weekly sync".into(),
            weekday: "tuesday".into(),
            time: "14:30".into(),
            timezone: "UTC".into(),
            length_minutes: 30,
        }
    }
}

/// `[sync.monthly]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonthlyConfig {
    /// Meeting title.
    pub title: String,
    /// e.g. `first tuesday`, `last friday`.
    pub rule: String,
    /// Start time `HH:MM` in `timezone`.
    pub time: String,
    /// IANA zone of `time`.
    pub timezone: String,
    /// Length.
    pub length_minutes: u32,
    /// A review issue with no action plan this many days after creation is listed as neglected.
    pub neglected_after_days: u32,
    /// Labels on an agenda filed as an issue.
    pub agenda_labels: Vec<String>,
}

impl Default for MonthlyConfig {
    fn default() -> Self {
        MonthlyConfig {
            title: "Support Ops monthly sync".into(),
            rule: "first tuesday".into(),
            time: "15:00".into(),
            timezone: "UTC".into(),
            length_minutes: 50,
            neglected_after_days: 14,
            agenda_labels: vec!["Monthly Sync".into()],
        }
    }
}

/// `[server]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Listen address.
    pub addr: String,
    /// The environment variable holding the webhook's shared secret.
    pub webhook_token_env: String,
    /// Largest webhook body accepted, in bytes.
    pub webhook_max_bytes: usize,
    /// The address people reach the service at (`https://supportops.example.com`): sign-in
    /// redirects and links in chat messages. Default: `http://` + `addr`.
    pub public_url: Option<String>,
    /// `[server.auth]`: sign-in and roles.
    pub auth: AuthConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
            webhook_token_env: "SUPPORTOPS_WEBHOOK_TOKEN".into(),
            webhook_max_bytes: 64 * 1024,
            public_url: None,
            auth: AuthConfig::default(),
        }
    }
}

/// Where the configuration came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file.
    File(PathBuf),
    /// No file: the built-in handbook defaults.
    Defaults,
}

impl Config {
    /// Finds and loads the configuration: `explicit` (from `--config`), else `SUPPORTOPS_CONFIG`,
    /// else `./supportops.toml` if it exists, else the defaults; then applies `SUPPORTOPS__…`
    /// overrides from `env`.
    pub fn load(
        explicit: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<(Config, Origin), ConfigError> {
        let from_env = env
            .iter()
            .find(|(k, _)| k == "SUPPORTOPS_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        let path = match (explicit, from_env) {
            (Some(p), _) => Some(p.to_path_buf()),
            (None, Some(p)) => Some(p),
            (None, None) => {
                let p = PathBuf::from("supportops.toml");
                p.exists().then_some(p)
            }
        };
        let (text, origin) = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                (text, Origin::File(p.clone()))
            }
            None => (String::new(), Origin::Defaults),
        };
        let origin_name = match &origin {
            Origin::File(p) => p.display().to_string(),
            Origin::Defaults => "built-in defaults".into(),
        };
        let config = Config::from_toml(&text, &origin_name, env)?;
        Ok((config, origin))
    }

    /// Parses TOML text (named `origin` in errors) and applies `SUPPORTOPS__…` overrides.
    pub fn from_toml(
        text: &str,
        origin: &str,
        env: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ConfigError::Invalid {
                    origin: origin.into(),
                    message: e.to_string(),
                })?;
        let file_only = table.clone();
        let mut overrides = Vec::new();
        for (name, value) in env {
            let Some(path) = name.strip_prefix("SUPPORTOPS__") else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(|k| k.to_ascii_lowercase()).collect();
            if keys.iter().any(|k| k.is_empty()) {
                return Err(ConfigError::Invalid {
                    origin: name.clone(),
                    message: "expected SUPPORTOPS__SECTION__KEY".into(),
                });
            }
            let value = parse_env_value(value);
            set_path(&mut table, &keys, value.clone());
            overrides.push((name, keys, value));
        }
        negative_counts(&table, "")?;
        removed_keys(&table)?;
        let config: Config = match Config::deserialize(toml::Value::Table(table)) {
            Ok(config) => config,
            Err(e) => {
                // Name the variable at fault when the file alone reads: a mistyped
                // `SUPPORTOPS__…` is the user's to fix, not the file.
                let mut culprit = None;
                if Config::deserialize(toml::Value::Table(file_only.clone())).is_ok() {
                    let mut partial = file_only;
                    for (name, keys, value) in overrides {
                        set_path(&mut partial, &keys, value);
                        if let Err(e) = Config::deserialize(toml::Value::Table(partial.clone())) {
                            culprit = Some((name.clone(), e.to_string()));
                            break;
                        }
                    }
                }
                let (origin, message) = culprit.unwrap_or((origin.into(), e.to_string()));
                return Err(ConfigError::Invalid { origin, message });
            }
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| {
            Err(ConfigError::Value {
                key: key.into(),
                message,
            })
        };
        if self.score.bands.green < self.score.bands.yellow {
            return bad(
                "score.bands.green",
                format!(
                    "green ({}) must be at least yellow ({})",
                    self.score.bands.green, self.score.bands.yellow
                ),
            );
        }
        if self.sheet.template_row <= self.sheet.header_row {
            return bad(
                "sheet.template_row",
                format!(
                    "the template row ({}) must come after the header row ({})",
                    self.sheet.template_row, self.sheet.header_row
                ),
            );
        }
        if self.sheet.columns.subject.trim().is_empty() {
            return bad(
                "sheet.columns.subject",
                "name a column letter or header".into(),
            );
        }
        if !["month", "quarter", "year"].contains(&self.shadowing.period.as_str()) {
            return bad(
                "shadowing.period",
                format!(
                    "`{}` is not one of month, quarter, year",
                    self.shadowing.period
                ),
            );
        }
        if self.tracker.timeout_seconds == 0 {
            return bad(
                "tracker.timeout_seconds",
                "a zero timeout makes every request fail; give the seconds a GitLab request may \
                 take, e.g. 30"
                    .into(),
            );
        }
        if self.tracker.timeout_seconds > MAX_TIMEOUT_SECONDS {
            return bad(
                "tracker.timeout_seconds",
                format!(
                    "{} s is longer than {MAX_TIMEOUT_SECONDS} s (an hour): a stalled request \
                     would hold the review lock that long",
                    self.tracker.timeout_seconds
                ),
            );
        }
        if self.review.lock_lease_seconds == 0 {
            return bad(
                "review.lock_lease_seconds",
                "a lease of zero seconds lapses at once, so two runs could file together; \
                 the default is 45"
                    .into(),
            );
        }
        for (key, minutes) in [
            ("shadowing.length_minutes", self.shadowing.length_minutes),
            (
                "sync.weekly.length_minutes",
                self.sync.weekly.length_minutes,
            ),
            (
                "sync.monthly.length_minutes",
                self.sync.monthly.length_minutes,
            ),
        ] {
            if minutes == 0 {
                return bad(key, "a session or meeting lasts at least one minute".into());
            }
        }
        if self.server.webhook_max_bytes == 0 {
            return bad(
                "server.webhook_max_bytes",
                "a zero limit refuses every webhook; the default is 65536".into(),
            );
        }
        self.server
            .auth
            .validate(self.server.public_url.as_deref())?;
        if let Some(unknown) = self
            .notify
            .events
            .iter()
            .find(|e| !NOTIFY_EVENTS.contains(&e.as_str()))
        {
            return bad(
                "notify.events",
                format!(
                    "`{unknown}` is not an event; choose from {}",
                    NOTIFY_EVENTS.join(", ")
                ),
            );
        }
        if self.notify.max_attempts == 0 {
            return bad(
                "notify.max_attempts",
                "zero tries sends nothing; the default is 5".into(),
            );
        }
        if self
            .notify
            .chat_webhook_env
            .as_deref()
            .is_some_and(|v| v.contains("://"))
        {
            return bad(
                "notify.chat_webhook_env",
                "this names the environment variable holding the webhook URL, not the URL \
                 itself (a secret does not belong in the file); e.g. \
                 `chat_webhook_env = \"SUPPORTOPS_CHAT_WEBHOOK\"`"
                    .into(),
            );
        }
        if !(self.store.url.starts_with("sqlite:")
            || self.store.url.starts_with("postgres://")
            || self.store.url.starts_with("postgresql://"))
        {
            return bad(
                "store.url",
                format!(
                    "`{}` is neither `sqlite://PATH` nor `postgres://…`",
                    self.store.url
                ),
            );
        }
        Ok(())
    }
}

/// Keys earlier versions accepted, with where their setting lives now.
const REMOVED_KEYS: &[(&str, &str, &str)] = &[(
    "shadowing",
    "chat_webhook_env",
    "chat messages are set up in `[notify]` now: move it there as \
     `[notify] chat_webhook_env = \"…\"`",
)];

fn removed_keys(table: &toml::Table) -> Result<(), ConfigError> {
    for (section, key, hint) in REMOVED_KEYS {
        let present = table
            .get(*section)
            .and_then(toml::Value::as_table)
            .is_some_and(|t| t.contains_key(*key));
        if present {
            return Err(ConfigError::Value {
                key: format!("{section}.{key}"),
                message: format!("this key was removed; {hint}"),
            });
        }
    }
    Ok(())
}

/// The longest `tracker.timeout_seconds` accepted.
const MAX_TIMEOUT_SECONDS: u64 = 3600;

/// Keys holding a count or a length of time: a negative value there is refused naming the key
/// (deserialising would only say "expected u64").
fn is_count_key(key: &str) -> bool {
    [
        "_seconds",
        "_minutes",
        "_days",
        "_hours",
        "_retries",
        "_bytes",
        "_row",
        "per_month",
        "per_region",
    ]
    .iter()
    .any(|suffix| key.ends_with(suffix))
}

fn negative_counts(table: &toml::Table, prefix: &str) -> Result<(), ConfigError> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(t) => negative_counts(t, &path)?,
            toml::Value::Integer(n) if *n < 0 && is_count_key(key) => {
                return Err(ConfigError::Value {
                    key: path,
                    message: format!("`{n}` is negative; give a positive number"),
                });
            }
            toml::Value::Float(f) if *f < 0.0 && is_count_key(key) => {
                return Err(ConfigError::Value {
                    key: path,
                    message: format!("`{f}` is negative; give a positive whole number"),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    // Accept TOML literals (numbers, booleans, arrays); anything else is a string.
    let doc = format!("v = {raw}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.into()),
    }
}

fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut cur = table;
    for k in parents {
        let entry = cur
            .entry(k.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(t) = entry else {
            return;
        };
        cur = t;
    }
    cur.insert(last.clone(), value);
}

#[cfg(test)]
mod tests;
