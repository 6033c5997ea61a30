//! Retention against the simulator: the preview before saving, a pass that deletes real sets
//! (every part) oldest first within the per-pass limit, never the newest restorable or a
//! pinned set, audited with the policy as actor.

use crate::common::{self, eventually, fast_sim, TestConsole};
use reqwest::Method;
use std::time::Duration;

async fn backups(console: &TestConsole, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let id = console.start_backup().await;
        let run = console.wait_terminal(id).await;
        assert_eq!(run["state"], "completed", "{run}");
        ids.push(id);
    }
    console.restorable_row(*ids.last().expect("a set")).await;
    ids
}

/// How many parts of set `id` the simulator holds: Zeebe's backup and the repository's
/// snapshots of the set (the web apps' `…_{id}_…` and the records' `…backup_{id}`).
fn parts_in_cluster(console: &TestConsole, id: i64) -> usize {
    let state = console.sim.control().snapshot_state();
    let zeebe = state["zeebe"]["backups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["backupId"] == id)
        .count();
    let snapshots = state["elasticsearch"]["snapshots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["snapshot"].as_str())
        .filter(|n| n.contains(&format!("_{id}_")) || n.ends_with(&format!("_{id}")))
        .count();
    zeebe + snapshots
}

async fn in_cluster(console: &TestConsole, id: i64) -> bool {
    parts_in_cluster(console, id) > 0
}

fn ids(list: &serde_json::Value) -> Vec<i64> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["backupId"].as_i64())
        .collect()
}

#[tokio::test]
async fn a_pass_deletes_real_sets_oldest_first_and_never_the_newest_restorable_or_a_pinned_one() {
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let settings = common::settings_for(sim.urls(), "sqlite::memory:");
    retention_pass(sim, settings).await;
}

/// Pins, a preview and two passes of one deletion each against real sets (run on PostgreSQL
/// too).
pub(crate) async fn retention_pass(
    sim: camunda_sim::RunningSimulator,
    mut settings: camunda_backup_console::config::Settings,
) {
    settings.automation.retention_max_deletions_per_pass = 1;
    let console = common::start_with(sim, settings).await;
    let sets = backups(&console, 4).await;
    for id in &sets {
        assert!(
            parts_in_cluster(&console, *id) >= 4,
            "set {id} is in the simulator"
        );
    }
    let (status, saved) = console.get_json("/api/v1/retention").await;
    assert_eq!(status, 200);
    assert_eq!(saved["enabled"], false, "off until saved: {saved}");
    assert_eq!(saved["savedAt"], serde_json::Value::Null);
    // Pin the second.
    let (status, pin) = console
        .send_json(
            Method::PUT,
            &format!("/api/v1/backups/{}/keep", sets[1]),
            "",
        )
        .await;
    assert_eq!(
        (status, pin["changed"].as_bool()),
        (200, Some(true)),
        "{pin}"
    );
    let (_, detail) = console
        .get_json(&format!("/api/v1/backups/{}", sets[1]))
        .await;
    assert_eq!(detail["pinned"]["pinnedBy"], "admin-token", "{detail}");
    // The preview of a policy not saved yet.
    let (status, preview) = console
        .get_json("/api/v1/retention/preview?keepLast=1&keepDays=0&keepDaily=0&keepWeekly=0&keepMonthly=0")
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(ids(&preview["delete"]), [sets[0], sets[2]], "{preview}");
    assert_eq!(ids(&preview["keep"]), [sets[3], sets[1]]);
    assert_eq!(
        preview["keep"][0]["reason"],
        "The newest restorable set: never deleted."
    );
    assert_eq!(
        preview["keep"][1]["reason"],
        "Pinned (Keep) by admin-token."
    );
    // Nothing deleted by a preview.
    assert!(in_cluster(&console, sets[0]).await);
    let policy = r#"{"enabled": true, "keepLast": 1, "keepDays": 0, "keepDaily": 0, "keepWeekly": 0, "keepMonthly": 0, "deleteFailedAfterDays": null}"#;
    let (status, saved) = console
        .send_json(Method::PUT, "/api/v1/retention", policy)
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["savedBy"], "admin-token");
    // The pass after saving deletes one set (the per-pass limit): the oldest.
    eventually(
        "the oldest set deleted",
        Duration::from_secs(20),
        || async { (!in_cluster(&console, sets[0]).await).then_some(()) },
    )
    .await;
    assert!(in_cluster(&console, sets[2]).await, "one deletion per pass");
    // The next pass deletes the other; the newest and the pinned one stay.
    console.console.retention.poke();
    eventually("the third set deleted", Duration::from_secs(20), || async {
        (!in_cluster(&console, sets[2]).await).then_some(())
    })
    .await;
    assert!(in_cluster(&console, sets[3]).await);
    assert!(in_cluster(&console, sets[1]).await);
    let report = console
        .console
        .retention
        .pass(&console.console.history_services())
        .await
        .expect("pass");
    assert!(
        report.deleted.is_empty() && report.failed.is_empty(),
        "{report:?}"
    );
    let (_, audit) = console
        .get_json("/api/v1/audit?actor=retention%20policy")
        .await;
    let done: Vec<String> = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["outcome"] == "ok")
        .map(|e| e["target"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        done,
        [
            format!("backup set {}", sets[2]),
            format!("backup set {}", sets[0])
        ],
        "{audit}"
    );
    // Unpinned, the second goes at the next pass.
    let (status, _) = console
        .send_json(
            Method::DELETE,
            &format!("/api/v1/backups/{}/keep", sets[1]),
            "",
        )
        .await;
    assert_eq!(status, 200);
    let report = console
        .console
        .retention
        .pass(&console.console.history_services())
        .await
        .expect("pass");
    assert_eq!(report.deleted, [sets[1]]);
    assert!(!in_cluster(&console, sets[1]).await);
    assert!(
        in_cluster(&console, sets[3]).await,
        "the newest restorable set stays"
    );
    console.stop().await;
}

