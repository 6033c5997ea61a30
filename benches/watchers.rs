//! Benchmark: many admins watching one run. The release console (`target/release/…`, built by
//! `scripts/bench.sh`) runs as its own process on the embedded simulator (slow enough that a
//! run lasts several seconds); 1 000 clients subscribe to one run's server-sent events; for
//! every event journaled after the last one subscribed, each client's delivery latency is its
//! arrival time minus the event's journal time (`at`, milliseconds). The console process's
//! resident memory is sampled meanwhile (`VmRSS`, and `VmHWM` at the end). Three runs.
//!
//! Writes `target/bench/watchers.md`. Reports; asserts nothing.
//!
//! Run: `scripts/bench.sh` (or, after a release build, `cargo bench --bench watchers --features ssr`).

use std::fmt::Write as _;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WATCHERS: usize = 1000;
const RUNS: usize = 3;
const TOKEN: &str = "bench-operator-token-2f8e";

#[path = "support/stats.rs"]
mod stats;

/// `median (min–max)` with one decimal.
fn spread(v: Vec<f64>) -> String {
    stats::spread(v, 1)
}

fn percentile(sorted: &[i64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64
}

/// `VmRSS` / `VmHWM` of a process, in KB.
fn status_kb(pid: u32, key: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The first string value of `"key":"…"` in `json` (top-level keys come first: `seq`,
/// `backupId`, `at`, `runState`).
fn field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":\"");
    let start = json.find(&pattern)? + pattern.len();
    let len = json[start..].find('"')?;
    Some(&json[start..start + len])
}

/// One watcher: reads the stream until the terminal event; records the latency of every event
/// journaled at or after `from_ms`.
async fn watch(
    client: reqwest::Client,
    url: String,
    from_ms: Arc<Mutex<Option<i64>>>,
    latencies: Arc<Mutex<Vec<i64>>>,
    connected: tokio::sync::mpsc::Sender<()>,
) -> Result<bool, reqwest::Error> {
    let mut response = client
        .get(&url)
        .bearer_auth(TOKEN)
        .header("accept", "text/event-stream")
        .send()
        .await?;
    let _ = connected.send(()).await;
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await? {
        let arrived = chrono::Utc::now().timestamp_millis();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let Some(data) = frame
                .lines()
                .find_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
            else {
                continue;
            };
            // Two fields read by hand, not the whole event: a thousand clients parsing every
            // event's full run on the same two cores would measure the clients, not the console.
            let at = field(data, "at")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis());
            let from = from_ms.lock().ok().and_then(|f| *f);
            if let (Some(at), Some(from)) = (at, from) {
                if at >= from {
                    if let Ok(mut l) = latencies.lock() {
                        l.push(arrived - at);
                    }
                }
            }
            let state = field(data, "runState").unwrap_or("running");
            if state != "running" {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

struct RunFigures {
    p50: f64,
    p99: f64,
    max: f64,
    deliveries: usize,
    complete: usize,
    rss_before_kb: u64,
    rss_max_kb: u64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let bin = format!("{root}/target/release/camunda-backup-console");
    if !std::path::Path::new(&bin).exists() {
        return Err(format!(
            "{bin} is missing: run scripts/bench.sh (it builds the release console first)"
        )
        .into());
    }
    let dir = tempfile::tempdir()?;
    let scenario = dir.path().join("scenario.toml");
    std::fs::write(
        &scenario,
        "[timing]\nzeebe_partition_backup_ms = 3000\nwebapp_part_ms = 400\nwebapp_part_gap_ms = 20\noptimize_part_ms = 400\nes_snapshot_ms = 2000\n",
    )?;
    let port = 3311;
    let config = dir.path().join("console.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"sqlite://{db}?mode=rwc\"\nsimulate = true\nsimulator_scenario = \"{scenario}\"\nadmin_password = \"bench-admin-password\"\n\n[auth]\n# One token watches for a thousand clients here.\nstreams_per_caller = 2000\n\n[[auth.api_tokens]]\nname = \"bench\"\nrole = \"operator\"\ntoken_sha256 = \"{hash}\"\n",
            db = dir.path().join("console.db").display(),
            scenario = scenario.display(),
            hash = camunda_backup_console::auth::sha256_hex(TOKEN),
        ),
    )?;
    let mut child = tokio::process::Command::new(&bin)
        .arg("--config")
        .arg(&config)
        .env("LEPTOS_OUTPUT_NAME", "camunda-backup-console")
        .env("LEPTOS_SITE_ROOT", format!("{root}/target/site"))
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("LEPTOS_ENV", "PROD")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("no pid")?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(WATCHERS)
        .build()?;
    while client
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut runs = Vec::new();
    for _ in 0..RUNS {
        // The overview must have probed once before a backup is accepted.
        let mut tries = 0;
        let started = loop {
            tries += 1;
            if tries > 150 {
                return Err("the console did not accept a backup within 30 s".into());
            }
            let r = client
                .post(format!("{base}/api/v1/backups"))
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({}))
                .send()
                .await?;
            if r.status().as_u16() == 202 {
                break r.json::<serde_json::Value>().await?;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let url = format!(
            "{base}{}",
            started["links"]["events"]
                .as_str()
                .ok_or("no events link")?
        );
        let rss_before_kb = status_kb(pid, "VmRSS:").unwrap_or(0);
        let from_ms = Arc::new(Mutex::new(None));
        let latencies = Arc::new(Mutex::new(Vec::new()));
        let (tx, mut rx) = tokio::sync::mpsc::channel(WATCHERS);
        let watchers: Vec<_> = (0..WATCHERS)
            .map(|_| {
                tokio::spawn(watch(
                    client.clone(),
                    url.clone(),
                    from_ms.clone(),
                    latencies.clone(),
                    tx.clone(),
                ))
            })
            .collect();
        drop(tx);
        for _ in 0..WATCHERS {
            if rx.recv().await.is_none() {
                break;
            }
        }
        if let Ok(mut f) = from_ms.lock() {
            *f = Some(chrono::Utc::now().timestamp_millis());
        }
        let sampler = {
            let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = done.clone();
            let handle = tokio::spawn(async move {
                let mut max = 0;
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    max = max.max(status_kb(pid, "VmRSS:").unwrap_or(0));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                max
            });
            (done, handle)
        };
        let mut complete = 0;
        for w in watchers {
            if matches!(w.await, Ok(Ok(true))) {
                complete += 1;
            }
        }
        sampler.0.store(true, std::sync::atomic::Ordering::Relaxed);
        let rss_max_kb = sampler.1.await.unwrap_or(0);
        let mut l = latencies.lock().map(|l| l.clone()).unwrap_or_default();
        l.sort_unstable();
        runs.push(RunFigures {
            p50: percentile(&l, 50.0),
            p99: percentile(&l, 99.0),
            max: l.last().copied().unwrap_or(0) as f64,
            deliveries: l.len(),
            complete,
            rss_before_kb,
            rss_max_kb,
        });
    }
    let hwm = status_kb(pid, "VmHWM:").unwrap_or(0);
    let _ = child.kill().await;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "Set-up: the release console as its own process on the embedded simulator (records snapshot 2 s, Zeebe partition backups 3 s, web-app parts 400 ms); {WATCHERS} clients in another process subscribe to one run's `GET /api/v1/backups/{{id}}/events`; latency = arrival − the event's journal time, for every event journaled after the last client subscribed; {RUNS} runs, one after another on the same console.\n"
    );
    let _ = writeln!(s, "| | median (min–max) over {RUNS} runs |\n|---|---|");
    let rows: [(&str, Vec<f64>); 7] = [
        (
            "delivery latency p50 (ms)",
            runs.iter().map(|r| r.p50).collect(),
        ),
        (
            "delivery latency p99 (ms)",
            runs.iter().map(|r| r.p99).collect(),
        ),
        (
            "delivery latency max (ms)",
            runs.iter().map(|r| r.max).collect(),
        ),
        (
            "deliveries measured per run",
            runs.iter().map(|r| r.deliveries as f64).collect(),
        ),
        (
            "clients that saw the terminal event",
            runs.iter().map(|r| r.complete as f64).collect(),
        ),
        (
            "console RSS before subscribing (MB)",
            runs.iter()
                .map(|r| r.rss_before_kb as f64 / 1024.0)
                .collect(),
        ),
        (
            "console RSS, highest sample while streaming (MB)",
            runs.iter().map(|r| r.rss_max_kb as f64 / 1024.0).collect(),
        ),
    ];
    for (name, v) in rows {
        let _ = writeln!(s, "| {name} | {} |", spread(v));
    }
    let _ = writeln!(
        s,
        "\nPeak RSS of the console process over the whole bench (`VmHWM`, embedded simulator included): {:.1} MB. Targets: p99 < 100 ms, RSS < 150 MB.",
        hwm as f64 / 1024.0
    );
    std::fs::create_dir_all(format!("{root}/target/bench"))?;
    std::fs::write(format!("{root}/target/bench/watchers.md"), &s)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), s.as_bytes())?;
    Ok(())
}
