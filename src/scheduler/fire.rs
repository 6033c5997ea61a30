//! One fire: missed, joined, or waiting for the slot and then started or skipped.

use super::{stamp, started_by, Claims, Scheduler};
use crate::domain::StartBackupRequest;
use crate::engine::{locked, StartError};
use crate::store::{FireOutcome, StoreError, StoredFire, StoredSchedule};
use chrono::{DateTime, Utc};

/// How often a waiting fire tries the slot again (besides when the running backup ends).
const RETRY: chrono::Duration = chrono::Duration::seconds(5);

/// The fires being handled in memory.
#[derive(Default)]
pub(super) struct FireState {
    /// Per schedule: fires due up to here are being handled (waiting for the slot).
    claims: Claims,
    /// The fire waiting for the slot, and the fires that joined it.
    pending: Option<Pending>,
    /// The due time of the last fire that started a run, and its run.
    last_started: Option<(DateTime<Utc>, i64)>,
}

struct Pending {
    joiners: Vec<Joiner>,
}

#[derive(Clone)]
struct Joiner {
    schedule_id: i64,
    due: DateTime<Utc>,
}

pub(super) fn claimed(s: &Scheduler, schedule_id: i64) -> Option<DateTime<Utc>> {
    locked(&s.inner.state).claims.get(&schedule_id).copied()
}

/// Handles a schedule's fires due now: `count` of them, `due` the first and the last two.
pub(super) async fn handle_due(
    s: &Scheduler,
    schedule: &StoredSchedule,
    due: &[DateTime<Utc>],
    count: usize,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (Some(&first), Some(&latest)) = (due.first(), due.last()) else {
        return Ok(());
    };
    let wait = chrono::Duration::from_std(s.inner.wait).unwrap_or(chrono::Duration::MAX);
    let late = now - latest > wait;
    let missed = if late { count } else { count - 1 };
    if missed > 0 {
        let last_missed = if late {
            latest
        } else {
            due.get(due.len().saturating_sub(2))
                .copied()
                .unwrap_or(first)
        };
        let detail = if missed == 1 {
            format!(
                "Due at {}, when the console was not running; a fire is caught up only when less than schedule_wait_secs ({} s) late",
                stamp(last_missed),
                s.inner.wait.as_secs()
            )
        } else {
            format!(
                "{missed} fires from {} to {} were due when the console was not running; they are not caught up (at most one fire less than schedule_wait_secs, {} s, late runs)",
                stamp(first),
                stamp(last_missed),
                s.inner.wait.as_secs()
            )
        };
        tracing::warn!(schedule = %schedule.name, missed, "schedule fires missed");
        record(
            s,
            schedule.id,
            last_missed,
            FireOutcome::Missed,
            None,
            detail.clone(),
        )
        .await?;
        s.inner
            .alerts
            .emit(
                "schedule.missed",
                format!("Schedule \"{}\": {detail}", schedule.name),
                serde_json::json!({
                    "schedule": schedule.name,
                    "missed": missed,
                    "firstDueAt": stamp(first),
                    "lastDueAt": stamp(last_missed),
                }),
            )
            .await;
    }
    if !late {
        fire(s, schedule, latest);
    }
    Ok(())
}

/// Fires `schedule` for its time `due`: joins a fire waiting for the slot or the run started
/// for the same time, else waits for the slot itself (in a task of its own).
fn fire(s: &Scheduler, schedule: &StoredSchedule, due: DateTime<Utc>) {
    let mut state = locked(&s.inner.state);
    state.claims.insert(schedule.id, due);
    if let Some(p) = state.pending.as_mut() {
        p.joiners.push(Joiner {
            schedule_id: schedule.id,
            due,
        });
        return;
    }
    if let Some((at, backup)) = state.last_started.filter(|(at, _)| *at == due) {
        drop(state);
        let this = s.clone();
        let id = schedule.id;
        tokio::spawn(async move {
            let detail = format!(
                "Another schedule due at the same time ({}) started backup {backup}",
                stamp(at)
            );
            if let Err(e) = record(&this, id, due, FireOutcome::Joined, Some(backup), detail).await
            {
                tracing::error!(error = %e, "could not record a joined fire");
            }
            unclaim(&this, id, due);
        });
        return;
    }
    state.pending = Some(Pending {
        joiners: Vec::new(),
    });
    drop(state);
    let this = s.clone();
    let schedule = schedule.clone();
    tokio::spawn(async move { wait_for_slot(this, schedule, due).await });
}

