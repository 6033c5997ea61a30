//! Backup Now over the REST API against the simulator: the happy path and the exact order of
//! calls, id rules, request validation, one run at a time.

use crate::common;

use common::{assert_exporting, fast_sim, start, step};
use std::time::Duration;

#[tokio::test]
async fn a_backup_runs_every_step_in_the_documented_order() {
    let console = start(fast_sim()).await;
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    for s in run["steps"].as_array().expect("steps") {
        assert_eq!(s["state"], "completed", "{s}");
        assert!(
            s["startedAt"].is_string() && s["finishedAt"].is_string(),
            "{s}"
        );
    }
    assert_eq!(run["scheduledSnapshots"].as_array().map(Vec::len), Some(12));
    assert!(run["pause"]["durationMs"].is_u64(), "{run}");
    assert_exporting(&console.sim).await;

    // The calls that change something, in the order the simulator received them.
    let calls = console.sim.control().calls();
    let changes = console.changes();
    let webapps: Vec<&str> = changes[..3]
        .iter()
        .map(|c| c.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(webapps, ["optimize", "operate", "tasklist"], "{changes:#?}");
    assert!(
        changes[..3]
            .iter()
            .all(|c| c.ends_with("POST /actuator/backups")),
        "{changes:#?}"
    );
    assert_eq!(
        changes[3..].to_vec(),
        vec![
            "zeebe POST /actuator/exporting/pause?soft=true".to_owned(),
            format!("elasticsearch PUT /_snapshot/camunda/camunda_zeebe_records_backup_{id}?wait_for_completion=true"),
            "zeebe POST /actuator/backups".to_owned(),
            "zeebe POST /actuator/exporting/resume".to_owned(),
        ],
        "{changes:#?}"
    );
    // Every web app was seen COMPLETED before the pause: their last status GET precedes it.
    let pause_seq = calls
        .iter()
        .find(|c| c.path == "/actuator/exporting/pause")
        .map(|c| c.seq)
        .expect("pause");
    for app in ["operate", "tasklist", "optimize"] {
        let last_get = calls
            .iter()
            .filter(|c| {
                c.component == app
                    && c.method == "GET"
                    && c.path == format!("/actuator/backups/{id}")
            })
            .map(|c| c.seq)
            .max()
            .expect("status polled");
        assert!(last_get < pause_seq, "{app} polled after the pause");
    }
    // The records snapshot is waited for server-side, of the zeebe-record indices.
    let snapshot = calls.iter().find(|c| c.method == "PUT").expect("snapshot");
    assert_eq!(snapshot.query.as_deref(), Some("wait_for_completion=true"));
    assert!(snapshot
        .body
        .as_deref()
        .unwrap_or("")
        .contains("zeebe-record*"));
    console.stop().await;
}

#[tokio::test]
async fn the_default_id_is_the_unix_time_and_a_lower_id_is_refused_naming_the_latest() {
    let console = start(fast_sim()).await;
    let before = chrono::Utc::now().timestamp();
    let id = console.start_backup().await;
    assert!(id >= before, "{id} < {before}");
    console.wait_terminal(id).await;

    for body in [
        format!("{{\"backupId\": {id}}}"),
        "{\"backupId\": 5}".into(),
    ] {
        let (status, err) = console.post_json("/api/v1/backups", &body).await;
        assert_eq!(status, 409, "{body}: {err}");
        assert_eq!(err["error"]["code"], "backup_id_not_above_latest");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(&id.to_string()),
            "{err}"
        );
    }
    for body in ["{\"backupId\": 0}", "{\"backupId\": -1}"] {
        let (status, err) = console.post_json("/api/v1/backups", body).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["error"]["code"], "invalid_backup_id");
    }
    let (status, body) = console
        .post_json("/api/v1/backups", &format!("{{\"backupId\": {}}}", id + 10))
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["backupId"], id + 10);
    console.wait_terminal(id + 10).await;
    console.stop().await;
}

