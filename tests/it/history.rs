//! The backup history over real HTTP: one row per backup id merged from the journal, the
//! components' lists and the repository; sets the console did not take appear too; an
//! unreachable component is `UNKNOWN`, never `MISSING`; pages follow the cursor.

use crate::common;

use common::{eventually, fast_sim, start};
use serde_json::Value;
use std::time::Duration;

async fn row(console: &common::TestConsole, id: i64, until: impl Fn(&Value) -> bool) -> Value {
    eventually(
        &format!("history row {id}"),
        Duration::from_secs(15),
        || async {
            let (status, page) = console.get_json("/api/v1/backups?limit=500").await;
            assert_eq!(status, 200, "{page}");
            page["items"]
                .as_array()?
                .iter()
                .find(|r| r["backupId"] == id)
                .filter(|r| until(r))
                .cloned()
        },
    )
    .await
}

/// Takes every part of backup `id` directly on the simulator, as a script would.
async fn take_by_hand(urls: &camunda_sim::SimUrls, id: i64, parts: &[&str]) {
    let http = common::client();
    let body = serde_json::json!({ "backupId": id });
    for part in parts {
        let request = match *part {
            "zeebe" => http.post(format!("{}/actuator/backups", urls.zeebe_gateway)).json(&body),
            "operate" => http.post(format!("{}/actuator/backups", urls.operate)).json(&body),
            "tasklist" => http.post(format!("{}/actuator/backups", urls.tasklist)).json(&body),
            "optimize" => http.post(format!("{}/actuator/backups", urls.optimize)).json(&body),
            _ => http
                .put(format!(
                    "{}/_snapshot/camunda/camunda_zeebe_records_backup_{id}?wait_for_completion=true",
                    urls.elasticsearch
                ))
                .json(&serde_json::json!({"indices": "zeebe-record*", "feature_states": ["none"]})),
        };
        let status = request.send().await.expect("sim answers").status();
        assert!(status.is_success(), "{part}: {status}");
    }
}

