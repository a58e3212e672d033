//! The agenda's parts, caps and Markdown.

use jiff::civil::date;

use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn issue(iid: u64, created: &str) -> ReviewIssue {
    ReviewIssue {
        iid,
        title: format!("Feedback review {iid}"),
        web_url: format!("https://gitlab.example/fr/-/issues/{iid}"),
        subject: Some(format!("https://gitlab.example/ops/-/issues/{}", iid + 100)),
        state: ReviewState::Open,
        created_at: ts(created),
        closed_at: None,
        has_action_plan: false,
        bands: BandMix {
            red: 1,
            ..BandMix::default()
        },
        responses: 1,
        outcome: None,
    }
}

fn since_nov_3() -> Since {
    Since {
        date: date(2026, 11, 3),
        at: ts("2026-11-03T15:00:00Z"),
        kind: SinceKind::Held,
    }
}

fn build(issues: &[ReviewIssue], previous: Option<&HeldMeeting>) -> Agenda {
    Agenda::build(&input(issues, previous))
}

fn input<'a>(issues: &'a [ReviewIssue], previous: Option<&'a HeldMeeting>) -> AgendaInput<'a> {
    AgendaInput {
        title: "Support Ops monthly sync",
        date: date(2026, 12, 1),
        now: ts("2026-11-30T12:00:00Z"),
        since: since_nov_3(),
        previous,
        issues,
        neglected_after_days: 14,
        limit: AGENDA_LIST_LIMIT,
        unread: Unread::default(),
        reviews_url: "/reviews",
    }
}

fn iids(items: &[AgendaItem]) -> Vec<u64> {
    items.iter().map(|i| i.iid).collect()
}

#[test]
fn issues_fall_into_parts_by_creation_and_closing_since_the_last_sync() {
    let mut closed_since = issue(2, "2026-10-01T00:00:00Z");
    closed_since.state = ReviewState::Closed;
    closed_since.closed_at = Some(ts("2026-11-20T00:00:00Z"));
    let mut closed_before = issue(3, "2026-10-01T00:00:00Z");
    closed_before.state = ReviewState::Closed;
    closed_before.closed_at = Some(ts("2026-10-20T00:00:00Z"));
    let issues = [
        issue(1, "2026-10-01T00:00:00Z"), // open, older: part 2
        closed_since,                     // closed since: part 2
        closed_before,                    // closed before the last sync: gone
        issue(4, "2026-11-03T15:00:00Z"), // created as the last sync started: part 1
        issue(5, "2026-11-28T00:00:00Z"), // part 1
        issue(6, "2026-12-05T00:00:00Z"), // not created yet at `now`
    ];
    let agenda = build(&issues, None);
    assert_eq!(iids(&agenda.new_issues), [4, 5]);
    assert_eq!(iids(&agenda.past_issues), [1, 2]);
}

#[test]
fn open_issues_without_a_plan_after_the_threshold_are_neglected() {
    let mut planned = issue(1, "2026-10-01T00:00:00Z");
    planned.has_action_plan = true;
    let issues = [
        planned,
        issue(2, "2026-10-01T00:00:00Z"), // 60 days
        issue(3, "2026-11-16T12:00:00Z"), // exactly 14 days
        issue(4, "2026-11-17T00:00:00Z"), // 13 days
    ];
    let agenda = build(&issues, None);
    let neglected: Vec<(u64, i64)> = agenda
        .neglected
        .iter()
        .map(|n| (n.iid, n.days_without_plan))
        .collect();
    assert_eq!(neglected, [(2, 60), (3, 14)]);
}

