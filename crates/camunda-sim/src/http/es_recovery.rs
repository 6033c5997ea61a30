//! Restore progress without a long-held request: `GET /_cat/recovery[/{index}]` and
//! `GET [/{index}]/_recovery`, one primary shard per index (types `snapshot`, `empty_store`,
//! `existing_store`; stages `init` → `index` → `translog` → `finalize` → `done`).

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::es_cat::{self, percent, time_value};
use super::{json_resp, Ctx, Req};
use crate::faults::lock;
use crate::state::es::{es_time, EsError, EsState};
use crate::state::es_index::{IndexInfo, IndexRecovery, RecoveryKind, Stage};

const NODE_ID: &str = "q1kWIyS7Rm2vXqg7Qo0Cfg";
const NODE_NAME: &str = "es-node-0";
const NODE_HOST: &str = "127.0.0.1";

/// Default columns of `_cat/recovery`.
const CAT_COLUMNS: &[&str] = &[
    "index",
    "shard",
    "time",
    "type",
    "stage",
    "source_host",
    "source_node",
    "target_host",
    "target_node",
    "repository",
    "snapshot",
    "files",
    "files_recovered",
    "files_percent",
    "files_total",
    "bytes",
    "bytes_recovered",
    "bytes_percent",
    "bytes_total",
    "translog_ops",
    "translog_ops_recovered",
    "translog_ops_percent",
];

/// One shard recovery, computed at `now`.
struct Row {
    name: String,
    recovery: IndexRecovery,
    stage: Stage,
    pct: f64,
    files: u64,
    bytes: u64,
    elapsed_ms: u64,
}

impl Row {
    fn new(name: &str, info: &IndexInfo, now: DateTime<Utc>) -> Self {
        let recovery = info.recovery_or_existing(now);
        let (stage, pct) = recovery.progress(now);
        let content = info.content();
        Row {
            name: name.to_string(),
            stage,
            pct,
            files: content.file_count(),
            bytes: content.size_in_bytes(),
            elapsed_ms: recovery.elapsed_ms(now),
            recovery,
        }
    }

    fn is_snapshot(&self) -> bool {
        self.recovery.kind == RecoveryKind::Snapshot
    }

    /// Files/bytes copied so far (only snapshot recoveries copy anything).
    fn recovered(&self, total: u64) -> u64 {
        if self.is_snapshot() {
            (total as f64 * self.pct / 100.0).round() as u64
        } else {
            0
        }
    }

    fn shown_pct(&self) -> f64 {
        if self.is_snapshot() {
            self.pct
        } else {
            100.0
        }
    }

    fn stop_millis(&self) -> i64 {
        self.recovery
            .stop_time
            .map(|t| t.timestamp_millis())
            .unwrap_or(0)
    }

    fn cell(&self, column: &str) -> Option<String> {
        let na = || "n/a".to_string();
        let snapshot_field = |v: &Option<String>| {
            if self.is_snapshot() {
                v.clone().unwrap_or_else(na)
            } else {
                na()
            }
        };
        Some(match column {
            "index" | "i" | "idx" => self.name.clone(),
            "shard" | "s" | "sh" => "0".into(),
            "start_time" | "start" => es_time(&self.recovery.start_time),
            "start_time_millis" | "start_millis" => {
                self.recovery.start_time.timestamp_millis().to_string()
            }
            "stop_time" | "stop" => {
                es_time(&DateTime::from_timestamp_millis(self.stop_millis()).unwrap_or_default())
            }
            "stop_time_millis" | "stop_millis" => self.stop_millis().to_string(),
            "time" | "t" | "ti" => time_value(self.elapsed_ms),
            "type" | "ty" => self.recovery.kind.cat_name().into(),
            "stage" | "st" => self.stage.cat_name().into(),
            "source_host" | "shost" | "source_node" | "snode" => na(),
            "target_host" | "thost" => NODE_HOST.into(),
            "target_node" | "tnode" => NODE_NAME.into(),
            "repository" | "rep" => snapshot_field(&self.recovery.repository),
            "snapshot" | "snap" => snapshot_field(&self.recovery.snapshot),
            "files" | "f" | "files_total" | "tf" => self.files.to_string(),
            "files_recovered" | "fr" => self.recovered(self.files).to_string(),
            "files_percent" | "fp" | "bytes_percent" | "bp" => percent(self.shown_pct()),
            "bytes" | "b" | "bytes_total" | "tb" => self.bytes.to_string(),
            "bytes_recovered" | "br" => self.recovered(self.bytes).to_string(),
            "translog_ops" | "to" | "translog_ops_recovered" | "tor" => "0".into(),
            "translog_ops_percent" | "top" => percent(100.0),
            _ => return None,
        })
    }