#[tokio::test]
async fn malformed_and_oversized_bodies_get_400_and_413() {
    let console = start(fast_sim()).await;
    for body in [
        "{",
        "[]",
        "{\"backupId\": \"x\"}",
        "{\"backupId\": 1.5}",
        "{\"other\": 1}",
    ] {
        let (status, err) = console.post_json("/api/v1/backups", body).await;
        assert_eq!(status, 400, "{body}: {err}");
        assert_eq!(err["error"]["code"], "malformed_body");
    }
    let huge = format!("{{\"backupId\": 1, \"pad\": \"{}\"}}", "x".repeat(200_000));
    let (status, _) = console.post_json("/api/v1/backups", &huge).await;
    assert_eq!(status, 413);
    let (status, err) = console.get_json("/api/v1/backups/abc").await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("invalid_backup_id"))
    );
    let (status, _) = console.get_json("/api/v1/backups/424242").await;
    assert_eq!(status, 404);
    let (status, _) = console.post_json("/api/v1/backups/424242/cancel", "").await;
    assert_eq!(status, 404);
    console.stop().await;
}

#[tokio::test]
async fn two_simultaneous_starts_start_exactly_one_run() {
    let mut sim = fast_sim();
    sim.timing.webapp_part_ms = 100;
    let console = start(sim).await;
    let (a, b) = tokio::join!(
        console.post_json("/api/v1/backups", "{}"),
        console.post_json("/api/v1/backups", "{}")
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [202, 409], "{a:?} {b:?}");
    let (accepted, refused) = if a.0 == 202 { (a.1, b.1) } else { (b.1, a.1) };
    let id = accepted["backupId"].as_i64().expect("id");
    assert_eq!(refused["error"]["code"], "backup_running");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains(&id.to_string()));
    let (_, list) = console.get_json("/api/v1/backups").await;
    let with_runs = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !r["state"].is_null())
        .count();
    assert_eq!(with_runs, 1, "{list}");
    console.wait_terminal(id).await;
    console.stop().await;
}

#[tokio::test]
async fn optimize_steps_are_skipped_when_optimize_is_not_configured() {
    let console = common::start_without_optimize(fast_sim()).await;
    console.sim.control().clear_calls();
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    assert!(step(&run, "trigger_optimize").is_none());
    assert!(console
        .sim
        .control()
        .calls()
        .iter()
        .all(|c| c.component != "optimize"));
    console.stop().await;
}

#[tokio::test]
async fn the_event_stream_replays_from_last_event_id_and_ends_after_the_terminal_event() {
    let console = start(fast_sim()).await;
    let id = console.start_backup().await;
    let full = read_events(&console, id, None).await;
    let seqs: Vec<u64> = full.iter().map(|(seq, _)| *seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(seqs.first(), Some(&1));
    let last = full.last().expect("events");
    assert_eq!(last.1["runState"], "completed");
    assert!(full.iter().any(|(_, e)| e["step"] == "wait_operate"
        && e["detail"]
            .as_str()
            .is_some_and(|d| d.contains("of 6 snapshots"))));
    // A client that saw up to 5 gets exactly the rest.
    let rest = read_events(&console, id, Some(5)).await;
    assert_eq!(
        rest.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        seqs[5..].to_vec()
    );
    console.stop().await;
}

/// Reads an SSE stream to its end; returns (id, data) of each event.
async fn read_events(
    console: &common::TestConsole,
    id: i64,
    last: Option<u64>,
) -> Vec<(u64, serde_json::Value)> {
    let mut req = console
        .http
        .get(console.url(&format!("/api/v1/backups/{id}/events")));
    if let Some(l) = last {
        req = req.header("Last-Event-ID", l.to_string());
    }
    let mut resp = req
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("stream");
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    while let Some(chunk) = resp.chunk().await.expect("chunk") {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text.split("\n\n")
        .filter_map(|block| {
            let id = block
                .lines()
                .find_map(|l| l.strip_prefix("id:"))?
                .trim()
                .parse()
                .ok()?;
            let data = block.lines().find_map(|l| l.strip_prefix("data:"))?.trim();
            Some((id, serde_json::from_str(data).ok()?))
        })
        .collect()
}
