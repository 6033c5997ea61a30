//! A console killed at any step: a new console on the same journal finds the unfinished run,
//! resumes exporting if the run may have paused it, and tells the truth: the set is complete
//! when every part completed in the cluster (waiting for parts still running there), else the
//! run failed at the step it was in.

use crate::common;

use common::{assert_exporting, eventually, fast_sim, leader_phases, step, Doomed};
use std::net::SocketAddr;
use std::time::Duration;

async fn get(addr: SocketAddr, path: &str) -> Option<serde_json::Value> {
    let r = common::client()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .ok()?;
    r.json().await.ok()
}

/// What the recovered run must say.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Failed,
    Completed,
    /// Completed exactly when the simulator holds a completed Zeebe backup of the id (the kill
    /// races the trigger request).
    AsTheClusterHolds,
}

/// Kills the console while `step_key` runs; returns the recovered run and whether the sim was
/// paused right after the kill.
async fn crash_during(
    step_key: &str,
    slow: impl FnOnce(&mut camunda_sim::SimConfig),
    expect: Expect,
) -> (serde_json::Value, bool) {
    let mut config = fast_sim();
    slow(&mut config);
    let sim = camunda_sim::start(config).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let settings = common::settings_for(sim.urls(), &db);

    let first = Doomed::start(settings.clone());
    let started: serde_json::Value = common::client()
        .post(format!("http://{}/api/v1/backups", first.addr))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let id = started["backupId"].as_i64().expect("id");
    eventually(
        &format!("{step_key} running"),
        Duration::from_secs(30),
        || async {
            let run = get(first.addr, &format!("/api/v1/backups/{id}")).await?;
            (step(&run, step_key)?["state"] == "running").then_some(())
        },
    )
    .await;
    tokio::task::spawn_blocking(move || first.kill())
        .await
        .expect("kill");
    let paused_after_kill = leader_phases(sim.urls())
        .await
        .iter()
        .any(|p| p != "EXPORTING");

    let console = common::start_with(sim, settings).await;
    let run = console.wait_terminal(id).await;
    let expect = match expect {
        Expect::AsTheClusterHolds => {
            let zeebe: serde_json::Value = reqwest::get(format!(
                "{}/actuator/backups/{id}",
                console.sim.urls().zeebe_gateway
            ))
            .await
            .expect("zeebe answers")
            .json()
            .await
            .unwrap_or_default();
            if zeebe["state"] == "COMPLETED" {
                Expect::Completed
            } else {
                Expect::Failed
            }
        }
        e => e,
    };
    let next = run["nextAction"].as_str().unwrap_or("");
    match expect {
        Expect::Completed => {
            assert_eq!(run["state"], "completed", "{run}");
            assert!(next.contains("The console stopped"), "{run}");
            assert!(next.contains("the set is complete"), "{run}");
            assert!(
                run["steps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|s| s["state"] == "completed"),
                "{run}"
            );
        }
        _ => {
            assert_eq!(run["state"], "failed", "{run}");
            assert!(
                run["error"]
                    .as_str()
                    .unwrap_or("")
                    .contains("The console stopped"),
                "{run}"
            );
            assert!(next.contains("must not be restored"), "{run}");
            // The interrupted step is failed; an interrupted resume is completed by recovery.
            let expected = if step_key == "resume_exporting" {
                "completed"
            } else {
                "failed"
            };
            assert_eq!(
                step(&run, step_key).map(|s| s["state"].clone()),
                Some(expected.into()),
                "{run}"
            );
        }
    }
    assert_exporting(&console.sim).await;
    // A new backup (higher id) completes once the components finished the interrupted one's
    // work; until then the pre-flight refuses, naming the backup still in progress.
    let mut attempts = 0;
    loop {
        let next = console.start_backup().await;
        assert!(next > id);
        let run = console.wait_terminal(next).await;
        if run["state"] == "completed" {
            break;
        }
        // Refused before anything changed, naming the backup still running.
        assert_eq!(
            step(&run, "preflight").map(|s| s["state"].clone()),
            Some("failed".into()),
            "{run}"
        );
        let error = run["error"].as_str().unwrap_or("");
        assert!(
            error.contains("IN_PROGRESS") || error.contains("still running"),
            "{run}"
        );
        attempts += 1;
        assert!(attempts < 20, "a new backup never completed");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    console.stop().await;
    (run, paused_after_kill)
}

fn latency(op: &'static str, ms: u64) -> impl FnOnce(&mut camunda_sim::SimConfig) {
    move |c| {
        c.latency.operations.insert(op.to_owned(), ms);
    }
}

#[tokio::test]
async fn a_crash_before_the_pause_fails_the_run_without_touching_exporting() {
    let (run, paused) = crash_during(
        "wait_operate",
        |c| c.timing.webapp_part_ms = 500,
        Expect::Failed,
    )
    .await;
    assert!(!paused);
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("skipped".into())
    );
    assert!(run["error"]
        .as_str()
        .unwrap_or("")
        .contains("had not been paused"));
}

#[tokio::test]
async fn a_crash_during_the_records_snapshot_resumes_then_finds_the_set_complete() {
    // The snapshot goes on in Elasticsearch after the console died; recovery waits for it.
    let (run, paused) = crash_during(
        "wait_records_snapshot",
        |c| c.timing.es_snapshot_ms = 3000,
        Expect::Completed,
    )
    .await;
    assert!(
        paused,
        "the crash left exporting paused, as a real crash would"
    );
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
}

#[tokio::test]
async fn a_crash_during_the_zeebe_backup_resumes_then_finds_the_set_complete() {
    let (run, paused) = crash_during(
        "wait_zeebe",
        |c| c.timing.zeebe_partition_backup_ms = 3000,
        Expect::Completed,
    )
    .await;
    assert!(paused);
    assert!(
        run["nextAction"]
            .as_str()
            .unwrap_or("")
            .contains("Exporting was resumed"),
        "{run}"
    );
}

#[tokio::test]
async fn a_crash_during_a_zeebe_backup_that_fails_leaves_a_failed_set() {
    let (_, paused) = crash_during(
        "wait_zeebe",
        |c| {
            c.timing.zeebe_partition_backup_ms = 3000;
            c.faults.push(
                camunda_sim::Fault::new(
                    "zeebe",
                    "take_backup",
                    camunda_sim::FaultKind::PartitionFailed,
                )
                .times(1),
            );
        },
        Expect::Failed,
    )
    .await;
    assert!(paused);
}

/// The remaining steps, each made slow enough to be killed in by latency on its call.
macro_rules! crash_at {
    ($name:ident, $step:literal, $op:literal) => {
        crash_at!($name, $step, $op, Expect::Failed);
    };
    ($name:ident, $step:literal, $op:literal, $expect:expr) => {
        #[tokio::test]
        async fn $name() {
            crash_during($step, latency($op, 1500), $expect).await;
        }
    };
}

crash_at!(
    a_crash_in_the_preflight_is_recovered,
    "preflight",
    "elasticsearch.get_repository"
);
crash_at!(
    a_crash_while_triggering_optimize_is_recovered,
    "trigger_optimize",
    "optimize.take_backup"
);
crash_at!(
    a_crash_while_triggering_operate_is_recovered,
    "trigger_operate",
    "operate.take_backup"
);
crash_at!(
    a_crash_while_triggering_tasklist_is_recovered,
    "trigger_tasklist",
    "tasklist.take_backup"
);
crash_at!(
    a_crash_while_waiting_for_optimize_is_recovered,
    "wait_optimize",
    "optimize.get_backup"
);
crash_at!(
    a_crash_while_waiting_for_tasklist_is_recovered,
    "wait_tasklist",
    "tasklist.get_backup"
);
crash_at!(
    a_crash_while_pausing_is_recovered_by_resuming,
    "pause_exporting",
    "zeebe.pause"
);
crash_at!(
    a_crash_while_creating_the_records_snapshot_is_recovered,
    "snapshot_records",
    "elasticsearch.create_snapshot"
);
crash_at!(
    a_crash_while_triggering_zeebe_ends_as_the_cluster_holds,
    "trigger_zeebe",
    "zeebe.take_backup",
    Expect::AsTheClusterHolds
);
crash_at!(
    a_crash_while_resuming_after_every_part_completed_leaves_a_complete_set,
    "resume_exporting",
    "zeebe.resume",
    Expect::Completed
);
