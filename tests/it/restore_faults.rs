//! Faults during a restore's execution end in a truthful state with a clear next step: what
//! was done (indices deleted, snapshots restored) and what to do now.

use crate::common;

use camunda_sim::{Component, Fault, FaultKind};
use common::{eventually, fast_sim, start, step_state, TestConsole, APPS};
use serde_json::Value;
use std::time::Duration;

/// Takes a backup, starts its restore, stops the apps and confirms: the console then deletes
/// and restores by itself. Returns the backup and restore ids.
async fn restore_past_stop(console: &TestConsole) -> (i64, i64) {
    let backup = console.start_backup().await;
    assert_eq!(console.wait_terminal(backup).await["state"], "completed");
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let rid = started["restoreId"].as_i64().expect("rid");
    let control = console.sim.control();
    for c in APPS {
        control.stop_component(c).await.expect("stop");
    }
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/stop_apps/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 202);
    (backup, rid)
}

async fn ended(console: &TestConsole, rid: i64) -> Value {
    eventually("the restore ends", Duration::from_secs(30), || async {
        let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
        matches!(
            r["state"].as_str(),
            Some("completed" | "failed" | "cancelled")
        )
        .then_some(r)
    })
    .await
}

#[tokio::test]
async fn an_index_elasticsearch_refuses_to_delete_fails_the_restore_naming_it_and_what_was_done() {
    let console = start(fast_sim()).await;
    // Every index deletion is refused (a read-only cluster block).
    console.sim.control().add_fault(
        Fault::new("elasticsearch", "delete_index", FaultKind::Status)
            .with_status(
                403,
                r#"{"error":{"type":"cluster_block_exception","reason":"index [x] blocked by: [FORBIDDEN/8/index write (api)];"},"status":403}"#,
            ),
    );
    let (backup, rid) = restore_past_stop(&console).await;
    let r = ended(&console, rid).await;
    assert_eq!(r["state"], "failed", "{r:#}");
    assert_eq!(step_state(&r, "delete_indices"), "failed");
    assert_eq!(step_state(&r, "restore_webapps"), "pending");
    let error = r["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Deleting index") && error.contains("blocked"),
        "{error}"
    );
    let next = r["nextAction"].as_str().unwrap_or_default();
    assert!(next.contains("0 snapshots restored"), "{next}");
    assert!(
        next.contains(&format!("/api/v1/restores/{rid}/retry")),
        "{next}"
    );
    // Fixed: the retry continues from the failed step and the restore completes.
    let control = console.sim.control();
    control.clear_faults();
    let (status, body) = console
        .post_json(&format!("/api/v1/restores/{rid}/retry"), "")
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, _) = console
        .post_json(&format!("/api/v1/restores/{rid}/retry"), "")
        .await;
    assert_eq!(status, 409, "only a failed restore can be retried");
    eventually("restore_zeebe waiting", Duration::from_secs(30), || async {
        let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
        assert_ne!(r["state"], "failed", "{r:#}");
        (step_state(&r, "restore_zeebe") == "waiting").then_some(())
    })
    .await;
    let id = u64::try_from(backup).expect("id");
    for b in 0..3 {
        control.clear_broker_data(b).expect("clear");
        assert_eq!(
            control
                .restore_broker(b, id, None)
                .await
                .expect("run")
                .exit_code,
            0
        );
    }
    console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/restore_zeebe/confirm"),
            "",
        )
        .await;
    eventually("start_apps waiting", Duration::from_secs(30), || async {
        let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
        (step_state(&r, "start_apps") == "waiting").then_some(())
    })
    .await;
    for c in APPS {
        control.start_component(c).await.expect("start");
    }
    console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/start_apps/confirm"),
            "",
        )
        .await;
    let r = ended(&console, rid).await;
    assert_eq!(r["state"], "completed", "{r:#}");
    console.stop().await;
}

