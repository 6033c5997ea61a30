//! Elasticsearch side of a restore (§7.3–§7.7, §9.3): index content before and after a
//! snapshot, restore with and without waiting, recovery progress, health, the real error cases,
//! templates on a clean Elasticsearch and the applications' schema at start.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, Component, Fault, FaultKind, IndexContent, RunningSimulator};
use common::{call, call_json, fast_config};
use serde_json::{json, Value};

const INDEX: &str = "operate-list-view-8.3.0_";

async fn sim_with_restore_ms(ms: u64) -> RunningSimulator {
    let mut config = fast_config();
    config.timing.es_restore_ms = ms;
    start(config).await.expect("simulator starts")
}

async fn write_docs(sim: &RunningSimulator, index: &str, count: u64) -> Value {
    let admin = &sim.urls().admin;
    let (s, v) = call_json(
        "POST",
        &format!("{admin}/admin/es/indices/{index}/docs"),
        Some(json!({"count": count})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn snapshot(sim: &RunningSimulator, name: &str, indices: &str) -> Value {
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json(
        "PUT",
        &format!("{es}/_snapshot/camunda/{name}?wait_for_completion=true"),
        Some(json!({"indices": indices})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn delete_index(sim: &RunningSimulator, index: &str) {
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json("DELETE", &format!("{es}/{index}"), None).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn data_written_after_a_snapshot_is_gone_after_restoring_it() {
    let sim = sim_with_restore_ms(10).await;
    let c = sim.control();
    let first = write_docs(&sim, INDEX, 5).await;
    assert_eq!(first["docs_count"], 45);
    let at_backup = c.es_index_content(INDEX).unwrap();
    snapshot(&sim, "snap_1", INDEX).await;

    let later = write_docs(&sim, INDEX, 3).await;
    assert_eq!(later["docs_count"], 48);
    assert!(later["last_write_seq"].as_u64() > first["last_write_seq"].as_u64());
    let (_, st) = call_json("GET", &format!("{}/admin/state", sim.urls().admin), None).await;
    assert_eq!(st["elasticsearch"]["indices"][INDEX]["docs_count"], 48);
    assert_eq!(
        st["elasticsearch"]["indices"][INDEX]["last_write_seq"],
        later["last_write_seq"]
    );
    let recorded = st["elasticsearch"]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["snapshot"] == "snap_1")
        .unwrap()["contents"][INDEX]
        .clone();
    assert_eq!(
        recorded,
        json!({"docs_count": 45, "last_write_seq": at_backup.last_write_seq})
    );

    delete_index(&sim, INDEX).await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/snap_1/_restore?wait_for_completion=true"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v,
        json!({"snapshot": {"snapshot": "snap_1", "indices": [INDEX],
                            "shards": {"total": 1, "failed": 0, "successful": 1}}})
    );
    assert_eq!(c.es_index_content(INDEX), Some(at_backup));
    // the cluster's write sequence is not reset: a new write gets a new marker
    let after = write_docs(&sim, INDEX, 1).await;
    assert!(after["last_write_seq"].as_u64() > later["last_write_seq"].as_u64());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_restore_without_wait_is_accepted_and_the_index_recovers_in_the_background() {
    // long enough for every check below to run while the index is still recovering
    let sim = sim_with_restore_ms(2000).await;
    let es = sim.urls().elasticsearch.clone();
    snapshot(&sim, "snap_r", "zeebe-record_job*").await;
    let index = "zeebe-record_job_8.7.3_2025-06-03";
    delete_index(&sim, index).await;
    let (s, v) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/snap_r/_restore"),
        None,
    )
    .await;
    assert_eq!((s, v), (200, json!({"accepted": true})));

    // recovering: listed, not done, yellow, no document statistics yet
    let (_, rows) = call_json(
        "GET",
        &format!("{es}/_cat/recovery/{index}?format=json"),
        None,
    )
    .await;
    let row = &rows[0];
    assert_eq!(row["index"], index);
    assert_eq!(row["type"], "snapshot");
    assert_eq!(row["repository"], "camunda");
    assert_eq!(row["snapshot"], "snap_r");
    assert_ne!(row["stage"], "done");
    assert!(row["files_percent"].as_str().unwrap().ends_with('%'));
    let (_, active) = call_json(
        "GET",
        &format!("{es}/_cat/recovery?format=json&active_only=true&h=index,stage"),
        None,
    )
    .await;
    assert_eq!(active.as_array().unwrap().len(), 1);
    let (_, rec) = call_json("GET", &format!("{es}/{index}/_recovery"), None).await;
    let shard = &rec[index]["shards"][0];
    assert_eq!(shard["type"], "SNAPSHOT");
    assert_ne!(shard["stage"], "DONE");
    assert_eq!(shard["source"]["repository"], "camunda", "{shard}");
    assert_eq!(shard["source"]["snapshot"], "snap_r");
    assert_eq!(shard["source"]["index"], index);
    let (_, health) = call_json("GET", &format!("{es}/_cluster/health/{index}"), None).await;
    assert_eq!(health["status"], "yellow");
    assert_eq!(health["initializing_shards"], 1);
    let (_, cat) = call_json(
        "GET",
        &format!("{es}/_cat/indices/{index}?format=json&h=health,index,docs.count"),
        None,
    )
    .await;
    assert_eq!(
        cat,
        json!([{"health": "yellow", "index": index, "docs.count": null}])
    );
    // the index being restored counts as an open index: a second restore conflicts
    let (s, v) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/snap_r/_restore"),
        None,
    )
    .await;
    assert_eq!(s, 500);
    assert_eq!(v["error"]["type"], "snapshot_restore_exception");
    assert!(v["error"]["reason"]
        .as_str()
        .unwrap()
        .contains(&format!("cannot restore index [{index}] because an open index with same name already exists in the cluster")));

    // a long-polling health request returns once the restore is done
    let (s, health) = call_json(
        "GET",
        &format!("{es}/_cluster/health/{index}?wait_for_status=green&timeout=10s"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(health["status"], "green");
    assert_eq!(health["timed_out"], false);
    let (_, rows) = call_json(
        "GET",
        &format!(
            "{es}/_cat/recovery/{index}?format=json&h=index,stage,type,files_percent,bytes_percent"
        ),
        None,
    )
    .await;
    assert_eq!(
        rows,
        json!([{"index": index, "stage": "done", "type": "snapshot",
                "files_percent": "100.0%", "bytes_percent": "100.0%"}])
    );
    let (_, rec) = call_json("GET", &format!("{es}/{index}/_recovery"), None).await;
    let shard = &rec[index]["shards"][0];
    assert_eq!(shard["stage"], "DONE");
    assert_eq!(shard["index"]["size"]["percent"], "100.0%");
    let (_, text) = call(
        "GET",
        &format!("{es}/_cat/recovery/{index}?v&h=index,stage"),
        None,
    )
    .await;
    assert_eq!(
        text.lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>(),
        [index, "done"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_waiting_restore_whose_client_gives_up_still_completes() {
    let sim = sim_with_restore_ms(300).await;
    let es = sim.urls().elasticsearch.clone();
    snapshot(&sim, "snap_w", INDEX).await;
    delete_index(&sim, INDEX).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let gave_up = impatient
        .post(format!(
            "{es}/_snapshot/camunda/snap_w/_restore?wait_for_completion=true"
        ))
        .send()
        .await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()));
    let url = format!("{}/admin/es/indices/{INDEX}", sim.urls().admin);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let v = loop {
        let (_, v) = call_json("GET", &url, None).await;
        if v["recovering"] == false || tokio::time::Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(v["recovering"], false, "{v}");
    assert_eq!(v["health"], "green");
    assert_eq!(v["docs_count"], 40);
    assert_eq!(v["recovery"]["snapshot"], "snap_w");
    sim.shutdown().await;
}

#[tokio::test]
async fn restore_errors_are_the_ones_elasticsearch_gives() {
    let mut config = fast_config();
    config.timing.es_snapshot_ms = 600;
    let sim = start(config).await.unwrap();
    let es = sim.urls().elasticsearch.clone();
    let restore = |name: &str| format!("{es}/_snapshot/camunda/{name}/_restore");

    let (s, v) = call_json("POST", &restore("nope"), None).await;
    assert_eq!(s, 500);
    assert_eq!(
        v["error"],
        json!({"root_cause": [{"type": "snapshot_restore_exception", "reason": "[camunda:nope] snapshot does not exist"}],
               "type": "snapshot_restore_exception", "reason": "[camunda:nope] snapshot does not exist"})
    );
    let (s, v) = call_json("POST", &format!("{es}/_snapshot/other/x/_restore"), None).await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["type"], "repository_missing_exception");
    assert_eq!(v["error"]["reason"], "[other] missing");

    // a running snapshot is not in the repository yet
    let (s, _) = call_json(
        "PUT",
        &format!("{es}/_snapshot/camunda/running"),
        Some(json!({"indices": INDEX})),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = call_json("POST", &restore("running"), None).await;
    assert_eq!(s, 500);
    assert_eq!(
        v["error"]["reason"],
        "[camunda:running] snapshot does not exist"
    );

    sim.control().add_fault(
        Fault::new(
            "elasticsearch",
            "create_snapshot",
            FaultKind::SnapshotFailed,
        )
        .times(1),
    );
    let failed = {
        let (_, v) = call_json(
            "PUT",
            &format!("{es}/_snapshot/camunda/failed?wait_for_completion=true"),
            Some(json!({"indices": INDEX})),
        )
        .await;
        v["snapshot"]["uuid"].as_str().unwrap().to_string()
    };
    let (s, v) = call_json("POST", &restore("failed"), None).await;
    assert_eq!(s, 500);
    assert_eq!(
        v["error"]["reason"],
        format!("[camunda:failed/{failed}] unsupported snapshot state [FAILED]")
    );

    sim.control().add_fault(
        Fault::new(
            "elasticsearch",
            "create_snapshot",
            FaultKind::SnapshotFailed,
        )
        .state("PARTIAL")
        .times(1),
    );
    snapshot(&sim, "partial", "tasklist-task-8.5.0_").await;
    delete_index(&sim, "tasklist-task-8.5.0_").await;
    let (s, v) = call_json("POST", &restore("partial"), None).await;
    assert_eq!(s, 500);
    assert!(v["error"]["reason"]
        .as_str()
        .unwrap()
        .ends_with("index [tasklist-task-8.5.0_] wasn't fully snapshotted - cannot restore"));
    let (s, _) = call_json("POST", &restore("partial"), Some(json!({"partial": true}))).await;
    assert_eq!(s, 200);

    snapshot(&sim, "ok", "tasklist-form-8.4.0_").await;
    let (s, v) = call_json(
        "POST",
        &restore("ok"),
        Some(json!({"indices": "not-in-the-snapshot"})),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["type"], "index_not_found_exception");

    let (s, v) = call_json("DELETE", &format!("{es}/no-such-index"), None).await;
    assert_eq!(s, 404);
    assert_eq!(v["error"]["reason"], "no such index [no-such-index]");
    let (s, v) = call_json("DELETE", &format!("{es}/tasklist-*"), None).await;
    assert_eq!(s, 400);
    assert_eq!(v["error"]["type"], "illegal_argument_exception");
    sim.shutdown().await;
}

#[tokio::test]
async fn snapshot_sizes_are_derived_from_the_recorded_content() {
    let sim = sim_with_restore_ms(10).await;
    let es = sim.urls().elasticsearch.clone();
    snapshot(&sim, "small", INDEX).await;
    write_docs(&sim, INDEX, 400).await;
    snapshot(&sim, "big", &format!("{INDEX},tasklist-task-8.5.0_")).await;
    let status = |name: &'static str| {
        let es = es.clone();
        async move {
            let (_, v) = call_json(
                "GET",
                &format!("{es}/_snapshot/camunda/{name}/_status"),
                None,
            )
            .await;
            v["snapshots"][0].clone()
        }
    };
    let small = status("small").await;
    let big = status("big").await;
    let total = |s: &Value| s["stats"]["total"]["size_in_bytes"].as_u64().unwrap();
    assert_eq!(total(&small), 10 * 1024 + 40 * 256);
    let per_index: u64 = big["indices"]
        .as_object()
        .unwrap()
        .values()
        .map(|i| i["stats"]["total"]["size_in_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(total(&big), per_index);
    assert_eq!(
        big["indices"][INDEX]["stats"]["total"]["size_in_bytes"],
        10 * 1024 + 440 * 256
    );
    assert_eq!(status("small").await, small, "deterministic");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_clean_elasticsearch_gets_its_templates_when_the_components_start() {
    let sim = sim_with_restore_ms(10).await;
    let c = sim.control();
    let es = sim.urls().elasticsearch.clone();
    let admin = sim.urls().admin.clone();
    let (_, v) = call_json("GET", &format!("{es}/_index_template"), None).await;
    let names: Vec<&str> = v["index_templates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"operate-list-view-8.3.0_template"));
    assert!(names.contains(&"zeebe-record_job_8.7.3_"));

    let (s, v) = call_json("POST", &format!("{admin}/admin/es/wipe"), None).await;
    assert_eq!(s, 200);
    assert!(v["deleted_templates"].as_u64().unwrap() > 0);
    let (_, v) = call_json("GET", &format!("{es}/_index_template"), None).await;
    assert_eq!(v, json!({"index_templates": []}));
    let (_, text) = call("GET", &format!("{es}/_cat/indices?h=index"), None).await;
    assert_eq!(text, "");
    let (s, _) = call_json(
        "GET",
        &format!("{es}/_index_template/operate-list-view-8.3.0_template"),
        None,
    )
    .await;
    assert_eq!(s, 404);

    // components that were already running do nothing; a (re)start sets the schema up
    for comp in [Component::Operate, Component::Broker] {
        c.stop_component(comp).await.unwrap();
        c.start_component(comp).await.unwrap();
    }
    let (s, v) = call_json(
        "GET",
        &format!("{es}/_index_template/operate-list-view-8.3.0_template"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        v["index_templates"][0]["name"],
        "operate-list-view-8.3.0_template"
    );
    assert_eq!(c.es_index_content(INDEX), Some(IndexContent::default()));
    let (_, v) = call_json("GET", &format!("{es}/_index_template/zeebe-record*"), None).await;
    assert_eq!(v["index_templates"].as_array().unwrap().len(), 7);
    let (_, v) = call_json("GET", &format!("{es}/_index_template/tasklist*"), None).await;
    assert_eq!(v["index_templates"], json!([]), "Tasklist did not start");

    // stopping leaves Elasticsearch alone
    c.stop_component(Component::Operate).await.unwrap();
    assert!(c.es_index(INDEX).is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_application_started_before_the_restore_recreates_its_indices_and_blocks_it() {
    let sim = sim_with_restore_ms(10).await;
    let c = sim.control();
    let es = sim.urls().elasticsearch.clone();
    snapshot(&sim, "ops", "operate-*").await;
    c.stop_component(Component::Operate).await.unwrap();
    delete_index(&sim, INDEX).await;
    c.start_component(Component::Operate).await.unwrap();
    let (s, v) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/ops/_restore?wait_for_completion=true"),
        Some(json!({"indices": INDEX})),
    )
    .await;
    assert_eq!(s, 500, "{v}");
    assert_eq!(v["error"]["type"], "snapshot_restore_exception");
    sim.shutdown().await;
}

#[tokio::test]
async fn running_owners_recreate_deleted_indices_only_when_enabled() {
    let sim = sim_with_restore_ms(10).await;
    let es = sim.urls().elasticsearch.clone();
    let admin = sim.urls().admin.clone();
    delete_index(&sim, INDEX).await;
    assert!(sim.control().es_index(INDEX).is_none());
    let (s, v) = call_json(
        "PUT",
        &format!("{admin}/admin/config"),
        Some(json!({"running_apps_recreate_indices": true})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["running_apps_recreate_indices"], true);
    let other = "operate-variable-8.3.0_";
    delete_index(&sim, other).await;
    assert_eq!(
        sim.control().es_index_content(other),
        Some(IndexContent::default())
    );
    sim.control()
        .stop_component(Component::Broker)
        .await
        .unwrap();
    let zeebe = "zeebe-record_job_8.7.3_2025-06-03";
    call("DELETE", &format!("{es}/{zeebe}"), None).await;
    assert!(sim.control().es_index(zeebe).is_none(), "no broker runs");
    sim.shutdown().await;
}

#[tokio::test]
async fn cluster_health_times_out_on_a_missing_index_like_elasticsearch_8() {
    let sim = sim_with_restore_ms(10).await;
    let es = &sim.urls().elasticsearch;
    let (s, v) = call_json("GET", &format!("{es}/_cluster/health"), None).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "green");
    assert_eq!(v["timed_out"], false);
    assert_eq!(v["number_of_nodes"], 1);
    let (s, v) = call_json(
        "GET",
        &format!("{es}/_cluster/health/missing?timeout=100ms"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        (v["status"].clone(), v["timed_out"].clone()),
        (json!("red"), json!(true))
    );
    let (_, v) = call_json(
        "GET",
        &format!("{es}/_cluster/health/{INDEX}?level=indices"),
        None,
    )
    .await;
    assert_eq!(v["indices"][INDEX]["status"], "green");
    sim.shutdown().await;
}

#[tokio::test]
async fn web_app_backup_parts_record_the_content_they_snapshot() {
    let sim = sim_with_restore_ms(10).await;
    let operate = &sim.urls().operate;
    write_docs(&sim, INDEX, 2).await;
    let (s, _) = call_json(
        "POST",
        &format!("{operate}/actuator/backups"),
        Some(json!({"backupId": 3})),
    )
    .await;
    assert_eq!(s, 200);
    common::poll_state(
        &format!("{operate}/actuator/backups/3"),
        "COMPLETED",
        Duration::from_secs(5),
    )
    .await;
    let state = sim.control().snapshot_state();
    let part = state["elasticsearch"]["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["indices"].as_array().unwrap().contains(&json!(INDEX)))
        .unwrap()
        .clone();
    assert_eq!(part["contents"][INDEX]["docs_count"], 42);
    sim.shutdown().await;
}

#[tokio::test]
async fn elasticsearch_state_persisted_before_contents_were_recorded_still_loads() {
    let dir = std::env::temp_dir().join(format!(
        "camunda-sim-old-es-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let old = json!({
        "repositories": {"camunda": {"type": "fs", "settings": {"location": "/mnt/backups"}}},
        "snapshots": {"camunda": {"old": {
            "name": "old", "uuid": "u1", "repository": "camunda", "indices": ["idx"],
            "metadata": null, "include_global_state": true, "state": "SUCCESS",
            "start_time": "2025-06-03T08:05:10.633Z", "end_time": "2025-06-03T08:05:11.336Z",
            "failed_shards": []}}},
        "indices": {"idx": {"uuid": "abc", "docs_count": 7}},
        "templates": {}
    });
    std::fs::write(dir.join("elasticsearch.json"), old.to_string()).unwrap();
    std::fs::write(
        dir.join("zeebe.json"),
        json!({"latest_backup_id": 5, "backups": {}}).to_string(),
    )
    .unwrap();
    let mut config = fast_config();
    config.state_dir = Some(dir.clone());
    let sim = start(config).await.expect("old state loads");
    let c = sim.control();
    assert_eq!(
        c.es_index_content("idx"),
        Some(IndexContent {
            docs_count: 7,
            last_write_seq: 0
        })
    );
    let es = &sim.urls().elasticsearch;
    delete_index(&sim, "idx").await;
    let (s, _) = call_json(
        "POST",
        &format!("{es}/_snapshot/camunda/old/_restore?wait_for_completion=true"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(c.es_index_content("idx").unwrap().docs_count, 40);
    let broker = c.broker_data(0).unwrap();
    assert_eq!(broker["empty"], false, "brokers get their data directories");
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
