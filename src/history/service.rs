//! The history as the pages and the API ask for it: the kept rows (journal and cluster reads
//! merged), paged, with words when a source's data is not fresh.

use super::Services;
use super::{page, HistoryQuery};
use crate::domain::{BackupId, BackupSetRow, HistoryPage};
use crate::store::StoreError;

/// One page of the history.
pub async fn history_page(
    console: &Services<'_>,
    q: &HistoryQuery,
) -> Result<HistoryPage, StoreError> {
    let view = console.cache.view(console.engine.store()).await?;
    let reads = &view.cluster;
    let mut page = page(&view.rows, q, console.rpo_objective_hours);
    for item in &mut page.items {
        console.cache.sizes.apply(item);
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
    console: &Services<'_>,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    let view = console.cache.view(console.engine.store()).await?;
    Ok(view.row(id.get()).map(|r| BackupSetRow::clone(r)))
}

/// The row of one backup id for its detail page: with the sizes of its snapshots, read from
/// Elasticsearch now if not known yet.
pub async fn history_set_sized(
    console: &Services<'_>,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    let Some(mut row) = history_set(console, id).await? else {
        return Ok(None);
    };
    let sizes = &console.cache.sizes;
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

/// The row of one backup id read from the cluster now, and only that set: Zeebe's backup `id`,
/// each web app's backup `id`, and the repository's snapshots named for `id` — not every list
/// and every snapshot (a store may bill each listing, and anyone signed in may ask for a
/// restore plan). The version profile is the last refresh's.
#[tracing::instrument(skip_all, fields(backup_id = %id))]
pub async fn set_read_now(
    console: &Services<'_>,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    use super::sources::{ClusterReads, Read};
    let last = console.cache.reads();
    let spec = crate::profile::profile(last.profile);
    let clients = console.clients.for_profile(spec);
    let n = id.get();
    let apps: Vec<(crate::domain::PartKey, &crate::camunda::WebAppClient)> = clients
        .webapp_clients()
        .into_iter()
        .filter_map(|c| Some((super::profile::part_of_component(c.component())?, c)))
        .collect();
    let mut patterns: Vec<String> = crate::profile::PROFILES
        .iter()
        .flat_map(|p| {
            p.snapshot_prefixes
                .iter()
                .map(|(_, prefix)| format!("{prefix}{n}_*"))
        })
        .collect();
    // A wildcard: a missing name would be a 404; other ids it matches are left out by name.
    patterns.push(format!("{}{n}*", spec.records_snapshot));
    patterns.sort();
    patterns.dedup();
    let repo = &console.cluster.snapshot_repository;
    let names = patterns.join(",");
    let (zeebe, webapps, snapshots) = futures::join!(
        clients.zeebe.backup(n),
        futures::future::join_all(
            apps.iter()
                .map(|(k, c)| async move { (*k, c.backup(n).await) })
        ),
        clients.elasticsearch.snapshots(repo, &names),
    );
    let now = crate::engine::now();
    fn read<T>(result: Result<Vec<T>, crate::camunda::ClientError>, now: &str) -> Read<Vec<T>> {
        match result {
            Ok(v) => Read {
                value: Some(v),
                fresh: true,
                at: Some(now.to_owned()),
                error: None,
            },
            Err(e) => Read {
                value: None,
                fresh: false,
                at: None,
                error: Some(e.to_string()),
            },
        }
    }
    let reads = ClusterReads {
        profile: last.profile,
        zeebe: read(zeebe.map(|b| b.into_iter().collect()), &now),
        webapps: webapps
            .into_iter()
            .map(|(k, r)| (k, read(r.map(|b| b.into_iter().collect()), &now)))
            .collect(),
        snapshots: read(snapshots, &now),
        runtime: last.runtime.clone(),
        refreshed_at: Some(now.clone()),
    };
    let profile = super::HistoryProfile::for_reads(&reads);
    let index = super::ClusterIndex::new(&reads, &profile);
    let runs = console.engine.store().brief_map().await?;
    let mut row = super::merge_row(n, &reads, &index, runs.get(&n), &profile);
    if let Some(r) = row.as_mut() {
        console.cache.sizes.apply(r);
    }
    Ok(row)
}

/// The row of one backup id judged on fresh data: the components' lists are read again first
/// (the cached ones may be a refresh interval old). For decisions that change the cluster:
/// deleting a set, planning or starting a restore.
pub async fn fresh_set(
    console: &Services<'_>,
    id: BackupId,
) -> Result<Option<BackupSetRow>, StoreError> {
    console
        .cache
        .refresh(console.clients, console.cluster, console.engine.store())
        .await;
    history_set(console, id).await
}
