//! A run whose end was never journaled (its last write failed) stays `running` in the journal
//! with no task behind it. The console must not refuse every start from then on: the next start
//! (or the watchdog) finds the orphan, recovers it truthfully, and backups go on.

use crate::common;

use common::{eventually, fast_sim, settings_for, start_with};
use std::time::Duration;

#[tokio::test]
async fn an_orphaned_run_is_recovered_and_does_not_block_new_backups() {
    let sim = camunda_sim::start(fast_sim()).await.expect("sim");
    let dir = tempfile::tempdir().expect("tmp");
    let db = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("journal.db").display()
    );
    let mut settings = settings_for(sim.urls(), &db);
    // The watchdog must not get there first: this test is about the start path.
    settings.probe_interval = Duration::from_secs(3600);
    let console = start_with(sim, settings).await;
    let id = console.start_backup().await;
    let run = console.wait_terminal(id).await;
    assert_eq!(run["state"], "completed", "{run}");

    // What a failed final journal write leaves behind: the row still `running`.
    let pool = sqlx::SqlitePool::connect(&db).await.expect("journal");
    sqlx::query("UPDATE runs SET state = 'running', view = json_set(view, '$.state', 'running', '$.finishedAt', NULL) WHERE backup_id = ?")
        .bind(id)
        .execute(&pool)
        .await
        .expect("update");
    pool.close().await;

    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "recovering", "{body}");

    let run = eventually(
        "the orphan to be recovered",
        Duration::from_secs(20),
        || async {
            let (_, run) = console.get_json(&format!("/api/v1/backups/{id}")).await;
            (run["state"] != "running").then_some(run)
        },
    )
    .await;
    assert_eq!(run["state"], "completed", "{run}");
    let next = run["nextAction"].as_str().unwrap_or_default();
    assert!(
        next.contains("could not be journaled") && next.contains("the set is complete"),
        "{run}"
    );

    let next_id = console.start_backup().await;
    assert!(next_id > id);
    let run = console.wait_terminal(next_id).await;
    assert_eq!(run["state"], "completed", "{run}");
    console.stop().await;
}
