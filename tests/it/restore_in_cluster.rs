//! The guided restore of an 8.10 cluster inside the cluster (docs/camunda-api-8.8-8.10.md
//! §3.4), over real HTTP against the simulator: only Optimize is stopped; the console switches
//! the cluster to recovery mode before deleting anything, restores the snapshots, validates
//! with a dry run, restores every partition with `POST /v2/restore`, follows the progress per
//! broker and partition, and the cluster is processing again without a restart.

use crate::common;
use crate::rest_v2::{start_810, PASSWORD};

use camunda_sim::Component;
use common::{eventually, snapshot_contents, TestConsole};
use std::time::Duration;

async fn backed_up(console: &TestConsole) -> i64 {
    console.until_profile("v810").await;
    let backup = console.start_backup().await;
    let run = console.wait_terminal(backup).await;
    assert_eq!(run["state"], "completed", "{run}");
    console.restorable_row(backup).await;
    backup
}

fn check<'a>(plan: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    plan["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no {key} check in {plan:#}"))
}

#[tokio::test]
async fn an_8_10_set_is_restored_inside_the_running_cluster() {
    let console = start_810(None, PASSWORD).await;
    let backup = backed_up(&console).await;
    let control = console.sim.control();
    control
        .write_es_docs("camunda-written-after-backup-8.8.0_", 3)
        .expect("write");

    let (status, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    assert_eq!(status, 200, "{plan:#}");
    assert_eq!(plan["ready"], true, "{plan:#}");
    assert_eq!(check(&plan, "restore_api")["state"], "pass");
    assert_eq!(check(&plan, "recovery_mode")["state"], "pass");
    let keys: Vec<&str> = plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "stop_apps",
            "enter_recovery",
            "delete_indices",
            "restore_webapps",
            "restore_records",
            "restore_zeebe_in_cluster",
            "start_apps",
            "post_checks"
        ]
    );
    let runbook = plan["runbook"].as_str().unwrap_or_default();
    for words in [
        "Camunda 8.10 restore runbook",
        "Stop Optimize (the orchestration cluster keeps running)",
        "PATCH <orchestration>:8080/v2/mode?mode=RECOVERING",
        &format!("POST <orchestration>:8080/v2/restore?dryRun=true {{\"backupIds\": [{backup}]}}"),
        "GET <orchestration>:8080/v2/restore until it answers 404",
    ] {
        assert!(runbook.contains(words), "{words} not in:\n{runbook}");
    }
    assert!(!runbook.contains("bin/restore"), "{runbook}");
    // The survey's dry runs changed nothing.
    let state = control.snapshot_state();
    assert_eq!(state["zeebe"]["recovery"]["recovering"], false, "{state}");

    control.clear_calls();
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started:#}");
    let rid = started["restoreId"].as_i64().expect("restoreId");
    assert_eq!(started["profile"], "v810");

    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    control
        .stop_component(Component::Optimize)
        .await
        .expect("stop");
    console.confirm_step(rid, "stop_apps").await;
    console
        .until_restore_step(rid, "start_apps", "waiting")
        .await;
    let r = console.restore(rid).await;
    let zeebe = r["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["key"] == "restore_zeebe_in_cluster"))
        .cloned()
        .expect("step");
    assert_eq!(zeebe["state"], "completed", "{zeebe:#}");
    assert!(
        zeebe["detail"]
            .as_str()
            .is_some_and(|d| d.contains("switched every broker back to PROCESSING")),
        "{zeebe:#}"
    );
    control
        .start_component(Component::Optimize)
        .await
        .expect("start");
    console.confirm_step(rid, "start_apps").await;
    let done = eventually("restore completed", Duration::from_secs(30), || async {
        let r = console.restore(rid).await;
        assert_ne!(r["state"], "failed", "{r:#}");
        (r["state"] == "completed").then_some(r)
    })
    .await;
    for c in done["postChecks"].as_array().into_iter().flatten() {
        assert_eq!(c["state"], "pass", "{c}");
    }

    // The order: recovery mode before the first deletion; the dry run and the restore after
    // the last snapshot restore; the cluster never restarted.
    let calls = control.calls();
    let first = |pred: &dyn Fn(&camunda_sim::RecordedCall) -> bool| {
        calls.iter().position(pred).unwrap_or(usize::MAX)
    };
    let last = |pred: &dyn Fn(&camunda_sim::RecordedCall) -> bool| {
        calls.iter().rposition(pred).unwrap_or(0)
    };
    let mode = first(&|c| c.method == "PATCH" && c.query.as_deref() == Some("mode=RECOVERING"));
    let delete = first(&|c| c.component == "elasticsearch" && c.method == "DELETE");
    let es_restore = last(&|c| c.path.ends_with("/_restore"));
    let dry = first(&|c| {
        c.method == "POST" && c.path == "/v2/restore" && c.query.as_deref() == Some("dryRun=true")
    });
    let restore = first(&|c| c.method == "POST" && c.path == "/v2/restore" && c.query.is_none());
    assert!(
        mode < delete && es_restore < dry && dry < restore && restore < calls.len(),
        "mode {mode}, delete {delete}, last _restore {es_restore}, dry run {dry}, restore {restore}"
    );
    let state = control.snapshot_state();
    assert_eq!(state["zeebe"]["recovery"]["recovering"], false);
    assert_eq!(state["zeebe"]["recovery"]["restores_completed"], 1);
    for broker in ["0", "1", "2"] {
        for (_, p) in state["zeebe"]["brokers"][broker]["partitions"]
            .as_object()
            .expect("partitions")
        {
            assert_eq!(p["restored_from_backup"], backup, "{state}");
        }
    }
    let snapshots: Vec<String> =
        serde_json::from_value(done["restoreSnapshots"].clone()).expect("list");
    let wanted = snapshot_contents(&state, &snapshots);
    assert!(!wanted.is_empty());
    for (index, content) in &wanted {
        assert_eq!(
            control.es_index_content(index).as_ref(),
            Some(content),
            "{index} differs from the backup"
        );
    }
    assert!(control
        .es_index("camunda-written-after-backup-8.8.0_")
        .is_none());
    console.stop().await;
}

