//! The history as the pages and the API ask for it: the kept rows (journal and cluster reads
//! merged), paged, with words when a source's data is not fresh.

use super::{page, HistoryQuery};
use crate::domain::{BackupId, BackupSetRow, HistoryPage};
use crate::state::Console;
use crate::store::StoreError;

/// One page of the history.
pub async fn history_page(console: &Console, q: &HistoryQuery) -> Result<HistoryPage, StoreError> {
    let view = console.history.view(console.engine.store()).await?;
    let reads = &view.cluster;
    let mut page = page(&view.rows, q, console.settings.rpo_objective_hours);
    for item in &mut page.items {
        console.history.sizes.apply(item);
    }
    page.components_read_at = reads.refreshed_at.clone();
    page.runtime = reads.runtime.clone();
    let mut away: Vec<String> = Vec::new();
    if !reads.zeebe.fresh {
        away.push(format!(
            "Zeebe ({})",
            reads.zeebe.error.as_deref().unwrap_or("no answer")
        ));
    }
    for (key, read) in &reads.webapps {
        if !read.fresh {
            away.push(format!(
                "{} ({})",
                key.label(),
                read.error.as_deref().unwrap_or("no answer")
            ));
        }
    }
    if !reads.snapshots.fresh {
        away.push(format!(
            "Elasticsearch ({})",
            reads.snapshots.error.as_deref().unwrap_or("no answer")
        ));
    }
    if !away.is_empty() {
        page.stale = Some(format!(
            "Not read at the last refresh: {}. Their cells show UNKNOWN with the last known state.",
            away.join("; ")
        ));
    }
    Ok(page)
}

/// The row of one backup id, if any source knows it.
pub async fn history_set(
    console: &Console,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    let view = console.history.view(console.engine.store()).await?;
    Ok(view.row(id.get()).map(|r| BackupSetRow::clone(r)))
}

/// The row of one backup id for its detail page: with the sizes of its snapshots, read from
/// Elasticsearch now if not known yet.
pub async fn history_set_sized(
    console: &Console,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    let Some(mut row) = history_set(console, id).await? else {
        return Ok(None);
    };
    let sizes = &console.history.sizes;
    sizes
        .read_missing(
            &console.clients.elasticsearch,
            &console.cluster.snapshot_repository,
            console.engine.store(),
            [&row],
            2,
        )
        .await;
    sizes.apply(&mut row);
    Ok(Some(row))
}

/// The row of one backup id judged on fresh data: the components' lists are read again first
/// (the cached ones may be a refresh interval old). For decisions that change the cluster:
/// deleting a set, planning or starting a restore.
pub async fn fresh_set(
    console: &Console,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    console
        .history
        .refresh(&console.clients, &console.cluster, console.engine.store())
        .await;
    history_set(console, id).await
}
