//! Benchmark suite, automation part (issue 20): schedules, retention and alerts as a deployed
//! console meets them, against the simulator (its fast timings). Per run, a new simulator and a
//! new console journaling to a SQLite file, with the defaults of a deployed console except
//! that the prober and the history's background refresh are slowed to once an hour, so the
//! requests counted below are the pass's own:
//!
//! - **schedule lateness**: a `*/3 * * * * *` schedule fires 6 times; for each fire, from its
//!   due time to the start of its run as journaled (the system clock);
//! - **a retention pass** deleting 20 sets (policy keepLast = 1 over 21 restorable sets, the
//!   per-pass limit 20): wall time, and the requests each component received during the pass
//!   — listings (a cloud store bills them) apart from deletions;
//! - **alert latency**: from a run's journaled end to the `backup.completed` delivery reaching
//!   a receiver on loopback;
//! - **the retention decision** over a 10 000-set history (the pure function the preview and
//!   every pass use), 30 rounds.
//!
//! Writes `target/bench/automation.md`; `scripts/bench.sh` puts it into BENCHMARKS.md. It
//! reports; it asserts nothing.
//!
//! Run: `scripts/bench.sh` (or `cargo bench --bench automation --features ssr`).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/stats.rs"]
mod stats;

use camunda_backup_console::domain::{RetentionPolicy, Verdict};
use camunda_backup_console::retention::policy::{decide, SetFacts};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error>;

const RUNS: usize = 3;
const FIRES: usize = 6;
const SETS: usize = 21;

