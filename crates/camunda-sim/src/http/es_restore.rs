//! `POST /_snapshot/{repo}/{name}/_restore` (§7.7): the restored indices exist at once but
//! recover `elasticsearch.concurrent_recoveries` at a time, each batch for
//! `timing.es_restore_ms`, as a node recovers a few shards at a time;
//! `wait_for_completion=true` answers when all are done. The recovery ends in the background
//! whatever happens to the request (pitfall 20).

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde_json::{json, Value};

use super::elasticsearch::index_patterns;
use super::{json_resp, Ctx, Req};
use crate::faults::lock;
use crate::schema::Owner;
use crate::state::es::EsError;
use crate::state::es_restore::RestoreOptions;

fn body_flag(body: &Value, key: &str) -> bool {
    match body.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

/// Handles a restore request.
pub(crate) async fn restore_snapshot(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let shared = ctx.shared.clone();
    let repo = r.segs.get(1).cloned().unwrap_or_default();
    let name = r.segs.get(2).cloned().unwrap_or_default();
    let body = r.json().unwrap_or_else(|| json!({}));
    let options = RestoreOptions {
        indices: index_patterns(&body),
        ignore_unavailable: body_flag(&body, "ignore_unavailable"),
        partial: body_flag(&body, "partial"),
    };
    let wait = r.flag("wait_for_completion");
    let duration_ms = shared.config.timing.es_restore_ms;
    let concurrent = shared.config.elasticsearch.concurrent_recoveries;
    let plan = {
        let mut st = lock(&shared.state);
        let plan =
            st.es
                .start_restore(&repo, &name, &options, Utc::now(), duration_ms, concurrent)?;
        let owners_running = plan
            .indices
            .iter()
            .filter_map(|i| Owner::of_index(i))
            .any(|o| o.running(&shared));
        if owners_running {
            st.es.restores_while_owner_running += 1;
            tracing::warn!(snapshot = %name, "restore while an owning application is running");
        }
        shared.save_es(&st);
        plan
    };
    tracing::info!(repository = %repo, snapshot = %name, indices = plan.indices.len(), "restore started");
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    {
        let shared = shared.clone();
        let plan = plan.clone();
        shared.clone().spawn(async move {
            let mut failed = 0;
            for batch in &plan.batches {
                tokio::time::sleep(Duration::from_millis(duration_ms)).await;
                let mut st = lock(&shared.state);
                failed += st.es.finish_indices(&plan, batch, Utc::now());
                shared.save_es(&st);
            }
            tracing::info!(indices = plan.indices.len(), failed, "restore finished");
            let _ = done_tx.send(failed);
        });
    }
    if !wait {
        return Ok(json_resp(StatusCode::OK, &json!({"accepted": true})));
    }
    let total = plan.indices.len();
    let failed = done_rx.await.unwrap_or(total).min(total);
    Ok(json_resp(
        StatusCode::OK,
        &json!({"snapshot": {"snapshot": name, "indices": plan.indices,
                             "shards": {"total": total, "failed": failed, "successful": total - failed}}}),
    ))
}
