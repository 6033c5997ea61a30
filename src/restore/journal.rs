//! A restore's journal writer: every transition is applied to a copy of the restore, written
//! (view + event, one transaction) and only then taken over and broadcast — the action it
//! announces is performed after the write returned, so a restart knows exactly what was done.

use crate::domain::{RestoreEvent, RestoreStepKey, RestoreView};
use crate::engine::now;
use crate::store::{Store, StoreError};
use tokio::sync::broadcast;

/// Writes the transitions of one restore.
pub struct RestoreJournal {
    view: RestoreView,
    seq: u64,
    store: Store,
    events: broadcast::Sender<RestoreEvent>,
}

impl RestoreJournal {
    /// Journals a new restore and its first event (one transaction) and returns the writer.
    pub async fn create(
        mut view: RestoreView,
        store: Store,
        events: broadcast::Sender<RestoreEvent>,
    ) -> Result<Self, StoreError> {
        let event = store
            .insert_restore(&mut view, &now(), "Restore started")
            .await?;
        let _ = events.send(event);
        Ok(Self {
            view,
            seq: 1,
            store,
            events,
        })
    }

    /// Continues the journal of a restore found unfinished at start-up.
    pub async fn resume(
        view: RestoreView,
        store: Store,
        events: broadcast::Sender<RestoreEvent>,
    ) -> Result<Self, StoreError> {
        let seq = store
            .restore_events_after(view.restore_id, 0)
            .await?
            .last()
            .map_or(0, |e| e.seq);
        Ok(Self {
            view,
            seq,
            store,
            events,
        })
    }

    pub fn view(&self) -> &RestoreView {
        &self.view
    }

    /// Applies `change`, journals it with `message`, then takes it over. A failed write leaves
    /// the restore as it was.
    pub async fn commit(
        &mut self,
        step: Option<RestoreStepKey>,
        message: impl Into<String>,
        change: impl FnOnce(&mut RestoreView),
    ) -> Result<(), StoreError> {
        let mut next = self.view.clone();
        change(&mut next);
        let event = RestoreEvent {
            seq: self.seq + 1,
            restore_id: next.restore_id,
            at: now(),
            step,
            message: message.into(),
            restore: next.clone(),
        };
        self.store.record_restore(&next, &event).await?;
        self.seq += 1;
        self.view = next;
        let _ = self.events.send(event);
        Ok(())
    }
}
