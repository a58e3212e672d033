//! Issue text (GitLab Markdown) as safe HTML for the Reviews page.
//!
//! Sanitised by construction rather than by filtering HTML afterwards: raw HTML in the text is
//! shown as text (HTML comments, such as the hidden markers, are dropped), links keep only
//! `http(s)`, `mailto` and in-page targets, and images become their alt text, so the page never
//! loads anything from elsewhere. Everything else is escaped by `pulldown-cmark`'s writer.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Whether a link target is safe to keep.
fn safe_target(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
}

/// Renders `markdown` as sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // For each open link: whether it was kept.
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => {
            if text.trim_start().starts_with("<!--") {
                None
            } else {
                Some(Event::Text(text))
            }
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let keep = safe_target(&dest_url);
            links.push(keep);
            keep.then_some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::End(TagEnd::Link) => links
            .pop()
            .unwrap_or(false)
            .then_some(Event::End(TagEnd::Link)),
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html_with_entities_read_once() {
        assert_eq!(
            render("**Macros** &amp; `tags`\n\n- one\n- two"),
            "<p><strong>Macros</strong> &amp; <code>tags</code></p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_is_text_and_hidden_markers_are_dropped() {
        let html =
            render("<script>alert(1)</script>\n\nok <b>bold</b>\n\n<!-- supportops:review x -->");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(!html.contains("supportops:review"), "{html}");
    }

    #[test]
    fn only_web_and_mail_links_are_kept_and_images_load_nothing() {
        let html = render(
            "[site](https://gitlab.com/a) [bad](javascript:alert(1)) ![pic](https://x.example/p.png)",
        );
        assert!(
            html.contains("<a href=\"https://gitlab.com/a\">site</a>"),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("bad"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("pic"), "{html}");
    }
}
