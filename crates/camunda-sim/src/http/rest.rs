//! 8.10+: the orchestration cluster's authenticated REST API for backups and exporting (`/v2`
//! on the REST port; `docs/camunda-api-8.8-8.10.md` §3.2). The same Zeebe (runtime) and web-app
//! (history) backups as the actuators, answered with real status codes (202 takes, 204 pause
//! and resume), lists newest first, `application/problem+json` errors, and a 403 naming the
//! permission the caller lacks (`[auth] rest_permissions`). Before 8.10 these paths do not
//! exist (404).

use axum::body::to_bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{empty, json_resp, raw, Ctx, Req};

/// Largest actuator answer the adapter reads back.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The actuator request a `/v2` request stands for (`None`: not a backup or exporting path).
fn actuator(r: &Req) -> Option<Req> {
    let segs = r.seg_strs();
    let (head, rest): (&[&str], &[&str]) = match segs.as_slice() {
        ["v2", "backups", "runtime", rest @ ..] => (&["actuator", "backupRuntime"], rest),
        ["v2", "backups", "history", rest @ ..] => (&["actuator", "backupHistory"], rest),
        ["v2", "exporting", rest @ ..] if !rest.is_empty() => (&["actuator", "exporting"], rest),
        _ => return None,
    };
    let path = format!("/{}", [head, rest].concat().join("/"));
    Some(Req::new(
        r.method.clone(),
        &path,
        r.raw_query.as_deref(),
        r.body.clone(),
    ))
}

/// The recovery operations (8.10's in-cluster restore), which have no actuator.
fn recovery_operation(r: &Req) -> Option<&'static str> {
    match (&r.method, r.seg_strs().as_slice()) {
        (&axum::http::Method::PATCH, ["v2", "mode"]) => Some("mode"),
        (&axum::http::Method::POST, ["v2", "restore"]) => Some("restore"),
        (&axum::http::Method::GET, ["v2", "restore"]) => Some("restore_status"),
        _ => None,
    }
}

/// Operation name of a REST request (the actuator's names).
pub(crate) fn operation(r: &Req) -> &'static str {
    recovery_operation(r)
        .or_else(|| actuator(r).map(|a| super::zeebe::operation(&a)))
        .unwrap_or("unknown")
}

/// The permission an operation needs: `(resource, permission)` alternatives, any one suffices.
fn needs(op: &str) -> &'static [(&'static str, &'static str)] {
    match op {
        "take_backup" | "take_webapps_backup" => &[("BACKUP", "CREATE")],
        "delete_backup" | "delete_webapps_backup" => &[("BACKUP", "DELETE")],
        // The docs name EXPORTER:PAUSE, a stored OpenAPI revision SYSTEM:UPDATE: either.
        "pause" | "resume" | "exporting" => &[("EXPORTER", "PAUSE"), ("SYSTEM", "UPDATE")],
        // `RecoveryServices`: the mode change accepts either; the restore only BACKUP:RESTORE.
        "mode" => &[("BACKUP", "RESTORE"), ("SYSTEM", "UPDATE")],
        "restore" | "restore_status" => &[("BACKUP", "RESTORE")],
        _ => &[("BACKUP", "READ")],
    }
}

/// A Spring `ProblemDetail` (`application/problem+json`).
pub(crate) fn problem(status: u16, title: &str, detail: &str, instance: &str) -> Response {
    raw(
        super::status(status),
        "application/problem+json",
        json!({
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": instance,
        })
        .to_string(),
    )
}

