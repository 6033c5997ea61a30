//! Version profiles, over real HTTP: the overview names the profile detected from the
//! components' `/actuator/info` (and why), a component on another minor is named, an 8.8
//! cluster is backed up in its documented order (the soft pause first, `backupHistory`,
//! Optimize, the records snapshot only for Optimize, `backupRuntime`, the resume).

use crate::common::{eventually, fast_sim, start, start_adjusted};
use std::time::Duration;

async fn profile_of(console: &crate::common::TestConsole) -> serde_json::Value {
    eventually("the first probe", Duration::from_secs(10), || async {
        let (status, o) = console.get_json("/api/v1/cluster").await;
        (status == 200 && o["profile"].is_object()).then(|| o["profile"].clone())
    })
    .await
}

#[tokio::test]
async fn an_8_7_cluster_runs_the_legacy_profile() {
    let console = start(fast_sim()).await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "legacy");
    assert_eq!(p["source"], "detected");
    assert_eq!(p["executable"], true);
    assert!(p["why"].as_str().is_some_and(|w| w.contains("8.7")), "{p}");
    console.stop().await;
}

/// Sequence number of the last `GET` of `path` on `component`.
fn last_get(console: &crate::common::TestConsole, component: &str, path: &str) -> u64 {
    console
        .sim
        .control()
        .calls()
        .iter()
        .filter(|c| c.component == component && c.method == "GET" && c.path == path)
        .map(|c| c.seq)
        .max()
        .unwrap_or_else(|| panic!("no GET {path} on {component}"))
}

fn seq_of(console: &crate::common::TestConsole, method: &str, path: &str) -> u64 {
    console
        .sim
        .control()
        .calls()
        .iter()
        .find(|c| c.method == method && c.path == path)
        .map(|c| c.seq)
        .unwrap_or_else(|| panic!("no {method} {path}"))
}

#[tokio::test]
async fn an_8_8_cluster_is_backed_up_in_the_documented_8_8_order() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    sim.optimize_version = Some("8.7.9".into());
    let console = start(sim).await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "v88");
    assert_eq!(p["executable"], true, "{p}");
    assert!(
        p["why"].as_str().is_some_and(|w| w.contains("8.8.2")),
        "{p}"
    );
    let mismatches = p["mismatches"].as_array().expect("mismatches");
    assert_eq!(mismatches.len(), 1, "{p}");
    assert!(mismatches[0]
        .as_str()
        .is_some_and(|m| m.starts_with("Optimize runs 8.7.9")));

    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["profile"], "v88");
    assert_eq!(run["pause"]["soft"], true);
    let keys: Vec<&str> = run["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "preflight",
            "pause_exporting",
            "trigger_webapps",
            "trigger_optimize",
            "wait_webapps",
            "wait_optimize",
            "snapshot_records",
            "trigger_zeebe",
            "wait_records_snapshot",
            "wait_zeebe",
            "resume_exporting"
        ]
    );
    // The web apps' snapshots are the orchestration cluster's `camunda_webapps_` family.
    let scheduled: Vec<&str> = run["scheduledSnapshots"]
        .as_array()
        .expect("scheduled")
        .iter()
        .filter_map(|s| s.as_str())
        .collect();
    assert!(
        !scheduled.is_empty()
            && scheduled
                .iter()
                .all(|s| s.starts_with(&format!("camunda_webapps_{id}_8.8.2_part_"))),
        "{scheduled:?}"
    );

    // Docs (8.8 backup page, steps 1–10): soft pause, backupHistory, Optimize, wait for both,
    // the records snapshot, backupRuntime, wait, resume.
    assert_eq!(
        console.changes(),
        vec![
            "zeebe POST /actuator/exporting/pause?soft=true".to_owned(),
            "zeebe POST /actuator/backupHistory".to_owned(),
            "optimize POST /actuator/backups".to_owned(),
            format!("elasticsearch PUT /_snapshot/camunda/camunda_zeebe_records_backup_{id}?wait_for_completion=true"),
            "zeebe POST /actuator/backupRuntime".to_owned(),
            "zeebe POST /actuator/exporting/resume".to_owned(),
        ]
    );
    // Both web-app backups were seen complete before the records snapshot was requested, and
    // the runtime backup before the resume.
    let records = seq_of(
        &console,
        "PUT",
        &format!("/_snapshot/camunda/camunda_zeebe_records_backup_{id}"),
    );
    assert!(last_get(&console, "zeebe", &format!("/actuator/backupHistory/{id}")) < records);
    assert!(last_get(&console, "optimize", &format!("/actuator/backups/{id}")) < records);
    let resume = seq_of(&console, "POST", "/actuator/exporting/resume");
    assert!(last_get(&console, "zeebe", &format!("/actuator/backupRuntime/{id}")) < resume);
    // Nothing of the 8.7 generation was asked for.
    let legacy: Vec<_> = console
        .sim
        .control()
        .calls()
        .into_iter()
        .filter(|c| c.path.starts_with("/actuator/backups") && c.component != "optimize")
        .map(|c| format!("{} {} {}", c.component, c.method, c.path))
        .collect();
    assert!(legacy.is_empty(), "{legacy:?}");
    crate::common::assert_exporting(&console.sim).await;

    // The history reads the 8.8 lists and names: one restorable set of the web apps'
    // `camunda_webapps_` snapshots, Optimize, the records snapshot and the runtime backup.
    let row = console.restorable_row(id).await;
    let parts: Vec<&str> = row["components"]
        .as_object()
        .expect("components")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        parts,
        ["optimize", "webapps", "zeebe", "zeebeRecords"],
        "{row}"
    );
    let webapps = &row["components"]["webapps"];
    assert_eq!(webapps["state"], "COMPLETED", "{row}");
    assert_eq!(
        webapps["snapshots"].as_array().map(Vec::len),
        Some(scheduled.len()),
        "{row}"
    );
    console.stop().await;
}

