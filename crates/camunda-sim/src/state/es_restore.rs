//! Snapshot restore in the Elasticsearch model (§7.7), following ES's `RestoreService`: checks,
//! index selection, the restored indices (content exactly as recorded in the snapshot) and the
//! end of their recovery.

use chrono::{DateTime, Utc};

use super::es::{glob, EsError, EsState, SnapState};
use super::es_index::{IndexInfo, IndexRecovery, RecoveryKind};

/// Options of a restore request body.
#[derive(Clone, Debug, Default)]
pub struct RestoreOptions {
    /// `indices` (comma string or list); `None` = every index of the snapshot.
    pub indices: Option<Vec<String>>,
    /// `ignore_unavailable`: skip requested names the snapshot does not contain.
    pub ignore_unavailable: bool,
    /// `partial`: restore indices whose snapshot has failed shards.
    pub partial: bool,
}

/// A started restore.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestorePlan {
    /// Id of this restore (recorded on each restored index).
    pub restore_uuid: String,
    /// Restored indices, sorted.
    pub indices: Vec<String>,
    /// The indices in the order they recover, a batch at a time (each batch after the last).
    pub batches: Vec<Vec<String>>,
}

/// `SnapshotUtils.filterIndices`: concrete names, wildcards, `-exclusions`, `_all`.
fn select(
    available: &[String],
    patterns: &[String],
    ignore_unavailable: bool,
) -> Result<Vec<String>, EsError> {
    let tokens: Vec<&str> = patterns
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if tokens.is_empty() || tokens == ["_all"] || tokens == ["*"] {
        return Ok(available.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let (add, pattern) = match token.strip_prefix('-') {
            Some(rest) if !available.iter().any(|a| a == token) => {
                if i == 0 {
                    out = available.to_vec();
                }
                (false, rest)
            }
            _ => (true, *token),
        };
        if !pattern.contains('*') {
            if !available.iter().any(|a| a == pattern) {
                if ignore_unavailable {
                    continue;
                }
                return Err(EsError::index_not_found(pattern));
            }
            if add {
                out.push(pattern.to_string());
            } else {
                out.retain(|o| o != pattern);
            }
            continue;
        }
        for name in available.iter().filter(|a| glob(pattern, a)) {
            if add {
                out.push(name.clone());
            } else {
                out.retain(|o| o != name);
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl EsState {
    /// Starts restoring snapshot `repo:name`: validates like ES and creates every selected index
    /// with the content recorded in the snapshot. They recover `concurrent` at a time (0: all
    /// at once), each batch for `duration_ms` after the one before.
    pub fn start_restore(
        &mut self,
        repo: &str,
        name: &str,
        options: &RestoreOptions,
        now: DateTime<Utc>,
        duration_ms: u64,
        concurrent: u32,
    ) -> Result<RestorePlan, EsError> {
        self.repo(repo)?;
        // a running snapshot is not in the repository data yet: ES cannot find it either
        let snap = match self.snapshot(repo, name) {
            Some(s) if s.state != SnapState::InProgress => s.clone(),
            _ => {
                return Err(EsError::new(
                    500,
                    "snapshot_restore_exception",
                    format!("[{repo}:{name}] snapshot does not exist"),
                ))
            }
        };
        let prefix = format!("[{repo}:{name}/{}]", snap.uuid);
        if matches!(snap.state, SnapState::Failed | SnapState::Incompatible) {
            return Err(EsError::new(
                500,
                "snapshot_restore_exception",
                format!(
                    "{prefix} unsupported snapshot state [{}]",
                    snap.state.as_str()
                ),
            ));
        }
        let selected = match &options.indices {
            Some(patterns) => select(&snap.indices, patterns, options.ignore_unavailable)?,
            None => {
                let mut all = snap.indices.clone();
                all.sort();
                all
            }
        };
        for index in &selected {
            let failed = snap.failed_shards.iter().any(|(i, _)| i == index);
            if failed && !options.partial {
                return Err(EsError::new(
                    500,
                    "snapshot_restore_exception",
                    format!("{prefix} index [{index}] wasn't fully snapshotted - cannot restore"),
                ));
            }
            // an index being restored is an open index too
            if self.indices.contains_key(index) {
                return Err(EsError::new(
                    500,
                    "snapshot_restore_exception",
                    format!("{prefix} cannot restore index [{index}] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name"),
                ));
            }
        }
        let restore_uuid = super::es::es_uuid();
        let per_batch = if concurrent == 0 {
            selected.len().max(1)
        } else {
            usize::try_from(concurrent).unwrap_or(usize::MAX)
        };
        let batches: Vec<Vec<String>> =
            selected.chunks(per_batch).map(<[String]>::to_vec).collect();
        for (b, batch) in batches.iter().enumerate() {
            let waited = i64::try_from(duration_ms.saturating_mul(b as u64)).unwrap_or(i64::MAX);
            for index in batch {
                let recovery = IndexRecovery {
                    kind: RecoveryKind::Snapshot,
                    repository: Some(repo.to_string()),
                    snapshot: Some(name.to_string()),
                    restore_uuid: Some(restore_uuid.clone()),
                    start_time: now + chrono::Duration::milliseconds(waited),
                    stop_time: None,
                    duration_ms,
                };
                self.indices.insert(
                    index.clone(),
                    IndexInfo::new(snap.content_of(index), Some(recovery)),
                );
            }
        }
        Ok(RestorePlan {
            restore_uuid,
            indices: selected,
            batches,
        })
    }

    /// Ends the recovery of the plan's indices; returns how many of them are gone (deleted while
    /// restoring: their shards count as failed).
    #[cfg(test)]
    pub fn finish_restore(&mut self, plan: &RestorePlan, now: DateTime<Utc>) -> usize {
        self.finish_indices(plan, &plan.indices, now)
    }

    /// Ends the recovery of `indices` of the plan; returns how many of them are gone.
    pub fn finish_indices(
        &mut self,
        plan: &RestorePlan,
        indices: &[String],
        now: DateTime<Utc>,
    ) -> usize {
        let mut failed = 0;
        for index in indices {
            let recovery = self
                .indices
                .get_mut(index)
                .and_then(|i| i.recovery.as_mut())
                .filter(|r| r.restore_uuid.as_deref() == Some(plan.restore_uuid.as_str()));
            match recovery {
                Some(r) => {
                    r.stop_time.get_or_insert(now);
                }
                None => failed += 1,
            }
        }
        failed
    }

    /// Ends every running recovery (after a restart of the simulator).
    pub fn finish_all_recoveries(&mut self, now: DateTime<Utc>) {
        for r in self
            .indices
            .values_mut()
            .filter_map(|i| i.recovery.as_mut())
        {
            r.stop_time.get_or_insert(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::es::{Repository, Snapshot};
    use serde_json::json;

    fn es_with_snapshot() -> EsState {
        let mut es = EsState::default();
        es.repositories.insert(
            "camunda".into(),
            Repository {
                kind: "fs".into(),
                settings: json!({}),
            },
        );
        es.create_index("a-1", 10);
        es.write_docs("a-1", 5);
        es.create_index("b-1", 3);
        let mut snap = es.begin_snapshot("camunda", "s1", vec!["a-1".into(), "b-1".into()], None);
        snap.finish(SnapState::Success, None);
        es.snapshots
            .entry("camunda".into())
            .or_default()
            .insert("s1".into(), snap);
        es
    }

    fn all() -> RestoreOptions {
        RestoreOptions::default()
    }

    #[test]
    fn a_restore_recreates_the_recorded_content() {
        let mut es = es_with_snapshot();
        let before = es.indices["a-1"].content();
        es.write_docs("a-1", 7);
        let now = Utc::now();
        let err = es
            .start_restore("camunda", "s1", &all(), now, 100, 0)
            .unwrap_err();
        assert!(err.reason.contains("because an open index with same name"));
        es.indices.remove("a-1");
        es.indices.remove("b-1");
        let plan = es
            .start_restore("camunda", "s1", &all(), now, 100, 0)
            .unwrap();
        assert_eq!(plan.indices, ["a-1", "b-1"]);
        assert_eq!(es.indices["a-1"].content(), before);
        assert!(es.indices["a-1"].recovering());
        let again = es
            .start_restore("camunda", "s1", &all(), now, 100, 0)
            .unwrap_err();
        assert_eq!(again.kind, "snapshot_restore_exception");
        es.indices.remove("b-1");
        assert_eq!(es.finish_restore(&plan, now), 1);
        assert!(!es.indices["a-1"].recovering());
    }

    #[test]
    fn missing_or_running_snapshots_do_not_exist_for_a_restore() {
        let mut es = es_with_snapshot();
        let now = Utc::now();
        let e = es
            .start_restore("camunda", "nope", &all(), now, 1, 0)
            .unwrap_err();
        assert_eq!(
            (e.status, e.kind.as_str()),
            (500, "snapshot_restore_exception")
        );
        assert_eq!(e.reason, "[camunda:nope] snapshot does not exist");
        let running = Snapshot::start("camunda", "run", vec![], None);
        es.snapshots
            .entry("camunda".into())
            .or_default()
            .insert("run".into(), running);
        let e = es
            .start_restore("camunda", "run", &all(), now, 1, 0)
            .unwrap_err();
        assert_eq!(e.reason, "[camunda:run] snapshot does not exist");
        let e = es
            .start_restore("other", "s1", &all(), now, 1, 0)
            .unwrap_err();
        assert_eq!((e.status, e.reason.as_str()), (404, "[other] missing"));
    }

    #[test]
    fn indices_are_selected_like_elasticsearch() {
        let available = vec!["a-1".to_string(), "a-2".into(), "b-1".into()];
        let s = |p: &[&str], ign| {
            let p: Vec<String> = p.iter().map(|x| x.to_string()).collect();
            select(&available, &p, ign)
        };
        assert_eq!(s(&["a-*"], false).unwrap(), ["a-1", "a-2"]);
        assert_eq!(s(&["-a-1"], false).unwrap(), ["a-2", "b-1"]);
        assert_eq!(s(&["*", "-b-*"], false).unwrap(), ["a-1", "a-2"]);
        assert_eq!(s(&["x"], false).unwrap_err().status, 404);
        assert!(s(&["x"], true).unwrap().is_empty());
    }
}
