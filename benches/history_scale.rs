//! Benchmark: the backup history with 10 000 sets — the server's own cost of one page.
//!
//! Release build. The cluster's lists are synthetic but shaped as the components answer
//! (Zeebe 3 partitions, Operate and Tasklist 6 parts, Optimize 2, one records snapshot: 150 000
//! snapshots in the repository); the journal is a real SQLite file with 10 000 runs.
//!
//! In-process, each 30 times: the journal's first read of its runs (once per process); the full
//! merge (once per cluster read, in the background refresher); the patch after a run started
//! (what a request pays after the journal changed); cutting a page from the kept rows (what every
//! other request pays).
//!
//! Over HTTP, each 30 times, against the real console (router, server functions, SSR) started
//! on a free port with the synthetic reads published into its history: `GET /api/v1/backups`
//! (first page and `verdict=failed`), the same right after a run started, and the server-rendered
//! history page `GET /backups`. The components' own list calls are not included: they run in
//! the background. Results: BENCHMARKS.md.
//!
//! Run: `cargo bench --bench history_scale --features ssr`

use camunda_backup_console::camunda::types::{BackupInfo, SnapshotInfo, WebAppBackup};
use camunda_backup_console::config::{
    RawApiToken, RawAuth, RawCluster, RawSettings, RawTimeouts, Settings,
};
use camunda_backup_console::domain::{BackupId, PartKey, RunEvent, RunState, RunView};
use camunda_backup_console::history::{
    page, ClusterReads, HistoryProfile, HistoryQuery, Read, View,
};
use camunda_backup_console::startup::Application;
use camunda_backup_console::store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const SETS: i64 = 10_000;
/// The viewer token the bench reads with (pages and the API need a signed-in caller).
const TOKEN: &str = "bench-viewer-token";
const ROUNDS: usize = 30;

fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("fixture")
}

fn fresh<T>(value: T) -> Read<T> {
    Read {
        value: Some(value),
        fresh: true,
        at: Some("2026-11-25T00:00:00.000Z".into()),
        error: None,
    }
}

fn cluster() -> ClusterReads {
    let mut zeebe = Vec::new();
    let mut apps: Vec<(PartKey, Vec<WebAppBackup>)> = vec![
        (PartKey::Operate, vec![]),
        (PartKey::Tasklist, vec![]),
        (PartKey::Optimize, vec![]),
    ];
    let mut snaps = Vec::new();
    for id in 1..=SETS {
        // Every 50th set failed in Zeebe, so the filtered page has something to find.
        let state = if id % 50 == 0 { "FAILED" } else { "COMPLETED" };
        zeebe.push(parse::<BackupInfo>(json!({"backupId": id, "state": state, "details": (1..=3).map(|p| json!({
            "partitionId": p, "state": state, "createdAt": "2026-11-25T00:00:00.000Z", "brokerVersion": "8.7.3"})).collect::<Vec<_>>()})));
        for (key, prefix, parts) in [
            (PartKey::Operate, "camunda_operate_", 6),
            (PartKey::Tasklist, "camunda_tasklist_", 6),
            (PartKey::Optimize, "camunda_optimize_", 2),
        ] {
            let names: Vec<String> = (1..=parts)
                .map(|n| format!("{prefix}{id}_8.7.3_part_{n}_of_{parts}"))
                .collect();
            for n in &names {
                snaps.push(parse::<SnapshotInfo>(json!({"snapshot": n, "state": "SUCCESS", "indices": ["i"], "shards": {"total": 1, "failed": 0, "successful": 1}})));
            }
            let b = parse::<WebAppBackup>(
                json!({"backupId": id, "state": "COMPLETED", "details": names.iter().map(|n| json!({
                "snapshotName": n, "state": "SUCCESS", "startTime": "2026-11-25T00:00:00.000+0000", "failures": []})).collect::<Vec<_>>()}),
            );
            if let Some((_, v)) = apps.iter_mut().find(|(k, _)| *k == key) {
                v.push(b);
            }
        }
        snaps.push(parse::<SnapshotInfo>(
            json!({"snapshot": format!("camunda_zeebe_records_backup_{id}"), "state": "SUCCESS",
            "indices": ["zeebe-record_job"], "shards": {"total": 3, "failed": 0, "successful": 3}}),
        ));
    }
    ClusterReads {
        profile: Default::default(),
        runtime: None,
        zeebe: fresh(zeebe),
        webapps: apps.into_iter().map(|(k, v)| (k, fresh(v))).collect(),
        snapshots: fresh(snaps),
        refreshed_at: None,
    }
}

