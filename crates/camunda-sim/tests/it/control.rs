//! Control plane: stopping/starting components, transport faults, call log, admin API.

use crate::common;

use std::time::Duration;

use camunda_sim::{Component, Fault, FaultKind};
use common::{call, call_json, sim};
use serde_json::json;

#[tokio::test]
async fn a_stopped_component_refuses_connections_and_restarts_on_the_same_port() {
    let sim = sim().await;
    let url = format!("{}/actuator/backups", sim.urls().operate);
    sim.control()
        .stop_component(Component::Operate)
        .await
        .unwrap();
    let err = common::client().get(&url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    sim.control()
        .start_component(Component::Operate)
        .await
        .unwrap();
    let (s, _) = call("GET", &url, None).await;
    assert_eq!(s, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_stopped_broker_makes_the_topology_incomplete() {
    let sim = sim().await;
    sim.control()
        .stop_component(Component::ZeebeBroker(1))
        .await
        .unwrap();
    let gw = &sim.urls().zeebe_gateway;
    let (_, v) = call_json("POST", &format!("{gw}/actuator/exporting/pause"), None).await;
    assert_eq!(v["status"], 500);
    assert!(v["body"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Expected 3 members of partition 1 but found 2"));
    let b0 = &sim.urls().zeebe_brokers[0];
    let (_, p) = call_json("GET", &format!("{b0}/actuator/partitions/1"), None).await;
    assert_eq!(p["exporterPhase"], "EXPORTING", "nothing was paused");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hang_fault_makes_the_client_time_out() {
    let sim = sim().await;
    sim.control()
        .add_fault(Fault::new("zeebe", "get_backup", FaultKind::Hang).times(1));
    let url = format!("{}/actuator/backups/1", sim.urls().zeebe_gateway);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.get(&url).send().await.unwrap_err();
    assert!(err.is_timeout());
    let (s, _) = call("GET", &url, None).await;
    assert_eq!(s, 404, "the fault was used up");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_refuse_fault_stops_the_listener() {
    let sim = sim().await;
    sim.control()
        .add_fault(Fault::new("tasklist", "*", FaultKind::Refuse).times(1));
    let url = format!("{}/actuator/backups", sim.urls().tasklist);
    assert!(common::client().get(&url).send().await.is_err());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = common::client().get(&url).send().await.unwrap_err();
    assert!(err.is_connect());
    sim.control()
        .start_component(Component::Tasklist)
        .await
        .unwrap();
    assert_eq!(call("GET", &url, None).await.0, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_json_and_status_faults_are_used_up_after_times_uses() {
    let sim = sim().await;
    let c = sim.control();
    c.add_fault(Fault::new("optimize", "list_backups", FaultKind::MalformedJson).times(1));
    c.add_fault(
        Fault::new("operate", "take_backup", FaultKind::Status)
            .with_status(500, r#"{"message":"boom"}"#)
            .times(2),
    );
    let opt = format!("{}/actuator/backups", sim.urls().optimize);
    let (s, body) = call("GET", &opt, None).await;
    assert_eq!(s, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    assert_eq!(call("GET", &opt, None).await.1, "[]");

    let op = format!("{}/actuator/backups", sim.urls().operate);
    for _ in 0..2 {
        let (s, v) = call_json("POST", &op, Some(json!({"backupId": 1}))).await;
        assert_eq!((s, v), (500, json!({"message": "boom"})));
    }
    assert_eq!(call("POST", &op, Some(json!({"backupId": 1}))).await.0, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_call_log_records_every_request_in_order_with_its_status() {
    let sim = sim().await;
    let u = sim.urls().clone();
    call(
        "POST",
        &format!("{}/actuator/backups", u.optimize),
        Some(json!({"backupId": 9})),
    )
    .await;
    call(
        "POST",
        &format!("{}/actuator/exporting/pause?soft=true", u.zeebe_gateway),
        None,
    )
    .await;
    call("GET", &format!("{}/", u.elasticsearch), None).await;
    call(
        "GET",
        &format!("{}/actuator/partitions", u.zeebe_brokers[2]),
        None,
    )
    .await;
    let calls = sim.control().calls();
    let summary: Vec<(String, String, String, Option<String>, u16)> = calls
        .iter()
        .map(|c| {
            (
                c.component.clone(),
                c.method.clone(),
                c.path.clone(),
                c.query.clone(),
                c.status,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "optimize".into(),
                "POST".into(),
                "/actuator/backups".into(),
                None,
                202
            ),
            (
                "zeebe".into(),
                "POST".into(),
                "/actuator/exporting/pause".into(),
                Some("soft=true".into()),
                200
            ),
            ("elasticsearch".into(), "GET".into(), "/".into(), None, 200),
            (
                "broker2".into(),
                "GET".into(),
                "/actuator/partitions".into(),
                None,
                200
            ),
        ]
    );
    assert_eq!(calls[0].body.as_deref(), Some(r#"{"backupId":9}"#));
    assert!(calls.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(calls.windows(2).all(|w| w[0].at <= w[1].at));
    let ops: Vec<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    assert_eq!(ops, ["take_backup", "pause", "root", "partitions"]);
    let c = sim.control();
    assert_eq!(c.count_calls("optimize", "take_backup"), 1);
    assert_eq!(c.count_calls("broker", "partitions"), 1);
    assert_eq!(c.count_calls("broker2", "*"), 1);
    assert_eq!(c.count_calls("zeebe", "resume"), 0);
    assert_eq!(c.count_calls("*", "*"), 4);
    let (_, logged) = call_json("GET", &format!("{}/admin/calls", u.admin), None).await;
    assert_eq!(logged[0]["operation"], "take_backup");
    let at = logged[0]["at"].as_str().unwrap();
    chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339 arrival time");
    sim.control().clear_calls();
    assert!(sim.control().calls().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_admin_api_injects_faults_stops_components_and_switches_modes() {
    let sim = sim().await;
    let admin = &sim.urls().admin;
    let gw = &sim.urls().zeebe_gateway;
    let (s, _) = call_json(
        "POST",
        &format!("{admin}/admin/faults"),
        Some(json!({"component": "zeebe", "operation": "list_backups", "kind": "status", "status": 503, "body": "{}", "times": 1})),
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(
        call("GET", &format!("{gw}/actuator/backups"), None).await.0,
        503
    );
    let (s, _) = call_json(
        "POST",
        &format!("{admin}/admin/faults"),
        Some(json!({"kind": "nope"})),
    )
    .await;
    assert_eq!(s, 400);

    let (s, _) = call_json(
        "PUT",
        &format!("{admin}/admin/config"),
        Some(json!({"exporting_response": "real_204"})),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        call("POST", &format!("{gw}/actuator/exporting/resume"), None)
            .await
            .0,
        204
    );

    let (s, _) = call_json(
        "POST",
        &format!("{admin}/admin/components/elasticsearch/stop"),
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (_, st) = call_json("GET", &format!("{admin}/admin/state"), None).await;
    assert_eq!(st["components"]["elasticsearch"], false);
    let (s, _) = call_json("POST", &format!("{admin}/admin/components/mars/stop"), None).await;
    assert_eq!(s, 404);
    call_json(
        "POST",
        &format!("{admin}/admin/components/elasticsearch/start"),
        None,
    )
    .await;

    let (s, _) = call_json(
        "PUT",
        &format!("{admin}/admin/latency"),
        Some(json!({"default_ms": 0, "operations": {"zeebe.list_backups": 150}})),
    )
    .await;
    assert_eq!(s, 200);
    let t = std::time::Instant::now();
    call("GET", &format!("{gw}/actuator/backups"), None).await;
    assert!(t.elapsed() >= Duration::from_millis(150));

    let (_, calls) = call_json("GET", &format!("{admin}/admin/calls"), None).await;
    assert!(calls.as_array().unwrap().len() >= 3);
    assert_eq!(
        call("DELETE", &format!("{admin}/admin/calls"), None)
            .await
            .0,
        204
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn scenario_files_parse() {
    for f in [
        "default.toml",
        "legacy-errors.toml",
        "faults.toml",
        "secure.toml",
    ] {
        let path = format!("{}/scenarios/{f}", env!("CARGO_MANIFEST_DIR"));
        camunda_sim::SimConfig::from_file(&path).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}
