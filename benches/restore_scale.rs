//! Benchmark suite, restore part (issue 11, item 7; issue 18, item 7): the guided restore of a
//! set of 1 000 indices — the seeded web-app indices plus dated `zeebe-record_*` indices, as
//! months of exporter retention leave them — against the simulator with fixed latencies: every
//! index deletion 10 ms, and the indices of a restored snapshot recovering **one at a time**,
//! 40 ms each (a real node recovers a few shards at a time, so "k of n recovered" changes on
//! almost every look). Per run (a new simulator and a new console with a SQLite file journal
//! and the default settings each time):
//!
//! - the deletion step's wall time and the console's overhead per index beyond the simulated
//!   work (wall − deletions × 10 ms, ÷ deletions), with the requests it sent per index;
//! - the two snapshot steps' wall time and the console's overhead per snapshot beyond the
//!   simulated recovery (wall − restored indices × 40 ms, ÷ snapshots);
//! - the journal the restore wrote (events, bytes), and the progress events of the snapshot
//!   steps.
//!
//! The operator steps (stop, the Zeebe restore application, start) are the bench's own
//! actions and are not counted. Writes `target/bench/restore.md`; `scripts/bench.sh` puts it
//! into BENCHMARKS.md. It reports; it asserts nothing.
//!
//! Run: `scripts/bench.sh` (or `cargo bench --bench restore_scale --features ssr`).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/stats.rs"]
mod stats;

use camunda_backup_console::startup::Application;
use camunda_sim::RecordedCall;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error>;

const RUNS: usize = 3;
const SET_INDICES: usize = 1000;
const DELETE_MS: u64 = 10;
/// Recovery of one index; indices recover one at a time.
const RECOVER_MS: u64 = 40;
const STEP_TIMEOUT: Duration = Duration::from_secs(600);

/// One restore as measured.
#[derive(Debug, Default)]
struct Measured {
    indices: usize,
    snapshots: usize,
    delete_ms: f64,
    delete_requests: usize,
    restore_ms: f64,
    /// Indices the restored snapshots hold (each recovers for RECOVER_MS, one at a time).
    restored_indices: usize,
    journal_events: i64,
    journal_bytes: i64,
    /// Events of the two snapshot steps.
    snapshot_events: i64,
}

impl Measured {
    fn overhead_per_index(&self) -> f64 {
        (self.delete_ms - (self.indices as u64 * DELETE_MS) as f64) / self.indices as f64
    }
    fn overhead_per_snapshot(&self) -> f64 {
        (self.restore_ms - (self.restored_indices as u64 * RECOVER_MS) as f64)
            / self.snapshots as f64
    }
}

struct Console {
    base: String,
    http: reqwest::Client,
}

impl Console {
    async fn get(&self, path: &str) -> Result<Value, BoxError> {
        Ok(self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .json()
            .await?)
    }

    async fn post(&self, path: &str, body: Value) -> Result<(u16, Value), BoxError> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    }

    /// Polls restore `rid` until step `key` is `state`; a failed restore ends the bench.
    async fn until_step(&self, rid: i64, key: &str, state: &str) -> Result<Value, BoxError> {
        let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
        loop {
            let r = self.get(&format!("/api/v1/restores/{rid}")).await?;
            if r["state"] == "failed" {
                return Err(format!("the restore failed: {}", r["error"]).into());
            }
            if step(&r, key)["state"] == state {
                return Ok(r);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("step {key} never became {state}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn confirm(&self, rid: i64, key: &str) -> Result<(), BoxError> {
        let (status, body) = self
            .post(
                &format!("/api/v1/restores/{rid}/steps/{key}/confirm"),
                json!({}),
            )
            .await?;
        if status != 202 {
            return Err(format!("confirming {key}: {status} {body}").into());
        }
        Ok(())
    }
}

fn step<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["key"] == key))
        .unwrap_or(&Value::Null)
}

fn at(v: &Value) -> Result<DateTime<Utc>, BoxError> {
    Ok(DateTime::parse_from_rfc3339(v.as_str().ok_or("no time")?)?.with_timezone(&Utc))
}

/// Milliseconds from the step's start to its end.
fn step_ms(r: &Value, key: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), BoxError> {
    let s = step(r, key);
    Ok((at(&s["startedAt"])?, at(&s["finishedAt"])?))
}

fn ms(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64
}