#[tokio::test]
async fn without_optimize_an_8_8_backup_takes_no_records_snapshot() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    let console = crate::common::start_without_optimize(sim).await;
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(
        console.changes(),
        vec![
            "zeebe POST /actuator/exporting/pause?soft=true",
            "zeebe POST /actuator/backupHistory",
            "zeebe POST /actuator/backupRuntime",
            "zeebe POST /actuator/exporting/resume",
        ]
    );
    assert!(run["pause"]["durationMs"].is_u64(), "{run}");
    crate::common::assert_exporting(&console.sim).await;
    // Without a records snapshot the set is still whole: the web apps and the runtime backup.
    let row = console.restorable_row(id).await;
    assert!(row["components"].get("zeebeRecords").is_none(), "{row}");
    console.stop().await;
}

#[tokio::test]
async fn a_configured_version_overrides_detection() {
    let console = start_adjusted(fast_sim(), |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.camunda_version = Some("8.9".into());
        }
    })
    .await;
    let p = profile_of(&console).await;
    assert_eq!(p["id"], "v89");
    assert_eq!(p["source"], "configured");
    // The components say 8.7: each the 8.9 profile reads is named (the orchestration
    // cluster's gateway and Optimize; 8.9 has no standalone Operate or Tasklist to ask).
    assert_eq!(p["mismatches"].as_array().map(Vec::len), Some(2), "{p}");
    assert_eq!(p["executable"], false, "{p}");
    console.stop().await;
}

