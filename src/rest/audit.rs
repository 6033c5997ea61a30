//! `GET /api/v1/audit?actor=&action=&outcome=&before=&limit=[&format=jsonl]` (admins): the
//! audit log newest first as `{"entries": [...], "nextBefore": n}`, or as JSON lines to export.

use super::ApiError;
use crate::auth::Caller;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::collections::HashMap;

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let arg = |k: &str| params.get(k).map(String::as_str);
    let before = match arg("before") {
        None => None,
        Some(b) => Some(b.parse::<i64>().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("`before` must be a positive sequence number, not `{b}`"),
            )
        })?),
    };
    let jsonl = match arg("format") {
        None | Some("json") => false,
        Some("jsonl") => true,
        Some(other) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("`format` must be json or jsonl, not `{other}`"),
            ))
        }
    };
    let filter = crate::audit::parse_filter(
        arg("actor"),
        arg("action"),
        arg("outcome"),
        before,
        arg("limit").or(jsonl.then_some("1000")),
    )?;
    let page = crate::audit::page(&state.console, &caller, &filter).await?;
    if !jsonl {
        return Ok(Json(page).into_response());
    }
    let mut body = String::new();
    for e in &page.entries {
        if let Ok(line) = serde_json::to_string(e) {
            body.push_str(&line);
            body.push('\n');
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.jsonl\"",
            ),
        ],
        body,
    )
        .into_response())
}
