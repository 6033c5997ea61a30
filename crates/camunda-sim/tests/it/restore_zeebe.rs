//! Zeebe side of a restore (§8, §9.3 step 6–7, pitfalls 17–18): brokers' data directories, the
//! restore application per broker with its exact log lines, and the cluster's state after the
//! brokers start again.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, Component, Fault, FaultKind, RunningSimulator, SimControl};
use common::{call, call_json, fast_config, poll_state, sim};
use serde_json::{json, Value};

const NOT_EMPTY: &str = "Brokers's data directory /usr/local/zeebe/data is not empty. Aborting restore to avoid overwriting data. Please restart with a clean directory";

async fn take_backup(sim: &RunningSimulator, id: u64) -> Value {
    let gw = &sim.urls().zeebe_gateway;
    let (s, _) = call_json(
        "POST",
        &format!("{gw}/actuator/backups"),
        Some(json!({"backupId": id})),
    )
    .await;
    assert_eq!(s, 202);
    let url = format!("{gw}/actuator/backups/{id}");
    let seen = poll_state(&url, "COMPLETED", Duration::from_secs(5)).await;
    assert_eq!(seen.last().map(String::as_str), Some("COMPLETED"));
    call_json("GET", &url, None).await.1
}

async fn partitions_of(sim: &RunningSimulator, broker: usize) -> Value {
    let url = &sim.urls().zeebe_brokers[broker];
    call_json("GET", &format!("{url}/actuator/partitions"), None)
        .await
        .1
}

async fn stop_cluster(c: &SimControl) {
    for comp in [
        Component::ZeebeGateway,
        Component::Operate,
        Component::Tasklist,
        Component::Optimize,
        Component::Broker,
    ] {
        c.stop_component(comp).await.unwrap();
    }
}

async fn admin(
    sim: &RunningSimulator,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    call_json(method, &format!("{}{path}", sim.urls().admin), body).await
}

