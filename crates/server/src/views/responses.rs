//! The Responses view: stored responses filtered by band, month, subject and text, in an order
//! (newest first unless asked), a page at a time read from the store
//! (`supportops_app::pages::responses`), each with the explanation of its score.

use serde::{Deserialize, Serialize};
use supportops_app::pages::Paging;
use supportops_app::pages::responses::{list, subject_match};
use supportops_domain::Band;
use supportops_formula::Cell;
use supportops_ports::store::pages::{ResponseFilter as StoreFilter, ResponseOrder};
use supportops_ports::store::responses::StoredResponse;
use supportops_sheet::ColumnRef;

use super::{
    BandView, count_param, given, month_of, page_param, parse_month, value_error, value_json,
    value_text,
};
use crate::error::{BadParam, DataError};
use crate::state::AppState;

/// Responses per page unless the caller asks otherwise.
pub const DEFAULT_PER_PAGE: usize = 25;
/// The most responses one page may hold.
pub const MAX_PER_PAGE: usize = 500;

/// The query string of `/responses` and `/api/v1/responses`, as typed. Empty fields are unset,
/// as an HTML form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterParams {
    /// `green`, `yellow`, `red` or `error`.
    pub band: Option<String>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    /// Text the subject link contains.
    pub subject: Option<String>,
    /// Text any cell contains.
    pub q: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// Responses per page.
    pub per_page: Option<String>,
    /// `newest` (the default), `oldest`, `score_asc` or `score_desc`.
    pub sort: Option<String>,
}

/// A validated filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseFilter {
    /// Only this band.
    pub band: Option<Band>,
    /// Only this month (`YYYY-MM`, by submission time in UTC).
    pub month: Option<String>,
    /// Only subjects containing this text (any case).
    pub subject: Option<String>,
    /// Only responses with a cell containing this text (any case).
    pub q: Option<String>,
    /// 1-based page.
    pub page: usize,
    /// Responses per page.
    pub per_page: usize,
    /// The order.
    pub sort: ResponseOrder,
}

impl ResponseFilter {
    /// Checks the typed parameters.
    pub fn parse(p: &FilterParams) -> Result<ResponseFilter, BadParam> {
        let band = given(&p.band)
            .map(|b| {
                Band::parse(b).ok_or_else(|| BadParam {
                    param: "band",
                    value: b.to_owned(),
                    expected: "one of green, yellow, red, error",
                })
            })
            .transpose()?;
        let month = given(&p.month)
            .map(|m| {
                parse_month(m)
                    .map(|_| m.to_owned())
                    .ok_or_else(|| BadParam {
                        param: "month",
                        value: m.to_owned(),
                        expected: "a month written YYYY-MM, e.g. 2026-03",
                    })
            })
            .transpose()?;
        Ok(ResponseFilter {
            band,
            month,
            subject: given(&p.subject).map(str::to_owned),
            q: given(&p.q).map(str::to_owned),
            page: page_param(given(&p.page), usize::MAX)?,
            per_page: count_param(
                "per_page",
                given(&p.per_page),
                DEFAULT_PER_PAGE,
                MAX_PER_PAGE,
                "a number from 1 to 500",
            )?,
            sort: given(&p.sort)
                .map(|t| {
                    ResponseOrder::parse(t).ok_or_else(|| BadParam {
                        param: "sort",
                        value: t.to_owned(),
                        expected: "one of newest, oldest, score_asc, score_desc",
                    })
                })
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// The store's filter.
    fn query(&self) -> StoreFilter {
        StoreFilter {
            band: self.band,
            month: self.month.clone(),
            subject: self.subject.as_deref().and_then(subject_match),
            text: self.q.clone(),
        }
    }

    /// The query string of page `page` of this filter (without the `?`).
    pub fn query_string(&self, page: usize) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(b) = self.band {
            q.append_pair("band", b.as_str());
        }
        if let Some(m) = &self.month {
            q.append_pair("month", m);
        }
        if let Some(s) = &self.subject {
            q.append_pair("subject", s);
        }
        if let Some(t) = &self.q {
            q.append_pair("q", t);
        }
        if self.sort != ResponseOrder::Newest {
            q.append_pair("sort", self.sort.as_str());
        }
        if self.per_page != DEFAULT_PER_PAGE {
            q.append_pair("per_page", &self.per_page.to_string());
        }
        q.append_pair("page", &page.to_string());
        q.finish()
    }
}

/// One term of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermView {
    /// The term's formula text.
    pub term: String,
    /// Its value (`null` for an error).
    pub value: serde_json::Value,
    /// The Sheets error, if the term is one.
    pub error: Option<&'static str>,
    /// The value as people read it.
    pub text: String,
}

/// A cell the formula reads, as the formula names it and as it was typed on import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellView {
    /// The reference as the formula writes it, e.g. `D2`.
    pub cell: String,
    /// The column's header, if the sheet has one.
    pub header: Option<String>,
    /// The cell as written.
    pub text: String,
    /// Its typed value as the formula sees it: `1` (a number), `"1 star"` (text), `TRUE`,
    /// `(blank)` or an error such as `#N/A`.
    pub value: String,
}

