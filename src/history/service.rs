//! The history as the pages and the API ask for it: the journal (read now) merged with the
//! cached cluster reads, paged, with words when a source's data is not fresh.

use super::{merge, page, HistoryProfile, HistoryQuery, Sources};
use crate::domain::{BackupId, BackupSetRow, HistoryPage};
use crate::state::Console;
use crate::store::StoreError;
use std::sync::Arc;

/// Every row, newest first: merged again only when the journal was written or the cluster
/// was read since the last time (a page of 10 000 sets then only filters and cuts).
#[tracing::instrument(skip_all)]
async fn rows(
    console: &Console,
) -> Result<(Arc<Vec<BackupSetRow>>, Arc<super::ClusterReads>), StoreError> {
    let cluster = console.history.reads().await;
    let store = console.engine.store();
    // Read before the journal: a write in between only makes the memo miss next time.
    let version = store.version();
    if let Some(rows) = console.history.merged(version, &cluster) {
        return Ok((rows, cluster));
    }
    let sources = Sources {
        runs: store.briefs().await?,
        cluster,
    };
    let rows = Arc::new(merge(&sources, &HistoryProfile::legacy()));
    console
        .history
        .remember(version, sources.cluster.clone(), rows.clone());
    Ok((rows, sources.cluster))
}

/// One page of the history.
pub async fn history_page(console: &Console, q: &HistoryQuery) -> Result<HistoryPage, StoreError> {
    let (rows, reads) = rows(console).await?;
    let mut page = page(&rows, q, console.settings.rpo_objective_hours);
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
    Ok(rows.iter().find(|r| r.backup_id == id).cloned())
}
