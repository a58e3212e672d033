//! Feedback Review: which flagged responses still need a review issue, how they combine per
//! subject, whether a subject gets a new issue or a note, and the Markdown supportops writes into
//! the tracker (the generated section of an issue, a note, and the hidden markers that let the
//! tracker itself be searched when the local record is missing).
//!
//! The user-editable part of an issue (the project's issue template) is filled elsewhere; this
//! module renders only the generated section that follows it.
//!
//! ```
//! use supportops_domain::review::{marker, title};
//! use supportops_domain::SubjectUrl;
//! let subject = SubjectUrl::parse("https://gitlab.com/a/b/issues/12#note_1");
//! assert_eq!(title(&subject), "Feedback Review: a/b#12");
//! assert_eq!(marker(&subject), "<!-- supportops:subject=https://gitlab.com/a/b/-/issues/12 -->");
//! ```

use serde::{Deserialize, Serialize};

mod markdown;
mod selection;

pub use crate::markers::{
    covered_keys_in, has_marker, marker, marker_search_text, markers_in, responses_marker,
};
pub use markdown::{
    BODY_LIMIT, CELL_LIMIT, cell_text, issue_section, note_body, reference, score_text, title,
};
pub use selection::{
    Decision, ExistingReview, Group, IssueRef, Selection, SkipReason, Skipped, check_subject,
    decide, first_occurrences, select,
};

/// The built-in Feedback Review issue template, used when the review project has none and no
/// `review.template_file` is configured. It is filled like any template (see the `app` crate).
pub const BUILTIN_TEMPLATE: &str = "\
## Summary

Support Ops received feedback that needs a review about {{ reference }}.
Read the responses below, then talk to the people involved where that helps.

## Action plan

<!-- What will Support Ops change so this does not happen again? Agree on it at the monthly sync. -->

## Outcome

<!-- At a later monthly sync: did the action plan resolve the problem? -->
";

/// Where the optional columns shown in review issues are, as zero-based column indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewColumns {
    /// Rating 1–5.
    pub rating: Option<usize>,
    /// The resolution answer.
    pub resolution: Option<usize>,
    /// The values shown.
    pub values: Option<usize>,
    /// The free-text comment.
    pub comment: Option<usize>,
}

