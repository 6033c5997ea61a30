//! The guards that hold before anything acts on its own: a set a restore uses cannot be
//! deleted (even forced), and no backup starts while a restore has not ended — judged from the
//! journal, not from a task in memory — or while the newest restore failed half-way.

use crate::common;

use camunda_sim::{Fault, FaultKind};
use common::{
    eventually, fast_sim, settings_for, start, start_with, step_state, TestConsole, APPS,
};
use serde_json::Value;
use std::time::Duration;

async fn completed_backup(console: &TestConsole) -> i64 {
    let backup = console.start_backup().await;
    assert_eq!(console.wait_terminal(backup).await["state"], "completed");
    backup
}

async fn start_restore(console: &TestConsole, backup: i64) -> i64 {
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    started["restoreId"].as_i64().expect("restoreId")
}

async fn delete(console: &TestConsole, backup: i64) -> (u16, Value) {
    let r = console
        .http
        .delete(console.url(&format!("/api/v1/backups/{backup}?force=true")))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn deletions_sent(console: &TestConsole) -> Vec<String> {
    console
        .changes()
        .into_iter()
        .filter(|c| c.contains(" DELETE "))
        .collect()
}

#[tokio::test]
async fn a_set_under_restore_is_not_deleted_even_when_forced() {
    let console = start(fast_sim()).await;
    let backup = completed_backup(&console).await;
    let rid = start_restore(&console, backup).await;
    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    console.sim.control().clear_calls();

    let (status, body) = delete(&console, backup).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "set_under_restore", "{body}");
    let words = body["error"]["message"].as_str().unwrap_or_default();
    assert!(words.contains(&format!("restore {rid}")), "{words}");
    assert!(
        deletions_sent(&console).is_empty(),
        "{:?}",
        deletions_sent(&console)
    );

    // Cancelled before anything was deleted: the set is free again.
    let (status, body) = console
        .post_json(&format!("/api/v1/restores/{rid}/cancel"), "")
        .await;
    assert_eq!(status, 202, "{body}");
    eventually("the restore cancelled", Duration::from_secs(20), || async {
        (console.restore(rid).await["state"] == "cancelled").then_some(())
    })
    .await;
    let (status, body) = delete(&console, backup).await;
    assert_eq!(status, 200, "{body}");
    console.stop().await;
}

#[tokio::test]
async fn a_failed_restore_keeps_its_set_and_blocks_backups_until_it_is_retried() {
    let console = start(fast_sim()).await;
    let control = console.sim.control();
    let backup = completed_backup(&console).await;
    let rid = start_restore(&console, backup).await;
    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    // Restoring the snapshots is refused: the restore fails after deleting the indices.
    control.add_fault(
        Fault::new("elasticsearch", "restore_snapshot", FaultKind::Status).with_status(
            500,
            r#"{"error":{"type":"snapshot_restore_exception","reason":"[camunda] cannot restore (test)"},"status":500}"#,
        ),
    );
    for c in APPS {
        control.stop_component(c).await.expect("stop");
    }
    console.confirm_step(rid, "stop_apps").await;
    let failed = eventually("the restore fails", Duration::from_secs(30), || async {
        let r = console.restore(rid).await;
        (r["state"] == "failed").then_some(r)
    })
    .await;
    assert_eq!(
        step_state(&failed, "delete_indices"),
        "completed",
        "{failed:#}"
    );

    let (status, body) = delete(&console, backup).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "set_under_restore", "{body}");
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "half_restored", "{body}");

    control.clear_faults();
    let (status, body) = console
        .post_json(&format!("/api/v1/restores/{rid}/retry"), "")
        .await;
    assert_eq!(status, 202, "{body}");
    console
        .until_restore_step(rid, "restore_zeebe", "waiting")
        .await;
    console.stop().await;
}

#[tokio::test]
async fn a_restore_whose_journal_write_failed_blocks_backups_and_can_be_retried() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let settings = settings_for(sim.urls(), &db);
    let console = start_with(sim, settings).await;
    let backup = completed_backup(&console).await;
    let rid = start_restore(&console, backup).await;
    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;

    // The database refuses the restore's next write (as a full disk would).
    let pool = sqlx::SqlitePool::connect(&db).await.expect("journal");
    sqlx::query("CREATE TRIGGER refuse_restore_events BEFORE INSERT ON restore_events BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;")
        .execute(&pool)
        .await
        .expect("trigger");
    let control = console.sim.control();
    for c in APPS {
        control.stop_component(c).await.expect("stop");
    }
    let stalled = eventually("the restore stalls", Duration::from_secs(20), || async {
        let r = console.restore(rid).await;
        r["stalled"].as_str().map(str::to_owned)
    })
    .await;
    assert!(stalled.contains("journal"), "{stalled}");
    assert_eq!(console.restore(rid).await["state"], "waiting");

    // The row is unfinished, so is the cluster: no backup starts.
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "restore_running", "{body}");

    // Fixed: a retry continues without a restart.
    sqlx::query("DROP TRIGGER refuse_restore_events")
        .execute(&pool)
        .await
        .expect("drop trigger");
    pool.close().await;
    let (status, body) = console
        .post_json(&format!("/api/v1/restores/{rid}/retry"), "")
        .await;
    assert_eq!(status, 202, "{body}");
    console.confirm_step(rid, "stop_apps").await;
    console
        .until_restore_step(rid, "restore_zeebe", "waiting")
        .await;
    assert!(console.restore(rid).await["stalled"].is_null());
    console.stop().await;
}

