//! The endpoints of GitLab's REST API v4 that supportops uses, answered the way GitLab's
//! documentation says: status codes, JSON shapes, error bodies, pagination, quick actions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::faults;
use super::paging::{PageRequest, page};
use super::quick_actions::{Commands, quick_actions_with};
use super::state::{FakeIssue, FakeNote, FakeUser, SeedIssue, State, sort_labels};

type Shared = Arc<Mutex<State>>;

/// The most characters GitLab takes in a description or a note.
const BODY_LIMIT: usize = 1_048_576;
type Params = Query<BTreeMap<String, String>>;

/// The fake's router: the API under `/api/v4`, behind the door of [`faults::door`].
pub(crate) fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/user", get(current_user))
        .route("/users", get(users))
        .route("/groups/{id}/members/all", get(group_members))
        .route("/groups/{id}/members/all/{user_id}", get(group_member))
        .route(
            "/projects/{id}/repository/files/{file_path}/raw",
            get(raw_file),
        )
        .route("/projects/{id}/issues", get(list_issues).post(create_issue))
        .route(
            "/projects/{id}/issues/{iid}",
            get(show_issue).put(edit_issue),
        )
        .route(
            "/projects/{id}/issues/{iid}/notes",
            get(list_notes).post(create_note),
        );
    Router::new()
        .route("/oauth/authorize", get(super::oauth::authorize))
        .route("/oauth/token", axum::routing::post(super::oauth::token))
        .nest("/api/v4", api)
        .fallback(|| async { error(StatusCode::NOT_FOUND, "404 Not Found") })
        .layer(middleware::from_fn_with_state(state.clone(), faults::door))
        .with_state(state)
}

/// A refusal: a status and GitLab's JSON error body.
#[derive(Debug)]
pub(crate) struct Refusal(StatusCode, Value);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

/// `{"message": text}` with `status`, as GitLab answers most refusals.
pub(crate) fn message(status: StatusCode, text: &str) -> Refusal {
    Refusal(status, json!({ "message": text }))
}

/// `{"error": text}` with `status`, as GitLab answers invalid parameters.
pub(crate) fn error(status: StatusCode, text: &str) -> Refusal {
    Refusal(status, json!({ "error": text }))
}

fn lock(state: &Shared) -> Result<MutexGuard<'_, State>, Refusal> {
    state.lock().map_err(|_| {
        message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error",
        )
    })
}

fn ts(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn user_json(s: &State, u: &FakeUser) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "name": u.name,
        "state": u.state,
        "locked": false,
        "avatar_url": null,
        "web_url": s.base_url.join(&u.username).map(|u| u.to_string()).unwrap_or_default(),
    })
}

fn user_json_by_name(s: &State, username: &str) -> Value {
    s.user_by_name(username)
        .map(|u| user_json(s, u))
        .unwrap_or(Value::Null)
}

fn issue_json(s: &State, project_id: u64, i: &FakeIssue) -> Value {
    let assignees: Vec<Value> = i
        .assignees
        .iter()
        .map(|a| user_json_by_name(s, a))
        .collect();
    let web_url = s
        .base_url
        .join(&format!("{}/-/issues/{}", i.project, i.iid))
        .map(|u| u.to_string())
        .unwrap_or_default();
    json!({
        "id": i.id,
        "iid": i.iid,
        "project_id": project_id,
        "title": i.title,
        "description": if i.description.is_empty() { Value::Null } else { json!(i.description) },
        "state": i.state,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_at": i.closed_at.map(ts),
        "labels": i.labels,
        "milestone": null,
        "assignees": assignees,
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "author": user_json_by_name(s, &i.author),
        "type": "ISSUE",
        "user_notes_count": i.notes.iter().filter(|n| !n.system).count(),
        "confidential": false,
        "web_url": web_url,
        "references": {
            "short": format!("#{}", i.iid),
            "relative": format!("#{}", i.iid),
            "full": format!("{}#{}", i.project, i.iid),
        },
    })
}

