//! Simulated Elasticsearch: snapshots, wildcard semantics, index deletion and restore.

use crate::common;

use std::time::Duration;

use camunda_sim::{Fault, FaultKind};
use common::{call, call_json, sim};
use serde_json::json;

#[tokio::test]
async fn snapshot_with_wait_returns_the_final_snapshot_info() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json(
        "PUT",
        &format!("{es}/_snapshot/camunda/camunda_zeebe_records_backup_1?wait_for_completion=true"),
        Some(json!({"indices": "zeebe-record*", "feature_states": ["none"]})),
    )
    .await;
    assert_eq!(s, 200);
    let snap = &v["snapshot"];
    assert_eq!(snap["state"], "SUCCESS");
    assert_eq!(snap["snapshot"], "camunda_zeebe_records_backup_1");
    assert_eq!(snap["indices"].as_array().unwrap().len(), 7);
    assert_eq!(snap["shards"]["failed"], 0);

    let (s, v) = call_json(
        "PUT",
        &format!("{es}/_snapshot/camunda/camunda_zeebe_records_backup_1"),
        Some(json!({"indices": "zeebe-record*"})),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["type"], "invalid_snapshot_name_exception");
    assert_eq!(
        v["error"]["root_cause"][0]["type"],
        "invalid_snapshot_name_exception"
    );
    assert_eq!(v["status"], 400);

    let (s, v) = call_json("PUT", &format!("{es}/_snapshot/nope/x"), Some(json!({}))).await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["reason"], "[nope] missing");
    sim.shutdown().await;
}

#[tokio::test]
async fn snapshot_without_wait_is_accepted_and_runs_in_the_background() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/snap_a"),
        Some(json!({"indices": ["zeebe-record_job*", "zeebe-record_process_*"]})),
    )
    .await;
    assert_eq!((s, v), (200, json!({"accepted": true})));
    let (_, v) = call_json(
        "GET",
        &format!("{es}/_snapshot/camunda/snap_a/_status"),
        None,
    )
    .await;
    assert_eq!(v["snapshots"][0]["state"], "STARTED");
    let (_, v) = call_json("GET", &format!("{es}/_snapshot/camunda/snap_a"), None).await;
    assert_eq!(v["snapshots"][0]["state"], "IN_PROGRESS");
    tokio::time::sleep(Duration::from_millis(250)).await;
    let (_, v) = call_json(
        "GET",
        &format!("{es}/_snapshot/camunda/snap_a/_status"),
        None,
    )
    .await;
    assert_eq!(v["snapshots"][0]["state"], "SUCCESS");
    assert_eq!(v["snapshots"][0]["shards_stats"]["done"], 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_snapshot_failed_fault_ends_the_snapshot_partial_with_failed_shards() {
    let sim = sim().await;
    sim.control().add_fault(
        Fault::new(
            "elasticsearch",
            "create_snapshot",
            FaultKind::SnapshotFailed,
        )
        .state("PARTIAL")
        .times(1),
    );
    let es = &sim.urls().elasticsearch;
    let (_, v) = call_json(
        "PUT",
        &format!("{es}/_snapshot/camunda/z1?wait_for_completion=true"),
        Some(json!({"indices": "zeebe-record*"})),
    )
    .await;
    assert_eq!(v["snapshot"]["state"], "PARTIAL");
    assert_eq!(v["snapshot"]["shards"]["failed"], 1);
    assert_eq!(v["snapshot"]["failures"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn wildcards_without_match_give_an_empty_list_but_missing_names_give_404() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json(
        "GET",
        &format!("{es}/_snapshot/camunda/camunda_operate_9_*"),
        None,
    )
    .await;
    assert_eq!(
        (s, v),
        (200, json!({"snapshots": [], "total": 0, "remaining": 0}))
    );
    let (s, v) = call_json("GET", &format!("{es}/_snapshot/camunda/missing_one"), None).await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["type"], "snapshot_missing_exception");
    assert_eq!(v["error"]["reason"], "[camunda:missing_one] is missing");
    let (s, v) = call_json("GET", &format!("{es}/_snapshot/camunda/_all"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["total"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn deleting_indices_by_wildcard_is_refused_but_by_name_works() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json("DELETE", &format!("{es}/operate-*"), None).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["type"], "illegal_argument_exception");
    let (s, _) = call("DELETE", &format!("{es}/_all"), None).await;
    assert_eq!(s, 400);
    let (s, v) = call_json("DELETE", &format!("{es}/operate-list-view-8.3.0_"), None).await;
    assert_eq!((s, v), (200, json!({"acknowledged": true})));
    let (s, v) = call_json("DELETE", &format!("{es}/operate-list-view-8.3.0_"), None).await;
    assert_eq!(s, 404);
    assert_eq!(
        v["error"]["reason"],
        "no such index [operate-list-view-8.3.0_]"
    );

    let (_, text) = call("GET", &format!("{es}/_cat/indices?h=index"), None).await;
    assert!(text.lines().any(|l| l == "tasklist-task-8.5.0_"));
    assert!(!text.contains("operate-list-view-8.3.0_"));
    let (_, v) = call_json(
        "GET",
        &format!("{es}/_cat/indices?format=json&h=index"),
        None,
    )
    .await;
    assert!(v
        .as_array()
        .unwrap()
        .contains(&json!({"index": "optimize-metadata_v3"})));
    let (_, v) = call_json("GET", &format!("{es}/_index_template"), None).await;
    assert!(v["index_templates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "operate-list-view-8.3.0_template"));
    sim.shutdown().await;
}

#[tokio::test]
async fn restore_conflicts_with_open_indices_and_recreates_deleted_ones() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    call(
        "PUT",
        &format!("{es}/_snapshot/camunda/r1?wait_for_completion=true"),
        Some(json!({"indices": "zeebe-record_job*"})),
    )
    .await;
    let restore = format!("{es}/_snapshot/camunda/r1/_restore?wait_for_completion=true");
    let (s, v) = call_json("POST", &restore, None).await;
    assert_eq!(s, 500);
    assert_eq!(v["error"]["type"], "snapshot_restore_exception");
    assert!(v["error"]["reason"]
        .as_str()
        .unwrap()
        .contains("because an open index with same name already exists"));

    let index = "zeebe-record_job_8.7.3_2025-06-03";
    call("DELETE", &format!("{es}/{index}"), None).await;
    let (s, v) = call_json("POST", &restore, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["snapshot"]["indices"], json!([index]));
    let (_, text) = call("GET", &format!("{es}/_cat/indices?h=index"), None).await;
    assert!(text.contains(index));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_snapshot_whose_waiting_client_gives_up_still_completes() {
    let sim = sim().await;
    let es = &sim.urls().elasticsearch;
    let impatient = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let gave_up = impatient
        .put(format!(
            "{es}/_snapshot/camunda/camunda_zeebe_records_backup_9?wait_for_completion=true"
        ))
        .json(&json!({"indices": "zeebe-record*"}))
        .send()
        .await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (s, v) = call_json(
        "GET",
        &format!("{es}/_snapshot/camunda/camunda_zeebe_records_backup_9"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["snapshots"][0]["state"], "SUCCESS", "{v}");
}
