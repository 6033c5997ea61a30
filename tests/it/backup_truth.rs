//! Outcomes told as they are: a complete set with a failed resume is complete and raises an
//! alarm; exporting without broker URLs (or with a partition whose leader is not configured)
//! is unconfirmed, never confirmed; the pause mode follows the gateway's version; a stale Zeebe
//! backup warns instead of blocking; a blip inside the window is absorbed; the window runs the
//! records snapshot and the Zeebe backup side by side.

use crate::common;

use camunda_sim::{Fault, FaultKind};
use common::{assert_exporting, eventually, fast_sim, start, start_adjusted, step};
use std::time::Duration;

fn warnings(run: &serde_json::Value) -> String {
    run["warnings"].to_string()
}

#[tokio::test]
async fn a_complete_set_whose_resume_failed_is_complete_with_an_alarm_until_the_watchdog_resumes() {
    let console = start_adjusted(fast_sim(), |s| {
        s.timeouts.resume_retry = Duration::from_secs(2)
    })
    .await;
    console.sim.control().add_fault(
        Fault::new("zeebe", "resume", FaultKind::Status)
            .with_status(500, r#"{"message":"gateway down"}"#),
    );
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let alarm = run["alarm"].as_str().unwrap_or_default();
    assert!(alarm.contains("EXPORTING MAY STILL BE PAUSED"), "{run}");
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("failed".into())
    );
    let (_, info) = console.get_json("/api/v1/console").await;
    assert!(
        info["alert"]
            .as_str()
            .unwrap_or_default()
            .contains("EXPORTING MAY STILL BE PAUSED"),
        "{info}"
    );

    // The gateway comes back: the watchdog resumes for the run and lifts the alarm.
    console.sim.control().clear_faults();
    let run = eventually("the alarm to lift", Duration::from_secs(15), || async {
        let (_, run) = console.get_json(&format!("/api/v1/backups/{id}")).await;
        run["alarm"].is_null().then_some(run)
    })
    .await;
    assert!(
        warnings(&run).contains("watchdog resumed exporting"),
        "{run}"
    );
    let (_, info) = console.get_json("/api/v1/console").await;
    assert!(info["alert"].is_null(), "{info}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn without_broker_urls_every_run_says_exporting_was_not_confirmed() {
    let console = start_adjusted(fast_sim(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.zeebe_broker_management_urls.clear();
        }
    })
    .await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let w = warnings(&run);
    assert!(w.contains("Exporting cannot be confirmed"), "{w}");
    assert!(w.contains("cluster.zeebe_broker_management_urls"), "{w}");
    for key in ["pause_exporting", "resume_exporting"] {
        let detail = step(&run, key)
            .map(|s| s["detail"].to_string())
            .unwrap_or_default();
        assert!(detail.contains("NOT confirmed"), "{key}: {detail}");
    }
    let (_, overview) = console.get_json("/api/v1/cluster").await;
    assert!(
        overview["zeebe"]["note"]
            .as_str()
            .unwrap_or_default()
            .contains("cannot be confirmed"),
        "{overview}"
    );
    console.stop().await;
}

#[tokio::test]
async fn a_partition_led_by_an_unconfigured_broker_is_unconfirmed() {
    // Three brokers lead one partition each; only the first is configured.
    let console = start_adjusted(fast_sim(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.zeebe_broker_management_urls.truncate(1);
        }
    })
    .await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let detail = step(&run, "resume_exporting")
        .map(|s| s["detail"].to_string())
        .unwrap_or_default();
    assert!(
        detail.contains("NOT confirmed")
            && detail.contains("no leader among the configured brokers"),
        "{detail}"
    );
    assert!(!detail.contains("EXPORTING on every leader"), "{detail}");
    console.stop().await;
}

/// The query of every pause request the simulator received.
fn pause_queries(sim: &camunda_sim::RunningSimulator) -> Vec<Option<String>> {
    sim.control()
        .calls()
        .into_iter()
        .filter(|c| c.operation == "pause")
        .map(|c| c.query)
        .collect()
}

