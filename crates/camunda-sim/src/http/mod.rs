//! HTTP layer: the common request pipeline (call log, authentication, latency, transport
//! faults) and helpers.

pub(crate) mod admin;
mod admin_restore;
pub(crate) mod broker;
pub(crate) mod elasticsearch;
mod es_cat;
mod es_health;
mod es_recovery;
mod es_restore;
pub(crate) mod optimize;
mod recovery;
pub(crate) mod rest;
mod unauthorized;
pub(crate) mod webapp;
pub(crate) mod zeebe;

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use crate::component::Listener;
use crate::faults::FaultKind;
use crate::shared::Shared;

/// Maximum request body size read.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A buffered request.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub segs: Vec<String>,
    pub query: Vec<(String, String)>,
    pub raw_query: Option<String>,
    pub body: Bytes,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Req {
    fn new(method: Method, path: &str, raw_query: Option<&str>, body: Bytes) -> Self {
        let segs = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let query = raw_query
            .unwrap_or("")
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (percent_decode(k), percent_decode(v))
            })
            .collect();
        Self {
            method,
            path: path.to_string(),
            segs,
            query,
            raw_query: raw_query.map(str::to_string),
            body,
        }
    }

    /// Query parameter value (`Some("")` for a bare flag).
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Boolean query flag: present and not `false`.
    pub fn flag(&self, key: &str) -> bool {
        self.q(key).is_some_and(|v| v != "false")
    }

    /// Path segments as `&str`.
    pub fn seg_strs(&self) -> Vec<&str> {
        self.segs.iter().map(String::as_str).collect()
    }

    /// Body as JSON (`None` when empty or invalid).
    pub fn json(&self) -> Option<Value> {
        if self.body.is_empty() {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }
}

/// Listener context.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    pub listener: Listener,
}

/// Router of one component listener.
pub(crate) fn router(shared: Arc<Shared>, listener: Listener) -> Router {
    Router::new()
        .fallback(pipeline)
        .with_state(Ctx { shared, listener })
}

fn operation(listener: Listener, r: &Req) -> &'static str {
    match listener {
        Listener::Zeebe => zeebe::operation(r),
        Listener::Broker(_) => broker::operation(r),
        Listener::Operate | Listener::Tasklist => webapp::operation(r),
        Listener::Optimize => optimize::operation(r),
        Listener::Elasticsearch => elasticsearch::operation(r),
        Listener::Rest => rest::operation(r),
        Listener::Admin => "unknown",
    }
}

async fn dispatch(ctx: &Ctx, op: &'static str, r: Req) -> Response {
    match ctx.listener {
        Listener::Zeebe => zeebe::dispatch(ctx, op, r).await,
        Listener::Broker(i) => broker::dispatch(ctx, i, op, r),
        Listener::Operate | Listener::Tasklist => webapp::dispatch(ctx, op, r).await,
        Listener::Optimize => optimize::dispatch(ctx, op, r).await,
        Listener::Elasticsearch => elasticsearch::dispatch(ctx, op, r).await,
        Listener::Rest => rest::dispatch(ctx, op, r).await,
        Listener::Admin => spring_error(404, &r.path),
    }
}

async fn pipeline(State(ctx): State<Ctx>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let r = Req::new(
        parts.method.clone(),
        parts.uri.path(),
        parts.uri.query(),
        body,
    );
    let shared = ctx.shared.clone();
    let name = ctx.listener.name();
    let op = operation(ctx.listener, &r);
    let body_text = (!r.body.is_empty()).then(|| String::from_utf8_lossy(&r.body).into_owned());
    let seq = shared.calls.begin(
        &name,
        op,
        r.method.as_str(),
        &r.path,
        r.raw_query.clone(),
        body_text,
    );
    tracing::debug!(component = %name, method = %r.method, path = %r.path, op, "request");

    let settings = shared.settings();
    if let Some(denied) = unauthorized::check(
        &settings.auth,
        ctx.listener,
        authorization.as_deref(),
        &r.path,
        r.raw_query.as_deref(),
    ) {
        tracing::debug!(component = %name, path = %r.path, op, "unauthorized");
        shared.calls.finish(seq, denied.status().as_u16());
        return denied;
    }

    let delay = settings.latency.for_operation(ctx.listener.family(), op);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }

    let response = match shared
        .faults
        .take(&name, op, FaultKind::is_transport, |_| true)
    {
        Some(fault) => match fault.kind {
            FaultKind::Hang => {
                tracing::info!(component = %name, op, "fault: hang");
                std::future::pending::<()>().await;
                empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
            FaultKind::Refuse => {
                tracing::info!(component = %name, op, "fault: refuse, stopping listener");
                let s = shared.clone();
                let listener = ctx.listener;
                tokio::spawn(async move { s.servers.stop(listener).await });
                std::future::pending::<()>().await;
                empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
            FaultKind::LoseAnswer => {
                tracing::info!(component = %name, op, "fault: acting, then losing the answer");
                let _ = dispatch(&ctx, op, r).await;
                let ct = fault
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "text/html".into());
                raw(
                    status(fault.status.unwrap_or(504)),
                    &ct,
                    fault
                        .body
                        .clone()
                        .unwrap_or_else(|| "<html>504 Gateway Time-out</html>".into()),
                )
            }
            FaultKind::MalformedJson => raw(
                StatusCode::OK,
                "application/json",
                "{\"message\": \"truncated".to_string(),
            ),
            _ => {
                let status = StatusCode::from_u16(fault.status.unwrap_or(500))
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let ct = fault
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/json".into());
                raw(status, &ct, fault.body.clone().unwrap_or_default())
            }
        },
        None => dispatch(&ctx, op, r).await,
    };
    shared.calls.finish(seq, response.status().as_u16());
    response
}

/// JSON response.
pub(crate) fn json_resp(status: StatusCode, value: &Value) -> Response {
    raw(status, "application/json", value.to_string())
}

/// Response with an explicit content type.
pub(crate) fn raw(status: StatusCode, content_type: &str, body: String) -> Response {
    let mut resp = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// Empty response.
pub(crate) fn empty(status: StatusCode) -> Response {
    (status, Body::empty()).into_response()
}

/// Status code from a number (500 when invalid).
pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Spring Boot default error body.
pub(crate) fn spring_error(code: u16, path: &str) -> Response {
    let error = status(code).canonical_reason().unwrap_or("Error");
    json_resp(
        status(code),
        &json!({
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            "status": code,
            "error": error,
            "path": path,
        }),
    )
}

/// Spring Boot `GET /actuator/info`.
pub(crate) fn info(artifact: &str, name: &str, version: &str) -> Response {
    json_resp(
        StatusCode::OK,
        &json!({"build": {"artifact": artifact, "name": name, "version": version,
                          "group": "io.camunda", "time": "2025-05-06T10:00:00.000Z"}}),
    )
}

/// Spring Boot `GET /actuator/health`.
pub(crate) fn health() -> Response {
    json_resp(StatusCode::OK, &json!({"status": "UP"}))
}

/// Parses a backup id from a JSON number or numeric string.
pub(crate) fn json_id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