#[tokio::test]
async fn a_snapshot_elasticsearch_refuses_to_restore_fails_the_restore_with_the_reason() {
    let console = start(fast_sim()).await;
    console.sim.control().add_fault(
        Fault::new("elasticsearch", "restore_snapshot", FaultKind::Status).with_status(
            500,
            r#"{"error":{"type":"snapshot_restore_exception","reason":"[camunda:x] cannot restore index [operate-list-view-8.3.0_] because an open index with same name already exists in the cluster"},"status":500}"#,
        ),
    );
    let (_, rid) = restore_past_stop(&console).await;
    let r = ended(&console, rid).await;
    assert_eq!(r["state"], "failed", "{r:#}");
    assert_eq!(step_state(&r, "delete_indices"), "completed");
    assert_eq!(step_state(&r, "restore_webapps"), "failed");
    let error = r["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("refused to restore") && error.contains("open index"),
        "{error}"
    );
    assert!(r["nextAction"]
        .as_str()
        .unwrap_or_default()
        .contains("retry the restore"));
    // Cancel is refused now: data was deleted.
    let (status, _) = console
        .post_json(&format!("/api/v1/restores/{rid}/cancel"), "")
        .await;
    assert_eq!(status, 409);
    console.stop().await;
}

#[tokio::test]
async fn a_component_that_answers_again_pauses_the_deletion_until_it_stops() {
    let mut config = fast_sim();
    config.timing.es_restore_ms = 50;
    let console = start(config).await;
    let control = console.sim.control();
    control.set_latency(camunda_sim::LatencyConfig {
        default_ms: 0,
        operations: [("elasticsearch.delete_index".to_owned(), 40)].into(),
    });
    let (_, rid) = restore_past_stop(&console).await;
    eventually("deleting", Duration::from_secs(20), || async {
        let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
        (step_state(&r, "delete_indices") == "running").then_some(())
    })
    .await;
    control
        .start_component(Component::Operate)
        .await
        .expect("start");
    let r = eventually("deletion paused", Duration::from_secs(20), || async {
        let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
        (step_state(&r, "delete_indices") == "waiting").then_some(r)
    })
    .await;
    assert_eq!(r["state"], "waiting");
    let deleted = r["progress"]["deleted"].as_array().map_or(0, Vec::len);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, still) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
    assert_eq!(
        still["progress"]["deleted"].as_array().map_or(0, Vec::len),
        deleted,
        "nothing is deleted while Operate answers"
    );
    control
        .stop_component(Component::Operate)
        .await
        .expect("stop");
    eventually(
        "deletion resumed and done",
        Duration::from_secs(30),
        || async {
            let (_, r) = console.get_json(&format!("/api/v1/restores/{rid}")).await;
            (step_state(&r, "delete_indices") == "completed").then_some(())
        },
    )
    .await;
    console.stop().await;
}

#[tokio::test]
async fn console_steps_cannot_be_confirmed_and_unknown_steps_are_404() {
    // Cross-site writes of a browser session are refused by the gate (tests/it/auth.rs).
    let console = start(fast_sim()).await;
    let backup = console.start_backup().await;
    console.wait_terminal(backup).await;
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let rid = started["restoreId"].as_i64().expect("rid");
    let (status, body) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/delete_indices/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/no_such_step/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = console
        .post_json(&format!("/api/v1/restores/{rid}/cancel"), "")
        .await;
    assert_eq!(status, 202);
    console.stop().await;
}

