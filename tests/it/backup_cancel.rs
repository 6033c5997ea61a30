//! Cancel at step boundaries: before and inside the pause window the run ends `cancelled`,
//! exporting is running, and what was left in the components is listed.

use crate::common;

use common::{assert_exporting, fast_sim, start, step};

async fn cancel_during(
    step_key: &str,
    slow: impl FnOnce(&mut camunda_sim::SimConfig),
) -> serde_json::Value {
    let mut config = fast_sim();
    slow(&mut config);
    let console = start(config).await;
    let id = console.start_backup().await;
    console.wait_step(id, step_key, "running").await;
    let (status, body) = console
        .post_json(&format!("/api/v1/backups/{id}/cancel"), "")
        .await;
    assert_eq!(status, 202, "{body}");
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "cancelled", "{run}");
    assert_eq!(
        step(&run, step_key).map(|s| s["state"].clone()),
        Some("cancelled".into()),
        "{run}"
    );
    assert_exporting(&console.sim).await;
    // A second cancel is refused: the run is over.
    let (status, _) = console
        .post_json(&format!("/api/v1/backups/{id}/cancel"), "")
        .await;
    assert_eq!(status, 409);
    console.stop().await;
    run
}

#[tokio::test]
async fn cancel_while_the_web_apps_back_up_stops_before_the_pause() {
    let run = cancel_during("wait_operate", |c| c.timing.webapp_part_ms = 400).await;
    assert_eq!(
        step(&run, "pause_exporting").map(|s| s["state"].clone()),
        Some("cancelled".into())
    );
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("cancelled".into())
    );
    let left = run["leftBehind"].to_string();
    assert!(
        left.contains("Operate backup") && left.contains("Tasklist backup"),
        "{left}"
    );
}

#[tokio::test]
async fn cancel_inside_the_pause_window_resumes_exporting() {
    let run = cancel_during("wait_zeebe", |c| c.timing.zeebe_partition_backup_ms = 3000).await;
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
    let left = run["leftBehind"].to_string();
    assert!(
        left.contains("camunda_zeebe_records_backup_") && left.contains("Zeebe backup"),
        "{left}"
    );
}

#[tokio::test]
async fn cancel_during_the_records_snapshot_resumes_exporting() {
    cancel_during("wait_records_snapshot", |c| c.timing.es_snapshot_ms = 3000).await;
}

/// Cancel while a step's call is in flight: the call finishes, the next safe point stops the
/// run — the end of a one-call step (`completed`), or the next read of a step that reads
/// several times (`cancelled`: pre-flight, the records snapshot's start check) — no later step
/// starts, and exporting is running.
async fn cancel_at_boundary_after(step_key: &str, op: &str, step_ends: &str) {
    let mut config = fast_sim();
    config.latency.operations.insert(op.to_owned(), 1000);
    let console = start(config).await;
    let id = console.start_backup().await;
    console.wait_step(id, step_key, "running").await;
    let (status, _) = console
        .post_json(&format!("/api/v1/backups/{id}/cancel"), "")
        .await;
    assert_eq!(status, 202);
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "cancelled", "{run}");
    let steps = run["steps"].as_array().cloned().unwrap_or_default();
    let at = steps
        .iter()
        .position(|s| s["key"] == step_key)
        .expect("step");
    assert_eq!(steps[at]["state"], step_ends, "{run}");
    for later in &steps[at + 1..] {
        if later["key"] == "resume_exporting" {
            continue;
        }
        assert_eq!(later["state"], "cancelled", "{run}");
    }
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn cancel_during_the_preflight_changes_nothing() {
    cancel_at_boundary_after("preflight", "elasticsearch.get_repository", "cancelled").await;
}

#[tokio::test]
async fn cancel_after_triggering_operate_stops_before_tasklist() {
    cancel_at_boundary_after("trigger_operate", "operate.take_backup", "completed").await;
}

#[tokio::test]
async fn cancel_after_the_pause_resumes_exporting() {
    cancel_at_boundary_after("pause_exporting", "zeebe.pause", "completed").await;
}

#[tokio::test]
async fn cancel_while_the_records_snapshot_starts_resumes_exporting() {
    cancel_at_boundary_after(
        "snapshot_records",
        "elasticsearch.create_snapshot",
        "cancelled",
    )
    .await;
}

#[tokio::test]
async fn cancel_after_triggering_zeebe_resumes_exporting() {
    cancel_at_boundary_after("trigger_zeebe", "zeebe.take_backup", "completed").await;
}

#[tokio::test]
async fn cancel_while_only_the_records_snapshot_is_awaited_takes_effect_at_once() {
    let mut config = fast_sim();
    config.timing.es_snapshot_ms = 20_000;
    let console = start(config).await;
    let id = console.start_backup().await;
    console.wait_step(id, "wait_zeebe", "completed").await;
    let asked = std::time::Instant::now();
    let (status, _) = console
        .post_json(&format!("/api/v1/backups/{id}/cancel"), "")
        .await;
    assert_eq!(status, 202);
    let run = console.wait_terminal(id).await;
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(run["state"], "cancelled", "{run}");
    assert_eq!(
        step(&run, "wait_records_snapshot").map(|s| s["state"].clone()),
        Some("cancelled".into())
    );
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into())
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}
