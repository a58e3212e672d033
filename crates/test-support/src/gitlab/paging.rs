//! GitLab's offset pagination: `page` and `per_page` in, `x-page`, `x-per-page`, `x-next-page`,
//! `x-prev-page`, `x-total`, `x-total-pages` and `Link` (`prev`, `next`, `first`, `last`) out.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use url::Url;

use super::routes::error;
use super::state::PaginationHeaders;

/// The request's `page` and `per_page`, checked as GitLab checks them.
pub(crate) struct PageRequest {
    page: usize,
    per_page: usize,
}

impl PageRequest {
    /// Reads `page` (default 1) and `per_page` (default 20, at most 100 or the fake's cap).
    pub fn read(
        query: &BTreeMap<String, String>,
        cap: usize,
    ) -> Result<PageRequest, super::routes::Refusal> {
        let number = |key: &str, default: usize| match query.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| error(StatusCode::BAD_REQUEST, &format!("{key} is invalid"))),
        };
        Ok(PageRequest {
            page: number("page", 1)?,
            per_page: number("per_page", 20)?.min(100).min(cap.max(1)),
        })
    }
}

/// One page of `items` as GitLab answers it, headers included. `path` and `query` rebuild the
/// links (the same query with another `page`).
pub(crate) fn page<T: Serialize>(
    items: Vec<T>,
    req: &PageRequest,
    base_url: &Url,
    path: &str,
    query: &BTreeMap<String, String>,
    which: PaginationHeaders,
) -> Response {
    let total = items.len();
    let pages = total.div_ceil(req.per_page).max(1);
    let start = (req.page - 1).saturating_mul(req.per_page).min(total);
    let end = (start + req.per_page).min(total);
    let body: Vec<T> = items.into_iter().skip(start).take(end - start).collect();

    let link_to = |page: usize| -> String {
        let mut url = base_url.clone();
        url.set_path(path);
        {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                if k != "page" && k != "per_page" {
                    pairs.append_pair(k, v);
                }
            }
            pairs.append_pair("page", &page.to_string());
            pairs.append_pair("per_page", &req.per_page.to_string());
        }
        url.to_string()
    };
    let next = (req.page < pages).then_some(req.page + 1);
    let prev = (req.page > 1).then(|| (req.page - 1).min(pages));
    let mut links = Vec::new();
    if let Some(p) = prev {
        links.push(format!("<{}>; rel=\"prev\"", link_to(p)));
    }
    if let Some(n) = next {
        links.push(format!("<{}>; rel=\"next\"", link_to(n)));
    }
    links.push(format!("<{}>; rel=\"first\"", link_to(1)));
    links.push(format!("<{}>; rel=\"last\"", link_to(pages)));

    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    };
    if which == PaginationHeaders::All {
        let opt = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
        set("x-page", req.page.to_string());
        set("x-per-page", req.per_page.to_string());
        set("x-next-page", opt(next));
        set("x-prev-page", opt(prev));
        set("x-total", total.to_string());
        set("x-total-pages", pages.to_string());
    }
    set("link", links.join(", "));
    (StatusCode::OK, headers, Json(body)).into_response()
}
