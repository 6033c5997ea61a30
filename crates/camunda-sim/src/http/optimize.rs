//! Optimize backup API `/actuator/backups` (§6) with `ErrorResponseDto` errors.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{empty, info, json_resp, raw, spring_error, Ctx, Req};
use crate::appbackup::{self, AppError};
use crate::jobs::AppSpec;

/// Operation name of an Optimize request.
pub(crate) fn operation(r: &Req) -> &'static str {
    super::webapp::operation(r)
}

/// `ErrorResponseDto`.
fn error(e: &AppError) -> Response {
    let (code, error_code, generic) = match e {
        AppError::BadRequest(_) => (400, "badRequestError", "The request is invalid."),
        AppError::NoRepositoryConfigured(_) | AppError::RepositoryMissing(_) => (
            400,
            "badRequestError",
            "The server could not process the request due to a configuration error.",
        ),
        AppError::Conflict(_) => (409, "conflict", "The request conflicts with existing data."),
        AppError::NotFound(_) => (
            404,
            "notFoundError",
            "The server could not find the requested resource.",
        ),
        AppError::EsDown(_) => (
            502,
            "elasticsearchConnectionError",
            "The server could not connect to Elasticsearch.",
        ),
    };
    json_resp(
        super::status(code),
        &json!({"errorCode": error_code, "errorMessage": generic,
                "detailedMessage": e.to_string(), "reportDefinition": null}),
    )
}

fn bad_id(n: i64) -> AppError {
    AppError::BadRequest(format!(
        "BackupId must be a non-negative Integer. Received value: {n}"
    ))
}

/// Handles an Optimize request.
pub(crate) async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    let shared = &ctx.shared;
    let spec = AppSpec::new(shared, "optimize");
    let path_id = || -> Result<u64, AppError> {
        match r.segs.get(2).and_then(|s| s.parse::<i64>().ok()) {
            Some(n) if n >= 0 => Ok(n as u64),
            Some(n) => Err(bad_id(n)),
            None => Err(AppError::BadRequest("Invalid backup id".into())),
        }
    };
    let result = match op {
        "take_backup" => {
            let id = match appbackup::body_id(r.json()) {
                Some(Some(n)) if n >= 0 => Ok(n as u64),
                Some(Some(n)) => Err(bad_id(n)),
                _ => Err(AppError::BadRequest("BackupId must be provided".into())),
            };
            id.and_then(|id| appbackup::take(shared, &spec, id).map(|_| id))
                .map(|id| {
                    raw(
                        StatusCode::ACCEPTED,
                        "application/json",
                        format!("{{\"message\" : \"Backup creation for ID {id} has been scheduled. Use the GET API to monitor completion of backup process\"}}"),
                    )
                })
        }
        "get_backup" => path_id()
            .and_then(|id| appbackup::get(shared, &spec, id))
            .map(|v| json_resp(StatusCode::OK, &v)),
        "list_backups" => appbackup::list(shared, &spec).map(|v| json_resp(StatusCode::OK, &v)),
        "delete_backup" => path_id()
            .and_then(|id| appbackup::delete(shared, &spec, id, false))
            .map(|()| empty(StatusCode::NO_CONTENT)),
        "info" => Ok(info("optimize-backend", "Optimize", &spec.version)),
        "health" => Ok(super::health()),
        _ => Ok(spring_error(404, &r.path)),
    };
    result.unwrap_or_else(|e| error(&e))
}
