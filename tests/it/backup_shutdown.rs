//! SIGTERM / SIGINT during a run, and a panic inside a run: the run stops at its next safe
//! point, exporting is resumed and confirmed, the end is journaled, the process exits within
//! its grace period, and (after a panic) the next backup can start.

use crate::common;

use camunda_backup_console::domain::StepKey;
use camunda_backup_console::engine::StepHook;
use common::{
    assert_exporting, fast_sim, leader_phases, settings_for, start_hooked, start_with, step,
};
use std::sync::Arc;
use std::time::Duration;

fn file_db(dir: &tempfile::TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    )
}

/// Shuts the console down while `step_key` runs; checks exit time, exporting and the
/// journaled end, and returns the run as a restarted console shows it.
async fn shutdown_during(
    step_key: &str,
    slow: impl FnOnce(&mut camunda_sim::SimConfig),
) -> serde_json::Value {
    let mut config = fast_sim();
    slow(&mut config);
    let sim = camunda_sim::start(config).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let settings = settings_for(sim.urls(), &file_db(&dir));
    let console = start_with(sim, settings.clone()).await;
    let id = console.start_backup().await;
    console.wait_step(id, step_key, "running").await;

    let (sim, took) = console.shut_down().await;
    assert!(took < Duration::from_secs(15), "shutdown took {took:?}");
    let phases = leader_phases(sim.urls()).await;
    assert!(phases.iter().all(|p| p == "EXPORTING"), "{phases:?}");
    assert_eq!(sim.control().hard_over_soft_violations(), 0);

    // The end was journaled before the exit: a new console finds nothing to recover.
    let console = start_with(sim, settings).await;
    let (_, run) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_ne!(run["state"], "running", "{run}");
    if run["pause"]["requestedAt"].is_string() {
        assert_eq!(
            step(&run, "resume_exporting").map(|s| s["state"].clone()),
            Some("completed".into()),
            "{run}"
        );
    }
    assert_exporting(&console.sim).await;
    console.stop().await;
    run
}

fn latency(op: &'static str) -> impl FnOnce(&mut camunda_sim::SimConfig) {
    move |c| {
        c.latency.operations.insert(op.to_owned(), 1500);
    }
}

