//! The shadowing use cases against both trackers: the local tracker kept in the store, and
//! GitLab (the fake GitLab, driven over HTTP). Each scenario is written once.

#![allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use supportops_app::shadow::{self, ScheduleRequest, ShadowError, Shadowing};
use supportops_config::Config;
use supportops_domain::shadow::{Month, SessionId, SessionState, ShadowSession};
use supportops_ports::store::ShadowStore;
use supportops_ports::store::shadow::SessionQuery;
use supportops_ports::{Issue, IssueQuery, IssueState, NewIssue, StoreError, Tracker};
use supportops_store::{LocalTracker, SqliteStore};
use supportops_test_support::FakeGitLab;
use supportops_tracker::{GitLab, GitLabOptions};

const SHADOWING: &str = "support-ops/support-shadowing";
const IMPROVEMENTS: &str = "support-ops/support-ops-project";

const CONFIG: &str = r#"
[[team.members]]
username = "amara"
name = "Amara Okafor"
timezone = "America/New_York"
hours = "09:00-17:00"

[[team.members]]
username = "bruno"
name = "Bruno Fernández"
timezone = "Europe/Madrid"
hours = "08:30-16:30"

[[team.members]]
username = "chen"
name = "Chen Wei"
timezone = "Asia/Singapore"
hours = "09:00-18:00"
away = ["2026-12"]

[[team.members]]
username = "dana"
name = "Dana Kowalski"
timezone = "Europe/Warsaw"
hours = "10:00-18:00"

[shadowing]
project = "support-ops/support-shadowing"
improvement_project = "support-ops/support-ops-project"
labels = ["Support Shadowing"]

[shadowing.regions.AMER]
managers = ["amer-manager"]
timezone = "America/Chicago"

[shadowing.regions.EMEA]
managers = ["emea-manager", "emea-lead"]
timezone = "Europe/London"

[shadowing.regions.APAC]
managers = ["apac-manager"]
timezone = "Australia/Sydney"
"#;

fn now() -> Timestamp {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

/// After the session [`request`] schedules (3 December).
fn after_the_session() -> Timestamp {
    "2026-12-04T10:00:00Z".parse().unwrap()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// A store, a tracker and the configuration.
struct Harness {
    store: SqliteStore,
    tracker: Arc<dyn Tracker>,
    sh: Shadowing,
    gitlab: Option<FakeGitLab>,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn local() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let at = now();
        let tracker = LocalTracker::new(store.clone()).with_clock(Arc::new(move || at));
        Harness {
            store,
            tracker: Arc::new(tracker),
            sh: shadowing(),
            gitlab: None,
            _dir: dir,
        }
    }

    async fn gitlab() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let fake = FakeGitLab::start().await;
        fake.add_project(SHADOWING);
        fake.add_project(IMPROVEMENTS);
        for (user, name) in [
            ("amara", "Amara Okafor"),
            ("bruno", "Bruno Fernández"),
            ("chen", "Chen Wei"),
            ("dana", "Dana Kowalski"),
        ] {
            fake.add_user(user, name);
        }
        fake.add_template(
            SHADOWING,
            "Support Shadowing",
            "## What we saw\n\n<!-- notes -->\n\n/label ~\"shadowing::scheduled\"\n",
        );
        let tracker = GitLab::new(GitLabOptions {
            base_url: fake.base_url().to_owned(),
            token: fake.token().to_owned().into(),
            token_env: "GITLAB_TOKEN".to_owned(),
            timeout: Duration::from_secs(5),
            max_retries: 2,
        })
        .unwrap()
        .with_backoff(Duration::from_millis(5), Duration::from_millis(20));
        Harness {
            store,
            tracker: Arc::new(tracker),
            sh: shadowing(),
            gitlab: Some(fake),
            _dir: dir,
        }
    }

    /// Plans and records December's sessions; returns them.
    async fn planned(&self) -> Vec<ShadowSession> {
        let report = shadow::plan(&self.store, &self.sh, month("2026-12"), &[], true, now())
            .await
            .unwrap();
        let mut out = Vec::new();
        for line in report.sessions {
            out.push(self.store.session(line.id.unwrap()).await.unwrap().unwrap());
        }
        out
    }

    /// The planned session of `member`.
    async fn session_of(&self, member: &str) -> ShadowSession {
        self.planned()
            .await
            .into_iter()
            .find(|s| s.member == member)
            .unwrap()
    }

    async fn schedule(&self, id: SessionId, dry_run: bool) -> shadow::ScheduleReport {
        shadow::schedule(
            &self.store,
            &*self.tracker,
            &self.sh,
            &request(id, dry_run),
            now(),
        )
        .await
        .unwrap()
    }

    async fn issues(&self, project: &str) -> Vec<Issue> {
        self.tracker
            .list_issues(project, &IssueQuery::default())
            .await
            .unwrap()
    }
}

