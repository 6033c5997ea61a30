//! Pausing and resuming Zeebe exporting, confirmed through the brokers' partitions
//! ([`ExportingView`]). A pause is retried while the gateway is transiently unavailable (the
//! same pause twice is harmless); a resume is retried until it succeeds or its time runs out.
//! Without broker URLs, or with a partition whose leader is not among them, the outcome is
//! *unconfirmed* and the run says so — it is never reported as confirmed.

use super::context::{Note, Notes, RunContext, StepFailure, StepResult};
use super::poll::{self, PollEnd};
use crate::camunda::{CamundaClients, Confirmation, ExportingView, ZeebeError};
use std::time::Duration;
use tokio::time::Instant;

/// How long the brokers get to show the new exporter phase on every leader.
const CONFIRM_WITHIN: Duration = Duration::from_secs(10);

#[tracing::instrument(skip_all, fields(backup_id = %ctx.id, soft))]
pub async fn pause(ctx: &RunContext, soft: bool, notes: &Notes) -> StepResult {
    // The limit only backs the error budget up: a gateway that keeps failing is reported with
    // its own last words (e.g. an incomplete topology, pitfall 3).
    let mut poller = ctx.poller(poll::CONFIRM, ctx.timeouts.unavailable_budget * 2);
    let mut attempt = 0u32;
    loop {
        poller.check().map_err(pause_failure)?;
        let answer = ctx.clients.zeebe.pause_exporting(soft).await;
        attempt += 1;
        match answer {
            Ok(()) => break,
            Err(e) if e.is_retryable() => {
                poller.unavailable(&e).map_err(pause_failure)?;
            }
            Err(e) => {
                if never_paused(attempt, &e) {
                    notes.send(Note::PauseRefused);
                }
                return Err(pause_error(e));
            }
        }
        poller.sleep().await.map_err(pause_failure)?;
    }
    let want = if soft { "SOFT_PAUSED" } else { "PAUSED" };
    // An older gateway ignores `?soft=true` and pauses hard: still paused, so accepted.
    match confirm(&ctx.clients, &[want, "PAUSED"], None).await {
        Confirmation::Confirmed => {
            let hard_instead = soft
                && ExportingView::read(&ctx.clients.zeebe)
                    .await
                    .paused()
                    .iter()
                    .any(|(_, phase, _)| phase == "PAUSED");
            if hard_instead {
                notes.send(Note::Warning("Soft pause was asked for, but the brokers report PAUSED (hard): this gateway does not know soft pause. Operate and Tasklist see no new data until exporting resumes. Set cluster.soft_pause = false to say so explicitly.".into()));
                return Ok(Some(
                    "Zeebe: PAUSED (hard) on every leader partition".into(),
                ));
            }
            Ok(Some(format!("Zeebe: {want} on every leader partition")))
        }
        Confirmation::Unconfirmed(why) => {
            notes.send(Note::Warning(format!(
                "Exporting pause NOT confirmed: {why}. The gateway accepted the pause; add every broker's management URL to cluster.zeebe_broker_management_urls so the console can check it."
            )));
            Ok(Some(format!(
                "Zeebe: pause accepted ({want}); NOT confirmed: {why}"
            )))
        }
        Confirmation::Differs(why) => Err(StepFailure::failed(
            format!("Exporting was not {want} on every leader after the pause: {why}"),
            "check the brokers, then start a new backup.",
        )),
    }
}

/// Whether a pause that ended with `e` on attempt `attempt` (1 = the first) is known never to
/// have paused exporting: only a refusal of the very first request. A refusal of a retry says
/// nothing about an earlier attempt whose answer was lost, which may have paused it — then the
/// resume is sent and its outcome judged as for any other failure after the pause.
fn never_paused(attempt: u32, e: &ZeebeError) -> bool {
    attempt == 1 && e.refused_before_acting()
}

fn pause_error(e: ZeebeError) -> StepFailure {
    StepFailure::failed(
        format!("Pausing exporting failed: {e}"),
        "If the topology is incomplete (a broker down), wait until every broker is back, then start a new backup.",
    )
}

fn pause_failure(end: PollEnd) -> StepFailure {
    StepFailure::from_poll(
        end,
        "the exporting pause (Zeebe gateway)",
        "Check the gateway, then start a new backup.",
    )
}

/// What a successful resume reports.
#[derive(Debug)]
pub struct Resumed {
    pub detail: String,
    /// Why exporting could not be confirmed on every partition, if it could not.
    pub unconfirmed: Option<String>,
}

/// Resumes exporting, retrying with back-off for `retry_for`, then confirms on the brokers.
/// `expected_partitions` (from the Zeebe backup, when known) catches partitions no configured
/// broker hosts.
#[tracing::instrument(skip_all)]
pub async fn resume(
    clients: &CamundaClients,
    retry_for: Duration,
    expected_partitions: Option<u32>,
) -> Result<Resumed, String> {
    let started = Instant::now();
    let mut attempt = 0u32;
    loop {
        match clients.zeebe.resume_exporting().await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, attempt, "resuming exporting failed");
                if started.elapsed() >= retry_for {
                    return Err(format!(
                        "resuming exporting still failed after {} attempts over {} s: {e}",
                        attempt + 1,
                        started.elapsed().as_secs()
                    ));
                }
                let delay = poll::resume_retry_delay(attempt)
                    .min(retry_for.saturating_sub(started.elapsed()))
                    .max(Duration::from_millis(10));
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
    let retries = if attempt > 0 {
        format!(" (after {attempt} retries)")
    } else {
        String::new()
    };
    match confirm(clients, &["EXPORTING"], expected_partitions).await {
        Confirmation::Confirmed => Ok(Resumed {
            detail: format!("Zeebe: EXPORTING on every leader partition{retries}"),
            unconfirmed: None,
        }),
        Confirmation::Unconfirmed(why) => Ok(Resumed {
            detail: format!("Zeebe: resume accepted{retries}; NOT confirmed: {why}"),
            unconfirmed: Some(why),
        }),
        Confirmation::Differs(why) => Err(format!(
            "the gateway accepted the resume{retries}, but exporting did not come back: {why}"
        )),
    }
}

/// Reads the brokers until every leader shows one of `wanted`, or [`CONFIRM_WITHIN`] passes.
/// Without broker URLs the answer is immediate: unconfirmed.
async fn confirm(
    clients: &CamundaClients,
    wanted: &[&str],
    expected_partitions: Option<u32>,
) -> Confirmation {
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        let view = ExportingView::read(&clients.zeebe).await;
        let answer = view.confirm(wanted, expected_partitions);
        let settled = matches!(answer, Confirmation::Confirmed) || !view.brokers_configured();
        if settled || started.elapsed() >= CONFIRM_WITHIN {
            return answer;
        }
        tokio::time::sleep(poll::CONFIRM.delay(started.elapsed(), attempt)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::never_paused;
    use crate::camunda::{ClientError, ZeebeError};
    use crate::domain::ComponentKind;

    fn forbidden() -> ZeebeError {
        ZeebeError::Client(ClientError::Forbidden {
            component: ComponentKind::Zeebe,
            method: "POST",
            url: "https://c:8080/v2/exporting/pause?soft=true".into(),
            permission: "EXPORTER:PAUSE".into(),
            message: "Unauthorized".into(),
        })
    }

    #[test]
    fn only_a_refusal_of_the_first_pause_request_means_never_paused() {
        assert!(never_paused(1, &forbidden()));
        // A retry's refusal says nothing about the earlier attempt whose answer was lost.
        assert!(!never_paused(2, &forbidden()));
        assert!(!never_paused(5, &forbidden()));
    }
}