fn assert_stopped_by_shutdown(run: &serde_json::Value) {
    assert_eq!(run["state"], "cancelled", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(error.contains("shutting down"), "{run}");
}

macro_rules! shutdown_at {
    ($name:ident, $step:literal, $slow:expr) => {
        #[tokio::test]
        async fn $name() {
            assert_stopped_by_shutdown(&shutdown_during($step, $slow).await);
        }
    };
}

shutdown_at!(
    sigterm_in_the_preflight_stops_the_run,
    "preflight",
    latency("elasticsearch.get_repository")
);
shutdown_at!(
    sigterm_while_triggering_operate_stops_the_run,
    "trigger_operate",
    latency("operate.take_backup")
);
shutdown_at!(
    sigterm_while_waiting_for_operate_stops_the_run,
    "wait_operate",
    |c: &mut camunda_sim::SimConfig| c.timing.webapp_part_ms = 800
);
shutdown_at!(
    sigterm_while_pausing_stops_and_resumes,
    "pause_exporting",
    latency("zeebe.pause")
);
shutdown_at!(
    sigterm_while_requesting_the_records_snapshot_stops_and_resumes,
    "snapshot_records",
    latency("elasticsearch.create_snapshot")
);
shutdown_at!(
    sigterm_while_triggering_zeebe_stops_and_resumes,
    "trigger_zeebe",
    latency("zeebe.take_backup")
);
shutdown_at!(
    sigterm_while_waiting_for_the_records_snapshot_stops_and_resumes,
    "wait_records_snapshot",
    |c: &mut camunda_sim::SimConfig| c.timing.es_snapshot_ms = 5000
);
shutdown_at!(
    sigterm_while_waiting_for_zeebe_stops_and_resumes,
    "wait_zeebe",
    |c: &mut camunda_sim::SimConfig| c.timing.zeebe_partition_backup_ms = 5000
);

#[tokio::test]
async fn sigterm_while_resuming_lets_the_resume_finish_and_the_set_complete() {
    let run = shutdown_during("resume_exporting", latency("zeebe.resume")).await;
    assert_eq!(run["state"], "completed", "{run}");
}

/// The real binary, a real SIGTERM, in the middle of the pause window.
#[tokio::test]
async fn a_real_sigterm_to_the_process_resumes_exporting_and_journals_the_end() {
    use std::io::{BufRead, BufReader};
    let mut config = fast_sim();
    config.timing.zeebe_partition_backup_ms = 5000;
    let sim = camunda_sim::start(config).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let u = sim.urls();
    let config_file = dir.path().join("console.toml");
    let brokers = u
        .zeebe_brokers
        .iter()
        .map(|b| format!("\"{b}\""))
        .collect::<Vec<_>>()
        .join(", ");
    std::fs::write(
        &config_file,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{db}\"\nshutdown_grace_secs = 20\n[cluster]\nname = \"sigterm\"\nzeebe_management_url = \"{z}\"\nzeebe_broker_management_urls = [{brokers}]\noperate_management_url = \"{o}\"\ntasklist_management_url = \"{t}\"\noptimize_management_url = \"{op}\"\nelasticsearch_url = \"{es}\"\n[[auth.api_tokens]]\nname = \"admin-token\"\nrole = \"admin\"\ntoken_sha256 = \"{token}\"\n",
            token = camunda_backup_console::auth::sha256_hex(common::ADMIN_TOKEN),
            db = file_db(&dir),
            z = u.zeebe_gateway,
            o = u.operate,
            t = u.tasklist,
            op = u.optimize,
            es = u.elasticsearch
        ),
    )
    .expect("config");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_camunda-backup-console"))
        .arg("--config")
        .arg(&config_file)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("console binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent {
                if let Some(rest) = line.split("console listening on http://").nth(1) {
                    let _ = addr_tx.send(rest.trim().to_owned());
                    sent = true;
                }
            }
        }
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("console listens");
    let http = common::client();
    let started: serde_json::Value = http
        .post(format!("http://{addr}/api/v1/backups"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let id = started["backupId"].as_i64().expect("id");
    common::eventually("wait_zeebe running", Duration::from_secs(30), || async {
        let run: serde_json::Value = http
            .get(format!("http://{addr}/api/v1/backups/{id}"))
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (step(&run, "wait_zeebe")?["state"] == "running").then_some(())
    })
    .await;
    assert!(leader_phases(sim.urls())
        .await
        .iter()
        .all(|p| p == "SOFT_PAUSED"));

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let sent_at = std::time::Instant::now();
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "exit status {status:?}");
    assert!(
        sent_at.elapsed() < Duration::from_secs(20),
        "exit took {:?}",
        sent_at.elapsed()
    );
    let phases = leader_phases(sim.urls()).await;
    assert!(phases.iter().all(|p| p == "EXPORTING"), "{phases:?}");

    let settings = settings_for(sim.urls(), &file_db(&dir));
    let console = start_with(sim, settings).await;
    let (_, run) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_stopped_by_shutdown(&run);
    console.stop().await;
}

fn panic_at(key: StepKey) -> StepHook {
    Arc::new(move |k| {
        if k == key {
            panic!("injected panic at {}", k.as_str());
        }
    })
}

#[tokio::test]
async fn a_panic_in_a_run_fails_it_resumes_exporting_and_frees_the_slot() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let settings = settings_for(sim.urls(), "sqlite::memory:");
    let console = start_hooked(sim, settings, Some(panic_at(StepKey::PauseExporting))).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("internal error") && error.contains("injected panic"),
        "{run}"
    );
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    // The slot is free: the next start is accepted (its run panics the same way).
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{body}");
    console.stop().await;
}

#[tokio::test]
async fn a_panic_after_zeebe_was_triggered_still_finds_the_set_complete() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let settings = settings_for(sim.urls(), "sqlite::memory:");
    let console = start_hooked(sim, settings, Some(panic_at(StepKey::WaitZeebe))).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let next = run["nextAction"].as_str().unwrap_or_default();
    assert!(
        next.contains("internal error") && next.contains("the set is complete"),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}