fn note_json(s: &State, issue: &FakeIssue, n: &FakeNote) -> Value {
    json!({
        "id": n.id,
        "type": null,
        "body": n.body,
        "attachment": null,
        "author": user_json_by_name(s, &n.author),
        "created_at": ts(n.created_at),
        "updated_at": ts(n.created_at),
        "system": n.system,
        "noteable_id": issue.id,
        "noteable_type": "Issue",
        "noteable_iid": issue.iid,
        "resolvable": false,
        "confidential": false,
        "internal": false,
    })
}

fn project_not_found() -> Refusal {
    message(StatusCode::NOT_FOUND, "404 Project Not Found")
}

fn find_project(s: &State, id: &str) -> Result<usize, Refusal> {
    s.project_index(id).ok_or_else(project_not_found)
}

fn find_issue(s: &State, project: usize, iid: &str) -> Result<usize, Refusal> {
    let not_found = || message(StatusCode::NOT_FOUND, "404 Issue Not Found");
    let iid: u64 = iid.parse().map_err(|_| not_found())?;
    s.projects[project]
        .issues
        .iter()
        .position(|i| i.iid == iid)
        .ok_or_else(not_found)
}

fn writable(s: &State, project: usize) -> Result<(), Refusal> {
    if s.projects[project].read_only {
        return Err(message(StatusCode::FORBIDDEN, "403 Forbidden"));
    }
    Ok(())
}

/// A request body as a JSON object, whether it came as JSON or as a form.
fn body_fields(headers: &HeaderMap, body: &Bytes) -> Result<BTreeMap<String, Value>, Refusal> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return Ok(url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.trim_end_matches("[]").to_owned(), json!(v)))
            .collect());
    }
    if body.is_empty() {
        return Ok(BTreeMap::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map.into_iter().collect()),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "400 Bad request - body is not valid JSON",
        )),
    }
}

/// A label list given as `"a,b"` or `["a", "b"]`.
fn label_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s.split(',').map(|l| l.trim().to_owned()).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| s.trim().to_owned()))
            .collect(),
        _ => Vec::new(),
    }
    .into_iter()
    .filter(|l| !l.is_empty())
    .collect()
}

/// An id list given as `[1, 2]`, `"1,2"` or one number.
fn id_list(v: Option<&Value>) -> Result<Vec<u64>, ()> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Number(n)) => n.as_u64().map(|n| vec![n]).ok_or(()),
        Some(Value::String(s)) => s
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().parse().map_err(|_| ()))
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Number(n) => n.as_u64().ok_or(()),
                Value::String(s) => s.parse().map_err(|_| ()),
                _ => Err(()),
            })
            .collect(),
        Some(_) => Err(()),
    }
}

/// Records the mentions of a text written in an issue.
fn record_mentions(s: &mut State, project: &str, iid: u64, place: &'static str, text: &str) {
    for who in super::state::mentions_in(text) {
        s.mentions.push(super::state::Mention {
            who,
            project: project.to_owned(),
            iid,
            place,
        });
    }
}

/// GitLab's issue search: the query's words (quoted phrases kept whole, words shorter than
/// three characters dropped) must all appear, case-insensitively, in the title or all in the
/// description. A query with no such word must equal the column.
fn search_matches(query: &str, issue: &FakeIssue) -> bool {
    let mut words = Vec::new();
    let mut rest = query.trim();
    while !rest.is_empty() {
        if let Some(q) = rest.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            words.push(q[..end].to_lowercase());
            rest = q.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(rest[..end].to_lowercase());
            rest = rest[end..].trim_start();
        }
    }
    words.retain(|w| w.chars().count() >= 3);
    [&issue.title, &issue.description].iter().any(|column| {
        let column = column.to_lowercase();
        if words.is_empty() {
            column == query.trim().to_lowercase()
        } else {
            words.iter().all(|w| column.contains(w.as_str()))
        }
    })
}

fn time_param(q: &BTreeMap<String, String>, key: &str) -> Result<Option<Timestamp>, Refusal> {
    q.get(key)
        .map(|v| {
            v.parse::<Timestamp>()
                .map_err(|_| error(StatusCode::BAD_REQUEST, &format!("{key} is invalid")))
        })
        .transpose()
}

