//! `/api/v1/retention`: the policy, its preview, and pins (`/api/v1/backups/{id}/keep`).

use super::backups::parse_backup_id;
use super::body;
use super::schema::{BodyRefusals, ErrorBody, Refusals};
use crate::actions;
use crate::auth::Caller;
use crate::domain::{RetentionPolicy, RetentionPreview, RetentionSettings};
use crate::state::AppState;
use crate::wire::{retention_error, ApiError, Refusal};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use std::collections::HashMap;

/// `GET /api/v1/retention`.
#[utoipa::path(get, path = "/api/v1/retention", operation_id = "getRetention", tag = "retention",
    responses(
        (status = 200, description = "The policy (`savedAt` null: never saved, off, the defaults shown)", body = RetentionSettings),
        Refusals,
    ))]
pub async fn get(State(state): State<AppState>) -> Result<Json<RetentionSettings>, ApiError> {
    state
        .console
        .retention
        .settings()
        .await
        .map(Json)
        .map_err(|e| retention_error(&e))
}

/// `PUT /api/v1/retention` → 200 with the saved policy; a pass follows.
#[utoipa::path(put, path = "/api/v1/retention", operation_id = "saveRetention", tag = "retention",
    request_body(content = RetentionPolicy, description = "The whole policy"),
    responses(
        (status = 200, description = "Saved", body = RetentionSettings),
        (status = 400, description = "The body is not a policy", body = ErrorBody),
        (status = 422, description = "A value is out of range (the message names it)", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn put(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<Json<RetentionSettings>, Refusal> {
    let policy: RetentionPolicy = body(
        &bytes,
        "{\"enabled\", \"keepLast\", \"keepDays\", \"keepDaily\", \"keepWeekly\", \"keepMonthly\", \"deleteFailedAfterDays\"}",
    )?;
    actions::save_retention(&state.console, &caller, policy).await?;
    Ok(Json(
        state
            .console
            .retention
            .settings()
            .await
            .map_err(|e| retention_error(&e))?,
    ))
}

/// `GET /api/v1/retention/preview[?keepLast=…&…]`: what the saved policy — or the one given in
/// the query, before it is saved — would delete now, and why each other set is kept.
#[utoipa::path(get, path = "/api/v1/retention/preview", operation_id = "previewRetention", tag = "retention",
    params(
        ("keepLast" = Option<u32>, Query, minimum = 1, description = "Preview this policy instead of the saved one (give every field)"),
        ("keepDays" = Option<u32>, Query, minimum = 0),
        ("keepDaily" = Option<u32>, Query, minimum = 0),
        ("keepWeekly" = Option<u32>, Query, minimum = 0),
        ("keepMonthly" = Option<u32>, Query, minimum = 0),
        ("deleteFailedAfterDays" = Option<u32>, Query, minimum = 0, description = "Leave out: failed sets are kept"),
    ),
    responses(
        (status = 200, description = "`delete` oldest first, `keep` newest first with the rule that keeps each", body = RetentionPreview),
        (status = 400, description = "A query parameter is not a number", body = ErrorBody),
        (status = 422, description = "A value is out of range", body = ErrorBody),
        Refusals,
    ))]
pub async fn preview(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<RetentionPreview>, ApiError> {
    let policy = policy_of(&params)?;
    let console = &state.console;
    console
        .retention
        .preview(&console.history_services(), policy)
        .await
        .map(Json)
        .map_err(|e| retention_error(&e))
}

/// A policy given as query parameters (all of them), or none.
fn policy_of(params: &HashMap<String, String>) -> Result<Option<RetentionPolicy>, ApiError> {
    const KEYS: [&str; 6] = [
        "keepLast",
        "keepDays",
        "keepDaily",
        "keepWeekly",
        "keepMonthly",
        "deleteFailedAfterDays",
    ];
    if let Some(k) = params.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("`{k}` is not a policy field ({})", KEYS.join(", ")),
        ));
    }
    if params.is_empty() {
        return Ok(None);
    }
    let num = |k: &str| -> Result<Option<u32>, ApiError> {
        params
            .get(k)
            .map(|v| {
                v.parse::<u32>().map_err(|_| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_query",
                        format!("`{k}` must be a whole number, not `{v}`"),
                    )
                })
            })
            .transpose()
    };
    let need = |k: &str| -> Result<u32, ApiError> {
        num(k)?.ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("`{k}` is missing: give every field of the policy to preview, or none for the saved one"),
            )
        })
    };
    Ok(Some(RetentionPolicy {
        enabled: true,
        keep_last: need("keepLast")?,
        keep_days: need("keepDays")?,
        keep_daily: need("keepDaily")?,
        keep_weekly: need("keepWeekly")?,
        keep_monthly: need("keepMonthly")?,
        delete_failed_after_days: num("deleteFailedAfterDays")?,
    }))
}

/// Whether a pin changed.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PinChange {
    pub backup_id: i64,
    pub pinned: bool,
    /// `false` when it already was (or was not) pinned.
    pub changed: bool,
}

/// `PUT /api/v1/backups/{id}/keep`: retention never deletes the set.
#[utoipa::path(put, path = "/api/v1/backups/{id}/keep", operation_id = "keepBackupSet", tag = "retention",
    params(("id" = i64, Path, minimum = 1, description = "The backup id")),
    responses(
        (status = 200, description = "Pinned", body = PinChange),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No source knows this id", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn keep(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Json<PinChange>, Refusal> {
    let id = parse_backup_id(&raw)?;
    let changed = actions::pin_set(&state.console, &caller, id, true).await?;
    Ok(Json(PinChange {
        backup_id: id.get(),
        pinned: true,
        changed,
    }))
}

/// `DELETE /api/v1/backups/{id}/keep`: the policy decides again.
#[utoipa::path(delete, path = "/api/v1/backups/{id}/keep", operation_id = "releaseBackupSet", tag = "retention",
    params(("id" = i64, Path, minimum = 1, description = "The backup id")),
    responses(
        (status = 200, description = "Released", body = PinChange),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn release(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Json<PinChange>, Refusal> {
    let id = parse_backup_id(&raw)?;
    let changed = actions::pin_set(&state.console, &caller, id, false).await?;
    Ok(Json(PinChange {
        backup_id: id.get(),
        pinned: false,
        changed,
    }))
}