fn shadowing() -> Shadowing {
    let config = Config::from_toml(CONFIG, "test.toml", &[]).unwrap();
    Shadowing::from_config(&config, None).unwrap()
}

fn request(id: SessionId, dry_run: bool) -> ScheduleRequest {
    ScheduleRequest {
        id,
        engineer: Some("eve".into()),
        at: "2026-12-03 10:00".into(),
        zone: None,
        force: false,
        dry_run,
    }
}

/// A store that fails to save session changes, as a crash between the tracker and the store
/// would leave things.
struct FailingSaves(SqliteStore);

#[async_trait::async_trait]
impl ShadowStore for FailingSaves {
    async fn add_sessions(
        &self,
        s: &[supportops_domain::shadow::NewSession],
        at: Timestamp,
    ) -> Result<Vec<ShadowSession>, StoreError> {
        self.0.add_sessions(s, at).await
    }
    async fn session(&self, id: SessionId) -> Result<Option<ShadowSession>, StoreError> {
        self.0.session(id).await
    }
    async fn sessions(&self, q: &SessionQuery) -> Result<Vec<ShadowSession>, StoreError> {
        self.0.sessions(q).await
    }
    async fn update_session(&self, _: &ShadowSession, _: SessionState) -> Result<(), StoreError> {
        Err(StoreError::Query {
            doing: "saving a shadowing session".into(),
            message: "disk I/O error".into(),
        })
    }
    async fn add_improvement(
        &self,
        _: SessionId,
        _: &supportops_domain::shadow::Improvement,
    ) -> Result<(), StoreError> {
        Err(StoreError::Query {
            doing: "recording an improvement issue".into(),
            message: "disk I/O error".into(),
        })
    }
}

async fn schedule_files_an_issue_that_asks_the_managers(h: Harness) {
    let s = h.session_of("bruno").await;
    assert_eq!(s.region, "EMEA");
    let report = h.schedule(s.id, false).await;
    assert_eq!(report.session.state, SessionState::Scheduled);
    assert_eq!(report.session.engineer.as_deref(), Some("eve"));
    let issues = h.issues(SHADOWING).await;
    assert_eq!(issues.len(), 1);
    let issue = &issues[0];
    assert_eq!(
        Some(&issue.web_url),
        report.filed.as_ref().map(|f| &f.web_url)
    );
    assert!(
        issue
            .description
            .contains("@emea-manager @emea-lead: please help confirm @eve for this session"),
        "{}",
        issue.description
    );
    assert!(
        issue
            .description
            .contains("Thu 3 Dec 2026, 10:00–11:00 CET")
    );
    assert!(
        issue
            .description
            .contains("Thu 3 Dec 2026, 09:00–10:00 GMT")
    );
    assert_eq!(issue.assignees, ["bruno"]);
    assert!(issue.labels.contains(&"Support Shadowing".to_owned()));
    let stored = h.store.session(s.id).await.unwrap().unwrap();
    assert_eq!(stored, report.session);
    assert_eq!(stored.issue.unwrap().web_url, issue.web_url);
}

