//! `/api/v1/restores`: plan (dry run), start, list, get, confirm an operator step, cancel, and
//! the server-sent-events stream of a restore. Handlers translate HTTP to engine calls and
//! engine errors to status codes.

use super::backups::journal_error;
use super::events::{last_event_id, replay, EventJournal};
use super::ApiError;
use crate::actions::{self, ActionError};
use crate::auth::Caller;
use crate::domain::{BackupId, BackupSetRow, RestoreEvent};
use crate::restore::{RestoreEngine, RestoreError};
use crate::state::{AppState, Console};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::Stream;
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;

/// The body of `POST /api/v1/restores[/plan]`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RestoreRequest {
    backup_id: serde_json::Value,
    /// The cluster's name; anything but a string counts as a wrong name (422).
    #[serde(default)]
    confirm: Option<serde_json::Value>,
}

/// The backup id of a request body: a positive integer, else 422 naming the field.
fn parse_body(body: &Bytes) -> Result<(i64, Option<String>), ApiError> {
    let request: RestoreRequest = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("The body must be {{\"backupId\": <positive integer>, \"confirm\": \"<cluster name>\"}}: {e}"),
        )
    })?;
    let id = request
        .backup_id
        .as_i64()
        .filter(|i| *i > 0)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_backup_id",
                format!(
                    "`backupId` must be a positive integer, not {}",
                    request.backup_id
                ),
            )
        })?;
    let confirm = request.confirm.map(|c| match c {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    Ok((id, confirm))
}

/// The set's row, read fresh from the cluster (a restore decides on the cluster as it is now).
async fn fresh_set(console: &Console, id: i64) -> Result<Option<BackupSetRow>, ApiError> {
    match BackupId::new(id) {
        Some(backup_id) => crate::history::fresh_set(console, backup_id)
            .await
            .map_err(journal_error),
        None => Ok(None),
    }
}

fn not_found_set(id: i64) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("No backup with id {id} in the journal, the components or the repository"),
    )
}

/// The API error of a refused restore request (status, stable code, words).
pub fn restore_api_error(e: &RestoreError) -> ApiError {
    let api = |status, code: &'static str| ApiError::new(status, code, e.to_string());
    match e {
        RestoreError::NotConfirmed(_) => api(StatusCode::UNPROCESSABLE_ENTITY, "not_confirmed"),
        RestoreError::UnknownSet(id) => not_found_set(*id),
        RestoreError::Busy(_) => api(StatusCode::CONFLICT, "busy"),
        RestoreError::ChecksFailed(_) => api(StatusCode::CONFLICT, "checks_failed"),
        RestoreError::NotFound(_) => api(StatusCode::NOT_FOUND, "not_found"),
        RestoreError::UnknownStep(_) => api(StatusCode::NOT_FOUND, "unknown_step"),
        RestoreError::NotWaiting { .. } => api(StatusCode::CONFLICT, "step_not_waiting"),
        RestoreError::NotCancellable(_) => api(StatusCode::CONFLICT, "not_cancellable"),
        RestoreError::NotRetryable(..) => api(StatusCode::CONFLICT, "not_retryable"),
        RestoreError::ShuttingDown => api(StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
        RestoreError::Journal(cause) => {
            tracing::error!(error = %cause, "restore journal error");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "journal_error",
                "The console's restore journal failed; see the console's log.",
            )
        }
    }
}

/// The response of a refused restore request; failed checks come with the checks.
pub fn restore_error(e: RestoreError) -> Response {
    let api = restore_api_error(&e);
    match e {
        RestoreError::ChecksFailed(checks) => (
            api.status,
            Json(json!({
                "error": {"code": api.code, "message": api.message},
                "checks": checks,
            })),
        )
            .into_response(),
        _ => api.into_response(),
    }
}

