//! Issue templates as teams write them: minijinja, with unknown variables as errors (a typo
//! must not file an issue with a blank where the subject should be), the trailing newline kept,
//! and no HTML escaping (the output is Markdown for the tracker).
//!
//! Used by the Feedback Review and Support Shadowing use cases, each mapping a
//! [`TemplateFault`] into its own error with the template's origin.

use serde::Serialize;

const NAME: &str = "issue";

/// A compiled issue template.
#[derive(Debug)]
pub struct IssueTemplate {
    env: minijinja::Environment<'static>,
}

/// What is wrong with a template: the line and minijinja's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFault {
    /// 1-based line of the fault in the template.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl From<minijinja::Error> for TemplateFault {
    fn from(e: minijinja::Error) -> TemplateFault {
        TemplateFault {
            line: e.line().unwrap_or(1),
            message: e
                .detail()
                .map(str::to_owned)
                .unwrap_or_else(|| e.kind().to_string()),
        }
    }
}

impl IssueTemplate {
    /// Compiles a template's text.
    pub fn compile(text: String) -> Result<IssueTemplate, TemplateFault> {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()?;
        env.set_syntax(syntax);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.add_template_owned(NAME, text)?;
        Ok(IssueTemplate { env })
    }

    /// Whether the template mentions the variable `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.env
            .get_template(NAME)
            .is_ok_and(|t| t.undeclared_variables(false).contains(name))
    }

    /// Fills the template with `context`'s fields.
    pub fn render<C: Serialize>(&self, context: &C) -> Result<String, TemplateFault> {
        let template = self.env.get_template(NAME)?;
        Ok(template.render(minijinja::value::Serde(context))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Ctx {
        subject: &'static str,
    }

    #[test]
    fn fills_variables_without_escaping_and_keeps_the_last_newline() {
        let t = IssueTemplate::compile("About {{ subject }} & more\n".into()).unwrap();
        assert_eq!(
            t.render(&Ctx { subject: "<a|b>" }).unwrap(),
            "About <a|b> & more\n"
        );
        assert!(t.uses("subject"));
        assert!(!t.uses("details"));
    }

    #[test]
    fn unknown_variables_and_syntax_errors_name_the_line() {
        let t = IssueTemplate::compile("line one\n{{ subjet }}".into()).unwrap();
        let fault = t.render(&Ctx { subject: "x" }).unwrap_err();
        assert_eq!(fault.line, 2);
        let fault = IssueTemplate::compile("a\nb\n{{ subject ".into()).unwrap_err();
        assert_eq!(fault.line, 3);
    }
}
