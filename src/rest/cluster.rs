//! `GET /api/v1/health`, `/api/v1/ready`, `/api/v1/console` and `/api/v1/cluster`.

use super::schema::{ErrorBody, Health, Refusals};
use crate::domain::{ClusterOverview, ConsoleInfo};
use crate::state::AppState;
use crate::wire::ApiError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

/// Liveness of the console itself.
#[utoipa::path(get, path = "/api/v1/health", operation_id = "health", tag = "cluster", security(()),
    responses((status = 200, description = "The console answers", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "UP".into(),
    })
}

/// Ready to serve: the console's database answers, and this process is the journal's writer.
#[utoipa::path(get, path = "/api/v1/ready", operation_id = "ready", tag = "cluster", security(()),
    responses(
        (status = 200, description = "The database answers; this console writes the journal", body = Health),
        (status = 503, description = "The database does not answer (the message says why)", body = ErrorBody),
    ))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.console.engine.store().ping().await {
        Ok(()) if !state.console.replica.state().known => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            "The console has not read the leader lease yet (several replicas on PostgreSQL); see the console's log.",
        )),
        Ok(()) => Ok(Json(Health {
            status: "READY".into(),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: the database does not answer");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "The console's database does not answer; see the console's log.",
            ))
        }
    }
}

/// Cluster name, whether it is simulated, and the simulator's admin URL when it is.
#[utoipa::path(get, path = "/api/v1/console", operation_id = "getConsole", tag = "cluster",
    responses((status = 200, description = "The console", body = ConsoleInfo), Refusals))]
pub async fn console_info(State(state): State<AppState>) -> Json<ConsoleInfo> {
    Json(state.console.console_info())
}

/// The latest probe of every component.
#[utoipa::path(get, path = "/api/v1/cluster", operation_id = "getCluster", tag = "cluster",
    responses(
        (status = 200, description = "The latest probe of every component", body = ClusterOverview),
        (status = 503, description = "Not probed yet (the first seconds after a start)", body = ErrorBody),
        Refusals,
    ))]
pub async fn overview(State(state): State<AppState>) -> Result<Json<ClusterOverview>, ApiError> {
    state.console.overview.get().await.map(Json).ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_probed_yet",
            "The cluster has not been probed yet; try again in a few seconds.",
        )
    })
}