/// The 403 of a caller without any of `alternatives` (Camunda's words, `RecoveryAuthorizationIT`).
fn forbidden(alternatives: &[(&str, &str)], path: &str) -> Response {
    let detail = match alternatives {
        [(resource, permission)] => {
            format!("Unauthorized to perform operation '{permission}' on resource '{resource}'")
        }
        many => format!(
            "Unauthorized to perform any of the operations: {}",
            many.iter()
                .map(|(r, p)| format!("'{p}' on '{r}'"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    problem(403, "FORBIDDEN", &detail, path)
}

/// Handles a REST request.
pub(crate) async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    let path = r.path.clone();
    if let Some(op) = recovery_operation(&r).filter(|_| ctx.shared.config.rest_backups()) {
        let alternatives = needs(op);
        let auth = &ctx.shared.settings().auth;
        if !alternatives.iter().any(|(res, p)| auth.rest_grants(res, p)) {
            return forbidden(alternatives, &path);
        }
        return match op {
            "mode" => super::recovery::mode(ctx, &r),
            "restore" => super::recovery::start(ctx, &r),
            _ => super::recovery::status(ctx, &r),
        };
    }
    let Some(inner) = actuator(&r).filter(|_| ctx.shared.config.rest_backups()) else {
        return problem(
            404,
            "NOT_FOUND",
            &format!("No endpoint {} {path}.", r.method),
            &path,
        );
    };
    let alternatives = needs(op);
    let auth = &ctx.shared.settings().auth;
    if !alternatives.iter().any(|(res, p)| auth.rest_grants(res, p)) {
        return forbidden(alternatives, &path);
    }
    let given_id = r
        .json()
        .and_then(|v| v.get("backupId").and_then(Value::as_i64));
    let answer = super::zeebe::dispatch(ctx, op, inner).await;
    let status = answer.status();
    let body = to_bytes(answer.into_body(), BODY_LIMIT)
        .await
        .unwrap_or_default();
    let value: Option<Value> = serde_json::from_slice(&body).ok();
    match op {
        "pause" | "resume" | "exporting" => exporting(status, value.as_ref(), &path),
        _ if !status.is_success() => error(status, value.as_ref(), &path),
        "take_backup" => {
            let id = value
                .as_ref()
                .and_then(|v| v.get("backupId"))
                .cloned()
                .unwrap_or_else(|| json!(given_id));
            json_resp(StatusCode::ACCEPTED, &json!({ "backupId": id }))
        }
        "take_webapps_backup" => {
            let mut v = value.unwrap_or_else(|| json!({}));
            v["backupId"] = json!(given_id);
            json_resp(StatusCode::ACCEPTED, &v)
        }
        "list_backups" | "list_webapps_backups" => {
            let mut list = match value {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            };
            // Newest first (runtime: by id descending; history: by start time, here the id).
            list.sort_by_key(|b| {
                std::cmp::Reverse(b.get("backupId").and_then(Value::as_i64).unwrap_or(0))
            });
            json_resp(StatusCode::OK, &Value::Array(list))
        }
        _ if body.is_empty() => empty(status),
        _ => raw(
            status,
            "application/json",
            String::from_utf8_lossy(&body).into(),
        ),
    }
}

/// Pause and resume: 204, or the failure as a problem detail (whatever the actuator's
/// generation says).
fn exporting(status: StatusCode, value: Option<&Value>, path: &str) -> Response {
    let wrapped = value
        .and_then(|v| v.get("status"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let code = match (status.as_u16(), wrapped) {
        (200, Some(inner)) => inner,
        (s, _) => s,
    };
    if (200..300).contains(&code) {
        return empty(StatusCode::NO_CONTENT);
    }
    let detail = value
        .and_then(|v| v.get("body").filter(|b| !b.is_null()).or(Some(v)))
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("exporting could not be changed");
    problem(code, "INTERNAL_SERVER_ERROR", detail, path)
}

/// An actuator error as a problem detail with the actuator's words.
fn error(status: StatusCode, value: Option<&Value>, path: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error").to_uppercase();
    let detail = value
        .and_then(|v| v.get("message").or_else(|| v.get("error")))
        .and_then(Value::as_str)
        .unwrap_or("request failed")
        .to_owned();
    problem(status.as_u16(), &title.replace(' ', "_"), &detail, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::http::Method;

    #[test]
    fn v2_paths_map_to_the_actuators() {
        let r = Req::new(
            Method::POST,
            "/v2/exporting/pause",
            Some("soft=true"),
            Bytes::new(),
        );
        let a = actuator(&r).expect("mapped");
        assert_eq!(a.path, "/actuator/exporting/pause");
        assert!(a.flag("soft"));
        let g = Req::new(Method::GET, "/v2/backups/runtime/7", None, Bytes::new());
        assert_eq!(operation(&g), "get_backup");
        let s = Req::new(Method::GET, "/v2/backups/runtime/state", None, Bytes::new());
        assert_eq!(operation(&s), "runtime_state");
        let h = Req::new(Method::POST, "/v2/backups/history", None, Bytes::new());
        assert_eq!(operation(&h), "take_webapps_backup");
        assert!(actuator(&Req::new(Method::GET, "/v2/topology", None, Bytes::new())).is_none());
    }
}
