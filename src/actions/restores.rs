//! Restores (admin): start, confirm an operator step, cancel, retry, and the simulator's
//! stand-in for the operator's steps.

use super::{audited, ActionError};
use crate::audit::Outcome;
use crate::auth::Caller;
use crate::domain::{BackupId, Permission, RestoreView};
use crate::state::Console;
use std::sync::Arc;

/// Starts a restore of `backup_id` once `confirm` is the cluster's name.
pub async fn start_restore(
    console: &Arc<Console>,
    caller: &Caller,
    backup_id: i64,
    confirm: Option<&str>,
) -> Result<RestoreView, ActionError> {
    let confirm = confirm.map(str::to_owned);
    let label = caller.label();
    audited(
        console,
        caller,
        Permission::StartRestore,
        "restore.start",
        format!("backup set {backup_id}"),
        |console| async move {
            // The typed name is checked before anything is read.
            console.restores.check_confirm(confirm.as_deref())?;
            let set = match BackupId::new(backup_id) {
                Some(id) => crate::history::fresh_set(&console.history_services(), id)
                    .await
                    .map_err(ActionError::Journal)?,
                None => None,
            };
            let view = console
                .restores
                .start(backup_id, set, confirm.as_deref(), Some(label))
                .await?;
            crate::alerts::restore_started(&console.alerts, &view).await;
            Ok(view)
        },
        |view| (Outcome::Ok, Some(format!("restore {}", view.restore_id))),
    )
    .await
}

pub async fn confirm_restore_step(
    console: &Arc<Console>,
    caller: &Caller,
    restore_id: i64,
    key: &str,
) -> Result<(), ActionError> {
    let key = key.to_owned();
    audited(
        console,
        caller,
        Permission::ConfirmRestoreStep,
        "restore.confirm_step",
        format!(
            "restore {restore_id} step {}",
            key.chars().take(64).collect::<String>()
        ),
        |console| async move { Ok(console.restores.confirm(restore_id, &key).await?) },
        |()| (Outcome::Ok, None),
    )
    .await
}

pub async fn cancel_restore(
    console: &Arc<Console>,
    caller: &Caller,
    restore_id: i64,
) -> Result<(), ActionError> {
    audited(
        console,
        caller,
        Permission::CancelRestore,
        "restore.cancel",
        format!("restore {restore_id}"),
        |console| async move { Ok(console.restores.cancel(restore_id).await?) },
        |()| (Outcome::Ok, None),
    )
    .await
}

pub async fn retry_restore(
    console: &Arc<Console>,
    caller: &Caller,
    restore_id: i64,
) -> Result<RestoreView, ActionError> {
    audited(
        console,
        caller,
        Permission::RetryRestore,
        "restore.retry",
        format!("restore {restore_id}"),
        |console| async move { Ok(console.restores.retry(restore_id).await?) },
        |view| {
            (
                Outcome::Ok,
                Some(format!("continues from state {}", view.state.as_str())),
            )
        },
    )
    .await
}

/// On the embedded simulator only: performs an operator step the way an operator would on a
/// real cluster. Refused for a real cluster.
pub async fn simulate_operator_step(
    console: &Arc<Console>,
    caller: &Caller,
    restore_id: i64,
    key: &str,
) -> Result<Vec<String>, ActionError> {
    let key = key.to_owned();
    audited(
        console,
        caller,
        Permission::SimulateOperatorStep,
        "restore.simulate_operator_step",
        format!(
            "restore {restore_id} step {}",
            key.chars().take(64).collect::<String>()
        ),
        |console| async move {
            let Some(sim) = console.simulator.clone() else {
                return Err(ActionError::NotSimulated);
            };
            let view = console
                .restores
                .get(restore_id)
                .await?
                .ok_or(ActionError::UnknownRestore(restore_id))?;
            crate::restore::simulate::operator_step(&sim, &view, &key)
                .await
                .map_err(ActionError::Simulator)
        },
        |done| (Outcome::Ok, Some(done.join("; "))),
    )
    .await
}
