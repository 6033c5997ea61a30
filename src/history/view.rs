//! The merged rows, kept current cheaply: built in full once per cluster read (by the
//! background refresher), then patched row by row when the journal's runs change — a run that
//! starts or ends re-merges one row, not 10 000.

use super::merge::{merge_row, ClusterIndex};
use super::profile::HistoryProfile;
use super::sources::ClusterReads;
use crate::domain::BackupSetRow;
use crate::store::BriefMap;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Rows, newest first; shared with the pages being served (a patch copies handles, not rows).
pub type Rows = Arc<Vec<Arc<BackupSetRow>>>;

/// The rows of one cluster read and one state of the journal's runs.
#[derive(Clone)]
pub struct View {
    pub cluster: Arc<ClusterReads>,
    index: Arc<ClusterIndex>,
    runs: BriefMap,
    /// The store's brief version `runs` is at least as new as.
    pub brief_version: u64,
    pub rows: Rows,
}

impl View {
    /// Merges every id (the expensive path: 10 000 sets take ~100 ms).
    pub fn build(
        cluster: Arc<ClusterReads>,
        runs: BriefMap,
        brief_version: u64,
        profile: &HistoryProfile,
    ) -> Self {
        let index = Arc::new(ClusterIndex::new(&cluster, profile));
        let mut ids: BTreeSet<i64> = runs.keys().copied().collect();
        ids.extend(index.ids());
        let rows = ids
            .into_iter()
            .rev()
            .filter_map(|id| merge_row(id, &cluster, &index, runs.get(&id), profile))
            .map(Arc::new)
            .collect();
        Self {
            cluster,
            index,
            runs,
            brief_version,
            rows: Arc::new(rows),
        }
    }

    /// The same cluster read with newer runs: only the ids whose run changed are merged again.
    pub fn with_runs(&self, runs: BriefMap, brief_version: u64, profile: &HistoryProfile) -> Self {
        let changed = changed_ids(&self.runs, &runs);
        let mut rows: Vec<Arc<BackupSetRow>> = Vec::clone(&self.rows);
        for id in changed {
            let row = merge_row(id, &self.cluster, &self.index, runs.get(&id), profile);
            // Rows are sorted by id, newest first.
            let at = rows.binary_search_by(|r| id.cmp(&r.backup_id.get()));
            match (at, row) {
                (Ok(i), Some(row)) => rows[i] = Arc::new(row),
                (Ok(i), None) => {
                    rows.remove(i);
                }
                (Err(i), Some(row)) => rows.insert(i, Arc::new(row)),
                (Err(_), None) => {}
            }
        }
        Self {
            cluster: self.cluster.clone(),
            index: self.index.clone(),
            runs,
            brief_version,
            rows: Arc::new(rows),
        }
    }

    /// The row of one id.
    pub fn row(&self, id: i64) -> Option<&Arc<BackupSetRow>> {
        self.rows
            .binary_search_by(|r| id.cmp(&r.backup_id.get()))
            .ok()
            .and_then(|i| self.rows.get(i))
    }
}

/// Ids whose brief was added, removed or changed between `old` and `new`.
fn changed_ids(old: &BriefMap, new: &BriefMap) -> Vec<i64> {
    if Arc::ptr_eq(old, new) {
        return Vec::new();
    }
    let mut ids: Vec<i64> = new
        .iter()
        .filter(|(id, b)| old.get(id) != Some(b))
        .map(|(id, _)| *id)
        .collect();
    ids.extend(old.keys().filter(|id| !new.contains_key(id)));
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BackupId, RunState};
    use crate::store::RunBrief;
    use std::collections::BTreeMap;

    fn brief(id: i64, state: RunState) -> RunBrief {
        RunBrief {
            backup_id: BackupId::new(id).unwrap_or_else(|| panic!("id")),
            state,
            created_at: "2026-11-25T00:00:00.000Z".into(),
            finished_at: None,
            started_by: None,
            pause_ms: None,
        }
    }

    fn runs(list: &[(i64, RunState)]) -> BriefMap {
        Arc::new(
            list.iter()
                .map(|(id, s)| (*id, brief(*id, *s)))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn ids(v: &View) -> Vec<i64> {
        v.rows.iter().map(|r| r.backup_id.get()).collect()
    }

    #[test]
    fn a_patched_view_equals_a_full_merge() {
        let profile = HistoryProfile::legacy();
        let cluster = Arc::new(ClusterReads::default());
        let before = runs(&[(1, RunState::Completed), (3, RunState::Running)]);
        let view = View::build(cluster.clone(), before, 1, &profile);
        assert_eq!(ids(&view), [3, 1]);
        // Run 3 ends, run 5 starts, run 2 appears between the others, run 1 disappears.
        let after = runs(&[
            (2, RunState::Failed),
            (3, RunState::Completed),
            (5, RunState::Running),
        ]);
        let patched = view.with_runs(after.clone(), 2, &profile);
        let full = View::build(cluster, after, 2, &profile);
        assert_eq!(ids(&patched), [5, 3, 2]);
        assert_eq!(
            patched
                .rows
                .iter()
                .map(|r| (**r).clone())
                .collect::<Vec<_>>(),
            full.rows.iter().map(|r| (**r).clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            patched.row(3).and_then(|r| r.state),
            Some(RunState::Completed)
        );
        assert!(patched.row(4).is_none());
    }
}
