//! Operate, Tasklist and Optimize: trigger a backup, then wait until it is `COMPLETED`,
//! treating `INCOMPLETE` (between two parts) as transient for a grace period.

use super::context::{Note, Notes, RunContext, StepFailure, StepResult};
use super::poll::{self, PollEnd};
use crate::camunda::types::{WebAppBackup, WebAppBackupState};
use crate::camunda::{WebAppClient, WebAppError};
use crate::domain::StepKey;
use tokio::time::Instant;

/// Takes the backup. A transient error is retried within the error budget; if an earlier try
/// reached the component, it then knows the id ("already exists", or a status), which counts
/// as taken.
#[tracing::instrument(skip_all, fields(component = %app.component(), backup_id = %ctx.id))]
pub async fn trigger(ctx: &RunContext, app: &WebAppClient, notes: &Notes) -> StepResult {
    let name = app.component();
    let id = ctx.id.get();
    let next = format!("Check {name} and its Elasticsearch connection, then start a new backup.");
    let fail = |end: PollEnd| StepFailure::from_poll(end, &format!("the {name} backup"), &next);
    let mut poller = ctx.poller(poll::OUTSIDE, ctx.timeouts.webapp_backup);
    let mut tried = false;
    loop {
        poller.check().map_err(fail)?;
        match app.take_backup(id).await {
            Ok(scheduled) => {
                let detail = if scheduled.is_empty() {
                    format!("{name}: backup scheduled")
                } else {
                    format!("{name}: {} snapshots scheduled", scheduled.len())
                };
                if !scheduled.is_empty() {
                    notes.send(Note::Scheduled(scheduled));
                }
                return Ok(Some(detail));
            }
            Err(WebAppError::AlreadyExists { .. }) if tried => {
                return Ok(Some(format!("{name}: backup scheduled (an earlier try reached it)")));
            }
            // After a lost answer, "busy" is most likely our own backup in the queue.
            Err(e @ WebAppError::Busy { .. }) if tried => {
                poller.unavailable(&e).map_err(fail)?;
                if let Ok(Some(_)) = app.backup(id).await {
                    return Ok(Some(format!("{name}: backup scheduled (an earlier try reached it)")));
                }
            }
            Err(WebAppError::Busy { message, .. }) => return Err(StepFailure::failed(
                format!("{name} refused the backup: \"{message}\"."),
                format!("{name} has a backup queued or running. Wait for it; if it never ends (a stuck queue, camunda/camunda#29182), restart {name}, then start a new backup."),
            )),
            Err(WebAppError::AlreadyExists { message, .. }) => return Err(StepFailure::failed(
                format!("{name} already has a backup with id {id}: \"{message}\"."),
                "Start a new backup with a higher id.",
            )),
            Err(WebAppError::Client(e)) if e.is_retryable() => {
                tried = true;
                poller.unavailable(&e).map_err(fail)?;
                if let Ok(Some(_)) = app.backup(id).await {
                    return Ok(Some(format!("{name}: backup scheduled (its answer was lost: {e})")));
                }
            }
            Err(WebAppError::Client(e)) => {
                return Err(StepFailure::failed(
                    format!("Starting the {name} backup failed: {e}"),
                    next,
                ))
            }
        }
        poller.sleep().await.map_err(fail)?;
    }
}

/// Polls until `COMPLETED`; fails on `FAILED`/`INCOMPATIBLE`, on a timeout, when the backup
/// stays `INCOMPLETE` (or unknown) longer than the grace period, or when the component is
/// unavailable longer than the error budget.
#[tracing::instrument(skip_all, fields(component = %app.component(), backup_id = %ctx.id))]
pub async fn wait(ctx: &RunContext, app: &WebAppClient, key: StepKey, notes: &Notes) -> StepResult {
    let name = app.component();
    let next = format!("Check that {name} runs; its backup may still finish — see its backup list — but start a new backup to get a consistent set.");
    let fail =
        |end: PollEnd| StepFailure::from_poll(end, &format!("the {name} backup {}", ctx.id), &next);
    // 8.8+ waits for the web apps inside the pause window: each read's lateness adds to it, so
    // it is polled as tightly as the window's other unknown waits (500 ms at most, not 2 s).
    let cadence = if ctx.profile.unified() {
        poll::INSIDE_UNKNOWN
    } else {
        poll::OUTSIDE
    };
    let mut poller = ctx.poller(cadence, ctx.timeouts.webapp_backup);
    let mut incomplete_since: Option<Instant> = None;
    loop {
        poller.check().map_err(fail)?;
        match app.backup(ctx.id.get()).await {
            Ok(Some(b)) => {
                poller.answered();
                let detail = progress(name.label(), &b);
                match &b.state {
                    WebAppBackupState::Completed => return Ok(Some(detail)),
                    WebAppBackupState::Failed | WebAppBackupState::Incompatible => {
                        let reason = b
                            .failure_reason
                            .clone()
                            .unwrap_or_else(|| "no reason given".into());
                        return Err(StepFailure::failed(
                            format!("{name} backup {} ended {:?}: {reason}", ctx.id, b.state),
                            format!("Look at {name}'s log and the snapshots above in Elasticsearch, fix the cause, then start a new backup."),
                        ));
                    }
                    WebAppBackupState::Incomplete => {
                        let since = *incomplete_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > ctx.timeouts.incomplete_grace {
                            return Err(StepFailure::failed(
                                format!("{name} backup {} stayed INCOMPLETE for {} s ({detail}): parts were never created.", ctx.id, since.elapsed().as_secs()),
                                format!("A part failed or {name}'s snapshot queue stopped (camunda/camunda#22871, #29182). Check {name}'s log, then start a new backup."),
                            ));
                        }
                    }
                    _ => incomplete_since = None,
                }
                notes.detail(key, detail);
            }
            Ok(None) => {
                poller.answered();
                let since = *incomplete_since.get_or_insert_with(Instant::now);
                if since.elapsed() > ctx.timeouts.incomplete_grace {
                    return Err(StepFailure::failed(
                        format!("{name} does not know backup {} although it accepted it.", ctx.id),
                        format!("Check {name}'s log and its snapshot repository setting, then start a new backup."),
                    ));
                }
            }
            Err(e) if e.is_retryable() => poller.unavailable(&e).map_err(fail)?,
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Waiting for the {name} backup failed: {e}"),
                    next,
                ))
            }
        }
        poller.sleep().await.map_err(fail)?;
    }
}

/// "Operate: 4 of 6 snapshots".
fn progress(name: &str, b: &WebAppBackup) -> String {
    let done = b.details.iter().filter(|d| d.state == "SUCCESS").count();
    format!("{name}: {done} of {} snapshots", b.expected_parts())
}
