//! Zeebe gateway and broker behaviour: backup ids, aggregation, exporting pause/resume.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, ExportingResponse, Fault, FaultKind};
use common::{call, call_json, fast_config, poll_state, sim};
use serde_json::json;

#[tokio::test]
async fn backup_ids_must_be_positive_and_increasing_and_are_never_reused() {
    let sim = sim().await;
    let gw = &sim.urls().zeebe_gateway;
    let url = format!("{gw}/actuator/backups");

    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 0}))).await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({"message": "A backupId must be provided and it must be > 0"})
    );

    let (s, v) = call_json("POST", &url, Some(json!({}))).await;
    assert_eq!(s, 400);
    assert_eq!(v["status"], 400);
    assert_eq!(v["error"], "Bad Request");
    assert_eq!(v["path"], "/actuator/backups");

    let (s, v) = call_json("POST", &url, Some(json!({"backupId": "10"}))).await;
    assert_eq!(s, 202);
    assert_eq!(
        v["message"],
        "A backup with id 10 has been scheduled. Use GET actuator/backups/10 to monitor the status."
    );

    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 5}))).await;
    assert_eq!(s, 409);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("Requested backup has id 5. The latest backup has id 10."));

    let (s, _) = call("DELETE", &format!("{url}/10"), None).await;
    assert_eq!(s, 204);
    let (s, v) = call_json("GET", &format!("{url}/10"), None).await;
    assert_eq!(s, 404);
    assert_eq!(v, json!({"message": "Backup with id 10 does not exist"}));
    let (s, _) = call("POST", &url, Some(json!({"backupId": 10}))).await;
    assert_eq!(s, 409, "a deleted id can never be reused");
    sim.shutdown().await;
}

