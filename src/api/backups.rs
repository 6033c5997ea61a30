//! Server functions of the backup pages, over the same engine as the REST API.

use crate::domain::{Failure, RunSummary, RunView, StepKey};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn failure(e: crate::rest::ApiError) -> Failure {
    Failure::new(e.code, e.message)
}

/// Starts a backup; `backup_id` empty = the next id. Returns the id of the new run.
#[server]
pub async fn start_backup(backup_id: Option<i64>) -> Result<i64, Failure> {
    let console = super::overview::console()?;
    let id = console
        .engine
        .start_backup(crate::domain::StartBackupRequest { backup_id })
        .await
        .map_err(|e| failure(crate::rest::start_error(e)))?;
    Ok(id.get())
}

/// Asks the running backup to stop at the next step boundary.
#[server]
pub async fn cancel_backup(backup_id: i64) -> Result<(), Failure> {
    let console = super::overview::console()?;
    let id = crate::domain::BackupId::new(backup_id)
        .ok_or_else(|| Failure::new("invalid_backup_id", "A backup id is a positive integer."))?;
    console
        .engine
        .cancel(id)
        .await
        .map_err(|e| Failure::new("cancel_refused", e.to_string()))
}

/// One run, as journaled.
#[server]
pub async fn get_run(backup_id: i64) -> Result<Option<RunView>, Failure> {
    let console = super::overview::console()?;
    let Some(id) = crate::domain::BackupId::new(backup_id) else {
        return Ok(None);
    };
    console
        .engine
        .run(id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// The backup history, newest first, and the plan a new backup would follow.
#[server]
pub async fn get_backups() -> Result<(Vec<RunSummary>, Vec<StepKey>, Option<i64>), Failure> {
    let console = super::overview::console()?;
    let runs = console
        .engine
        .runs()
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))?;
    Ok((
        runs.iter().map(RunSummary::from).collect(),
        console.engine.plan(),
        console.engine.active_run().map(|id| id.get()),
    ))
}