#[test]
fn undiscussed_items_carry_forward_to_their_part() {
    let held = HeldMeeting {
        date: date(2026, 11, 3),
        held_at: ts("2026-11-03T15:00:00Z"),
        items: vec![
            MeetingItem {
                iid: 1,
                part: AgendaPart::New,
                discussed: false,
            },
            MeetingItem {
                iid: 2,
                part: AgendaPart::New,
                discussed: true,
            },
        ],
    };
    let issues = [
        issue(1, "2026-10-20T00:00:00Z"),
        issue(2, "2026-10-21T00:00:00Z"),
    ];
    let agenda = build(&issues, Some(&held));
    assert_eq!(iids(&agenda.new_issues), [1]);
    assert_eq!(
        agenda.new_issues[0].carried_forward_from,
        Some(date(2026, 11, 3))
    );
    assert_eq!(iids(&agenda.past_issues), [2]);
}

#[test]
fn issues_discussed_at_the_last_meeting_are_not_new_again() {
    // The meeting started at 15:00 but was recorded later; #1 was filed at 16:00 and made
    // it onto that meeting's agenda.
    let held = HeldMeeting {
        date: date(2026, 11, 3),
        held_at: ts("2026-11-03T15:00:00Z"),
        items: vec![MeetingItem {
            iid: 1,
            part: AgendaPart::New,
            discussed: true,
        }],
    };
    let agenda = build(&[issue(1, "2026-11-03T16:00:00Z")], Some(&held));
    assert_eq!(iids(&agenda.new_issues), Vec::<u64>::new());
    assert_eq!(iids(&agenda.past_issues), [1]);
}

#[test]
fn band_mixes_read_worst_first() {
    let mix = BandMix {
        green: 1,
        yellow: 2,
        red: 0,
        error: 1,
    };
    assert_eq!(mix.to_string(), "1 error, 2 yellow, 1 green");
    assert_eq!(BandMix::default().to_string(), "unknown");
}

#[test]
fn outcomes_round_trip_through_labels() {
    let labels = vec![
        "Feedback Review".to_owned(),
        "review-outcome::not-resolved".to_owned(),
    ];
    assert_eq!(Outcome::from_labels(&labels), Some(Outcome::NotResolved));
    assert_eq!(Outcome::parse("Not_Resolved"), Some(Outcome::NotResolved));
    assert_eq!(Outcome::parse("fixed"), None);
}

