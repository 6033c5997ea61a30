//! Deleting a backup set: every part in every component and the records snapshot. Refused for
//! the newest restorable set unless forced (it may be the only way back), and for a set a run
//! is taking now. A part that fails to delete is named; the others are still deleted; the
//! attempt is journaled and the history re-read, so the row shows what is left.

use super::Services;
use crate::camunda::WebAppClient;
use crate::domain::{BackupId, DeletionOutcome, PartDeletion, PartKey, PartState};
use crate::store::StoreError;

/// Why a set was not deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("no backup with id {0} in the journal, the components or the repository")]
    NotFound(BackupId),
    #[error("backup {0} is the newest restorable set; deleting it leaves an older one (or none) to restore — repeat with force to delete it anyway")]
    NewestRestorable(BackupId),
    #[error("backup {0} is being taken now; cancel the run first")]
    Running(BackupId),
    #[error("backup set {id} is used by restore {restore_id}, which is {state}; nothing was deleted. A set under restore (or whose failed restore can still be retried) is kept until that restore completes or another restore supersedes it")]
    UnderRestore {
        id: BackupId,
        restore_id: i64,
        state: &'static str,
    },
    #[error("backup set {0} is being deleted already; follow that deletion on the set's page")]
    Deleting(BackupId),
    #[error("not every source answered ({1}), so whether backup {0} is the newest restorable set cannot be told; repeat with force to delete it anyway")]
    Unsure(BackupId, String),
    #[error("the journal failed")]
    Store(#[from] StoreError),
}

/// Deletes every part of set `id`.
pub async fn delete_set(
    console: &Services<'_>,
    id: BackupId,
    force: bool,
) -> Result<DeletionOutcome, DeleteError> {
    delete_set_judged(console, id, force, Judge::Fresh).await
}

/// What a deletion judges the set on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judge {
    /// Every list read again first (a person's delete).
    Fresh,
    /// The kept reads, which the caller refreshed just before (a retention pass reads the
    /// cluster once, not once per set: a store may bill every listing).
    Kept,
}

