//! Benchmark: the backup history with 10 000 sets — the server's own cost of one page.
//!
//! In-process, release build. The cluster's lists are synthetic but shaped as the components
//! answer (Zeebe 3 partitions, Operate and Tasklist 6 parts, Optimize 2, one records snapshot:
//! 150 000 snapshots in the repository), the journal is a real SQLite file with 10 000 runs.
//! Measured, each 30 times: reading the journal's runs (`Store::briefs`); merging + paging the
//! first page (50 rows) and a filtered page (`verdict=failed`) — what a request pays after the
//! journal was written or the cluster re-read; and paging rows merged earlier — what every
//! other request pays (the history memoises the merge per journal version and cluster read).
//! The cluster's lists are read in the background, so a page never includes their HTTP time.
//! Results: BENCHMARKS.md.
//!
//! Run: `cargo bench --bench history_scale --features ssr`

use camunda_backup_console::camunda::types::{BackupInfo, SnapshotInfo, WebAppBackup};
use camunda_backup_console::domain::{backup_plan, BackupId, PartKey, RunEvent, RunState, RunView};
use camunda_backup_console::history::{
    merge, page, ClusterReads, HistoryProfile, HistoryQuery, Read, Sources,
};
use camunda_backup_console::store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const SETS: i64 = 10_000;
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    ))
    .await?;
    let plan = backup_plan(true);
    for id in 1..=SETS {
        let Some(backup_id) = BackupId::new(id) else {
            continue;
        };
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
    }
    let cluster = Arc::new(cluster());
    let profile = HistoryProfile::legacy();
    let first = HistoryQuery::parse(None, None, None, None, None)?;
    let failed = HistoryQuery::parse(None, None, Some("failed"), None, None)?;
    let (mut journal, mut first_page, mut failed_page) = (Vec::new(), Vec::new(), Vec::new());
    let (mut memo_first, mut memo_failed) = (Vec::new(), Vec::new());
    let mut last = (0, 0);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let runs = store.briefs().await?;
        journal.push(t.elapsed().as_secs_f64() * 1000.0);
        let sources = Sources {
            runs,
            cluster: cluster.clone(),
        };
        let t = Instant::now();
        let rows = merge(&sources, &profile);
        let p = page(&rows, &first, 24);
        first_page.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let f = page(&merge(&sources, &profile), &failed, 24);
        failed_page.push(t.elapsed().as_secs_f64() * 1000.0);
        last = (p.summary.total, f.items.len());
        // What every request pays while neither the journal nor the cluster reads changed.
        let t = Instant::now();
        let _ = page(&rows, &first, 24);
        memo_first.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let _ = page(&rows, &failed, 24);
        memo_failed.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    writeln!(
        out,
        "{SETS} sets ({} snapshots), {} rows merged, failed page {} rows",
        cluster.snapshots.value.as_ref().map_or(0, Vec::len),
        last.0,
        last.1
    )?;
    report(&mut out, "journal: read 10 000 runs (briefs)", journal)?;
    report(&mut out, "merge + first page (50 rows)", first_page)?;
    report(
        &mut out,
        "merge + filtered page (verdict=failed)",
        failed_page,
    )?;
    report(&mut out, "memoised rows: first page", memo_first)?;
    report(&mut out, "memoised rows: filtered page", memo_failed)?;
    Ok(())
}
