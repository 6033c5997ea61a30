//! Benchmark: how long exporting stays paused beyond the components' own work.
//!
//! Starts the simulator (records snapshot 300 ms, Zeebe partition backups 500 ms) and a console
//! on loopback, takes `RUNS` backups through the REST API, and reports for each the measured
//! pause window (pause request sent → resume confirmed), the components' own work inside it
//! (ES `duration_in_millis` + Zeebe first `createdAt` → last `lastUpdatedAt`) and the
//! difference: the console's overhead. Target: overhead < 100 ms. Results: BENCHMARKS.md.
//!
//! Run: `cargo bench --bench pause_window --features ssr`

#[path = "../tests/common/mod.rs"]
mod common;

use camunda_backup_console::startup::Application;
use std::io::Write;
use std::time::Duration;

const RUNS: usize = 10;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim_config = camunda_sim::SimConfig::default();
    sim_config.timing.es_snapshot_ms = 300;
    sim_config.timing.zeebe_partition_backup_ms = 500;
    sim_config.timing.webapp_part_ms = 20;
    sim_config.timing.webapp_part_gap_ms = 5;
    sim_config.timing.optimize_part_ms = 20;
    let sim = camunda_sim::start(sim_config).await?;
    let u = sim.urls().clone();
    // A journal file as in production (WAL, synchronous = NORMAL), not an in-memory database.
    let dir = tempfile::tempdir()?;
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let mut settings = common::settings_for(&u, &database_url);
    // Probe as a deployed console would, not as often as the tests do.
    settings.probe_interval = Duration::from_secs(5);
    let app = Application::build(settings, common::leptos_options()).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until(std::future::pending()));
    let http = reqwest::Client::new();
    let mut out = std::io::stdout().lock();
    writeln!(out, "run  window_ms  component_work_ms  overhead_ms")?;
    let mut overheads = Vec::new();
    for i in 0..RUNS {
        let started: serde_json::Value = http
            .post(format!("{base}/api/v1/backups"))
            .json(&serde_json::json!({}))
            .send()
            .await?
            .json()
            .await?;
        let id = started["backupId"].as_i64().ok_or("no backupId")?;
        let run = loop {
            let run: serde_json::Value = http
                .get(format!("{base}/api/v1/backups/{id}"))
                .send()
                .await?
                .json()
                .await?;
            if run["state"] != "running" {
                break run;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        if run["state"] != "completed" {
            return Err(format!("run {id} ended {}: {}", run["state"], run["error"]).into());
        }
        let window = run["pause"]["durationMs"].as_u64().ok_or("no window")?;
        let work = run["pause"]["componentWorkMs"].as_u64().ok_or("no work")?;
        let overhead = window.saturating_sub(work);
        overheads.push(overhead);
        writeln!(out, "{i:>3}  {window:>9}  {work:>17}  {overhead:>11}")?;
    }
    overheads.sort_unstable();
    writeln!(
        out,
        "overhead ms: min {} median {} max {} (target < 100)",
        overheads[0],
        overheads[overheads.len() / 2],
        overheads[overheads.len() - 1]
    )?;
    sim.shutdown().await;
    Ok(())
}
