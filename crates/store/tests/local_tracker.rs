//! The local tracker behaves like a GitLab project where callers depend on it: per-project
//! issue numbers, links, search in descriptions, labels, states, notes, quick actions and
//! templates.

use std::sync::Arc;

use supportops_ports::tracker::{IssueQuery, IssueState, NewIssue, Tracker, TrackerError};
use supportops_store::LocalTracker;

#[macro_use]
mod common;
use common::{File, at};

struct Env {
    tracker: LocalTracker,
    _file: File,
}

async fn open(file: File) -> Env {
    let store = file.open().await;
    let start = at("2026-02-01T09:00:00Z");
    let ticks = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let clock = Arc::new(move || {
        let n = ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        start
            .checked_add(jiff::SignedDuration::from_mins(n))
            .expect("in range")
    });
    Env {
        tracker: LocalTracker::new(store).with_clock(clock),
        _file: file,
    }
}

/// The numbers of the issues of project `fr` that `query` lists.
async fn iids(t: &LocalTracker, query: IssueQuery) -> Vec<u64> {
    t.list_issues("fr", &query)
        .await
        .expect("list")
        .into_iter()
        .map(|i| i.iid)
        .collect()
}

fn new_issue(title: &str, description: &str) -> NewIssue {
    NewIssue {
        title: title.into(),
        description: description.into(),
        labels: vec!["Feedback Review".into()],
        assignees: vec!["alice".into(), "@bob".into()],
    }
}

contract! {
    async fn issue_numbers_count_per_project_and_links_name_them(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        let a1 = t
            .create_issue("fr", &new_issue("one", ""))
            .await
            .expect("create");
        let b1 = t
            .create_issue("other/p", &new_issue("two", ""))
            .await
            .expect("create");
        let a2 = t
            .create_issue("fr", &new_issue("three", ""))
            .await
            .expect("create");
        assert_eq!((a1.iid, b1.iid, a2.iid), (1, 1, 2));
        assert_eq!(a2.web_url, "local://fr/-/issues/2");
        assert_eq!(b1.web_url, "local://other/p/-/issues/1");
        assert_eq!(a1.assignees, ["alice", "bob"]);
        assert_eq!(a1.labels, ["Feedback Review"]);
        assert_eq!(a1.state, IssueState::Opened);
        assert_eq!(t.issue("fr", 2).await.expect("read"), a2);
    }
}

contract! {
    async fn a_missing_issue_is_not_found_naming_it(file: File) {
        let env = open(file).await;
        let err = env.tracker.issue("fr", 7).await.expect_err("no such issue");
        assert!(matches!(err, TrackerError::NotFound { .. }));
        assert_eq!(err.to_string(), "not found: issue #7 in local project `fr`");
    }
}

