//! Benchmark suite, cluster part (issue 11): the console and a community-style curl script
//! (`benches/baseline.sh`, 5 s poll) back up the same simulated cluster with fixed latencies —
//! records snapshot 2 s, every Zeebe partition backup 3 s, web-app parts 100 ms — several
//! times each. From the simulator's call log and snapshot times, per backup:
//!
//! - the exporting-paused window (the pause request's arrival → the resume request's arrival),
//!   over the parallel floor (the longer of the two, 3 s) and over their sum (5 s);
//! - the wall time, and its ratio to the critical path (the web-app backups as the repository
//!   saw them, side by side, then the parallel floor);
//! - the requests each component received, and those inside the window.
//!
//! Writes `target/bench/suite.md` (the figures with median and spread) and
//! `docs/benchmarks/pause-window.svg` (both windows per run); `scripts/bench.sh` puts them into
//! BENCHMARKS.md. It reports; it asserts nothing.
//!
//! Run: `scripts/bench.sh` (or `cargo bench --bench suite --features ssr`).

#[path = "../tests/it/common/mod.rs"]
mod common;
#[path = "support/stats.rs"]
mod stats;

use camunda_backup_console::startup::Application;
use camunda_sim::RecordedCall;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const CONSOLE_RUNS: usize = 5;
const BASELINE_RUNS: usize = 3;
const RECORDS_MS: i64 = 2000;
const ZEEBE_MS: i64 = 3000;
const PART_MS: u64 = 100;

/// One backup as measured.
#[derive(Debug, Default, Clone)]
struct Measured {
    window_ms: i64,
    wall_ms: i64,
    critical_ms: i64,
    requests: BTreeMap<String, usize>,
    in_window: BTreeMap<String, usize>,
}

impl Measured {
    fn total(&self) -> usize {
        self.requests.values().sum()
    }
    fn total_in_window(&self) -> usize {
        self.in_window.values().sum()
    }
}

/// `median (min–max)`: whole numbers where every value is one, else two decimals.
fn spread(v: Vec<f64>) -> String {
    let whole = v.iter().all(|x| x.fract() == 0.0);
    stats::spread(v, if whole { 0 } else { 2 })
}

fn component(c: &RecordedCall) -> String {
    if c.component.starts_with("broker") {
        "broker".into()
    } else {
        c.component.clone()
    }
}

/// The backup's calls (the overview's probes are not the backup's load).
fn backup_calls(calls: Vec<RecordedCall>) -> Vec<RecordedCall> {
    calls
        .into_iter()
        .filter(|c| {
            !matches!(
                c.operation.as_str(),
                "info" | "health" | "root" | "verify_repository" | "cat_indices"
            )
        })
        .collect()
}

/// Window, per-component counts and the critical path of backup `id` from the simulator.
async fn measure(
    sim: &camunda_sim::RunningSimulator,
    id: i64,
    wall_ms: i64,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let calls = backup_calls(sim.control().calls());
    let at = |op: &str| {
        calls
            .iter()
            .find(|c| c.component == "zeebe" && c.operation == op)
            .map(|c| c.at)
            .ok_or(format!("no {op} call"))
    };
    let (pause, resume) = (at("pause")?, at("resume")?);
    let mut m = Measured {
        window_ms: (resume - pause).num_milliseconds(),
        wall_ms,
        ..Measured::default()
    };
    for c in &calls {
        *m.requests.entry(component(c)).or_default() += 1;
        if c.at >= pause && c.at <= resume {
            *m.in_window.entry(component(c)).or_default() += 1;
        }
    }
    // The web-app backups as the repository saw them: first part's start → last part's end.
    let es = &sim.urls().elasticsearch;
    let all: serde_json::Value = reqwest::get(format!("{es}/_snapshot/camunda/_all"))
        .await?
        .json()
        .await?;
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for s in all["snapshots"].as_array().into_iter().flatten() {
        let name = s["snapshot"].as_str().unwrap_or_default();
        let webapp = ["camunda_operate_", "camunda_tasklist_", "camunda_optimize_"]
            .iter()
            .any(|p| name.starts_with(&format!("{p}{id}_")));
        if webapp {
            first = first.min(s["start_time_in_millis"].as_i64().unwrap_or(i64::MAX));
            last = last.max(s["end_time_in_millis"].as_i64().unwrap_or(i64::MIN));
        }
    }
    let webapps = if last >= first { last - first } else { 0 };
    m.critical_ms = webapps + RECORDS_MS.max(ZEEBE_MS);
    Ok(m)
}