async fn scheduling_twice_is_refused(h: Harness) {
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let err = shadow::schedule(&h.store, &*h.tracker, &h.sh, &request(s.id, false), now())
        .await
        .unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string()
            .contains("is scheduled, so it cannot become scheduled"),
        "{err}"
    );
    assert_eq!(h.issues(SHADOWING).await.len(), 1);
}

async fn a_dry_run_files_and_records_nothing(h: Harness) {
    let s = h.session_of("bruno").await;
    let report = h.schedule(s.id, true).await;
    assert!(report.dry_run);
    assert!(report.issue.description.contains("@emea-manager"));
    assert!(h.issues(SHADOWING).await.is_empty());
    assert_eq!(
        h.store.session(s.id).await.unwrap().unwrap().state,
        SessionState::Planned
    );
}

async fn an_interrupted_schedule_is_finished_without_a_second_issue(h: Harness) {
    let s = h.session_of("bruno").await;
    let broken = FailingSaves(h.store.clone());
    let err = shadow::schedule(&broken, &*h.tracker, &h.sh, &request(s.id, false), now())
        .await
        .unwrap_err();
    assert!(matches!(err, ShadowError::NotRecorded { .. }), "{err}");
    assert!(!err.is_bad_input());
    assert_eq!(h.issues(SHADOWING).await.len(), 1);

    let report = h.schedule(s.id, false).await;
    assert!(report.found_existing);
    assert_eq!(h.issues(SHADOWING).await.len(), 1);
    assert_eq!(
        h.store.session(s.id).await.unwrap().unwrap().state,
        SessionState::Scheduled
    );
}

/// An issue filed by an earlier release, whose marker wrote a name with `ó` unencoded, is
/// still found: scheduling files no second issue.
async fn an_issue_under_an_earlier_releases_marker_is_found(mut h: Harness) {
    let config =
        Config::from_toml(&CONFIG.replace("\"bruno\"", "\"brunó\""), "t.toml", &[]).unwrap();
    h.sh = Shadowing::from_config(&config, None).unwrap();
    let s = h.session_of("brunó").await;
    let legacy = format!(
        "<!-- supportops:shadowing-session={}/brunó/{} -->",
        s.id, s.region
    );
    h.tracker
        .create_issue(
            SHADOWING,
            &NewIssue {
                title: "Support Shadowing: Bruno".into(),
                description: format!("Filed by an earlier release.\n\n{legacy}\n"),
                ..NewIssue::default()
            },
        )
        .await
        .unwrap();

    let report = h.schedule(s.id, false).await;
    assert!(report.found_existing);
    assert_eq!(h.issues(SHADOWING).await.len(), 1);
}

async fn done_notes_and_closes_the_issue(h: Harness) {
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let report = shadow::done(
        &h.store,
        &*h.tracker,
        s.id,
        Some("Macros are hard to find.".into()),
        false,
        after_the_session(),
    )
    .await
    .unwrap();
    assert_eq!(
        report.tracker_actions.len(),
        2,
        "{:?}",
        report.tracker_actions
    );
    let issue = &h.issues(SHADOWING).await[0];
    assert_eq!(issue.state, IssueState::Closed);
    let notes = h.tracker.notes(SHADOWING, issue.iid).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.body.contains("Macros are hard to find."))
    );
    let stored = h.store.session(s.id).await.unwrap().unwrap();
    assert_eq!(stored.state, SessionState::Done);
    assert_eq!(stored.notes.as_deref(), Some("Macros are hard to find."));
}

async fn cancelling_a_planned_session_touches_no_tracker(h: Harness) {
    let s = h.session_of("amara").await;
    let report = shadow::cancel(&h.store, &*h.tracker, s.id, "on call", false, now())
        .await
        .unwrap();
    assert!(report.tracker_actions.is_empty());
    let stored = h.store.session(s.id).await.unwrap().unwrap();
    assert_eq!(stored.state, SessionState::Cancelled);
    assert_eq!(stored.cancel_reason.as_deref(), Some("on call"));
    let err = shadow::done(&h.store, &*h.tracker, s.id, None, false, now())
        .await
        .unwrap_err();
    assert!(err.is_bad_input(), "{err}");
}

