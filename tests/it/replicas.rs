//! Several console replicas on one PostgreSQL, as real processes: exactly one leads; a start on
//! a follower runs on the leader and is answered with the leader's codes; a follower's live
//! stream follows the journal with `Last-Event-ID` intact; the leader killed (`kill -9`)
//! inside the pause window is replaced within `leader_lease_secs`, and its successor resumes
//! exporting, journals the run's end and carries on with the schedules; a leader paused
//! (`SIGSTOP`) past its lease is fenced when it wakes.

use crate::common::replicas::{until_leader, ReplicaProcess};
use crate::common::{self, eventually, fast_sim, leader_phases, postgres::fresh_database, step};
use camunda_backup_console::store::{Store, StoreError};
use std::time::{Duration, Instant};

const LEASE_SECS: u64 = 3;

async fn get(replica: &ReplicaProcess, path: &str) -> (u16, serde_json::Value) {
    let r = common::client()
        .get(replica.url(path))
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

async fn post(replica: &ReplicaProcess, path: &str, body: &str) -> (u16, serde_json::Value) {
    let r = common::client()
        .post(replica.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

/// Run `id` once it has ended, as `replica` reads the journal.
async fn until_ended(replica: &ReplicaProcess, id: i64) -> serde_json::Value {
    eventually(
        &format!("run {id} ended, read on {}", replica.id),
        Duration::from_secs(30),
        || async {
            let (_, run) = get(replica, &format!("/api/v1/backups/{id}")).await;
            (run["state"] != "running").then_some(run)
        },
    )
    .await
}

/// Waits until run `id` is inside its pause window (the records snapshot awaited).
async fn until_in_window(replica: &ReplicaProcess, id: i64) {
    eventually(
        &format!("run {id} inside the pause window"),
        Duration::from_secs(30),
        || async {
            let (_, run) = get(replica, &format!("/api/v1/backups/{id}")).await;
            (step(&run, "wait_records_snapshot")?["state"] == "running").then_some(())
        },
    )
    .await;
}

/// Waits until `replica` follows `leader`.
async fn until_following(replica: &ReplicaProcess, leader: &str) {
    eventually(
        &format!("{} follows {leader}", replica.id),
        Duration::from_secs(10),
        || async {
            replica
                .replica()
                .await
                .filter(|r| r["leader"] == false && r["leaderId"] == leader)
        },
    )
    .await;
}

/// The `data:` lines' `seq` of a run's event stream read from `replica` until it ends.
async fn stream_seqs(replica: &ReplicaProcess, id: i64, last_event_id: Option<u64>) -> Vec<u64> {
    let mut request = common::client().get(replica.url(&format!("/api/v1/backups/{id}/events")));
    if let Some(last) = last_event_id {
        request = request.header("last-event-id", last.to_string());
    }
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
        .execute(
            request
                .header("authorization", format!("Bearer {}", common::ADMIN_TOKEN))
                .build()
                .expect("request"),
        )
        .await
        .expect("stream");
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.expect("the stream ends with the run");
    text.lines()
        .filter_map(|l| l.strip_prefix("id:"))
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

#[tokio::test]
async fn one_leader_runs_what_a_follower_is_asked_and_a_follower_streams_the_journal() {
    let Some(db) = fresh_database("replicas").await else {
        return;
    };
    let mut config = fast_sim();
    // Slow enough to be watched live from the follower.
    config.timing.es_snapshot_ms = 1500;
    let sim = camunda_sim::start(config).await.expect("simulator");
    let a = ReplicaProcess::start(sim.urls(), &db, "console-a", LEASE_SECS, "").await;
    let a_says = until_leader(&a, Duration::from_secs(10)).await;
    let b = ReplicaProcess::start(sim.urls(), &db, "console-b", LEASE_SECS, "").await;
    let b_says = b.replica().await.expect("console");
    assert_eq!(b_says["id"], "console-b");
    assert_eq!(b_says["leader"], false, "{b_says}");
    assert_eq!(b_says["leaderId"], "console-a", "{b_says}");
    assert_eq!(b_says["leaderSince"], a_says["leaderSince"]);
    // The follower reads its history once before anything ran.
    let (status, page) = get(&b, "/api/v1/backups").await;
    assert_eq!(
        (status, page["summary"]["total"].as_i64()),
        (200, Some(0)),
        "{page}"
    );

    // A start on the follower runs on the leader; the follower answers with its code.
    let (status, started) = post(&b, "/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{started}");
    let id = started["backupId"].as_i64().expect("backupId");
    // A second start, while it runs: the leader's 409, through either replica.
    let (status_b, busy_b) = post(&b, "/api/v1/backups", "{}").await;
    let (status_a, busy_a) = post(&a, "/api/v1/backups", "{}").await;
    assert_eq!((status_b, status_a), (409, 409), "{busy_b} {busy_a}");
    assert_eq!(busy_b["error"]["code"], busy_a["error"]["code"]);
    // The follower's live stream follows the leader's journal, in order, to the end.
    let live = stream_seqs(&b, id, None).await;
    assert!(live.len() >= 10, "{live:?}");
    assert_eq!(
        live,
        (1..=live.len() as u64).collect::<Vec<_>>(),
        "in order, none missing"
    );
    // Replay after Last-Event-ID from the follower: the rest, exactly.
    let replayed = stream_seqs(&b, id, Some(4)).await;
    assert_eq!(replayed, live[4..].to_vec());
    let (_, run) = get(&b, &format!("/api/v1/backups/{id}")).await;
    assert_eq!(run["state"], "completed", "{run}");
    // The follower's history shows the set the leader journaled (its own list read before the
    // run began).
    let row = eventually(
        "the set in the follower's history",
        Duration::from_secs(10),
        || async {
            let (_, page) = get(&b, "/api/v1/backups").await;
            page["items"]
                .as_array()?
                .iter()
                .find(|r| r["backupId"] == id && r["verdict"] == "restorable")
                .cloned()
        },
    )
    .await;
    assert_eq!(
        row["startedBy"], "this console",
        "the journal's run, not a set found elsewhere: {row}"
    );
    // The leader ran it, not the follower.
    assert!(
        a.log_text().contains("backup run started"),
        "the leader ran it:\n{}",
        a.log_text()
    );
    assert!(
        !b.log_text().contains("backup run started"),
        "the follower did not run it"
    );
    // A browser signed in on the follower: its session (kept in the database) and its CSRF
    // token hold on the leader, which sees the page's own origin.
    let session = crate::auth::sign_in_at(&b.url(""), "admin", common::ADMIN_PASSWORD).await;
    let r = reqwest::Client::new()
        .post(b.url("/api/v1/backups"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .header("origin", b.url(""))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("start");
    let status = r.status().as_u16();
    let second: serde_json::Value = r.json().await.unwrap_or_default();
    assert_eq!(status, 202, "{second}");
    let second = second["backupId"].as_i64().expect("backupId");
    let run = until_ended(&b, second).await;
    assert_eq!(run["state"], "completed", "{run}");
    // A confirmation the leader refuses, through the follower: the same refusal.
    let (status_b, body_b) = post(&b, &format!("/api/v1/backups/{id}/cancel"), "").await;
    let (status_a, body_a) = post(&a, &format!("/api/v1/backups/{id}/cancel"), "").await;
    assert_eq!(status_b, status_a, "{body_b} {body_a}");
    assert_eq!(body_b, body_a);
    // The audit log names the caller (through the follower, the caller's address, not the
    // follower's connection).
    let (_, audit) = get(&a, "/api/v1/audit?action=backup.start&limit=10").await;
    let starts = audit["entries"].as_array().cloned().unwrap_or_default();
    assert!(
        starts
            .iter()
            .any(|e| e["outcome"] == "ok" && e["actor"] == "admin-token"),
        "{audit}"
    );
    // Exporting paused by someone else, outside any run: the banner says so on every
    // replica, the follower's too (the leader's watchdog alone acts on it).
    let paused = common::client()
        .post(format!(
            "{}/actuator/exporting/pause?soft=true",
            sim.urls().zeebe_gateway
        ))
        .send()
        .await
        .expect("pause");
    assert!(paused.status().is_success());
    for replica in [&a, &b] {
        eventually(
            &format!("{}'s banner", replica.id),
            Duration::from_secs(15),
            || async {
                let (_, info) = get(replica, "/api/v1/console").await;
                info["alert"]
                    .as_str()
                    .is_some_and(|a| a.contains("Exporting is paused"))
                    .then_some(())
            },
        )
        .await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_leader_killed_inside_the_pause_window_is_replaced_within_the_lease_and_its_run_and_schedules_go_on(
) {
    let Some(db) = fresh_database("failover").await else {
        return;
    };
    let mut config = fast_sim();
    // The records snapshot takes 4 s: the run sits inside the pause window.
    config.timing.es_snapshot_ms = 4000;
    let sim = camunda_sim::start(config).await.expect("simulator");
    let mut a = ReplicaProcess::start(sim.urls(), &db, "console-a", LEASE_SECS, "").await;
    until_leader(&a, Duration::from_secs(10)).await;
    let b = ReplicaProcess::start(sim.urls(), &db, "console-b", LEASE_SECS, "").await;
    assert_eq!(b.replica().await.expect("b")["leader"], false);

    let (status, started) = post(&b, "/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{started}");
    let id = started["backupId"].as_i64().expect("backupId");
    // A schedule every 2 s, made before the kill (its fires wait while the run holds the slot).
    let (status, schedule) = post(
        &b,
        "/api/v1/schedules",
        r#"{"name": "every 2 s", "cron": "*/2 * * * * *"}"#,
    )
    .await;
    assert_eq!(status, 201, "{schedule}");
    until_in_window(&b, id).await;
    assert!(
        leader_phases(sim.urls())
            .await
            .iter()
            .any(|p| p != "EXPORTING"),
        "exporting is paused"
    );

    let killed_at = chrono::Utc::now();
    let killed = Instant::now();
    a.kill9();
    let b_leads = until_leader(&b, Duration::from_secs(LEASE_SECS * 3)).await;
    let since =
        chrono::DateTime::parse_from_rfc3339(b_leads["leaderSince"].as_str().expect("since"))
            .expect("rfc3339");
    let takeover = (since.with_timezone(&chrono::Utc) - killed_at)
        .to_std()
        .unwrap_or_default();
    assert!(
        takeover < Duration::from_secs(LEASE_SECS),
        "took over {takeover:?} after the kill (lease {LEASE_SECS} s)"
    );
    eventually("exporting resumed", Duration::from_secs(30), || async {
        leader_phases(sim.urls())
            .await
            .iter()
            .all(|p| p == "EXPORTING")
            .then_some(())
    })
    .await;
    let resumed = killed.elapsed();
    let run = until_ended(&b, id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(
        step(&run, "resume_exporting").map(|s| s["state"].clone()),
        Some("completed".into()),
        "{run}"
    );
    // The schedules go on under the new leader: a run it started for the schedule completes.
    let scheduled = eventually(
        "a scheduled run on the new leader",
        Duration::from_secs(30),
        || async {
            let (_, page) = get(&b, "/api/v1/backups").await;
            page["items"]
                .as_array()?
                .iter()
                .find(|r| {
                    r["startedBy"] == "schedule \"every 2 s\"" && r["backupId"].as_i64() > Some(id)
                })
                .and_then(|r| r["backupId"].as_i64())
        },
    )
    .await;
    let run = until_ended(&b, scheduled).await;
    assert_eq!(run["state"], "completed", "{run}");
    eprintln!(
        "failover: takeover {takeover:?} after the kill, exporting resumed {resumed:?} after it"
    );
    drop(b);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_leader_paused_past_its_lease_cannot_write_when_it_wakes() {
    let Some(db) = fresh_database("fencing").await else {
        return;
    };
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let a = ReplicaProcess::start(sim.urls(), &db, "console-a", LEASE_SECS, "").await;
    let a_term = until_leader(&a, Duration::from_secs(10)).await;
    let b = ReplicaProcess::start(sim.urls(), &db, "console-b", LEASE_SECS, "").await;
    a.signal("STOP");
    let b_term = until_leader(&b, Duration::from_secs(LEASE_SECS * 3)).await;
    assert_ne!(a_term["leaderSince"], b_term["leaderSince"]);
    // The old term's token can write nothing: a journal handle holding it is refused.
    let stale = Store::connect_with(&db.url, Some(&db.password_file))
        .await
        .expect("store");
    let row = stale.leader().await.expect("leader");
    stale.set_fence(row.epoch - 1);
    match stale
        .decide_deletion("test", 4242, "stale", "2026-01-01T00:00:00.000Z")
        .await
    {
        Err(StoreError::Fenced { held, current }) => {
            assert_eq!((held + 1, current), (row.epoch, row.epoch));
        }
        other => panic!("a stale term wrote: {other:?}"),
    }
    // The paused leader wakes: it stops leading (its renewal is refused) and acts no more —
    // a start it is sent goes to the new leader.
    a.signal("CONT");
    until_following(&a, "console-b").await;
    let (status, started) = post(&a, "/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{started}");
    let id = started["backupId"].as_i64().expect("id");
    let run = until_ended(&b, id).await;
    assert_eq!(run["state"], "completed", "{run}");
    sim.shutdown().await;
}

/// The pages' actions are forwarded by the paths Leptos gives their server functions (name and
/// hash), and the pages' reads and settings are not.
#[test]
fn the_pages_actions_are_forwarded_by_their_real_paths() {
    use camunda_backup_console::api::*;
    use camunda_backup_console::web::forward::needs_leader;
    use leptos::server_fn::ServerFn;
    let post = reqwest::Method::POST;
    for path in [
        StartBackup::PATH,
        CancelBackup::PATH,
        DeleteSet::PATH,
        StartRestore::PATH,
        ConfirmRestoreStep::PATH,
        RetryRestore::PATH,
        CancelRestore::PATH,
        RunSchedule::PATH,
        SimulateOperatorStep::PATH,
    ] {
        assert!(needs_leader(&post, path), "{path} runs on the leader");
    }
    for path in [
        GetBackups::PATH,
        GetRun::PATH,
        GetRestorePlan::PATH,
        SaveSchedule::PATH,
        SaveRetention::PATH,
        KeepSet::PATH,
        AddWebhook::PATH,
        SendTestWebhook::PATH,
    ] {
        assert!(!needs_leader(&post, path), "{path} runs anywhere");
    }
}

/// A leader paused (`SIGSTOP`) inside its run's pause window, replaced, and woken up while the
/// new leader's own backup holds a pause: its run is fenced, and it does not resume exporting
/// under the new leader's backup (the new leader's recovery resumed for the old run already).
#[tokio::test]
async fn a_leader_woken_inside_the_new_leaders_pause_window_leaves_exporting_paused() {
    let Some(db) = fresh_database("woken").await else {
        return;
    };
    let mut config = fast_sim();
    config.timing.es_snapshot_ms = 4000;
    let sim = camunda_sim::start(config).await.expect("simulator");
    let a = ReplicaProcess::start(sim.urls(), &db, "console-a", LEASE_SECS, "").await;
    until_leader(&a, Duration::from_secs(10)).await;
    let b = ReplicaProcess::start(sim.urls(), &db, "console-b", LEASE_SECS, "").await;
    let (status, first) = post(&a, "/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{first}");
    let first = first["backupId"].as_i64().expect("id");
    until_in_window(&a, first).await;
    a.signal("STOP");
    until_leader(&b, Duration::from_secs(LEASE_SECS * 3)).await;
    let run = until_ended(&b, first).await;
    assert_eq!(run["state"], "completed", "{run}");
    // The new leader's own backup, inside its pause window; then the old leader wakes.
    let (status, second) = post(&b, "/api/v1/backups", "{}").await;
    assert_eq!(status, 202, "{second}");
    let second = second["backupId"].as_i64().expect("id");
    until_in_window(&b, second).await;
    a.signal("CONT");
    // The old leader finds its term over (it follows), and exporting stays paused for the
    // new leader's snapshot (4 s) — nobody resumed it under the backup.
    until_following(&a, "console-b").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, now) = get(&b, &format!("/api/v1/backups/{second}")).await;
    assert_eq!(
        step(&now, "wait_records_snapshot").map(|s| s["state"].clone()),
        Some("running".into()),
        "still inside the window: {now}"
    );
    let phases = leader_phases(sim.urls()).await;
    assert!(
        phases.iter().all(|p| p != "EXPORTING"),
        "exporting was resumed under the new leader's backup: {phases:?}"
    );
    let done = until_ended(&b, second).await;
    assert_eq!(done["state"], "completed", "{done}");
    assert!(
        a.log_text().contains("another replica leads now"),
        "the woken leader said why it touched nothing"
    );
    sim.shutdown().await;
}