/// The console's backups through its REST API.
async fn console_runs(
    sim: &camunda_sim::RunningSimulator,
) -> Result<Vec<Measured>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    // Probe, refresh the history and time out as a deployed console does (the defaults), not
    // as the tests do: the background reads are part of the load it puts on the cluster.
    let settings = common::deployed_settings_for(sim.urls(), &database_url);
    let app = Application::build(settings, common::leptos_options()).await?;
    let base = format!("http://{}", app.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let http = common::client();
    let mut out = Vec::new();
    for _ in 0..CONSOLE_RUNS {
        sim.control().clear_calls();
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
        let time = |k: &str| {
            run[k]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .ok_or(format!("no {k}"))
        };
        let wall = (time("finishedAt")? - time("createdAt")?).num_milliseconds();
        out.push(measure(sim, id, wall).await?);
    }
    // Stopped before the curl script runs: its counts are the script's alone.
    let _ = stop.send(());
    let _ = server.await;
    Ok(out)
}

/// The curl script's backups, with ids above every earlier one.
async fn baseline_runs(
    sim: &camunda_sim::RunningSimulator,
    mut next_id: i64,
) -> Result<Vec<Measured>, Box<dyn std::error::Error>> {
    let u = sim.urls();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/baseline.sh");
    let mut out = Vec::new();
    for _ in 0..BASELINE_RUNS {
        next_id += 1;
        sim.control().clear_calls();
        let started = Instant::now();
        let status = tokio::process::Command::new("bash")
            .arg(script)
            .arg(next_id.to_string())
            .env("ZEEBE", &u.zeebe_gateway)
            .env("OPERATE", &u.operate)
            .env("TASKLIST", &u.tasklist)
            .env("OPTIMIZE", &u.optimize)
            .env("ES", &u.elasticsearch)
            .env("REPO", "camunda")
            .status()
            .await?;
        if !status.success() {
            return Err(format!("baseline.sh failed for backup {next_id}: {status}").into());
        }
        let wall = i64::try_from(started.elapsed().as_millis())?;
        out.push(measure(sim, next_id, wall).await?);
    }
    Ok(out)
}

/// Both windows per run as bars, with the parallel floor and the sum as lines.
fn svg(console: &[Measured], baseline: &[Measured]) -> String {
    let (w, h, left, bottom, top) = (720.0_f64, 360.0_f64, 70.0, 40.0, 40.0);
    let max = console
        .iter()
        .chain(baseline)
        .map(|m| m.window_ms)
        .max()
        .unwrap_or(1)
        .max(ZEEBE_MS + RECORDS_MS) as f64
        * 1.1;
    let y = |ms: f64| top + (h - top - bottom) * (1.0 - ms / max);
    let bars: Vec<(String, i64, &str)> = console
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("console {}", i + 1), m.window_ms, "#2b6cb0"))
        .chain(
            baseline
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("curl {}", i + 1), m.window_ms, "#a0aec0")),
        )
        .collect();
    let slot = (w - left - 20.0) / bars.len().max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"14\">Exporting paused per backup (ms): console vs curl script with a 5 s poll</text>\n"
    );
    for ms in [0, 1000, 2000, 3000, 4000, 5000, 6000, 8000, 10000] {
        if f64::from(ms) > max {
            break;
        }
        let yy = y(f64::from(ms));
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#edf2f7\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{ms}</text>",
            w - 20.0,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, (label, ms, colour)) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.15;
        let bw = slot * 0.7;
        let yy = y(*ms as f64);
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{yy:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{ms}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            y(0.0) - yy,
            x + bw / 2.0,
            yy - 4.0,
            x + bw / 2.0,
            h - bottom + 16.0
        );
    }
    for (ms, words, colour) in [
        (ZEEBE_MS, "parallel floor 3000", "#c53030"),
        (ZEEBE_MS + RECORDS_MS, "sum 5000", "#dd6b20"),
    ] {
        let yy = y(ms as f64);
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"{colour}\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{colour}\">{words}</text>",
            w - 20.0,
            w - 22.0,
            yy - 4.0
        );
    }
    s.push_str("</svg>\n");
    s
}

