//! `GET /api/v1/health`, `/api/v1/console` and `/api/v1/cluster`.

use super::ApiError;
use crate::domain::{ClusterOverview, ConsoleInfo};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

/// Liveness of the console itself.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "UP" }))
}

/// Cluster name, whether it is simulated, and the simulator's admin URL when it is.
pub async fn console_info(State(state): State<AppState>) -> Json<ConsoleInfo> {
    Json(state.console.console_info())
}

/// The latest probe of every component.
pub async fn overview(State(state): State<AppState>) -> Result<Json<ClusterOverview>, ApiError> {
    state.console.overview.get().await.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_probed_yet",
            "The cluster has not been probed yet; try again in a few seconds.",
        )
    })
}
