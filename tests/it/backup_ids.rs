//! Backup ids are above every id any part of the cluster knows: a web app or Optimize does not
//! check that ids grow (§2.1), so a backup taken outside the console may hold a higher id than
//! Zeebe's latest. The console's next id goes above it, and a given id below it is refused
//! naming the part that holds it.

use crate::common;

use common::{eventually, fast_sim, start};
use std::time::Duration;

/// Takes a backup of the web app at `url` (Operate, Optimize) with `id` directly, as a script
/// beside the console would, and waits until it is complete.
async fn take_outside(url: &str, id: i64) {
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{url}/actuator/backups"))
        .json(&serde_json::json!({ "backupId": id }))
        .send()
        .await
        .expect("the component answers");
    assert!(r.status().is_success(), "{:?}", r.text().await);
    eventually(
        "the outside backup completed",
        Duration::from_secs(10),
        || async {
            let b: serde_json::Value = http
                .get(format!("{url}/actuator/backups/{id}"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (b["state"] == "COMPLETED").then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn the_next_id_is_above_an_operate_backup_taken_outside_the_console() {
    let console = start(fast_sim()).await;
    let outside = 3_000_000_000_i64;
    take_outside(&console.sim.urls().operate, outside).await;

    let (status, err) = console
        .post_json(
            "/api/v1/backups",
            &format!("{{\"backupId\": {}}}", outside - 1),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    assert_eq!(err["error"]["code"], "backup_id_not_above_latest");
    let words = err["error"]["message"].as_str().unwrap_or_default();
    assert!(
        words.contains("Operate") && words.contains(&outside.to_string()),
        "{words}"
    );

    let id = console.start_backup().await;
    assert!(id > outside, "{id} is not above Operate's {outside}");
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");
    console.stop().await;
}

#[tokio::test]
async fn a_given_id_below_an_optimize_backup_is_refused_naming_optimize() {
    let console = start(fast_sim()).await;
    let outside = 2_500_000_000_i64;
    take_outside(&console.sim.urls().optimize, outside).await;
    let (status, err) = console
        .post_json("/api/v1/backups", &format!("{{\"backupId\": {outside}}}"))
        .await;
    assert_eq!(status, 409, "{err}");
    let words = err["error"]["message"].as_str().unwrap_or_default();
    assert!(words.contains("Optimize"), "{words}");
    // Nothing was asked of the cluster: no pause, no backup.
    assert!(
        !console
            .changes()
            .iter()
            .any(|c| c.contains("exporting/pause")),
        "{:?}",
        console.changes()
    );
    console.stop().await;
}