fn counts(ms: &[Measured], f: impl Fn(&Measured) -> &BTreeMap<String, usize>) -> String {
    let mut names: Vec<String> = ms.iter().flat_map(|m| f(m).keys().cloned()).collect();
    names.sort();
    names.dedup();
    names
        .iter()
        .map(|n| {
            let v: Vec<f64> = ms
                .iter()
                .map(|m| f(m).get(n).copied().unwrap_or(0) as f64)
                .collect();
            format!("{n} {}", spread(v))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One figure of a backup.
type Figure<'a> = &'a dyn Fn(&Measured) -> f64;

fn report(console: &[Measured], baseline: &[Measured]) -> String {
    let col = |ms: &[Measured], f: Figure| spread(ms.iter().map(f).collect());
    let rows: [(&str, Figure); 7] = [
        ("exporting paused (ms)", &|m| m.window_ms as f64),
        ("over the parallel floor, 3 000 ms (ms)", &|m| {
            (m.window_ms - ZEEBE_MS) as f64
        }),
        ("over the sum, 5 000 ms (ms)", &|m| {
            (m.window_ms - ZEEBE_MS - RECORDS_MS) as f64
        }),
        ("wall time (ms)", &|m| m.wall_ms as f64),
        ("wall time ÷ critical path", &|m| {
            m.wall_ms as f64 / m.critical_ms.max(1) as f64
        }),
        ("requests per backup", &|m| m.total() as f64),
        ("requests inside the window", &|m| {
            m.total_in_window() as f64
        }),
    ];
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Set-up: the simulator (Camunda 8.7.3 profile: 3 brokers × 3 partitions) on loopback; records snapshot {RECORDS_MS} ms, every Zeebe partition backup {ZEEBE_MS} ms, web-app snapshot parts {PART_MS} ms (Operate and Tasklist 6 parts, Optimize 2); the console with a SQLite file journal and its default settings (timeouts, the overview's probe, the history's refresh every 30 s: the history's list reads during a backup count as its load, the probe's health and version reads do not), {CONSOLE_RUNS} backups one after another through `POST /api/v1/backups`; then, with the console stopped, `benches/baseline.sh` ({BASELINE_RUNS} backups: curl, the documented order, a fixed 5 s poll) on the same simulator. Figures are `median (min–max)`; windows and counts from the simulator's call log, the critical path from the repository's snapshot times (web-app backups side by side) plus the parallel floor.\n"
    );
    let _ = writeln!(s, "| | console | curl, 5 s poll |\n|---|---|---|");
    for (name, f) in rows {
        let _ = writeln!(s, "| {name} | {} | {} |", col(console, f), col(baseline, f));
    }
    let _ = writeln!(
        s,
        "\nRequests per backup, by component — console: {}; curl: {}.\n\nInside the window, by component — console: {}; curl: {}.\n",
        counts(console, |m| &m.requests),
        counts(baseline, |m| &m.requests),
        counts(console, |m| &m.in_window),
        counts(baseline, |m| &m.in_window),
    );
    let _ = writeln!(s, "Every run (window ms / wall ms / critical path ms):\n");
    for (who, ms) in [("console", console), ("curl", baseline)] {
        let line: Vec<String> = ms
            .iter()
            .map(|m| format!("{}/{}/{}", m.window_ms, m.wall_ms, m.critical_ms))
            .collect();
        let _ = writeln!(s, "- {who}: {}", line.join(", "));
    }
    s.push_str("\n![Exporting paused per backup: console and curl script](docs/benchmarks/pause-window.svg)\n");
    s
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = camunda_sim::SimConfig::default();
    config.timing.es_snapshot_ms = RECORDS_MS as u64;
    config.timing.zeebe_partition_backup_ms = ZEEBE_MS as u64;
    config.timing.webapp_part_ms = PART_MS;
    config.timing.webapp_part_gap_ms = 10;
    config.timing.optimize_part_ms = PART_MS;
    let sim = camunda_sim::start(config).await?;
    let console = console_runs(&sim).await?;
    let latest = sim.control().snapshot_state()["zeebe"]["latest_backup_id"]
        .as_i64()
        .ok_or("no latest id")?;
    let baseline = baseline_runs(&sim, latest).await?;
    sim.shutdown().await;

    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::create_dir_all(format!("{root}/target/bench"))?;
    std::fs::create_dir_all(format!("{root}/docs/benchmarks"))?;
    std::fs::write(
        format!("{root}/docs/benchmarks/pause-window.svg"),
        svg(&console, &baseline),
    )?;
    let text = report(&console, &baseline);
    std::fs::write(format!("{root}/target/bench/suite.md"), &text)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(())
}
