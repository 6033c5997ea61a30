//! The HTTP handlers: the JSON API under `/api/v1` for scripts and monitoring, and the sign-in
//! pages (the gate, headers and cookies every route shares are in `crate::web`). Handlers only translate
//! HTTP; the logic lives in the actions and services.

mod audit;
mod backups;
mod cluster;
mod events;
pub mod metrics;
pub mod openapi;
mod restores;
mod retention;
mod schedules;
mod schema;
pub mod signin;
mod webhooks;

use crate::state::AppState;
use crate::wire::ApiError;
use axum::routing::{get, post};
use axum::Router;

/// The JSON API under `/api/v1` (JSON bodies only) and the sign-in pages and their posts; the
/// whole router (pages, server functions, static files, the gate) is built in `crate::router`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/health", get(cluster::health))
        .route("/api/v1/ready", get(cluster::ready))
        .route("/api/v1/console", get(cluster::console_info))
        .route("/api/v1/cluster", get(cluster::overview))
        .route("/api/v1/backups", post(backups::start).get(backups::list))
        .route(
            "/api/v1/backups/{id}",
            get(backups::get).delete(backups::delete),
        )
        .route("/api/v1/backups/{id}/events", get(events::stream))
        .route("/api/v1/backups/{id}/cancel", post(backups::cancel))
        .route("/api/v1/restores/plan", post(restores::plan))
        .route(
            "/api/v1/restores",
            post(restores::start).get(restores::list),
        )
        .route("/api/v1/restores/{id}", get(restores::get))
        .route(
            "/api/v1/restores/{id}/steps/{key}/confirm",
            post(restores::confirm),
        )
        .route("/api/v1/restores/{id}/events", get(restores::events))
        .route("/api/v1/restores/{id}/cancel", post(restores::cancel))
        .route("/api/v1/restores/{id}/retry", post(restores::retry))
        .route(
            "/api/v1/schedules",
            get(schedules::list).post(schedules::create),
        )
        .route(
            "/api/v1/schedules/{id}",
            get(schedules::get)
                .patch(schedules::update)
                .delete(schedules::delete),
        )
        .route("/api/v1/schedules/{id}/run", post(schedules::run))
        .route("/api/v1/retention", get(retention::get).put(retention::put))
        .route("/api/v1/retention/preview", get(retention::preview))
        .route(
            "/api/v1/backups/{id}/keep",
            axum::routing::put(retention::keep).delete(retention::release),
        )
        .route(
            "/api/v1/webhooks",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/api/v1/webhooks/{id}",
            axum::routing::patch(webhooks::update).delete(webhooks::delete),
        )
        .route("/api/v1/webhooks/{id}/test", post(webhooks::test))
        .route(
            "/api/v1/webhooks/{id}/deliveries",
            get(webhooks::deliveries),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/openapi.json", get(openapi::document))
        // An unknown API path answers in the API's error shape, not as a missing server function.
        .route("/api/v1/{*rest}", axum::routing::any(api_not_found))
        .layer(axum::middleware::from_fn(crate::web::headers::json_only))
        .route("/metrics", get(metrics::metrics))
        .route("/login", get(signin::login_page))
        .route("/auth/login", post(signin::sign_in))
        .route("/auth/logout", post(signin::sign_out))
        .route("/auth/oidc/start", get(signin::oidc::start))
        .route("/auth/oidc/callback", get(signin::oidc::callback))
}

/// A JSON object of type `T`, or 400 naming what is wrong (an array is refused too, although
/// serde would read a struct from one).
fn body<T: serde::de::DeserializeOwned>(
    bytes: &axum::body::Bytes,
    shape: &str,
) -> Result<T, ApiError> {
    let refuse = |why: String| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "malformed_body",
            format!("The body must be {shape}: {why}"),
        )
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| refuse(e.to_string()))?;
    if !value.is_object() {
        return Err(refuse("it is not a JSON object".into()));
    }
    serde_json::from_value(value).map_err(|e| refuse(e.to_string()))
}

/// A path's id: a positive integer, or 400 `code` naming what it should have been.
fn positive_id(raw: &str, code: &'static str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            code,
            format!("`{raw}` is not {what} (a positive integer)"),
        )
    })
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "No API endpoint at {}; the endpoints are listed in /api/v1/openapi.json",
            uri.path()
        ),
    )
}
