//! Operate, Tasklist and Optimize: trigger a backup, then wait until it is `COMPLETED`,
//! treating `INCOMPLETE` (between two parts) as transient for a grace period.

use super::context::{Note, Notes, RunContext, StepFailure, StepResult};
use super::poll::{self, PollEnd};
use crate::camunda::types::{WebAppBackup, WebAppBackupState};
use crate::camunda::{WebAppClient, WebAppError};
use crate::domain::{RunView, StepKey, StepState};
use std::collections::BTreeMap;
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
    // A backup found under this id counts as ours only after one of our own requests may have
    // reached the component (`tried`). Outside the pause window (8.2–8.7) it is also checked
    // that none existed before the first request: a backup with this id taken outside the
    // console (a web app does not check that ids grow) is never adopted. Inside the window
    // (8.8+) that read is left out: the id was checked against the web apps' own list when the
    // run started.
    if !ctx.profile.unified() {
        match app.backup(id).await {
            Ok(Some(existing)) => {
                return Err(StepFailure::failed(
                    format!(
                        "{name} already has a backup with id {id} ({:?}), taken before this run asked for one.",
                        existing.state
                    ),
                    "Nothing was paused. Start a new backup: the console then picks an id above it.",
                ))
            }
            Ok(None) => {}
            Err(e) if e.is_retryable() => poller.unavailable(&e).map_err(fail)?,
            Err(e) => {
                return Err(StepFailure::failed(
                    format!("Reading {name}'s backup {id} before starting it failed: {e}"),
                    next,
                ))
            }
        }
    }
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
pub async fn wait(
    ctx: &RunContext,
    app: &WebAppClient,
    key: StepKey,
    triggered: Option<Instant>,
    notes: &Notes,
) -> StepResult {
    let name = app.component();
    let next = format!("Check that {name} runs; its backup may still finish — see its backup list — but start a new backup to get a consistent set.");
    let fail =
        |end: PollEnd| StepFailure::from_poll(end, &format!("the {name} backup {}", ctx.id), &next);
    // 8.8+ waits for the web apps inside the pause window: each read's lateness adds to it, so
    // reads are at most 500 ms apart there (2 s outside). The schedule counts from the trigger.
    let learned = ctx
        .webapp_history_ms
        .get(&key)
        .map_or(&[][..], Vec::as_slice);
    let cadence = poll::webapp(learned, ctx.profile.unified());
    let mut poller = ctx.poller(cadence, ctx.timeouts.webapp_backup);
    if let Some(at) = triggered {
        poller = poller.since(at);
    }
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

/// The trigger step whose backup a wait step waits for.
pub fn trigger_of(wait: StepKey) -> Option<StepKey> {
    match wait {
        StepKey::WaitOptimize => Some(StepKey::TriggerOptimize),
        StepKey::WaitOperate => Some(StepKey::TriggerOperate),
        StepKey::WaitTasklist => Some(StepKey::TriggerTasklist),
        StepKey::WaitWebApps => Some(StepKey::TriggerWebApps),
        _ => None,
    }
}

/// Per wait step, how long the web-app backups of `runs` took to be seen done: the trigger
/// step's end to the wait step's end (ms), for waits that completed.
pub fn learned(runs: &[RunView]) -> BTreeMap<StepKey, Vec<u64>> {
    let ms = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    let mut out: BTreeMap<StepKey, Vec<u64>> = BTreeMap::new();
    for run in runs {
        for wait in &run.steps {
            let Some(trigger) = trigger_of(wait.key).and_then(|k| run.step(k)) else {
                continue;
            };
            if wait.state != StepState::Completed {
                continue;
            }
            if let (Some(from), Some(to)) = (ms(&trigger.finished_at), ms(&wait.finished_at)) {
                if let Ok(d) = u64::try_from((to - from).num_milliseconds()) {
                    out.entry(wait.key).or_default().push(d);
                }
            }
        }
    }
    out
}

/// "Operate: 4 of 6 snapshots".
fn progress(name: &str, b: &WebAppBackup) -> String {
    let done = b.details.iter().filter(|d| d.state == "SUCCESS").count();
    format!("{name}: {done} of {} snapshots", b.expected_parts())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BackupId;

    fn finished(run: &mut RunView, key: StepKey, state: StepState, at: &str) {
        if let Some(s) = run.step_mut(key) {
            s.state = state;
            s.finished_at = Some(at.to_owned());
        }
    }

    #[test]
    fn a_web_app_backup_is_learned_from_its_trigger_to_its_completed_wait() {
        let plan = [
            StepKey::TriggerOperate,
            StepKey::TriggerTasklist,
            StepKey::WaitOperate,
            StepKey::WaitTasklist,
        ];
        let mut run = RunView::new(
            BackupId::new(7).expect("id"),
            &plan,
            true,
            "2026-11-26T10:00:00.000Z".into(),
        );
        finished(
            &mut run,
            StepKey::TriggerOperate,
            StepState::Completed,
            "2026-11-26T10:00:00.010Z",
        );
        finished(
            &mut run,
            StepKey::TriggerTasklist,
            StepState::Completed,
            "2026-11-26T10:00:00.020Z",
        );
        finished(
            &mut run,
            StepKey::WaitOperate,
            StepState::Completed,
            "2026-11-26T10:00:00.690Z",
        );
        // A wait that did not complete teaches nothing.
        finished(
            &mut run,
            StepKey::WaitTasklist,
            StepState::Failed,
            "2026-11-26T10:00:09.000Z",
        );
        let learned = learned(&[run]);
        assert_eq!(learned.get(&StepKey::WaitOperate), Some(&vec![680]));
        assert_eq!(learned.get(&StepKey::WaitTasklist), None);
        assert_eq!(learned.len(), 1);
    }
}
