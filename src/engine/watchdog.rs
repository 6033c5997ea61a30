//! The watchdog: at start-up and then periodically, reads the brokers' exporter phases; when
//! exporting is paused while no run of this console holds the pause, it raises an alert shown on
//! every page and, when `watchdog_resume` is set, resumes exporting.

use super::{exporting, BackupEngine};
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
    let recovered = engine
        .inner
        .recovered
        .load(std::sync::atomic::Ordering::SeqCst);
    if !recovered || engine.active_run().is_some() {
        return;
    }
    let clients = &engine.inner.clients;
    let mut paused = Vec::new();
    for broker in clients.zeebe.brokers() {
        if let Ok(map) = clients.zeebe.partitions(broker).await {
            for (id, p) in map {
                if let Some(phase @ ("PAUSED" | "SOFT_PAUSED")) = p.exporter_phase.as_deref() {
                    paused.push(format!("partition {id} {phase}"));
                }
            }
        }
    }
    // A run may have started while we read: then the pause is (or will be) its own.
    if engine.active_run().is_some() {
        return;
    }
    if paused.is_empty() {
        engine.set_alert(None);
        return;
    }
    let what = paused.join(", ");
    if resume {
        match exporting::resume(clients, Duration::from_secs(30)).await {
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
