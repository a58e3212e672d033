//! [`ParseError`]: what is wrong with a formula, where, and how it renders under the formula
//! with a caret, like a compiler diagnostic.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// A parse error with the span of the fault, rendered like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong and what would be right.
    pub message: String,
    /// Byte range of the fault in the source.
    pub span: std::ops::Range<usize>,
    /// The formula source as given.
    pub source_text: String,
}

impl ParseError {
    pub(crate) fn new(source: &str, span: Range<usize>, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            span,
            source_text: source.to_owned(),
        }
    }

    /// The formula, a caret line under the fault and the message.
    ///
    /// ```text
    /// error: unknown function `REGEXMTCH`: did you mean `REGEXMATCH`?
    ///   |
    /// 1 | =IF(REGEXMTCH(D2, "x"), 1, 0)
    ///   |     ^^^^^^^^^
    /// ```
    pub fn render(&self) -> String {
        self.render_with(&Renderer::plain())
    }

    /// [`render`](Self::render) with ANSI colours, for a terminal.
    pub fn render_styled(&self) -> String {
        self.render_with(&Renderer::styled())
    }

    /// [`render`](Self::render) without the leading `error: `, for a caller whose own message
    /// already says it is an error.
    pub fn render_unlabelled(&self) -> String {
        self.render_at(Level::ERROR.no_name(), &Renderer::plain())
    }

    fn render_with(&self, renderer: &Renderer) -> String {
        self.render_at(Level::ERROR, renderer)
    }

    fn render_at(&self, level: Level<'_>, renderer: &Renderer) -> String {
        let span = self.clamped_span();
        let report = &[level.primary_title(self.message.as_str()).element(
            Snippet::source(self.source_text.as_str())
                .annotation(AnnotationKind::Primary.span(span)),
        )];
        renderer.render(report)
    }

    /// The span, kept inside the source and on character boundaries.
    fn clamped_span(&self) -> Range<usize> {
        let src = &self.source_text;
        let mut start = self.span.start.min(src.len());
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = self.span.end.clamp(start, src.len());
        while !src.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }
}
