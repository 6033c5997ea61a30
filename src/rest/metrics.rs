//! `GET /metrics` (Prometheus / OpenMetrics text): on the console's address for any signed-in
//! caller (a viewer token), and — when `metrics_listen` is set — on that address alone without
//! authentication, for in-cluster scraping.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The OpenMetrics text format `prometheus-client` writes (Prometheus reads it).
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub async fn metrics(State(state): State<AppState>) -> Response {
    match crate::metrics::render(&state.console).await {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not build the metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the console could not build its metrics; see its log\n",
            )
                .into_response()
        }
    }
}

/// The router of the `metrics_listen` address: `/metrics` only, no authentication.
pub fn scrape_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}
