//! The user-editable part of a review issue: the project's issue template (or
//! `review.template_file`, or the built-in one) loaded once per run, compiled, and filled per
//! subject with the variables listed in [`TEMPLATE_VARIABLES`].

use serde::Serialize;
use supportops_domain::review::{self as domain, IssueRef, RenderOptions};
use supportops_domain::{Band, ScoredResponse, SubjectUrl};
use supportops_ports::Tracker;

use super::{ReviewError, ReviewOptions, TemplateSource};
use crate::template::{IssueTemplate, TemplateFault};

/// The issue template, compiled once.
#[derive(Debug)]
pub(super) struct Template {
    inner: IssueTemplate,
}

/// What a template can use, for messages.
pub(super) const TEMPLATE_VARIABLES: &str = "`subject`, `reference`, `title`, `worst_band`, `previous_issue` \
     and `responses` (each with `row`, `submitted`, `rating`, `resolution`, `values`, `comment`, \
     `score`, `band`, and `submitter` when `review.include_submitter` is on)";

impl Template {
    pub(super) async fn load(
        tracker: &dyn Tracker,
        options: &ReviewOptions,
        warnings: &mut Vec<String>,
    ) -> Result<Template, ReviewError> {
        let (origin, text) = match &options.template {
            TemplateSource::Text { origin, text } => (origin.clone(), text.clone()),
            TemplateSource::Tracker { name } => {
                let text = tracker
                    .read_template(&options.project, name)
                    .await
                    .map_err(|source| ReviewError::Lookup {
                        doing: format!(
                            "read the issue template `{name}` (`review.template`) of project `{}` \
                             (`review.project`)",
                            options.project
                        ),
                        source,
                    })?;
                let origin = format!("`{name}` of project `{}`", options.project);
                match text {
                    Some(text) => (origin, text),
                    None => {
                        warnings.push(format!(
                            "project `{}` has no issue template `{name}` \
                             (.gitlab/issue_templates/{name}.md); using the built-in one",
                            options.project
                        ));
                        ("built-in".to_owned(), domain::BUILTIN_TEMPLATE.to_owned())
                    }
                }
            }
        };
        Template::compile(&origin, text)
    }

    fn compile(origin: &str, text: String) -> Result<Template, ReviewError> {
        let inner = IssueTemplate::compile(text).map_err(|f| template_error(origin, f))?;
        Ok(Template { inner })
    }

    pub(super) fn render(
        &self,
        origin: &str,
        context: &TemplateContext,
    ) -> Result<String, ReviewError> {
        self.inner
            .render(context)
            .map_err(|f| ReviewError::TemplateFill {
                origin: origin.to_owned(),
                line: f.line,
                message: f.message,
            })
    }
}

fn template_error(origin: &str, fault: TemplateFault) -> ReviewError {
    ReviewError::Template {
        origin: origin.to_owned(),
        line: fault.line,
        message: fault.message,
    }
}

/// What a template can use.
#[derive(Serialize)]
pub(super) struct TemplateContext {
    subject: String,
    reference: String,
    title: String,
    worst_band: &'static str,
    previous_issue: Option<String>,
    responses: Vec<TemplateResponse>,
}

#[derive(Serialize)]
struct TemplateResponse {
    row: u64,
    submitted: String,
    rating: String,
    resolution: String,
    values: String,
    comment: String,
    score: String,
    band: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitter: Option<String>,
}

pub(super) fn template_context(
    subject: &SubjectUrl,
    responses: &[&ScoredResponse],
    previous: Option<&IssueRef>,
    render: &RenderOptions,
) -> TemplateContext {
    let column = |r: &ScoredResponse, c: Option<usize>| {
        c.and_then(|c| r.response.cells.get(c))
            .map(|text| domain::cell_text(text))
            .unwrap_or_default()
    };
    let worst = responses
        .iter()
        .map(|r| r.band)
        .max()
        .unwrap_or(Band::Yellow);
    TemplateContext {
        subject: subject.to_string(),
        reference: domain::reference(subject),
        title: domain::title(subject),
        worst_band: worst.as_str(),
        previous_issue: previous.map(|p| p.web_url.clone()),
        responses: responses
            .iter()
            .map(|r| TemplateResponse {
                row: r.response.row,
                submitted: domain::cell_text(&r.response.timestamp),
                rating: column(r, render.columns.rating),
                resolution: column(r, render.columns.resolution),
                values: column(r, render.columns.values),
                comment: column(r, render.columns.comment),
                score: domain::cell_text(&domain::score_text(&r.score)),
                band: r.band.as_str(),
                submitter: if render.include_submitter {
                    r.response.submitter.as_deref().map(domain::cell_text)
                } else {
                    None
                },
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_syntax_errors_name_the_template_and_line() {
        let err = Template::compile("templates/review.md", "# Review\n\n{{ subject \n".into())
            .map(|_| ())
            .map_err(|e| e.to_string())
            .err();
        assert_eq!(
            err.as_deref(),
            Some(
                "the issue template templates/review.md is not a valid template (line 3): \
                 unexpected end of input, expected end of variable block"
            )
        );
    }

    #[test]
    fn templates_are_filled_and_quick_actions_kept() {
        let t = Template::compile(
            "t",
            "About {{ reference }} ({{ responses | length }}, worst {{ worst_band }})\n\
             /label ~\"Feedback Review\"\n"
                .into(),
        )
        .expect("the template compiles");
        let subject = SubjectUrl::parse("https://gitlab.com/a/b/-/issues/3");
        let ctx = template_context(&subject, &[], None, &RenderOptions::default());
        let text = t.render("t", &ctx).expect("the template renders");
        assert_eq!(
            text,
            "About a/b#3 (0, worst yellow)\n/label ~\"Feedback Review\"\n"
        );
    }

    #[test]
    fn an_unknown_template_variable_is_an_error_not_a_blank() {
        let t = Template::compile("t", "{{ subjet }}".into()).expect("the template compiles");
        let subject = SubjectUrl::parse("x");
        let ctx = template_context(&subject, &[], None, &RenderOptions::default());
        let err = t
            .render("t", &ctx)
            .err()
            .map(|e| e.to_string())
            .expect("rendering fails");
        assert!(
            err.starts_with(
                "cannot fill the issue template t (line 1): `subjet` is undefined; \
                             templates can use `subject`, `reference`"
            ),
            "{err}"
        );
    }
}
