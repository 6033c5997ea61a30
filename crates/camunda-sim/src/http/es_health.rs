//! `GET /_cluster/health[/{index,...}]`: `green`, `yellow` while a selected index is being
//! restored (ES counts a primary initializing from a snapshot as yellow), `red` for a missing
//! concrete index. `wait_for_status` and `timeout` (default `30s`) are honoured; like ES 8, a
//! missing concrete index is waited for until the timeout, and a timeout answers HTTP 200 with
//! `"timed_out": true`. `level=indices|shards` adds the per-index (per-shard) details.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{json_resp, Ctx, Req};
use crate::faults::lock;
use crate::state::es::{glob, EsError, EsState};

/// Health colours, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Health {
    Green,
    Yellow,
    Red,
}

impl Health {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "green" => Some(Health::Green),
            "yellow" => Some(Health::Yellow),
            "red" => Some(Health::Red),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Health::Green => "green",
            Health::Yellow => "yellow",
            Health::Red => "red",
        }
    }
}

/// Parses an ES time value (`30s`, `500ms`, `1m`, `2h`, `1d`).
fn parse_time(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000,
        "m" => n * 60_000,
        "h" => n * 3_600_000,
        "d" => n * 86_400_000,
        _ => return None,
    };
    Some(Duration::from_millis(ms))
}

/// The indices selected by `expr` and whether a concrete name is missing.
fn select(es: &EsState, expr: &str) -> (Vec<String>, bool) {
    let mut names: Vec<String> = Vec::new();
    let mut missing = false;
    for token in expr.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if token == "_all" || token.contains('*') {
            let pattern = if token == "_all" { "*" } else { token };
            names.extend(es.indices.keys().filter(|n| glob(pattern, n)).cloned());
        } else if es.indices.contains_key(token) {
            names.push(token.to_string());
        } else {
            missing = true;
        }
    }
    names.sort();
    names.dedup();
    (names, missing)
}

/// Health body for the selection, its status, and whether a concrete index is missing.
fn health_body(es: &EsState, cluster_name: &str, expr: &str, level: &str) -> (Value, Health, bool) {
    let (names, missing) = select(es, expr);
    let recovering = |n: &String| es.indices.get(n).is_some_and(|i| i.recovering());
    let initializing = names.iter().filter(|n| recovering(n)).count();
    let active = names.len() - initializing;
    let mut status = if initializing > 0 {
        Health::Yellow
    } else {
        Health::Green
    };
    if missing {
        status = Health::Red;
    }
    let total_all = es.indices.len();
    let active_all = es.indices.values().filter(|i| !i.recovering()).count();
    let percent = if total_all == 0 {
        100.0
    } else {
        active_all as f64 * 100.0 / total_all as f64
    };
    let mut body = Map::new();
    body.insert("cluster_name".into(), json!(cluster_name));
    body.insert("status".into(), json!(status.as_str()));
    body.insert("timed_out".into(), json!(false));
    body.insert("number_of_nodes".into(), json!(1));
    body.insert("number_of_data_nodes".into(), json!(1));
    body.insert("active_primary_shards".into(), json!(active));
    body.insert("active_shards".into(), json!(active));
    body.insert("relocating_shards".into(), json!(0));
    body.insert("initializing_shards".into(), json!(initializing));
    body.insert("unassigned_shards".into(), json!(0));
    body.insert("delayed_unassigned_shards".into(), json!(0));
    body.insert("number_of_pending_tasks".into(), json!(0));
    body.insert("number_of_in_flight_fetch".into(), json!(0));
    body.insert("task_max_waiting_in_queue_millis".into(), json!(0));
    body.insert("active_shards_percent_as_number".into(), json!(percent));
    if level == "indices" || level == "shards" {
        let indices: Map<String, Value> = names
            .iter()
            .map(|n| {
                let init = usize::from(recovering(n));
                let health = if init > 0 { "yellow" } else { "green" };
                let mut idx = json!({
                    "status": health, "number_of_shards": 1, "number_of_replicas": 0,
                    "active_primary_shards": 1 - init, "active_shards": 1 - init,
                    "relocating_shards": 0, "initializing_shards": init, "unassigned_shards": 0,
                });
                if level == "shards" {
                    idx["shards"] = json!({"0": {"status": health, "primary_active": init == 0,
                        "active_shards": 1 - init, "relocating_shards": 0,
                        "initializing_shards": init, "unassigned_shards": 0}});
                }
                (n.clone(), idx)
            })
            .collect();
        body.insert("indices".into(), Value::Object(indices));
    }
    (Value::Object(body), status, missing)
}

/// Handles `GET /_cluster/health[/{index}]`.
pub(crate) async fn cluster_health(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let expr = r.segs.get(2).cloned().unwrap_or_else(|| "_all".into());
    let wanted = match r.q("wait_for_status") {
        None | Some("") => None,
        Some(s) => Some(Health::parse(s).ok_or_else(|| {
            EsError::new(
                400,
                "illegal_argument_exception",
                format!("unknown cluster health status [{s}]"),
            )
        })?),
    };
    let timeout_text = r.q("timeout").unwrap_or("30s");
    let timeout = parse_time(timeout_text).ok_or_else(|| {
        EsError::new(
            400,
            "illegal_argument_exception",
            format!("failed to parse setting [timeout] with value [{timeout_text}] as a time value: unit is missing or unrecognized"),
        )
    })?;
    let level = r.q("level").unwrap_or("cluster").to_string();
    let cluster_name = ctx.shared.config.elasticsearch.cluster_name.clone();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let (mut body, status, missing) = {
            let st = lock(&ctx.shared.state);
            health_body(&st.es, &cluster_name, &expr, &level)
        };
        let satisfied = !missing && wanted.is_none_or(|w| status <= w);
        if satisfied {
            return Ok(json_resp(StatusCode::OK, &body));
        }
        if tokio::time::Instant::now() >= deadline {
            body["timed_out"] = json!(true);
            return Ok(json_resp(StatusCode::OK, &body));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_values_parse() {
        assert_eq!(parse_time("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_time("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_time("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_time("10"), None);
    }

    #[test]
    fn health_is_yellow_while_restoring_and_red_for_a_missing_index() {
        let mut es = EsState::default();
        es.create_index("a", 1);
        let (b, s, _) = health_body(&es, "c", "a", "indices");
        assert_eq!(s, Health::Green);
        assert_eq!(b["indices"]["a"]["status"], "green");
        let (_, s, missing) = health_body(&es, "c", "a,missing", "cluster");
        assert_eq!((s, missing), (Health::Red, true));
        let (b, s, _) = health_body(&es, "c", "nothing-*", "cluster");
        assert_eq!(
            (s, b["active_primary_shards"].clone()),
            (Health::Green, json!(0))
        );
    }
}