/// How review issues and notes are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Which columns to show.
    pub columns: ReviewColumns,
    /// Whether the respondent's identity appears (review issues are often more visible than the
    /// sheet, so it is off by default).
    pub include_submitter: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Band, Response, ResponseKey, ScoredResponse, SubjectUrl};
    use supportops_formula::ErrorKind;
    use supportops_formula::Value;

    fn scored(row: u64, subject: &str, rating: &str, score: Value, band: Band) -> ScoredResponse {
        let timestamp = format!("1/{row}/2026 10:00:00");
        let submitter = format!("user{row}@example.com");
        let cells = vec![
            timestamp.clone(),
            subject.to_owned(),
            "It was not solved".to_owned(),
            "Collaboration".to_owned(),
            format!("comment for row {row}"),
            rating.to_owned(),
            submitter.clone(),
        ];
        ScoredResponse {
            response: Response {
                row,
                key: ResponseKey::derive(&timestamp, subject, &submitter),
                timestamp,
                submitted_at: None,
                subject_raw: subject.to_owned(),
                subject: SubjectUrl::parse(subject),
                submitter: Some(submitter),
                cells,
            },
            score,
            band,
            stored_score: None,
        }
    }

    const COLUMNS: ReviewColumns = ReviewColumns {
        rating: Some(5),
        resolution: Some(2),
        values: Some(3),
        comment: Some(4),
    };

    fn options(include_submitter: bool) -> RenderOptions {
        RenderOptions {
            columns: COLUMNS,
            include_submitter,
        }
    }

    #[test]
    fn flagged_responses_group_by_normalised_subject_in_sheet_order() {
        let rows = vec![
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                3,
                "https://gitlab.com/a/b/-/issues/2",
                "5",
                Value::Number(3.0),
                Band::Green,
            ),
            scored(
                4,
                "https://gitlab.com/a/b/-/issues/2",
                "3",
                Value::Number(1.0),
                Band::Yellow,
            ),
            scored(
                5,
                "https://GITLAB.com/a/b/issues/1/#note_9",
                "2",
                Value::Number(0.0),
                Band::Red,
            ),
            scored(6, "", "1", Value::Number(-1.0), Band::Red),
            scored(
                7,
                "https://gitlab.com/a/b/-/issues/3",
                "x",
                Value::Error(ErrorKind::Value),
                Band::Error,
            ),
        ];
        let selection = select(&rows, |_| false);
        let summary: Vec<(String, Vec<u64>)> = selection
            .groups
            .iter()
            .map(|g| {
                (
                    g.subject.to_string(),
                    g.responses.iter().map(|r| r.response.row).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("https://gitlab.com/a/b/-/issues/1".into(), vec![2, 5]),
                ("https://gitlab.com/a/b/-/issues/2".into(), vec![4]),
                ("https://gitlab.com/a/b/-/issues/3".into(), vec![7]),
            ]
        );
        assert_eq!(selection.flagged, 5);
        assert_eq!(selection.already_covered, 0);
        assert_eq!(selection.skipped.len(), 1);
        assert_eq!(selection.skipped[0].row, 6);
        assert_eq!(selection.skipped[0].reason, SkipReason::NoSubject);
    }

    #[test]
    fn covered_responses_are_counted_not_filed() {
        let rows = vec![
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                3,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
        ];
        let covered = rows[0].response.key.clone();
        let selection = select(&rows, |k| *k == covered);
        assert_eq!(selection.flagged, 2);
        assert_eq!(selection.already_covered, 1);
        assert_eq!(selection.groups.len(), 1);
        assert_eq!(selection.groups[0].responses[0].response.row, 3);
    }

    #[test]
    fn a_repeated_row_is_skipped_as_a_duplicate_of_the_first() {
        let first = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        let mut again = first.clone();
        again.response.row = 9;
        let rows = vec![first, again];
        let selection = select(&rows, |_| false);
        assert_eq!(selection.flagged, 1);
        assert_eq!(selection.groups[0].responses.len(), 1);
        assert_eq!(
            selection.skipped,
            vec![Skipped {
                row: 9,
                key: rows[0].response.key.clone(),
                band: Band::Red,
                reason: SkipReason::Duplicate { of_row: 2 },
            }]
        );
        assert_eq!(
            selection.skipped[0].reason.to_string(),
            "same response as row 2 (same id, or same timestamp, subject and submitter)"
        );
    }

    #[test]
    fn open_review_gets_a_note_closed_review_gets_a_linked_issue() {
        let issue = IssueRef {
            project: "p".into(),
            iid: 4,
            web_url: "local://p/-/issues/4".into(),
        };
        assert_eq!(decide(None), Decision::Create { previous: None });
        assert_eq!(
            decide(Some(&ExistingReview {
                issue: issue.clone(),
                open: true
            })),
            Decision::Note {
                issue: issue.clone()
            }
        );
        assert_eq!(
            decide(Some(&ExistingReview {
                issue: issue.clone(),
                open: false
            })),
            Decision::Create {
                previous: Some(issue)
            }
        );
    }

    #[test]
    fn titles_use_short_references() {
        let t = |s: &str| title(&SubjectUrl::parse(s));
        assert_eq!(
            t("https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12"),
            "Feedback Review: gitlab-com/support/support-ops/zendesk#12"
        );
        assert_eq!(
            t("https://gitlab.com/a/b/merge_requests/7"),
            "Feedback Review: a/b!7"
        );
        // Epics are not review subjects: their link is kept whole.
        assert_eq!(
            t("https://gitlab.com/groups/g/-/epics/3"),
            "Feedback Review: https://gitlab.com/groups/g/-/epics/3"
        );
        assert_eq!(t("ZD macro cleanup"), "Feedback Review: ZD macro cleanup");
        assert_eq!(
            t(&"x".repeat(200)).chars().count(),
            "Feedback Review: ".len() + 120
        );
        assert_eq!(t("@all"), "Feedback Review: `@all`");
    }

    #[test]
    fn only_issue_and_merge_request_links_are_subjects() {
        let check = |raw: &str| check_subject(raw, &SubjectUrl::parse(raw));
        for good in [
            "https://gitlab.com/gitlab-com/support/support-ops/zendesk/-/issues/12",
            "https://gitlab.com/a/b/issues/12#note_3",
            "https://gitlab.example.org/a/b.c/-/merge_requests/7?diff_id=2",
            "http://127.0.0.1:8080/a_b/c-d/-/work_items/1",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for bad in [
            "@all",
            "see https://gitlab.com/a/b/-/issues/4 /close",
            "https://gitlab.com/@gitlab-com/support-team/-/issues/1",
            "https://gitlab.com/a/-/issues/1",
            "https://gitlab.com/groups/g/-/epics/3",
            "https://gitlab.com/a/b/-/issues/x",
            "https://user:pw@gitlab.com/a/b/-/issues/1",
            "https://gitlab.com/a/b/-/pipelines/1",
            "ftp://gitlab.com/a/b/-/issues/1",
            "ZD macro cleanup",
        ] {
            assert_eq!(check(bad), Err(SkipReason::NotAnIssueLink), "{bad}");
        }
        assert_eq!(
            check("https://gitlab.com/a/b/-/issues/1\nhttps://gitlab.com/a/b/-/issues/2"),
            Err(SkipReason::LinkWithControl)
        );
        assert_eq!(
            check("https://gitlab.com/a/b/-/issues/1\u{0}"),
            Err(SkipReason::LinkWithControl)
        );
        // A title never carries a respondent's mention, even for a subject never filed.
        assert_eq!(title(&SubjectUrl::parse("@all")), "Feedback Review: `@all`");
    }

    #[test]
    fn control_characters_go_and_long_cells_are_cut_visibly() {
        assert_eq!(
            cell_text("a\u{0}b\tc\u{1b}[31md\r\ne\rf"),
            "ab c[31md<br>e<br>f"
        );
        let long = "x".repeat(CELL_LIMIT + 2_500);
        let text = cell_text(&long);
        assert!(
            text.ends_with("x… (cut, 2500 characters)"),
            "{}",
            &text[text.len() - 40..]
        );
        assert_eq!(text.chars().filter(|c| *c == 'x').count(), CELL_LIMIT);
    }

    #[test]
    fn markers_never_contain_a_comment_end() {
        let s = SubjectUrl::parse("https://gitlab.com/a--b/c---d/-/issues/1");
        let m = marker(&s);
        assert_eq!(
            m,
            "<!-- supportops:subject=https://gitlab.com/a-%2Db/c-%2D-d/-/issues/1 -->"
        );
        let inner = &m["<!--".len()..m.len() - "-->".len()];
        assert!(!inner.contains("--"), "{m}");

        let odd = SubjectUrl::parse("notes --> <b>%2D");
        let m = marker(&odd);
        assert_eq!(
            m,
            "<!-- supportops:subject=notes%20-%2D%3E%20%3Cb%3E%252D -->"
        );
        assert!(has_marker(&format!("text\n{m}\n"), &odd));
        assert!(!has_marker(&format!("text\n{m}\n"), &s));
    }

    #[test]
    fn markers_are_found_whole_in_a_description() {
        let a = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let b = SubjectUrl::parse("notes --> here");
        let text = format!(
            "intro\n{}\ntext {} end\n<!-- supportops:subject=cut",
            marker(&a),
            marker(&b)
        );
        assert_eq!(markers_in(&text), vec![marker(&a), marker(&b)]);
    }

    #[test]
    fn marker_of_one_subject_does_not_match_a_longer_one() {
        let short = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let long = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/12");
        assert!(!has_marker(&marker(&long), &short));
    }

    #[test]
    fn response_keys_round_trip_through_markers() {
        let keys = vec![
            ResponseKey::from_id("a,b--c -->"),
            ResponseKey::derive("t", "s", "u"),
        ];
        let text = format!(
            "body\n{}\nmore\n{}\n",
            responses_marker(&keys[..1]),
            responses_marker(&keys[1..])
        );
        assert!(!text.contains("a,b"));
        let found = covered_keys_in(&text);
        assert_eq!(found, keys.into_iter().collect());
    }

    #[test]
    fn issue_section_keeps_respondents_out_by_default() {
        let rows = [
            scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            ),
            scored(
                5,
                "https://gitlab.com/a/b/issues/1",
                "3",
                Value::Error(ErrorKind::Value),
                Band::Error,
            ),
        ];
        let refs: Vec<&ScoredResponse> = rows.iter().collect();
        let subject = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let text = issue_section(&subject, &refs, None, &options(false));
        assert!(!text.contains("example.com"));
        insta::assert_snapshot!(text, @"
        ## Feedback responses

        Subject: https://gitlab.com/a/b/-/issues/1

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | Collaboration | comment for row 2 | -1 | Red (Bad) |
        | 5 | 1/5/2026 10:00:00 | 3 | It was not solved | Collaboration | comment for row 5 | #VALUE! | Error |

        <!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->
        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4,h:412b0c94587c1e35173f1b51 -->
        ");
    }

    #[test]
    fn issue_section_shows_submitters_when_asked_and_links_the_closed_review() {
        let rows = [scored(
            3,
            "https://gitlab.com/a/b/-/issues/1",
            "2",
            Value::Number(0.0),
            Band::Red,
        )];
        let refs: Vec<&ScoredResponse> = rows.iter().collect();
        let previous = IssueRef {
            project: "fr".into(),
            iid: 7,
            web_url: "https://gitlab.com/fr/-/issues/7".into(),
        };
        let subject = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/1");
        let text = issue_section(&subject, &refs, Some(&previous), &options(true));
        insta::assert_snapshot!(text, @"
        ## Feedback responses

        Subject: https://gitlab.com/a/b/-/issues/1

        An earlier review of this subject was closed: https://gitlab.com/fr/-/issues/7

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Submitter | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        | 3 | 1/3/2026 10:00:00 | 2 | It was not solved | Collaboration | comment for row 3 | user3@example.com | 0 | Red (Bad) |

        <!-- supportops:subject=https://gitlab.com/a/b/-/issues/1 -->
        <!-- supportops:responses=h:598e5b23f5a8fd19fd49a56e -->
        ");
    }

    #[test]
    fn cells_cannot_break_the_table_or_hide_text() {
        let mut row = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        row.response.cells[4] = "first | line\nsecond <!-- hidden -->\r\nthird".into();
        let refs = [&row];
        let text = note_body(&row.response.subject, &refs, &options(false));
        insta::assert_snapshot!(text, @r"
        1 new flagged response about https://gitlab.com/a/b/-/issues/1:

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | Collaboration | first \| line<br>second &lt;!-- hidden --&gt;<br>third | -1 | Red (Bad) |

        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4 -->
        ");
    }

    #[test]
    fn references_in_cells_notify_no_one_and_link_nothing() {
        let mut row = scored(
            2,
            "https://gitlab.com/a/b/-/issues/1",
            "1",
            Value::Number(-1.0),
            Band::Red,
        );
        row.response.cells[4] = "Thanks @carol and @all: see #12, !7, &3, $40 and ~bug \
            ~\"needs review\" %\"Q3 2026\" %v2.\n\
            Mail amy@example.com or read https://gitlab.com/a/b/-/issues/9#note_1.\n\
            &#64;dave \\@erin `@frank` a~b #1#2 1@x"
            .into();
        row.response.cells[3] = "/close".into();
        let refs = [&row];
        let text = note_body(&row.response.subject, &refs, &options(false));
        insta::assert_snapshot!(text, @r#"
        1 new flagged response about https://gitlab.com/a/b/-/issues/1:

        | Row | Submitted | Rating | Resolution | Values shown | Comment | Score | Band |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        | 2 | 1/2/2026 10:00:00 | 1 | It was not solved | \/close | Thanks `@carol` and `@all`: see `#12`, `!7`, `&3`, `$40` and `~bug` `~"needs review"` `%"Q3 2026"` `%v2`.<br>Mail amy@example.com or read https://gitlab.com/a/b/-/issues/9#note_1.<br>&amp;`#64`;dave \\`@erin` \``@frank`\` a`~b` `#1#2` 1@x | -1 | Red (Bad) |

        <!-- supportops:responses=h:422d7dba268a70f1eeaf4cd4 -->
        "#);
    }

    /// What GitLab reads as a reference in a text node: `@name` not after a letter or digit,
    /// `#1`, `!1`, `&1`, `$1`, `~x`, `~"`, `%x`, `%"`.
    fn reference_in(text: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        chars.windows(2).enumerate().find_map(|(i, w)| {
            let hit = match w[0] {
                '@' => {
                    (w[1].is_ascii_alphanumeric() || w[1] == '_')
                        && (i == 0 || !chars[i - 1].is_ascii_alphanumeric())
                }
                '#' | '!' | '&' | '$' => w[1].is_ascii_digit(),
                '~' | '%' => w[1].is_ascii_alphanumeric() || matches!(w[1], '_' | '"'),
                _ => false,
            };
            hit.then(|| w.iter().collect())
        })
    }

    proptest::proptest! {
        /// Whatever a respondent writes, the note's table keeps its shape and GitLab finds no
        /// reference in its text (code spans are not searched).
        #[test]
        fn no_comment_breaks_the_table_or_makes_a_reference(
            comment in "[ a-g0-9_@#!&$~%\"|`\\\\<>/.:;*\n-]{0,40}"
        ) {
            use pulldown_cmark::{Event, Options, Parser, Tag};
            let mut row = scored(
                2,
                "https://gitlab.com/a/b/-/issues/1",
                "1",
                Value::Number(-1.0),
                Band::Red,
            );
            row.response.cells[4] = comment.clone();
            let refs = [&row];
            let text = note_body(&row.response.subject, &refs, &options(false));
            let mut rows = 0;
            let mut cells = 0;
            let mut texts: Vec<String> = vec![String::new()];
            for event in Parser::new_ext(&text, Options::ENABLE_TABLES) {
                match event {
                    Event::Start(Tag::TableRow) => rows += 1,
                    Event::Start(Tag::TableCell) => cells += 1,
                    // Text split only by escapes and entities is one text to GitLab.
                    Event::Text(t) => texts.last_mut().expect("a text").push_str(&t),
                    // Code, HTML (`<br>`) and cell boundaries end a text.
                    _ => texts.push(String::new()),
                }
            }
            proptest::prop_assert_eq!(rows, 1, "{}", text);
            proptest::prop_assert_eq!(cells, 16, "{}", text);
            for t in &texts {
                proptest::prop_assert_eq!(reference_in(t), None, "in {:?} of\n{}", t, text);
            }
        }
    }
}
