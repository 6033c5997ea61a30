//! `/api/v1/webhooks`: alert hooks (admins change them; anyone signed in reads them — never
//! their URL or secret), Send test, and each hook's delivery log.

use super::body;
use super::schema::{BodyRefusals, ErrorBody, Refusals};
use crate::actions;
use crate::auth::Caller;
use crate::domain::{Delivery, NewWebhook, Webhook, WebhookPatch};
use crate::state::AppState;
use crate::wire::{alert_error, ApiError, Refusal};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

fn hook_id(raw: &str) -> Result<i64, ApiError> {
    super::positive_id(raw, "invalid_webhook_id", "a webhook id")
}

/// `GET /api/v1/webhooks`.
#[utoipa::path(get, path = "/api/v1/webhooks", operation_id = "listWebhooks", tag = "alerts",
    responses(
        (status = 200, description = "Every hook with its events and last delivery; `target` is the URL's scheme and host only", body = Vec<Webhook>),
        Refusals,
    ))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<Webhook>>, ApiError> {
    state
        .console
        .alerts
        .list()
        .await
        .map(Json)
        .map_err(|e| alert_error(&e))
}

/// `POST /api/v1/webhooks` → 201.
#[utoipa::path(post, path = "/api/v1/webhooks", operation_id = "createWebhook", tag = "alerts",
    request_body(content = NewWebhook, description = "`name`, `url`, `secret` (HMAC key, 16+ characters), `format` (generic, slack, teams), `events`, `enabled`"),
    responses(
        (status = 201, description = "Created (the URL and the secret are never shown again)", body = Webhook),
        (status = 400, description = "The body is not a webhook", body = ErrorBody),
        (status = 409, description = "A hook of that name exists", body = ErrorBody),
        (status = 422, description = "A field is not valid (`invalid_url`, `invalid_secret`, `invalid_events`, `invalid_format`, `invalid_name`)", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Webhook>), Refusal> {
    let new: NewWebhook = body(
        &bytes,
        "{\"name\", \"url\", \"secret\"?, \"format\"?, \"events\": [...], \"enabled\"?}",
    )?;
    let h = actions::create_webhook(&state.console, &caller, new).await?;
    Ok((StatusCode::CREATED, Json(h)))
}

/// `PATCH /api/v1/webhooks/{id}`.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", operation_id = "updateWebhook", tag = "alerts",
    params(("id" = i64, Path, minimum = 1, description = "The hook's id")),
    request_body(content = WebhookPatch, description = "Any field; `secret: \"\"` removes the signature"),
    responses(
        (status = 200, description = "The changed hook", body = Webhook),
        (status = 400, description = "The id or the body is not valid", body = ErrorBody),
        (status = 404, description = "No such hook", body = ErrorBody),
        (status = 409, description = "Another hook has that name", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    bytes: Bytes,
) -> Result<Json<Webhook>, Refusal> {
    let id = hook_id(&raw)?;
    let patch: WebhookPatch = body(
        &bytes,
        "{\"name\"?, \"url\"?, \"secret\"?, \"format\"?, \"events\"?, \"enabled\"?}",
    )?;
    Ok(Json(
        actions::update_webhook(&state.console, &caller, id, patch).await?,
    ))
}

/// `DELETE /api/v1/webhooks/{id}` → 204.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", operation_id = "deleteWebhook", tag = "alerts",
    params(("id" = i64, Path, minimum = 1, description = "The hook's id")),
    responses(
        (status = 204, description = "Deleted; its pending deliveries end"),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such hook", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<StatusCode, Refusal> {
    let id = hook_id(&raw)?;
    actions::delete_webhook(&state.console, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/webhooks/{id}/test` → 200 with the delivery (one attempt, not retried).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", operation_id = "testWebhook", tag = "alerts",
    params(("id" = i64, Path, minimum = 1, description = "The hook's id")),
    responses(
        (status = 200, description = "The test delivery: `delivered`, or `gave_up` with the receiver's status or the error", body = Delivery),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such hook", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<Json<Delivery>, Refusal> {
    let id = hook_id(&raw)?;
    Ok(Json(
        actions::test_webhook(&state.console, &caller, id).await?,
    ))
}

/// `GET /api/v1/webhooks/{id}/deliveries`: the newest 100, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", operation_id = "listWebhookDeliveries", tag = "alerts",
    params(("id" = i64, Path, minimum = 1, description = "The hook's id")),
    responses(
        (status = 200, description = "Time, event, attempts, state, last status and error of each delivery", body = Vec<Delivery>),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such hook", body = ErrorBody),
        Refusals,
    ))]
pub async fn deliveries(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    let id = hook_id(&raw)?;
    state
        .console
        .alerts
        .deliveries(id)
        .await
        .map(Json)
        .map_err(|e| alert_error(&e))
}
