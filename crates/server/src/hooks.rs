//! `POST /hooks/feedback`: one survey response as a JSON object whose keys are column letters
//! (`"F": 5`) or header names (`"Rating": 5`).
//!
//! The order of work is what makes the webhook safe to retry: authenticate, read at most
//! `server.webhook_max_bytes`, parse and score, then store the response in one committed
//! transaction, and only then answer `202 Accepted`. A delivery whose key is already stored
//! unchanged is answered `200` with `"status": "duplicate"` and changes nothing. A flagged
//! response is queued in the same transaction (the store's intake queue) and filed by the
//! background job (see `worker`): a delivery costs one response, whatever the store holds.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use supportops_sheet::response_from_fields;

use supportops_ports::store::intake::Accepted;

use crate::auth::AuthFailure;
use crate::error::{DataError, HookError};
use crate::intake::IntakeError;
use crate::state::AppState;
use crate::views::{BandView, value_error, value_json};

/// What the webhook answers for a stored (or already stored) response.
#[derive(Debug, Serialize)]
pub struct Delivery {
    /// `accepted` (new), `updated` (same key, changed cells) or `duplicate` (nothing changed).
    pub status: &'static str,
    /// The response's stable key.
    pub key: String,
    /// The normalised subject.
    pub subject: String,
    /// The score (`null` on error).
    pub score: serde_json::Value,
    /// The Sheets error, e.g. `#VALUE!`.
    pub error: Option<&'static str>,
    /// The band.
    pub band: BandView,
    /// Whether it needs a Feedback Review issue (filed in the background).
    pub flagged: bool,
}

/// Turns a JSON body into `(key, text)` fields: text as is, numbers as the sheet writes them,
/// booleans as `TRUE`/`FALSE`, `null` as a blank cell.
fn fields(body: &[u8]) -> Result<Vec<(String, String)>, HookError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| HookError::BadJson {
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_owned(),
            line: e.line(),
            column: e.column(),
        })?;
    let serde_json::Value::Object(map) = value else {
        return Err(HookError::BadResponse(format!(
            "the body is JSON {}, not an object; send one response as {{\"B\": \"https://…\", \"F\": 5, …}}",
            kind(&value)
        )));
    };
    if map.is_empty() {
        return Err(HookError::BadResponse(
            "the body is an empty object; send the response's cells".into(),
        ));
    }
    map.into_iter()
        .map(|(key, v)| {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_owned(),
                serde_json::Value::Null => String::new(),
                other => {
                    return Err(HookError::BadResponse(format!(
                        "field `{key}` holds {}; a cell is text, a number, a boolean or null",
                        kind(&other)
                    )));
                }
            };
            Ok((key, text))
        })
        .collect()
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Reads the body, telling "too large" apart from a broken connection.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, HookError> {
    use http_body_util::BodyExt as _;
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if too_large(e.as_ref()) => Err(HookError::TooLarge { limit }),
        Err(e) => Err(HookError::Body(e.to_string())),
    }
}