async fn improve_links_the_shadowing_issue_and_records_it(h: Harness) {
    let s = h.session_of("bruno").await;
    let scheduled = h.schedule(s.id, false).await;
    let url = scheduled.filed.unwrap().web_url;
    let report = shadow::improve(
        &h.store,
        &*h.tracker,
        &h.sh,
        s.id,
        "Make macros searchable",
        Some("Engineers cannot find macros by keyword."),
        false,
    )
    .await
    .unwrap();
    let issues = h.issues(IMPROVEMENTS).await;
    assert_eq!(issues.len(), 1);
    assert!(
        issues[0]
            .description
            .starts_with("Engineers cannot find macros by keyword.")
    );
    assert!(
        issues[0].description.contains(&format!(
            "Found while shadowing: {url} (Bruno Fernández with @eve, EMEA"
        )),
        "{}",
        issues[0].description
    );
    let stored = h.store.session(s.id).await.unwrap().unwrap();
    assert_eq!(stored.improvements.len(), 1);
    assert_eq!(stored.improvements[0].issue.web_url, issues[0].web_url);
    assert_eq!(report.session.improvements, stored.improvements);
    let shadowing = &h.issues(SHADOWING).await[0];
    let notes = h.tracker.notes(SHADOWING, shadowing.iid).await.unwrap();
    assert!(notes.iter().any(|n| n.body.contains(&issues[0].web_url)));
}

async fn an_interrupted_improve_is_finished_without_a_second_issue(h: Harness) {
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let broken = FailingSaves(h.store.clone());
    let err = shadow::improve(
        &broken,
        &*h.tracker,
        &h.sh,
        s.id,
        "Faster views",
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ShadowError::NotRecorded { .. }), "{err}");
    let report = shadow::improve(
        &h.store,
        &*h.tracker,
        &h.sh,
        s.id,
        "Faster views",
        None,
        false,
    )
    .await
    .unwrap();
    assert!(report.found_existing);
    assert_eq!(h.issues(IMPROVEMENTS).await.len(), 1);
    assert_eq!(
        h.store
            .session(s.id)
            .await
            .unwrap()
            .unwrap()
            .improvements
            .len(),
        1
    );
}

async fn improving_a_planned_session_is_refused(h: Harness) {
    let s = h.session_of("bruno").await;
    let err = shadow::improve(&h.store, &*h.tracker, &h.sh, s.id, "x", None, false)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "session {} is planned; improvements are filed from scheduled or done sessions, so schedule it first",
            s.id
        )
    );
    assert!(h.issues(IMPROVEMENTS).await.is_empty());
}

async fn reschedule_notes_the_new_time_on_the_same_issue(h: Harness) {
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let req = shadow::RescheduleRequest {
        id: s.id,
        at: "2026-12-10 11:00".into(),
        zone: None,
        force: false,
        dry_run: false,
    };
    let report = shadow::reschedule(&h.store, &*h.tracker, &h.sh, &req, now())
        .await
        .unwrap();
    assert_eq!(
        report.tracker_actions.len(),
        1,
        "{:?}",
        report.tracker_actions
    );
    let issues = h.issues(SHADOWING).await;
    assert_eq!(issues.len(), 1, "no second issue");
    let notes = h.tracker.notes(SHADOWING, issues[0].iid).await.unwrap();
    let note = notes
        .iter()
        .find(|n| n.body.contains("Rescheduled"))
        .expect("a note with the new time");
    assert!(
        note.body.contains("Thu 10 Dec 2026, 11:00–12:00 CET"),
        "{}",
        note.body
    );
    assert!(
        note.body.contains("Thu 10 Dec 2026, 10:00–11:00 GMT"),
        "{}",
        note.body
    );
    let stored = h.store.session(s.id).await.unwrap().unwrap();
    assert_eq!(stored.start, Some("2026-12-10T10:00:00Z".parse().unwrap()));
    assert_eq!(stored.state, SessionState::Scheduled);
    // Again: the note is found by its marker and not added twice.
    let again = shadow::reschedule(&h.store, &*h.tracker, &h.sh, &req, now())
        .await
        .unwrap();
    assert!(
        again.tracker_actions.is_empty(),
        "{:?}",
        again.tracker_actions
    );
}