/// `POST /api/v1/restores/plan` `{"backupId": n}` → 200 the plan; nothing changes.
pub async fn plan(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let (id, _) = parse_body(&body)?;
    let console = &state.console;
    let set = fresh_set(console, id)
        .await?
        .ok_or_else(|| not_found_set(id))?;
    Ok(match console.restores.plan(&set).await {
        Ok(plan) => Json(plan).into_response(),
        Err(e) => restore_error(e),
    })
}

/// `POST /api/v1/restores` `{"backupId": n, "confirm": "<cluster name>"}` → 201.
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ActionError> {
    let (id, confirm) = parse_body(&body)?;
    let view = actions::start_restore(&state.console, &caller, id, confirm.as_deref()).await?;
    let rid = view.restore_id;
    let mut body = serde_json::to_value(&view).unwrap_or_else(|_| json!({}));
    if let Some(o) = body.as_object_mut() {
        o.insert(
            "links".into(),
            json!({
                "self": format!("/api/v1/restores/{rid}"),
                "events": format!("/api/v1/restores/{rid}/events"),
                "cancel": format!("/api/v1/restores/{rid}/cancel"),
            }),
        );
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/v1/restores` → `{"items": [...]}` newest first.
pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let items = state.console.restores.list().await.map_err(journal_error)?;
    Ok(Json(json!({ "items": items })))
}

fn parse_restore_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|i| *i > 0).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_restore_id",
            format!("`{raw}` is not a restore id (a positive integer)"),
        )
    })
}

/// `GET /api/v1/restores/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<crate::domain::RestoreView>, ApiError> {
    let id = parse_restore_id(&raw)?;
    state
        .console
        .restores
        .get(id)
        .await
        .map_err(journal_error)?
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No restore with id {id}"),
            )
        })
}

/// `POST /api/v1/restores/{id}/steps/{key}/confirm` → 202; 409 when the step is not waiting.
pub async fn confirm(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((raw, key)): Path<(String, String)>,
) -> Result<Response, ActionError> {
    let id = parse_restore_id(&raw)?;
    actions::confirm_restore_step(&state.console, &caller, id, &key).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"restoreId": id, "step": key, "confirmed": true})),
    )
        .into_response())
}

/// `POST /api/v1/restores/{id}/cancel` → 202; 409 after the first destructive action.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Response, ActionError> {
    let id = parse_restore_id(&raw)?;
    actions::cancel_restore(&state.console, &caller, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"restoreId": id, "cancelRequested": true})),
    )
        .into_response())
}

/// `POST /api/v1/restores/{id}/retry` → 202: a failed restore continues from its failed step;
/// 409 when it did not fail (or something else runs).
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Response, ActionError> {
    let id = parse_restore_id(&raw)?;
    let view = actions::retry_restore(&state.console, &caller, id).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// A restore's journal.
struct RestoreEvents {
    engine: RestoreEngine,
    id: i64,
}

impl EventJournal for RestoreEvents {
    type Event = RestoreEvent;

    fn seq(event: &RestoreEvent) -> u64 {
        event.seq
    }

    fn is_terminal(event: &RestoreEvent) -> bool {
        event.restore.state.is_terminal()
    }

    async fn after(&self, seq: u64) -> Result<Vec<RestoreEvent>, crate::store::StoreError> {
        self.engine.store().restore_events_after(self.id, seq).await
    }

    async fn ended(&self) -> bool {
        matches!(self.engine.get(self.id).await, Ok(Some(r)) if r.state.is_terminal())
    }
}

/// `GET /api/v1/restores/{id}/events`: journal replay after `Last-Event-ID`, then live events;
/// ends after the restore ends.
pub async fn events(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_restore_id(&raw)?;
    let last_seen = last_event_id(&headers);
    let engine = state.console.restores.clone();
    let (past, live) = engine
        .subscribe(id, last_seen)
        .await
        .map_err(journal_error)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No restore with id {id}"),
            )
        })?;
    Ok(replay(
        RestoreEvents { engine, id },
        last_seen,
        past,
        live,
        state.console.closing.subscribe(),
    ))
}
