//! Snapshot sizes: read from Elasticsearch's `_status` (`stats.total.size_in_bytes`) once per
//! finished snapshot and kept for good, in memory and in the journal — a finished snapshot never
//! changes and a retaken one has a new uuid — so neither a page nor a restart reads them again.
//! `_status` reads the repository (costly on a store that bills per request), so snapshots are
//! sized 20 names per request, only for the newest sets (the chart's) and the set being viewed.

use crate::camunda::ElasticsearchClient;
use crate::domain::BackupSetRow;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Names per `_status` request.
const BATCH: usize = 20;

/// `(snapshot name, uuid or "")`.
type Key = (String, String);

/// The sizes read so far.
#[derive(Clone, Default)]
pub struct SnapshotSizes {
    /// `None` until loaded from the journal.
    known: Arc<Mutex<Option<HashMap<Key, u64>>>>,
}

fn final_state(state: &str) -> bool {
    matches!(state, "SUCCESS" | "PARTIAL" | "FAILED")
}

impl SnapshotSizes {
    fn with<R>(&self, f: impl FnOnce(&mut Option<HashMap<Key, u64>>) -> R) -> R {
        f(&mut crate::engine::locked(&self.known))
    }

    async fn load(&self, store: &Store) {
        if self.with(|k| k.is_some()) {
            return;
        }
        match store.snapshot_sizes().await {
            Ok(list) => self.with(|k| {
                let map = k.get_or_insert_with(HashMap::new);
                for (name, uuid, bytes) in list {
                    map.entry((name, uuid)).or_insert(bytes);
                }
            }),
            Err(e) => tracing::warn!(error = %e, "could not read the kept snapshot sizes"),
        }
    }

    /// Fills the sizes known of `row`'s snapshots, and the set's total when every snapshot's
    /// size is known.
    pub fn apply(&self, row: &mut BackupSetRow) {
        self.with(|k| {
            let Some(known) = k.as_ref() else {
                return;
            };
            let (mut total, mut all, mut any) = (0u64, true, false);
            for s in row
                .components
                .values_mut()
                .flat_map(|c| c.snapshots.iter_mut())
            {
                if s.state == "MISSING" {
                    continue;
                }
                any = true;
                let key = (s.name.clone(), s.uuid.clone().unwrap_or_default());
                s.size_bytes = known.get(&key).copied();
                match s.size_bytes {
                    Some(b) => total = total.saturating_add(b),
                    None => all = false,
                }
            }
            row.size_bytes = (any && all).then_some(total);
        });
    }

    /// Reads the sizes of `rows`' finished snapshots not sized yet (sets still being taken wait), in at most `max_requests`
    /// `_status` requests, and keeps them. A failed request leaves those sizes unknown.
    #[tracing::instrument(skip_all, fields(max_requests))]
    pub async fn read_missing<'a>(
        &self,
        es: &ElasticsearchClient,
        repository: &str,
        store: &Store,
        rows: impl IntoIterator<Item = &'a BackupSetRow>,
        max_requests: usize,
    ) {
        self.load(store).await;
        let wanted: Vec<Key> = self.with(|k| {
            let known = k.get_or_insert_with(HashMap::new);
            rows.into_iter()
                // A set still being taken is sized once it is done.
                .filter(|r| r.verdict != crate::domain::Verdict::InProgress)
                .flat_map(|r| r.components.values())
                .flat_map(|c| c.snapshots.iter())
                .filter(|s| final_state(&s.state))
                .map(|s| (s.name.clone(), s.uuid.clone().unwrap_or_default()))
                .filter(|key| !known.contains_key(key))
                .take(BATCH * max_requests)
                .collect()
        });
        for batch in wanted.chunks(BATCH) {
            let names: Vec<&str> = batch.iter().map(|(n, _)| n.as_str()).collect();
            let statuses = match es.snapshot_status(repository, &names.join(",")).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(error = %e, "could not read snapshot sizes");
                    continue;
                }
            };
            let read: Vec<(String, String, u64)> = statuses
                .iter()
                .filter_map(|st| {
                    let bytes = st.stats.as_ref()?.total.as_ref()?.size_in_bytes;
                    let (name, uuid) = batch.iter().find(|(n, _)| *n == st.snapshot)?;
                    Some((name.clone(), uuid.clone(), bytes))
                })
                .collect();
            if let Err(e) = store.record_snapshot_sizes(&read).await {
                tracing::warn!(error = %e, "could not keep snapshot sizes");
            }
            self.with(|k| {
                let known = k.get_or_insert_with(HashMap::new);
                for (name, uuid, bytes) in read {
                    known.insert((name, uuid), bytes);
                }
            });
        }
    }
}