async fn current_user(
    AxumState(state): AxumState<Shared>,
    who: Option<axum::Extension<faults::TokenUser>>,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let id = who.map_or(s.bot, |w| w.0.0);
    let user = s
        .user(id)
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "404 User Not Found"))?;
    Ok(Json(user_json(&s, user)).into_response())
}

async fn users(AxumState(state): AxumState<Shared>, Query(q): Params) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let req = PageRequest::read(&q, s.max_per_page)?;
    let found: Vec<Value> = s
        .users
        .iter()
        .filter(|u| {
            q.get("username")
                .is_none_or(|name| u.username.eq_ignore_ascii_case(name))
        })
        .map(|u| user_json(&s, u))
        .collect();
    Ok(page(
        found,
        &req,
        &s.base_url,
        "/api/v4/users",
        &q,
        s.pagination,
    ))
}

async fn group_members(
    AxumState(state): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let group = s
        .group_index(&id)
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "404 Group Not Found"))?;
    let req = PageRequest::read(&q, s.max_per_page)?;
    let members: Vec<Value> = s
        .all_members(group)
        .iter()
        .map(|u| {
            let mut v = user_json(&s, u);
            v["access_level"] = json!(30);
            v
        })
        .collect();
    let path = format!("/api/v4/groups/{}/members/all", s.groups[group].id);
    Ok(page(members, &req, &s.base_url, &path, &q, s.pagination))
}

/// `GET /groups/:id/members/all/:user_id`: the member, direct, inherited or invited, or 404.
async fn group_member(
    AxumState(state): AxumState<Shared>,
    Path((id, user_id)): Path<(String, u64)>,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let group = s
        .group_index(&id)
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "404 Group Not Found"))?;
    let member = s
        .all_members(group)
        .into_iter()
        .find(|u| u.id == user_id)
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "404 Not found"))?;
    let mut v = user_json(&s, &member);
    v["access_level"] = json!(30);
    Ok(Json(v).into_response())
}

async fn raw_file(
    AxumState(state): AxumState<Shared>,
    Path((id, file_path)): Path<(String, String)>,
    Query(q): Params,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let project = find_project(&s, &id)?;
    if !matches!(
        q.get("ref").map(String::as_str),
        None | Some("HEAD" | "main")
    ) {
        return Err(message(StatusCode::NOT_FOUND, "404 Commit Not Found"));
    }
    let text = s.projects[project]
        .files
        .get(&file_path)
        .ok_or_else(|| message(StatusCode::NOT_FOUND, "404 File Not Found"))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.clone(),
    )
        .into_response())
}

async fn list_issues(
    AxumState(state): AxumState<Shared>,
    Path(id): Path<String>,
    Query(q): Params,
    RawQuery(raw): RawQuery,
) -> Result<Response, Refusal> {
    // `iids[]` repeats, which the map of the other parameters cannot hold.
    let iids = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "iids[]")
        .map(|(_, v)| {
            v.parse::<u64>()
                .map_err(|_| error(StatusCode::BAD_REQUEST, "iids is invalid"))
        })
        .collect::<Result<Vec<u64>, Refusal>>()?;
    list_issues_inner(&state, &id, &q, &iids)
}

