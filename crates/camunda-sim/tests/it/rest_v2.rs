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
