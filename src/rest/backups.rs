//! `/api/v1/backups`: start, list, get, cancel, and the server-sent-events stream of a run.
//! Handlers translate HTTP to engine calls and engine errors to status codes; nothing more.

use super::ApiError;
use crate::actions::{self, ActionError};
use crate::auth::Caller;
use crate::domain::HistoryPage;
use crate::domain::{BackupId, StartBackupRequest};
use crate::engine::{CancelError, StartError};
use crate::history::{self, HistoryQuery};
use crate::state::AppState;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;

pub(super) fn parse_backup_id(raw: &str) -> Result<BackupId, ApiError> {
    raw.parse::<i64>()
        .ok()
        .and_then(BackupId::new)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_backup_id",
                format!("`{raw}` is not a backup id (a positive integer)"),
            )
        })
}

pub fn journal_error(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "run journal error");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "journal_error",
        "The console's run journal failed; see the console's log.",
    )
}

/// Maps a start error to its HTTP answer (shared with the server function).
pub fn start_error(e: StartError) -> ApiError {
    match &e {
        StartError::Busy(_) => ApiError::new(StatusCode::CONFLICT, "backup_running", e.to_string()),
        StartError::RestoreRunning(_) => {
            ApiError::new(StatusCode::CONFLICT, "restore_running", e.to_string())
        }
        StartError::Recovering(_) => {
            ApiError::new(StatusCode::CONFLICT, "recovering", e.to_string())
        }
        StartError::ShuttingDown => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            e.to_string(),
        ),
        StartError::InvalidId { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_backup_id",
            e.to_string(),
        ),
        StartError::LatestUnknown(cause) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "cluster_unavailable",
            format!("Cannot determine the latest backup id, so no backup was started: {cause}"),
        ),
        StartError::Store(cause) => {
            tracing::error!(error = %cause, "run journal error");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "journal_error",
                "The console's run journal failed; see the console's log.",
            )
        }
    }
}

/// `POST /api/v1/backups` with `{}` or `{"backupId": n}` → 202 `{"backupId": n, ...}`.
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ActionError> {
    let request: StartBackupRequest = if body.iter().all(u8::is_ascii_whitespace) {
        StartBackupRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_body",
                format!("The body must be {{}} or {{\"backupId\": <positive integer>}}: {e}"),
            )
        })?
    };
    let id = actions::start_backup(&state.console, &caller, request).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "backupId": id,
            "state": "running",
            "links": {
                "self": format!("/api/v1/backups/{id}"),
                "events": format!("/api/v1/backups/{id}/events"),
                "cancel": format!("/api/v1/backups/{id}/cancel"),
            }
        })),
    ))
}

/// `GET /api/v1/backups?limit=&cursor=&verdict=&from=&to=`: one row per backup set, newest
/// first → `{"items": [...], "nextCursor": ..., "summary": ...}`.
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<HistoryPage>, ApiError> {
    let arg = |k: &str| params.get(k).map(String::as_str);
    let query = HistoryQuery::parse(
        arg("limit"),
        arg("cursor"),
        arg("verdict"),
        arg("from"),
        arg("to"),
    )
    .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))?;
    history::history_page(&state.console, &query)
        .await
        .map(Json)
        .map_err(journal_error)
}

/// `GET /api/v1/backups/{id}`: the console's run (when it took the set) with the set's
/// `restorable`, `verdict`, `reason` and `components`; a set the console did not take has
/// `state: null`.
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_backup_id(&raw)?;
    let run = state.console.engine.run(id).await.map_err(journal_error)?;
    let set = history::history_set_sized(&state.console, id)
        .await
        .map_err(journal_error)?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No backup with id {id} in the journal, the components or the repository"),
        )
    };
    let mut body = match &run {
        Some(run) => serde_json::to_value(run).map_err(|_| not_found())?,
        None => json!({ "backupId": id, "state": null }),
    };
    let deletions = state
        .console
        .engine
        .store()
        .deletions(id)
        .await
        .map_err(journal_error)?;
    if let Some(obj) = body.as_object_mut() {
        obj.insert("deletions".into(), json!(deletions));
        if let Some(live) = state.console.history.deletions.get(id) {
            obj.insert("deletion".into(), json!(live));
        }
    }
    let Some(set) = set else {
        return (run.is_some() || !deletions.is_empty())
            .then_some(Json(body))
            .ok_or_else(not_found);
    };
    if let Some(obj) = body.as_object_mut() {
        obj.insert("restorable".into(), json!(set.restorable));
        obj.insert("verdict".into(), json!(set.verdict));
        obj.insert("reason".into(), json!(set.reason));
        obj.insert("takenAt".into(), json!(set.taken_at));
        obj.insert("components".into(), json!(set.components));
    }
    Ok(Json(body))
}

/// `DELETE /api/v1/backups/{id}[?force=true]`: every part of the set → 200 with what happened
/// to each; 409 for the newest restorable set without `force`, or a set being taken; 404 for
/// an id nobody knows.
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<crate::domain::DeletionOutcome>, ActionError> {
    let id = parse_backup_id(&raw)?;
    let force = match params.get("force").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "`force` must be true or false",
            )
            .into())
        }
    };
    actions::delete_set(&state.console, &caller, id, force)
        .await
        .map(Json)
}

/// The API error of a refused deletion.
pub fn delete_error(e: history::DeleteError) -> ApiError {
    use history::DeleteError as D;
    match e {
        D::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        D::NewestRestorable(_) => {
            ApiError::new(StatusCode::CONFLICT, "newest_restorable", e.to_string())
        }
        D::Running(_) => ApiError::new(StatusCode::CONFLICT, "backup_running", e.to_string()),
        D::Unsure(..) => ApiError::new(StatusCode::CONFLICT, "sources_unavailable", e.to_string()),
        D::Store(cause) => journal_error(cause),
    }
}

/// `POST /api/v1/backups/{id}/cancel` → 202; honoured at the next step boundary or poll.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<Value>), ActionError> {
    let id = parse_backup_id(&raw)?;
    actions::cancel_backup(&state.console, &caller, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "backupId": id, "cancelRequested": true })),
    ))
}

/// The API error of a refused cancel.
pub fn cancel_error(e: CancelError) -> ApiError {
    match e {
        e @ CancelError::NotFound(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
        }
        e @ CancelError::NotRunning(..) => {
            ApiError::new(StatusCode::CONFLICT, "not_running", e.to_string())
        }
        CancelError::Store(e) => journal_error(e),
    }
}
