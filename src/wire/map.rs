//! Each service's refusal as its HTTP answer: status, stable code and words, in one place for
//! the JSON API and the server functions alike.

use super::{ApiError, ChecksFailedBody, ErrorDetail};
use crate::actions::ActionError;
use crate::engine::{CancelError, StartError};
use crate::history::DeleteError;
use crate::restore::RestoreError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A journal failure: logged with its cause; the caller is told to look at the log.
pub fn journal_error(e: &StoreError) -> ApiError {
    tracing::error!(error = %e, "run journal error");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "journal_error",
        "The console's run journal failed; see the console's log.",
    )
}

/// Maps a start error to its HTTP answer (shared with the server function).
pub fn start_error(e: &StartError) -> ApiError {
    match e {
        StartError::Busy(_) => ApiError::new(StatusCode::CONFLICT, "backup_running", e.to_string()),
        StartError::RestoreRunning(_) => {
            ApiError::new(StatusCode::CONFLICT, "restore_running", e.to_string())
        }
        StartError::HalfRestored(_) => {
            ApiError::new(StatusCode::CONFLICT, "half_restored", e.to_string())
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
        StartError::IdTaken { .. } => ApiError::new(
            StatusCode::CONFLICT,
            "backup_id_not_above_latest",
            e.to_string(),
        ),
        StartError::UnsupportedVersion(_) => {
            ApiError::new(StatusCode::CONFLICT, "unsupported_version", e.to_string())
        }
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

/// The API error of a refused deletion.
pub fn delete_error(e: &DeleteError) -> ApiError {
    use DeleteError as D;
    match e {
        D::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        D::NewestRestorable(_) => {
            ApiError::new(StatusCode::CONFLICT, "newest_restorable", e.to_string())
        }
        D::Running(_) => ApiError::new(StatusCode::CONFLICT, "backup_running", e.to_string()),
        D::UnderRestore { .. } => {
            ApiError::new(StatusCode::CONFLICT, "set_under_restore", e.to_string())
        }
        D::Deleting(_) => ApiError::new(StatusCode::CONFLICT, "deleting", e.to_string()),
        D::Unsure(..) => ApiError::new(StatusCode::CONFLICT, "sources_unavailable", e.to_string()),
        D::Store(cause) => journal_error(cause),
    }
}

/// The API error of a refused cancel.
pub fn cancel_error(e: &CancelError) -> ApiError {
    match e {
        CancelError::NotFound(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string())
        }
        CancelError::NotRunning(..) => {
            ApiError::new(StatusCode::CONFLICT, "not_running", e.to_string())
        }
        CancelError::Store(cause) => journal_error(cause),
    }
}

/// No source knows backup `id`.
pub fn not_found_set(id: i64) -> ApiError {
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
        RestoreError::Superseded(..) => api(StatusCode::CONFLICT, "superseded"),
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
            Json(ChecksFailedBody {
                error: ErrorDetail {
                    code: api.code.into(),
                    message: api.message,
                },
                checks,
            }),
        )
            .into_response(),
        _ => api.into_response(),
    }
}

/// An action's refusal or failure as its HTTP answer.
pub fn action_error(e: &ActionError) -> ApiError {
    match e {
        ActionError::Forbidden(why) => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", why.clone())
        }
        ActionError::Start(e) => start_error(e),
        ActionError::Cancel(e) => cancel_error(e),
        ActionError::Delete(e) => delete_error(e),
        ActionError::Restore(e) => restore_api_error(e),
        ActionError::Schedule(e) => schedule_error(e),
        ActionError::Retention(e) => retention_error(e),
        ActionError::Alert(e) => alert_error(e),
        ActionError::Journal(e) => journal_error(e),
        ActionError::UnknownSet(id) => not_found_set(*id),
        ActionError::UnknownRestore(id) => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No restore with id {id}"),
        ),
        ActionError::NotSimulated => {
            ApiError::new(StatusCode::CONFLICT, "not_simulated", e.to_string())
        }
        ActionError::Simulator(_) => {
            ApiError::new(StatusCode::CONFLICT, "simulator", e.to_string())
        }
        ActionError::Stopped(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "action_failed",
            e.to_string(),
        ),
    }
}

impl IntoResponse for ActionError {
    fn into_response(self) -> Response {
        match self {
            ActionError::Restore(e) => restore_error(e),
            other => action_error(&other).into_response(),
        }
    }
}

/// A schedule request's refusal.
pub fn schedule_error(e: &crate::scheduler::ScheduleError) -> ApiError {
    use crate::scheduler::ScheduleError as E;
    match e {
        E::Invalid { field, .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            match *field {
                "cron" => "invalid_cron",
                "timezone" => "invalid_timezone",
                _ => "invalid_name",
            },
            e.to_string(),
        ),
        E::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        E::NameTaken(_) => ApiError::new(StatusCode::CONFLICT, "name_taken", e.to_string()),
        E::ZeebeSchedulesOwn(_) => {
            ApiError::new(StatusCode::CONFLICT, "zeebe_schedules_own", e.to_string())
        }
        E::Start(e) => start_error(e),
        E::Store(e) => journal_error(e),
    }
}

/// A webhook request's refusal.
pub fn alert_error(e: &crate::alerts::AlertError) -> ApiError {
    use crate::alerts::AlertError as E;
    match e {
        E::Invalid { field, .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            match *field {
                "url" => "invalid_url",
                "secret" => "invalid_secret",
                "events" => "invalid_events",
                "format" => "invalid_format",
                _ => "invalid_name",
            },
            e.to_string(),
        ),
        E::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
        E::NameTaken(_) => ApiError::new(StatusCode::CONFLICT, "name_taken", e.to_string()),
        E::Store(e) => journal_error(e),
    }
}

/// A retention request's refusal.
pub fn retention_error(e: &crate::retention::RetentionError) -> ApiError {
    use crate::retention::RetentionError as E;
    match e {
        E::Invalid { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_policy",
            e.to_string(),
        ),
        E::UnknownSet(id) => not_found_set(*id),
        E::Store(e) => journal_error(e),
    }
}

/// A refused read of the audit log.
pub fn audit_error(e: &crate::audit::AuditError) -> ApiError {
    match e {
        crate::audit::AuditError::Forbidden(why) => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", why.clone())
        }
        crate::audit::AuditError::Store(cause) => journal_error(cause),
    }
}

/// A query parameter of the audit log that is not valid.
pub fn invalid_query(e: &crate::audit::InvalidQuery) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.to_string())
}
