//! `/api/v1/backups`: start, list, get, cancel, and the server-sent-events stream of a run.
//! Handlers translate HTTP to engine calls and engine errors to status codes; nothing more.

use super::ApiError;
use crate::domain::{BackupId, RunSummary, RunView, StartBackupRequest};
use crate::engine::{CancelError, StartError};
use crate::state::AppState;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

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

pub(super) fn journal_error(e: StoreError) -> ApiError {
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
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
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
    let id = state
        .console
        .engine
        .start_backup(request)
        .await
        .map_err(start_error)?;
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

/// `GET /api/v1/backups`: every run, newest first.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<RunSummary>>, ApiError> {
    let runs = state.console.engine.runs().await.map_err(journal_error)?;
    Ok(Json(runs.iter().map(RunSummary::from).collect()))
}

/// `GET /api/v1/backups/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let id = parse_backup_id(&raw)?;
    state
        .console
        .engine
        .run(id)
        .await
        .map_err(journal_error)?
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No backup run with id {id}"),
            )
        })
}

/// `POST /api/v1/backups/{id}/cancel` → 202; honoured at the next step boundary or poll.
pub async fn cancel(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = parse_backup_id(&raw)?;
    match state.console.engine.cancel(id).await {
        Ok(()) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({ "backupId": id, "cancelRequested": true })),
        )),
        Err(e @ CancelError::NotFound(_)) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            e.to_string(),
        )),
        Err(e @ CancelError::NotRunning(..)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_running",
            e.to_string(),
        )),
        Err(CancelError::Store(e)) => Err(journal_error(e)),
    }
}