/// One response as the Responses view shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseView {
    /// The response's stable key.
    pub key: String,
    /// The sheet row; 0 for a response that came through the webhook.
    pub row: u64,
    /// `sheet` or `webhook`.
    pub source: &'static str,
    /// The timestamp cell as written.
    pub timestamp: String,
    /// The timestamp read as RFC 3339 UTC, when it could be read.
    pub submitted_at: Option<String>,
    /// `YYYY-MM` of `submitted_at`.
    pub month: Option<String>,
    /// The normalised subject.
    pub subject: String,
    /// The subject as written.
    pub subject_raw: String,
    /// A short reference to the subject, e.g. `group/project#12`.
    pub subject_ref: String,
    /// The subject as a link, when it is an `http(s)` URL.
    pub subject_href: Option<String>,
    /// Who answered: only when `review.include_submitter` is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitter: Option<String>,
    /// The score (`null` on error).
    pub score: serde_json::Value,
    /// The Sheets error, e.g. `#VALUE!`.
    pub error: Option<&'static str>,
    /// The band.
    pub band: BandView,
    /// The sheet's own score cell, if any.
    pub stored_score: Option<serde_json::Value>,
    /// Whether the stored score differs from the formula's.
    pub mismatch: bool,
    /// The rating cell (`[sheet.columns] rating`).
    pub rating: Option<String>,
    /// The resolution cell.
    pub resolution: Option<String>,
    /// The values-shown cell.
    pub values: Option<String>,
    /// The comment cell.
    pub comment: Option<String>,
    /// The respondent's region.
    pub region: Option<String>,
    /// The cells the formula reads, with their typed values (as `score --explain` shows them).
    pub cells: Vec<CellView>,
    /// Why it got its score: each top-level term of the formula and its value.
    pub explanation: Vec<TermView>,
}

/// A page of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponsePage {
    /// Responses matching the filter, on all pages.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Responses per page.
    pub per_page: usize,
    /// Number of pages (at least 1).
    pub pages: usize,
    /// The filter applied.
    pub filter: ResponseFilter,
    /// Every month that has responses, newest first (for the month picker).
    pub months: Vec<String>,
    /// This page's responses, in the filter's order.
    pub responses: Vec<ResponseView>,
    /// The link to the next page of the same list, absent on the last page.
    pub next: Option<String>,
}

/// Where the displayed columns are.
struct DisplayColumns {
    rating: Option<usize>,
    resolution: Option<usize>,
    values: Option<usize>,
    comment: Option<usize>,
    region: Option<usize>,
}

impl DisplayColumns {
    fn of(state: &AppState) -> DisplayColumns {
        let cols = &state.config().sheet.columns;
        let headers = &state.sheet().headers;
        let find = |spec: &Option<String>| {
            ColumnRef::parse_optional(spec.as_deref()).and_then(|c| headers.resolve(&c))
        };
        DisplayColumns {
            rating: find(&cols.rating),
            resolution: find(&cols.resolution),
            values: find(&cols.values),
            comment: find(&cols.comment),
            region: find(&cols.region),
        }
    }
}

