//! Deleting the component indices: one by one, never by pattern, never while a component
//! runs; indices that appear meanwhile go too; every deletion journaled by name, those of
//! about a second in one event.

use super::{failed, Halt, Runner, DESTRUCTIVE_NOTE};
use crate::domain::{RestoreState, RestoreStepKey, RestoreStepState};
use std::time::{Duration, Instant};

/// How long a look at the components stays good for the deletions that follow it.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The most deletions journaled in one event.
const BATCH: usize = 100;

/// Deletions done and not journaled yet.
#[derive(Default)]
struct Deleted {
    indices: Vec<String>,
    /// The last one's place in the plan (`n of total`).
    last: String,
}

impl Deleted {
    fn push(&mut self, index: String, position: String) {
        self.indices.push(index);
        self.last = position;
    }

    fn len(&self) -> usize {
        self.indices.len()
    }

    /// The journal's words: every index by name.
    fn message(&self) -> Option<String> {
        match self.indices.as_slice() {
            [] => None,
            [one] => Some(format!("Deleted index {one} ({})", self.last)),
            many => Some(format!(
                "Deleted {} indices (up to {}): {}",
                many.len(),
                self.last,
                many.join(", ")
            )),
        }
    }
}

impl Runner {
    /// Deletes every planned index (and any component index that appeared since), one by one,
    /// never while a component answers.
    pub(super) async fn delete_indices(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::DeleteIndices;
        // Cancel and the first deletion exclude each other.
        if !self.signals.enter_destructive() {
            return Err(Halt::Cancelled);
        }
        self.begin(key, RestoreStepState::Running).await?;
        if self.view().next_action.is_none() {
            self.journal
                .commit(
                    Some(key),
                    "Destructive steps begin: cancel is no longer possible",
                    |v| {
                        v.next_action = Some(DESTRUCTIVE_NOTE.into());
                    },
                )
                .await?;
        }
        let planned = self.view().delete_indices.clone();
        let total = planned.len();
        let mut batch = Deleted::default();
        for (n, index) in planned.iter().enumerate() {
            if self.view().progress.deleted.contains(index) {
                continue;
            }
            if let Err(halt) = self.delete_batched(key, index, n + 1, &mut batch).await {
                // What was deleted is journaled before the halt is (best effort: a deletion
                // not journaled is done again after a restart, and answers 404).
                let _ = self.journal_deleted(key, &mut batch).await;
                return Err(halt);
            }
        }
        self.journal_deleted(key, &mut batch).await?;
        // Component indices that appeared meanwhile (an app started during the step) go too;
        // a restore over them would fail.
        let mut extra = 0;
        for _sweep in 0..5 {
            let left = self.component_indices().await?;
            if left.is_empty() {
                break;
            }
            for index in left {
                extra += 1;
                self.ensure_all_down(key).await?;
                self.delete_one(key, &index).await?;
                let mut one = Deleted::default();
                one.push(index, "created after the plan".into());
                self.journal_deleted(key, &mut one).await?;
            }
        }
        let more = if extra > 0 {
            format!(" (and {extra} that appeared meanwhile)")
        } else {
            String::new()
        };
        self.complete(
            key,
            format!("{total} indices deleted, one by one{more}; index templates kept"),
        )
        .await
    }

    /// Deletes one planned index (the `n`th) once every component is seen stopped, and adds it
    /// to `batch`; the batch is journaled before every look at the components (about once a
    /// second) and when it holds [`BATCH`] indices, so the journal grows with the seconds the
    /// step takes, not with the indices times the size of the plan.
    async fn delete_batched(
        &mut self,
        key: RestoreStepKey,
        index: &str,
        n: usize,
        batch: &mut Deleted,
    ) -> Result<(), Halt> {
        if self.look_due() || batch.len() >= BATCH {
            self.journal_deleted(key, batch).await?;
        }
        self.ensure_all_down(key).await?;
        if let Some(h) = self.halted(false) {
            return Err(h);
        }
        self.delete_one(key, index).await?;
        let total = self.view().delete_indices.len();
        batch.push(index.to_owned(), format!("{n} of {total}"));
        Ok(())
    }

    /// Journals the deletions of `batch` (one event) and empties it.
    async fn journal_deleted(
        &mut self,
        key: RestoreStepKey,
        batch: &mut Deleted,
    ) -> Result<(), Halt> {
        let Some(message) = batch.message() else {
            return Ok(());
        };
        let indices = std::mem::take(&mut batch.indices);
        let total = self.view().delete_indices.len();
        self.journal
            .commit(Some(key), message, |v| {
                for index in indices {
                    if !v.progress.deleted.contains(&index) {
                        v.progress.deleted.push(index);
                    }
                }
                let done = v.progress.deleted.len();
                if let Some(s) = v.step_mut(key) {
                    s.detail = Some(format!("{done} of {total} indices deleted"));
                }
            })
            .await?;
        Ok(())
    }

