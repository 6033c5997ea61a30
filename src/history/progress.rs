//! Live progress of set deletions: what each part is at (`waiting`, `deleting`, then `deleted`,
//! `absent` or `failed`), so the page can show it while the components delete. The outcome is
//! journaled at the end; this keeps only the latest attempt per set, in memory.

use crate::domain::{BackupId, DeletionProgress, PartDeletion, PartKey};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Deletions under way (and the last one per set).
#[derive(Clone, Default)]
pub struct Deletions {
    by_id: Arc<Mutex<HashMap<BackupId, DeletionProgress>>>,
}

impl Deletions {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<BackupId, DeletionProgress>) -> R) -> R {
        f(&mut crate::engine::locked(&self.by_id))
    }

    /// A deletion of `id` starts with these parts.
    pub fn begin(&self, id: BackupId, parts: Vec<PartDeletion>) {
        self.with(|m| {
            m.insert(
                id,
                DeletionProgress {
                    backup_id: id,
                    started_at: crate::engine::now(),
                    parts,
                    finished: false,
                },
            )
        });
    }

    /// One part moved on.
    pub fn set(&self, id: BackupId, part: PartKey, result: &str, detail: Option<String>) {
        self.with(|m| {
            if let Some(p) = m
                .get_mut(&id)
                .and_then(|d| d.parts.iter_mut().find(|p| p.part == part))
            {
                result.clone_into(&mut p.result);
                p.detail = detail;
            }
        });
    }

    /// The deletion of `id` ended.
    pub fn finish(&self, id: BackupId) {
        self.with(|m| {
            if let Some(d) = m.get_mut(&id) {
                d.finished = true;
            }
        });
    }

    /// Claims `id` for a deletion about to be planned: it counts as under way (no restore of it
    /// starts) until the returned guard is dropped. `None` when a deletion of `id` is under way.
    pub fn claim(&self, id: BackupId) -> Option<Claim> {
        self.with(|m| {
            if m.get(&id).is_some_and(|d| !d.finished) {
                return None;
            }
            m.insert(
                id,
                DeletionProgress {
                    backup_id: id,
                    started_at: crate::engine::now(),
                    parts: Vec::new(),
                    finished: false,
                },
            );
            Some(Claim {
                deletions: self.clone(),
                id,
            })
        })
    }

    /// Whether a deletion of `id` is under way.
    pub fn in_progress(&self, id: BackupId) -> bool {
        self.with(|m| m.get(&id).is_some_and(|d| !d.finished))
    }

    /// The latest deletion of `id`, under way or ended.
    pub fn get(&self, id: BackupId) -> Option<DeletionProgress> {
        self.with(|m| m.get(&id).cloned())
    }
}

/// A deletion under way; ends it (as far as the tracker knows) when dropped, however the
/// deletion ended.
pub struct Claim {
    deletions: Deletions,
    id: BackupId,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.deletions.finish(self.id);
    }
}
