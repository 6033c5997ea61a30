//! Server functions of the backup pages, over the same engine as the REST API.

use crate::domain::{
    BackupSetRow, DeletionOutcome, DeletionProgress, Failure, HistoryPage, RunView, StepKey,
};
use leptos::prelude::*;

/// Starts a backup; `backup_id` empty = the next id. Returns the id of the new run.
#[server(client = crate::api::CsrfClient)]
pub async fn start_backup(backup_id: Option<i64>) -> Result<i64, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    let id = crate::actions::start_backup(
        &console,
        &caller,
        crate::domain::StartBackupRequest { backup_id },
    )
    .await?;
    Ok(id.get())
}

/// Asks the running backup to stop at the next step boundary.
#[server(client = crate::api::CsrfClient)]
pub async fn cancel_backup(backup_id: i64) -> Result<(), Failure> {
    let console = super::console()?;
    let id = crate::domain::BackupId::new(backup_id)
        .ok_or_else(|| Failure::new("invalid_backup_id", "A backup id is a positive integer."))?;
    let caller = super::caller()?;
    Ok(crate::actions::cancel_backup(&console, &caller, id).await?)
}

/// One run, as journaled.
#[server(client = crate::api::CsrfClient)]
pub async fn get_run(backup_id: i64) -> Result<Option<RunView>, Failure> {
    let console = super::console()?;
    let Some(id) = crate::domain::BackupId::new(backup_id) else {
        return Ok(None);
    };
    console
        .engine
        .run(id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}

/// The backup history (one row per set, newest first; `cursor` for older pages, `verdict` to
/// filter), the plan a new backup would follow, and the running backup's id.
#[server(client = crate::api::CsrfClient)]
pub async fn get_backups(
    cursor: Option<String>,
    verdict: Option<String>,
) -> Result<(HistoryPage, Vec<StepKey>, Option<i64>), Failure> {
    let console = super::console()?;
    let query = crate::history::HistoryQuery::parse(
        None,
        cursor.as_deref(),
        verdict.as_deref(),
        None,
        None,
    )
    .map_err(|e| Failure::new("invalid_query", e.to_string()))?;
    let page = crate::history::history_page(&console.history_services(), &query)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))?;
    // The plan of the profile the overview last detected (8.2–8.7 before the first probe).
    let profile = console
        .overview
        .get()
        .await
        .and_then(|o| o.profile)
        .map(|p| p.id)
        .unwrap_or_default();
    Ok((
        page,
        console.engine.plan(profile),
        console.engine.active_run().map(|id| id.get()),
    ))
}

/// Deletes every part of a set. `confirm` must repeat the id (the page asks the admin to type
/// it); `force` is needed for the newest restorable set.
#[server(client = crate::api::CsrfClient)]
pub async fn delete_set(
    backup_id: i64,
    confirm: String,
    force: bool,
) -> Result<DeletionOutcome, Failure> {
    let console = super::console()?;
    let id = crate::domain::BackupId::new(backup_id)
        .ok_or_else(|| Failure::new("invalid_backup_id", "A backup id is a positive integer."))?;
    if confirm.trim() != backup_id.to_string() {
        return Err(Failure::new(
            "not_confirmed",
            format!("Type the backup id {backup_id} to confirm the deletion."),
        ));
    }
    let caller = super::caller()?;
    Ok(crate::actions::delete_set(&console, &caller, id, force).await?)
}

/// The latest deletion of a set: each part's progress while it runs.
#[server(client = crate::api::CsrfClient)]
pub async fn get_deletion(backup_id: i64) -> Result<Option<DeletionProgress>, Failure> {
    let console = super::console()?;
    Ok(crate::domain::BackupId::new(backup_id).and_then(|id| console.history.deletions.get(id)))
}

/// One backup set as the cluster holds it (for the detail page).
#[server(client = crate::api::CsrfClient)]
pub async fn get_set(backup_id: i64) -> Result<Option<BackupSetRow>, Failure> {
    let console = super::console()?;
    let Some(id) = crate::domain::BackupId::new(backup_id) else {
        return Ok(None);
    };
    crate::history::history_set_sized(&console.history_services(), id)
        .await
        .map_err(|e| Failure::new("journal_error", e.to_string()))
}
