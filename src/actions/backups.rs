//! Start and cancel a backup (operator); delete a set (admin).

use super::{audited, ActionError};
use crate::audit::Outcome;
use crate::auth::Caller;
use crate::domain::{BackupId, DeletionOutcome, Permission, StartBackupRequest};
use crate::state::Console;
use std::sync::Arc;

pub async fn start_backup(
    console: &Arc<Console>,
    caller: &Caller,
    request: StartBackupRequest,
) -> Result<BackupId, ActionError> {
    let target = request.backup_id.map_or_else(
        || "backup (next id)".to_owned(),
        |id| format!("backup {id}"),
    );
    audited(
        console,
        caller,
        Permission::StartBackup,
        "backup.start",
        target,
        |console| async move {
            console
                .engine
                .start_backup(request)
                .await
                .map_err(ActionError::from)
        },
        |id| (Outcome::Ok, Some(format!("started backup {id}"))),
    )
    .await
}

pub async fn cancel_backup(
    console: &Arc<Console>,
    caller: &Caller,
    id: BackupId,
) -> Result<(), ActionError> {
    audited(
        console,
        caller,
        Permission::CancelBackup,
        "backup.cancel",
        format!("backup {id}"),
        |console| async move { console.engine.cancel(id).await.map_err(ActionError::from) },
        |()| (Outcome::Ok, None),
    )
    .await
}

/// Deletes every part of the set, in the action's own task: a client that goes away stops
/// neither the deletion half-way nor its audit entry.
pub async fn delete_set(
    console: &Arc<Console>,
    caller: &Caller,
    id: BackupId,
    force: bool,
) -> Result<DeletionOutcome, ActionError> {
    audited(
        console,
        caller,
        Permission::DeleteSet,
        "set.delete",
        format!("backup set {id}{}", if force { " (forced)" } else { "" }),
        |console| async move {
            crate::history::delete_set(&console.history_services(), id, force)
                .await
                .map_err(ActionError::from)
        },
        |o| match &o.left {
            None if o.complete => (Outcome::Ok, Some("every part deleted".into())),
            left => (
                Outcome::Failed,
                Some(format!(
                    "not every part was deleted: {}",
                    left.as_deref().unwrap_or("see the set")
                )),
            ),
        },
    )
    .await
}
