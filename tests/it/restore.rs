//! Guided restore over real HTTP against the simulator: the plan changes nothing, the start is
//! confirmed by the cluster's name and refused while checks fail, operator steps wait for what
//! the console sees and the admin's confirmation, and a full restore leaves the cluster holding
//! the data of the set and none written after it.

use crate::common;

use camunda_backup_console::domain::RestoreEvent;
use camunda_sim::Component;
use common::{eventually, fast_sim, snapshot_contents, start, step_state, APPS};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn a_full_restore_brings_back_the_set_and_nothing_written_after_it() {
    full_restore(start(fast_sim()).await).await;
}

/// A backup, then a full restore of it walked step by step (run on PostgreSQL too).
pub(crate) async fn full_restore(console: common::TestConsole) {
    let backup = console.start_backup().await;
    let run = console.wait_terminal(backup).await;
    assert_eq!(run["state"], "completed", "{run}");
    let control = console.sim.control();

    // Data after the backup: more documents in a backed-up index, and a new index.
    let touched = "operate-list-view-8.3.0_";
    control.write_es_docs(touched, 25).expect("write");
    control
        .write_es_docs("operate-written-after-backup-8.3.0_", 3)
        .expect("write");

    // The plan: nothing changes; the new index is listed for deletion.
    let calls_before = control.calls().len();
    let (status, plan) = console
        .post_json(
            "/api/v1/restores/plan",
            &format!("{{\"backupId\": {backup}}}"),
        )
        .await;
    assert_eq!(status, 200, "{plan:#}");
    assert_eq!(plan["ready"], true, "{plan:#}");
    for c in plan["checks"].as_array().into_iter().flatten() {
        assert_ne!(c["state"], "fail", "{c}");
    }
    let deletes: Vec<String> = serde_json::from_value(plan["deleteIndices"].clone()).expect("list");
    assert!(
        deletes
            .iter()
            .any(|i| i == "operate-written-after-backup-8.3.0_"),
        "{deletes:?}"
    );
    assert!(deletes.iter().all(|i| !i.starts_with('.')));
    let snapshots: Vec<String> =
        serde_json::from_value(plan["restoreSnapshots"].clone()).expect("list");
    assert_eq!(snapshots.len(), 6 + 6 + 2 + 1, "{snapshots:?}");
    assert_eq!(
        snapshots.last().map(String::as_str),
        Some(format!("camunda_zeebe_records_backup_{backup}").as_str())
    );
    let keys: Vec<&str> = plan["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["kind"] == "operator")
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(keys, ["stop_apps", "restore_zeebe", "start_apps"]);
    assert!(plan["runbook"]
        .as_str()
        .unwrap_or_default()
        .contains(&format!("bin/restore --backupId={backup}")));
    let mutating = control.calls()[calls_before..]
        .iter()
        .filter(|c| c.method != "GET" && c.operation != "verify_repository")
        .map(|c| format!("{} {}", c.method, c.path))
        .collect::<Vec<_>>();
    assert!(
        mutating.is_empty(),
        "the plan changed the cluster: {mutating:?}"
    );

    // Confirmation by the cluster's name.
    let (status, body) = console
        .post_json("/api/v1/restores", &format!("{{\"backupId\": {backup}}}"))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"prod\"}}"),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": 123}}"),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = console
        .post_json(
            "/api/v1/restores",
            "{\"backupId\": 424242, \"confirm\": \"test\"}",
        )
        .await;
    assert_eq!(status, 404);
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started:#}");
    let rid = started["restoreId"].as_i64().expect("restoreId");

    // Backups and restores exclude each other.
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "restore_running");
    let (status, _) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 409);

    // Stop the apps: confirmed too early, the step still waits for them to stop.
    let r = console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    assert_eq!(r["state"], "waiting");
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/restore_zeebe/confirm"),
            "",
        )
        .await;
    assert_eq!(
        status, 409,
        "a step that is not waiting cannot be confirmed"
    );
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/stop_apps/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let r = console.restore(rid).await;
    assert_eq!(step_state(&r, "stop_apps"), "waiting", "{r:#}");
    assert!(
        r["progress"]["deleted"]
            .as_array()
            .is_some_and(Vec::is_empty),
        "nothing is deleted while components answer"
    );
    for c in APPS {
        control.stop_component(c).await.expect("stop");
    }

    // Deletion and restores run by themselves; then the Zeebe restore waits.
    let r = console
        .until_restore_step(rid, "restore_zeebe", "waiting")
        .await;
    assert_eq!(r["state"], "waiting");
    let (status, _) = console
        .post_json(&format!("/api/v1/restores/{rid}/cancel"), "")
        .await;
    assert_eq!(status, 409, "no cancel after the first destructive action");
    assert_eq!(
        r["progress"]["restored"].as_array().map(Vec::len),
        Some(snapshots.len())
    );
    for broker in 0..3 {
        control.clear_broker_data(broker).expect("clear");
        let outcome = control
            .restore_broker(broker, u64::try_from(backup).expect("id"), None)
            .await
            .expect("restore app");
        assert_eq!(outcome.exit_code, 0, "{:?}", outcome.log);
        assert!(outcome
            .log
            .iter()
            .any(|l| l == &format!("Successfully restored broker from backup {backup}")));
    }
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/restore_zeebe/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 202);

    // Start everything; the post-restore checks pass.
    console
        .until_restore_step(rid, "start_apps", "waiting")
        .await;
    for c in APPS {
        control.start_component(c).await.expect("start");
    }
    let (status, _) = console
        .post_json(
            &format!("/api/v1/restores/{rid}/steps/start_apps/confirm"),
            "",
        )
        .await;
    assert_eq!(status, 202);
    let done = eventually("restore completed", Duration::from_secs(30), || async {
        let r = console.restore(rid).await;
        assert_ne!(r["state"], "failed", "{r:#}");
        (r["state"] == "completed").then_some(r)
    })
    .await;
    assert!(done["rtoMs"].as_u64().is_some(), "{done:#}");
    for c in done["postChecks"].as_array().into_iter().flatten() {
        assert_eq!(c["state"], "pass", "{c}");
    }

    // The cluster holds the set's data and nothing written after it.
    let state = control.snapshot_state();
    let wanted = snapshot_contents(&state, &snapshots);
    assert!(wanted.contains_key(touched), "{wanted:?}");
    for (index, content) in &wanted {
        assert_eq!(
            control.es_index_content(index).as_ref(),
            Some(content),
            "{index} differs from the backup"
        );
    }
    assert!(control
        .es_index("operate-written-after-backup-8.3.0_")
        .is_none());

    // The restore history keeps it.
    let (_, list) = console.get_json("/api/v1/restores").await;
    assert_eq!(list["items"][0]["restoreId"], rid, "{list}");
    assert_eq!(list["items"][0]["state"], "completed");
    assert!(
        list["items"][0]["startedBy"]
            .as_str()
            .is_some_and(|w| w.contains("127.0.0.1")),
        "{list}"
    );
    console.stop().await;
}

