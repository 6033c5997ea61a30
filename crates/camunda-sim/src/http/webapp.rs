//! Operate and Tasklist management API `/actuator/backups` (§5), in documented or legacy-400 error mode.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{empty, info, json_resp, raw, spring_error, Ctx, Req};
use crate::appbackup::{self, AppError};
use crate::component::Listener;
use crate::config::WebappErrors;
use crate::jobs::AppSpec;

/// Operation name of an Operate/Tasklist request.
pub(crate) fn operation(r: &Req) -> &'static str {
    match (&r.method, r.seg_strs().as_slice()) {
        (&Method::POST, ["actuator", "backups"]) => "take_backup",
        (&Method::GET, ["actuator", "backups"]) => "list_backups",
        (&Method::GET, ["actuator", "backups", _]) => "get_backup",
        (&Method::DELETE, ["actuator", "backups", _]) => "delete_backup",
        (&Method::GET, ["actuator", "info"]) => "info",
        (&Method::GET, ["actuator", "health"]) => "health",
        _ => "unknown",
    }
}

fn app_name(ctx: &Ctx) -> &'static str {
    if ctx.listener == Listener::Tasklist {
        "tasklist"
    } else {
        "operate"
    }
}

/// Renders an error in the configured mode.
fn error(ctx: &Ctx, e: &AppError) -> Response {
    let app = app_name(ctx);
    let (code, exception) = match e {
        AppError::BadRequest(_) | AppError::Conflict(_) => (400, "InvalidRequestException"),
        AppError::NotFound(_) | AppError::NoRepositoryConfigured(_) => (404, "NotFoundException"),
        AppError::RepositoryMissing(_) => (404, "NotFoundException"),
        AppError::EsDown(_) => (
            502,
            if app == "tasklist" {
                "TasklistElasticsearchConnectionException"
            } else {
                "OperateElasticsearchConnectionException"
            },
        ),
    };
    let message = e.to_string();
    match ctx.shared.settings().webapp_errors {
        WebappErrors::Documented => json_resp(super::status(code), &json!({"message": message})),
        WebappErrors::Legacy400 => raw(
            StatusCode::BAD_REQUEST,
            "application/problem+json",
            json!({
                "status": 400,
                "message": message,
                "instance": uuid::Uuid::new_v4().to_string(),
                "type": exception,
            })
            .to_string(),
        ),
    }
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

/// Validates a backup id like `BackupController.validateBackupId`.
fn valid_id(id: Option<i64>) -> Result<u64, AppError> {
    match id {
        None => Err(bad("BackupId must be provided")),
        Some(n) if n < 0 => Err(bad(format!(
            "BackupId must be a non-negative Integer. Received value: {n}"
        ))),
        Some(n) => Ok(n as u64),
    }
}

fn path_id(r: &Req) -> Result<u64, AppError> {
    let raw = r.segs.get(2).map(String::as_str).unwrap_or("");
    match raw.parse::<i64>() {
        Ok(n) => valid_id(Some(n)),
        Err(_) => Err(bad(format!(
            "Failed to convert value of type 'java.lang.String' to required type 'java.lang.Long'; For input string: \"{raw}\""
        ))),
    }
}

/// Handles an Operate/Tasklist request.
pub(crate) async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    let app = app_name(ctx);
    // 8.8+: no standalone backup endpoint; the orchestration cluster's `backupHistory` has it.
    let backup_op = matches!(
        op,
        "take_backup" | "get_backup" | "list_backups" | "delete_backup"
    );
    if backup_op && ctx.shared.config.unified() {
        return spring_error(404, &r.path);
    }
    backups(ctx, &AppSpec::new(&ctx.shared, app), op, r)
}

/// The backup operations of `spec` (Operate, Tasklist, or 8.8+'s `webapps`).
pub(crate) fn backups(ctx: &Ctx, spec: &AppSpec, op: &str, r: Req) -> Response {
    let shared = &ctx.shared;
    let app = spec.name;
    let result = match op {
        "take_backup" => {
            let id = match appbackup::body_id(r.json()) {
                None => valid_id(None),
                Some(None) => Err(bad("BackupId must be provided")),
                Some(Some(n)) => valid_id(Some(n)),
            };
            id.and_then(|id| appbackup::take(shared, spec, id))
                .map(|names| json_resp(StatusCode::OK, &json!({"scheduledSnapshots": names})))
        }
        "get_backup" => path_id(&r)
            .and_then(|id| appbackup::get(shared, spec, id))
            .map(|v| json_resp(StatusCode::OK, &v)),
        "list_backups" => appbackup::list(shared, spec).map(|v| json_resp(StatusCode::OK, &v)),
        "delete_backup" => path_id(&r)
            .and_then(|id| appbackup::delete(shared, spec, id, true))
            .map(|()| empty(StatusCode::NO_CONTENT)),
        "info" => {
            let (artifact, name) = if app == "tasklist" {
                ("tasklist-webapp", "Tasklist")
            } else {
                ("operate-webapp", "Operate")
            };
            Ok(info(artifact, name, &spec.version))
        }
        "health" => Ok(super::health()),
        _ => Ok(spring_error(404, &r.path)),
    };
    result.unwrap_or_else(|e| error(ctx, &e))
}
