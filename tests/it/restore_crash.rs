//! A console killed at each step of a restore: a new console on the same journal resumes the
//! restore at a safe point (an interrupted snapshot restore is cleaned and redone), never
//! leaves it `running`, and ends with the cluster holding exactly the set's data.

use crate::common;

use camunda_sim::SimControl;
use common::{eventually, fast_sim, step_state, Doomed, APPS};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;

async fn get(addr: SocketAddr, path: &str) -> Option<Value> {
    common::client()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

async fn post(addr: SocketAddr, path: &str, body: Value) -> (u16, Value) {
    let r = common::client()
        .post(format!("http://{addr}{path}"))
        .json(&body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Plays the operator: does what each waiting operator step asks, then confirms it. Returns
/// when `stop` is seen (a step in a state) or the restore ended.
async fn drive(
    addr: SocketAddr,
    control: &SimControl,
    rid: i64,
    backup: u64,
    stop: Option<(&str, &str)>,
) -> Value {
    let mut done: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "restore {rid} did not get there"
        );
        let Some(r) = get(addr, &format!("/api/v1/restores/{rid}")).await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        if let Some((key, state)) = stop {
            if step_state(&r, key) == state {
                return r;
            }
        }
        if matches!(
            r["state"].as_str(),
            Some("completed" | "failed" | "cancelled")
        ) {
            return r;
        }
        for key in ["stop_apps", "restore_zeebe", "start_apps"] {
            if step_state(&r, key) != "waiting" || done.iter().any(|d| d == key) {
                continue;
            }
            match key {
                "stop_apps" => {
                    for c in APPS {
                        let _ = control.stop_component(c).await;
                    }
                }
                "restore_zeebe" => {
                    for b in 0..3 {
                        control.clear_broker_data(b).expect("clear");
                        let out = control
                            .restore_broker(b, backup, None)
                            .await
                            .expect("restore");
                        assert_eq!(out.exit_code, 0, "{:?}", out.log);
                    }
                }
                _ => {
                    for c in APPS {
                        let _ = control.start_component(c).await;
                    }
                }
            }
            let (status, body) = post(
                addr,
                &format!("/api/v1/restores/{rid}/steps/{key}/confirm"),
                Value::Null,
            )
            .await;
            assert_eq!(status, 202, "{key}: {body}");
            done.push(key.to_owned());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Kills the console when `key` is in `state`, restarts it, and finishes the restore.
async fn crash_at(
    key: &'static str,
    state: &'static str,
    slow: Option<(&str, u64)>,
) -> Result<(), String> {
    let mut config = fast_sim();
    // Slow enough to be seen mid-step.
    config.timing.es_restore_ms = 250;
    let sim = camunda_sim::start(config).await.expect("sim");
    let control = sim.control();
    control.set_latency(camunda_sim::LatencyConfig {
        default_ms: 0,
        operations: [("elasticsearch.delete_index".to_owned(), 30)]
            .into_iter()
            .chain(slow.map(|(op, ms)| (op.to_owned(), ms)))
            .collect(),
    });
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let settings = common::settings_for(sim.urls(), &db);

    let first = Doomed::start(settings.clone());
    let (status, b) = post(first.addr, "/api/v1/backups", serde_json::json!({})).await;
    assert_eq!(status, 202, "{b}");
    let backup = b["backupId"].as_i64().expect("id");
    eventually("backup done", Duration::from_secs(30), || async {
        let r = get(first.addr, &format!("/api/v1/backups/{backup}")).await?;
        (r["state"] == "completed").then_some(())
    })
    .await;
    control
        .write_es_docs("operate-list-view-8.3.0_", 10)
        .expect("write");
    control
        .write_es_docs("tasklist-after-backup-8.5.0_", 2)
        .expect("write");
    let (status, started) = post(
        first.addr,
        "/api/v1/restores",
        serde_json::json!({"backupId": backup, "confirm": "test"}),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let rid = started["restoreId"].as_i64().expect("rid");
    let backup_u = u64::try_from(backup).expect("id");
    let seen = drive(first.addr, &control, rid, backup_u, Some((key, state))).await;
    if step_state(&seen, key) != state {
        return Err(format!("{key}: never seen {state}: {seen}"));
    }
    tokio::task::spawn_blocking(move || first.kill())
        .await
        .expect("kill");

    // A new console on the same journal resumes the restore.
    let console = common::start_with(sim, settings).await;
    let end = drive(console.addr, &control, rid, backup_u, None).await;
    let result = if end["state"] != "completed" {
        Err(format!("{key}/{state}: ended {}: {:#}", end["state"], end))
    } else {
        let snapshots: Vec<String> =
            serde_json::from_value(end["restoreSnapshots"].clone()).expect("names");
        let wanted = common::snapshot_contents(&control.snapshot_state(), &snapshots);
        let wrong: Vec<String> = wanted
            .iter()
            .filter(|(i, c)| control.es_index_content(i).as_ref() != Some(*c))
            .map(|(i, _)| i.clone())
            .collect();
        if wanted.is_empty() || !wrong.is_empty() {
            Err(format!(
                "{key}/{state}: indices differ from the backup: {wrong:?}"
            ))
        } else if control.es_index("tasklist-after-backup-8.5.0_").is_some() {
            Err(format!(
                "{key}/{state}: data written after the backup survived"
            ))
        } else {
            Ok(())
        }
    };
    console.stop().await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_killed_at_any_step_resumes_and_ends_with_the_sets_data() {
    let cases = [
        ("stop_apps", "waiting", None),
        ("delete_indices", "running", None),
        ("restore_webapps", "running", None),
        ("restore_records", "running", None),
        ("restore_zeebe", "waiting", None),
        ("start_apps", "waiting", None),
        // Slow partition reads keep the post-restore checks running long enough to kill there.
        ("post_checks", "running", Some(("broker.partitions", 1500))),
    ];
    let mut failures = Vec::new();
    for (key, state, slow) in cases {
        if let Err(e) = crash_at(key, state, slow).await {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_snapshot_restore_is_cleaned_and_restored_again() {
    let mut config = fast_sim();
    config.timing.es_restore_ms = 150;
    let sim = camunda_sim::start(config).await.expect("sim");
    let control = sim.control();
    // Slow watching keeps a snapshot "restoring" in the journal long enough to kill there.
    control.set_latency(camunda_sim::LatencyConfig {
        default_ms: 0,
        operations: [("elasticsearch.cat_recovery".to_owned(), 300)].into(),
    });
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let settings = common::settings_for(sim.urls(), &db);
    let first = Doomed::start(settings.clone());
    let (_, b) = post(first.addr, "/api/v1/backups", serde_json::json!({})).await;
    let backup = b["backupId"].as_i64().expect("id");
    eventually("backup done", Duration::from_secs(30), || async {
        let r = get(first.addr, &format!("/api/v1/backups/{backup}")).await?;
        (r["state"] == "completed").then_some(())
    })
    .await;
    let (status, started) = post(
        first.addr,
        "/api/v1/restores",
        serde_json::json!({"backupId": backup, "confirm": "test"}),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let rid = started["restoreId"].as_i64().expect("rid");
    let backup_u = u64::try_from(backup).expect("id");
    drive(
        first.addr,
        &control,
        rid,
        backup_u,
        Some(("restore_webapps", "running")),
    )
    .await;
    eventually(
        "a snapshot being restored",
        Duration::from_secs(20),
        || async {
            let r = get(first.addr, &format!("/api/v1/restores/{rid}")).await?;
            r["progress"]["restoring"].is_string().then_some(())
        },
    )
    .await;
    tokio::task::spawn_blocking(move || first.kill())
        .await
        .expect("kill");

    // What the journal says was being restored, and a partial result: one index gone.
    let journal = camunda_backup_console::store::Store::connect(&db)
        .await
        .expect("journal");
    let view = journal.restore(rid).await.expect("read").expect("restore");
    drop(journal);
    let interrupted = view
        .progress
        .restoring
        .clone()
        .expect("the kill came while a snapshot was being restored");
    let indices = view
        .snapshot_indices
        .get(&interrupted)
        .cloned()
        .unwrap_or_default();
    let es = sim.urls().elasticsearch.clone();
    if let Some(first_index) = indices.first() {
        let _ = common::client()
            .delete(format!("{es}/{first_index}"))
            .send()
            .await;
    }
    control.clear_calls();

    let console = common::start_with(sim, settings).await;
    let end = drive(console.addr, &control, rid, backup_u, None).await;
    assert_eq!(end["state"], "completed", "{end:#}");
    let calls = control.calls();
    let restored_again = calls
        .iter()
        .filter(|c| c.operation == "restore_snapshot" && c.path.contains(&interrupted))
        .count();
    assert_eq!(
        restored_again, 1,
        "{interrupted} is restored again after the restart"
    );
    let cleaned: Vec<&str> = calls
        .iter()
        .filter(|c| c.operation == "delete_index")
        .map(|c| c.path.as_str())
        .collect();
    for index in indices.iter().skip(1) {
        assert!(
            cleaned.iter().any(|p| p.ends_with(index.as_str())),
            "{index} (partial) is deleted before the second restore: {cleaned:?}"
        );
    }
    for index in &indices {
        assert!(control.es_index(index).is_some(), "{index} restored");
    }
    console.stop().await;
}
