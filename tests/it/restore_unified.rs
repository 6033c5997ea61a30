//! The guided restore of an 8.8 cluster over real HTTP against the simulator: the plan lists
//! the orchestration cluster's `camunda_webapps_` snapshots, Optimize's and the records
//! snapshot, deletes the harmonised `camunda-` indices too, and gives the 8.8 runbook
//! (`SPRING_PROFILES_ACTIVE=restore`, `/usr/local/camunda/bin/restore`); the restore then runs
//! to the end and leaves the set's data and nothing written after it.

use crate::common;

use common::{eventually, fast_sim, snapshot_contents, start, APPS};
use std::time::Duration;

#[tokio::test]
async fn an_8_8_set_is_restored_with_the_8_8_runbook() {
    let mut sim = fast_sim();
    sim.version = "8.8.2".into();
    let console = start(sim).await;
    let backup = console.start_backup().await;
    let run = console.wait_terminal(backup).await;
    assert_eq!(run["state"], "completed", "{run}");
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
    let profile_check = plan["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["key"] == "profile")
        .cloned()
        .expect("profile check");
    assert!(
        profile_check["message"]
            .as_str()
            .is_some_and(|m| m.contains("Camunda 8.8")),
        "{profile_check}"
    );
    let snapshots: Vec<String> =
        serde_json::from_value(plan["restoreSnapshots"].clone()).expect("list");
    // Optimize's parts, the orchestration cluster's web-app parts, then the records.
    let kinds: Vec<&str> = snapshots
        .iter()
        .map(|s| {
            if s.starts_with("camunda_optimize_") {
                "optimize"
            } else if s.starts_with(&format!("camunda_webapps_{backup}_8.8.2_part_")) {
                "webapps"
            } else if *s == format!("camunda_zeebe_records_backup_{backup}") {
                "records"
            } else {
                "other"
            }
        })
        .collect();
    let first_webapps = kinds.iter().position(|k| *k == "webapps").expect("webapps");
    assert!(
        kinds[..first_webapps].iter().all(|k| *k == "optimize")
            && kinds[first_webapps..kinds.len() - 1]
                .iter()
                .all(|k| *k == "webapps")
            && kinds.last() == Some(&"records"),
        "{snapshots:?}"
    );
    let deletes: Vec<String> = serde_json::from_value(plan["deleteIndices"].clone()).expect("list");
    assert!(
        deletes
            .iter()
            .any(|i| i == "camunda-written-after-backup-8.8.0_"),
        "{deletes:?}"
    );
    let runbook = plan["runbook"].as_str().unwrap_or_default();
    for words in [
        "Camunda 8.8 restore runbook",
        "SPRING_PROFILES_ACTIVE=restore",
        &format!("/usr/local/camunda/bin/restore --backupId={backup}"),
        &format!("ZEEBE_RESTORE_FROM_BACKUP_ID={backup}"),
        "orchestration.enabled: false",
        "CAMUNDA_DATA_BACKUP_",
    ] {
        assert!(runbook.contains(words), "{words} not in:\n{runbook}");
    }
    assert!(
        !runbook.contains("/usr/local/zeebe/bin/restore"),
        "{runbook}"
    );

    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started:#}");
    let rid = started["restoreId"].as_i64().expect("restoreId");
    assert_eq!(started["profile"], "v88");

    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    for c in APPS {
        control.stop_component(c).await.expect("stop");
    }
    console.confirm_step(rid, "stop_apps").await;
    // While the step waits, its commands stay on it, apart from what the console sees (the
    // latter is written just after the step starts waiting).
    console
        .until_restore_step(rid, "restore_zeebe", "waiting")
        .await;
    let step = eventually(
        "the waiting step's words",
        Duration::from_secs(10),
        || async {
            let r = console.restore(rid).await;
            r["steps"]
                .as_array()?
                .iter()
                .find(|s| s["key"] == "restore_zeebe" && s["detail"].is_string())
                .cloned()
        },
    )
    .await;
    assert!(
        step["instructions"]
            .as_str()
            .is_some_and(|i| i.contains("SPRING_PROFILES_ACTIVE=restore")),
        "{step:#}"
    );
    assert!(
        step["detail"]
            .as_str()
            .is_some_and(|d| d.contains("Look for")),
        "{step:#}"
    );
    for broker in 0..3 {
        control.clear_broker_data(broker).expect("clear");
        let outcome = control
            .restore_broker(broker, u64::try_from(backup).expect("id"), None)
            .await
            .expect("restore app");
        assert_eq!(outcome.exit_code, 0, "{:?}", outcome.log);
    }
    console.confirm_step(rid, "restore_zeebe").await;
    console
        .until_restore_step(rid, "start_apps", "waiting")
        .await;
    for c in APPS {
        control.start_component(c).await.expect("start");
    }
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
    // The post-restore check asked the 8.8 runtime endpoint, never the 8.7 one.
    assert!(control
        .calls()
        .iter()
        .any(|c| c.method == "GET" && c.path == format!("/actuator/backupRuntime/{backup}")));
    let state = control.snapshot_state();
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