#[tokio::test]
async fn a_full_zeebe_restore_brings_every_partition_back_to_the_backup() {
    let sim = sim().await;
    let c = sim.control();
    let gw = sim.urls().zeebe_gateway.clone();
    let (s, _) = admin(
        &sim,
        "POST",
        "/admin/zeebe/records",
        Some(json!({"count": 10})),
    )
    .await;
    assert_eq!(s, 200);
    let backup = take_backup(&sim, 12).await;
    let checkpoints: Vec<i64> = (0..3)
        .map(|i| backup["details"][i]["checkpointPosition"].as_i64().unwrap())
        .collect();
    // data after the backup, and exporting left soft-paused
    let (_, after) = admin(
        &sim,
        "POST",
        "/admin/zeebe/records",
        Some(json!({"count": 7, "partition": 1})),
    )
    .await;
    assert_eq!(after["partitions"]["1"]["position"], checkpoints[0] + 7);
    call(
        "POST",
        &format!("{gw}/actuator/exporting/pause?soft=true"),
        None,
    )
    .await;
    let p = partitions_of(&sim, 0).await;
    assert_eq!(p["1"]["processedPosition"], checkpoints[0] + 7);
    assert_eq!(p["1"]["exporterPhase"], "SOFT_PAUSED");

    stop_cluster(&c).await;
    for b in 0..3 {
        let (s, v) = admin(
            &sim,
            "POST",
            &format!("/admin/brokers/{b}/data/clear"),
            None,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(
            (v["empty"].clone(), v["files"].clone()),
            (json!(true), json!([]))
        );
        let (s, out) = admin(
            &sim,
            "POST",
            &format!("/admin/brokers/{b}/restore"),
            Some(json!({"backupId": 12})),
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(out["exitCode"], 0, "{out}");
        let mut expected = vec![
            "Starting to restore from backup 12".to_string(),
            "Restoring partitions [1, 2, 3]".to_string(),
        ];
        for (i, d) in backup["details"].as_array().unwrap().iter().enumerate() {
            expected.push(format!(
                "Successfully restored partition {} from backup 12. Backup description: BackupDescriptorImpl[snapshotId=Optional[{}], checkpointPosition={}, numberOfPartitions=3, brokerVersion=8.7.3]",
                i + 1,
                d["snapshotId"].as_str().unwrap(),
                d["checkpointPosition"]
            ));
        }
        expected.push("Successfully restored broker from backup 12".to_string());
        assert_eq!(out["log"], json!(expected));
    }
    c.start_component(Component::Broker).await.unwrap();
    c.start_component(Component::ZeebeGateway).await.unwrap();
    for b in 0..3 {
        let p = partitions_of(&sim, b).await;
        let leads = (b + 1).to_string();
        assert_eq!(p[&leads]["role"], "LEADER");
        assert_eq!(
            p[&leads]["processedPosition"], checkpoints[b],
            "broker {b}: {p}"
        );
        assert_eq!(p[&leads]["exporterPhase"], "EXPORTING");
        assert_eq!(p[&leads]["snapshotId"], backup["details"][b]["snapshotId"]);
    }
    let (_, list) = call_json("GET", &format!("{gw}/actuator/backups"), None).await;
    assert_eq!(list[0]["backupId"], 12);
    assert_eq!(list[0]["state"], "COMPLETED");
    let state = c.snapshot_state();
    let restored = &state["zeebe"]["brokers"]["2"]["partitions"]["3"];
    assert_eq!(restored["restored_from_backup"], 12);
    assert_eq!(restored["started_empty"], false);
    assert_eq!(state["zeebe"]["exporter_phases"]["1"], "EXPORTING");
    assert_eq!(state["zeebe"]["restores_while_components_running"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_restore_application_refuses_what_the_real_one_refuses() {
    let sim = sim().await;
    let c = sim.control();
    take_backup(&sim, 5).await;

    // running broker
    let out = c.restore_broker(1, 5, None).await.unwrap();
    assert_eq!(out.exit_code, 1);
    assert!(
        out.log[1].starts_with("Broker 1 is running"),
        "{:?}",
        out.log
    );
    assert_eq!(
        out.log.last().map(String::as_str),
        Some("Application run failed")
    );
    let err = c.clear_broker_data(1).unwrap_err();
    assert!(err.to_string().contains("running"), "{err}");
    let (s, _) = admin(&sim, "POST", "/admin/brokers/1/data/clear", None).await;
    assert_eq!(s, 409);

    // stopped but its data is still there
    c.stop_component(Component::ZeebeBroker(1)).await.unwrap();
    let out = c.restore_broker(1, 5, None).await.unwrap();
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.log,
        [
            "Starting to restore from backup 5",
            NOT_EMPTY,
            "Application run failed"
        ]
    );

    // lost+found is ignored by default, other names are not
    c.clear_broker_data(1).unwrap();
    let (s, v) = admin(
        &sim,
        "POST",
        "/admin/brokers/1/data/files",
        Some(json!({"name": "lost+found"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["files"], json!(["lost+found"]));
    let out = c
        .restore_broker(1, 5, Some(vec![".snapshot".into()]))
        .await
        .unwrap();
    assert_eq!(out.log[1], NOT_EMPTY, "lost+found not in the ignore list");
    c.add_broker_data_file(1, ".snapshot").unwrap();
    let out = c.restore_broker(1, 5, None).await.unwrap();
    assert_eq!(out.log[1], NOT_EMPTY, ".snapshot is not ignored by default");
    c.clear_broker_data(1).unwrap();
    c.add_broker_data_file(1, "lost+found").unwrap();

    // unknown backup: the directory's contents are deleted
    let (s, out) = admin(
        &sim,
        "POST",
        "/admin/brokers/1/restore",
        Some(json!({"backupId": 99})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        out,
        json!({"exitCode": 1, "log": [
            "Starting to restore from backup 99",
            "Restoring partitions [1, 2, 3]",
            "Failed to restore broker. Deleting data directory /usr/local/zeebe/data",
            "io.camunda.zeebe.restore.BackupNotFoundException: Could not find a completed backup with id 99.",
            "Application run failed"
        ]})
    );
    assert_eq!(c.broker_data(1).unwrap()["files"], json!([]));

    // success, then the pod restarts and runs again: the directory is no longer empty (pitfall 18)
    let out = c.restore_broker(1, 5, None).await.unwrap();
    assert_eq!(out.exit_code, 0);
    let again = c.restore_broker(1, 5, None).await.unwrap();
    assert_eq!((again.exit_code, again.log[1].as_str()), (1, NOT_EMPTY));
    let (s, logs) = admin(&sim, "GET", "/admin/brokers/1/logs", None).await;
    assert_eq!(s, 200);
    let runs = logs["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 7);
    assert_eq!(runs[5]["exitCode"], 0);
    assert_eq!(runs[5]["backupId"], 5);
    assert_eq!(
        runs[5]["log"].as_array().unwrap().last().unwrap(),
        "Successfully restored broker from backup 5"
    );
    assert_eq!(c.broker_restore_runs(1).unwrap().len(), 7);
    // the gateway, web apps and two brokers were running during these runs
    assert!(c.snapshot_state()["zeebe"]["restores_while_components_running"].as_u64() > Some(0));

    let (s, _) = admin(
        &sim,
        "POST",
        "/admin/brokers/7/restore",
        Some(json!({"backupId": 5})),
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = admin(
        &sim,
        "POST",
        "/admin/brokers/1/restore",
        Some(json!({"id": 5})),
    )
    .await;
    assert_eq!(s, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_backup_not_completed_on_a_hosted_partition_cannot_be_restored() {
    let mut config = fast_config();
    config.brokers = 3;
    config.replication_factor = 1;
    let sim = start(config).await.unwrap();
    let c = sim.control();
    c.add_fault(
        Fault::new("zeebe", "take_backup", FaultKind::PartitionFailed)
            .partition(2)
            .times(1),
    );
    let gw = &sim.urls().zeebe_gateway;
    call(
        "POST",
        &format!("{gw}/actuator/backups"),
        Some(json!({"backupId": 8})),
    )
    .await;
    poll_state(
        &format!("{gw}/actuator/backups/8"),
        "FAILED",
        Duration::from_secs(5),
    )
    .await;
    // partition 1's part finishes on its own timer: wait for it too
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, v) = call_json("GET", &format!("{gw}/actuator/backups/8"), None).await;
        if v["details"][0]["state"] == "COMPLETED" || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    c.stop_component(Component::Broker).await.unwrap();
    for b in 0..3 {
        c.clear_broker_data(b).unwrap();
    }
    // with replication factor 1 broker 0 hosts only partition 1, whose backup completed
    let ok = c.restore_broker(0, 8, None).await.unwrap();
    assert_eq!(ok.exit_code, 0);
    assert_eq!(ok.log[1], "Restoring partitions [1]");
    let failed = c.restore_broker(1, 8, None).await.unwrap();
    assert_eq!(failed.exit_code, 1);
    assert_eq!(failed.log[1], "Restoring partitions [2]");
    assert!(failed.log[3].ends_with("Could not find a completed backup with id 8."));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_broker_started_on_a_cleared_directory_without_a_restore_starts_empty() {
    let sim = sim().await;
    let c = sim.control();
    c.stop_component(Component::ZeebeBroker(0)).await.unwrap();
    c.clear_broker_data(0).unwrap();
    c.start_component(Component::ZeebeBroker(0)).await.unwrap();
    let p = partitions_of(&sim, 0).await;
    assert_eq!(p["1"]["processedPosition"], -1);
    assert_eq!(p["1"]["snapshotId"], Value::Null);
    let data = c.broker_data(0).unwrap();
    assert_eq!(data["partitions"]["1"]["started_empty"], true);
    assert_eq!(data["partitions"]["1"]["position"], -1);
    assert_eq!(data["files"], json!(["raft-partition"]));
    // the others kept their data (normal restart)
    c.stop_component(Component::ZeebeBroker(1)).await.unwrap();
    c.start_component(Component::ZeebeBroker(1)).await.unwrap();
    let p = partitions_of(&sim, 1).await;
    assert_eq!(p["2"]["processedPosition"], 120);
    assert_eq!(
        c.broker_data(1).unwrap()["partitions"]["2"]["started_empty"],
        false
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn records_need_a_running_leader() {
    let sim = sim().await;
    let c = sim.control();
    c.stop_component(Component::ZeebeBroker(2)).await.unwrap();
    let err = c.write_zeebe_records(Some(3), 1).unwrap_err();
    assert!(
        err.to_string().contains("partition 3 has no leader"),
        "{err}"
    );
    let (s, _) = admin(
        &sim,
        "POST",
        "/admin/zeebe/records",
        Some(json!({"count": 1})),
    )
    .await;
    assert_eq!(s, 409);
    let v = c.write_zeebe_records(Some(1), 4).unwrap();
    assert_eq!(v["partitions"]["1"]["position"], 114);
    let (s, _) = admin(
        &sim,
        "POST",
        "/admin/zeebe/records",
        Some(json!({"partition": 9})),
    )
    .await;
    assert_eq!(s, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn clearing_a_leader_removes_its_pause_file_and_restored_data_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "camunda-sim-restore-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    let mut config = fast_config();
    config.state_dir = Some(dir.clone());
    let sim = start(config.clone()).await.unwrap();
    let c = sim.control();
    take_backup(&sim, 21).await;
    let gw = sim.urls().zeebe_gateway.clone();
    call("POST", &format!("{gw}/actuator/exporting/pause"), None).await;
    assert!(dir.join("partitions/1/.exporterPaused").exists());
    c.stop_component(Component::Broker).await.unwrap();
    c.clear_broker_data(0).unwrap();
    assert!(
        !dir.join("partitions/1/.exporterPaused").exists(),
        "broker 0 leads partition 1"
    );
    assert!(dir.join("partitions/2/.exporterPaused").exists());
    let out = c.restore_broker(0, 21, None).await.unwrap();
    assert_eq!(out.exit_code, 0);
    sim.shutdown().await;

    let sim = start(config).await.unwrap();
    let c = sim.control();
    let data = c.broker_data(0).unwrap();
    assert_eq!(data["partitions"]["1"]["restored_from_backup"], 21);
    assert_eq!(c.broker_restore_runs(0).unwrap().len(), 1);
    let p = partitions_of(&sim, 0).await;
    assert_eq!(p["1"]["exporterPhase"], "EXPORTING");
    let p = partitions_of(&sim, 1).await;
    assert_eq!(p["2"]["exporterPhase"], "PAUSED");
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
