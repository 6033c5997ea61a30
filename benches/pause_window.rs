//! Benchmark: how long exporting stays paused, against the physical floor, and how much the
//! console loads the cluster meanwhile.
//!
//! The simulator takes 2 s for the records snapshot and 3 s for each Zeebe partition backup
//! (run side by side by the console); a console on loopback takes `RUNS` backups through the
//! REST API. For each, from the simulator's call log: the window as the simulator saw it (the
//! pause request's arrival → the resume request's arrival), that minus the longer of the two
//! parts (the parallel floor) and minus their sum (what the old sequential window had to be at
//! least), and the requests each component received per backup and inside the window. The
//! first backup has no history to learn Zeebe's duration from; later ones do.
//! Results: BENCHMARKS.md.
//!
//! Run: `cargo bench --bench pause_window --features ssr`

#[path = "../tests/it/common/mod.rs"]
mod common;

use camunda_backup_console::startup::Application;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

const RUNS: usize = 6;
const RECORDS_MS: i64 = 2000;
const ZEEBE_MS: i64 = 3000;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sim_config = camunda_sim::SimConfig::default();
    sim_config.timing.es_snapshot_ms = RECORDS_MS as u64;
    sim_config.timing.zeebe_partition_backup_ms = ZEEBE_MS as u64;
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
    // Probe and time out as a deployed console would, not as the tests do.
    settings.probe_interval = Duration::from_secs(5);
    settings.timeouts = camunda_backup_console::config::Settings::validate(
        camunda_backup_console::config::RawSettings::default(),
    )?
    .timeouts;
    let app = Application::build(settings, common::leptos_options()).await?;
    let base = format!("http://{}", app.local_addr()?);
    tokio::spawn(app.run_until(std::future::pending()));
    let http = common::client();
    let control = sim.control();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "run  window_ms  over_longer_ms  over_sum_ms  zeebe_status_in_window  es_in_window  requests_per_backup"
    )?;
    let mut over_longer = Vec::new();
    let mut zeebe_reads = Vec::new();
    for i in 0..RUNS {
        control.clear_calls();
        let started: serde_json::Value = http
            .post(format!("{base}/api/v1/backups"))
            .json(&serde_json::json!({}))
            .send()
            .await?
            .json()
            .await?;
        let id = started["backupId"].as_i64().ok_or("no backupId")?;
        let run = loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let run: serde_json::Value = http
                .get(format!("{base}/api/v1/backups/{id}"))
                .send()
                .await?
                .json()
                .await?;
            if run["state"] != "running" {
                break run;
            }
        };
        if run["state"] != "completed" {
            return Err(format!("run {id} ended {}: {}", run["state"], run["error"]).into());
        }
        // The probes of the overview are not the backup's load.
        let calls: Vec<_> = control
            .calls()
            .into_iter()
            .filter(|c| {
                !matches!(
                    c.operation.as_str(),
                    "info" | "health" | "root" | "verify_repository"
                )
            })
            .collect();
        let at = |op: &str| {
            calls
                .iter()
                .find(|c| c.component == "zeebe" && c.operation == op)
                .map(|c| c.at)
                .ok_or(format!("no {op} call"))
        };
        let (pause, resume) = (at("pause")?, at("resume")?);
        let window = (resume - pause).num_milliseconds();
        let inside = |component: &str, op: &str| {
            calls
                .iter()
                .filter(|c| c.at >= pause && c.at <= resume)
                .filter(|c| c.component.starts_with(component) && (op == "*" || c.operation == op))
                .count()
        };
        let zeebe_status = inside("zeebe", "get_backup");
        let es = inside("elasticsearch", "*");
        let mut per_component: BTreeMap<String, usize> = BTreeMap::new();
        for c in &calls {
            let name = if c.component.starts_with("broker") {
                "broker"
            } else {
                c.component.as_str()
            };
            *per_component.entry(name.to_owned()).or_default() += 1;
        }
        let longer = window - RECORDS_MS.max(ZEEBE_MS);
        let sum = window - (RECORDS_MS + ZEEBE_MS);
        writeln!(
            out,
            "{i:>3}  {window:>9}  {longer:>14}  {sum:>11}  {zeebe_status:>22}  {es:>12}  {per_component:?}"
        )?;
        if i > 0 {
            over_longer.push(longer);
            zeebe_reads.push(zeebe_status);
        }
    }
    over_longer.sort_unstable();
    zeebe_reads.sort_unstable();
    let mid = over_longer.len() / 2;
    writeln!(
        out,
        "with history (runs 1..): over the parallel floor min {} median {} max {} ms (target <= 100); Zeebe status reads in the window min {} median {} max {} (target <= 15)",
        over_longer[0],
        over_longer[mid],
        over_longer[over_longer.len() - 1],
        zeebe_reads[0],
        zeebe_reads[mid],
        zeebe_reads[zeebe_reads.len() - 1]
    )?;
    sim.shutdown().await;
    Ok(())
}