fn too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// `POST /hooks/feedback`.
pub async fn feedback(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, HookError> {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    state.webhook().check(authorization).map_err(|f| match f {
        AuthFailure::Unconfigured { env } => HookError::Unconfigured { env },
        other => HookError::Unauthorized(other),
    })?;
    let limit = state.config().server.webhook_max_bytes;
    let body = read_body(request.into_body(), limit).await?;
    let fields = fields(&body)?;
    check_no_column_twice(&state, &fields)?;
    let sheet = state.sheet();
    let scored = response_from_fields(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &sheet.headers,
        &sheet.layout,
        &sheet.scoring,
    )
    .map_err(|e| HookError::BadResponse(e.to_string()))?;
    check_identity(&state, &scored.response)?;

    // Stored (and, when flagged, queued for filing) in a commit shared with the deliveries
    // arriving meanwhile, before the answer. A response delivered again after a formula
    // change keeps the score it was filed under.
    let (scored, accepted) = state.intake().store(scored).await.map_err(|e| match e {
        IntakeError::Store(e) => HookError::from(DataError::from(e)),
        IntakeError::Busy => HookError::Busy,
    })?;
    let flagged = scored.band.is_flagged();
    let (status, code) = match accepted {
        Accepted::Inserted => ("accepted", StatusCode::ACCEPTED),
        Accepted::Updated => ("updated", StatusCode::ACCEPTED),
        Accepted::Unchanged => ("duplicate", StatusCode::OK),
    };
    if flagged && code == StatusCode::ACCEPTED {
        state.wake_review();
    }
    tracing::info!(
        key = scored.response.key.as_str(),
        band = scored.band.as_str(),
        status,
        "webhook response stored"
    );
    let delivery = Delivery {
        status,
        key: scored.response.key.as_str().to_owned(),
        subject: scored.response.subject.as_str().to_owned(),
        score: value_json(&scored.score),
        error: value_error(&scored.score),
        band: scored.band.into(),
        flagged,
    };
    Ok((code, Json(delivery)).into_response())
}

/// Two keys naming the same column (`"B"` and `"Issue/MR link"`) would silently overwrite
/// each other.
fn check_no_column_twice(state: &AppState, fields: &[(String, String)]) -> Result<(), HookError> {
    let headers = &state.sheet().headers;
    let mut seen: Vec<(usize, &str)> = Vec::new();
    for (key, _) in fields {
        let Some(col) = headers.resolve_key(key) else {
            continue;
        };
        if let Some((_, earlier)) = seen.iter().find(|(c, _)| *c == col) {
            return Err(HookError::BadResponse(format!(
                "fields `{earlier}` and `{key}` both name column {}; send each cell once",
                supportops_formula::column_letters(col)
            )));
        }
        seen.push((col, key));
    }
    Ok(())
}

/// A response must say when it was submitted (unless it has an id): the time is part of the
/// key that tells a retried delivery from a new response.
fn check_identity(state: &AppState, r: &supportops_domain::Response) -> Result<(), HookError> {
    let has_id = state
        .columns()
        .id
        .and_then(|c| r.cells.get(c))
        .is_some_and(|id| !id.trim().is_empty());
    if has_id {
        return Ok(());
    }
    let column = &state.config().sheet.columns.timestamp;
    if r.timestamp.is_empty() {
        return Err(HookError::BadResponse(format!(
            "the response has no `timestamp` (`{column}`): send when it was submitted, e.g. \
             \"2026-03-14T09:05:33Z\"; it tells a retried delivery from a new response"
        )));
    }
    if r.submitted_at.is_none() {
        return Err(HookError::BadResponse(format!(
            "the `timestamp` (`{column}`) `{}` is not a time: send RFC 3339 \
             (\"2026-03-14T09:05:33Z\") or the sheet's M/D/YYYY H:MM:SS",
            r.timestamp
        )));
    }
    Ok(())
}

/// Gives the `413` of the body-limit layer (sent before the handler runs, when
/// `Content-Length` is already too large) the webhook's JSON error.
pub async fn explain_too_large(State(state): State<AppState>, response: Response) -> Response {
    let is_ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_ours {
        return HookError::TooLarge {
            limit: state.config().server.webhook_max_bytes,
        }
        .into_response();
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn json_values_become_cell_text() {
        let f = fields(br#"{"F": 5, "E": "ok", "X": true, "Y": null, "Z": 4.5}"#).unwrap();
        let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("F"), Some("5"));
        assert_eq!(get("E"), Some("ok"));
        assert_eq!(get("X"), Some("TRUE"));
        assert_eq!(get("Y"), Some(""));
        assert_eq!(get("Z"), Some("4.5"));
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = fields(b"{\n  \"F\": 5,\n}").unwrap_err();
        assert!(
            matches!(
                err,
                HookError::BadJson {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("line 3, column 1"), "{err}");
    }

    #[test]
    fn non_objects_and_nested_values_are_refused_with_the_field_named() {
        let err = fields(b"[1, 2]").unwrap_err();
        assert!(err.to_string().contains("an array, not an object"), "{err}");
        let err = fields(br#"{"E": {"text": "x"}}"#).unwrap_err();
        assert!(
            err.to_string().contains("field `E` holds an object"),
            "{err}"
        );
        let err = fields(b"{}").unwrap_err();
        assert!(err.to_string().contains("empty object"), "{err}");
    }
}