async fn done_before_the_session_starts_is_refused(h: Harness) {
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let err = shadow::done(&h.store, &*h.tracker, s.id, None, false, now())
        .await
        .unwrap_err();
    assert!(err.is_bad_input(), "{err}");
    assert!(err.to_string().contains("cannot be done yet"), "{err}");
    assert_eq!(
        h.store.session(s.id).await.unwrap().unwrap().state,
        SessionState::Scheduled
    );
    assert_eq!(h.issues(SHADOWING).await[0].state, IssueState::Opened);
}

macro_rules! scenarios {
    ($harness:ident: $($name:ident),* $(,)?) => {
        mod $harness {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Harness::$harness().await).await;
                }
            )*
        }
    };
}

scenarios!(local:
    schedule_files_an_issue_that_asks_the_managers,
    scheduling_twice_is_refused,
    a_dry_run_files_and_records_nothing,
    an_interrupted_schedule_is_finished_without_a_second_issue,
    an_issue_under_an_earlier_releases_marker_is_found,
    done_notes_and_closes_the_issue,
    cancelling_a_planned_session_touches_no_tracker,
    improve_links_the_shadowing_issue_and_records_it,
    an_interrupted_improve_is_finished_without_a_second_issue,
    improving_a_planned_session_is_refused,
    reschedule_notes_the_new_time_on_the_same_issue,
    done_before_the_session_starts_is_refused,
);

scenarios!(gitlab:
    schedule_files_an_issue_that_asks_the_managers,
    scheduling_twice_is_refused,
    a_dry_run_files_and_records_nothing,
    an_interrupted_schedule_is_finished_without_a_second_issue,
    an_issue_under_an_earlier_releases_marker_is_found,
    done_notes_and_closes_the_issue,
    cancelling_a_planned_session_touches_no_tracker,
    improve_links_the_shadowing_issue_and_records_it,
    an_interrupted_improve_is_finished_without_a_second_issue,
    improving_a_planned_session_is_refused,
    reschedule_notes_the_new_time_on_the_same_issue,
    done_before_the_session_starts_is_refused,
);

/// The Support Shadowing issue as GitLab receives it: the generated section, the project's
/// template (its quick action left for GitLab to run), the marker.
#[tokio::test]
async fn gitlab_shadowing_issue_body() {
    let h = Harness::gitlab().await;
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let fake = h.gitlab.as_ref().unwrap();
    let issue = &fake.issues(SHADOWING)[0];
    assert!(
        issue.labels.contains(&"shadowing::scheduled".to_owned()),
        "{:?}",
        issue.labels
    );
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @"
    # Support Shadowing: Bruno Fernández shadows EMEA on 2026-12-03

    **Bruno Fernández** (@bruno) shadows @eve, a Support Engineer in **EMEA**.

    - **Bruno Fernández's time** (Europe/Madrid): Thu 3 Dec 2026, 10:00–11:00 CET
    - **EMEA time** (Europe/London): Thu 3 Dec 2026, 09:00–10:00 GMT
    - **Length:** 60 minutes
    - **Counts toward:** 2026-12 (session 1)

    @emea-manager @emea-lead: please help confirm @eve for this session, or find another Support Engineer in EMEA.

    ## What we saw

    <!-- notes -->


    <!-- supportops:shadowing-session=1/bruno/EMEA -->
    ");
}

