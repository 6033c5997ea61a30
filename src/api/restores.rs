//! Server functions of the restore wizard, over the same restore engine as the REST API.

use crate::domain::{Failure, RestorePlan, RestoreSummary, RestoreView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn failure(e: crate::restore::RestoreError) -> Failure {
    let api = crate::wire::restore_api_error(&e);
    Failure::new(api.code, api.message)
}

/// The dry run of restoring a set: checks, steps, indices, snapshots, runbook.
#[server(client = crate::api::CsrfClient)]
pub async fn get_restore_plan(backup_id: i64) -> Result<Option<RestorePlan>, Failure> {
    let console = super::console()?;
    let Some(id) = crate::domain::BackupId::new(backup_id) else {
        return Ok(None);
    };
    let Some(set) = crate::history::set_read_now(&console.history_services(), id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))?
    else {
        return Ok(None);
    };
    console.restores.plan(&set).await.map(Some).map_err(failure)
}

/// Starts a restore once `confirm` is the cluster's name; returns the restore's id.
#[server(client = crate::api::CsrfClient)]
pub async fn start_restore(backup_id: i64, confirm: String) -> Result<i64, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(
        crate::actions::start_restore(&console, &caller, backup_id, Some(&confirm))
            .await?
            .restore_id,
    )
}

/// One restore as journaled.
#[server(client = crate::api::CsrfClient)]
pub async fn get_restore(restore_id: i64) -> Result<Option<RestoreView>, Failure> {
    let console = super::console()?;
    console
        .restores
        .get(restore_id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// Every restore, newest first.
#[server(client = crate::api::CsrfClient)]
pub async fn list_restores() -> Result<Vec<RestoreSummary>, Failure> {
    let console = super::console()?;
    console
        .restores
        .list()
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// The admin confirms a waiting operator step.
#[server(client = crate::api::CsrfClient)]
pub async fn confirm_restore_step(restore_id: i64, key: String) -> Result<(), Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::confirm_restore_step(&console, &caller, restore_id, &key).await?)
}

/// Runs a failed restore again from its failed step.
#[server(client = crate::api::CsrfClient)]
pub async fn retry_restore(restore_id: i64) -> Result<(), Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    crate::actions::retry_restore(&console, &caller, restore_id).await?;
    Ok(())
}

/// Cancels a restore before its first destructive step.
#[server(client = crate::api::CsrfClient)]
pub async fn cancel_restore(restore_id: i64) -> Result<(), Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::cancel_restore(&console, &caller, restore_id).await?)
}

/// On the embedded simulator only: performs an operator step the way an operator would on a
/// real cluster (stop or start the components; clear every broker's data directory and run
/// the restore application on it). Refused for a real cluster.
#[server(client = crate::api::CsrfClient)]
pub async fn simulate_operator_step(restore_id: i64, key: String) -> Result<Vec<String>, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    Ok(crate::actions::simulate_operator_step(&console, &caller, restore_id, &key).await?)
}