#[tokio::test]
async fn the_pause_mode_follows_the_gateway_version_unless_configured() {
    for (version, configured, soft) in [
        ("8.7.3", None, true),
        ("8.5.1", None, true),
        ("8.4.12", None, false),
        ("8.7.3", Some(false), false),
    ] {
        let mut config = fast_sim();
        config.version = version.into();
        config.exporting_response = camunda_sim::ExportingResponse::Real204;
        let console = start_adjusted(config, |s| {
            if let Some(c) = s.cluster.as_mut() {
                c.soft_pause = configured;
            }
        })
        .await;
        let id = console.start_backup().await;
        let run = console.wait_terminal(id).await;
        assert_eq!(run["state"], "completed", "{version}: {run}");
        assert_eq!(run["pause"]["soft"], soft, "{version}: {run}");
        let queries = pause_queries(&console.sim);
        assert_eq!(queries.len(), 1, "{queries:?}");
        assert_eq!(
            queries[0].as_deref() == Some("soft=true"),
            soft,
            "{version}: {queries:?}"
        );
        let preflight = step(&run, "preflight")
            .map(|s| s["detail"].to_string())
            .unwrap_or_default();
        assert!(
            preflight.contains(if soft { "oft pause" } else { "ard pause" }),
            "{preflight}"
        );
        assert_exporting(&console.sim).await;
        console.stop().await;
    }
}

#[tokio::test]
async fn a_stale_in_progress_zeebe_backup_warns_instead_of_blocking() {
    let console = start(fast_sim()).await;
    // A backup left IN_PROGRESS by a leader change (camunda/camunda#41200).
    console
        .sim
        .control()
        .add_fault(Fault::new("zeebe", "take_backup", FaultKind::PartitionStuck).times(1));
    let http = common::client();
    let taken = http
        .post(format!(
            "{}/actuator/backups",
            console.sim.urls().zeebe_gateway
        ))
        .json(&serde_json::json!({"backupId": 5}))
        .send()
        .await
        .expect("take");
    assert_eq!(taken.status().as_u16(), 202);

    // Fresh: it blocks, naming the remedy.
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let next = run["nextAction"].as_str().unwrap_or_default();
    assert!(next.contains("DELETE /actuator/backups/5"), "{run}");

    // Unchanged for two hours: stale; the next backup runs and says so.
    console
        .sim
        .control()
        .age_zeebe_backup(5, Duration::from_secs(7200))
        .expect("age");
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let w = warnings(&run);
    assert!(
        w.contains("Zeebe backup 5 is IN_PROGRESS") && w.contains("stale"),
        "{w}"
    );
    assert!(w.contains("DELETE /actuator/backups/5"), "{w}");
    console.stop().await;
}

#[tokio::test]
async fn an_elasticsearch_blip_inside_the_window_is_absorbed() {
    let mut config = fast_sim();
    config.timing.es_snapshot_ms = 1500;
    let console = start(config).await;
    let id = console.start_backup().await;
    console
        .wait_step(id, "wait_records_snapshot", "running")
        .await;
    let control = console.sim.control();
    control
        .stop_component(camunda_sim::Component::Elasticsearch)
        .await
        .expect("stop es");
    tokio::time::sleep(Duration::from_millis(800)).await;
    control
        .start_component(camunda_sim::Component::Elasticsearch)
        .await
        .expect("start es");
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn a_wrong_records_prefix_fails_before_the_pause_naming_the_prefix() {
    let console = start_adjusted(fast_sim(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.zeebe_record_prefix = "zeebe-recrd".into();
        }
    })
    .await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(error.contains("`zeebe-recrd*`"), "{run}");
    assert!(
        run["nextAction"]
            .as_str()
            .unwrap_or_default()
            .contains("cluster.zeebe_record_prefix"),
        "{run}"
    );
    assert!(pause_queries(&console.sim).is_empty(), "no pause was sent");
    console.stop().await;
}

