//! `/api/v1/restores`: plan (dry run), start, list, get, confirm an operator step, cancel, and
//! the server-sent-events stream of a restore. Handlers translate HTTP to engine calls and
//! engine errors to status codes.

use super::events::{last_event_id, replay, EventJournal};
use super::schema::{
    BodyRefusals, ChecksFailedBody, ErrorBody, Links, Refusals, RestoreBody,
    RestoreCancelRequested, RestoreList, RestoreStarted, StepConfirmed,
};
use crate::actions;
use crate::auth::Caller;
use crate::domain::BackupId;
use crate::domain::{RestorePlan, RestoreView};
use crate::restore::RestoreEngine;
use crate::state::AppState;
use crate::store::Framed;
use crate::wire::ApiError;
use crate::wire::Refusal;
use crate::wire::{journal_error, not_found_set, restore_error};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::Stream;
use serde::Deserialize;
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

/// `POST /api/v1/restores/plan` `{"backupId": n}` → 200 the plan; nothing changes.
#[utoipa::path(post, path = "/api/v1/restores/plan", operation_id = "planRestore", tag = "restores",
    request_body = RestoreBody,
    responses(
        (status = 200, description = "The pre-flight checks and every action in order (a dry run)", body = RestorePlan),
        (status = 400, description = "The body is not `{\"backupId\": n, \"confirm\": \"...\"}`", body = ErrorBody),
        (status = 404, description = "No source knows this backup id", body = ErrorBody),
        (status = 422, description = "`backupId` is not a positive integer", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn plan(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let (id, _) = parse_body(&body)?;
    let console = &state.console;
    // Only this set is read again, and the prober's overview is used: a dry run costs the
    // cluster (and a store that bills per request) next to nothing.
    let set = match BackupId::new(id) {
        Some(backup_id) => crate::history::set_read_now(&console.history_services(), backup_id)
            .await
            .map_err(|e| journal_error(&e))?,
        None => None,
    }
    .ok_or_else(|| not_found_set(id))?;
    Ok(match console.restores.plan(&set).await {
        Ok(plan) => Json(plan).into_response(),
        Err(e) => restore_error(e),
    })
}

/// `POST /api/v1/restores` `{"backupId": n, "confirm": "<cluster name>"}` → 201.
#[utoipa::path(post, path = "/api/v1/restores", operation_id = "startRestore", tag = "restores",
    request_body = RestoreBody,
    responses(
        (status = 201, description = "The restore started; follow it at `links.events`", body = RestoreStarted),
        (status = 400, description = "The body is not `{\"backupId\": n, \"confirm\": \"...\"}`", body = ErrorBody),
        (status = 404, description = "No source knows this backup id", body = ErrorBody),
        (status = 422, description = "`backupId` is not a positive integer, or `confirm` is not the cluster's name", body = ErrorBody),
        (status = 409, description = "Pre-flight checks failed (`checks_failed`, with every check), or a backup or restore runs (`busy`)", content(
            (ChecksFailedBody = "application/json"),
            (ErrorBody = "application/json"),
        )),
        (status = 503, description = "The console is shutting down", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, Refusal> {
    let (id, confirm) = parse_body(&body)?;
    let view = actions::start_restore(&state.console, &caller, id, confirm.as_deref()).await?;
    let rid = view.restore_id;
    let body = RestoreStarted {
        restore: view,
        links: Links::of("restores", rid),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/v1/restores` → `{"items": [...]}` newest first.
#[utoipa::path(get, path = "/api/v1/restores", operation_id = "listRestores", tag = "restores",
    responses((status = 200, description = "Every restore, newest first", body = RestoreList), Refusals))]
pub async fn list(State(state): State<AppState>) -> Result<Json<RestoreList>, ApiError> {
    let items = state
        .console
        .restores
        .list()
        .await
        .map_err(|e| journal_error(&e))?;
    Ok(Json(RestoreList { items }))
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
#[utoipa::path(get, path = "/api/v1/restores/{id}", operation_id = "getRestore", tag = "restores",
    params(("id" = i64, Path, minimum = 1, description = "The restore id")),
    responses(
        (status = 200, description = "The restore: every step with its state and progress", body = RestoreView),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No restore with this id", body = ErrorBody),
        Refusals,
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<RestoreView>, ApiError> {
    let id = parse_restore_id(&raw)?;
    state
        .console
        .restores
        .get(id)
        .await
        .map_err(|e| journal_error(&e))?
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
#[utoipa::path(post, path = "/api/v1/restores/{id}/steps/{key}/confirm", operation_id = "confirmRestoreStep", tag = "restores",
    params(("id" = i64, Path, minimum = 1, description = "The restore id"), ("key" = String, Path, description = "The step (`RestoreStepKey`)")),
    responses(
        (status = 202, description = "Confirmed; the console checks it and goes on", body = StepConfirmed),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No restore with this id, or no such step", body = ErrorBody),
        (status = 409, description = "The step is not waiting for the operator", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((raw, key)): Path<(String, String)>,
) -> Result<Response, Refusal> {
    let id = parse_restore_id(&raw)?;
    actions::confirm_restore_step(&state.console, &caller, id, &key).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(StepConfirmed {
            restore_id: id,
            step: key,
            confirmed: true,
        }),
    )
        .into_response())
}

/// `POST /api/v1/restores/{id}/cancel` → 202; 409 after the first destructive action.
#[utoipa::path(post, path = "/api/v1/restores/{id}/cancel", operation_id = "cancelRestore", tag = "restores",
    params(("id" = i64, Path, minimum = 1, description = "The restore id")),
    responses(
        (status = 202, description = "Cancel requested", body = RestoreCancelRequested),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No restore with this id", body = ErrorBody),
        (status = 409, description = "Too late: a destructive action ran, or the restore ended", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Response, Refusal> {
    let id = parse_restore_id(&raw)?;
    actions::cancel_restore(&state.console, &caller, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RestoreCancelRequested {
            restore_id: id,
            cancel_requested: true,
        }),
    )
        .into_response())
}

/// `POST /api/v1/restores/{id}/retry` → 202: a failed restore continues from its failed step;
/// 409 when it did not fail (or something else runs).
#[utoipa::path(post, path = "/api/v1/restores/{id}/retry", operation_id = "retryRestore", tag = "restores",
    params(("id" = i64, Path, minimum = 1, description = "The restore id")),
    responses(
        (status = 202, description = "The restore runs again from its failed step", body = RestoreView),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No restore with this id", body = ErrorBody),
        (status = 409, description = "The restore did not fail, or something else runs", body = ErrorBody),
        (status = 503, description = "The console is shutting down", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Response, Refusal> {
    let id = parse_restore_id(&raw)?;
    let view = actions::retry_restore(&state.console, &caller, id).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// A restore's journal.
struct RestoreEvents {
    engine: RestoreEngine,
    id: i64,
    poll: Option<std::time::Duration>,
}

impl EventJournal for RestoreEvents {
    type Event = Framed;

    fn seq(event: &Framed) -> u64 {
        event.seq
    }

    fn is_terminal(event: &Framed) -> bool {
        event.terminal
    }

    fn json(event: &Framed) -> &str {
        &event.json
    }

    async fn after(&self, seq: u64, limit: u32) -> Result<Vec<Framed>, crate::store::StoreError> {
        self.engine
            .store()
            .restore_events_after(self.id, seq, limit)
            .await
    }

    async fn ended(&self) -> bool {
        matches!(self.engine.get(self.id).await, Ok(Some(r)) if r.state.is_terminal())
    }

    fn poll_every(&self) -> Option<std::time::Duration> {
        self.poll
    }
}

/// `GET /api/v1/restores/{id}/events`: journal replay after `Last-Event-ID`, then live events;
/// ends after the restore ends.
#[utoipa::path(get, path = "/api/v1/restores/{id}/events", operation_id = "restoreEvents", tag = "restores",
    params(("id" = i64, Path, minimum = 1, description = "The restore id"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Replay only the events after this one"),
    ),
    responses(
        (status = 200, description = "A stream of `RestoreEvent`s (see the schema) as `data:` lines", content_type = "text/event-stream", body = super::schema::SseEvent),
        (status = 400, description = "The id is not a positive integer, or `Last-Event-ID` is not a whole number", body = ErrorBody),
        (status = 404, description = "No restore with this id", body = ErrorBody),
        Refusals,
    ))]
pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_restore_id(&raw)?;
    let last_seen = last_event_id(&headers)?;
    let slot = super::events::stream_slot(&state.console, &caller)?;
    let engine = state.console.restores.clone();
    let (past, live) = engine
        .subscribe(id, last_seen, super::events::PAGE)
        .await
        .map_err(|e| journal_error(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No restore with id {id}"),
            )
        })?;
    Ok(replay(
        RestoreEvents {
            engine,
            id,
            poll: super::events::poll_for(&state.console.replica),
        },
        last_seen,
        past,
        live,
        state.console.closing.subscribe(),
        slot,
    ))
}
