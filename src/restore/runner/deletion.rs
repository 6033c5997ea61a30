//! Deleting the component indices: one by one, never by pattern, never while a component
//! runs; indices that appear meanwhile go too; each deletion journaled.

use super::{failed, Halt, Runner, DESTRUCTIVE_NOTE};
use crate::domain::{RestoreState, RestoreStepKey, RestoreStepState};
use crate::restore::watch::answering;
use std::time::{Duration, Instant};

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
        for (n, index) in planned.iter().enumerate() {
            if self.view().progress.deleted.contains(index) {
                continue;
            }
            self.delete_journaled(key, index, format!("{} of {total}", n + 1))
                .await?;
        }
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
                self.delete_journaled(key, &index, "created after the plan".into())
                    .await?;
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

    /// The component indices that exist now.
    pub(super) async fn component_indices(&self) -> Result<Vec<String>, Halt> {
        let prefixes = crate::restore::plan::IndexPrefixes::of(
            crate::profile::profile(self.view().profile),
            &self.cluster.zeebe_record_prefix,
            self.clients.optimize.is_some(),
        );
        match self.clients.elasticsearch.indices().await {
            Ok(all) => Ok(all.into_iter().filter(|i| prefixes.owns(i)).collect()),
            Err(e) => Err(failed(
                format!("Could not list the indices: {e}"),
                self.retry_words("Elasticsearch answers again"),
            )),
        }
    }

    /// Deletes one index once every component is seen stopped, and journals it.
    pub(super) async fn delete_journaled(
        &mut self,
        key: RestoreStepKey,
        index: &str,
        position: String,
    ) -> Result<(), Halt> {
        self.ensure_all_down(key).await?;
        if let Some(h) = self.halted(false) {
            return Err(h);
        }
        self.delete_one(key, index).await?;
        let index = index.to_owned();
        let total = self.view().delete_indices.len();
        self.journal
            .commit(
                Some(key),
                format!("Deleted index {index} ({position})"),
                |v| {
                    if !v.progress.deleted.contains(&index) {
                        v.progress.deleted.push(index);
                    }
                    let done = v.progress.deleted.len();
                    if let Some(s) = v.step_mut(key) {
                        s.detail = Some(format!("{done} of {total} indices deleted"));
                    }
                },
            )
            .await?;
        Ok(())
    }

    /// [`Self::until_all_down`], looking again only when the last look is older than a second.
    pub(super) async fn ensure_all_down(&mut self, key: RestoreStepKey) -> Result<(), Halt> {
        if self
            .all_down_at
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
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
            let seen = answering(&self.clients).await;
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
            let words = format!("Paused: {} answer(s) again. Nothing is deleted or restored while a component runs: stop it; the restore continues by itself.", up.join(", "));
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
