//! Server functions of the restore wizard, over the same restore engine as the REST API.

use crate::domain::{Failure, RestorePlan, RestoreSummary, RestoreView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn failure(e: crate::restore::RestoreError) -> Failure {
    let api = crate::rest::restore_api_error(&e);
    Failure::new(api.code, api.message)
}

#[cfg(feature = "ssr")]
async fn fresh_set(
    console: &crate::state::Console,
    backup_id: i64,
) -> Result<Option<crate::domain::BackupSetRow>, Failure> {
    match crate::domain::BackupId::new(backup_id) {
        Some(id) => crate::history::fresh_set(console, id)
            .await
            .map_err(|e| Failure::new("journal_error", e.to_string())),
        None => Ok(None),
    }
}

/// The dry run of restoring a set: checks, steps, indices, snapshots, runbook.
#[server]
pub async fn get_restore_plan(backup_id: i64) -> Result<Option<RestorePlan>, Failure> {
    let console = super::overview::console()?;
    let Some(set) = fresh_set(&console, backup_id).await? else {
        return Ok(None);
    };
    console.restores.plan(&set).await.map(Some).map_err(failure)
}

/// Starts a restore once `confirm` is the cluster's name; returns the restore's id.
#[server]
pub async fn start_restore(backup_id: i64, confirm: String) -> Result<i64, Failure> {
    let console = super::overview::console()?;
    console
        .restores
        .check_confirm(Some(&confirm))
        .map_err(failure)?;
    let set = fresh_set(&console, backup_id).await?;
    let who = use_context::<axum::http::request::Parts>().map(|parts| {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        crate::rest::requester(peer, &parts.headers)
    });
    console
        .restores
        .start(backup_id, set, Some(&confirm), who)
        .await
        .map(|v| v.restore_id)
        .map_err(failure)
}

/// One restore as journaled.
#[server]
pub async fn get_restore(restore_id: i64) -> Result<Option<RestoreView>, Failure> {
    let console = super::overview::console()?;
    console
        .restores
        .get(restore_id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// Every restore, newest first.
#[server]
pub async fn list_restores() -> Result<Vec<RestoreSummary>, Failure> {
    let console = super::overview::console()?;
    console
        .restores
        .list()
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// The admin confirms a waiting operator step.
#[server]
pub async fn confirm_restore_step(restore_id: i64, key: String) -> Result<(), Failure> {
    let console = super::overview::console()?;
    console
        .restores
        .confirm(restore_id, &key)
        .await
        .map_err(failure)
}

/// Runs a failed restore again from its failed step.
#[server]
pub async fn retry_restore(restore_id: i64) -> Result<(), Failure> {
    let console = super::overview::console()?;
    console
        .restores
        .retry(restore_id)
        .await
        .map(|_| ())
        .map_err(failure)
}

/// Cancels a restore before its first destructive step.
#[server]
pub async fn cancel_restore(restore_id: i64) -> Result<(), Failure> {
    let console = super::overview::console()?;
    console.restores.cancel(restore_id).await.map_err(failure)
}

/// On the embedded simulator only: performs an operator step the way an operator would on a
/// real cluster (stop or start the components; clear every broker's data directory and run
/// the restore application on it). Refused for a real cluster.
#[server]
pub async fn simulate_operator_step(restore_id: i64, key: String) -> Result<Vec<String>, Failure> {
    let console = super::overview::console()?;
    let Some(sim) = console.simulator.clone() else {
        return Err(Failure::new(
            "not_simulated",
            "Only the embedded simulator can be operated from the console; on a real cluster, run the commands shown.",
        ));
    };
    let view = console
        .restores
        .get(restore_id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))?
        .ok_or_else(|| Failure::new("not_found", format!("No restore with id {restore_id}")))?;
    crate::restore::simulate::operator_step(&sim, &view, &key)
        .await
        .map_err(|e| Failure::new("simulator", e))
}