    /// `RecoveryState` JSON of `/{index}/_recovery`.
    fn json(&self, es_version: &str) -> Value {
        let source = if self.is_snapshot() {
            json!({"repository": self.recovery.repository, "snapshot": self.recovery.snapshot,
                   "version": es_version, "index": self.name,
                   "restoreUUID": self.recovery.restore_uuid})
        } else {
            json!({})
        };
        let mut shard = Map::new();
        shard.insert("id".into(), json!(0));
        shard.insert("type".into(), json!(self.recovery.kind.api_name()));
        shard.insert("stage".into(), json!(self.stage.api_name()));
        shard.insert("primary".into(), json!(true));
        shard.insert(
            "start_time_in_millis".into(),
            json!(self.recovery.start_time.timestamp_millis()),
        );
        if self.recovery.stop_time.is_some() {
            shard.insert("stop_time_in_millis".into(), json!(self.stop_millis()));
        }
        shard.insert("total_time_in_millis".into(), json!(self.elapsed_ms));
        shard.insert("source".into(), source);
        shard.insert(
            "target".into(),
            json!({"id": NODE_ID, "host": NODE_HOST, "transport_address": format!("{NODE_HOST}:9300"),
                   "ip": NODE_HOST, "name": NODE_NAME}),
        );
        let (files_rec, bytes_rec) = (self.recovered(self.files), self.recovered(self.bytes));
        let reused = |total: u64| if self.is_snapshot() { 0 } else { total };
        shard.insert(
            "index".into(),
            json!({
                "size": {"total_in_bytes": self.bytes, "reused_in_bytes": reused(self.bytes),
                         "recovered_in_bytes": bytes_rec, "recovered_from_snapshot_in_bytes": bytes_rec,
                         "percent": percent(self.shown_pct())},
                "files": {"total": self.files, "reused": reused(self.files), "recovered": files_rec,
                          "percent": percent(self.shown_pct())},
                "total_time_in_millis": self.elapsed_ms,
                "source_throttle_time_in_millis": 0,
                "target_throttle_time_in_millis": 0
            }),
        );
        shard.insert(
            "translog".into(),
            json!({"recovered": 0, "total": 0, "percent": "100.0%", "total_on_start": 0,
                   "total_time_in_millis": 0}),
        );
        shard.insert(
            "verify_index".into(),
            json!({"check_index_time_in_millis": 0, "total_time_in_millis": 0}),
        );
        Value::Object(shard)
    }
}

/// The recoveries of the indices `expr` resolves to (404 for a missing concrete name).
fn rows(es: &EsState, expr: &str, active_only: bool) -> Result<Vec<Row>, EsError> {
    let patterns: Vec<String> = expr.split(',').map(str::to_string).collect();
    let names = es.resolve_indices(&patterns)?;
    let now = Utc::now();
    Ok(names
        .iter()
        .filter_map(|n| es.indices.get(n).map(|i| Row::new(n, i, now)))
        .filter(|row| !active_only || row.stage != Stage::Done)
        .collect())
}

/// `GET /_cat/recovery[/{index}]` (`h`, `v`, `format=json`, `active_only`).
pub(crate) fn cat_recovery(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let expr = r.segs.get(2).cloned().unwrap_or_else(|| "*".into());
    let st = lock(&ctx.shared.state);
    let rows = rows(&st.es, &expr, r.flag("active_only"))?;
    let columns = es_cat::columns(r, CAT_COLUMNS);
    let cells: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|row| columns.iter().map(|c| row.cell(c)).collect())
        .collect();
    Ok(es_cat::render(r, &columns, &cells))
}

/// `GET [/{index}]/_recovery` (`active_only`).
pub(crate) fn index_recovery(ctx: &Ctx, r: &Req) -> Result<Response, EsError> {
    let expr = match r.segs.first().map(String::as_str) {
        Some("_recovery") | None => "*".to_string(),
        Some(index) => index.to_string(),
    };
    let version = &ctx.shared.config.elasticsearch.version;
    let st = lock(&ctx.shared.state);
    let rows = rows(&st.es, &expr, r.flag("active_only"))?;
    let out: Map<String, Value> = rows
        .iter()
        .map(|row| (row.name.clone(), json!({"shards": [row.json(version)]})))
        .collect();
    Ok(json_resp(StatusCode::OK, &Value::Object(out)))
}
