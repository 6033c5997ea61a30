//! Admin HTTP API: inspect state and calls, inject faults, stop/start components, change settings;
//! the restore-test routes are in `admin_restore`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::AuthConfig;
use crate::component::Component;
use crate::config::{ExportingResponse, LatencyConfig, WebappErrors};
use crate::control::SimControl;
use crate::error::SimError;
use crate::faults::Fault;

/// `{"error": msg}` with `status`.
pub(super) fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({"error": msg.into()}))).into_response()
}

/// Parses a JSON body; a 400 answer when invalid.
pub(super) fn parse<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, Box<Response>> {
    serde_json::from_str(body).map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, e.to_string())))
}

/// Body of `PUT /admin/config`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    exporting_response: Option<ExportingResponse>,
    webapp_errors: Option<WebappErrors>,
    running_apps_recreate_indices: Option<bool>,
}

/// Body of `POST /admin/zeebe/backups/{id}/age`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgeBody {
    by_ms: u64,
}

async fn state(State(c): State<SimControl>) -> Json<Value> {
    Json(c.snapshot_state())
}

async fn calls(State(c): State<SimControl>) -> Json<Value> {
    Json(serde_json::to_value(c.calls()).unwrap_or(Value::Null))
}

async fn clear_calls(State(c): State<SimControl>) -> StatusCode {
    c.clear_calls();
    StatusCode::NO_CONTENT
}

async fn add_fault(State(c): State<SimControl>, body: String) -> Response {
    match parse::<Fault>(&body) {
        Ok(f) => {
            let id = c.add_fault_with_id(f);
            (StatusCode::CREATED, Json(json!({"id": id}))).into_response()
        }
        Err(r) => *r,
    }
}

async fn clear_faults(State(c): State<SimControl>) -> StatusCode {
    c.clear_faults();
    StatusCode::NO_CONTENT
}

async fn component_action(
    State(c): State<SimControl>,
    Path((name, action)): Path<(String, String)>,
) -> Response {
    let component: Component = match name.parse() {
        Ok(c) => c,
        Err(e) => return error(StatusCode::NOT_FOUND, e.to_string()),
    };
    let result = match action.as_str() {
        "stop" => c.stop_component(component).await,
        "start" => c.start_component(component).await,
        other => return error(StatusCode::NOT_FOUND, format!("unknown action: {other}")),
    };
    match result {
        Ok(()) => Json(json!({"component": component, "action": action})).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn set_latency(State(c): State<SimControl>, body: String) -> Response {
    match parse::<LatencyConfig>(&body) {
        Ok(l) => {
            c.set_latency(l.clone());
            Json(json!(l)).into_response()
        }
        Err(r) => *r,
    }
}

async fn set_config(State(c): State<SimControl>, body: String) -> Response {
    match parse::<ConfigPatch>(&body) {
        Ok(p) => {
            if let Some(e) = p.exporting_response {
                c.set_exporting_response(e);
            }
            if let Some(w) = p.webapp_errors {
                c.set_webapp_errors(w);
            }
            if let Some(r) = p.running_apps_recreate_indices {
                c.set_running_apps_recreate_indices(r);
            }
            Json(c.snapshot_state()["settings"].clone()).into_response()
        }
        Err(r) => *r,
    }
}

async fn set_auth(State(c): State<SimControl>, body: String) -> Response {
    match parse::<AuthConfig>(&body) {
        Ok(a) => {
            c.set_auth(a.clone());
            Json(json!(a)).into_response()
        }
        Err(r) => *r,
    }
}

async fn age_backup(State(c): State<SimControl>, Path(id): Path<i64>, body: String) -> Response {
    let age = match parse::<AgeBody>(&body) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    match c.age_zeebe_backup(id, std::time::Duration::from_millis(age.by_ms)) {
        Ok(()) => Json(json!({"backupId": id, "agedByMs": age.by_ms})).into_response(),
        Err(e @ SimError::UnknownBackup(_)) => error(StatusCode::NOT_FOUND, e.to_string()),
        Err(e) => error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

async fn urls(State(c): State<SimControl>) -> Json<Value> {
    Json(json!(c.urls()))
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such admin route")
}

/// Router of the admin API.
pub(crate) fn router(control: SimControl) -> Router {
    Router::new()
        .route("/admin/state", get(state))
        .route("/admin/urls", get(urls))
        .route("/admin/calls", get(calls).delete(clear_calls))
        .route("/admin/faults", post(add_fault).delete(clear_faults))
        .route(
            "/admin/components/{component}/{action}",
            post(component_action),
        )
        .route("/admin/latency", put(set_latency))
        .route("/admin/config", put(set_config))
        .route("/admin/auth", put(set_auth))
        .route("/admin/zeebe/backups/{id}/age", post(age_backup))
        .merge(super::admin_restore::routes())
        .fallback(not_found)
        .with_state(control)
}