#[tokio::test]
async fn backup_completes_on_every_partition_with_full_details() {
    let sim = sim().await;
    let url = format!("{}/actuator/backups", sim.urls().zeebe_gateway);
    call("POST", &url, Some(json!({"backupId": 7}))).await;
    let (_, v) = call_json("GET", &format!("{url}/7"), None).await;
    assert_eq!(v["state"], "IN_PROGRESS");
    assert!(
        v["details"][0].get("snapshotId").is_none(),
        "optional fields omitted while running"
    );
    let seen = poll_state(&format!("{url}/7"), "COMPLETED", Duration::from_secs(3)).await;
    assert_eq!(seen.last().unwrap(), "COMPLETED");
    let (_, v) = call_json("GET", &format!("{url}/7"), None).await;
    let d = &v["details"][1];
    assert_eq!(d["partitionId"], 2);
    assert_eq!(d["state"], "COMPLETED");
    assert_eq!(d["brokerId"], 1);
    assert_eq!(d["brokerVersion"], "8.7.3");
    assert!(d["createdAt"].as_str().unwrap().ends_with('Z'));
    assert!(d["snapshotId"].is_string() && d["checkpointPosition"].is_number());
    assert!(v.get("failureReason").is_none());

    let (s, list) = call_json("GET", &url, None).await;
    assert_eq!(s, 200);
    let entry = &list[0]["details"][0];
    assert_eq!(list[0]["backupId"], 7);
    assert!(entry.get("partitionId").is_some() && entry.get("createdAt").is_some());
    assert!(entry.get("snapshotId").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_partition_makes_the_backup_failed() {
    let sim = sim().await;
    sim.control().add_fault(
        Fault::new("zeebe", "take_backup", FaultKind::PartitionFailed)
            .partition(2)
            .reason("disk full")
            .times(1),
    );
    let url = format!("{}/actuator/backups", sim.urls().zeebe_gateway);
    call("POST", &url, Some(json!({"backupId": 3}))).await;
    let seen = poll_state(&format!("{url}/3"), "FAILED", Duration::from_secs(3)).await;
    assert_eq!(seen.last().unwrap(), "FAILED");
    let (_, v) = call_json("GET", &format!("{url}/3"), None).await;
    assert_eq!(v["details"][1]["state"], "FAILED");
    assert_eq!(v["details"][1]["failureReason"], "disk full");
    assert!(v["failureReason"].as_str().unwrap().contains("disk full"));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrapped_exporting_responses_are_http_200_with_the_real_status_inside() {
    let sim = sim().await;
    let gw = &sim.urls().zeebe_gateway;
    let (s, v) = call_json(
        "POST",
        &format!("{gw}/actuator/exporting/pause?soft=true"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v, json!({"body": null, "status": 204, "contentType": null}));
    let (s, v) = call_json("POST", &format!("{gw}/actuator/exporting/foo"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], 500);
    sim.control()
        .add_fault(Fault::new("zeebe", "resume", FaultKind::IncompleteTopology).times(1));
    let (s, v) = call_json("POST", &format!("{gw}/actuator/exporting/resume"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], 500);
    assert!(v["body"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Expected 3 members of partition 1 but found 2, current topology:"));
    sim.shutdown().await;
}

#[tokio::test]
async fn real_exporting_responses_are_204_or_500() {
    let mut config = fast_config();
    config.exporting_response = ExportingResponse::Real204;
    let sim = start(config).await.unwrap();
    let gw = &sim.urls().zeebe_gateway;
    let (s, body) = call("POST", &format!("{gw}/actuator/exporting/pause"), None).await;
    assert_eq!((s, body.as_str()), (204, ""));
    sim.control()
        .add_fault(Fault::new("zeebe", "*", FaultKind::IncompleteTopology).times(2));
    let (s, v) = call_json("POST", &format!("{gw}/actuator/exporting/resume"), None).await;
    assert_eq!(s, 500);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("Expected 3 members"));
    let (s, _) = call(
        "POST",
        &format!("{gw}/actuator/backups"),
        Some(json!({"backupId": 1})),
    )
    .await;
    assert_eq!(s, 502, "take backup fails with an incomplete topology");
    sim.shutdown().await;
}

#[tokio::test]
async fn brokers_show_soft_and_hard_pause_on_leader_partitions_only() {
    let sim = sim().await;
    let gw = &sim.urls().zeebe_gateway;
    let b0 = &sim.urls().zeebe_brokers[0];
    let (_, v) = call_json("GET", &format!("{b0}/actuator/partitions"), None).await;
    assert_eq!(v["1"]["role"], "LEADER");
    assert_eq!(v["1"]["exporterPhase"], "EXPORTING");
    assert_eq!(v["2"]["role"], "FOLLOWER");
    assert!(v["2"]["exporterPhase"].is_null());

    call(
        "POST",
        &format!("{gw}/actuator/exporting/pause?soft=true"),
        None,
    )
    .await;
    let (_, v) = call_json("GET", &format!("{b0}/actuator/partitions/1"), None).await;
    assert_eq!(v["exporterPhase"], "SOFT_PAUSED");
    call("POST", &format!("{gw}/actuator/exporting/resume"), None).await;
    call("POST", &format!("{gw}/actuator/exporting/pause"), None).await;
    let b2 = &sim.urls().zeebe_brokers[2];
    let (_, v) = call_json("GET", &format!("{b2}/actuator/partitions"), None).await;
    assert_eq!(v["3"]["exporterPhase"], "PAUSED");
    assert_eq!(sim.control().hard_over_soft_violations(), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hard_pause_while_soft_paused_is_counted_as_a_violation() {
    let sim = sim().await;
    let gw = &sim.urls().zeebe_gateway;
    call(
        "POST",
        &format!("{gw}/actuator/exporting/pause?soft=true"),
        None,
    )
    .await;
    call("POST", &format!("{gw}/actuator/exporting/pause"), None).await;
    let state = sim.control().snapshot_state();
    assert_eq!(state["zeebe"]["hard_over_soft_violations"], 3);
    let b0 = &sim.urls().zeebe_brokers[0];
    let (_, v) = call_json("GET", &format!("{b0}/actuator/partitions/1"), None).await;
    assert_eq!(v["streamProcessorPhase"], "FAILED");
    sim.shutdown().await;
}

#[tokio::test]
async fn pause_state_and_backup_ids_survive_a_restart_with_the_same_state_dir() {
    let dir = std::env::temp_dir().join(format!("camunda-sim-test-{}", uuid_like()));
    let mut config = fast_config();
    config.state_dir = Some(dir.clone());
    let sim = start(config.clone()).await.unwrap();
    let gw = sim.urls().zeebe_gateway.clone();
    call(
        "POST",
        &format!("{gw}/actuator/exporting/pause?soft=true"),
        None,
    )
    .await;
    call(
        "POST",
        &format!("{gw}/actuator/backups"),
        Some(json!({"backupId": 42})),
    )
    .await;
    sim.shutdown().await;
    let content = std::fs::read_to_string(dir.join("partitions/2/.exporterPaused")).unwrap();
    assert_eq!(content, "SOFT_PAUSED");

    let sim = start(config).await.unwrap();
    let gw = &sim.urls().zeebe_gateway;
    let b1 = &sim.urls().zeebe_brokers[1];
    let (_, v) = call_json("GET", &format!("{b1}/actuator/partitions/2"), None).await;
    assert_eq!(v["exporterPhase"], "SOFT_PAUSED");
    let (s, _) = call(
        "POST",
        &format!("{gw}/actuator/backups"),
        Some(json!({"backupId": 42})),
    )
    .await;
    assert_eq!(s, 409);
    call("POST", &format!("{gw}/actuator/exporting/resume"), None).await;
    assert!(!dir.join("partitions/2/.exporterPaused").exists());
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test]
async fn a_stuck_partition_keeps_the_backup_in_progress_and_aging_moves_its_times() {
    let sim = sim().await;
    let control = sim.control();
    control.add_fault(
        Fault::new("zeebe", "take_backup", FaultKind::PartitionStuck)
            .partition(2)
            .times(1),
    );
    let url = format!("{}/actuator/backups", sim.urls().zeebe_gateway);
    assert_eq!(
        call("POST", &url, Some(json!({"backupId": 11}))).await.0,
        202
    );
    tokio::time::sleep(Duration::from_millis(400)).await; // well past zeebe_partition_backup_ms
    let (_, before) = call_json("GET", &format!("{url}/11"), None).await;
    assert_eq!(before["state"], "IN_PROGRESS");
    assert_eq!(before["details"][0]["state"], "COMPLETED");
    assert_eq!(before["details"][1]["state"], "IN_PROGRESS");
    assert_eq!(before["details"][2]["state"], "COMPLETED");
    assert!(before["details"][1].get("lastUpdatedAt").is_none());
    for d in before["details"].as_array().unwrap() {
        assert!(
            d["createdAt"].is_string(),
            "createdAt on every partition: {d}"
        );
    }

    let by = Duration::from_secs(2 * 3600);
    control.age_zeebe_backup(11, by).unwrap();
    let (_, after) = call_json("GET", &format!("{url}/11"), None).await;
    assert_eq!(after["state"], "IN_PROGRESS");
    let t = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().expect("time")).expect("RFC 3339")
    };
    for p in 0..3 {
        let moved = t(&before["details"][p]["createdAt"]) - t(&after["details"][p]["createdAt"]);
        assert_eq!(
            moved.num_seconds(),
            7200,
            "createdAt of partition {}",
            p + 1
        );
    }
    let moved =
        t(&before["details"][0]["lastUpdatedAt"]) - t(&after["details"][0]["lastUpdatedAt"]);
    assert_eq!(moved.num_seconds(), 7200, "lastUpdatedAt moves too");
    let (_, list) = call_json("GET", &url, None).await;
    assert_eq!(list[0]["state"], "IN_PROGRESS");
    assert_eq!(
        list[0]["details"][1]["createdAt"],
        after["details"][1]["createdAt"]
    );

    // a later backup is not affected and completes
    assert_eq!(
        call("POST", &url, Some(json!({"backupId": 12}))).await.0,
        202
    );
    let seen = poll_state(&format!("{url}/12"), "COMPLETED", Duration::from_secs(3)).await;
    assert_eq!(seen.last().unwrap(), "COMPLETED");

    assert!(matches!(
        control.age_zeebe_backup(99, by),
        Err(camunda_sim::SimError::UnknownBackup(99))
    ));
    // the admin API does the same
    let admin = format!("{}/admin/zeebe/backups/11/age", sim.urls().admin);
    let (s, _) = call("POST", &admin, Some(json!({"by_ms": 60_000}))).await;
    assert_eq!(s, 200);
    let (_, aged) = call_json("GET", &format!("{url}/11"), None).await;
    let moved = t(&after["details"][1]["createdAt"]) - t(&aged["details"][1]["createdAt"]);
    assert_eq!(moved.num_seconds(), 60);
    let missing = format!("{}/admin/zeebe/backups/99/age", sim.urls().admin);
    assert_eq!(
        call("POST", &missing, Some(json!({"by_ms": 1}))).await.0,
        404
    );
    sim.shutdown().await;
}