contract! {
    async fn search_finds_hidden_markers_in_descriptions(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        t.create_issue(
            "fr",
            &new_issue(
                "a",
                "text\n<!-- supportops:subject=https://x/-/issues/1 -->\n",
            ),
        )
        .await
        .expect("create");
        t.create_issue(
            "fr",
            &new_issue("b", "<!-- supportops:subject=https://x/-/issues/12 -->"),
        )
        .await
        .expect("create");
        let found = |search: &str| {
            let query = IssueQuery {
                search: Some(search.into()),
                ..IssueQuery::default()
            };
            async move {
                t.list_issues("fr", &query)
                    .await
                    .expect("list")
                    .into_iter()
                    .map(|i| i.iid)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            found("supportops:subject=https://x/-/issues/1").await,
            [1, 2]
        );
        assert_eq!(found("supportops:subject=https://x/-/issues/12").await, [2]);
        assert_eq!(found("SUPPORTOPS:SUBJECT").await, [1, 2]);
        assert_eq!(found("nowhere").await, Vec::<u64>::new());
    }
}

contract! {
    async fn labels_states_and_time_filters_narrow_the_list(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        for title in ["a", "b", "c"] {
            t.create_issue("fr", &new_issue(title, ""))
                .await
                .expect("create");
        }
        let closed = t
            .set_state("fr", 1, IssueState::Closed)
            .await
            .expect("close");
        assert!(closed.closed_at.is_some());
        let labelled = t
            .update_labels("fr", 2, &["review-outcome::resolved".into()], &[])
            .await
            .expect("label");
        assert_eq!(
            labelled.labels,
            ["Feedback Review", "review-outcome::resolved"]
        );
        let relabelled = t
            .update_labels("fr", 2, &["review-outcome::not-resolved".into()], &[])
            .await
            .expect("label");
        assert_eq!(labelled.labels.len(), relabelled.labels.len());
        assert_eq!(relabelled.labels[1], "review-outcome::not-resolved");

        let opened = IssueQuery {
            state: Some(IssueState::Opened),
            ..IssueQuery::default()
        };
        assert_eq!(iids(t, opened).await, [2, 3]);
        let scoped = IssueQuery {
            labels: vec!["review-outcome::not-resolved".into()],
            ..IssueQuery::default()
        };
        assert_eq!(iids(t, scoped).await, [2]);
        let later = IssueQuery {
            created_after: Some("2026-02-01T09:01:30Z".parse().expect("a timestamp")),
            ..IssueQuery::default()
        };
        // Each change ticks the clock a minute: issue 1 at 09:00, 2 at 09:01, 3 at 09:02.
        assert_eq!(iids(t, later).await, [3]);
        let by_number = IssueQuery {
            iids: vec![3, 1, 9],
            ..IssueQuery::default()
        };
        assert_eq!(iids(t, by_number).await, [1, 3]);
        let open_by_number = IssueQuery {
            iids: vec![1, 2],
            state: Some(IssueState::Opened),
            ..IssueQuery::default()
        };
        assert_eq!(iids(t, open_by_number).await, [2]);

        let reopened = t
            .set_state("fr", 1, IssueState::Opened)
            .await
            .expect("reopen");
        assert_eq!(reopened.closed_at, None);
    }
}

contract! {
    async fn notes_are_kept_in_order(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        t.create_issue("fr", &new_issue("a", ""))
            .await
            .expect("create");
        let first = t.add_note("fr", 1, "first").await.expect("note");
        let second = t.add_note("fr", 1, "second").await.expect("note");
        assert!(second.id > first.id);
        let notes = t.notes("fr", 1).await.expect("notes");
        let bodies: Vec<&str> = notes.iter().map(|n| n.body.as_str()).collect();
        assert_eq!(bodies, ["first", "second"]);
        assert_eq!(notes[0].author, "supportops");
        assert!(matches!(
            t.add_note("fr", 9, "lost").await,
            Err(TrackerError::NotFound { .. })
        ));
    }
}

contract! {
    async fn quick_actions_in_descriptions_and_notes_are_applied(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        let issue = t
            .create_issue(
                "fr",
                &new_issue(
                    "a",
                    "Intro\n/label ~\"needs triage\" ~bug\n/assign @carol\nOutro\n",
                ),
            )
            .await
            .expect("create");
        assert_eq!(issue.description, "Intro\nOutro\n");
        assert_eq!(issue.labels, ["Feedback Review", "needs triage", "bug"]);
        assert_eq!(issue.assignees, ["alice", "bob", "carol"]);

        let note = t
            .add_note("fr", 1, "Done here.\n/close\n")
            .await
            .expect("note");
        assert_eq!(note.body, "Done here.\n");
        let after = t.issue("fr", 1).await.expect("read");
        assert_eq!(after.state, IssueState::Closed);
    }
}

contract! {
    async fn templates_are_built_in_or_configured(file: File) {
        let env = open(file).await;
        let review = env
            .tracker
            .read_template("fr", "Feedback Review")
            .await
            .expect("read")
            .expect("a built-in template");
        assert!(review.contains("## Action plan"), "{review}");
        let shadowing = env
            .tracker
            .read_template("ss", "Support Shadowing")
            .await
            .expect("read")
            .expect("a built-in template");
        assert!(shadowing.contains("## Session"), "{shadowing}");
        assert_eq!(
            env.tracker.read_template("fr", "Nope").await.expect("read"),
            None
        );
        let custom = env
            .tracker
            .clone()
            .with_template("Feedback Review", "Custom {{ reference }}");
        assert_eq!(
            custom
                .read_template("fr", "Feedback Review")
                .await
                .expect("read")
                .as_deref(),
            Some("Custom {{ reference }}")
        );
    }
}

contract! {
    async fn users_get_stable_ids_and_groups_are_explained(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        let users = t
            .resolve_users(&["alice".into(), "@bob".into()])
            .await
            .expect("users");
        let again = t.resolve_users(&["bob".into()]).await.expect("users");
        assert_eq!(users[1], again[0]);
        assert_ne!(users[0].id, users[1].id);
        let err = t
            .group_members("gitlab-com/support")
            .await
            .expect_err("no groups");
        assert!(err.to_string().contains("`review.assignees`"), "{err}");
    }
}

contract! {
    async fn issues_are_found_by_their_marker_through_the_index(file: File) {
        let env = open(file).await;
        let t = &env.tracker;
        let a = "<!-- supportops:subject=gitlab.com/a/-/issues/1 -->";
        let b = "<!-- supportops:subject=gitlab.com/a/-/issues/2 -->";
        let one = t
            .create_issue(
                "fr",
                &new_issue(
                    "one",
                    &format!("text\n{a}\n<!-- supportops:responses=h:1,h:2 -->\n"),
                ),
            )
            .await
            .expect("create");
        t.create_issue("other/p", &new_issue("elsewhere", a))
            .await
            .expect("create");
        t.create_issue("fr", &new_issue("no marker", "plain"))
            .await
            .expect("create");

        let found = t
            .marked_issues("fr", a)
            .await
            .expect("looked up")
            .expect("the local tracker keeps an index");
        assert_eq!(
            found
                .iter()
                .map(|i| (i.project.as_str(), i.iid))
                .collect::<Vec<_>>(),
            [("fr", one.iid)],
            "only the project asked for"
        );
        let responses = t
            .marked_issues("fr", "<!-- supportops:responses=h:1,h:2 -->")
            .await
            .expect("looked up")
            .expect("an index");
        assert!(responses.is_empty(), "a list of responses is not a marker");

        // An edited description moves the issue to its new marker.
        t.edit_description("fr", one.iid, &format!("moved\n{b}\n"))
            .await
            .expect("edited");
        let under_a = t.marked_issues("fr", a).await.expect("looked up");
        let under_b = t.marked_issues("fr", b).await.expect("looked up");
        assert_eq!(under_a.map(|v| v.len()), Some(0));
        assert_eq!(
            under_b.map(|v| v.into_iter().map(|i| i.iid).collect::<Vec<_>>()),
            Some(vec![one.iid])
        );
    }
}

#[tokio::test]
async fn the_marker_lookup_uses_the_index_not_a_scan() {
    let file = File::new();
    let _store = file.open().await;
    let pool = sqlx::SqlitePool::connect(&file.url)
        .await
        .expect("connects");
    let plan: Vec<String> = sqlx::query_as::<_, (i64, i64, i64, String)>(
        "EXPLAIN QUERY PLAN SELECT id FROM local_issues WHERE project = 'fr' AND id IN \
         (SELECT issue_id FROM local_issue_markers WHERE marker = 'm') ORDER BY iid",
    )
    .fetch_all(&pool)
    .await
    .expect("a query plan")
    .into_iter()
    .map(|r| r.3)
    .collect();
    assert!(
        plan.iter()
            .any(|step| step.contains("USING INDEX local_issue_markers_by_marker")),
        "{plan:#?}"
    );
}

/// A store made before the marker index had its issues' markers backfilled when opened.
#[tokio::test]
async fn markers_of_issues_kept_before_the_index_are_backfilled() {
    let file = File::new();
    let store = file.open().await;
    let t = LocalTracker::new(store.clone());
    let a = "<!-- supportops:subject=gitlab.com/a/-/issues/1 -->";
    let b = "<!-- supportops:shadowing-session=4/chen/APAC -->";
    let made = t
        .create_issue(
            "fr",
            &new_issue(
                "both",
                &format!("x {a} y\n<!-- supportops:responses=h:1 -->\n{b}\n"),
            ),
        )
        .await
        .expect("create");
    drop(t);
    drop(store);
    // Back to how the store was before migration 12.
    let pool = sqlx::SqlitePool::connect(&file.url)
        .await
        .expect("connects");
    sqlx::query("DROP TABLE local_issue_markers")
        .execute(&pool)
        .await
        .expect("dropped");
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 12")
        .execute(&pool)
        .await
        .expect("forgotten");
    pool.close().await;

    let t = LocalTracker::new(file.open().await);
    for marker in [a, b] {
        let found = t
            .marked_issues("fr", marker)
            .await
            .expect("looked up")
            .expect("an index");
        assert_eq!(
            found.iter().map(|i| i.iid).collect::<Vec<_>>(),
            [made.iid],
            "{marker}"
        );
    }
    let responses = t
        .marked_issues("fr", "<!-- supportops:responses=h:1 -->")
        .await
        .expect("looked up")
        .expect("an index");
    assert!(responses.is_empty());
}

contract! {
    async fn issues_created_or_changed_since_an_instant_are_listed_to_the_fraction(file: File) {
        let store = file.open().await;
        // Issues 1, 2 and 3 created within two seconds; issue 1 closed a minute later.
        let times = [
            "2026-02-01T09:00:00.250Z",
            "2026-02-01T09:00:00.750Z",
            "2026-02-01T09:00:01Z",
            "2026-02-01T09:01:00Z",
        ];
        let ticks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let clock = Arc::new(move || {
            let n = ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            at(times[n.min(times.len() - 1)])
        });
        let t = LocalTracker::new(store).with_clock(clock);
        for title in ["one", "two", "three"] {
            t.create_issue("fr", &new_issue(title, "")).await.expect("create");
        }
        t.set_state("fr", 1, IssueState::Closed).await.expect("close");
        let created = IssueQuery {
            created_after: Some(at("2026-02-01T09:00:00.500Z")),
            ..IssueQuery::default()
        };
        assert_eq!(iids(&t, created).await, [2, 3]);
        let changed = IssueQuery {
            updated_after: Some(at("2026-02-01T09:00:00.750Z")),
            ..IssueQuery::default()
        };
        assert_eq!(iids(&t, changed).await, [1, 2, 3]);
        let closed_since = IssueQuery {
            state: Some(IssueState::Closed),
            updated_after: Some(at("2026-02-01T09:00:30Z")),
            ..IssueQuery::default()
        };
        assert_eq!(iids(&t, closed_since).await, [1]);
        let none = IssueQuery {
            updated_after: Some(at("2026-02-01T09:01:00.001Z")),
            ..IssueQuery::default()
        };
        assert_eq!(iids(&t, none).await, Vec::<u64>::new());
    }
}
