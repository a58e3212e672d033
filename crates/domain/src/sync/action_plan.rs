//! Whether a Feedback Review issue has an action plan yet, read from its Markdown description:
//! a filled "Action plan" section, or a ticked checklist item.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Words that mean "nothing here yet" when they are all a section holds.
const PLACEHOLDERS: &[&str] = &["tbd", "todo", "to do", "n/a", "na", "none", "-", "...", "…"];

/// Whether `description` holds an action plan: a section headed "Action plan" (any level, any
/// case, e.g. `## Action plan`) with some text in it other than HTML comments, empty checklist
/// items and placeholders such as `TBD`; or any ticked checklist item (`- [x] …`).
pub fn has_action_plan(description: &str) -> bool {
    let mut section: Option<HeadingLevel> = None;
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut text = String::new();
    let mut filled = false;
    let finish = |text: &mut String, filled: &mut bool| {
        let t = text.trim().to_ascii_lowercase();
        if !t.is_empty() && !PLACEHOLDERS.contains(&t.as_str()) {
            *filled = true;
        }
        text.clear();
    };
    for event in Parser::new_ext(description, Options::ENABLE_TASKLISTS) {
        match event {
            Event::TaskListMarker(true) => return true,
            Event::Start(Tag::Heading { level, .. }) => {
                if section.is_some_and(|s| level <= s) {
                    finish(&mut text, &mut filled);
                    section = None;
                }
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title)) = heading.take()
                    && section.is_none()
                    && title.to_ascii_lowercase().contains("action plan")
                {
                    section = Some(level);
                }
            }
            Event::Text(t) | Event::Code(t) => match (&mut heading, section) {
                (Some((_, title)), _) => title.push_str(&t),
                (None, Some(_)) => {
                    text.push_str(&t);
                    text.push(' ');
                }
                (None, None) => {}
            },
            _ => {}
        }
    }
    if section.is_some() {
        finish(&mut text, &mut filled);
    }
    filled
}

/// Where the first "Action plan" section's body lies in `description` (after its heading, up to
/// the next heading of the same or a higher level), and the heading's level.
fn plan_section(description: &str) -> Option<(std::ops::Range<usize>, HeadingLevel)> {
    let mut found: Option<(usize, HeadingLevel)> = None;
    let mut heading: Option<(HeadingLevel, String, usize)> = None;
    for (event, range) in Parser::new_ext(description, Options::ENABLE_TASKLISTS).into_offset_iter()
    {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some((start, section)) = found
                    && level <= section
                {
                    return Some((start..range.start, section));
                }
                heading = Some((level, String::new(), range.end));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title, _)) = &mut heading {
                    title.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title, end)) = heading.take()
                    && found.is_none()
                    && title.to_ascii_lowercase().contains("action plan")
                {
                    found = Some((end.max(range.end), level));
                }
            }
            _ => {}
        }
    }
    found.map(|(start, level)| (start..description.len(), level))
}

/// The action plan written in `description`, when it has one (see [`has_action_plan`]): the
/// section's text without the template's hint comments (`<!-- … -->`), which are for whoever
/// edits the issue, not part of the plan.
pub fn action_plan_text(description: &str) -> Option<String> {
    if !has_action_plan(description) {
        return None;
    }
    let (body, _) = plan_section(description)?;
    let text = &description[body];
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for range in comment_ranges(text) {
        out.push_str(&text[from..range.start]);
        from = range.end;
    }
    out.push_str(&text[from..]);
    Some(collapse_blank_lines(out.trim()))
}

/// The hint the issue template leaves in the "Action plan" section (the text of its HTML
/// comments, hidden markers left out), to show where the plan is written.
pub fn action_plan_hint(description: &str) -> Option<String> {
    let (body, _) = plan_section(description)?;
    let text = &description[body];
    let hints: Vec<String> = comment_ranges(text)
        .into_iter()
        .map(|r| {
            text[r]
                .trim()
                .trim_start_matches("<!--")
                .trim_end_matches("-->")
                .trim()
                .to_owned()
        })
        .filter(|h| !h.is_empty() && !h.starts_with("supportops:"))
        .collect();
    (!hints.is_empty()).then(|| hints.join(" "))
}

/// The byte ranges of the HTML comments in Markdown `text` (not those inside code).
fn comment_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    Parser::new_ext(text, Options::ENABLE_TASKLISTS)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Html(t) | Event::InlineHtml(t) if t.trim_start().starts_with("<!--") => {
                Some(range)
            }
            _ => None,
        })
        .collect()
}

