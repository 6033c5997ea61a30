//! Restoring the set's snapshots one at a time: requested without waiting, watched through
//! `_cat/recovery` and the indices' health; an interrupted restore is checked, and cleaned and
//! redone when it did not finish.

use super::{failed, Halt, Runner};
use crate::domain::{RestoreStepKey, RestoreStepState};
use std::time::Instant;

impl Runner {
    /// Restores the step's snapshots one at a time.
    pub(super) async fn restore_snapshots(
        &mut self,
        key: RestoreStepKey,
        records: bool,
    ) -> Result<(), Halt> {
        self.begin(key, RestoreStepState::Running).await?;
        let names: Vec<String> = self
            .view()
            .restore_snapshots
            .iter()
            .filter(|n| n.contains("_zeebe_records_") == records)
            .cloned()
            .collect();
        let total = names.len();
        for (n, name) in names.iter().enumerate() {
            if self.view().progress.restored.contains(name) {
                continue;
            }
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            let indices = self
                .view()
                .snapshot_indices
                .get(name)
                .cloned()
                .unwrap_or_default();
            if self.view().progress.restoring.as_deref() == Some(name.as_str()) {
                // Interrupted: done if every index recovered, else cleaned and restored again.
                let complete = match self.recovered(&indices).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(snapshot = %name, error = %e, "could not read an interrupted restore's recovery; restoring it again");
                        false
                    }
                };
                if complete {
                    self.restored(key, name, n, total).await?;
                    continue;
                }
                for index in &indices {
                    self.ensure_all_down(key).await?;
                    self.delete_one(key, index).await?;
                }
                self.detail(key, format!("{name} was interrupted: its partial indices were deleted; restoring it again")).await?;
            }
            let label = format!("{name} ({} of {total})", n + 1);
            let snapshot = name.clone();
            self.journal
                .commit(Some(key), format!("Restoring {label}"), |v| {
                    v.progress.restoring = Some(snapshot);
                    if let Some(s) = v.step_mut(key) {
                        s.detail = Some(format!("Restoring {label}"));
                    }
                })
                .await?;
            self.ensure_all_down(key).await?;
            // An index of this snapshot that exists again (an app started meanwhile) would make
            // the restore fail: it goes first.
            if let Ok(existing) = self.clients.elasticsearch.indices().await {
                for index in indices.iter().filter(|i| existing.contains(i)) {
                    self.delete_one(key, index).await?;
                }
            }
            if let Err(e) = self
                .clients
                .elasticsearch
                .start_restore(self.repo(), name)
                .await
            {
                return Err(failed(
                    format!("Elasticsearch refused to restore {name}: {e}"),
                    self.retry_words(
                        "the cause is fixed (an index that exists again: stop what creates it)",
                    ),
                ));
            }
            self.watch_recovery(key, name, &indices, &label).await?;
            self.restored(key, name, n, total).await?;
        }
        self.complete(key, format!("{total} snapshots restored"))
            .await
    }

    pub(super) async fn restored(
        &mut self,
        key: RestoreStepKey,
        name: &str,
        n: usize,
        total: usize,
    ) -> Result<(), Halt> {
        let snapshot = name.to_owned();
        self.journal
            .commit(
                Some(key),
                format!("Restored {name} ({} of {total})", n + 1),
                |v| {
                    v.progress.restoring = None;
                    v.progress.restored.push(snapshot);
                },
            )
            .await?;
        Ok(())
    }

    /// Whether every index of `indices` finished its recovery from the snapshot and no primary
    /// is left to allocate.
    pub(super) async fn recovered(
        &self,
        indices: &[String],
    ) -> Result<bool, crate::camunda::ClientError> {
        if indices.is_empty() {
            return Ok(true);
        }
        let rows = self.clients.elasticsearch.recovery(indices).await?;
        let health = self.clients.elasticsearch.index_health(indices).await?;
        Ok(health.settled() && all_done(indices, &rows) == indices.len())
    }

    pub(super) async fn watch_recovery(
        &mut self,
        key: RestoreStepKey,
        name: &str,
        indices: &[String],
        label: &str,
    ) -> Result<(), Halt> {
        let mut failing_since: Option<Instant> = None;
        let mut red_polls = 0u32;
        loop {
            let read = async {
                let rows = self.clients.elasticsearch.recovery(indices).await?;
                let health = self.clients.elasticsearch.index_health(indices).await?;
                Ok::<_, crate::camunda::ClientError>((rows, health))
            };
            match read.await {
                Ok((rows, health)) => {
                    failing_since = None;
                    let done = all_done(indices, &rows);
                    // Done when every shard recovery is done and no primary is left to allocate
                    // (replicas may stay unassigned on a small cluster: yellow).
                    if done == indices.len() && health.settled() {
                        return Ok(());
                    }
                    red_polls = if health.status == "red" && health.initializing_shards == 0 {
                        red_polls + 1
                    } else {
                        0
                    };
                    if red_polls >= 30 {
                        return Err(failed(
                            format!("The restore of {name} stalled: its indices are red and nothing is being recovered ({done} of {} indices recovered)", indices.len()),
                            self.retry_words("Elasticsearch can allocate the indices again (GET _cluster/allocation/explain says why not)"),
                        ));
                    }
                    let percent = average_percent(&rows);
                    self.progress(
                        key,
                        format!(
                            "Restoring {label}: {done} of {} indices recovered{percent}",
                            indices.len()
                        ),
                    )
                    .await?;
                }
                Err(e) => {
                    let since = *failing_since.get_or_insert_with(Instant::now);
                    if !e.is_retryable() || since.elapsed() > self.pace.unavailable_budget {
                        return Err(failed(
                            format!("Could not watch the restore of {name}: {e}"),
                            self.retry_words("Elasticsearch answers again (the retry checks this snapshot's indices and restores it again if it did not finish)"),
                        ));
                    }
                }
            }
            // Restores can take hours: the console waits as long as Elasticsearch progresses.
            if let Some(Halt::Shutdown) = self.halted(false) {
                return Err(Halt::Shutdown);
            }
            self.sleep().await;
        }
    }
}

fn average_percent(rows: &[crate::camunda::types::RecoveryRow]) -> String {
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            r.bytes_percent
                .as_deref()?
                .trim_end_matches('%')
                .parse::<f64>()
                .ok()
        })
        .collect();
    if values.is_empty() {
        String::new()
    } else {
        format!(
            ", {:.0} % of the bytes",
            values.iter().sum::<f64>() / values.len() as f64
        )
    }
}

/// How many of `indices` have every shard recovery `done`.
fn all_done(indices: &[String], rows: &[crate::camunda::types::RecoveryRow]) -> usize {
    indices
        .iter()
        .filter(|i| {
            let mine: Vec<_> = rows.iter().filter(|r| &r.index == *i).collect();
            !mine.is_empty() && mine.iter().all(|r| r.stage.eq_ignore_ascii_case("done"))
        })
        .count()
}