fn view(state: &AppState, display: &DisplayColumns, r: &StoredResponse) -> ResponseView {
    let s = &r.scored;
    let resp = &s.response;
    let cell = |col: Option<usize>| {
        col.and_then(|c| resp.cells.get(c))
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let typed: Vec<Cell<'_>> = resp.cells.iter().map(|c| Cell::from_import(c)).collect();
    let formula = &state.sheet().scoring.formula;
    let cells = formula
        .columns()
        .iter()
        .map(|&column| {
            let text = resp.cells.get(column).map(String::as_str).unwrap_or("");
            CellView {
                cell: format!(
                    "{}{}",
                    supportops_formula::column_letters(column),
                    formula.template_row()
                ),
                header: state
                    .sheet()
                    .headers
                    .name(column)
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned),
                text: text.to_owned(),
                value: typed_text(Cell::from_import(text)),
            }
        })
        .collect();
    let explanation = formula
        .explain(&typed.as_slice())
        .into_iter()
        .map(|t| TermView {
            term: t.source,
            error: value_error(&t.value),
            text: value_text(&t.value),
            value: value_json(&t.value),
        })
        .collect();
    ResponseView {
        key: resp.key.as_str().to_owned(),
        row: resp.row,
        source: if resp.row == 0 { "webhook" } else { "sheet" },
        timestamp: resp.timestamp.clone(),
        submitted_at: resp.submitted_at.map(|t| t.to_string()),
        month: resp.submitted_at.map(month_of),
        subject: resp.subject.as_str().to_owned(),
        subject_raw: resp.subject_raw.clone(),
        subject_ref: supportops_domain::review::reference(&resp.subject),
        subject_href: super::href(resp.subject.as_str()),
        submitter: if state.config().review.include_submitter {
            resp.submitter.clone()
        } else {
            None
        },
        score: value_json(&s.score),
        error: value_error(&s.score),
        band: s.band.into(),
        stored_score: s.stored_score.as_ref().map(value_json),
        mismatch: s.mismatch(),
        rating: cell(display.rating),
        resolution: cell(display.resolution),
        values: cell(display.values),
        comment: cell(display.comment),
        region: cell(display.region),
        cells,
        explanation,
    }
}

/// A typed cell as people read it, in the notation of [`value_text`].
fn typed_text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Blank => "(blank)".to_owned(),
        Cell::Number(n) => super::number_text(n),
        Cell::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_owned(),
        Cell::Text(t) => format!("\"{t}\""),
        Cell::Error(e) => e.as_str().to_owned(),
    }
}

/// The page of responses the filter selects, read from the store a page at a time.
pub async fn load(
    state: &AppState,
    filter: ResponseFilter,
    path: &str,
) -> Result<ResponsePage, DataError> {
    let paging = Paging {
        page: filter.page as u64,
        per_page: filter.per_page as u64,
    };
    let listing = list(state.store().as_ref(), &filter.query(), filter.sort, paging).await?;
    let total = usize::try_from(listing.total).unwrap_or(usize::MAX);
    let pages = usize::try_from(paging.pages(listing.total)).unwrap_or(usize::MAX);
    let display = DisplayColumns::of(state);
    let responses = listing
        .items
        .iter()
        .map(|r| view(state, &display, r))
        .collect();
    Ok(ResponsePage {
        total,
        page: filter.page,
        per_page: filter.per_page,
        pages,
        next: (filter.page < pages)
            .then(|| format!("{path}?{}", filter.query_string(filter.page + 1))),
        filter,
        months: listing.months,
        responses,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> FilterParams {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        };
        FilterParams {
            band: get("band"),
            month: get("month"),
            subject: get("subject"),
            q: get("q"),
            page: get("page"),
            per_page: get("per_page"),
            sort: get("sort"),
        }
    }

    #[test]
    fn empty_form_fields_do_not_filter() {
        let f = ResponseFilter::parse(&params(&[("band", ""), ("month", " "), ("q", "")])).unwrap();
        assert_eq!(f.band, None);
        assert_eq!(f.month, None);
        assert_eq!(f.q, None);
        assert_eq!((f.page, f.per_page), (1, DEFAULT_PER_PAGE));
    }

    #[test]
    fn bad_filters_name_the_parameter_and_what_is_expected() {
        let err = ResponseFilter::parse(&params(&[("band", "purple")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "query parameter `band`: `purple` is not one of green, yellow, red, error"
        );
        let err = ResponseFilter::parse(&params(&[("month", "2026-3")])).unwrap_err();
        assert_eq!(err.param, "month");
        let err = ResponseFilter::parse(&params(&[("page", "0")])).unwrap_err();
        assert_eq!(err.param, "page");
        let err = ResponseFilter::parse(&params(&[("per_page", "501")])).unwrap_err();
        assert_eq!(err.param, "per_page");
    }

    #[test]
    fn bands_parse_in_any_case() {
        let f = ResponseFilter::parse(&params(&[("band", "Red")])).unwrap();
        assert_eq!(f.band, Some(Band::Red));
    }
}