fn sim_config() -> camunda_sim::SimConfig {
    let mut config = camunda_sim::SimConfig::default();
    // The backup before the restore is not measured: it is quick.
    config.timing.es_snapshot_ms = 200;
    config.timing.zeebe_partition_backup_ms = 200;
    config.timing.webapp_part_ms = 20;
    config.timing.webapp_part_gap_ms = 10;
    config.timing.optimize_part_ms = 20;
    config.timing.es_restore_ms = RECOVER_MS;
    config.elasticsearch.concurrent_recoveries = 1;
    config
        .latency
        .operations
        .insert("elasticsearch.delete_index".into(), DELETE_MS);
    config
}

/// Adds dated `zeebe-record_*` indices until the component indices number `SET_INDICES`.
fn grow_to_set_size(sim: &camunda_sim::RunningSimulator, version: &str) -> Result<usize, BoxError> {
    let state = sim.control().snapshot_state();
    let existing = state["elasticsearch"]["indices"]
        .as_object()
        .map_or(0, |m| m.keys().filter(|k| !k.starts_with('.')).count());
    let wanted = SET_INDICES.saturating_sub(existing);
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).ok_or("date")?;
    let mut added = 0;
    'days: for day in 0.. {
        let date = start + chrono::Days::new(day);
        for vt in camunda_sim::ZEEBE_VALUE_TYPES {
            if added == wanted {
                break 'days;
            }
            sim.control()
                .write_es_docs(&format!("zeebe-record_{vt}_{version}_{date}"), 5)?;
            added += 1;
        }
    }
    Ok(existing + added)
}

