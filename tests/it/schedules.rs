//! Schedules against the simulator: a 6-field cron fires a real run; with a manual clock, hours
//! of fires (busy, skipped, missed while down, fired together, across a DST change) in
//! milliseconds; the API's refusals and roles.

use crate::common::{self, eventually, fast_sim, TestConsole};
use camunda_backup_console::clock::ManualClock;
use chrono::{DateTime, Utc};
use reqwest::Method;
use std::time::Duration;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

async fn create(console: &TestConsole, body: serde_json::Value) -> serde_json::Value {
    let (status, s) = console
        .post_json("/api/v1/schedules", &body.to_string())
        .await;
    assert_eq!(status, 201, "{s}");
    s
}

/// The schedule's fires as stored, newest first: (outcome, backup id, detail).
async fn fires(console: &TestConsole, id: i64) -> Vec<(String, Option<i64>, String)> {
    console
        .console
        .engine
        .store()
        .fires(id, 100)
        .await
        .expect("fires")
        .into_iter()
        .map(|f| (f.outcome, f.backup_id, f.detail.unwrap_or_default()))
        .collect()
}

async fn until_fires(
    console: &TestConsole,
    id: i64,
    n: usize,
) -> Vec<(String, Option<i64>, String)> {
    eventually("the schedule's fires", Duration::from_secs(20), || async {
        let f = fires(console, id).await;
        (f.len() >= n).then_some(f)
    })
    .await
}

async fn clocked(clock: &ManualClock, db: &str, wait_secs: u64) -> TestConsole {
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    clocked_on(sim, clock, db, wait_secs).await
}

async fn clocked_on(
    sim: camunda_sim::RunningSimulator,
    clock: &ManualClock,
    db: &str,
    wait_secs: u64,
) -> TestConsole {
    let mut settings = common::settings_for(sim.urls(), db);
    if db.starts_with("postgres://") {
        settings.database_password_file = common::postgres::server().map(|(_, pw, _)| pw);
    }
    settings.automation.schedule_wait = Duration::from_secs(wait_secs);
    common::start_clocked(sim, settings, clock.shared()).await
}

#[tokio::test]
async fn a_six_field_cron_fires_a_real_run_named_for_its_schedule() {
    let console = common::start(fast_sim()).await;
    let s = create(
        &console,
        serde_json::json!({"name": "every 2 s", "cron": "*/2 * * * * *"}),
    )
    .await;
    assert_eq!(s["nextRuns"].as_array().map(Vec::len), Some(5), "{s}");
    assert_eq!(s["lastRun"], serde_json::Value::Null);
    let id = s["id"].as_i64().expect("id");
    let fired = until_fires(&console, id, 1).await;
    let (outcome, backup, _) = fired.last().cloned().expect("a fire");
    assert_eq!(outcome, "started", "{fired:?}");
    let backup = backup.expect("a run");
    // Switched off before its next fire joins or waits.
    let (status, _) = console
        .send_json(
            Method::PATCH,
            &format!("/api/v1/schedules/{id}"),
            r#"{"enabled": false}"#,
        )
        .await;
    assert_eq!(status, 200);
    let run = console.wait_terminal(backup).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["startedBy"], "schedule \"every 2 s\"");
    let (_, s) = console.get_json(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(s["enabled"], false);
    assert_eq!(s["nextRuns"], serde_json::json!([]));
    let last = &s["lastRun"];
    assert!(last["backupId"].as_i64().is_some(), "{s}");
    // The history names the schedule as the one who started it.
    let row = console
        .restorable_row(last["backupId"].as_i64().unwrap_or_default())
        .await;
    assert_eq!(row["startedBy"], "schedule \"every 2 s\"");
    console.stop().await;
}

