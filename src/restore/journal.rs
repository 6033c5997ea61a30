//! A restore's journal writer: every transition is applied to a copy of the restore, written
//! (view + event, one transaction) and only then taken over and broadcast — the action it
//! announces is performed after the write returned, so a restart knows exactly what was done.
//! An event carries what changed (a patch of the restore's JSON), not the whole restore: a
//! plan of a thousand indices would otherwise be stored again with every event.

use crate::domain::patch;
use crate::domain::{RestoreEvent, RestoreStepKey, RestoreView};
use crate::engine::now;
use crate::store::{Framed, Store, StoreError};
use tokio::sync::broadcast;

/// Writes the transitions of one restore.
pub struct RestoreJournal {
    view: RestoreView,
    /// `view` as JSON, what the next change is computed against.
    json: serde_json::Value,
    seq: u64,
    store: Store,
    events: broadcast::Sender<Framed>,
}

impl RestoreJournal {
    /// Journals a new restore and its first event (one transaction) and returns the writer.
    pub async fn create(
        mut view: RestoreView,
        store: Store,
        events: broadcast::Sender<Framed>,
    ) -> Result<Self, StoreError> {
        let framed = store
            .insert_restore(&mut view, &now(), "Restore started")
            .await?;
        let _ = events.send(framed);
        Ok(Self {
            json: serde_json::to_value(&view)?,
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
        events: broadcast::Sender<Framed>,
    ) -> Result<Self, StoreError> {
        let seq = store.restore_last_seq(view.restore_id).await?;
        Ok(Self {
            json: serde_json::to_value(&view)?,
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
        let json = serde_json::to_value(&next)?;
        let event = RestoreEvent {
            seq: self.seq + 1,
            restore_id: next.restore_id,
            at: now(),
            step,
            message: message.into(),
            state: next.state,
            restore: None,
            change: patch::diff(&self.json, &json),
        };
        let framed = self.store.record_restore(&next, &event).await?;
        self.seq += 1;
        self.view = next;
        self.json = json;
        let _ = self.events.send(framed);
        Ok(())
    }
}