/// The Support Shadowing issue as the local tracker stores it: its built-in template places the
/// generated section under its own `## Session` heading, once.
#[tokio::test]
async fn local_shadowing_issue_body() {
    let h = Harness::local().await;
    let s = h.session_of("bruno").await;
    h.schedule(s.id, false).await;
    let issue = &h.issues(SHADOWING).await[0];
    assert!(
        issue
            .description
            .starts_with("## Session\n\n**Bruno Fernández** (@bruno) shadows"),
        "{}",
        issue.description
    );
    assert_eq!(issue.description.matches("## Session").count(), 1);
    insta::assert_snapshot!(format!("# {}\n\n{}", issue.title, issue.description), @"
    # Support Shadowing: Bruno Fernández shadows EMEA on 2026-12-03

    ## Session

    **Bruno Fernández** (@bruno) shadows @eve, a Support Engineer in **EMEA**.

    - **Bruno Fernández's time** (Europe/Madrid): Thu 3 Dec 2026, 10:00–11:00 CET
    - **EMEA time** (Europe/London): Thu 3 Dec 2026, 09:00–10:00 GMT
    - **Length:** 60 minutes
    - **Counts toward:** 2026-12 (session 1)

    @emea-manager @emea-lead: please help confirm @eve for this session, or find another Support Engineer in EMEA.

    ## What we saw

    <!-- Where did Zendesk or GitLab slow the engineer down? What did they work around? -->

    ## Improvements

    <!-- File each improvement with `supportops shadow improve`: it links back to this issue. -->

    <!-- supportops:shadowing-session=1/bruno/EMEA -->
    ");
}

/// The plan for December: Chen is away, every other member gets a region, with reasons.
#[tokio::test]
async fn plan_apply_records_sessions_once() {
    let h = Harness::local().await;
    let first = shadow::plan(&h.store, &h.sh, month("2026-12"), &[], true, now())
        .await
        .unwrap();
    assert!(first.applied);
    assert_eq!(first.sessions.len(), 3);
    assert!(first.sessions.iter().all(|s| s.id.is_some()));
    assert_eq!(first.skipped[0].member, "chen");
    let again = shadow::plan(&h.store, &h.sh, month("2026-12"), &[], true, now())
        .await
        .unwrap();
    assert!(again.sessions.is_empty(), "{:?}", again.sessions);
    assert_eq!(again.arranged.len(), 3);
    let all = h.store.sessions(&SessionQuery::default()).await.unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn the_demo_history_shows_a_year_with_a_warning() {
    let h = Harness::local().await;
    let config = Config::from_toml(CONFIG, "test.toml", &[]).unwrap();
    let today = jiff::civil::date(2026, 11, 20);
    let n = shadow::load_demo_history(&h.store, &config, today)
        .await
        .unwrap();
    // Every month from a year back to this one is planned, and each session it counts is
    // stored.
    let stored = h.store.sessions(&SessionQuery::default()).await.unwrap();
    assert_eq!(n, stored.len());
    let months: std::collections::BTreeSet<String> =
        stored.iter().map(|s| s.month.to_string()).collect();
    assert_eq!(months.len(), 13, "{months:?}");
    assert_eq!(months.first().map(String::as_str), Some("2025-11"));
    assert_eq!(months.last().map(String::as_str), Some("2026-11"));
    assert_eq!(
        shadow::load_demo_history(&h.store, &config, today)
            .await
            .unwrap(),
        0
    );
    let report = shadow::coverage(&h.store, &h.sh, None, now())
        .await
        .unwrap();
    let periods: Vec<String> = report
        .periods
        .iter()
        .map(|p| p.period.to_string())
        .collect();
    assert_eq!(periods, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.period.to_string() == "2026-Q3" && w.message.contains("missed its target")),
        "{:#?}",
        report.warnings
    );
    let planned = h
        .store
        .sessions(&SessionQuery {
            from: Some(month("2026-11")),
            ..SessionQuery::default()
        })
        .await
        .unwrap();
    assert!(planned.iter().all(|s| s.state == SessionState::Planned));
    assert!(!planned.is_empty());
}
