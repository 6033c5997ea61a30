//! `/api/v1/backups`: start, list, get, cancel, and the server-sent-events stream of a run.
//! Handlers translate HTTP to engine calls and engine errors to status codes; nothing more.

use super::schema::{
    BackupCancelRequested, BackupDetail, BackupStarted, BodyRefusals, ErrorBody, Links, NotTaken,
    Refusals, RunOrId,
};
use crate::actions;
use crate::auth::Caller;
use crate::domain::{BackupId, StartBackupRequest};
use crate::domain::{DeletionOutcome, HistoryPage};
use crate::history::{self, HistoryQuery};
use crate::state::AppState;
use crate::wire::Refusal;
use crate::wire::{journal_error, ApiError};
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
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

/// A query parameter given with an empty value is refused (leave it out for no filter): the
/// published document says what each one holds, and an empty string is none of those.
pub(super) fn no_empty(params: &HashMap<String, String>) -> Result<(), ApiError> {
    match params.iter().find(|(_, v)| v.trim().is_empty()) {
        Some((k, _)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("`{k}` is empty; leave it out for no filter"),
        )),
        None => Ok(()),
    }
}

/// `POST /api/v1/backups` with `{}` or `{"backupId": n}` → 202 `{"backupId": n, ...}`.
#[utoipa::path(post, path = "/api/v1/backups", operation_id = "startBackup", tag = "backups",
    request_body(content = Option<StartBackupRequest>, description = "Empty, `{}`, or the id to use"),
    responses(
        (status = 202, description = "The run started; follow it at `links.events`", body = BackupStarted),
        (status = 400, description = "The body is not `{}` or `{\"backupId\": n}`", body = ErrorBody),
        (status = 409, description = "A backup or a restore runs, the console is recovering an interrupted run, the cluster's Camunda version is one this build does not back up (`unsupported_version`), or the given id is not above every id the journal, Zeebe or the repository knows (`backup_id_not_above_latest`, naming what holds the latest)", body = ErrorBody),
        (status = 422, description = "The id is not a positive integer", body = ErrorBody),
        (status = 503, description = "The latest backup id cannot be read from the cluster, or the console is shutting down", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<BackupStarted>), Refusal> {
    // No body, or JSON `null`: the next id.
    let empty = body.iter().all(u8::is_ascii_whitespace) || body.trim_ascii() == b"null";
    let request: StartBackupRequest = if empty {
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
        Json(BackupStarted {
            backup_id: id,
            state: crate::domain::RunState::Running,
            links: Links::of("backups", id),
        }),
    ))
}

/// `GET /api/v1/backups?limit=&cursor=&verdict=&from=&to=`: one row per backup set, newest
/// first → `{"items": [...], "nextCursor": ..., "summary": ...}`.
#[utoipa::path(get, path = "/api/v1/backups", operation_id = "listBackups", tag = "backups",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 500, description = "Rows per page (50)"),
        ("cursor" = Option<String>, Query, pattern = "^id:[0-9]+$", description = "`nextCursor` of the previous page"),
        ("verdict" = Option<crate::domain::Verdict>, Query, description = "Only the sets with this verdict"),
        ("from" = Option<String>, Query, format = DateTime, description = "Sets taken at or after (RFC 3339)"),
        ("to" = Option<String>, Query, format = DateTime, description = "Sets taken at or before (RFC 3339)"),
    ),
    responses(
        (status = 200, description = "One row per backup set, newest first", body = HistoryPage),
        (status = 400, description = "A query parameter is not valid (the message names it)", body = ErrorBody),
        Refusals,
    ))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<HistoryPage>, ApiError> {
    no_empty(&params)?;
    let arg = |k: &str| params.get(k).map(String::as_str);
    let query = HistoryQuery::parse(
        arg("limit"),
        arg("cursor"),
        arg("verdict"),
        arg("from"),
        arg("to"),
    )
    .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))?;
    history::history_page(&state.console.history_services(), &query)
        .await
        .map(Json)
        .map_err(|e| journal_error(&e))
}

