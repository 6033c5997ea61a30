//! The 8.8+ orchestration cluster (a scenario `version` of 8.8 or later): Zeebe's backups at
//! `/actuator/backupRuntime`, Operate's and Tasklist's together at `/actuator/backupHistory`
//! (`camunda_webapps_<id>_<version>_part_<n>_of_<m>` snapshots holding both apps' indices), no
//! standalone `/actuator/backups`; and 8.7 without the 8.8 paths (docs/camunda-api-8.8-8.10.md §1.1).

use crate::common;

use std::time::Duration;

use camunda_sim::start;
use common::{call, call_json, fast_config, poll_state};
use serde_json::json;

async fn sim_of(version: &str) -> camunda_sim::RunningSimulator {
    let mut c = fast_config();
    c.version = version.into();
    start(c).await.expect("simulator starts")
}

#[tokio::test]
async fn an_8_8_cluster_backs_up_through_backup_history_and_backup_runtime() {
    let sim = sim_of("8.8.1").await;
    let gw = &sim.urls().zeebe_gateway;

    // The web apps: one call, both apps' indices, names with the cluster's version.
    let (s, v) = call_json(
        "POST",
        &format!("{gw}/actuator/backupHistory"),
        Some(json!({"backupId": 42})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let names: Vec<String> = v["scheduledSnapshots"]
        .as_array()
        .expect("names")
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    assert!(!names.is_empty());
    let count = names.len();
    assert_eq!(
        names[0],
        format!("camunda_webapps_42_8.8.1_part_1_of_{count}")
    );
    let seen = poll_state(
        &format!("{gw}/actuator/backupHistory/42"),
        "COMPLETED",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(seen.last().map(String::as_str), Some("COMPLETED"));
    let (s, list) = call_json("GET", &format!("{gw}/actuator/backupHistory"), None).await;
    assert_eq!(s, 200);
    assert_eq!(list[0]["backupId"], 42);
    // The snapshots hold Operate's and Tasklist's indices together.
    let es = &sim.urls().elasticsearch;
    let mut indices: Vec<String> = Vec::new();
    for name in &names {
        let (_, snap) = call_json("GET", &format!("{es}/_snapshot/camunda/{name}"), None).await;
        indices.extend(
            snap["snapshots"][0]["indices"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i.as_str().map(str::to_owned)),
        );
    }
    assert!(
        indices.iter().any(|i| i.starts_with("operate-")),
        "{indices:?}"
    );
    assert!(
        indices.iter().any(|i| i.starts_with("tasklist-")),
        "{indices:?}"
    );

    // Zeebe: backupRuntime, 202, then COMPLETED.
    let (s, v) = call_json(
        "POST",
        &format!("{gw}/actuator/backupRuntime"),
        Some(json!({"backupId": 42})),
    )
    .await;
    assert_eq!(s, 202, "{v}");
    let seen = poll_state(
        &format!("{gw}/actuator/backupRuntime/42"),
        "COMPLETED",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(seen.last().map(String::as_str), Some("COMPLETED"));

    // No standalone endpoints: the gateway's /actuator/backups and Operate's are gone.
    let (s, _) = call("GET", &format!("{gw}/actuator/backups"), None).await;
    assert_eq!(s, 404);
    let (s, _) = call(
        "POST",
        &format!("{}/actuator/backups", sim.urls().operate),
        Some(json!({"backupId": 43})),
    )
    .await;
    assert_eq!(s, 404);
    // Deleting through backupHistory removes the snapshots.
    let (s, _) = call("DELETE", &format!("{gw}/actuator/backupHistory/42"), None).await;
    assert_eq!(s, 204);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_8_7_cluster_has_no_8_8_paths() {
    let sim = sim_of("8.7.3").await;
    let gw = &sim.urls().zeebe_gateway;
    for path in ["backupRuntime", "backupHistory"] {
        let (s, _) = call("GET", &format!("{gw}/actuator/{path}"), None).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = call("GET", &format!("{gw}/actuator/backups"), None).await;
    assert_eq!(s, 200);
    sim.shutdown().await;
}
