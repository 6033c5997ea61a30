//! Pausing and resuming Zeebe exporting, confirmed through the brokers' partitions when broker
//! URLs are configured. Resume is retried until it succeeds or its time limit passes.

use super::context::{RunContext, StepFailure, StepResult};
use super::poll;
use crate::camunda::CamundaClients;
use std::time::Duration;
use tokio::time::Instant;

/// How long the brokers get to show the new exporter phase on every leader.
const CONFIRM_WITHIN: Duration = Duration::from_secs(10);

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id, soft = ctx.cluster.soft_pause))]
pub async fn pause(ctx: &RunContext) -> StepResult {
    let soft = ctx.cluster.soft_pause;
    ctx.clients
        .zeebe
        .pause_exporting(soft)
        .await
        .map_err(|e| {
            StepFailure::failed(
                format!("Pausing exporting failed: {e}"),
                "Exporting is being resumed (a failed pause can leave some partitions paused). If the topology is incomplete (a broker down), wait until every broker is back, then start a new backup.",
            )
        })?;
    let want = if soft { "SOFT_PAUSED" } else { "PAUSED" };
    if ctx.clients.zeebe.brokers().is_empty() {
        return Ok(Some(format!(
            "Zeebe: pause accepted ({want}; no broker URLs to confirm)"
        )));
    }
    confirm(&ctx.clients, want).await.map_err(|m| {
        StepFailure::failed(
            format!("Exporting was not {want} on every leader after the pause: {m}"),
            "Exporting is being resumed; check the brokers, then start a new backup.",
        )
    })?;
    Ok(Some(format!("Zeebe: {want} on every leader partition")))
}

/// Resumes exporting, retrying with back-off for `ctx.timeouts.resume_retry`, then confirms.
#[tracing::instrument(skip_all)]
pub async fn resume(clients: &CamundaClients, retry_for: Duration) -> Result<String, String> {
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        match clients.zeebe.resume_exporting().await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, attempt, "resuming exporting failed");
                if started.elapsed() > retry_for {
                    return Err(format!(
                        "resuming exporting still failed after {} attempts over {} s: {e}",
                        attempt + 1,
                        started.elapsed().as_secs()
                    ));
                }
                tokio::time::sleep(poll::resume_retry_delay(attempt)).await;
                attempt += 1;
            }
        }
    }
    if clients.zeebe.brokers().is_empty() {
        return Ok("Zeebe: resume accepted (no broker URLs to confirm)".into());
    }
    confirm(clients, "EXPORTING").await?;
    Ok(format!(
        "Zeebe: EXPORTING on every leader partition{}",
        if attempt > 0 {
            format!(" (after {} retries)", attempt)
        } else {
            String::new()
        }
    ))
}

/// Waits until every leader partition of every broker reports `phase`.
async fn confirm(clients: &CamundaClients, phase: &str) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let mut last = String::new();
        let mut all = true;
        for broker in clients.zeebe.brokers() {
            match clients.zeebe.partitions(broker).await {
                Ok(map) => {
                    for (id, p) in map
                        .iter()
                        .filter(|(_, p)| p.role.as_deref() == Some("LEADER"))
                    {
                        let got = p.exporter_phase.as_deref().unwrap_or("unknown");
                        if got != phase {
                            all = false;
                            last = format!("partition {id} on {} is {got}", broker.base_url());
                        }
                    }
                }
                Err(e) => {
                    all = false;
                    last = e.to_string();
                }
            }
        }
        if all {
            return Ok(());
        }
        if started.elapsed() > CONFIRM_WITHIN {
            return Err(last);
        }
        tokio::time::sleep(poll::INSIDE_WINDOW).await;
    }
}
