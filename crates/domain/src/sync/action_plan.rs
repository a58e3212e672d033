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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::has_action_plan;

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