fn list_issues_inner(
    state: &Shared,
    id: &str,
    q: &BTreeMap<String, String>,
    iids: &[u64],
) -> Result<Response, Refusal> {
    let s = lock(state)?;
    let project = find_project(&s, id)?;
    let req = PageRequest::read(q, s.max_per_page)?;
    let state_filter = match q.get("state").map(String::as_str) {
        None | Some("all") => None,
        Some(st @ ("opened" | "closed")) => Some(st.to_owned()),
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "state does not have a valid value",
            ));
        }
    };
    let labels = label_list(q.get("labels").map(|l| json!(l)).as_ref());
    let created_after = time_param(q, "created_after")?;
    let created_before = time_param(q, "created_before")?;
    let updated_after = time_param(q, "updated_after")?;
    let updated_before = time_param(q, "updated_before")?;
    let by_updated = match q.get("order_by").map(String::as_str) {
        None | Some("created_at") => false,
        Some("updated_at") => true,
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "order_by does not have a valid value",
            ));
        }
    };
    let ascending = match q.get("sort").map(String::as_str) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "sort does not have a valid value",
            ));
        }
    };
    let p = &s.projects[project];
    let mut issues: Vec<&FakeIssue> = p
        .issues
        .iter()
        .filter(|i| state_filter.as_deref().is_none_or(|st| i.state == st))
        .filter(|i| iids.is_empty() || iids.contains(&i.iid))
        .filter(|i| match labels.as_slice() {
            [only] if only.eq_ignore_ascii_case("None") => i.labels.is_empty(),
            [only] if only.eq_ignore_ascii_case("Any") => !i.labels.is_empty(),
            wanted => wanted
                .iter()
                .all(|w| i.labels.iter().any(|l| l.eq_ignore_ascii_case(w))),
        })
        .filter(|i| q.get("search").is_none_or(|text| search_matches(text, i)))
        .filter(|i| created_after.is_none_or(|t| i.created_at >= t))
        .filter(|i| created_before.is_none_or(|t| i.created_at <= t))
        .filter(|i| updated_after.is_none_or(|t| i.updated_at >= t))
        .filter(|i| updated_before.is_none_or(|t| i.updated_at <= t))
        .collect();
    issues.sort_by_key(|i| {
        (
            if by_updated {
                i.updated_at
            } else {
                i.created_at
            },
            i.id,
        )
    });
    if !ascending {
        issues.reverse();
    }
    let items: Vec<Value> = issues.iter().map(|i| issue_json(&s, p.id, i)).collect();
    let path = format!("/api/v4/projects/{}/issues", p.id);
    Ok(page(items, &req, &s.base_url, &path, q, s.pagination))
}

async fn create_issue(
    AxumState(state): AxumState<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    create_issue_inner(&state, &id, &headers, &body)
}

fn create_issue_inner(
    state: &Shared,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Refusal> {
    let mut s = lock(state)?;
    let project = find_project(&s, id)?;
    writable(&s, project)?;
    let fields = body_fields(headers, body)?;
    let title = fields
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if title.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, "title is missing"));
    }
    let mut ids = id_list(fields.get("assignee_ids"))
        .map_err(|_| error(StatusCode::BAD_REQUEST, "assignee_ids is invalid"))?;
    ids.extend(
        id_list(fields.get("assignee_id"))
            .map_err(|_| error(StatusCode::BAD_REQUEST, "assignee_id is invalid"))?,
    );
    // GitLab drops, without a word, assignees it cannot assign.
    let mut assignees: Vec<String> = ids
        .iter()
        .filter_map(|id| s.user(*id))
        .filter(|u| u.state == "active")
        .map(|u| u.username.clone())
        .collect();
    let mut labels = label_list(fields.get("labels"));
    let description = fields
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    if description.chars().count() > BODY_LIMIT {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "description is too long (maximum is 1048576 characters)",
        ));
    }
    if title.chars().count() > 255 {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "title is too long (maximum is 255 characters)",
        ));
    }
    let mut commands = Commands::default();
    let description = quick_actions_with(description, &mut labels, &mut assignees, &mut commands);
    labels.retain(|l| !commands.unlabel.iter().any(|u| u.eq_ignore_ascii_case(l)));
    assignees.retain(|a| s.user_by_name(a).is_some_and(|u| u.state == "active"));
    assignees.dedup();
    let author = s.bot;
    let iid = s.insert_issue(
        project,
        SeedIssue {
            title: title.to_owned(),
            description,
            labels,
            assignees,
            closed: commands.close,
            created_at: None,
        },
        author,
    );
    let path = s.projects[project].path.clone();
    record_mentions(&mut s, &path, iid, "title", title);
    let text = s.projects[project]
        .issues
        .iter()
        .find(|i| i.iid == iid)
        .map(|i| i.description.clone())
        .unwrap_or_default();
    record_mentions(&mut s, &path, iid, "description", &text);
    let p = &s.projects[project];
    let issue = p.issues.iter().find(|i| i.iid == iid).ok_or_else(|| {
        message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 Internal Server Error",
        )
    })?;
    Ok((StatusCode::CREATED, Json(issue_json(&s, p.id, issue))).into_response())
}