#[tokio::test]
async fn without_backup_restore_the_plan_names_it_and_cannot_start() {
    let console = start_810(
        Some(&[
            "BACKUP:READ",
            "BACKUP:CREATE",
            "EXPORTER:PAUSE",
            "SYSTEM:UPDATE",
        ]),
        PASSWORD,
    )
    .await;
    let backup = backed_up(&console).await;
    let (status, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    assert_eq!(status, 200, "{plan:#}");
    assert_eq!(plan["ready"], false);
    let api = check(&plan, "restore_api");
    assert_eq!(api["state"], "fail");
    assert!(
        api["message"]
            .as_str()
            .is_some_and(|m| m.contains("lacks the Camunda permission BACKUP:RESTORE")),
        "{api}"
    );
    // SYSTEM:UPDATE is enough for the mode change.
    assert_eq!(check(&plan, "recovery_mode")["state"], "pass");
    console.stop().await;
}

/// The console killed while the cluster restores Zeebe inside itself: a new console on the
/// same journal follows the restore already in flight — it never asks for it a second time —
/// and finishes with every partition restored and the cluster processing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_killed_during_the_in_cluster_restore_follows_it_to_the_end() {
    let mut config = crate::rest_v2::sim_810(None);
    // Slow enough to be caught in flight: each partition takes a while.
    config.timing.zeebe_restore_ms = 600;
    let sim = camunda_sim::start(config).await.expect("sim");
    let control = sim.control();
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let settings = crate::rest_v2::settings_810(&sim, PASSWORD, &db);
    let first = common::Doomed::start(settings.clone());
    let http = common::client();
    let url = |path: &str| format!("http://{}{path}", first.addr);
    let get = |path: String| {
        let http = http.clone();
        async move {
            http.get(path)
                .send()
                .await
                .ok()?
                .json::<serde_json::Value>()
                .await
                .ok()
        }
    };
    eventually("the 8.10 profile", Duration::from_secs(20), || async {
        let o = get(url("/api/v1/cluster")).await?;
        (o["profile"]["id"] == "v810").then_some(())
    })
    .await;
    let started: serde_json::Value = http
        .post(url("/api/v1/backups"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("backup")
        .json()
        .await
        .expect("json");
    let backup = started["backupId"].as_i64().expect("backupId");
    eventually("the set restorable", Duration::from_secs(30), || async {
        let page = get(url("/api/v1/backups")).await?;
        let row = page["items"].as_array()?.first()?.clone();
        (row["backupId"] == backup && row["verdict"] == "restorable").then_some(())
    })
    .await;
    let r = http
        .post(url("/api/v1/restores"))
        .header("content-type", "application/json")
        .body(format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"))
        .send()
        .await
        .expect("restore");
    assert_eq!(r.status().as_u16(), 201);
    let rid = r.json::<serde_json::Value>().await.expect("json")["restoreId"]
        .as_i64()
        .expect("restoreId");
    let restore_url = url(&format!("/api/v1/restores/{rid}"));
    eventually("stop_apps waiting", Duration::from_secs(20), || async {
        let r = get(restore_url.clone()).await?;
        (common::step_state(&r, "stop_apps") == "waiting").then_some(())
    })
    .await;
    control
        .stop_component(Component::Optimize)
        .await
        .expect("stop");
    let confirmed = http
        .post(url(&format!(
            "/api/v1/restores/{rid}/steps/stop_apps/confirm"
        )))
        .send()
        .await
        .expect("confirm");
    assert_eq!(confirmed.status().as_u16(), 202);
    // Caught with the cluster's restore in flight.
    eventually("the cluster restoring", Duration::from_secs(60), || async {
        let r = get(restore_url.clone()).await?;
        let in_flight = common::step_state(&r, "restore_zeebe_in_cluster") == "running"
            && control
                .calls()
                .iter()
                .any(|c| c.method == "POST" && c.path == "/v2/restore" && c.query.is_none());
        in_flight.then_some(())
    })
    .await;
    tokio::task::spawn_blocking(move || first.kill())
        .await
        .expect("kill");

    let console = common::start_with(sim, settings).await;
    console
        .until_restore_step(rid, "start_apps", "waiting")
        .await;
    control
        .start_component(Component::Optimize)
        .await
        .expect("start");
    console.confirm_step(rid, "start_apps").await;
    let done = eventually("restore completed", Duration::from_secs(30), || async {
        let r = console.restore(rid).await;
        assert_ne!(r["state"], "failed", "{r:#}");
        (r["state"] == "completed").then_some(r)
    })
    .await;
    for c in done["postChecks"].as_array().into_iter().flatten() {
        assert_eq!(c["state"], "pass", "{c}");
    }
    let asked = control
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path == "/v2/restore" && c.query.is_none())
        .count();
    assert_eq!(asked, 1, "the restore was asked for more than once");
    let state = control.snapshot_state();
    assert_eq!(state["zeebe"]["recovery"]["recovering"], false, "{state}");
    assert_eq!(state["zeebe"]["recovery"]["restores_completed"], 1);
    console.stop().await;
}
