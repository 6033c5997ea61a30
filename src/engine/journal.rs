//! A run's journal writer: every transition mutates the run, is written to the store (run +
//! event in one transaction) and only then broadcast to live subscribers. Callers perform the
//! action a transition announces only after the write returned.

use crate::domain::{RunEvent, RunState, RunView, StepKey, StepState};
use crate::store::{Store, StoreError};
use tokio::sync::broadcast;

/// The current time as RFC 3339 with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Writes the transitions of one run.
pub struct RunJournal {
    run: RunView,
    seq: u64,
    store: Store,
    events: broadcast::Sender<RunEvent>,
}

impl RunJournal {
    /// Journals a new run (its first event) and returns the writer.
    pub async fn create(
        run: RunView,
        store: Store,
        events: broadcast::Sender<RunEvent>,
    ) -> Result<Self, StoreError> {
        let mut journal = Self {
            run,
            seq: 0,
            store,
            events,
        };
        let event = journal.event(None, None, Some("Run created".into()), None);
        journal.store.insert_run(&journal.run, &event).await?;
        let _ = journal.events.send(event);
        Ok(journal)
    }

    /// Continues the journal of a run found unfinished at start-up.
    pub async fn resume(
        run: RunView,
        store: Store,
        events: broadcast::Sender<RunEvent>,
    ) -> Result<Self, StoreError> {
        let seq = store.last_seq(run.backup_id).await?;
        Ok(Self {
            run,
            seq,
            store,
            events,
        })
    }

    pub fn run(&self) -> &RunView {
        &self.run
    }

    fn event(
        &mut self,
        step: Option<StepKey>,
        step_state: Option<StepState>,
        detail: Option<String>,
        error: Option<String>,
    ) -> RunEvent {
        self.seq += 1;
        RunEvent {
            seq: self.seq,
            backup_id: self.run.backup_id,
            at: now(),
            run_state: self.run.state,
            step,
            step_state,
            detail,
            error,
            run: self.run.clone(),
        }
    }

    async fn write(
        &mut self,
        step: Option<StepKey>,
        step_state: Option<StepState>,
        detail: Option<String>,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let event = self.event(step, step_state, detail, error);
        self.store.record(&self.run, &event).await?;
        let _ = self.events.send(event);
        Ok(())
    }

    /// Applies `change` to the run and journals it as an event of `step`.
    pub async fn update(
        &mut self,
        step: Option<StepKey>,
        detail: Option<String>,
        change: impl FnOnce(&mut RunView),
    ) -> Result<(), StoreError> {
        change(&mut self.run);
        let state = step.and_then(|k| self.run.step(k)).map(|s| s.state);
        self.write(step, state, detail, None).await
    }

    /// Moves a step to `next` (if the transition table allows it) and journals it.
    pub async fn step(
        &mut self,
        key: StepKey,
        next: StepState,
        detail: Option<String>,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let at = now();
        if let Some(step) = self.run.step_mut(key) {
            if !step.state.can_become(next) {
                tracing::warn!(
                    step = key.as_str(),
                    from = step.state.as_str(),
                    to = next.as_str(),
                    "ignored a transition the table does not allow"
                );
                return Ok(());
            }
            step.state = next;
            match next {
                StepState::Running => step.started_at = Some(at.clone()),
                s if s.is_terminal() => step.finished_at = Some(at.clone()),
                _ => {}
            }
            if detail.is_some() {
                step.detail.clone_from(&detail);
            }
            if error.is_some() {
                step.error.clone_from(&error);
            }
        }
        if key == StepKey::PauseExporting && next == StepState::Running {
            // From this write on, exporting may be paused by us: recovery must resume it.
            self.run.pause.requested_at = Some(at);
        }
        self.write(Some(key), Some(next), detail, error).await
    }

    /// Journals progress words of a running step (only when they changed).
    pub async fn progress(&mut self, key: StepKey, detail: String) -> Result<(), StoreError> {
        let changed = self
            .run
            .step(key)
            .is_some_and(|s| s.detail.as_deref() != Some(detail.as_str()));
        if !changed {
            return Ok(());
        }
        if let Some(step) = self.run.step_mut(key) {
            step.detail = Some(detail.clone());
        }
        self.write(Some(key), Some(StepState::Running), Some(detail), None)
            .await
    }

    /// Ends the run: `state` must be terminal. Pending steps become skipped (or cancelled).
    pub async fn finish(
        &mut self,
        state: RunState,
        error: Option<String>,
        next_action: Option<String>,
    ) -> Result<(), StoreError> {
        if !self.run.state.can_become(state) {
            return Ok(());
        }
        let leftover = if state == RunState::Cancelled {
            StepState::Cancelled
        } else {
            StepState::Skipped
        };
        for step in &mut self.run.steps {
            if step.state == StepState::Pending {
                step.state = leftover;
            }
        }
        self.run.state = state;
        self.run.finished_at = Some(now());
        self.run.error.clone_from(&error);
        self.run.next_action = next_action;
        self.write(None, None, Some(format!("Run {}", state.as_str())), error)
            .await
    }
}