#[tokio::test]
async fn a_console_backup_is_one_restorable_row_with_every_part_completed() {
    let console = start(fast_sim()).await;
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    let r = row(&console, id, |r| r["restorable"] == true).await;
    assert_eq!(r["state"], "completed", "{r}");
    assert_eq!(r["verdict"], "restorable");
    assert!(r["reason"].is_null());
    for part in ["zeebe", "operate", "tasklist", "optimize", "zeebeRecords"] {
        assert_eq!(r["components"][part]["state"], "COMPLETED", "{part}: {r}");
    }
    assert_eq!(r["startedBy"], "this console");
    // The detail keeps the run and adds the set.
    let (status, detail) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        detail["steps"].is_array() && detail["restorable"] == true,
        "{detail}"
    );
    assert_eq!(
        detail["components"]["operate"]["snapshots"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    let (_, page) = console.get_json("/api/v1/backups").await;
    assert_eq!(page["summary"]["newestRestorable"], id, "{page}");
    console.stop().await;
}

#[tokio::test]
async fn sets_taken_elsewhere_appear_and_a_lone_part_is_named() {
    let console = start(fast_sim()).await;
    let urls = console.sim.urls().clone();
    take_by_hand(
        &urls,
        50,
        &["optimize", "operate", "tasklist", "records", "zeebe"],
    )
    .await;
    let r = row(&console, 50, |r| r["restorable"] == true).await;
    assert!(r["state"].is_null(), "{r}");
    assert!(r["startedBy"]
        .as_str()
        .unwrap_or_default()
        .starts_with("not this console"));
    let (status, detail) = console.get_json("/api/v1/backups/50").await;
    assert_eq!(status, 200);
    assert!(
        detail["state"].is_null() && detail["restorable"] == true,
        "{detail}"
    );

    take_by_hand(&urls, 60, &["records"]).await;
    let r = row(&console, 60, |r| r["verdict"] == "partial").await;
    let reason = r["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("Orphaned part(s): records snapshot"),
        "{reason}"
    );
    assert!(reason.contains("Zeebe missing"), "{reason}");
    assert_eq!(r["components"]["operate"]["state"], "MISSING");
    let (status, _) = console.get_json("/api/v1/backups/999").await;
    assert_eq!(status, 404);
    console.stop().await;
}

#[tokio::test]
async fn an_unreachable_component_is_unknown_with_its_last_known_state() {
    let console = start(fast_sim()).await;
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    row(&console, id, |r| r["restorable"] == true).await;
    console
        .sim
        .control()
        .stop_component(camunda_sim::Component::Operate)
        .await
        .expect("stop");
    let r = row(&console, id, |r| {
        r["components"]["operate"]["state"] == "UNKNOWN"
    })
    .await;
    assert_eq!(r["components"]["operate"]["lastKnown"], "COMPLETED", "{r}");
    assert_eq!(r["restorable"], false);
    assert_eq!(r["verdict"], "unknown");
    let (_, page) = console.get_json("/api/v1/backups").await;
    assert!(
        page["stale"]
            .as_str()
            .unwrap_or_default()
            .contains("Operate"),
        "{page}"
    );
    console.stop().await;
}

#[tokio::test]
async fn pages_follow_the_cursor_and_filters_are_checked() {
    let console = start(fast_sim()).await;
    let urls = console.sim.urls().clone();
    for id in [10, 20, 30] {
        take_by_hand(&urls, id, &["records"]).await;
    }
    row(&console, 10, |_| true).await;
    let (_, first) = console.get_json("/api/v1/backups?limit=2").await;
    let ids: Vec<i64> = first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["backupId"].as_i64())
        .collect();
    assert_eq!(ids, [30, 20], "{first}");
    let cursor = first["nextCursor"].as_str().expect("cursor").to_owned();
    let (_, second) = console
        .get_json(&format!("/api/v1/backups?limit=2&cursor={cursor}"))
        .await;
    let ids: Vec<i64> = second["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["backupId"].as_i64())
        .collect();
    assert_eq!(ids, [10], "{second}");
    assert!(second["nextCursor"].is_null());
    let (_, partial) = console.get_json("/api/v1/backups?verdict=restorable").await;
    assert_eq!(
        partial["items"].as_array().map(Vec::len),
        Some(0),
        "{partial}"
    );
    for bad in [
        "limit=0",
        "limit=x",
        "verdict=great",
        "cursor=30",
        "from=yesterday",
    ] {
        let (status, body) = console.get_json(&format!("/api/v1/backups?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query");
    }
    console.stop().await;
}

async fn delete(console: &common::TestConsole, path: &str) -> (u16, Value) {
    let r = console
        .http
        .delete(console.url(path))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn deleting_a_set_removes_every_part_refuses_the_newest_restorable_and_names_what_failed() {
    let console = start(fast_sim()).await;
    let older = console.start_backup().await;
    console.wait_terminal(older).await;
    let newer = console.start_backup().await;
    console.wait_terminal(newer).await;
    row(&console, newer, |r| r["restorable"] == true).await;

    // The newest restorable set is refused without force.
    let (status, body) = delete(&console, &format!("/api/v1/backups/{newer}")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "newest_restorable");

    // A part that fails is named; the others are still deleted.
    console.sim.control().add_fault(
        camunda_sim::Fault::new("operate", "delete_backup", camunda_sim::FaultKind::Status)
            .with_status(500, r#"{"message":"Elasticsearch is read-only"}"#)
            .times(1),
    );
    let (status, outcome) = delete(&console, &format!("/api/v1/backups/{older}")).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["complete"], false, "{outcome}");
    assert!(
        outcome["left"]
            .as_str()
            .unwrap_or_default()
            .contains("Operate"),
        "{outcome}"
    );
    let results: Vec<(String, String)> = outcome["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["part"].as_str().unwrap_or("").to_owned(),
                p["result"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for (part, result) in &results {
        let expected = if part == "operate" {
            "failed"
        } else {
            "deleted"
        };
        assert_eq!(result, expected, "{part}: {outcome}");
    }
    // The row says what is left: Operate's backup, nothing else.
    let r = row(&console, older, |r| {
        r["components"]["zeebe"]["state"] == "MISSING"
    })
    .await;
    assert_eq!(r["components"]["operate"]["state"], "COMPLETED", "{r}");
    assert_eq!(r["components"]["zeebeRecords"]["state"], "MISSING", "{r}");
    assert_eq!(r["restorable"], false);

    // Again: now complete; both attempts are in the journal.
    let (status, outcome) = delete(&console, &format!("/api/v1/backups/{older}")).await;
    assert_eq!(status, 200);
    assert_eq!(outcome["complete"], true, "{outcome}");
    let (_, detail) = console.get_json(&format!("/api/v1/backups/{older}")).await;
    assert_eq!(
        detail["deletions"].as_array().map(Vec::len),
        Some(2),
        "{detail}"
    );

    // With force, the newest goes too.
    let (status, outcome) = delete(&console, &format!("/api/v1/backups/{newer}?force=true")).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["complete"], true);
    assert_eq!(outcome["forced"], true);
    let (status, _) = delete(&console, "/api/v1/backups/424242").await;
    assert_eq!(status, 404);
    console.stop().await;
}

#[tokio::test]
async fn with_a_source_away_a_deletion_needs_force() {
    let console = start(fast_sim()).await;
    let older = console.start_backup().await;
    console.wait_terminal(older).await;
    let newer = console.start_backup().await;
    console.wait_terminal(newer).await;
    console
        .sim
        .control()
        .stop_component(camunda_sim::Component::Operate)
        .await
        .expect("stop");
    // Every set now reads UNKNOWN: which one is the newest restorable cannot be told.
    let (status, body) = delete(&console, &format!("/api/v1/backups/{newer}")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "sources_unavailable", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Operate"),
        "{body}"
    );
    // Nothing was deleted.
    let zeebe: Value = reqwest::get(format!(
        "{}/actuator/backups/{newer}",
        console.sim.urls().zeebe_gateway
    ))
    .await
    .expect("zeebe")
    .json()
    .await
    .expect("json");
    assert_eq!(zeebe["state"], "COMPLETED", "{zeebe}");
    console.stop().await;
}

#[tokio::test]
async fn the_detail_shows_snapshot_sizes_read_once_and_kept() {
    let console = start(fast_sim()).await;
    let id = console.start_backup().await;
    console.wait_terminal(id).await;
    row(&console, id, |r| r["restorable"] == true).await;
    let control = console.sim.control();
    let (status, detail) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_eq!(status, 200, "{detail}");
    let mut sum = 0u64;
    for part in ["operate", "tasklist", "optimize", "zeebeRecords"] {
        for s in detail["components"][part]["snapshots"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let size = s["sizeBytes"]
                .as_u64()
                .unwrap_or_else(|| panic!("{part}: no size in {s}"));
            assert!(size > 0, "{part}: {s}");
            sum += size;
        }
    }
    // Known sizes are kept: neither the detail, the pages nor the refresher (every second
    // here) read `_status` again.
    control.clear_calls();
    let (_, again) = console.get_json(&format!("/api/v1/backups/{id}")).await;
    assert_eq!(again["components"], detail["components"]);
    let r = row(&console, id, |r| r["sizeBytes"].is_u64()).await;
    assert_eq!(r["sizeBytes"].as_u64(), Some(sum), "{r}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        control.count_calls("elasticsearch", "snapshot_status"),
        0,
        "sizes are read once"
    );
    console.stop().await;
}

#[tokio::test]
async fn a_deletion_shows_each_part_while_it_runs() {
    let console = start(fast_sim()).await;
    let older = console.start_backup().await;
    console.wait_terminal(older).await;
    let newer = console.start_backup().await;
    console.wait_terminal(newer).await;
    row(&console, newer, |r| r["restorable"] == true).await;
    // Tasklist deletes slowly: the deletion is seen with Zeebe and Operate done, Tasklist
    // deleting and the rest waiting.
    console
        .sim
        .control()
        .set_latency(camunda_sim::LatencyConfig {
            default_ms: 0,
            operations: [("tasklist.delete_backup".to_owned(), 1500)].into(),
        });
    let path = format!("/api/v1/backups/{older}");
    let deleting = {
        let (http, url) = (console.http.clone(), console.url(&path));
        tokio::spawn(async move { http.delete(url).send().await.map(|r| r.status().as_u16()) })
    };
    let seen = eventually("tasklist deleting", Duration::from_secs(10), || async {
        let (_, detail) = console.get_json(&path).await;
        let parts = detail["deletion"]["parts"].as_array()?.clone();
        let state = |p: &str| {
            parts
                .iter()
                .find(|x| x["part"] == p)
                .map(|x| x["result"].as_str().unwrap_or("").to_owned())
        };
        (state("tasklist")? == "deleting").then(|| {
            (
                state("zeebe"),
                state("operate"),
                state("zeebeRecords"),
                detail["deletion"]["finished"].clone(),
            )
        })
    })
    .await;
    assert_eq!(
        seen,
        (
            Some("deleted".into()),
            Some("deleted".into()),
            Some("waiting".into()),
            Value::Bool(false)
        )
    );
    assert_eq!(deleting.await.ok().and_then(Result::ok), Some(200));
    let (_, detail) = console.get_json(&path).await;
    assert_eq!(detail["deletion"]["finished"], true, "{detail}");
    assert!(
        detail["deletion"]["parts"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|p| p["result"] == "deleted"),
        "{detail}"
    );
    console.stop().await;
}
