//! `/api/v1/schedules`: list, create, read, change, delete, and run one now.

use super::body;
use super::schema::{BackupStarted, BodyRefusals, ErrorBody, Links, Refusals};
use crate::actions;
use crate::auth::Caller;
use crate::domain::{NewSchedule, Schedule, SchedulePatch, SchedulesPage};
use crate::state::AppState;
use crate::wire::{schedule_error, ApiError, Refusal};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};

fn schedule_id(raw: &str) -> Result<i64, ApiError> {
    super::positive_id(raw, "invalid_schedule_id", "a schedule id")
}

/// `GET /api/v1/schedules`.
#[utoipa::path(get, path = "/api/v1/schedules", operation_id = "listSchedules", tag = "schedules",
    responses(
        (status = 200, description = "Every schedule with its next 5 times and its last fire; `zeebeSchedulesOwn` when Zeebe takes its own backups (8.9+) and the console's schedules cannot run", body = SchedulesPage),
        Refusals,
    ))]
pub async fn list(State(state): State<AppState>) -> Result<Json<SchedulesPage>, ApiError> {
    state
        .console
        .scheduler
        .page()
        .await
        .map(Json)
        .map_err(|e| schedule_error(&e))
}

/// `POST /api/v1/schedules` → 201 with the schedule.
#[utoipa::path(post, path = "/api/v1/schedules", operation_id = "createSchedule", tag = "schedules",
    request_body(content = NewSchedule, description = "`name`, `cron` (5 fields, 6 with seconds first, or @hourly/@daily/@weekly), `timezone` (IANA, default UTC), `enabled` (default true)"),
    responses(
        (status = 201, description = "Created", body = Schedule),
        (status = 400, description = "The body is not a schedule", body = ErrorBody),
        (status = 409, description = "A schedule of that name exists (`name_taken`), or Zeebe takes its own backups (`zeebe_schedules_own`)", body = ErrorBody),
        (status = 422, description = "The cron expression, the time zone or the name is not valid (`invalid_cron`, `invalid_timezone`, `invalid_name`; the message names the field)", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<Schedule>), Refusal> {
    let new: NewSchedule = body(&bytes, "{\"name\", \"cron\", \"timezone\"?, \"enabled\"?}")?;
    let s = actions::create_schedule(&state.console, &caller, new).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// `GET /api/v1/schedules/{id}`.
#[utoipa::path(get, path = "/api/v1/schedules/{id}", operation_id = "getSchedule", tag = "schedules",
    params(("id" = i64, Path, minimum = 1, description = "The schedule's id")),
    responses(
        (status = 200, description = "The schedule", body = Schedule),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        Refusals,
    ))]
pub async fn get(
    State(state): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Schedule>, ApiError> {
    let id = schedule_id(&raw)?;
    state
        .console
        .scheduler
        .get(id)
        .await
        .map(Json)
        .map_err(|e| schedule_error(&e))
}

/// `PATCH /api/v1/schedules/{id}`: the fields given change; a new time or switching it on
/// counts from now.
#[utoipa::path(patch, path = "/api/v1/schedules/{id}", operation_id = "updateSchedule", tag = "schedules",
    params(("id" = i64, Path, minimum = 1, description = "The schedule's id")),
    request_body(content = SchedulePatch, description = "Any of `name`, `cron`, `timezone`, `enabled`"),
    responses(
        (status = 200, description = "The changed schedule", body = Schedule),
        (status = 400, description = "The id or the body is not valid", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "Another schedule has that name, or Zeebe takes its own backups", body = ErrorBody),
        (status = 422, description = "A field is not valid (the message names it)", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
    bytes: Bytes,
) -> Result<Json<Schedule>, Refusal> {
    let id = schedule_id(&raw)?;
    let patch: SchedulePatch = body(
        &bytes,
        "{\"name\"?, \"cron\"?, \"timezone\"?, \"enabled\"?}",
    )?;
    Ok(Json(
        actions::update_schedule(&state.console, &caller, id, patch).await?,
    ))
}

/// `DELETE /api/v1/schedules/{id}` → 204.
#[utoipa::path(delete, path = "/api/v1/schedules/{id}", operation_id = "deleteSchedule", tag = "schedules",
    params(("id" = i64, Path, minimum = 1, description = "The schedule's id")),
    responses(
        (status = 204, description = "Deleted (its runs stay in the history)"),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<StatusCode, Refusal> {
    let id = schedule_id(&raw)?;
    actions::delete_schedule(&state.console, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/schedules/{id}/run` → 202: the schedule's backup, now.
#[utoipa::path(post, path = "/api/v1/schedules/{id}/run", operation_id = "runSchedule", tag = "schedules",
    params(("id" = i64, Path, minimum = 1, description = "The schedule's id")),
    responses(
        (status = 202, description = "The run started; follow it at `links.events`", body = BackupStarted),
        (status = 400, description = "The id is not a positive integer", body = ErrorBody),
        (status = 404, description = "No such schedule", body = ErrorBody),
        (status = 409, description = "A backup or restore runs, or Zeebe takes its own backups (as Backup Now)", body = ErrorBody),
        (status = 503, description = "The latest backup id cannot be read, or the console is shutting down", body = ErrorBody),
        Refusals, BodyRefusals,
    ))]
pub async fn run(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(raw): Path<String>,
) -> Result<(StatusCode, Json<BackupStarted>), Refusal> {
    let id = schedule_id(&raw)?;
    let backup = actions::run_schedule(&state.console, &caller, id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(BackupStarted {
            backup_id: backup,
            state: crate::domain::RunState::Running,
            links: Links::of("backups", backup),
        }),
    ))
}