/// `text` with runs of blank lines (left where comments were) made one.
fn collapse_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// `description` with its "Action plan" section's body replaced by `plan` (the heading and
/// every other section kept as they are); without such a section, one is added at the end.
pub fn with_action_plan(description: &str, plan: &str) -> String {
    let plan = plan.trim();
    match plan_section(description) {
        Some((body, _)) => {
            let rest = &description[body.end..];
            let gap = if rest.is_empty() { "\n" } else { "\n\n" };
            format!(
                "{}\n\n{plan}{gap}{rest}",
                description[..body.start].trim_end()
            )
        }
        None => format!("{}\n\n## Action plan\n\n{plan}\n", description.trim_end()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{action_plan_hint, action_plan_text, has_action_plan, with_action_plan};

    #[test]
    fn the_template_hint_is_not_part_of_the_plan() {
        // A plan typed above the template's hint, as a person editing the issue leaves it.
        let edited = "## Action plan\n\n- [ ] ask the author for a repro\n\n\
                      <!-- What will Support Ops change? -->\n\n## Outcome\n\n\
                      <!-- At a later monthly sync: did it work? -->\n";
        assert_eq!(
            action_plan_text(edited).as_deref(),
            Some("- [ ] ask the author for a repro")
        );
        assert_eq!(action_plan_text(TEMPLATE), None);
        let hint = action_plan_hint(TEMPLATE).unwrap();
        assert!(hint.starts_with("What will Support Ops"), "{hint}");
        assert!(!hint.contains("<!--"), "{hint}");
        // A comment inside code is the plan's own text.
        let code = "## Action plan\n\n- [x] keep `<!-- x -->` in the macro\n";
        assert_eq!(
            action_plan_text(code).as_deref(),
            Some("- [x] keep `<!-- x -->` in the macro")
        );
    }

    #[test]
    fn writing_a_plan_fills_its_section_and_keeps_the_others() {
        let written = with_action_plan(TEMPLATE, "- [ ] ask the author for a repro\n");
        assert!(has_action_plan(&written), "{written}");
        assert!(written.contains("## Feedback\n\n<!-- supportops:subject"));
        assert!(
            written.contains("## Action plan\n\n- [ ] ask the author for a repro\n\n## Outcome")
        );
        assert!(!written.contains("What will Support Ops do"));
        assert_eq!(
            action_plan_text(&written).as_deref(),
            Some("- [ ] ask the author for a repro")
        );
        // Edited again: replaced, not appended.
        let edited = with_action_plan(&written, "Pair with the author.");
        assert_eq!(edited.matches("## Action plan").count(), 1);
        assert_eq!(
            action_plan_text(&edited).as_deref(),
            Some("Pair with the author.")
        );
        assert!(edited.ends_with("## Outcome\n\nDid it work?\n"), "{edited}");
    }

    #[test]
    fn a_description_without_the_section_gets_one_at_the_end() {
        let written = with_action_plan("Just the feedback.\n", "Write docs.");
        assert_eq!(
            written,
            "Just the feedback.\n\n## Action plan\n\nWrite docs.\n"
        );
        assert_eq!(action_plan_text("Just the feedback."), None);
        assert_eq!(action_plan_text(TEMPLATE), None);
    }

    #[test]
    fn a_plan_section_at_the_end_is_replaced_to_the_end() {
        let d = "# Review\n\n### Action Plan\n\nTBD\n";
        let written = with_action_plan(d, "Fix the docs");
        assert_eq!(written, "# Review\n\n### Action Plan\n\nFix the docs\n");
    }

    const TEMPLATE: &str = "\
## Feedback

<!-- supportops:subject https://gitlab.com/a/b/-/issues/1 -->
Some feedback text.

## Action plan

<!-- What will Support Ops do about it? -->

- [ ]

## Outcome

Did it work?
";

    #[test]
    fn the_untouched_template_has_no_plan() {
        assert!(!has_action_plan(TEMPLATE));
    }

    #[test]
    fn text_under_the_action_plan_heading_is_a_plan() {
        let filled = TEMPLATE.replace("- [ ]", "Rewrite the macro and retrain the team.");
        assert!(has_action_plan(&filled));
    }

    #[test]
    fn an_open_checklist_with_steps_is_a_plan() {
        let filled = TEMPLATE.replace("- [ ]", "- [ ] Rewrite the macro\n- [ ] Announce it");
        assert!(has_action_plan(&filled));
    }

    #[test]
    fn a_ticked_item_anywhere_is_a_plan() {
        assert!(has_action_plan("Steps:\n\n- [x] asked the author\n"));
    }

    #[test]
    fn placeholders_and_subheadings_alone_are_not_a_plan() {
        assert!(!has_action_plan("# Action Plan\n\nTBD\n"));
        assert!(!has_action_plan(
            "## Action plan\n\n### Steps\n\n## Outcome\n\nyes"
        ));
        assert!(has_action_plan(
            "## Action plan\n\n### Steps\n\n1. fix it\n\n## Outcome"
        ));
    }

    #[test]
    fn text_in_other_sections_is_not_a_plan() {
        assert!(!has_action_plan(
            "## Outcome\n\nresolved\n\n## Action plan\n"
        ));
        assert!(!has_action_plan("No headings at all, just words."));
    }
}
