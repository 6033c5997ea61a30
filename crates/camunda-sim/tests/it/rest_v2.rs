//! 8.10's authenticated REST API (`/v2` on the REST port, docs/camunda-api-8.8-8.10.md §3.2):
//! 401 without credentials, 403 problem details naming the missing permission, real status
//! codes (204 pause/resume, 202 takes), lists newest first; absent before 8.10.

use crate::common;

use std::time::Duration;

use camunda_sim::{start, AuthConfig, ManagementAuth};
use common::fast_config;
use serde_json::{json, Value};

const USER: &str = "console";
const PASSWORD: &str = "rest-s3cret";

async fn sim_810(permissions: Option<&[&str]>) -> camunda_sim::RunningSimulator {
    let mut c = fast_config();
    c.version = "8.10.0".into();
    c.auth = AuthConfig {
        rest: Some(ManagementAuth::basic(USER, PASSWORD)),
        rest_permissions: permissions.map(|p| p.iter().map(|s| (*s).to_owned()).collect()),
        ..Default::default()
    };
    start(c).await.expect("simulator starts")
}

fn assert_phases(sim: &camunda_sim::RunningSimulator, want: &str) {
    let state = sim.control().snapshot_state();
    let phases = state["zeebe"]["exporter_phases"]
        .as_object()
        .expect("phases");
    assert!(phases.values().all(|p| p == want), "{phases:?}");
}