/// `GET /api/v1/backups/{id}`: the console's run (when it took the set) with the set's
/// `restorable`, `verdict`, `reason` and `components`; a set the console did not take has
/// `state: null`.
#[utoipa::path(get, path = "/api/v1/backups/{id}", operation_id = "getBackup", tag = "backups",
    params(("id" = i64, Path, minimum = 1, description = "The backup id")),
    responses(
        (status = 200, description = "The run, the set and its deletions", body = BackupDetail),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No source knows this id", body = ErrorBody),
        Refusals,
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<BackupDetail>, ApiError> {
    let id = parse_backup_id(&raw)?;
    let run = state
        .console
        .engine
        .run(id)
        .await
        .map_err(|e| journal_error(&e))?;
    let set = history::history_set_sized(&state.console.history_services(), id)
        .await
        .map_err(|e| journal_error(&e))?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No backup with id {id} in the journal, the components or the repository"),
        )
    };
    let deletions = state
        .console
        .engine
        .store()
        .deletions(id)
        .await
        .map_err(|e| journal_error(&e))?;
    if set.is_none() && run.is_none() && deletions.is_empty() {
        return Err(not_found());
    }
    let run = match run {
        Some(run) => RunOrId::Run(Box::new(run)),
        None => RunOrId::NotTaken(NotTaken {
            backup_id: id,
            state: None,
        }),
    };
    let pinned = state
        .console
        .retention
        .pins()
        .await
        .map_err(|e| crate::wire::retention_error(&e))?
        .into_iter()
        .find(|p| p.backup_id == id.get());
    Ok(Json(BackupDetail {
        pinned,
        run,
        deletions,
        deletion: state.console.history.deletions.get(id),
        restorable: set.as_ref().map(|s| s.restorable),
        verdict: set.as_ref().map(|s| s.verdict),
        reason: set.as_ref().and_then(|s| s.reason.clone()),
        taken_at: set.as_ref().and_then(|s| s.taken_at.clone()),
        components: set.map(|s| s.components),
    }))
}

/// `DELETE /api/v1/backups/{id}[?force=true]`: every part of the set → 200 with what happened
/// to each; 409 for the newest restorable set without `force`, or a set being taken; 404 for
/// an id nobody knows.
#[utoipa::path(delete, path = "/api/v1/backups/{id}", operation_id = "deleteBackupSet", tag = "backups",
    params(
        ("id" = i64, Path, minimum = 1, description = "The backup id"),
        ("force" = Option<bool>, Query, description = "Also delete the newest restorable set"),
    ),
    responses(
        (status = 200, description = "What happened to each part (`complete` false names what is left)", body = DeletionOutcome),
        (status = 400, description = "The id or `force` is not valid", body = ErrorBody),
        (status = 404, description = "No source knows this id", body = ErrorBody),
        (status = 409, description = "The newest restorable set without `force`, a set being taken or deleted, a set an unfinished (or retryable failed) restore uses (`set_under_restore`, even with `force`), or a source that did not answer", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<DeletionOutcome>, Refusal> {
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
    Ok(Json(
        actions::delete_set(&state.console, &caller, id, force).await?,
    ))
}

/// `POST /api/v1/backups/{id}/cancel` → 202; honoured at the next step boundary or poll.
#[utoipa::path(post, path = "/api/v1/backups/{id}/cancel", operation_id = "cancelBackup", tag = "backups",
    params(("id" = i64, Path, minimum = 1, description = "The backup id")),
    responses(
        (status = 202, description = "Cancel requested; exporting is resumed whatever happens", body = BackupCancelRequested),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "The console has no run with this id", body = ErrorBody),
        (status = 409, description = "The run is not running", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<BackupCancelRequested>), Refusal> {
    let id = parse_backup_id(&raw)?;
    actions::cancel_backup(&state.console, &caller, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(BackupCancelRequested {
            backup_id: id,
            cancel_requested: true,
        }),
    ))
}