fn report(out: &mut impl std::io::Write, what: &str, mut ms: Vec<f64>) -> std::io::Result<()> {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    writeln!(
        out,
        "{what:<44} p50 {:>7.2} ms  p99 {:>7.2} ms  (n = {})",
        at(0.5),
        at(0.99),
        ms.len()
    )
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Journals one completed run (two transactions, as a real run's start and end).
async fn journal_run(store: &Store, id: i64) -> Result<(), Box<dyn std::error::Error>> {
    let Some(backup_id) = BackupId::new(id) else {
        return Ok(());
    };
    let plan = camunda_backup_console::profile::profile(Default::default()).backup_plan(true);
    let mut run = RunView::new(backup_id, &plan, true, "2026-11-25T00:00:00.000Z".into());
    let event = RunEvent {
        seq: 1,
        backup_id,
        at: run.created_at.clone(),
        run_state: RunState::Running,
        step: None,
        step_state: None,
        detail: None,
        error: None,
        run: run.clone(),
    };
    store.insert_run(&run, &event).await?;
    run.state = RunState::Completed;
    run.finished_at = Some("2026-11-25T00:00:05.000Z".into());
    store
        .record(
            &run,
            &RunEvent {
                seq: 2,
                run_state: RunState::Completed,
                run: run.clone(),
                ..event
            },
        )
        .await?;
    Ok(())
}

fn settings(sim: &camunda_sim::SimUrls, db: &str) -> Result<Settings, Box<dyn std::error::Error>> {
    Ok(Settings::validate(RawSettings {
        listen: "127.0.0.1:0".into(),
        database_url: db.into(),
        cluster: Some(RawCluster {
            name: "bench".into(),
            zeebe_management_url: sim.zeebe_gateway.clone(),
            zeebe_broker_management_urls: sim.zeebe_brokers.clone(),
            operate_management_url: Some(sim.operate.clone()),
            tasklist_management_url: Some(sim.tasklist.clone()),
            optimize_management_url: Some(sim.optimize.clone()),
            elasticsearch_url: sim.elasticsearch.clone(),
            snapshot_repository: "camunda".into(),
            zeebe_record_prefix: "zeebe-record".into(),
            soft_pause: Some(true),
            ..RawCluster::default()
        }),
        simulate: false,
        admin_password: Some("bench-admin-password".into()),
        admin_password_file: None,
        auth: RawAuth {
            api_tokens: vec![RawApiToken {
                name: "bench".into(),
                role: "viewer".into(),
                token_sha256: camunda_backup_console::auth::sha256_hex(TOKEN),
            }],
            ..RawAuth::default()
        },
        shutdown_grace_secs: 5,
        rpo_objective_hours: 24,
        // The bench publishes its own reads; the refresher must not replace them.
        history_refresh_secs: 3600,
        simulator_state_dir: None,
        simulator_scenario: None,
        probe_interval_secs: 60,
        request_timeout_secs: 5,
        watchdog_resume: false,
        timeouts: RawTimeouts::default(),
        ..RawSettings::default()
    })?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let sim = camunda_sim::start(camunda_sim::SimConfig::default()).await?;
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("camunda-backup-console")
        .site_root("target/site")
        .build();
    let app = Application::build(settings(sim.urls(), &db)?, options).await?;
    let base = format!("http://{}", app.local_addr()?);
    let console = app.state().console.clone();
    let store = console.engine.store().clone();
    for id in 1..=SETS {
        journal_run(&store, id).await?;
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let cluster = Arc::new(cluster());
    let profile = HistoryProfile::legacy();
    let first = HistoryQuery::parse(None, None, None, None, None)?;
    let failed = HistoryQuery::parse(None, None, Some("failed"), None, None)?;
    let mut out = std::io::stdout().lock();
    use std::io::Write;

    // In-process.
    let (mut journal, mut build, mut patch, mut kept_first, mut kept_failed) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut last = (0, 0);
    for round in 0..ROUNDS {
        let t = Instant::now();
        let briefs = store.briefs().await?;
        journal.push(ms_since(t));
        let runs: camunda_backup_console::store::BriefMap =
            Arc::new(briefs.into_iter().map(|b| (b.backup_id.get(), b)).collect());
        let t = Instant::now();
        let view = View::build(cluster.clone(), runs.clone(), 0, &profile);
        build.push(ms_since(t));
        // A run starts: one brief more.
        let mut started = (*runs).clone();
        if let Some(mut b) = runs.values().next_back().cloned() {
            let id = SETS + 1 + round as i64;
            if let Some(bid) = BackupId::new(id) {
                b.backup_id = bid;
                b.state = RunState::Running;
                started.insert(id, b);
            }
        }
        let started = Arc::new(started);
        let t = Instant::now();
        let patched = view.with_runs(started, 1, &profile);
        let _ = page(&patched.rows, &first, 24);
        patch.push(ms_since(t));
        let t = Instant::now();
        let p = page(&view.rows, &first, 24);
        kept_first.push(ms_since(t));
        let t = Instant::now();
        let f = page(&view.rows, &failed, 24);
        kept_failed.push(ms_since(t));
        last = (p.summary.total, f.items.len());
    }
    writeln!(
        out,
        "{SETS} sets ({} snapshots), {} rows merged, failed page {} rows",
        cluster.snapshots.value.as_ref().map_or(0, Vec::len),
        last.0,
        last.1
    )?;
    writeln!(out, "in-process:")?;
    report(&mut out, "journal: first read of 10 000 runs", journal)?;
    report(&mut out, "full merge (background, per cluster read)", build)?;
    report(&mut out, "patch after a run started + first page", patch)?;
    report(&mut out, "kept rows: first page (50 rows)", kept_first)?;
    report(&mut out, "kept rows: filtered page (failed)", kept_failed)?;

    // Over HTTP, against the real console.
    console
        .history
        .publish(ClusterReads::clone(&cluster), &store)
        .await;
    let mut auth = reqwest::header::HeaderMap::new();
    auth.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {TOKEN}").parse()?,
    );
    let client = reqwest::Client::builder().default_headers(auth).build()?;
    let get = |path: &str| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        async move {
            let t = Instant::now();
            let r = client.get(url).send().await?;
            let status = r.status();
            let body = r.bytes().await?;
            if !status.is_success() {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&body)).into());
            }
            Ok::<_, Box<dyn std::error::Error>>((ms_since(t), body.len()))
        }
    };
    // Warm-up: connections, first render.
    get("/api/v1/backups?limit=50").await?;
    get("/backups").await?;
    let (mut api_first, mut api_failed, mut api_after_run, mut ssr) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut sizes = (0, 0);
    for round in 0..ROUNDS {
        api_first.push(get("/api/v1/backups?limit=50").await?.0);
        api_failed.push(get("/api/v1/backups?limit=50&verdict=failed").await?.0);
        journal_run(&store, SETS + 100 + round as i64).await?;
        api_after_run.push(get("/api/v1/backups?limit=50").await?.0);
        let (ms, bytes) = get("/backups").await?;
        ssr.push(ms);
        sizes = (get("/api/v1/backups?limit=50").await?.1, bytes);
    }
    writeln!(
        out,
        "over HTTP (API page {} bytes, rendered page {} bytes):",
        sizes.0, sizes.1
    )?;
    report(&mut out, "GET /api/v1/backups?limit=50", api_first)?;
    report(&mut out, "GET /api/v1/backups?verdict=failed", api_failed)?;
    report(
        &mut out,
        "GET /api/v1/backups after a run was journaled",
        api_after_run,
    )?;
    report(&mut out, "GET /backups (server-rendered page)", ssr)?;
    drop(out);
    let _ = stop.send(());
    server.await??;
    sim.shutdown().await;
    Ok(())
}