/// `(status, content type, JSON body or Null)` of one authenticated call.
async fn rest(method: &str, url: &str, body: Option<Value>, auth: bool) -> (u16, String, Value) {
    let client = common::client();
    let mut req = client.request(method.parse().expect("method"), url);
    if auth {
        req = req.basic_auth(USER, Some(PASSWORD));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = resp.text().await.expect("body");
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_v2_api_demands_credentials_and_names_a_missing_permission() {
    let sim = sim_810(Some(&["BACKUP:READ"])).await;
    let api = &sim.urls().rest;

    let (s, ct, body) = rest("GET", &format!("{api}/v2/backups/runtime"), None, false).await;
    assert_eq!(
        (s, ct.as_str()),
        (401, "application/problem+json"),
        "{body}"
    );

    let (s, _, list) = rest("GET", &format!("{api}/v2/backups/history"), None, true).await;
    assert_eq!((s, list), (200, json!([])));

    let (s, ct, p) = rest(
        "POST",
        &format!("{api}/v2/backups/history"),
        Some(json!({"backupId": 5})),
        true,
    )
    .await;
    assert_eq!((s, ct.as_str()), (403, "application/problem+json"));
    assert_eq!(
        p["detail"],
        "Unauthorized to perform operation 'CREATE' on resource 'BACKUP'"
    );
    assert_eq!(p["status"], 403);

    let (s, _, p) = rest(
        "POST",
        &format!("{api}/v2/exporting/pause?soft=true"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 403);
    let detail = p["detail"].as_str().expect("detail");
    assert!(
        detail.contains("'PAUSE' on 'EXPORTER'") && detail.contains("'UPDATE' on 'SYSTEM'"),
        "{detail}"
    );
    // Nothing was taken or paused.
    assert_phases(&sim, "EXPORTING");
}

#[tokio::test]
async fn a_whole_set_is_taken_with_real_status_codes() {
    let sim = sim_810(None).await;
    let api = &sim.urls().rest;

    let (s, _, _) = rest(
        "POST",
        &format!("{api}/v2/exporting/pause?soft=true"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 204);
    assert_phases(&sim, "SOFT_PAUSED");

    let (s, _, taken) = rest(
        "POST",
        &format!("{api}/v2/backups/history"),
        Some(json!({"backupId": 7})),
        true,
    )
    .await;
    assert_eq!(s, 202, "{taken}");
    assert_eq!(taken["backupId"], 7);
    assert!(taken["scheduledSnapshots"][0]
        .as_str()
        .is_some_and(|n| n.starts_with("camunda_webapps_7_8.10.0_part_1_of_")));

    let (s, _, taken) = rest(
        "POST",
        &format!("{api}/v2/backups/runtime"),
        Some(json!({"backupId": 7})),
        true,
    )
    .await;
    assert_eq!((s, taken), (202, json!({"backupId": 7})));

    let (s, _, again) = rest(
        "POST",
        &format!("{api}/v2/backups/runtime"),
        Some(json!({"backupId": 7})),
        true,
    )
    .await;
    assert_eq!(s, 409, "{again}");
    assert!(again["detail"]
        .as_str()
        .is_some_and(|d| d.contains("latest backup has id 7")));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (s, _, b) = rest("GET", &format!("{api}/v2/backups/runtime/7"), None, true).await;
        assert_eq!(s, 200);
        if b["state"] == "COMPLETED" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{b}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (s, _, none) = rest("GET", &format!("{api}/v2/backups/runtime/99"), None, true).await;
    assert_eq!(s, 404, "{none}");

    let (s, _, _) = rest("POST", &format!("{api}/v2/exporting/resume"), None, true).await;
    assert_eq!(s, 204);
    assert_phases(&sim, "EXPORTING");
}

#[tokio::test]
async fn before_8_10_the_v2_backup_paths_do_not_exist() {
    let mut c = fast_config();
    c.version = "8.9.1".into();
    let sim = start(c).await.expect("simulator starts");
    let api = &sim.urls().rest;
    let (s, _, _) = rest("GET", &format!("{api}/v2/backups/runtime"), None, false).await;
    assert_eq!(s, 404);
}

/// Polls `GET /actuator/cluster` until change `id` is the last one and none is pending.
async fn change_completed(sim: &camunda_sim::RunningSimulator, id: &str) -> Value {
    let gw = &sim.urls().zeebe_gateway;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (s, c) = common::call_json("GET", &format!("{gw}/actuator/cluster"), None).await;
        assert_eq!(s, 200);
        if c["lastChange"]["id"].to_string().trim_matches('"') == id && c["pendingChange"].is_null()
        {
            return c;
        }
        assert!(tokio::time::Instant::now() < deadline, "{c}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_in_cluster_restore_needs_recovery_mode_and_reports_per_partition() {
    let sim = sim_810(None).await;
    let api = &sim.urls().rest;
    let (s, _, _) = rest(
        "POST",
        &format!("{api}/v2/backups/runtime"),
        Some(json!({"backupId": 3})),
        true,
    )
    .await;
    assert_eq!(s, 202);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, _, b) = rest("GET", &format!("{api}/v2/backups/runtime/3"), None, true).await;
        if b["state"] == "COMPLETED" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{b}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let restore = json!({"backupIds": [3]});
    // Not in recovery mode: 409; nothing in flight: 404.
    let (s, _, p) = rest(
        "POST",
        &format!("{api}/v2/restore"),
        Some(restore.clone()),
        true,
    )
    .await;
    assert_eq!(s, 409, "{p}");
    let (s, _, _) = rest("GET", &format!("{api}/v2/restore"), None, true).await;
    assert_eq!(s, 404);

    // A dry run of the mode change changes nothing.
    let (s, _, dry) = rest(
        "PATCH",
        &format!("{api}/v2/mode?mode=RECOVERING&dryRun=true"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 200, "{dry}");
    assert_eq!(dry["plannedChanges"].as_array().map(Vec::len), Some(3));
    let (s, _, changed) = rest(
        "PATCH",
        &format!("{api}/v2/mode?mode=RECOVERING"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 200, "{changed}");
    let id = changed["changeId"].as_str().expect("changeId").to_owned();
    let cluster = change_completed(&sim, &id).await;
    assert_eq!(cluster["brokers"][0]["mode"], "RECOVERING", "{cluster}");

    // Two ids, or an unknown one, are refused; a dry run plans and applies nothing.
    let (s, _, _) = rest(
        "POST",
        &format!("{api}/v2/restore"),
        Some(json!({"backupIds": [3, 4]})),
        true,
    )
    .await;
    assert_eq!(s, 400);
    let (s, _, p) = rest(
        "POST",
        &format!("{api}/v2/restore?dryRun=true"),
        Some(json!({"backupIds": [9]})),
        true,
    )
    .await;
    assert_eq!(s, 400, "{p}");
    let (s, _, plan) = rest(
        "POST",
        &format!("{api}/v2/restore?dryRun=true"),
        Some(restore.clone()),
        true,
    )
    .await;
    assert_eq!(s, 200, "{plan}");
    let (s, _, _) = rest("GET", &format!("{api}/v2/restore"), None, true).await;
    assert_eq!(s, 404);

    let (s, _, started) = rest("POST", &format!("{api}/v2/restore"), Some(restore), true).await;
    assert_eq!(s, 202, "{started}");
    let change = started["changeId"].as_str().expect("changeId").to_owned();
    let mut states = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (s, _, progress) = rest("GET", &format!("{api}/v2/restore"), None, true).await;
        if s == 404 {
            break;
        }
        assert_eq!(progress["changeId"], change.as_str());
        assert_eq!(progress["brokers"].as_array().map(Vec::len), Some(3));
        for b in progress["brokers"].as_array().expect("brokers") {
            for p in b["partitions"].as_array().expect("partitions") {
                states.insert(p["state"].as_str().unwrap_or("").to_owned());
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "{progress}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(states.contains("RESTORED"), "{states:?}");
    // The change completed and switched every broker back to PROCESSING.
    let cluster = change_completed(&sim, &change).await;
    assert_eq!(cluster["lastChange"]["status"], "COMPLETED");
    assert_eq!(cluster["brokers"][2]["mode"], "PROCESSING");
    let state = sim.control().snapshot_state();
    let restored = &state["zeebe"]["brokers"]["0"]["partitions"]["1"]["restored_from_backup"];
    assert_eq!(*restored, 3, "{state}");
}

#[tokio::test]
async fn the_restore_needs_backup_restore_and_the_mode_change_either_permission() {
    let sim = sim_810(Some(&["BACKUP:READ", "SYSTEM:UPDATE"])).await;
    let api = &sim.urls().rest;
    let (s, _, _) = rest(
        "PATCH",
        &format!("{api}/v2/mode?mode=RECOVERING&dryRun=true"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, p) = rest("GET", &format!("{api}/v2/restore"), None, true).await;
    assert_eq!(s, 403);
    assert_eq!(
        p["detail"],
        "Unauthorized to perform operation 'RESTORE' on resource 'BACKUP'"
    );
    let sim = sim_810(Some(&["BACKUP:READ"])).await;
    let api = &sim.urls().rest;
    let (s, _, p) = rest(
        "PATCH",
        &format!("{api}/v2/mode?mode=RECOVERING&dryRun=true"),
        None,
        true,
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(
        p["detail"],
        "Unauthorized to perform any of the operations: 'RESTORE' on 'BACKUP' or 'UPDATE' on 'SYSTEM'"
    );
}