#[tokio::test]
async fn a_failing_check_blocks_the_restore_and_cancel_works_before_anything_is_deleted() {
    let console = start(fast_sim()).await;
    let backup = console.start_backup().await;
    console.wait_terminal(backup).await;
    let control = console.sim.control();

    // Operate is down: its version cannot be checked, so the restore is refused with the checks.
    control
        .stop_component(Component::Operate)
        .await
        .expect("stop");
    let (status, body) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 409, "{body:#}");
    assert_eq!(body["error"]["code"], "checks_failed");
    let versions = body["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["key"] == "versions"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(versions["state"], "fail", "{body:#}");
    assert!(versions["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Operate"));
    control
        .start_component(Component::Operate)
        .await
        .expect("start");

    // Started, then cancelled while waiting for the apps to stop: nothing deleted.
    let indices_before = control.snapshot_state()["elasticsearch"]["indices"].clone();
    let (status, started) = console
        .post_json(
            "/api/v1/restores",
            &format!("{{\"backupId\": {backup}, \"confirm\": \"test\"}}"),
        )
        .await;
    assert_eq!(status, 201, "{started:#}");
    let rid = started["restoreId"].as_i64().expect("id");
    console
        .until_restore_step(rid, "stop_apps", "waiting")
        .await;
    let (status, _) = console
        .post_json(&format!("/api/v1/restores/{rid}/cancel"), "")
        .await;
    assert_eq!(status, 202);
    let r = eventually("cancelled", Duration::from_secs(10), || async {
        let r = console.restore(rid).await;
        (r["state"] == "cancelled").then_some(r)
    })
    .await;
    assert!(r["nextAction"]
        .as_str()
        .is_some_and(|n| n.contains("Nothing was deleted")));
    // A new stream starts with the restore as it is now (one event, the latest id) and ends
    // there: the restore has ended.
    let stream = |last: Option<u64>| {
        let mut r = console
            .http
            .get(console.url(&format!("/api/v1/restores/{rid}/events")));
        if let Some(l) = last {
            r = r.header("last-event-id", l.to_string());
        }
        async move {
            let text = r
                .send()
                .await
                .expect("events")
                .text()
                .await
                .expect("stream ends");
            let ids: Vec<u64> = text
                .lines()
                .filter_map(|l| l.strip_prefix("id:"))
                .filter_map(|v| v.trim().parse().ok())
                .collect();
            let events: Vec<Value> = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter_map(|d| serde_json::from_str(d.trim()).ok())
                .collect();
            (ids, events)
        }
    };
    let (ids, events) = stream(None).await;
    assert_eq!(ids.len(), 1, "{ids:?}");
    let latest = ids[0];
    assert!(latest >= 3, "{latest}");
    assert_eq!(
        events[0]["restore"]["state"], "cancelled",
        "{:?}",
        events[0]
    );
    assert_eq!(events[0]["state"], "cancelled");
    // Resumed after the first event: every change after it, in order, and nothing else.
    let (ids, events) = stream(Some(1)).await;
    assert_eq!(ids, (2..=latest).collect::<Vec<_>>());
    assert!(
        events.iter().all(|e| e.get("restore").is_none()),
        "{events:?}"
    );
    assert_eq!(events.last().expect("an event")["state"], "cancelled");
    // The journal's first event and its changes rebuild the restore exactly.
    let journal = console
        .console
        .restores
        .store()
        .restore_events_after(rid, 0, 10_000)
        .await
        .expect("journal");
    let mut rebuilt = None;
    for framed in journal {
        let e: RestoreEvent = serde_json::from_str(&framed.json).expect("a restore event");
        rebuilt = e.applied_to(rebuilt.as_ref());
    }
    let stored = console
        .console
        .restores
        .store()
        .restore(rid)
        .await
        .expect("read")
        .expect("restore");
    assert_eq!(rebuilt.as_ref(), Some(&stored));
    assert_eq!(
        control.snapshot_state()["elasticsearch"]["indices"],
        indices_before
    );
    // A backup may start again.
    let again = console.start_backup().await;
    assert_eq!(console.wait_terminal(again).await["state"], "completed");
    console.stop().await;
}
