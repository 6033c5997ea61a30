//! `GET /api/v1/audit?actor=&action=&outcome=&before=&limit=[&format=jsonl]` (admins): the
//! audit log newest first as `{"entries": [...], "nextBefore": n}`, or as JSON lines to export.

use crate::auth::Caller;
use crate::state::AppState;
use crate::wire::ApiError;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use std::collections::HashMap;

#[utoipa::path(get, path = "/api/v1/audit", operation_id = "listAudit", tag = "audit",
    params(
        ("actor" = Option<String>, Query, min_length = 1, max_length = 128, description = "Only this user or token"),
        ("action" = Option<String>, Query, min_length = 1, max_length = 128, description = "Only this action, or actions with this prefix (`restore.`)"),
        ("outcome" = Option<String>, Query, pattern = "^(attempted|ok|refused|failed)$", description = "attempted, ok, refused or failed"),
        ("before" = Option<i64>, Query, minimum = 1, description = "`nextBefore` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Entries per page (100; 1000 for jsonl)"),
        ("format" = Option<String>, Query, pattern = "^(json|jsonl)$", description = "`jsonl`: JSON lines to download"),
    ),
    responses(
        (status = 200, description = "The audit log, newest first", content(
            (crate::domain::AuditPage = "application/json"),
            (String = "application/x-ndjson"),
        )),
        (status = 400, description = "A query parameter is not valid (the message names it)", body = super::schema::ErrorBody),
        super::schema::Refusals,
    ))]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    super::backups::no_empty(&params)?;
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
    )
    .map_err(|e| crate::wire::invalid_query(&e))?;
    let page = crate::audit::page(state.console.auth.store(), &caller, &filter)
        .await
        .map_err(|e| crate::wire::audit_error(&e))?;
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