#[tokio::test]
async fn a_fire_while_a_backup_runs_waits_for_the_slot_then_starts() {
    let clock = ManualClock::new(at("2026-05-01T00:59:00Z"));
    let mut sim = fast_sim();
    sim.timing.zeebe_partition_backup_ms = 30_000;
    let sim = camunda_sim::start(sim).await.expect("simulator");
    let console = clocked_on(sim, &clock, "sqlite::memory:", 600).await;
    let s = create(
        &console,
        serde_json::json!({"name": "hourly", "cron": "@hourly"}),
    )
    .await;
    let id = s["id"].as_i64().expect("id");
    assert_eq!(s["nextRuns"][0], "2026-05-01T01:00:00Z");
    let busy = console.start_backup().await;
    clock.set(at("2026-05-01T01:00:00Z"));
    // It waits: nothing recorded, and no second run.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(fires(&console, id).await.is_empty());
    clock.set(at("2026-05-01T01:04:00Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fires(&console, id).await.is_empty());
    // The running backup ends: the fire takes the slot at once.
    let (status, _) = console
        .post_json(&format!("/api/v1/backups/{busy}/cancel"), "")
        .await;
    assert_eq!(status, 202);
    let f = until_fires(&console, id, 1).await;
    assert_eq!(f[0].0, "started", "{f:?}");
    let started = f[0].1.expect("run");
    assert!(started > busy);
    console
        .console
        .engine
        .cancel(camunda_backup_console::domain::BackupId::new(started).expect("id"))
        .await
        .ok();
    console.stop().await;
}

#[tokio::test]
async fn a_fire_that_waits_longer_than_schedule_wait_is_skipped_with_the_reason() {
    let clock = ManualClock::new(at("2026-05-01T00:59:00Z"));
    let mut sim = fast_sim();
    sim.timing.zeebe_partition_backup_ms = 30_000;
    let sim = camunda_sim::start(sim).await.expect("simulator");
    let console = clocked_on(sim, &clock, "sqlite::memory:", 600).await;
    let s = create(
        &console,
        serde_json::json!({"name": "hourly", "cron": "0 0 * * * *"}),
    )
    .await;
    let id = s["id"].as_i64().expect("id");
    let busy = console.start_backup().await;
    clock.set(at("2026-05-01T01:00:00Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    clock.set(at("2026-05-01T01:10:01Z"));
    let f = until_fires(&console, id, 1).await;
    assert_eq!(f[0].0, "skipped", "{f:?}");
    assert!(
        f[0].2.contains("Waited schedule_wait_secs (600 s)")
            && f[0].2.contains(&format!("backup {busy} is running")),
        "{}",
        f[0].2
    );
    let (_, s) = console.get_json(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(s["lastRun"]["state"], "skipped", "{s}");
    assert_eq!(s["lastRun"]["backupId"], serde_json::Value::Null);
    // Only the admin's run exists.
    let (_, page) = console.get_json("/api/v1/backups").await;
    assert_eq!(page["summary"]["total"], 1, "{page}");
    console
        .post_json(&format!("/api/v1/backups/{busy}/cancel"), "")
        .await;
    console.stop().await;
}

#[tokio::test]
async fn two_schedules_due_together_give_one_run() {
    let clock = ManualClock::new(at("2026-05-01T00:59:30Z"));
    let console = clocked(&clock, "sqlite::memory:", 600).await;
    let a = create(
        &console,
        serde_json::json!({"name": "a", "cron": "0 1 * * *"}),
    )
    .await;
    let b = create(
        &console,
        serde_json::json!({"name": "b", "cron": "0 * * * *"}),
    )
    .await;
    clock.set(at("2026-05-01T01:00:00Z"));
    let fa = until_fires(&console, a["id"].as_i64().unwrap_or_default(), 1).await;
    let fb = until_fires(&console, b["id"].as_i64().unwrap_or_default(), 1).await;
    let mut outcomes = vec![fa[0].0.clone(), fb[0].0.clone()];
    outcomes.sort();
    assert_eq!(outcomes, ["joined", "started"], "{fa:?} {fb:?}");
    assert_eq!(fa[0].1, fb[0].1, "both name the one run");
    let run = console.wait_terminal(fa[0].1.expect("run")).await;
    assert_eq!(run["state"], "completed");
    let (_, page) = console.get_json("/api/v1/backups").await;
    assert_eq!(page["summary"]["total"], 1, "{page}");
    console.stop().await;
}

#[tokio::test]
async fn fires_missed_while_the_console_was_down_are_recorded_once_and_only_a_recent_one_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("c.db").display());
    missed_fires(&db).await;
}

/// A schedule, then two restarts that missed fires (run on PostgreSQL too: `db` may be a
/// PostgreSQL test database's URL).
pub(crate) async fn missed_fires(db: &str) {
    let db = db.to_owned();
    let clock = ManualClock::new(at("2026-05-01T00:00:00Z"));
    let console = clocked(&clock, &db, 600).await;
    let s = create(
        &console,
        serde_json::json!({"name": "10 min", "cron": "*/10 * * * *"}),
    )
    .await;
    let id = s["id"].as_i64().expect("id");
    let (sim, _) = console.shut_down().await;
    // Down for 2 h 3 min: 12 fires were due; the last (02:00) is 3 min late, inside the wait.
    clock.set(at("2026-05-01T02:03:00Z"));
    let console = clocked_on(sim, &clock, &db, 600).await;
    let f = until_fires(&console, id, 2).await;
    let missed = &f[1];
    assert_eq!(missed.0, "missed", "{f:?}");
    assert!(
        missed
            .2
            .starts_with("11 fires from 2026-05-01T00:10:00.000Z to 2026-05-01T01:50:00.000Z"),
        "{}",
        missed.2
    );
    assert_eq!(f[0].0, "started");
    let run = console.wait_terminal(f[0].1.expect("run")).await;
    assert_eq!(run["state"], "completed");
    let (sim, _) = console.shut_down().await;
    // Down again for hours, back 7 min after the last fire with a 5 min wait: every fire is
    // missed, none runs.
    clock.set(at("2026-05-01T06:07:00Z"));
    let console = clocked_on(sim, &clock, &db, 300).await;
    let f = until_fires(&console, id, 3).await;
    assert_eq!(f[0].0, "missed", "{f:?}");
    assert!(
        f[0].2
            .starts_with("24 fires from 2026-05-01T02:10:00.000Z to 2026-05-01T06:00:00.000Z"),
        "{}",
        f[0].2
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fires(&console, id).await.len(), 3, "no catch-up burst");
    let (_, page) = console.get_json("/api/v1/backups").await;
    assert_eq!(page["summary"]["total"], 1, "{page}");
    console.stop().await;
}

#[tokio::test]
async fn a_local_time_skipped_by_daylight_saving_runs_once() {
    // Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29 (01:00 UTC).
    let clock = ManualClock::new(at("2026-03-28T12:00:00Z"));
    let console = clocked(&clock, "sqlite::memory:", 600).await;
    let s = create(
        &console,
        serde_json::json!({"name": "02:30 Berlin", "cron": "30 2 * * *", "timezone": "Europe/Berlin"}),
    )
    .await;
    assert_eq!(s["nextRuns"][0], "2026-03-29T01:00:00Z", "{s}");
    assert_eq!(s["nextRuns"][1], "2026-03-30T00:30:00Z");
    let id = s["id"].as_i64().expect("id");
    clock.set(at("2026-03-29T01:00:00Z"));
    let f = until_fires(&console, id, 1).await;
    assert_eq!(f[0].0, "started");
    console.wait_terminal(f[0].1.expect("run")).await;
    clock.set(at("2026-03-29T12:00:00Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fires(&console, id).await.len(), 1, "ran once");
    console.stop().await;
}

#[tokio::test]
async fn the_api_names_the_bad_field_and_keeps_roles() {
    let console = common::start(fast_sim()).await;
    for (body, code, field) in [
        (
            r#"{"name": "x", "cron": "* * *"}"#,
            "invalid_cron",
            "cron: ",
        ),
        (
            r#"{"name": "x", "cron": "61 * * * *"}"#,
            "invalid_cron",
            "cron: Minute field",
        ),
        (
            r#"{"name": "x", "cron": "@daily", "timezone": "Mars/Base"}"#,
            "invalid_timezone",
            "timezone: ",
        ),
        (
            r#"{"name": " ", "cron": "@daily"}"#,
            "invalid_name",
            "name: ",
        ),
        (
            r#"{"name": "x", "cron": "0 0 30 2 *"}"#,
            "invalid_cron",
            "cron: `0 0 30 2 *` never fires",
        ),
    ] {
        let (status, e) = console.post_json("/api/v1/schedules", body).await;
        assert_eq!(status, 422, "{body}: {e}");
        assert_eq!(e["error"]["code"], code, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with(field),
            "{e}"
        );
    }
    let s = create(
        &console,
        serde_json::json!({"name": "nightly", "cron": "0 2 * * *", "enabled": false}),
    )
    .await;
    let id = s["id"].as_i64().expect("id");
    let (status, e) = console
        .post_json(
            "/api/v1/schedules",
            r#"{"name": "nightly", "cron": "@daily"}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("name_taken"))
    );
    let viewer = common::client_as(common::VIEWER_TOKEN);
    let operator = common::client_as(common::OPERATOR_TOKEN);
    let r = viewer
        .get(console.url("/api/v1/schedules"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    let r = viewer
        .post(console.url(&format!("/api/v1/schedules/{id}/run")))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let r = operator
        .patch(console.url(&format!("/api/v1/schedules/{id}")))
        .header("content-type", "application/json")
        .body(r#"{"enabled": true}"#)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 403, "operators do not change schedules");
    let r = operator
        .post(console.url(&format!("/api/v1/schedules/{id}/run")))
        .send()
        .await
        .expect("run");
    assert_eq!(r.status(), 202, "operators run one now");
    let started: serde_json::Value = r.json().await.expect("json");
    let run = console
        .wait_terminal(started["backupId"].as_i64().expect("id"))
        .await;
    assert_eq!(run["startedBy"], "schedule \"nightly\"");
    // Run now does not move the next fire, and the schedule stays off.
    let (_, s) = console.get_json(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(s["lastRun"]["state"], "completed", "{s}");
    let (status, _) = console
        .send_json(Method::DELETE, &format!("/api/v1/schedules/{id}"), "")
        .await;
    assert_eq!(status, 204);
    let (status, _) = console.get_json(&format!("/api/v1/schedules/{id}")).await;
    assert_eq!(status, 404);
    let (_, audit) = console.get_json("/api/v1/audit?action=schedule.").await;
    let actions: Vec<String> = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["outcome"] != "attempted")
        .map(|e| {
            format!(
                "{} {} {}",
                e["action"].as_str().unwrap_or_default(),
                e["actor"].as_str().unwrap_or_default(),
                e["outcome"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "schedule.delete admin-token ok",
            "schedule.run operator-token ok",
            "schedule.update operator-token refused",
            "schedule.run viewer-token refused",
            "schedule.create admin-token refused",
            "schedule.create admin-token ok",
            "schedule.create admin-token refused",
            "schedule.create admin-token refused",
            "schedule.create admin-token refused",
            "schedule.create admin-token refused",
            "schedule.create admin-token refused",
        ],
        "{audit}"
    );
    console.stop().await;
}

#[tokio::test]
async fn when_zeebe_schedules_its_own_backups_the_consoles_schedules_are_refused_with_the_reason() {
    let mut sim = fast_sim();
    sim.version = "8.9.1".into();
    sim.runtime_backup_schedule = Some("PT1S".into());
    let console = common::start(sim).await;
    let page = eventually(
        "Zeebe's own schedule seen",
        Duration::from_secs(15),
        || async {
            let (_, page) = console.get_json("/api/v1/schedules").await;
            page["zeebeSchedulesOwn"].is_string().then_some(page)
        },
    )
    .await;
    let words = page["zeebeSchedulesOwn"].as_str().unwrap_or_default();
    assert!(
        words.contains("Zeebe takes its own backups") && words.contains("schedule=none"),
        "{words}"
    );
    let (status, e) = console
        .post_json(
            "/api/v1/schedules",
            r#"{"name": "nightly", "cron": "@daily"}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("zeebe_schedules_own")),
        "{e}"
    );
    // Kept off, it may exist; switching it on is refused the same way.
    let s = create(
        &console,
        serde_json::json!({"name": "nightly", "cron": "@daily", "enabled": false}),
    )
    .await;
    let (status, e) = console
        .send_json(
            Method::PATCH,
            &format!("/api/v1/schedules/{}", s["id"]),
            r#"{"enabled": true}"#,
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("zeebe_schedules_own")),
        "{e}"
    );
    let (status, e) = console
        .post_json(&format!("/api/v1/schedules/{}/run", s["id"]), "")
        .await;
    assert_eq!(status, 409, "{e}");
    console.stop().await;
}