fn check(plan: &Value, key: &str) -> (String, String) {
    plan["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["key"] == key))
        .map(|c| {
            (
                c["state"].as_str().unwrap_or("").to_owned(),
                c["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn each_failed_preflight_check_blocks_the_start_with_its_reason() {
    let console = start(fast_sim()).await;
    let backup = console.start_backup().await;
    console.wait_terminal(backup).await;
    let control = console.sim.control();
    let body = format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}");
    let plan_body = format!("{{\"backupId\": {backup}}}");

    // No index templates (an Elasticsearch the apps never started against).
    control.wipe_elasticsearch();
    let (status, plan) = console.post_json("/api/v1/restores/plan", &plan_body).await;
    assert_eq!(status, 200, "{plan}");
    let (state, message) = check(&plan, "templates");
    assert_eq!(state, "fail", "{plan:#}");
    assert!(
        message.contains("start Zeebe, Operate, Tasklist and Optimize once"),
        "{message}"
    );
    assert_eq!(plan["ready"], false);
    let (status, refused) = console.post_json("/api/v1/restores", &body).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "checks_failed");

    // A snapshot of the set gone from the repository.
    let es = &console.sim.urls().elasticsearch;
    let http = common::client();
    let gone = format!("camunda_zeebe_records_backup_{backup}");
    let r = http
        .delete(format!("{es}/_snapshot/camunda/{gone}"))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success());
    let (_, plan) = console.post_json("/api/v1/restores/plan", &plan_body).await;
    let (state, message) = check(&plan, "snapshots");
    assert_eq!(state, "fail", "{plan:#}");
    assert!(message.contains(&gone), "{message}");

    // The repository itself gone.
    let r = http
        .delete(format!("{es}/_snapshot/camunda"))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success());
    let (_, plan) = console.post_json("/api/v1/restores/plan", &plan_body).await;
    let (state, message) = check(&plan, "repository");
    assert_eq!(state, "fail", "{plan:#}");
    assert!(message.contains("register it"), "{message}");
    let (status, _) = console.post_json("/api/v1/restores", &body).await;
    assert_eq!(status, 409);
    assert!(control
        .calls()
        .iter()
        .all(|c| c.operation != "delete_index" && c.operation != "restore_snapshot"));
    console.stop().await;
}

#[tokio::test]
async fn a_running_backup_or_an_unreachable_elasticsearch_blocks_the_restore() {
    let mut config = fast_sim();
    // A slow Zeebe backup keeps the next backup running for a while.
    config.timing.zeebe_partition_backup_ms = 1500;
    let console = start(config).await;
    let backup = console.start_backup().await;
    console.wait_terminal(backup).await;
    let body = format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}");

    let running = console.start_backup().await;
    let (status, refused) = console.post_json("/api/v1/restores", &body).await;
    assert_eq!(status, 409, "{refused}");
    let (_, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    let (state, message) = check(&plan, "idle");
    assert_eq!(state, "fail", "{plan:#}");
    assert!(message.contains(&running.to_string()), "{message}");
    console.wait_terminal(running).await;

    console
        .sim
        .control()
        .stop_component(Component::Elasticsearch)
        .await
        .expect("stop");
    let (_, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    let (state, _) = check(&plan, "elasticsearch");
    assert_eq!(state, "fail", "{plan:#}");
    let (status, _) = console.post_json("/api/v1/restores", &body).await;
    assert_eq!(status, 409);
    console.stop().await;
}

/// The restore needs the partition count of the backup: a cluster that now runs more
/// partitions than the backup holds fails the pre-flight, naming both. (Zeebe reports a
/// backup's state for the partitions it runs now, so a cluster that shrank cannot be told
/// from the API; the restore application refuses that one.)
#[tokio::test]
async fn a_cluster_with_another_partition_count_fails_the_partitions_check() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut config = fast_sim();
    config.partitions = 2;
    config.state_dir = Some(dir.path().join("sim"));
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let sim = camunda_sim::start(config.clone()).await.expect("sim");
    let settings = common::settings_for(sim.urls(), &db);
    let console = common::start_with(sim, settings).await;
    let backup = console.start_backup().await;
    assert_eq!(console.wait_terminal(backup).await["state"], "completed");
    let (sim, _) = console.shut_down().await;
    sim.shutdown().await;

    // The same cluster's storage, now with three partitions instead of two.
    config.partitions = 3;
    let sim = camunda_sim::start(config).await.expect("sim");
    let settings = common::settings_for(sim.urls(), &db);
    let console = common::start_with(sim, settings).await;
    let plan = eventually("a plan", Duration::from_secs(20), || async {
        let (status, plan) = console
            .post_json(
                "/api/v1/restores/plan",
                &format!("{{\"backupId\": {backup}}}"),
            )
            .await;
        (status == 200 && check(&plan, "partitions").0 == "fail").then_some(plan)
    })
    .await;
    let (_, message) = check(&plan, "partitions");
    assert!(
        message.contains("runs 3 partitions but the backup has 2"),
        "{message}"
    );
    assert_eq!(plan["ready"], false);
    let (status, refused) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    console.stop().await;
}