async fn show_issue(
    AxumState(state): AxumState<Shared>,
    Path((id, iid)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let project = find_project(&s, &id)?;
    let index = find_issue(&s, project, &iid)?;
    let p = &s.projects[project];
    Ok(Json(issue_json(&s, p.id, &p.issues[index])).into_response())
}

async fn edit_issue(
    AxumState(state): AxumState<Shared>,
    Path((id, iid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    edit_issue_inner(&state, &id, &iid, &headers, &body)
}

/// The parameters of an issue edit this fake knows; GitLab wants at least one.
const EDIT_PARAMS: [&str; 7] = [
    "title",
    "description",
    "labels",
    "add_labels",
    "remove_labels",
    "state_event",
    "assignee_ids",
];

fn edit_issue_inner(
    state: &Shared,
    id: &str,
    iid: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, Refusal> {
    let mut s = lock(state)?;
    let project = find_project(&s, id)?;
    let index = find_issue(&s, project, iid)?;
    writable(&s, project)?;
    let fields = body_fields(headers, body)?;
    if !EDIT_PARAMS.iter().any(|k| fields.contains_key(*k)) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            &format!(
                "{} are missing, at least one parameter must be provided",
                EDIT_PARAMS.join(", ")
            ),
        ));
    }
    let event = fields.get("state_event").and_then(Value::as_str);
    if event.is_some_and(|e| e != "close" && e != "reopen") {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "state_event does not have a valid value",
        ));
    }
    let now = s.now();
    let mut system_notes = Vec::new();
    let issue_iid;
    {
        let issue = &mut s.projects[project].issues[index];
        issue_iid = issue.iid;
        let before = issue.labels.clone();
        if fields.contains_key("labels") {
            issue.labels = label_list(fields.get("labels"));
        }
        issue.labels.extend(label_list(fields.get("add_labels")));
        let remove = label_list(fields.get("remove_labels"));
        issue
            .labels
            .retain(|l| !remove.iter().any(|r| r.eq_ignore_ascii_case(l)));
        sort_labels(&mut issue.labels);
        let added: Vec<&String> = issue
            .labels
            .iter()
            .filter(|l| !before.contains(l))
            .collect();
        let removed: Vec<&String> = before
            .iter()
            .filter(|l| !issue.labels.contains(l))
            .collect();
        let refs = |ls: &[&String]| {
            ls.iter()
                .map(|l| format!("~\"{l}\""))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if !added.is_empty() {
            system_notes.push(format!("added {} label", refs(&added)));
        }
        if !removed.is_empty() {
            system_notes.push(format!("removed {} label", refs(&removed)));
        }
        if let Some(title) = fields.get("title").and_then(Value::as_str) {
            issue.title = title.to_owned();
        }
        if let Some(description) = fields.get("description").and_then(Value::as_str) {
            issue.description = description.to_owned();
        }
        match event {
            Some("close") if issue.state == "opened" => {
                issue.state = "closed".to_owned();
                issue.closed_at = Some(now);
                system_notes.push("closed".to_owned());
            }
            Some("reopen") if issue.state == "closed" => {
                issue.state = "opened".to_owned();
                issue.closed_at = None;
                system_notes.push("reopened".to_owned());
            }
            _ => {}
        }
        issue.updated_at = now;
    }
    for note in system_notes {
        s.add_system_note(project, issue_iid, note);
    }
    let p = &s.projects[project];
    Ok(Json(issue_json(&s, p.id, &p.issues[index])).into_response())
}

