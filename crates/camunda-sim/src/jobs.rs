//! Background backup work of Operate/Tasklist/Optimize: parts created one after another in ES.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::faults::{lock, Fault};
use crate::seed;
use crate::shared::Shared;
use crate::state::es::{EsState, SnapState};
use crate::state::SimState;

/// Static description of one backup-capable application.
#[derive(Clone, Debug)]
pub(crate) struct AppSpec {
    /// `operate`, `tasklist` or `optimize`.
    pub name: &'static str,
    /// Snapshot prefix, e.g. `camunda_operate_`.
    pub prefix: String,
    /// Application version used in snapshot names.
    pub version: String,
    /// Configured repository name (`""` = not configured).
    pub repository: String,
    /// Number of parts.
    pub part_count: u32,
    /// Time a part stays in progress.
    pub part_ms: u64,
    /// Gap between parts.
    pub gap_ms: u64,
}

impl AppSpec {
    /// Describes `name` using the simulator's configuration.
    pub fn new(shared: &Shared, name: &'static str) -> Self {
        let c = &shared.config;
        let t = &c.timing;
        match name {
            "optimize" => Self {
                name,
                prefix: "camunda_optimize_".into(),
                version: c.optimize_version().to_lowercase(),
                repository: c.optimize_repository.clone(),
                part_count: 2,
                part_ms: t.optimize_part_ms,
                gap_ms: 0,
            },
            // 8.8+: one backup of Operate's and Tasklist's indices (and Identity's, not simulated).
            "webapps" => Self {
                name,
                prefix: "camunda_webapps_".into(),
                version: c.version.to_lowercase(),
                repository: c.webapp_repository.clone(),
                part_count: c.webapp_parts,
                part_ms: t.webapp_part_ms,
                gap_ms: t.webapp_part_gap_ms,
            },
            _ => Self {
                name,
                prefix: format!("camunda_{name}_"),
                version: if name == "tasklist" {
                    c.tasklist_version().to_lowercase()
                } else {
                    c.operate_version().to_lowercase()
                },
                repository: c.webapp_repository.clone(),
                part_count: c.webapp_parts,
                part_ms: t.webapp_part_ms,
                gap_ms: t.webapp_part_gap_ms,
            },
        }
    }

    /// Snapshot names of backup `id`.
    pub fn snapshot_names(&self, id: u64) -> Vec<String> {
        (1..=self.part_count)
            .map(|n| {
                format!(
                    "{}{id}_{}_part_{n}_of_{}",
                    self.prefix, self.version, self.part_count
                )
            })
            .collect()
    }

    /// Pattern matching every snapshot of backup `id`.
    pub fn id_pattern(&self, id: u64) -> String {
        format!("{}{id}_*", self.prefix)
    }

    /// Indices that go into part `n` (only existing ones).
    fn part_indices(&self, es: &EsState, n: u32) -> Vec<String> {
        let wanted: Vec<String> = match self.name {
            "optimize" if n == 1 => seed::OPTIMIZE_IMPORT_INDICES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "optimize" => seed::OPTIMIZE_OTHER_INDICES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            "tasklist" => seed::webapp_part_indices(seed::TASKLIST_INDICES, n, self.part_count),
            "webapps" => seed::webapp_part_indices(
                &[seed::OPERATE_INDICES, seed::TASKLIST_INDICES].concat(),
                n,
                self.part_count,
            ),
            _ => seed::webapp_part_indices(seed::OPERATE_INDICES, n, self.part_count),
        };
        wanted
            .into_iter()
            .filter(|i| es.indices.contains_key(i))
            .collect()
    }
}

/// How one part of a backup is forced to end (fault `part_failed`).
#[derive(Clone, Debug)]
pub(crate) struct PartFailure {
    pub part: u32,
    pub state: SnapState,
    pub reason: Option<String>,
    /// The part succeeds and the queue stops there (`parts_stop`).
    pub stop: bool,
}

impl PartFailure {
    /// From a `part_failed` fault.
    pub fn from_fault(f: &Fault) -> Self {
        Self {
            part: f.part.unwrap_or(1),
            state: SnapState::parse_final(f.state.as_deref()),
            reason: f.reason.clone(),
            stop: f.kind == crate::faults::FaultKind::PartsStop,
        }
    }
}

fn clear_queue(shared: &Shared, app: &str) {
    let mut st = lock(&shared.state);
    st.queues.remove(app);
}

/// Starts part `n`; `false` if ES is unreachable or the snapshot cannot be created (queue cleared).
fn start_part(shared: &Shared, spec: &AppSpec, id: u64, n: u32, names: &[String]) -> bool {
    let mut st = lock(&shared.state);
    start_part_in(shared, &mut st, spec, id, n, names)
}

fn start_part_in(
    shared: &Shared,
    st: &mut SimState,
    spec: &AppSpec,
    id: u64,
    n: u32,
    names: &[String],
) -> bool {
    let name = &names[(n - 1) as usize];
    let ok = shared.es_up()
        && st.es.repositories.contains_key(&spec.repository)
        && st.es.snapshot(&spec.repository, name).is_none();
    if !ok {
        tracing::warn!(
            app = spec.name,
            id,
            part = n,
            "cannot create part, clearing queue"
        );
        st.queues.remove(spec.name);
        return false;
    }
    let indices = spec.part_indices(&st.es, n);
    let metadata =
        json!({"backupId": id, "version": spec.version, "partNo": n, "partCount": spec.part_count});
    let snap = st
        .es
        .begin_snapshot(&spec.repository, name, indices, Some(metadata));
    st.es
        .snapshots
        .entry(spec.repository.clone())
        .or_default()
        .insert(name.clone(), snap);
    if let Some(q) = st.queues.get_mut(spec.name) {
        q.pending.retain(|p| p != name);
    }
    shared.save_es(st);
    true
}

/// Runs a backup: parts one after another; a failed part clears the queue.
pub(crate) fn schedule(
    shared: Arc<Shared>,
    spec: AppSpec,
    id: u64,
    names: Vec<String>,
    failure: Option<PartFailure>,
) {
    let s = shared.clone();
    shared.spawn(async move {
        if !start_part(&s, &spec, id, 1, &names) {
            return;
        }
        for n in 1..=spec.part_count {
            tokio::time::sleep(Duration::from_millis(spec.part_ms)).await;
            let failed = failure.as_ref().filter(|f| f.part == n);
            {
                let mut st = lock(&s.state);
                let name = &names[(n - 1) as usize];
                if let Some(snap) = st.es.snapshot_mut(&spec.repository, name) {
                    match failed {
                        Some(f) if !f.stop => snap.finish(f.state, f.reason.as_deref()),
                        _ => snap.finish(SnapState::Success, None),
                    }
                }
                s.save_es(&st);
                if failed.is_some() || n == spec.part_count {
                    st.queues.remove(spec.name);
                    return;
                }
                // without a gap the next part starts atomically (no transient INCOMPLETE)
                if spec.gap_ms == 0 && !start_part_in(&s, &mut st, &spec, id, n + 1, &names) {
                    return;
                }
            }
            if spec.gap_ms > 0 {
                tokio::time::sleep(Duration::from_millis(spec.gap_ms)).await;
                if !start_part(&s, &spec, id, n + 1, &names) {
                    return;
                }
            }
        }
        clear_queue(&s, spec.name);
    });
}
