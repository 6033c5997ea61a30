//! The watchdog: periodically, while no run is active,
//! - keeps resuming exporting for a run whose own resume failed (its pause is ours, so resuming
//!   is always right) until it succeeds, then lifts the alarm and notes it on the run;
//! - ends orphaned runs (left `running` with no task);
//! - reads the brokers' exporter phases: exporting paused while no run of this console holds
//!   the pause is shown on every page at once; paused for longer than `paused_alert_secs`
//!   (someone else's backup takes a while; a soft pause left behind fills the brokers' disks)
//!   it raises `exporting.paused_too_long` once and, with `watchdog_resume`, is resumed.

use super::recovery::{self, Cause};
use super::{exporting, BackupEngine};
use crate::camunda::ExportingView;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What the watchdog is told.
#[derive(Clone)]
pub struct WatchdogSettings {
    pub every: Duration,
    /// `watchdog_resume`.
    pub resume: bool,
    /// `paused_alert_secs`.
    pub paused_alert: Duration,
    /// How long "paused" has lasted is read on this clock.
    pub clock: crate::clock::SharedClock,
}

pub fn spawn_watchdog(engine: BackupEngine, w: WatchdogSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(w.every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            check(&engine, &w).await;
        }
    })
}

#[tracing::instrument(skip_all)]
async fn check(engine: &BackupEngine, w: &WatchdogSettings) {
    let resume = w.resume;
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
    let paused = paused_partitions(&inner.clients.zeebe).await;
    if paused.is_empty() {
        engine.set_alert(None);
        *super::locked(&inner.paused_since) = None;
        return;
    }
    let what = paused.join(", ");
    let now = w.clock.now();
    let (since, told) = *super::locked(&inner.paused_since).get_or_insert((now, false));
    let paused_for = (now - since).to_std().unwrap_or_default();
    let since_words = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if paused_for < w.paused_alert {
        engine.set_alert(Some(format!(
            "Exporting is paused ({what}) since {since_words}, and no backup of this console holds the pause (another tool's backup, or a pause left behind). After paused_alert_secs ({} s) the console raises exporting.paused_too_long{}.",
            w.paused_alert.as_secs(),
            if resume { " and resumes it" } else { "" }
        )));
        return;
    }
    let action = if resume {
        match exporting::resume(&inner.clients, Duration::from_secs(30), None).await {
            Ok(_) => {
                tracing::warn!(%what, "watchdog resumed exporting paused outside any run");
                let words = format!(
                    "Exporting was found paused outside any backup run ({what}) since {since_words}; the watchdog resumed it at {}.",
                    super::journal::now()
                );
                engine.set_alert(Some(words.clone()));
                *super::locked(&inner.paused_since) = None;
                words
            }
            Err(e) => {
                let words = format!(
                    "Exporting is paused outside any backup run ({what}) since {since_words} and the watchdog could not resume it: {e}"
                );
                engine.set_alert(Some(words.clone()));
                words
            }
        }
    } else {
        tracing::warn!(%what, since = %since_words, "exporting is paused outside any run for too long");
        let words = format!(
            "Exporting is paused ({what}) since {since_words} ({} min) and no backup of this console is running. The broker log grows until it is resumed: POST /actuator/exporting/resume on the Zeebe gateway (or set watchdog_resume = true).",
            paused_for.as_secs() / 60
        );
        engine.set_alert(Some(words.clone()));
        words
    };
    if !told {
        if let Some(p) = super::locked(&inner.paused_since).as_mut() {
            p.1 = true;
        }
        engine.notify(super::Notice::PausedTooLong {
            since: since_words,
            partitions: what,
            action,
        });
    }
}

/// The brokers' partitions whose exporting is paused, as `partition N PHASE`.
async fn paused_partitions(zeebe: &crate::camunda::ZeebeClient) -> Vec<String> {
    ExportingView::read(zeebe)
        .await
        .paused()
        .into_iter()
        .map(|(id, phase, _)| format!("partition {id} {phase}"))
        .collect()
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

/// A follower replica's view of what the leader's watchdog watches, so that every page says
/// it whichever replica serves it: the newest run whose resume failed (from the journal), else
/// exporting paused while no run is journaled as running (read from the brokers). It acts on
/// nothing and tells no hook — the leader does.
pub fn spawn_observer(engine: BackupEngine, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            observe(&engine).await;
        }
    })
}

#[tracing::instrument(skip_all)]
async fn observe(engine: &BackupEngine) {
    let store = &engine.inner.store;
    match store.latest_alarm().await {
        Ok(Some(run)) => {
            if let Some(words) = run.alarm {
                engine.set_alert(Some(format!("Backup {}: {words}", run.backup_id)));
                return;
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not read the journal's alarms");
            return;
        }
    }
    match store.unfinished().await {
        Ok(running) if !running.is_empty() => {
            // A run holds the pause (the leader's, or one it is recovering).
            engine.set_alert(None);
            return;
        }
        Ok(_) => {}
        Err(e) => {
            tracing::warn!(error = %e, "could not read the journal's running runs");
            return;
        }
    }
    let paused = paused_partitions(&engine.inner.clients.zeebe).await;
    engine.set_alert((!paused.is_empty()).then(|| {
        format!(
            "Exporting is paused ({}) and no backup run holds the pause (another tool's backup, or a pause left behind). The leading replica watches it: after paused_alert_secs it raises exporting.paused_too_long (and resumes it with watchdog_resume).",
            paused.join(", ")
        )
    }));
}