async fn list_notes(
    AxumState(state): AxumState<Shared>,
    Path((id, iid)): Path<(String, String)>,
    Query(q): Params,
) -> Result<Response, Refusal> {
    let s = lock(&state)?;
    let project = find_project(&s, &id)?;
    let index = find_issue(&s, project, &iid)?;
    let req = PageRequest::read(&q, s.max_per_page)?;
    let p = &s.projects[project];
    let issue = &p.issues[index];
    let mut notes: Vec<&FakeNote> = issue.notes.iter().collect();
    notes.sort_by_key(|n| (n.created_at, n.id));
    if q.get("sort").map(String::as_str) != Some("asc") {
        notes.reverse();
    }
    let items: Vec<Value> = notes.iter().map(|n| note_json(&s, issue, n)).collect();
    let path = format!("/api/v4/projects/{}/issues/{}/notes", p.id, issue.iid);
    Ok(page(items, &req, &s.base_url, &path, &q, s.pagination))
}

async fn create_note(
    AxumState(state): AxumState<Shared>,
    Path((id, iid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let mut s = lock(&state)?;
    let project = find_project(&s, &id)?;
    let index = find_issue(&s, project, &iid)?;
    writable(&s, project)?;
    let fields = body_fields(&headers, &body)?;
    let text = fields
        .get("body")
        .and_then(Value::as_str)
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| error(StatusCode::BAD_REQUEST, "body is missing"))?
        .to_owned();
    if text.chars().count() > BODY_LIMIT {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Note {:note=>[\"is too long (maximum is 1048576 characters)\"]}",
        ));
    }
    let now = s.now();
    let note_id = s.fresh_id();
    let author = s
        .user(s.bot)
        .map(|u| u.username.clone())
        .unwrap_or_default();
    let (mut add, mut assign, mut commands) = (Vec::new(), Vec::new(), Commands::default());
    let text = quick_actions_with(&text, &mut add, &mut assign, &mut commands);
    let note = FakeNote {
        id: note_id,
        body: text.clone(),
        author,
        system: false,
        created_at: now,
    };
    let path = s.projects[project].path.clone();
    let iid_number = s.projects[project].issues[index].iid;
    record_mentions(&mut s, &path, iid_number, "note", &text);
    let known: Vec<String> = assign
        .iter()
        .filter(|a| s.user_by_name(a).is_some())
        .cloned()
        .collect();
    let issue = &mut s.projects[project].issues[index];
    issue.notes.push(note.clone());
    issue.labels.extend(add);
    issue
        .labels
        .retain(|l| !commands.unlabel.iter().any(|u| u.eq_ignore_ascii_case(l)));
    sort_labels(&mut issue.labels);
    for a in known {
        if !issue.assignees.contains(&a) {
            issue.assignees.push(a);
        }
    }
    if commands.close && issue.state == "opened" {
        issue.state = "closed".to_owned();
        issue.closed_at = Some(now);
    }
    if commands.reopen && issue.state == "closed" {
        issue.state = "opened".to_owned();
        issue.closed_at = None;
    }
    issue.updated_at = now;
    let issue = issue.clone();
    Ok((StatusCode::CREATED, Json(note_json(&s, &issue, &note))).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a panic in a test is a failing test")]
mod tests {
    use super::*;

    #[test]
    fn search_needs_every_long_word_in_one_column() {
        let issue = FakeIssue {
            id: 1,
            iid: 1,
            project: "p".into(),
            title: "Feedback Review: ticket forms".into(),
            description: "<!-- supportops:subject=https://x/y -->".into(),
            state: "opened".into(),
            labels: vec![],
            assignees: vec![],
            author: "bot".into(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
            notes: vec![],
        };
        assert!(search_matches("ticket FORMS", &issue));
        assert!(search_matches("supportops:subject=https://x/y", &issue));
        assert!(search_matches("\"review: ticket\"", &issue));
        // Words in different columns do not match together.
        assert!(!search_matches("ticket supportops", &issue));
        // Short words are ignored.
        assert!(search_matches("a ticket", &issue));
        assert!(!search_matches("zendesk", &issue));
    }
}