/// [`delete_set`], judging the set on `judge`'s data.
#[tracing::instrument(skip_all, fields(backup_id = %id, force, judge = ?judge))]
pub async fn delete_set_judged(
    console: &Services<'_>,
    id: BackupId,
    force: bool,
    judge: Judge,
) -> Result<DeletionOutcome, DeleteError> {
    // Under the start lock, so that no backup or restore of this set starts between these
    // checks and the claim (a restore start checks the claim).
    let _claim = {
        let _starts = console.engine.lock_starts().await;
        if console.engine.active_run() == Some(id) {
            return Err(DeleteError::Running(id));
        }
        if let Some((restore_id, state)) = console.engine.store().restore_holding(id.get()).await? {
            return Err(DeleteError::UnderRestore {
                id,
                restore_id,
                state: state.as_str(),
            });
        }
        console
            .cache
            .deletions
            .claim(id)
            .ok_or(DeleteError::Deleting(id))?
    };
    // Judge on fresh data: the cached lists may be up to a refresh interval old.
    let set = match judge {
        Judge::Fresh => super::fresh_set(console, id).await?,
        Judge::Kept => super::history_set(console, id).await?,
    }
    .ok_or(DeleteError::NotFound(id))?;
    let page = super::history_page(
        console,
        &super::HistoryQuery {
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    if !force {
        if page.summary.newest_restorable == Some(id) {
            return Err(DeleteError::NewestRestorable(id));
        }
        // With a source away, the real newest restorable set may show as unknown.
        if let Some(stale) = page.stale {
            return Err(DeleteError::Unsure(id, stale));
        }
    }
    // The paths of the profile the history was read in (8.8+: backupRuntime, backupHistory).
    let profile = crate::profile::profile(console.cache.reads().profile);
    let c = &console.clients.for_profile(profile);
    let repo = &console.cluster.snapshot_repository;
    let state = |part: PartKey| set.components.get(part.as_str()).map(|c| c.state);
    // What to do per part, in order. Zeebe first: its id stays used either way, and its store
    // is the slowest to clean.
    let mut plan: Vec<(PartKey, Action)> = Vec::new();
    plan.push((
        PartKey::Zeebe,
        match state(PartKey::Zeebe) {
            Some(PartState::Missing) | None => Action::Absent,
            _ => Action::Zeebe,
        },
    ));
    let apps: Vec<(PartKey, &WebAppClient)> = c
        .webapp_clients()
        .into_iter()
        .filter_map(|a| Some((super::profile::part_of_component(a.component())?, a)))
        .collect();
    for (part, app) in apps {
        let cell = set.components.get(part.as_str());
        let listed = cell.is_some_and(|c| c.state != PartState::Missing);
        let in_repo: Vec<String> = cell
            .map(|c| {
                c.snapshots
                    .iter()
                    .filter(|s| s.state != "MISSING")
                    .map(|s| s.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        plan.push((
            part,
            if listed {
                Action::WebApp(app)
            } else if !in_repo.is_empty() {
                // The component does not list it, but its snapshots are in the repository.
                Action::Snapshots(in_repo)
            } else {
                Action::Absent
            },
        ));
    }
    // The names the repository reported (`…_007` belongs to id 7 too).
    let records: Vec<String> = set
        .components
        .get(PartKey::ZeebeRecords.as_str())
        .map(|c| c.snapshots.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    plan.push((
        PartKey::ZeebeRecords,
        match state(PartKey::ZeebeRecords) {
            Some(PartState::Missing) | None => Action::Absent,
            _ if records.is_empty() => Action::Absent,
            _ => Action::Snapshots(records),
        },
    ));

    let progress = &console.cache.deletions;
    progress.begin(
        id,
        plan.iter()
            .map(|(part, action)| PartDeletion {
                part: *part,
                result: if matches!(action, Action::Absent) {
                    "absent"
                } else {
                    "waiting"
                }
                .into(),
                detail: None,
            })
            .collect(),
    );
    let mut parts = Vec::new();
    for (part, action) in plan {
        progress.set(id, part, "deleting", None);
        let done = match action {
            Action::Absent => PartDeletion {
                part,
                result: "absent".into(),
                detail: None,
            },
            Action::Zeebe => outcome(
                part,
                c.zeebe
                    .delete_backup(id.get())
                    .await
                    .map(|()| "Zeebe backup deleted (its id stays used)".to_owned()),
            ),
            Action::WebApp(app) => outcome(
                part,
                app.delete_backup(id.get())
                    .await
                    .map(|()| format!("{} backup deleted", part.label())),
            ),
            Action::Snapshots(names) => delete_snapshots(console, repo, part, &names).await,
        };
        progress.set(id, part, &done.result, done.detail.clone());
        parts.push(done);
    }
    let failed: Vec<String> = parts
        .iter()
        .filter(|p| p.result == "failed")
        .map(|p| {
            format!(
                "{} ({})",
                p.part.label(),
                p.detail.clone().unwrap_or_default()
            )
        })
        .collect();
    let outcome = DeletionOutcome {
        backup_id: id,
        at: crate::engine::now(),
        forced: force,
        complete: failed.is_empty(),
        left: (!failed.is_empty()).then(|| {
            format!(
                "Still there: {}. Try again, or delete them by hand.",
                failed.join("; ")
            )
        }),
        parts,
    };
    // The parts are gone whatever the journal says: report them even if recording fails.
    if let Err(e) = console
        .engine
        .store()
        .record_deletion(id, &outcome.at, force, &outcome)
        .await
    {
        tracing::error!(backup_id = %id, error = %e, "could not journal the deletion");
    }
    tracing::warn!(backup_id = %id, complete = outcome.complete, "backup set deleted");
    progress.finish(id);
    match judge {
        // A person's delete: the row shows what is left as soon as the answer arrives.
        Judge::Fresh => {
            console
                .cache
                .refresh(console.clients, console.cluster, console.engine.store())
                .await
        }
        // A pass deletes several sets on one read, and asks for one read when it is done.
        Judge::Kept => {}
    }
    Ok(outcome)
}

/// What deleting one part takes.
enum Action<'a> {
    /// Nothing there.
    Absent,
    /// Zeebe's delete API.
    Zeebe,
    /// The web app's delete API (its snapshots go with it).
    WebApp(&'a WebAppClient),
    /// Snapshots the repository holds without their component listing them (and the records).
    Snapshots(Vec<String>),
}

fn outcome(part: PartKey, result: Result<String, crate::camunda::ClientError>) -> PartDeletion {
    match result {
        Ok(done) => PartDeletion {
            part,
            result: "deleted".into(),
            detail: Some(done),
        },
        // Gone already, in the component's own words (Operate 8.2–8.7 says so with a 400,
        // §5.4). A bare 404 (an ingress, a wrong context path) proves nothing.
        Err(e)
            if matches!(e.status(), Some(400 | 404)) && e.component_message().is_some_and(gone) =>
        {
            PartDeletion {
                part,
                result: "absent".into(),
                detail: Some(e.to_string()),
            }
        }
        Err(e) => PartDeletion {
            part,
            result: "failed".into(),
            detail: Some(e.to_string()),
        },
    }
}

async fn delete_snapshots(
    console: &Services<'_>,
    repo: &str,
    part: PartKey,
    names: &[String],
) -> PartDeletion {
    let (mut errors, mut deleted, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for name in names {
        match console
            .clients
            .elasticsearch
            .delete_snapshot(repo, name)
            .await
        {
            Ok(()) => deleted.push(name.as_str()),
            // Elasticsearch's own `snapshot_missing_exception`: not there (any more). A bare
            // 404 (a proxy, a wrong path) proves nothing.
            Err(e)
                if e.status() == Some(404)
                    && e.component_message()
                        .is_some_and(|m| m.contains("snapshot_missing")) =>
            {
                missing.push(name.as_str())
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        PartDeletion {
            part,
            result: "failed".into(),
            detail: Some(errors.join("; ")),
        }
    } else if deleted.is_empty() {
        PartDeletion {
            part,
            result: "absent".into(),
            detail: Some(format!("not in the repository: {}", missing.join(", "))),
        }
    } else {
        PartDeletion {
            part,
            result: "deleted".into(),
            detail: Some(format!(
                "deleted from the repository: {}",
                deleted.join(", ")
            )),
        }
    }
}

fn gone(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("no backup with id")
        || m.contains("does not exist")
        || m.contains("could not be found")
}
