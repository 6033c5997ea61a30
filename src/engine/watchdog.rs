//! The watchdog: periodically, while no run is active,
//! - keeps resuming exporting for a run whose own resume failed (its pause is ours, so resuming
//!   is always right) until it succeeds, then lifts the alarm and notes it on the run;
//! - ends orphaned runs (left `running` with no task);
//! - reads the brokers' exporter phases: exporting paused while no run of this console holds
//!   the pause raises an alert on every page and, with `watchdog_resume`, is resumed.

use super::recovery::{self, Cause};
use super::{exporting, BackupEngine};
use crate::camunda::ExportingView;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub fn spawn_watchdog(
    engine: BackupEngine,
    every: Duration,
    resume: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            check(&engine, resume).await;
        }
    })
}

#[tracing::instrument(skip_all)]
async fn check(engine: &BackupEngine, resume: bool) {
    let inner = &engine.inner;
    if !inner.recovered.load(Ordering::SeqCst) || inner.shutting_down.load(Ordering::SeqCst) {
        return;
    }
    // Holding the start lock, no run can start (and pause) while the watchdog resumes.
    let Ok(_serialized) = inner.start_lock.try_lock() else {
        return;
    };
    if engine.active_run().is_some() {
        return;
    }
    if let Some(alarm) = engine.alarm() {
        retry_resume(engine, alarm.id).await;
        return;
    }
    if let Ok(unfinished) = inner.store.unfinished().await {
        if !unfinished.is_empty() {
            recovery::recover_unfinished(engine, Cause::Orphan).await;
            return;
        }
    }
    let view = ExportingView::read(&inner.clients.zeebe).await;
    let paused: Vec<String> = view
        .paused()
        .into_iter()
        .map(|(id, phase, _)| format!("partition {id} {phase}"))
        .collect();
    if paused.is_empty() {
        engine.set_alert(None);
        return;
    }
    let what = paused.join(", ");
    if resume {
        match exporting::resume(&inner.clients, Duration::from_secs(30), None).await {
            Ok(_) => {
                tracing::warn!(%what, "watchdog resumed exporting paused outside any run");
                engine.set_alert(Some(format!(
                    "Exporting was found paused outside any backup run ({what}); the watchdog resumed it at {}.",
                    super::journal::now()
                )));
            }
            Err(e) => engine.set_alert(Some(format!(
                "Exporting is paused outside any backup run ({what}) and the watchdog could not resume it: {e}"
            ))),
        }
    } else {
        tracing::warn!(%what, "exporting is paused outside any run");
        engine.set_alert(Some(format!(
            "Exporting is paused ({what}) and no backup of this console is running. The broker log grows until it is resumed: POST /actuator/exporting/resume on the Zeebe gateway (or set watchdog_resume = true)."
        )));
    }
}

/// Resumes for the run whose resume failed; on success lifts the alarm and notes it on the run.
async fn retry_resume(engine: &BackupEngine, id: crate::domain::BackupId) {
    match exporting::resume(&engine.inner.clients, Duration::from_secs(5), None).await {
        Ok(resumed) => {
            let words = format!(
                "The watchdog resumed exporting at {}: {}",
                super::journal::now(),
                resumed.detail
            );
            engine.lift_alarm(id, words).await;
        }
        Err(e) => tracing::error!(backup_id = %id, error = %e, "exporting still cannot be resumed"),
    }
}
