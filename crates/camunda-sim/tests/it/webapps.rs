//! Operate, Tasklist and Optimize backups built on simulated Elasticsearch snapshots.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, Component, Fault, FaultKind, WebappErrors};
use common::{call, call_json, fast_config, poll_state, sim};
use serde_json::json;

#[tokio::test]
async fn operate_backup_creates_six_parts_one_after_another_and_passes_through_incomplete() {
    let sim = sim().await;
    let url = format!("{}/actuator/backups", sim.urls().operate);
    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 123}))).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = v["scheduledSnapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 6);
    assert_eq!(names[0], "camunda_operate_123_8.7.3_part_1_of_6");
    assert_eq!(names[5], "camunda_operate_123_8.7.3_part_6_of_6");

    let seen = poll_state(&format!("{url}/123"), "COMPLETED", Duration::from_secs(5)).await;
    assert_eq!(seen.last().unwrap(), "COMPLETED");
    assert!(
        seen.contains(&"INCOMPLETE".to_string()),
        "transient INCOMPLETE between parts: {seen:?}"
    );
    assert!(seen.contains(&"IN_PROGRESS".to_string()));

    let (_, v) = call_json("GET", &format!("{url}/123"), None).await;
    assert_eq!(v["failureReason"], serde_json::Value::Null);
    let d = &v["details"][0];
    assert_eq!(d["state"], "SUCCESS");
    assert_eq!(d["failures"], json!([]));
    let start = d["startTime"].as_str().unwrap();
    assert!(start.ends_with("+0000") && start.len() == 28, "{start}");

    let es = &sim.urls().elasticsearch;
    let (_, snap) = call_json(
        "GET",
        &format!("{es}/_snapshot/camunda/camunda_operate_123_8.7.3_part_2_of_6"),
        None,
    )
    .await;
    assert_eq!(
        snap["snapshots"][0]["metadata"],
        json!({"backupId": 123, "version": "8.7.3", "partNo": 2, "partCount": 6})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_part_fails_the_backup_and_clears_the_queue() {
    let sim = sim().await;
    sim.control().add_fault(
        Fault::new("tasklist", "take_backup", FaultKind::PartFailed)
            .part(2)
            .state("FAILED")
            .times(1),
    );
    let url = format!("{}/actuator/backups", sim.urls().tasklist);
    call("POST", &url, Some(json!({"backupId": 5}))).await;
    let seen = poll_state(&format!("{url}/5"), "FAILED", Duration::from_secs(3)).await;
    assert_eq!(seen.last().unwrap(), "FAILED");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, v) = call_json("GET", &format!("{url}/5"), None).await;
    assert_eq!(
        v["details"].as_array().unwrap().len(),
        2,
        "later parts never created"
    );
    assert_eq!(
        v["failureReason"],
        "There were failures with the following snapshots: camunda_tasklist_5_8.7.3_part_2_of_6"
    );
    assert!(v["details"][1]["failures"][0]
        .as_str()
        .unwrap()
        .contains("failed, reason"));
    let (s, _) = call("POST", &url, Some(json!({"backupId": 6}))).await;
    assert_eq!(s, 200, "queue was cleared");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_second_backup_while_one_runs_is_rejected_and_duplicates_are_rejected() {
    let sim = sim().await;
    let url = format!("{}/actuator/backups", sim.urls().operate);
    call("POST", &url, Some(json!({"backupId": 1}))).await;
    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 2}))).await;
    assert_eq!(s, 400);
    assert_eq!(
        v,
        json!({"message": "Another backup is running at the moment"})
    );
    poll_state(&format!("{url}/1"), "COMPLETED", Duration::from_secs(5)).await;
    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 1}))).await;
    assert_eq!(s, 400);
    let msg = v["message"].as_str().unwrap();
    assert!(msg.starts_with("A backup with ID [1] already exists. Found snapshots: [camunda_operate_1_8.7.3_part_1_of_6/"), "{msg}");

    let (s, v) = call_json("POST", &url, Some(json!({"backupId": -1}))).await;
    assert_eq!(s, 400);
    assert_eq!(
        v["message"],
        "BackupId must be a non-negative Integer. Received value: -1"
    );
    let (s, v) = call_json("GET", &format!("{url}/999"), None).await;
    assert_eq!(s, 404);
    assert_eq!(v["message"], "No backup with id [999] found.");

    let (s, list) = call_json("GET", &url, None).await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (s, _) = call("DELETE", &format!("{url}/1"), None).await;
    assert_eq!(s, 204);
    let (_, list) = call_json("GET", &url, None).await;
    assert_eq!(list, json!([]));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stuck_queue_answers_another_backup_is_running() {
    let sim = sim().await;
    sim.control()
        .add_fault(Fault::new("operate", "take_backup", FaultKind::StuckQueue));
    let url = format!("{}/actuator/backups", sim.urls().operate);
    for id in [10, 11] {
        let (s, v) = call_json("POST", &url, Some(json!({"backupId": id}))).await;
        assert_eq!(s, 400);
        assert_eq!(v["message"], "Another backup is running at the moment");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn legacy_mode_answers_every_error_with_400_problem_json() {
    let mut config = fast_config();
    config.webapp_errors = WebappErrors::Legacy400;
    let sim = start(config).await.unwrap();
    let url = format!("{}/actuator/backups/123", sim.urls().operate);
    let resp = common::client().get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["status"], 400);
    assert_eq!(v["message"], "No backup with id [123] found.");
    assert!(v["instance"].as_str().unwrap().len() == 36);
    assert!(v["type"].is_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn webapps_report_missing_repository_and_unreachable_elasticsearch() {
    let sim = sim().await;
    let op = format!("{}/actuator/backups", sim.urls().operate);
    let es = &sim.urls().elasticsearch;
    sim.control()
        .stop_component(Component::Elasticsearch)
        .await
        .unwrap();
    let (s, v) = call_json("POST", &op, Some(json!({"backupId": 1}))).await;
    assert_eq!(s, 502);
    assert_eq!(
        v["message"],
        "Encountered an error connecting to Elasticsearch while retrieving repository with name [camunda]."
    );
    sim.control()
        .start_component(Component::Elasticsearch)
        .await
        .unwrap();
    let (s, _) = call("DELETE", &format!("{es}/_snapshot/camunda"), None).await;
    assert_eq!(s, 200);
    let (s, v) = call_json("GET", &op, None).await;
    assert_eq!(s, 404);
    assert_eq!(
        v["message"],
        "No repository with name [camunda] could be found."
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn optimize_accepts_with_the_exact_202_body_completes_and_rejects_duplicates_with_409() {
    let sim = sim().await;
    let url = format!("{}/actuator/backups", sim.urls().optimize);
    let (s, body) = call("POST", &url, Some(json!({"backupId": 123456}))).await;
    assert_eq!(s, 202);
    assert_eq!(
        body,
        "{\"message\" : \"Backup creation for ID 123456 has been scheduled. Use the GET API to monitor completion of backup process\"}"
    );
    let seen = poll_state(
        &format!("{url}/123456"),
        "COMPLETED",
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(
        seen,
        vec!["IN_PROGRESS".to_string(), "COMPLETED".to_string()]
    );
    let (_, v) = call_json("GET", &format!("{url}/123456"), None).await;
    assert_eq!(
        v["details"][1]["snapshotName"],
        "camunda_optimize_123456_8.7.3_part_2_of_2"
    );

    let (s, v) = call_json("POST", &url, Some(json!({"backupId": 123456}))).await;
    assert_eq!(s, 409);
    assert_eq!(v["reportDefinition"], serde_json::Value::Null);
    assert!(v["errorCode"].is_string() && v["errorMessage"].is_string());
    assert!(v["detailedMessage"]
        .as_str()
        .unwrap()
        .contains("already exists"));

    let (s, v) = call_json("GET", &format!("{url}/1"), None).await;
    assert_eq!(s, 404);
    assert_eq!(
        v["detailedMessage"],
        "No Optimize backup with ID [1] could be found."
    );
    sim.shutdown().await;
}
