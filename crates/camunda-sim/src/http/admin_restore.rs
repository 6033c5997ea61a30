//! Admin routes for restore tests: Elasticsearch content (write documents, read an index, wipe
//! to a clean Elasticsearch), Zeebe records, and the operator's restore actions on each broker
//! (data directory view / deletion / extra files, the restore application and its logs). The
//! operator's actions are not HTTP in a real cluster, so they live on the admin port.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::admin::{error, parse};
use crate::control::SimControl;
use crate::error::SimError;

fn one() -> u64 {
    1
}

/// Body of `POST /admin/es/indices/{name}/docs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocsBody {
    #[serde(default = "one")]
    count: u64,
}

/// Body of `POST /admin/zeebe/records`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordsBody {
    #[serde(default = "one")]
    count: u64,
    #[serde(default)]
    partition: Option<u32>,
}

/// Body of `POST /admin/brokers/{n}/data/files`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBody {
    name: String,
}

/// Body of `POST /admin/brokers/{n}/restore`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RestoreBody {
    backup_id: u64,
    #[serde(default)]
    ignore_files_in_target: Option<Vec<String>>,
}

/// Maps a control error to an admin answer.
fn sim_error(e: &SimError) -> Response {
    let status = match e {
        SimError::UnknownComponent(_) => StatusCode::NOT_FOUND,
        SimError::InvalidArgument(_) => StatusCode::BAD_REQUEST,
        SimError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.to_string())
}

fn answer(result: Result<Value, SimError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => sim_error(&e),
    }
}

async fn write_docs(
    State(c): State<SimControl>,
    Path(name): Path<String>,
    body: String,
) -> Response {
    let body = if body.trim().is_empty() { "{}" } else { &body };
    match parse::<DocsBody>(body) {
        Ok(b) => answer(c.write_es_docs(&name, b.count)),
        Err(r) => *r,
    }
}

async fn get_index(State(c): State<SimControl>, Path(name): Path<String>) -> Response {
    match c.es_index(&name) {
        Some(v) => Json(v).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no such index [{name}]")),
    }
}

async fn wipe(State(c): State<SimControl>) -> Json<Value> {
    Json(c.wipe_elasticsearch())
}

async fn zeebe_records(State(c): State<SimControl>, body: String) -> Response {
    let body = if body.trim().is_empty() { "{}" } else { &body };
    match parse::<RecordsBody>(body) {
        Ok(b) => answer(c.write_zeebe_records(b.partition, b.count)),
        Err(r) => *r,
    }
}

async fn broker_data(State(c): State<SimControl>, Path(n): Path<usize>) -> Response {
    answer(c.broker_data(n))
}

async fn clear_data(State(c): State<SimControl>, Path(n): Path<usize>) -> Response {
    answer(c.clear_broker_data(n))
}

async fn add_file(State(c): State<SimControl>, Path(n): Path<usize>, body: String) -> Response {
    match parse::<FileBody>(&body) {
        Ok(f) => answer(c.add_broker_data_file(n, &f.name)),
        Err(r) => *r,
    }
}

async fn restore(State(c): State<SimControl>, Path(n): Path<usize>, body: String) -> Response {
    let b = match parse::<RestoreBody>(&body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    match c
        .restore_broker(n, b.backup_id, b.ignore_files_in_target)
        .await
    {
        Ok(outcome) => Json(json!(outcome)).into_response(),
        Err(e) => sim_error(&e),
    }
}

async fn logs(State(c): State<SimControl>, Path(n): Path<usize>) -> Response {
    match c.broker_restore_runs(n) {
        Ok(runs) => Json(json!({"broker": n, "runs": runs})).into_response(),
        Err(e) => sim_error(&e),
    }
}

/// The routes (state: the control handle).
pub(crate) fn routes() -> Router<SimControl> {
    Router::new()
        .route("/admin/es/indices/{name}/docs", post(write_docs))
        .route("/admin/es/indices/{name}", get(get_index))
        .route("/admin/es/wipe", post(wipe))
        .route("/admin/zeebe/records", post(zeebe_records))
        .route("/admin/brokers/{n}/data", get(broker_data))
        .route("/admin/brokers/{n}/data/clear", post(clear_data))
        .route("/admin/brokers/{n}/data/files", post(add_file))
        .route("/admin/brokers/{n}/restore", post(restore))
        .route("/admin/brokers/{n}/logs", get(logs))
}