/// Whether waiting may free the slot.
fn busy(e: &StartError) -> bool {
    matches!(
        e,
        StartError::Busy(_)
            | StartError::Recovering(_)
            | StartError::RestoreRunning(_)
            | StartError::LatestUnknown(_)
    )
}

#[tracing::instrument(skip_all, fields(schedule = %schedule.name, due = %stamp(due)))]
async fn wait_for_slot(s: Scheduler, schedule: StoredSchedule, due: DateTime<Utc>) {
    let clock = s.inner.clock.clone();
    let wait = chrono::Duration::from_std(s.inner.wait).unwrap_or(chrono::Duration::MAX);
    let deadline = due + wait;
    let result: Result<i64, String> = loop {
        if let Some(words) = s.zeebe_schedules_own() {
            break Err(words);
        }
        // Subscribed before trying, so an end between the try and the wait is not missed.
        let changed = s.inner.engine.active_changed();
        match s
            .inner
            .engine
            .start_backup_as(
                StartBackupRequest::default(),
                Some(started_by(&schedule.name)),
            )
            .await
        {
            Ok(id) => break Ok(id.get()),
            Err(StartError::ShuttingDown) => {
                // Not recorded: the next start catches it up if it is still within the window.
                let mut state = locked(&s.inner.state);
                state.pending = None;
                state.claims.remove(&schedule.id);
                return;
            }
            Err(e) if busy(&e) && clock.now() < deadline => {
                tracing::info!(reason = %e, "the schedule's fire waits for the slot");
                let retry = (clock.now() + RETRY).min(deadline);
                tokio::select! {
                    () = clock.sleep_until(retry) => {}
                    () = changed => {}
                }
            }
            Err(e) if busy(&e) => {
                break Err(format!(
                    "Waited schedule_wait_secs ({} s) for the slot: {e}",
                    s.inner.wait.as_secs()
                ))
            }
            Err(e) => break Err(format!("The backup could not start: {e}")),
        }
    };
    let joiners = {
        let mut state = locked(&s.inner.state);
        let joiners = state.pending.take().map(|p| p.joiners).unwrap_or_default();
        if let Ok(id) = result {
            state.last_started = Some((due, id));
        }
        joiners
    };
    let outcome = match &result {
        Ok(id) => {
            record(
                &s,
                schedule.id,
                due,
                FireOutcome::Started,
                Some(*id),
                format!("Started backup {id}"),
            )
            .await
        }
        Err(words) => {
            tracing::warn!(reason = %words, "a schedule's fire was skipped");
            s.inner
                .alerts
                .emit(
                    "schedule.skipped",
                    format!(
                        "Schedule \"{}\" due at {} was skipped: {words}",
                        schedule.name,
                        stamp(due)
                    ),
                    serde_json::json!({
                        "schedule": schedule.name,
                        "dueAt": stamp(due),
                        "reason": words,
                        "joined": joiners.len(),
                    }),
                )
                .await;
            record(
                &s,
                schedule.id,
                due,
                FireOutcome::Skipped,
                None,
                words.clone(),
            )
            .await
        }
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, "could not record a schedule's fire");
    }
    unclaim(&s, schedule.id, due);
    for j in joiners {
        let (outcome, backup, detail) = match &result {
            Ok(id) => (
                FireOutcome::Joined,
                Some(*id),
                format!(
                    "Joined the fire of \"{}\" at {}: backup {id}",
                    schedule.name,
                    stamp(due)
                ),
            ),
            Err(words) => (
                FireOutcome::Skipped,
                None,
                format!(
                    "Joined the fire of \"{}\", which was skipped: {words}",
                    schedule.name
                ),
            ),
        };
        if let Err(e) = record(&s, j.schedule_id, j.due, outcome, backup, detail).await {
            tracing::error!(error = %e, "could not record a joined fire");
        }
        unclaim(&s, j.schedule_id, j.due);
    }
    s.inner.wake.notify_one();
}

fn unclaim(s: &Scheduler, schedule_id: i64, due: DateTime<Utc>) {
    let mut state = locked(&s.inner.state);
    if state.claims.get(&schedule_id) == Some(&due) {
        state.claims.remove(&schedule_id);
    }
}

async fn record(
    s: &Scheduler,
    schedule_id: i64,
    due: DateTime<Utc>,
    outcome: FireOutcome,
    backup_id: Option<i64>,
    detail: String,
) -> Result<(), StoreError> {
    s.inner
        .store
        .record_fire(
            &StoredFire {
                schedule_id,
                due_at: stamp(due),
                at: stamp(s.inner.clock.now()),
                outcome: outcome.as_str().into(),
                backup_id,
                detail: Some(detail),
            },
            true,
        )
        .await
}
