//! The Responses list: stored responses filtered by band, month, subject and text, in an
//! order, a page at a time, with the months that have responses for the month picker.

use supportops_domain::SubjectUrl;
use supportops_ports::StoreError;
use supportops_ports::store::PageQueries;
use supportops_ports::store::pages::{ResponseFilter, ResponseOrder, SubjectMatch};
use supportops_ports::store::responses::StoredResponse;

use super::Paging;

/// A page of responses.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseListing {
    /// Responses matching the filter, on all pages.
    pub total: u64,
    /// Every month that has responses, newest first.
    pub months: Vec<String>,
    /// This page's responses.
    pub items: Vec<StoredResponse>,
}

/// The page `paging` of the responses `filter` selects, in `order`.
pub async fn list<S>(
    store: &S,
    filter: &ResponseFilter,
    order: ResponseOrder,
    paging: Paging,
) -> Result<ResponseListing, StoreError>
where
    S: PageQueries + ?Sized,
{
    let page = store.response_page(filter, order, paging.request()).await?;
    Ok(ResponseListing {
        total: page.total,
        months: store.response_months().await?,
        items: page.items,
    })
}

/// What a subject filter as typed selects, compared as scoring compares subjects: a link is
/// normalised ([`SubjectUrl::parse`]) and must name the same issue or MR; a reference such as
/// `group/project#12` or `group/project!7` must be the subject's reference (or end it); other
/// text is looked for in the normalised link (any case), after the same normalisation of
/// `/issues/` paths. `None` for blank text.
pub fn subject_match(wanted: &str) -> Option<SubjectMatch> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return None;
    }
    if wanted.starts_with("http://") || wanted.starts_with("https://") {
        return Some(SubjectMatch::Is(SubjectUrl::parse(wanted)));
    }
    let reference = wanted.rsplit_once(['#', '!', '&']).filter(|(project, n)| {
        !project.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    });
    if let Some((project, n)) = reference {
        let project = project.trim_start_matches('/').to_lowercase();
        let kinds: &[&str] = match wanted.as_bytes()[project.len()..].first() {
            Some(b'!') => &["merge_requests"],
            Some(b'&') => &["epics"],
            _ => &["issues", "work_items"],
        };
        return Some(SubjectMatch::EndsWith(
            kinds
                .iter()
                .map(|k| format!("/{project}/-/{k}/{n}"))
                .collect(),
        ));
    }
    // A piece of a link: normalised as a link would be, so `views/issues/608` finds
    // `views/-/issues/608`.
    const BASE: &str = "https://subject.invalid/";
    let piece = SubjectUrl::parse(&format!("{BASE}{}", wanted.trim_start_matches('/')));
    let piece = piece.as_str().strip_prefix(BASE).unwrap_or(wanted);
    let mut texts = vec![wanted.to_lowercase()];
    if piece.to_lowercase() != texts[0] {
        texts.push(piece.to_lowercase());
    }
    Some(SubjectMatch::Contains(texts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_match_the_end_of_the_link() {
        assert_eq!(
            subject_match("g/p#12"),
            Some(SubjectMatch::EndsWith(vec![
                "/g/p/-/issues/12".into(),
                "/g/p/-/work_items/12".into()
            ]))
        );
        assert_eq!(
            subject_match("g/p!7"),
            Some(SubjectMatch::EndsWith(vec![
                "/g/p/-/merge_requests/7".into()
            ]))
        );
        assert_eq!(subject_match("  "), None);
    }
}
