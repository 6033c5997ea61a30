//! Cancel at step boundaries: before and inside the pause window the run ends `cancelled`,
//! exporting is running, and what was left in the components is listed.
#![cfg(feature = "ssr")]

mod common;

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