#[tokio::test]
async fn an_operate_whose_health_answers_late_is_not_taken_for_stopped() {
    let console = start(fast_sim()).await;
    let control = console.sim.control();
    let backup = completed_backup(&console).await;
    let rid = start_restore(&console, backup).await;
    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    // Everything stops but Operate, which is in a long GC pause: its health answers after 5 s
    // (the console waits 3 s for it).
    let mut latency = camunda_sim::LatencyConfig::default();
    latency.operations.insert("operate.health".into(), 5_000);
    control.set_latency(latency);
    for c in APPS
        .into_iter()
        .filter(|c| *c != camunda_sim::Component::Operate)
    {
        control.stop_component(c).await.expect("stop");
    }
    console.confirm_step(rid, "stop_apps").await;
    let detail = eventually(
        "the step naming Operate as not known to be stopped",
        Duration::from_secs(30),
        || async {
            let r = console.restore(rid).await;
            let s = r["steps"]
                .as_array()?
                .iter()
                .find(|s| s["key"] == "stop_apps")?
                .clone();
            let d = s["detail"].as_str()?.to_owned();
            (d.contains("Operate") && d.contains("not known to be stopped")).then_some(d)
        },
    )
    .await;
    assert!(
        detail.contains("no answer within") && detail.contains("since"),
        "{detail}"
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    let r = console.restore(rid).await;
    assert_eq!(step_state(&r, "stop_apps"), "waiting", "{r:#}");
    assert_eq!(step_state(&r, "delete_indices"), "pending", "{r:#}");
    assert!(
        deletions_sent(&console).is_empty(),
        "{:?}",
        deletions_sent(&console)
    );

    // Operate really stops: the restore goes on by itself.
    control.set_latency(camunda_sim::LatencyConfig::default());
    control
        .stop_component(camunda_sim::Component::Operate)
        .await
        .expect("stop");
    console
        .until_restore_step(rid, "restore_zeebe", "waiting")
        .await;
    console.stop().await;
}

#[tokio::test]
async fn a_restore_deletes_only_the_indices_of_the_configured_prefixes() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    let console = common::start_adjusted(sim, |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.index_prefixes.operate = "prod-operate".into();
        }
    })
    .await;
    let backup = completed_backup(&console).await;
    let control = console.sim.control();
    // An Operate index under the configured prefix, and another team's index that merely
    // starts with `camunda-` on the shared Elasticsearch.
    control
        .write_es_docs("prod-operate-list-view-8.3.0_", 3)
        .expect("write");
    control
        .write_es_docs("camunda-analytics-2026", 3)
        .expect("write");
    let (status, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    assert_eq!(status, 200, "{plan:#}");
    let deletes: Vec<String> = serde_json::from_value(plan["deleteIndices"].clone()).expect("list");
    assert!(
        deletes.iter().any(|i| i == "prod-operate-list-view-8.3.0_"),
        "{deletes:?}"
    );
    assert!(
        !deletes.iter().any(|i| i == "camunda-analytics-2026"),
        "{deletes:?}"
    );
    console.stop().await;
}

/// Anyone signed in may ask for restore plans: each reads its own set only (no listing of
/// every backup and snapshot) and takes the components' state from the prober, which verifies
/// the repository at most once a minute.
#[tokio::test]
async fn restore_plans_read_only_their_set_and_never_verify_the_repository_again() {
    let console = common::start_adjusted(fast_sim(), |s| {
        s.history_refresh = Duration::from_secs(3600);
        s.probe_interval = Duration::from_secs(3600);
    })
    .await;
    let backup = completed_backup(&console).await;
    eventually("the prober's overview", Duration::from_secs(10), || async {
        let (status, o) = console.get_json("/api/v1/cluster").await;
        (status == 200 && o["components"].is_array()).then_some(())
    })
    .await;
    let control = console.sim.control();
    control.clear_calls();
    let viewer = common::client_as(common::VIEWER_TOKEN);
    for _ in 0..5 {
        let r = viewer
            .post(console.url("/api/v1/restores/plan"))
            .header("content-type", "application/json")
            .body(format!("{{\"backupId\": {backup}}}"))
            .send()
            .await
            .expect("plan");
        assert_eq!(r.status().as_u16(), 200);
    }
    let calls = control.calls();
    let seen: Vec<String> = calls
        .iter()
        .map(|c| format!("{} {} {} ({})", c.component, c.method, c.path, c.operation))
        .collect();
    assert!(
        !calls.iter().any(|c| c.operation == "verify_repository"),
        "{seen:#?}"
    );
    assert!(
        !calls.iter().any(|c| c.path.ends_with("/_all")),
        "every snapshot was listed: {seen:#?}"
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.method == "GET" && c.path.ends_with("/actuator/backups")),
        "a whole backup list was read: {seen:#?}"
    );
    console.stop().await;
}
