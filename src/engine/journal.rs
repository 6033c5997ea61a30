//! A run's journal writer: every transition mutates the run, is written to the store (run +
//! event in one transaction) and only then broadcast to live subscribers. Callers perform the
//! action a transition announces only after the write returned.

use crate::domain::{RunEvent, RunState, RunView, StepKey, StepState};
use crate::store::{Framed, Store, StoreError};
use tokio::sync::broadcast;

/// The current time as RFC 3339 with milliseconds.
pub fn now() -> String {
    crate::clock::stamp(chrono::Utc::now())
}

/// Writes the transitions of one run.
pub struct RunJournal {
    run: RunView,
    seq: u64,
    store: Store,
    events: broadcast::Sender<Framed>,
}

impl RunJournal {
    /// Journals a new run (its first event) and returns the writer.
    pub async fn create(
        run: RunView,
        store: Store,
        events: broadcast::Sender<Framed>,
    ) -> Result<Self, StoreError> {
        let event = RunEvent {
            seq: 1,
            backup_id: run.backup_id,
            at: now(),
            run_state: run.state,
            step: None,
            step_state: None,
            detail: Some("Run created".into()),
            error: None,
            run: run.clone(),
        };
        let framed = store.insert_run(&run, &event).await?;
        let _ = events.send(framed);
        Ok(Self {
            run,
            seq: 1,
            store,
            events,
        })
    }

    /// Continues the journal of a run found unfinished at start-up.
    pub async fn resume(
        run: RunView,
        store: Store,
        events: broadcast::Sender<Framed>,
    ) -> Result<Self, StoreError> {
        let seq = store.last_seq(run.backup_id).await?;
        Ok(Self {
            run,
            seq,
            store,
            events,
        })
    }

    /// The journal's store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn run(&self) -> &RunView {
        &self.run
    }

    /// Writes `next` as the run's new state with an event; only once the write succeeded does
    /// the writer take it over (a failed write leaves the run as it was, so a retry writes
    /// the same transition again).
    async fn write(
        &mut self,
        next: RunView,
        step: Option<StepKey>,
        step_state: Option<StepState>,
        detail: Option<String>,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let event = RunEvent {
            seq: self.seq + 1,
            backup_id: next.backup_id,
            at: now(),
            run_state: next.state,
            step,
            step_state,
            detail,
            error,
            run: next.clone(),
        };
        let framed = self.store.record(&next, &event).await?;
        self.seq += 1;
        self.run = next;
        let _ = self.events.send(framed);
        Ok(())
    }

    /// Applies `change` to the run and journals it as an event of `step`.
    pub async fn update(
        &mut self,
        step: Option<StepKey>,
        detail: Option<String>,
        change: impl FnOnce(&mut RunView),
    ) -> Result<(), StoreError> {
        let mut next = self.run.clone();
        change(&mut next);
        let state = step.and_then(|k| next.step(k)).map(|s| s.state);
        self.write(next, step, state, detail, None).await
    }

    /// Moves a step to `next_state` (if the transition table allows it) and journals it.
    pub async fn step(
        &mut self,
        key: StepKey,
        next_state: StepState,
        detail: Option<String>,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let at = now();
        let mut next = self.run.clone();
        if let Some(step) = next.step_mut(key) {
            if !step.state.can_become(next_state) {
                tracing::warn!(
                    step = key.as_str(),
                    from = step.state.as_str(),
                    to = next_state.as_str(),
                    "ignored a transition the table does not allow"
                );
                return Ok(());
            }
            step.state = next_state;
            match next_state {
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
        if key == StepKey::PauseExporting && next_state == StepState::Running {
            // From this write on, exporting may be paused by us: recovery must resume it.
            next.pause.requested_at = Some(at);
        }
        self.write(next, Some(key), Some(next_state), detail, error)
            .await
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
        let mut next = self.run.clone();
        if let Some(step) = next.step_mut(key) {
            step.detail = Some(detail.clone());
        }
        self.write(
            next,
            Some(key),
            Some(StepState::Running),
            Some(detail),
            None,
        )
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
        let mut next = self.run.clone();
        for step in &mut next.steps {
            if step.state == StepState::Pending {
                step.state = leftover;
            }
        }
        next.state = state;
        next.finished_at = Some(now());
        next.error.clone_from(&error);
        next.next_action = next_action;
        self.write(
            next,
            None,
            None,
            Some(format!("Run {}", state.as_str())),
            error,
        )
        .await
    }
}