#[tokio::test]
async fn an_8_9_backup_completes_and_the_history_shows_zeebe_backup_state_per_partition() {
    let mut sim = fast_sim();
    sim.version = "8.9.1".into();
    let console = start(sim).await;
    assert_eq!(profile_of(&console).await["id"], "v89");
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["profile"], "v89");
    // `backupRuntime/state`: every partition's latest backup is this one, one range, no gap.
    let runtime = eventually("Zeebe's backup state", Duration::from_secs(10), || async {
        let (status, page) = console.get_json("/api/v1/backups").await;
        let runtime = page["runtime"].clone();
        let newest = runtime["partitions"][0]["latestBackup"]["checkpointId"].clone();
        (status == 200 && newest == id).then_some(runtime)
    })
    .await;
    assert_eq!(runtime["scheduled"], false, "{runtime}");
    let partitions = runtime["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), 3, "{runtime}");
    for p in partitions {
        assert_eq!(p["latestBackup"]["kind"], "MANUAL_BACKUP", "{p}");
        assert_eq!(p["ranges"].as_array().map(Vec::len), Some(1), "{p}");
        assert!(p["gap"].is_null(), "{p}");
    }

    // Two more backups, then the middle one of the three is deleted from Zeebe's store: the
    // log it covered is gone, and every partition's coverage shows the gap in words.
    let second = console.start_backup().await;
    assert_eq!(console.wait_terminal(second).await["state"], "completed");
    let third = console.start_backup().await;
    assert_eq!(console.wait_terminal(third).await["state"], "completed");
    let gateway = &console.sim.urls().zeebe_gateway;
    let deleted = reqwest::Client::new()
        .delete(format!("{gateway}/actuator/backupRuntime/{second}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status().as_u16(), 204);
    let runtime = eventually("the gap", Duration::from_secs(10), || async {
        let (_, page) = console.get_json("/api/v1/backups").await;
        let runtime = page["runtime"].clone();
        runtime["partitions"][0]["gap"]
            .is_string()
            .then_some(runtime)
    })
    .await;
    for p in runtime["partitions"].as_array().expect("partitions") {
        let ranges = p["ranges"].as_array().expect("ranges");
        assert_eq!(ranges.len(), 2, "{p}");
        assert_eq!(ranges[0]["end"]["checkpointId"], id, "{p}");
        assert_eq!(ranges[1]["start"]["checkpointId"], third, "{p}");
        let gap = p["gap"].as_str().unwrap_or_default();
        assert!(
            gap.contains("2 ranges")
                && gap.contains(&format!("after checkpoint {id} "))
                && gap.contains(&format!("until checkpoint {third} ")),
            "{gap}"
        );
    }
    console.stop().await;
}

#[tokio::test]
async fn when_zeebe_schedules_its_own_backups_backup_now_is_refused_before_anything_changes() {
    let mut sim = fast_sim();
    sim.version = "8.9.1".into();
    sim.runtime_backup_schedule = Some("PT1S".into());
    let console = start(sim).await;
    // Zeebe's scheduled backups (generated ids) show in the state and the history.
    let runtime = eventually("a scheduled backup", Duration::from_secs(15), || async {
        let (_, page) = console.get_json("/api/v1/backups").await;
        let runtime = page["runtime"].clone();
        (runtime["scheduled"] == true).then_some(runtime)
    })
    .await;
    assert_eq!(
        runtime["partitions"][0]["latestCheckpoint"]["kind"], "SCHEDULED_BACKUP",
        "{runtime}"
    );
    // Its id is generated: epoch milliseconds, not the seconds a script or the console uses.
    assert!(
        runtime["partitions"][0]["latestCheckpoint"]["checkpointId"]
            .as_i64()
            .is_some_and(|id| id > 1_000_000_000_000),
        "{runtime}"
    );
    // Its rows are said to be Zeebe's own, not orphaned parts of a set.
    let own = eventually("a row of Zeebe's own", Duration::from_secs(15), || async {
        let (_, page) = console.get_json("/api/v1/backups").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|r| {
                r["backupId"]
                    .as_i64()
                    .is_some_and(|id| id > 1_000_000_000_000)
            })
            .cloned()
    })
    .await;
    assert_eq!(own["startedBy"], "Zeebe's own schedule", "{own}");
    assert_eq!(own["restorable"], false);
    let reason = own["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("Zeebe's own backup") && !reason.contains("Orphaned"),
        "{reason}"
    );
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "failed", "{run}");
    let error = run["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("Zeebe takes its own backups") && error.contains("SCHEDULED_BACKUP"),
        "{error}"
    );
    assert!(
        run["nextAction"]
            .as_str()
            .is_some_and(|n| n.contains("schedule=none")),
        "{run}"
    );
    // Refused at pre-flight: nothing was paused or taken by the console (the simulator's own
    // schedule takes its backups without an HTTP call).
    assert!(console.changes().is_empty(), "{:?}", console.changes());
    console.stop().await;
}

#[tokio::test]
async fn on_opensearch_the_records_snapshot_is_requested_without_feature_states() {
    // The simulated OpenSearch refuses `feature_states` (an Elasticsearch-only field) with 400:
    // a completed run shows the console left it out.
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    sim.elasticsearch.distribution = "opensearch".into();
    sim.elasticsearch.version = "2.19.2".into();
    let console = start(sim).await;
    let es = eventually("the overview", Duration::from_secs(10), || async {
        let (_, o) = console.get_json("/api/v1/cluster").await;
        o["components"]
            .as_array()?
            .iter()
            .find(|c| c["kind"] == "elasticsearch" && c["version"].is_string())
            .cloned()
    })
    .await;
    assert_eq!(es["version"], "OpenSearch 2.19.2", "{es}");
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    let preflight = crate::common::step(&run, "preflight")
        .cloned()
        .unwrap_or_default();
    assert!(
        preflight["detail"]
            .as_str()
            .is_some_and(|d| d.contains("OpenSearch")),
        "{preflight}"
    );
    assert!(run["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["key"] == "snapshot_records" && s["state"] == "completed"));
    console.stop().await;
}

#[tokio::test]
async fn while_the_gateway_is_away_the_history_keeps_the_8_8_parts() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    let console = start(sim).await;
    let id = console.start_backup().await;
    assert_eq!(console.wait_terminal(id).await["state"], "completed");
    console.restorable_row(id).await;
    // The gateway (the orchestration cluster) stops answering: no version can be read, but
    // the history still reads and names the 8.8 parts, marked stale — not 8.7's Operate and
    // Tasklist.
    console
        .sim
        .control()
        .stop_component(camunda_sim::Component::ZeebeGateway)
        .await
        .expect("stop");
    let page = eventually("a stale history", Duration::from_secs(15), || async {
        let (_, page) = console.get_json("/api/v1/backups").await;
        page["stale"].is_string().then_some(page)
    })
    .await;
    let row = &page["items"][0];
    assert_eq!(row["backupId"], id, "{page}");
    assert!(row["components"].get("webapps").is_some(), "{row}");
    assert!(row["components"].get("operate").is_none(), "{row}");
    console.stop().await;
}