#[test]
fn the_markdown_agenda() {
    let mut planned = issue(7, "2026-11-10T09:00:00Z");
    planned.has_action_plan = true;
    planned.title = "Macro | wording [EMEA]".into();
    planned.bands = BandMix {
        yellow: 2,
        red: 1,
        ..BandMix::default()
    };
    planned.responses = 3;
    let mut resolved = issue(3, "2026-09-02T09:00:00Z");
    resolved.state = ReviewState::Closed;
    resolved.closed_at = Some(ts("2026-11-20T10:00:00Z"));
    resolved.has_action_plan = true;
    resolved.outcome = Some(Outcome::Resolved);
    let issues = [issue(2, "2026-10-01T00:00:00Z"), resolved, planned];
    insta::assert_snapshot!(build(&issues, None).to_markdown(), @r"
    # Support Ops monthly sync: Tuesday 2026-12-01

    Since the last monthly sync on 2026-11-03.

    ## 1. New Feedback Review issues: make action plans

    | Issue | Subject | Bands | Responses | Action plan |
    | --- | --- | --- | --- | --- |
    | [#7 Macro \| wording \[EMEA\]](https://gitlab.example/fr/-/issues/7) | https://gitlab.example/ops/-/issues/107 | 1 red, 2 yellow | 3 | yes |

    ## 2. Past Feedback Review issues: did the action plan resolve the problem?

    | Issue | State | Action plan | Outcome |
    | --- | --- | --- | --- |
    | [#2 Feedback review 2](https://gitlab.example/fr/-/issues/2) | open | **none** | not recorded |
    | [#3 Feedback review 3](https://gitlab.example/fr/-/issues/3) | closed 2026-11-20 | yes | resolved |

    ## Neglected: no action plan 14 days after creation

    - [#2 Feedback review 2](https://gitlab.example/fr/-/issues/2): opened 2026-10-01, 60 days ago

    ---

    Record each outcome with `supportops sync outcome ISSUE resolved|not-resolved` and the meeting with `supportops sync held --date 2026-12-01`.
    ");
}

#[test]
fn each_list_shows_at_most_the_limit_and_counts_the_rest() {
    // Four old open issues and seven new ones, all without a plan (so all neglected); the
    // store counts more of each part that were not read.
    let issues: Vec<ReviewIssue> = (1..=4)
        .map(|iid| issue(iid, "2026-10-01T00:00:00Z"))
        .chain((5..=11).map(|iid| issue(iid, "2026-11-10T00:00:00Z")))
        .collect();
    let agenda = Agenda::build(&AgendaInput {
        limit: 3,
        unread: Unread {
            new: 100,
            past: 20,
            aged_open: 15,
        },
        reviews_url: "https://ops.example/reviews",
        ..input(&issues, None)
    });
    assert_eq!(iids(&agenda.new_issues), [5, 6, 7]);
    assert_eq!(iids(&agenda.past_issues), [1, 2, 3]);
    let neglected: Vec<u64> = agenda.neglected.iter().map(|n| n.iid).collect();
    assert_eq!(neglected, [1, 2, 3], "the oldest first");
    assert_eq!(
        agenda.totals,
        AgendaTotals {
            new_issues: 107,
            past_issues: 24,
            neglected: 11,
            unchecked: 15,
        }
    );
    assert_eq!(agenda.items().len(), 6, "only the listed issues are items");
    let md = agenda.to_markdown();
    let from = md.find("## 1.").unwrap();
    insta::assert_snapshot!(&md[from..], @r"
    ## 1. New Feedback Review issues: make action plans

    | Issue | Subject | Bands | Responses | Action plan |
    | --- | --- | --- | --- | --- |
    | [#5 Feedback review 5](https://gitlab.example/fr/-/issues/5) | https://gitlab.example/ops/-/issues/105 | 1 red | 1 | **not yet** |
    | [#6 Feedback review 6](https://gitlab.example/fr/-/issues/6) | https://gitlab.example/ops/-/issues/106 | 1 red | 1 | **not yet** |
    | [#7 Feedback review 7](https://gitlab.example/fr/-/issues/7) | https://gitlab.example/ops/-/issues/107 | 1 red | 1 | **not yet** |

    _104 more new issues are not listed here (this list shows the first 3 by number): see [the Reviews page](https://ops.example/reviews?state=opened)._

    ## 2. Past Feedback Review issues: did the action plan resolve the problem?

    | Issue | State | Action plan | Outcome |
    | --- | --- | --- | --- |
    | [#1 Feedback review 1](https://gitlab.example/fr/-/issues/1) | open | **none** | not recorded |
    | [#2 Feedback review 2](https://gitlab.example/fr/-/issues/2) | open | **none** | not recorded |
    | [#3 Feedback review 3](https://gitlab.example/fr/-/issues/3) | open | **none** | not recorded |

    _21 more past issues are not listed here (this list shows the first 3 by number): see [the Reviews page](https://ops.example/reviews?state=opened)._

    ## Neglected: no action plan 14 days after creation

    - [#1 Feedback review 1](https://gitlab.example/fr/-/issues/1): opened 2026-10-01, 60 days ago
    - [#2 Feedback review 2](https://gitlab.example/fr/-/issues/2): opened 2026-10-01, 60 days ago
    - [#3 Feedback review 3](https://gitlab.example/fr/-/issues/3): opened 2026-10-01, 60 days ago
    - _and 8 more, opened more recently_

    _15 more open issues are 14 days old or more but not listed above, so their action plans were not checked: see [the Reviews page](https://ops.example/reviews?state=opened)._

    ---

    Record each outcome with `supportops sync outcome ISSUE resolved|not-resolved` and the meeting with `supportops sync held --date 2026-12-01`.
    ");
}