#[derive(Default)]
struct Measured {
    lateness_ms: Vec<f64>,
    pass_ms: f64,
    deleted: usize,
    /// component → (listings, deletions, other) during the pass.
    requests: BTreeMap<String, (usize, usize, usize)>,
    alert_ms: Vec<f64>,
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

async fn console() -> Result<common::TestConsole, BoxError> {
    let sim = camunda_sim::start(common::fast_sim()).await?;
    let dir = tempfile::tempdir()?;
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    std::mem::forget(dir);
    let mut settings = common::deployed_settings_for(sim.urls(), &db);
    settings.probe_interval = Duration::from_secs(3600);
    settings.history_refresh = Duration::from_secs(3600);
    Ok(common::start_with(sim, settings).await)
}

/// A receiver that notes when each `backup.completed` arrives, by backup id.
async fn receiver() -> Result<(String, Arc<Mutex<BTreeMap<i64, DateTime<Utc>>>>), BoxError> {
    let got: Arc<Mutex<BTreeMap<i64, DateTime<Utc>>>> = Arc::default();
    let seen = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let seen = seen.clone();
            async move {
                let at = Utc::now();
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
                    if let Some(id) = v["data"]["backupId"].as_i64() {
                        if let Ok(mut m) = seen.lock() {
                            m.insert(id, at);
                        }
                    }
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}/hook"), got))
}

async fn one_run() -> Result<Measured, BoxError> {
    let mut m = Measured::default();
    let c = console().await?;
    let (url, got) = receiver().await?;
    let (status, hook) = c
        .post_json(
            "/api/v1/webhooks",
            &serde_json::json!({"name": "bench", "url": url, "events": ["backup.completed"]})
                .to_string(),
        )
        .await;
    if status != 201 {
        return Err(format!("webhook: {status} {hook}").into());
    }

    // Schedule lateness.
    let (status, s) = c
        .post_json(
            "/api/v1/schedules",
            r#"{"name": "bench", "cron": "*/3 * * * * *"}"#,
        )
        .await;
    if status != 201 {
        return Err(format!("schedule: {status} {s}").into());
    }
    let sid = s["id"].as_i64().ok_or("no id")?;
    let store = c.console.engine.store().clone();
    let deadline = Instant::now() + Duration::from_secs(120);
    let fires = loop {
        let fires = store.fires(sid, 100).await?;
        if fires.iter().filter(|f| f.outcome == "started").count() >= FIRES {
            break fires;
        }
        if Instant::now() > deadline {
            return Err(format!("only {} fires in 2 min", fires.len()).into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    c.send_json(
        reqwest::Method::PATCH,
        &format!("/api/v1/schedules/{sid}"),
        r#"{"enabled": false}"#,
    )
    .await;
    for f in fires.iter().filter(|f| f.outcome == "started").take(FIRES) {
        let Some(id) = f.backup_id else { continue };
        let run = c.wait_terminal(id).await;
        if let (Some(due), Some(created)) =
            (parse(&f.due_at), run["createdAt"].as_str().and_then(parse))
        {
            m.lateness_ms
                .push((created - due).num_microseconds().unwrap_or(0) as f64 / 1000.0);
        }
        if let Some(end) = run["finishedAt"].as_str().and_then(parse) {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let at = got.lock().ok().and_then(|g| g.get(&id).copied());
                if let Some(at) = at {
                    m.alert_ms
                        .push((at - end).num_microseconds().unwrap_or(0) as f64 / 1000.0);
                    break;
                }
                if Instant::now() > deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    // More sets, up to SETS restorable ones.
    let have = FIRES;
    for _ in have..SETS {
        let id = c.start_backup().await;
        c.wait_terminal(id).await;
    }
    // The policy is written directly (saving it through the API would start a pass at once).
    store
        .save_retention_policy(
            "test",
            &RetentionPolicy {
                enabled: true,
                keep_last: 1,
                keep_days: 0,
                keep_daily: 0,
                keep_weekly: 0,
                keep_monthly: 0,
                delete_failed_after_days: None,
            },
            "bench",
            "2026-01-01T00:00:00.000Z",
        )
        .await?;
    c.sim.control().clear_calls();
    let started = Instant::now();
    let report = c
        .console
        .retention
        .pass(&c.console.history_services())
        .await?;
    m.pass_ms = started.elapsed().as_secs_f64() * 1000.0;
    m.deleted = report.deleted.len();
    for call in c.sim.control().calls() {
        let e = m.requests.entry(call.component.clone()).or_default();
        let listing = call.method == "GET"
            && (call.path.ends_with("/backups")
                || call.path.ends_with("/backupRuntime")
                || call.path.ends_with("/backupHistory")
                || (call.path.contains("/_snapshot/") && call.path.ends_with("/_all")));
        if listing {
            e.0 += 1;
        } else if call.method == "DELETE" {
            e.1 += 1;
        } else {
            e.2 += 1;
        }
    }
    c.stop().await;
    Ok(m)
}

fn history(n: usize) -> Vec<SetFacts> {
    let now = Utc::now();
    (0..n)
        .map(|i| SetFacts {
            backup_id: i as i64 + 1,
            verdict: match i % 10 {
                0 => Verdict::Failed,
                1 => Verdict::Partial,
                _ => Verdict::Restorable,
            },
            taken_at: Some(now - chrono::Duration::minutes(((n - i) * 30) as i64)),
            zeebe_own: false,
            pinned_by: (i % 97 == 0).then(|| "admin".into()),
            under_restore: None,
            running: false,
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        runs.push(one_run().await?);
    }
    let sets = history(10_000);
    let policy = RetentionPolicy {
        enabled: true,
        ..RetentionPolicy::default()
    };
    let mut decide_ms = Vec::new();
    let mut deleted = 0;
    for _ in 0..30 {
        let t = Instant::now();
        let p = decide(&sets, &policy, Utc::now(), 24 * 400);
        decide_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        deleted = p.delete.len();
    }

    let all = |f: &dyn Fn(&Measured) -> Vec<f64>| runs.iter().flat_map(f).collect::<Vec<f64>>();
    let mut out = String::new();
    writeln!(
        out,
        "{RUNS} runs; a new simulator (fast timings) and console each."
    )?;
    writeln!(out)?;
    writeln!(out, "| | median (min–max) |")?;
    writeln!(out, "|---|---|")?;
    writeln!(
        out,
        "| schedule: due time → run journaled, ms ({} fires of `*/3 * * * * *`) | {} |",
        runs.iter().map(|r| r.lateness_ms.len()).sum::<usize>(),
        stats::spread(all(&|r| r.lateness_ms.clone()), 1)
    )?;
    writeln!(
        out,
        "| alert: run's end journaled → `backup.completed` at the receiver, ms ({} deliveries) | {} |",
        runs.iter().map(|r| r.alert_ms.len()).sum::<usize>(),
        stats::spread(all(&|r| r.alert_ms.clone()), 1)
    )?;
    writeln!(
        out,
        "| retention pass deleting {} sets (every part), ms | {} |",
        runs.first().map_or(0, |r| r.deleted),
        stats::spread(runs.iter().map(|r| r.pass_ms).collect(), 0)
    )?;
    writeln!(
        out,
        "| retention decision over 10 000 sets ({deleted} to delete), ms (30 rounds) | {} |",
        stats::spread(decide_ms, 2)
    )?;
    writeln!(out)?;
    writeln!(out, "Requests each component received during one pass (the first run; listings, deletions, other):")?;
    writeln!(out)?;
    writeln!(out, "| component | listings | deletions | other |")?;
    writeln!(out, "|---|---|---|---|")?;
    if let Some(r) = runs.first() {
        for (k, (l, d, o)) in &r.requests {
            writeln!(out, "| {k} | {l} | {d} | {o} |")?;
        }
    }
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::create_dir_all(format!("{root}/target/bench"))?;
    std::fs::write(format!("{root}/target/bench/automation.md"), &out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())?;
    Ok(())
}