async fn one_restore() -> Result<Measured, BoxError> {
    let config = sim_config();
    let version = config.version.clone();
    let sim = camunda_sim::start(config).await?;
    grow_to_set_size(&sim, &version)?;

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bench.db");
    let database_url = format!("sqlite://{}?mode=rwc", db.display());
    // Poll and time out as a deployed console does (the defaults), not as the tests do.
    let settings = common::deployed_settings_for(sim.urls(), &database_url);
    let app = Application::build(settings, common::leptos_options()).await?;
    let console = Console {
        base: format!("http://{}", app.local_addr()?),
        http: common::client(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    // The set: one backup of every component.
    let (status, started) = console.post("/api/v1/backups", json!({})).await?;
    if status != 201 && status != 202 {
        return Err(format!("Backup Now: {status} {started}").into());
    }
    let backup = started["backupId"].as_i64().ok_or("no backupId")?;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let run = console.get(&format!("/api/v1/backups/{backup}")).await?;
        if run["state"] == "completed" {
            break;
        }
        if run["state"] != "running" {
            return Err(format!("the backup ended {}", run["state"]).into());
        }
    }
    // The history knows the set once it has read the cluster.
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    let plan = loop {
        let (status, plan) = console
            .post("/api/v1/restores/plan", json!({ "backupId": backup }))
            .await?;
        if status == 200 && plan["ready"] == true {
            break plan;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("the plan never became ready: {status} {plan}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    let (status, started) = console
        .post(
            "/api/v1/restores",
            json!({ "backupId": backup, "confirm": "test" }),
        )
        .await?;
    if status != 201 {
        return Err(format!("starting the restore: {status} {started}").into());
    }
    let rid = started["restoreId"].as_i64().ok_or("no restoreId")?;
    let control = sim.control();

    console.until_step(rid, "stop_apps", "waiting").await?;
    for c in common::APPS {
        control.stop_component(c).await?;
    }
    control.clear_calls();
    console.confirm(rid, "stop_apps").await?;

    let r = console.until_step(rid, "restore_zeebe", "waiting").await?;
    let calls: Vec<RecordedCall> = control.calls();
    let (delete_from, delete_to) = step_ms(&r, "delete_indices")?;
    let (webapps_from, _) = step_ms(&r, "restore_webapps")?;
    let (_, records_to) = step_ms(&r, "restore_records")?;
    let delete_requests = calls
        .iter()
        .filter(|c| c.at >= delete_from && c.at <= delete_to)
        .count();
    let restored_indices = r["snapshotIndices"].as_object().map_or(0, |m| {
        m.values().filter_map(Value::as_array).map(Vec::len).sum()
    });
    let measured = Measured {
        restored_indices,
        indices: r["progress"]["deleted"].as_array().map_or(0, Vec::len),
        snapshots: r["progress"]["restored"].as_array().map_or(0, Vec::len),
        delete_ms: ms(delete_from, delete_to),
        delete_requests,
        restore_ms: ms(webapps_from, records_to),
        ..Measured::default()
    };
    if measured.indices < SET_INDICES {
        return Err(format!(
            "the restore deleted {} indices, not {SET_INDICES}: {}",
            measured.indices,
            plan["deleteIndices"].as_array().map_or(0, Vec::len)
        )
        .into());
    }

    let id = u64::try_from(backup)?;
    for broker in 0..usize::try_from(sim_config().brokers)? {
        control.clear_broker_data(broker)?;
        control.restore_broker(broker, id, None).await?;
    }
    console.confirm(rid, "restore_zeebe").await?;
    console.until_step(rid, "start_apps", "waiting").await?;
    for c in common::APPS {
        control.start_component(c).await?;
    }
    console.confirm(rid, "start_apps").await?;
    let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
    loop {
        let r = console.get(&format!("/api/v1/restores/{rid}")).await?;
        if r["state"] == "completed" {
            break;
        }
        if r["state"] == "failed" || tokio::time::Instant::now() > deadline {
            return Err(format!("the restore did not complete: {}", r["error"]).into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = stop.send(());
    server.await??;
    sim.shutdown().await;

    let pool = sqlx::SqlitePool::connect(&database_url).await?;
    let (events, bytes): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(payload)), 0) FROM restore_events WHERE restore_id = ?",
    )
    .bind(rid)
    .fetch_one(&pool)
    .await?;
    let (snapshot_events,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM restore_events WHERE restore_id = ? AND json_extract(payload, '$.step') IN ('restore_webapps', 'restore_records')",
    )
    .bind(rid)
    .fetch_one(&pool)
    .await?;
    pool.close().await;
    Ok(Measured {
        journal_events: events,
        journal_bytes: bytes,
        snapshot_events,
        ..measured
    })
}

fn spread(v: impl Iterator<Item = f64>, decimals: usize) -> String {
    stats::spread(v.collect(), decimals)
}

/// A line of the table: label, figure of one run, decimals.
type Row = (&'static str, fn(&Measured) -> f64, usize);

fn report(runs: &[Measured]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Set-up: the simulator (Camunda 8.7.3 profile: 3 brokers × 3 partitions) on loopback, each deletion of an index answered after {DELETE_MS} ms, the indices of a restored snapshot recovering one at a time, {RECOVER_MS} ms each (as a real node recovers a few shards at a time); the set: the seeded Operate, Tasklist and Optimize indices and dated `zeebe-record_*` indices up to {SET_INDICES} in all; the console with a SQLite file journal and its default settings (the restore polls every second). {RUNS} runs, each on a new simulator and console. Operator steps are the bench's and are not counted.\n",
    );
    let _ = writeln!(s, "| | median (min–max) over {RUNS} runs |");
    let _ = writeln!(s, "|---|---|");
    let rows: [Row; 11] = [
        ("indices deleted", (|m| m.indices as f64), 0),
        ("deletion step (ms)", (|m| m.delete_ms), 0),
        (
            "console overhead per index, beyond the 10 ms deletion (ms)",
            (Measured::overhead_per_index),
            2,
        ),
        (
            "requests per index during the deletion step",
            (|m| m.delete_requests as f64 / m.indices as f64),
            2,
        ),
        ("snapshots restored", (|m| m.snapshots as f64), 0),
        (
            "indices in the restored snapshots",
            (|m| m.restored_indices as f64),
            0,
        ),
        ("snapshot steps (ms)", (|m| m.restore_ms), 0),
        (
            "console overhead per snapshot, beyond its indices' recovery (ms)",
            (Measured::overhead_per_snapshot),
            0,
        ),
        (
            "journal events of the two snapshot steps (progress at most once a second)",
            (|m| m.snapshot_events as f64),
            0,
        ),
        (
            "journal events of the restore",
            (|m| m.journal_events as f64),
            0,
        ),
        (
            "journal bytes of the restore (MB)",
            (|m| m.journal_bytes as f64 / 1_048_576.0),
            1,
        ),
    ];
    for (label, f, decimals) in rows.iter() {
        let _ = writeln!(s, "| {label} | {} |", spread(runs.iter().map(f), *decimals));
    }
    s
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        runs.push(one_restore().await?);
    }
    let text = report(&runs);
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::create_dir_all(format!("{root}/target/bench"))?;
    std::fs::write(format!("{root}/target/bench/restore.md"), &text)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(())
}
