//! Every fault class of the simulator at every step: each run ends with a truthful state that
//! names the failed step and component, and with exporting resumed.

use crate::common;

use camunda_sim::{Fault, FaultKind};
use common::{assert_exporting, fast_sim, start, step};

/// Starts a backup with `fault` injected and expects step `failed_step` to fail with an error
/// containing `words`; exporting must be running afterwards.
async fn fails_at(fault: Fault, failed_step: &str, words: &str) -> serde_json::Value {
    let console = start(fast_sim()).await;
    console.sim.control().add_fault(fault);
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let s = step(&run, failed_step).unwrap_or_else(|| panic!("no step {failed_step}: {run}"));
    assert_eq!(s["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(error.contains(words), "expected {words:?} in {error:?}");
    assert!(run["nextAction"].is_string(), "{run}");
    // Steps after the failure never ran.
    let keys: Vec<&str> = run["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["key"].as_str())
        .collect();
    let at = keys.iter().position(|k| *k == failed_step).unwrap_or(0);
    for later in &keys[at + 1..] {
        let state = step(&run, later)
            .map(|s| s["state"].clone())
            .unwrap_or_default();
        if *later == "resume_exporting" {
            assert!(
                state == "completed" || state == "skipped",
                "{later}: {state}"
            );
        } else if failed_step == "wait_records_snapshot" && *later == "wait_zeebe" {
            // Awaited side by side: stopped, not skipped, when its partner failed.
            assert_eq!(state, "cancelled", "{later}");
        } else {
            assert_eq!(state, "skipped", "{later}");
        }
    }
    assert_exporting(&console.sim).await;
    console.stop().await;
    run
}

fn status(component: &str, op: &str, code: u16, body: &str) -> Fault {
    Fault::new(component, op, FaultKind::Status).with_status(code, body)
}

#[tokio::test]
async fn a_missing_repository_fails_the_preflight_and_changes_nothing() {
    let run = fails_at(
        status("elasticsearch", "get_repository", 404, r#"{"error":{"root_cause":[],"type":"repository_missing_exception","reason":"[camunda] missing"},"status":404}"#),
        "preflight",
        "does not exist",
    )
    .await;
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("skipped".into())
    );
    assert!(run["leftBehind"].as_array().is_some_and(Vec::is_empty));
}

#[tokio::test]
async fn an_operate_error_on_take_fails_the_trigger_step() {
    fails_at(
        status(
            "operate",
            "take_backup",
            500,
            r#"{"message":"Elasticsearch exploded"}"#,
        ),
        "trigger_operate",
        "Elasticsearch exploded",
    )
    .await;
}

#[tokio::test]
async fn a_stuck_tasklist_queue_fails_the_trigger_with_the_components_words() {
    fails_at(
        Fault::new("tasklist", "take_backup", FaultKind::StuckQueue),
        "trigger_tasklist",
        "Another backup is running at the moment",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_from_optimize_fails_its_wait() {
    fails_at(
        Fault::new("optimize", "get_backup", FaultKind::MalformedJson),
        "wait_optimize",
        "Optimize",
    )
    .await;
}

#[tokio::test]
async fn a_failed_operate_part_fails_the_wait_with_the_snapshot_name() {
    let run = fails_at(
        Fault::new("operate", "take_backup", FaultKind::PartFailed)
            .part(3)
            .state("FAILED"),
        "wait_operate",
        "part_3_of_6",
    )
    .await;
    assert!(!run["leftBehind"]
        .as_array()
        .map(Vec::is_empty)
        .unwrap_or(true));
}

#[tokio::test]
async fn an_incomplete_topology_fails_the_pause_and_exporting_is_still_resumed() {
    fails_at(
        Fault::new("zeebe", "pause", FaultKind::IncompleteTopology),
        "pause_exporting",
        "Expected",
    )
    .await;
}

#[tokio::test]
async fn a_failed_records_snapshot_request_fails_and_resumes() {
    fails_at(
        status(
            "elasticsearch",
            "create_snapshot",
            503,
            r#"{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}"#,
        ),
        "snapshot_records",
        "cluster_block_exception",
    )
    .await;
}

#[tokio::test]
async fn a_partial_records_snapshot_fails_the_wait_and_resumes() {
    fails_at(
        Fault::new(
            "elasticsearch",
            "create_snapshot",
            FaultKind::SnapshotFailed,
        )
        .state("PARTIAL"),
        "wait_records_snapshot",
        "Partial",
    )
    .await;
}

#[tokio::test]
async fn a_zeebe_conflict_fails_the_trigger_and_resumes() {
    fails_at(status("zeebe", "take_backup", 409, r#"{"message":"Requested backup has id 1. The latest backup has id 10. Id of new backups must be higher than the previous one. "}"#), "trigger_zeebe", "The latest backup has id 10").await;
}

#[tokio::test]
async fn a_failed_zeebe_partition_fails_the_wait_and_resumes() {
    fails_at(
        Fault::new("zeebe", "take_backup", FaultKind::PartitionFailed)
            .partition(2)
            .reason("disk full"),
        "wait_zeebe",
        "disk full",
    )
    .await;
}

#[tokio::test]
async fn resuming_is_retried_until_zeebe_accepts_it() {
    let console = start(fast_sim()).await;
    let sim = console.sim.control();
    sim.add_fault(status("zeebe", "take_backup", 500, r#"{"message":"boom"}"#));
    // Resume fails twice with a 500 before it succeeds: the run retries it.
    sim.add_fault(status("zeebe", "resume", 500, r#"{"message":"not now"}"#).times(2));
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
    assert!(
        step(&run, "resume_exporting")
            .and_then(|s| s["detail"].as_str())
            .unwrap_or("")
            .contains("retries"),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn a_hanging_status_poll_is_retried_and_the_backup_completes() {
    let console = start(fast_sim()).await;
    console
        .sim
        .control()
        .add_fault(Fault::new("zeebe", "get_backup", FaultKind::Hang).times(1));
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn legacy_operate_errors_are_understood() {
    let mut config = fast_sim();
    config.webapp_errors = camunda_sim::WebappErrors::Legacy400;
    let console = start(config).await;
    console
        .sim
        .control()
        .add_fault(Fault::new("operate", "take_backup", FaultKind::StuckQueue));
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(
        step(&run, "trigger_operate").map(|s| s["state"].clone()),
        Some("failed".into())
    );
    assert!(run["error"]
        .as_str()
        .unwrap_or("")
        .contains("Another backup is running"));
    console.stop().await;
}

#[tokio::test]
async fn exporting_already_paused_by_someone_else_fails_the_preflight_without_a_second_pause() {
    let console = start(fast_sim()).await;
    let http = common::client();
    let paused = http
        .post(format!(
            "{}/actuator/exporting/pause?soft=true",
            console.sim.urls().zeebe_gateway
        ))
        .send()
        .await
        .expect("pause");
    assert!(paused.status().is_success());
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(
        step(&run, "preflight").map(|s| s["state"].clone()),
        Some("failed".into()),
        "{run}"
    );
    assert!(
        run["error"]
            .as_str()
            .unwrap_or("")
            .contains("already SOFT_PAUSED"),
        "{run}"
    );
    assert!(
        console
            .sim
            .control()
            .calls()
            .iter()
            .all(|c| !c.path.contains("/exporting/")),
        "no pause or resume sent"
    );
    assert_eq!(console.sim.control().hard_over_soft_violations(), 0);
    console.stop().await;
}

#[tokio::test]
async fn operate_refusing_connections_during_its_wait_fails_the_run_before_any_pause() {
    let mut config = fast_sim();
    config.timing.webapp_part_ms = 300;
    let console = start(config).await;
    let id = console.start_backup().await;
    console.wait_step(id, "wait_operate", "running").await;
    console
        .sim
        .control()
        .stop_component(camunda_sim::Component::Operate)
        .await
        .expect("stop operate");
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert_eq!(
        step(&run, "wait_operate").map(|s| s["state"].clone()),
        Some("failed".into()),
        "{run}"
    );
    assert!(
        run["error"].as_str().unwrap_or("").contains("Operate"),
        "{run}"
    );
    assert!(run["pause"]["requestedAt"].is_null(), "{run}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn a_gateway_that_stops_inside_the_window_is_resumed_once_it_is_back() {
    let mut config = fast_sim();
    config.timing.zeebe_partition_backup_ms = 1500;
    let console = start(config).await;
    let id = console.start_backup().await;
    console.wait_step(id, "wait_zeebe", "running").await;
    let control = console.sim.control();
    control
        .stop_component(camunda_sim::Component::ZeebeGateway)
        .await
        .expect("stop gateway");
    // The status polls now fail; the run gives up waiting and keeps retrying the resume.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    control
        .start_component(camunda_sim::Component::ZeebeGateway)
        .await
        .expect("start gateway");
    let run = console.wait_terminal(id).await;
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}
