//! Where the events come from: a run's end, a restore's start and end, the RPO objective.

use super::Alerts;
use crate::domain::{BackupId, RestoreState, RestoreView, RunState};
use crate::store::Store;
use serde_json::json;

/// A backup run ended: `backup.completed` or `backup.failed` (a cancel is neither).
pub async fn run_ended(alerts: &Alerts, store: &Store, id: BackupId) {
    let run = match store.run(id).await {
        Ok(Some(run)) => run,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(backup_id = %id, error = %e, "could not read the run for its alert");
            return;
        }
    };
    let by = run
        .started_by
        .clone()
        .unwrap_or_else(|| "this console".into());
    match run.state {
        RunState::Completed => {
            alerts
                .emit(
                    "backup.completed",
                    format!(
                        "Backup {id} completed (started by {by}); exporting was paused {}.",
                        run.pause.duration_ms.map_or_else(
                            || "an unknown time".to_owned(),
                            |ms| format!("{:.1} s", ms as f64 / 1000.0)
                        )
                    ),
                    json!({
                        "backupId": id,
                        "startedBy": by,
                        "createdAt": run.created_at,
                        "finishedAt": run.finished_at,
                        "pauseMs": run.pause.duration_ms,
                        "warnings": run.warnings,
                    }),
                )
                .await
        }
        RunState::Failed => {
            alerts
                .emit(
                    "backup.failed",
                    format!(
                        "Backup {id} failed (started by {by}): {} Next: {}",
                        run.error
                            .clone()
                            .unwrap_or_else(|| "no reason recorded".into()),
                        run.next_action
                            .clone()
                            .unwrap_or_else(|| "see the run's page".into())
                    ),
                    json!({
                        "backupId": id,
                        "startedBy": by,
                        "error": run.error,
                        "nextAction": run.next_action,
                        "leftBehind": run.left_behind,
                        "alarm": run.alarm,
                    }),
                )
                .await
        }
        RunState::Cancelled | RunState::Running => {}
    }
}

fn restore_data(r: &RestoreView) -> serde_json::Value {
    json!({
        "restoreId": r.restore_id,
        "backupId": r.backup_id,
        "startedBy": r.started_by,
        "startedAt": r.started_at,
        "finishedAt": r.finished_at,
        "error": r.error,
        "nextAction": r.next_action,
        "rtoMs": r.rto_ms,
    })
}

/// A restore started.
pub async fn restore_started(alerts: &Alerts, r: &RestoreView) {
    alerts
        .emit(
            "restore.started",
            format!(
                "Restore {} of backup {} started by {}.",
                r.restore_id,
                r.backup_id,
                r.started_by.as_deref().unwrap_or("this console")
            ),
            restore_data(r),
        )
        .await;
}

/// A restore ended: `restore.completed` or `restore.failed`.
pub async fn restore_ended(alerts: &Alerts, store: &Store, id: i64) {
    let r = match store.restore(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(restore_id = id, error = %e, "could not read the restore for its alert");
            return;
        }
    };
    match r.state {
        RestoreState::Completed => {
            alerts
                .emit(
                    "restore.completed",
                    format!("Restore {id} of backup {} completed.", r.backup_id),
                    restore_data(&r),
                )
                .await
        }
        RestoreState::Failed => {
            alerts
                .emit(
                    "restore.failed",
                    format!(
                        "Restore {id} of backup {} failed: {} Next: {}",
                        r.backup_id,
                        r.error.clone().unwrap_or_default(),
                        r.next_action.clone().unwrap_or_default()
                    ),
                    restore_data(&r),
                )
                .await
        }
        _ => {}
    }
}

/// `rpo.breached` once when the newest restorable set gets older than the objective (or none
/// exists while runs have been tried), again only after it was met in between.
pub async fn check_rpo(alerts: &Alerts, services: &crate::history::Services<'_>) {
    let view = match services.cache.view(services.engine.store()).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "RPO check: the history could not be read");
            return;
        }
    };
    // Nothing read from the cluster yet: nothing to judge.
    if view.cluster.refreshed_at.is_none() {
        return;
    }
    let now = alerts.inner.clock.now();
    let objective = chrono::Duration::hours(
        i64::try_from(services.rpo_objective_hours)
            .unwrap_or(1)
            .min(24 * 365 * 100),
    );
    let newest = view
        .rows
        .iter()
        .find(|r| r.restorable && r.started_by.as_deref() != Some(crate::history::ZEEBE_OWN));
    let taken = newest
        .and_then(|r| r.taken_at.as_deref())
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    let breached = match taken {
        Some(t) => now - t > objective,
        None => !view.rows.is_empty(),
    };
    let hours = services.rpo_objective_hours;
    alerts
        .condition(
            "rpo",
            breached,
            "rpo.breached",
            || match (newest, taken) {
                (Some(r), Some(t)) => format!(
                    "The newest restorable backup set ({}) is {} h old, older than the RPO objective of {hours} h.",
                    r.backup_id,
                    (now - t).num_hours()
                ),
                _ => format!("No restorable backup set exists; the RPO objective is {hours} h."),
            },
            || {
                json!({
                    "newestRestorable": newest.map(|r| r.backup_id),
                    "takenAt": taken.map(crate::clock::stamp),
                    "objectiveHours": hours,
                })
            },
        )
        .await;
}
