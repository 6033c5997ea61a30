//! Benchmark suite, failover part (issue 21): two console replicas as real processes (the
//! release binary) on one PostgreSQL (Debian's, started by `scripts/bench.sh` with TLS and a
//! password) and one simulator, with the deployed default `leader_lease_secs = 15`. A backup
//! is started on the follower (forwarded to the leader); inside the pause window (a 20 s
//! records snapshot), the leader is killed with `kill -9`. Measured from the kill:
//!
//! - **takeover**: to the successor's term (its `leaderSince`, the database's clock);
//! - **exporting resumed**: to every leader partition of the simulator exporting again (polled
//!   every 20 ms over HTTP);
//! - **run end journaled**: to the run no longer `running` on the successor.
//!
//! Writes `target/bench/failover.md`; `scripts/bench.sh` puts it into BENCHMARKS.md. It
//! reports; it asserts nothing.
//!
//! Run: `scripts/bench.sh` (or, with a PostgreSQL from `scripts/postgres.sh start DIR` and its
//! `DIR/env` sourced, `cargo bench --bench failover --features ssr`).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/stats.rs"]
mod stats;

use common::replicas::{until_leader, ReplicaProcess};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

const RUNS: usize = 3;
const LEASE_SECS: u64 = 15;

struct Measured {
    takeover_ms: f64,
    resumed_ms: f64,
    ended_ms: f64,
    state: String,
}

async fn json(replica: &ReplicaProcess, path: &str) -> Result<serde_json::Value, BoxError> {
    Ok(common::client()
        .get(replica.url(path))
        .send()
        .await?
        .json()
        .await?)
}

async fn one_run(n: usize) -> Result<Measured, BoxError> {
    let db = common::postgres::fresh_database(&format!("bench{n}"))
        .await
        .ok_or("no PostgreSQL: run scripts/bench.sh, or start one with scripts/postgres.sh")?;
    let mut config = common::fast_sim();
    config.timing.es_snapshot_ms = 20_000;
    let sim = camunda_sim::start(config).await?;
    let mut a = ReplicaProcess::start(sim.urls(), &db, "console-a", LEASE_SECS, "").await;
    until_leader(&a, Duration::from_secs(30)).await;
    let b = ReplicaProcess::start(sim.urls(), &db, "console-b", LEASE_SECS, "").await;
    let started: serde_json::Value = common::client()
        .post(b.url("/api/v1/backups"))
        .json(&serde_json::json!({}))
        .send()
        .await?
        .json()
        .await?;
    let id = started["backupId"].as_i64().ok_or("no backupId")?;
    common::eventually(
        "inside the pause window",
        Duration::from_secs(60),
        || async {
            let run = json(&b, &format!("/api/v1/backups/{id}")).await.ok()?;
            (common::step(&run, "wait_records_snapshot")?["state"] == "running").then_some(())
        },
    )
    .await;
    // Two seconds into the wait: the leader has renewed its lease at some point before.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let killed_at = chrono::Utc::now();
    let killed = Instant::now();
    a.kill9();
    let resumed = loop {
        let phases = common::leader_phases(sim.urls()).await;
        if !phases.is_empty() && phases.iter().all(|p| p == "EXPORTING") {
            break killed.elapsed();
        }
        if killed.elapsed() > Duration::from_secs(120) {
            return Err("exporting not resumed within 120 s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let leads = until_leader(&b, Duration::from_secs(10)).await;
    let since = chrono::DateTime::parse_from_rfc3339(leads["leaderSince"].as_str().unwrap_or(""))?;
    let takeover = (since.with_timezone(&chrono::Utc) - killed_at)
        .to_std()
        .unwrap_or_default();
    let run = common::eventually(
        "the run's end journaled",
        Duration::from_secs(120),
        || async {
            let run = json(&b, &format!("/api/v1/backups/{id}")).await.ok()?;
            (run["state"] != "running").then_some(run)
        },
    )
    .await;
    let ended = killed.elapsed();
    drop(b);
    sim.shutdown().await;
    Ok(Measured {
        takeover_ms: takeover.as_secs_f64() * 1000.0,
        resumed_ms: resumed.as_secs_f64() * 1000.0,
        ended_ms: ended.as_secs_f64() * 1000.0,
        state: run["state"].as_str().unwrap_or("?").to_owned(),
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut runs = Vec::new();
    for n in 0..RUNS {
        runs.push(one_run(n).await?);
    }
    let col = |f: &dyn Fn(&Measured) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let mut out = String::new();
    writeln!(
        out,
        "{RUNS} runs; two replicas (release binary) on PostgreSQL 15 over TLS, `leader_lease_secs = {LEASE_SECS}`; the leader killed with `kill -9` inside the pause window (records snapshot running). Times from the kill, median (min–max):"
    )?;
    writeln!(out)?;
    writeln!(out, "| from the kill to | ms |")?;
    writeln!(out, "|---|---|")?;
    writeln!(
        out,
        "| the successor leads (its term's start, the database's clock) | {} |",
        stats::spread(col(&|m| m.takeover_ms), 0)
    )?;
    writeln!(
        out,
        "| exporting resumed on every partition | {} |",
        stats::spread(col(&|m| m.resumed_ms), 0)
    )?;
    writeln!(
        out,
        "| the run's end journaled by the successor | {} |",
        stats::spread(col(&|m| m.ended_ms), 0)
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "The runs ended: {} (recovery waits for the records snapshot still running in Elasticsearch, then judges the set).",
        runs.iter().map(|m| m.state.as_str()).collect::<Vec<_>>().join(", ")
    )?;
    std::fs::create_dir_all("target/bench")?;
    std::fs::write("target/bench/failover.md", &out)?;
    tracing_free_print(&out);
    Ok(())
}

/// The table on standard output too (a bench binary's report; no logging set up here).
fn tracing_free_print(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().write_all(text.as_bytes());
}
