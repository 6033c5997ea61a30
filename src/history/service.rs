//! The history as the pages and the API ask for it: the journal (read now) merged with the
//! cached cluster reads, paged, with words when a source's data is not fresh.

use super::{merge, page, HistoryProfile, HistoryQuery, Sources};
use crate::domain::{BackupId, BackupSetRow, HistoryPage};
use crate::state::Console;
use crate::store::StoreError;

/// Every row, newest first.
#[tracing::instrument(skip_all)]
async fn rows(console: &Console) -> Result<(Vec<BackupSetRow>, super::ClusterReads), StoreError> {
    let runs = console.engine.runs().await?;
    let reads = console.history.reads().await;
    let sources = Sources {
        runs,
        zeebe: reads.zeebe.clone(),
        webapps: reads.webapps.clone(),
        snapshots: reads.snapshots.clone(),
    };
    Ok((merge(&sources, &HistoryProfile::legacy()), reads))
}

/// One page of the history.
pub async fn history_page(console: &Console, q: &HistoryQuery) -> Result<HistoryPage, StoreError> {
    let (rows, reads) = rows(console).await?;
    let mut page = page(rows, q, console.settings.rpo_objective_hours);
    page.components_read_at = reads.refreshed_at.clone();
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
    let (rows, _) = rows(console).await?;
    Ok(rows.into_iter().find(|r| r.backup_id == id))
}