#[tokio::test]
async fn the_zeebe_backup_is_taken_while_the_records_snapshot_runs_and_resume_follows_both() {
    let mut config = fast_sim();
    config.timing.es_snapshot_ms = 1200;
    config.timing.zeebe_partition_backup_ms = 600;
    let console = start(config).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let calls = console.sim.control().calls();
    let first = |component: &str, op: &str| {
        calls
            .iter()
            .find(|c| c.component == component && c.operation == op && c.method != "GET")
            .map(|c| c.at.timestamp_millis())
            .unwrap_or_else(|| panic!("no {component} {op} call"))
    };
    let (create, zeebe_take, resume) = (
        first("elasticsearch", "create_snapshot"),
        first("zeebe", "take_backup"),
        first("zeebe", "resume"),
    );
    // When the cluster says its parts ended.
    let http = common::client();
    let u = console.sim.urls();
    let snapshot: serde_json::Value = http
        .get(format!(
            "{}/_snapshot/camunda/camunda_zeebe_records_backup_{id}",
            u.elasticsearch
        ))
        .send()
        .await
        .expect("es")
        .json()
        .await
        .expect("json");
    let records_end = snapshot["snapshots"][0]["end_time_in_millis"]
        .as_i64()
        .expect("end time");
    let zeebe: serde_json::Value = http
        .get(format!("{}/actuator/backups/{id}", u.zeebe_gateway))
        .send()
        .await
        .expect("zeebe")
        .json()
        .await
        .expect("json");
    let zeebe_end = zeebe["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["lastUpdatedAt"].as_str())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .max()
        .expect("zeebe end");
    // Requested after the snapshot, while the snapshot was still running: side by side.
    assert!(create <= zeebe_take, "create {create} take {zeebe_take}");
    assert!(
        zeebe_take < records_end,
        "take {zeebe_take} snapshot end {records_end}"
    );
    // Resumed only after both ended.
    assert!(
        resume >= records_end && resume >= zeebe_end,
        "resume {resume} records {records_end} zeebe {zeebe_end}"
    );
    assert_exporting(&console.sim).await;
    console.stop().await;
}

#[tokio::test]
async fn a_web_app_backup_stuck_incomplete_fails_after_the_grace_period_before_any_pause() {
    let console = start(fast_sim()).await;
    console
        .sim
        .control()
        .add_fault(Fault::new("operate", "take_backup", FaultKind::PartsStop).times(1));
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    assert_eq!(
        step(&run, "wait_operate").map(|s| s["state"].clone()),
        Some("failed".into())
    );
    let error = run["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Operate") && error.contains("stayed INCOMPLETE"),
        "{run}"
    );
    assert!(pause_queries(&console.sim).is_empty(), "no pause was sent");
    console.stop().await;
}

#[tokio::test]
async fn an_alarm_outlives_a_console_restart_until_exporting_is_resumed() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let mut settings = common::settings_for(sim.urls(), &db);
    settings.timeouts.resume_retry = Duration::from_secs(2);
    sim.control().add_fault(
        Fault::new("zeebe", "resume", FaultKind::Status)
            .with_status(500, r#"{"message":"gateway down"}"#),
    );
    let console = common::start_with(sim, settings.clone()).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert!(run["alarm"].is_string(), "{run}");
    let (sim, _) = console.shut_down().await;

    // A new process on the same journal still shows the alarm, and resumes once it can.
    let console = common::start_with(sim, settings).await;
    eventually(
        "the alarm on every page",
        Duration::from_secs(10),
        || async {
            let (_, info) = console.get_json("/api/v1/console").await;
            info["alert"]
                .as_str()
                .filter(|a| a.contains("EXPORTING MAY STILL BE PAUSED"))
                .map(|_| ())
        },
    )
    .await;
    console.sim.control().clear_faults();
    eventually("the alarm to lift", Duration::from_secs(15), || async {
        let (_, run) = console.get_json(&format!("/api/v1/backups/{id}")).await;
        run["alarm"].is_null().then_some(())
    })
    .await;
    assert_exporting(&console.sim).await;
    console.stop().await;
}
