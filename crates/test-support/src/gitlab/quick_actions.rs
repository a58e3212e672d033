//! GitLab's quick actions (`/label`, `/unlabel`, `/assign`, `/close`, `/reopen`) as the fake
//! applies them to a description or a note.

/// What quick actions asked for besides labels and assignees.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Commands {
    pub(super) close: bool,
    pub(super) reopen: bool,
    pub(super) unlabel: Vec<String>,
}

/// Applies the quick actions GitLab runs in an issue's description or a note (`/label ~x
/// ~"y z"`, `/unlabel ~x`, `/assign @a`, `/close`, `/reopen`, and any other `/word` line, which
/// GitLab also takes out) and removes their lines, as GitLab does.
#[cfg(test)]
fn quick_actions(
    description: &str,
    labels: &mut Vec<String>,
    assignees: &mut Vec<String>,
) -> String {
    quick_actions_with(description, labels, assignees, &mut Commands::default())
}

pub(super) fn quick_actions_with(
    description: &str,
    labels: &mut Vec<String>,
    assignees: &mut Vec<String>,
    commands: &mut Commands,
) -> String {
    let mut kept = Vec::new();
    for line in description.lines() {
        let trimmed = line.trim_start();
        let word: String = trimmed
            .strip_prefix('/')
            .map(|r| {
                r.chars()
                    .take_while(|c| c.is_ascii_alphabetic() || *c == '_')
                    .collect()
            })
            .unwrap_or_default();
        let rest = trimmed.get(1 + word.len()..).unwrap_or("").trim();
        match word.as_str() {
            "" => kept.push(line),
            "label" => labels.extend(label_refs(rest)),
            "unlabel" => commands.unlabel.extend(label_refs(rest)),
            "assign" => assignees.extend(
                rest.split_whitespace()
                    .map(|a| a.trim_start_matches('@').to_owned()),
            ),
            "close" => commands.close = true,
            "reopen" => commands.reopen = true,
            _ => {}
        }
    }
    kept.join("\n")
}

/// `~a ~"b c"` → `["a", "b c"]`.
fn label_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(r) = rest.strip_prefix('~') {
        if let Some(quoted) = r.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            out.push(quoted[..end].to_owned());
            rest = quoted.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            out.push(r[..end].to_owned());
            rest = r[end..].trim_start();
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn quick_actions_apply_and_vanish() {
        let mut labels = vec!["Feedback Review".to_owned()];
        let mut assignees = Vec::new();
        let text = "Intro\n/label ~urgent ~\"needs plan\"\n/assign @alice @bob\nEnd";
        let kept = quick_actions(text, &mut labels, &mut assignees);
        assert_eq!(kept, "Intro\nEnd");
        let mut commands = Commands::default();
        let kept = quick_actions_with(
            "a\n/close\n\\/reopen\n/unlabel ~x\n/due tomorrow",
            &mut labels,
            &mut assignees,
            &mut commands,
        );
        assert_eq!(kept, "a\n\\/reopen");
        assert!(commands.close && !commands.reopen);
        assert_eq!(commands.unlabel, ["x"]);
        assert_eq!(
            super::super::state::mentions_in("hi @all and `@bob` a@b.c\n```\n@x\n```\n@g/sub."),
            ["all", "g/sub"]
        );
        assert_eq!(labels, ["Feedback Review", "urgent", "needs plan"]);
        assert_eq!(assignees, ["alice", "bob"]);
    }
}