#[tokio::test]
async fn policies_are_checked_and_only_admins_change_them() {
    let console = common::start(fast_sim()).await;
    let (status, e) = console
        .send_json(
            Method::PUT,
            "/api/v1/retention",
            r#"{"enabled": true, "keepLast": 0, "keepDays": 0, "keepDaily": 0, "keepWeekly": 0, "keepMonthly": 0, "deleteFailedAfterDays": null}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("invalid_policy")),
        "{e}"
    );
    assert!(e["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("keepLast:"));
    let (status, e) = console
        .get_json("/api/v1/retention/preview?keepLast=2")
        .await;
    assert_eq!(status, 400, "{e}");
    let operator = common::client_as(common::OPERATOR_TOKEN);
    let r = operator
        .put(console.url("/api/v1/retention"))
        .header("content-type", "application/json")
        .body(r#"{"enabled": true, "keepLast": 3, "keepDays": 0, "keepDaily": 0, "keepWeekly": 0, "keepMonthly": 0, "deleteFailedAfterDays": 7}"#)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 403);
    let r = operator
        .put(console.url("/api/v1/backups/1/keep"))
        .send()
        .await
        .expect("keep");
    assert_eq!(r.status(), 403);
    let (status, _) = console
        .send_json(Method::PUT, "/api/v1/backups/999/keep", "")
        .await;
    assert_eq!(status, 404, "an unknown set is not pinned");
    console.stop().await;
}

async fn save_keep_last_one(console: &TestConsole) {
    let policy = r#"{"enabled": true, "keepLast": 1, "keepDays": 0, "keepDaily": 0, "keepWeekly": 0, "keepMonthly": 0, "deleteFailedAfterDays": null}"#;
    let (status, saved) = console
        .send_json(Method::PUT, "/api/v1/retention", policy)
        .await;
    assert_eq!(status, 200, "{saved}");
}

#[tokio::test]
async fn a_part_that_fails_to_delete_is_shown_and_retried_at_the_next_pass() {
    let console = common::start(fast_sim()).await;
    let sets = backups(&console, 2).await;
    // Operate refuses to delete (every time, until cleared).
    console.sim.control().add_fault(
        camunda_sim::Fault::new("operate", "delete_backup", camunda_sim::FaultKind::Status)
            .with_status(500, r#"{"message":"repository read-only"}"#),
    );
    save_keep_last_one(&console).await;
    let unfinished = eventually(
        "the failed deletion shown",
        Duration::from_secs(20),
        || async {
            // Journaled before the first part goes: listed (as not finished) while the pass
            // still runs; wait for the pass to record Operate's refusal.
            let (_, p) = console.get_json("/api/v1/retention/preview").await;
            let reason = p["unfinished"][0]["reason"].clone();
            (ids(&p["unfinished"]) == [sets[0]]
                && reason
                    .as_str()
                    .is_some_and(|r| !r.contains("the console stopped")))
            .then_some(reason)
        },
    )
    .await;
    assert!(
        unfinished
            .as_str()
            .unwrap_or_default()
            .contains("repository read-only"),
        "{unfinished}"
    );
    // The other parts went; Operate's is still there.
    assert!(in_cluster(&console, sets[0]).await);
    let (_, audit) = console
        .get_json("/api/v1/audit?actor=retention%20policy&outcome=failed")
        .await;
    assert_eq!(
        audit["entries"].as_array().map(Vec::len),
        Some(1),
        "{audit}"
    );
    console.sim.control().clear_faults();
    let report = console
        .console
        .retention
        .pass(&console.console.history_services())
        .await
        .expect("pass");
    assert_eq!(report.deleted, [sets[0]], "{report:?}");
    assert!(!in_cluster(&console, sets[0]).await);
    let (_, p) = console.get_json("/api/v1/retention/preview").await;
    assert_eq!(p["unfinished"], serde_json::json!([]));
    console.stop().await;
}

#[tokio::test]
async fn a_deletion_cut_short_is_finished_first_by_the_next_pass() {
    let console = common::start_adjusted(fast_sim(), |s| {
        s.automation.retention_max_deletions_per_pass = 1;
    })
    .await;
    let sets = backups(&console, 3).await;
    // A pass decided to delete the second set and the console stopped before it finished.
    let store = console.console.engine.store();
    store
        .decide_deletion(
            "test",
            sets[1],
            "decided by an earlier pass",
            "2026-01-01T00:00:00.000Z",
        )
        .await
        .expect("journal");
    let (_, p) = console.get_json("/api/v1/retention/preview").await;
    assert_eq!(ids(&p["unfinished"]), [sets[1]], "{p}");
    save_keep_last_one(&console).await;
    // The limit is one set per pass: the unfinished one goes before the oldest.
    eventually(
        "the unfinished deletion finished",
        Duration::from_secs(20),
        || async { (!in_cluster(&console, sets[1]).await).then_some(()) },
    )
    .await;
    assert!(
        in_cluster(&console, sets[0]).await,
        "the oldest waits for the next pass"
    );
    let report = console
        .console
        .retention
        .pass(&console.console.history_services())
        .await
        .expect("pass");
    assert_eq!(report.deleted, [sets[0]]);
    assert!(in_cluster(&console, sets[2]).await);
    console.stop().await;
}