    /// The component indices that exist now: those the confirmed plan named (to delete, or to
    /// be restored over) and those of a configured prefix in the component's naming shape.
    pub(super) async fn component_indices(&self) -> Result<Vec<String>, Halt> {
        let view = self.view();
        let named: std::collections::BTreeSet<&str> = view
            .delete_indices
            .iter()
            .chain(view.snapshot_indices.values().flatten())
            .map(String::as_str)
            .collect();
        let prefixes = crate::restore::plan::IndexPrefixes::of(
            crate::profile::profile(self.view().profile),
            &self.cluster.index_prefixes,
            &self.cluster.zeebe_record_prefix,
            self.clients.optimize.is_some(),
        );
        match self.clients.elasticsearch.indices().await {
            Ok(all) => Ok(all
                .into_iter()
                .filter(|i| !i.starts_with('.') && (prefixes.owns(i) || named.contains(i.as_str())))
                .collect()),
            Err(e) => Err(failed(
                format!("Could not list the indices: {e}"),
                self.retry_words("Elasticsearch answers again"),
            )),
        }
    }

    /// Whether [`Self::ensure_all_down`] will look at the components again.
    fn look_due(&self) -> bool {
        self.all_down_at.is_none_or(|t| t.elapsed() >= LOOK_EVERY)
    }

    /// [`Self::until_all_down`], looking again only when the last look is older than a second.
    pub(super) async fn ensure_all_down(&mut self, key: RestoreStepKey) -> Result<(), Halt> {
        if !self.look_due() {
            return Ok(());
        }
        self.until_all_down(key).await?;
        self.all_down_at = Some(Instant::now());
        Ok(())
    }

    /// Waits while any component answers: nothing is deleted or restored then.
    pub(super) async fn until_all_down(&mut self, key: RestoreStepKey) -> Result<(), Halt> {
        let mut paused = false;
        loop {
            let seen = self.look().await;
            // 8.10: the orchestration cluster runs on in recovery mode; Optimize must not.
            let up = if self.in_cluster() {
                seen.optimize_up()
            } else {
                seen.up()
            };
            if up.is_empty() {
                if paused {
                    self.journal
                        .commit(Some(key), "Every component is stopped again", |v| {
                            v.state = RestoreState::Running;
                            if let Some(s) = v.step_mut(key) {
                                s.state = RestoreStepState::Running;
                            }
                        })
                        .await?;
                }
                return Ok(());
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            let words = format!("Paused: {} not seen stopped. Nothing is deleted or restored while a component runs: stop it; the restore continues by itself.", up.join(", "));
            let same = self.view().state == RestoreState::Waiting
                && self.view().step(key).and_then(|s| s.detail.as_deref()) == Some(words.as_str());
            if !same {
                self.journal
                    .commit(Some(key), words.clone(), |v| {
                        v.state = RestoreState::Waiting;
                        if let Some(s) = v.step_mut(key) {
                            s.state = RestoreStepState::Waiting;
                            s.detail = Some(words);
                        }
                    })
                    .await?;
            }
            paused = true;
            self.sleep().await;
        }
    }

    pub(super) async fn delete_one(
        &mut self,
        key: RestoreStepKey,
        index: &str,
    ) -> Result<(), Halt> {
        let started = Instant::now();
        loop {
            match self.clients.elasticsearch.delete_index(index).await {
                Ok(()) => return Ok(()),
                Err(e)
                    if e.status() == Some(404)
                        && e.component_message()
                            .is_some_and(|m| m.contains("index_not_found")) =>
                {
                    return Ok(())
                }
                Err(e) if e.is_retryable() && started.elapsed() < self.pace.unavailable_budget => {
                    self.detail(
                        key,
                        format!("Elasticsearch did not delete {index} ({e}); retrying"),
                    )
                    .await?;
                    self.sleep().await;
                }
                Err(e) => {
                    return Err(failed(
                        format!("Deleting index {index} failed: {e}"),
                        self.retry_words("Elasticsearch deletes indices again"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Deleted;

    #[test]
    fn a_batch_names_every_index_it_deleted() {
        let mut batch = Deleted::default();
        assert_eq!(batch.message(), None);
        batch.push("operate-a_".into(), "1 of 3".into());
        assert_eq!(
            batch.message().as_deref(),
            Some("Deleted index operate-a_ (1 of 3)")
        );
        batch.push("operate-b_".into(), "3 of 3".into());
        assert_eq!(
            batch.message().as_deref(),
            Some("Deleted 2 indices (up to 3 of 3): operate-a_, operate-b_")
        );
    }
}
