//! Backup operations shared by Operate, Tasklist and Optimize (take, get, list, delete) on top of ES.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::faults::{lock, FaultKind};
use crate::jobs::{self, AppSpec, PartFailure};
use crate::shared::Shared;
use crate::state::backup_state::{self, AppKind};
use crate::state::es::{glob, Snapshot};
use crate::state::Queue;

/// Application-level backup errors; each app maps them to its own status and body.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(crate) enum AppError {
    /// Invalid request (bad id, duplicate for web apps, queue busy).
    #[error("{0}")]
    BadRequest(String),
    /// Unknown backup.
    #[error("{0}")]
    NotFound(String),
    /// Duplicate id (Optimize).
    #[error("{0}")]
    Conflict(String),
    /// Repository not configured in the application.
    #[error("{0}")]
    NoRepositoryConfigured(String),
    /// Repository missing in Elasticsearch.
    #[error("{0}")]
    RepositoryMissing(String),
    /// Elasticsearch unreachable.
    #[error("{0}")]
    EsDown(String),
}

/// `validateRepositoryExists`.
pub(crate) fn check_repository(shared: &Shared, spec: &AppSpec) -> Result<(), AppError> {
    if spec.repository.is_empty() {
        return Err(AppError::NoRepositoryConfigured(
            if spec.name == "optimize" {
                "Cannot execute backup request because no Elasticsearch snapshot repository name found in Optimize configuration."
            } else {
                "No backup repository configured."
            }
            .into(),
        ));
    }
    if !shared.es_up() {
        return Err(AppError::EsDown(format!(
            "Encountered an error connecting to Elasticsearch while retrieving repository with name [{}].",
            spec.repository
        )));
    }
    if !lock(&shared.state)
        .es
        .repositories
        .contains_key(&spec.repository)
    {
        return Err(AppError::RepositoryMissing(format!(
            "No repository with name [{}] could be found.",
            spec.repository
        )));
    }
    Ok(())
}

fn snapshots_matching(shared: &Shared, spec: &AppSpec, pattern: &str) -> Vec<Snapshot> {
    let st = lock(&shared.state);
    let mut v: Vec<Snapshot> = st
        .es
        .snaps(&spec.repository)
        .filter(|s| glob(pattern, &s.name))
        .cloned()
        .collect();
    v.sort_by(|a, b| {
        a.start_time
            .cmp(&b.start_time)
            .then_with(|| a.name.cmp(&b.name))
    });
    v
}

/// Takes a backup: returns the scheduled snapshot names.
pub(crate) fn take(shared: &Arc<Shared>, spec: &AppSpec, id: u64) -> Result<Vec<String>, AppError> {
    check_repository(shared, spec)?;
    let existing = snapshots_matching(shared, spec, &spec.id_pattern(id));
    if !existing.is_empty() {
        let found: Vec<String> = existing
            .iter()
            .map(|s| format!("{}/{}", s.name, s.uuid))
            .collect();
        let msg = format!(
            "A backup with ID [{id}] already exists. Found snapshots: [{}]",
            found.join(", ")
        );
        return Err(if spec.name == "optimize" {
            AppError::Conflict(msg)
        } else {
            AppError::BadRequest(msg)
        });
    }
    let busy_msg = || AppError::BadRequest("Another backup is running at the moment".into());
    if shared
        .faults
        .take_kind(spec.name, "take_backup", FaultKind::StuckQueue)
        .is_some()
    {
        return Err(busy_msg());
    }
    let names = spec.snapshot_names(id);
    {
        let mut st = lock(&shared.state);
        if st.queues.contains_key(spec.name) {
            return Err(busy_msg());
        }
        st.queues.insert(
            spec.name.to_string(),
            Queue {
                running: Some(id),
                pending: names.clone(),
            },
        );
    }
    let failure = shared
        .faults
        .take_kind(spec.name, "take_backup", FaultKind::PartFailed)
        .or_else(|| {
            shared
                .faults
                .take_kind(spec.name, "take_backup", FaultKind::PartsStop)
        })
        .map(|f| PartFailure::from_fault(&f));
    jobs::schedule(shared.clone(), spec.clone(), id, names.clone(), failure);
    Ok(names)
}

fn kind_of(spec: &AppSpec) -> AppKind {
    if spec.name == "optimize" {
        AppKind::Optimize
    } else {
        AppKind::Webapp
    }
}

/// State of one backup.
pub(crate) fn get(shared: &Shared, spec: &AppSpec, id: u64) -> Result<Value, AppError> {
    check_repository(shared, spec)?;
    let snaps = snapshots_matching(shared, spec, &spec.id_pattern(id));
    if snaps.is_empty() {
        return Err(AppError::NotFound(if spec.name == "optimize" {
            format!("No Optimize backup with ID [{id}] could be found.")
        } else {
            format!("No backup with id [{id}] found.")
        }));
    }
    let refs: Vec<&Snapshot> = snaps.iter().collect();
    Ok(backup_state::backup_json(kind_of(spec), id, &refs))
}

/// All backups, newest id first.
pub(crate) fn list(shared: &Shared, spec: &AppSpec) -> Result<Value, AppError> {
    check_repository(shared, spec)?;
    let snaps = snapshots_matching(shared, spec, &format!("{}*", spec.prefix));
    let mut by_id: BTreeMap<u64, Vec<&Snapshot>> = BTreeMap::new();
    for s in &snaps {
        if let Some(id) = backup_state::backup_id_of(s, &spec.prefix) {
            by_id.entry(id).or_default().push(s);
        }
    }
    Ok(Value::Array(
        by_id
            .iter()
            .rev()
            .map(|(id, v)| backup_state::backup_json(kind_of(spec), *id, v))
            .collect(),
    ))
}

/// Deletes every snapshot of a backup; `require_existing` → `NotFound` when there are none.
pub(crate) fn delete(
    shared: &Shared,
    spec: &AppSpec,
    id: u64,
    require_existing: bool,
) -> Result<(), AppError> {
    check_repository(shared, spec)?;
    let pattern = spec.id_pattern(id);
    let mut st = lock(&shared.state);
    let removed = match st.es.snapshots.get_mut(&spec.repository) {
        Some(m) => {
            let before = m.len();
            m.retain(|name, _| !glob(&pattern, name));
            before - m.len()
        }
        None => 0,
    };
    shared.save_es(&st);
    if removed == 0 && require_existing {
        return Err(AppError::NotFound(format!(
            "No backup with id [{id}] found."
        )));
    }
    Ok(())
}

/// Parses `{"backupId": n}` (number or numeric string).
pub(crate) fn body_id(body: Option<Value>) -> Option<Option<i64>> {
    let v = body?.get("backupId").cloned()?;
    if v.is_null() {
        return None;
    }
    Some(crate::http::json_id(&v))
}
