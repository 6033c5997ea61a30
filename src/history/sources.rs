//! The history's sources: the journal (read per request, it is local) and the cluster's lists —
//! Zeebe's backups, each web app's backups, every snapshot in the repository — read together in
//! the background and cached, so a page never waits on a slow component. A source that fails
//! keeps its last good answer, marked stale, so its cells say `UNKNOWN` with the last known state
//! instead of `MISSING`.

use crate::camunda::types::{BackupInfo, SnapshotInfo, WebAppBackup};
use crate::camunda::{CamundaClients, WebAppClient};
use crate::domain::PartKey;
use crate::store::RunBrief;
use std::sync::Arc;
use tokio::sync::RwLock;

/// One source's latest read.
#[derive(Clone, Debug)]
pub struct Read<T> {
    /// The last good answer (possibly from an earlier read).
    pub value: Option<T>,
    /// Whether the latest read succeeded.
    pub fresh: bool,
    /// When `value` was read (RFC 3339).
    pub at: Option<String>,
    /// Why the latest read failed.
    pub error: Option<String>,
}

impl<T> Default for Read<T> {
    fn default() -> Self {
        Self {
            value: None,
            fresh: false,
            at: None,
            error: Some("not read yet".into()),
        }
    }
}

impl<T> Read<T> {
    /// The next read: the new value, or the old one marked stale with the error.
    fn next<E: std::fmt::Display>(self, result: Result<T, E>, now: &str) -> Self {
        match result {
            Ok(value) => Self {
                value: Some(value),
                fresh: true,
                at: Some(now.to_owned()),
                error: None,
            },
            Err(e) => Self {
                fresh: false,
                error: Some(e.to_string()),
                ..self
            },
        }
    }
}

/// Everything the merge needs: the journal's runs and the cluster's reads (shared, not copied).
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub runs: Vec<RunBrief>,
    pub cluster: Arc<ClusterReads>,
}

/// The cluster's lists, as last read.
#[derive(Clone, Debug, Default)]
pub struct ClusterReads {
    pub zeebe: Read<Vec<BackupInfo>>,
    pub webapps: Vec<(PartKey, Read<Vec<WebAppBackup>>)>,
    pub snapshots: Read<Vec<SnapshotInfo>>,
    /// When the last refresh finished.
    pub refreshed_at: Option<String>,
}

/// The cached cluster reads, shared by the refresher and the pages.
#[derive(Clone, Default)]
pub struct HistoryCache {
    reads: Arc<RwLock<Arc<ClusterReads>>>,
    wake: Arc<tokio::sync::Notify>,
    merged: Arc<std::sync::Mutex<Option<Merged>>>,
    /// One refresh at a time: an older read must never publish over a newer one.
    refreshing: Arc<tokio::sync::Mutex<()>>,
}

/// The rows merged from one journal version and one set of cluster reads.
struct Merged {
    journal_version: u64,
    cluster: Arc<ClusterReads>,
    rows: Arc<Vec<crate::domain::BackupSetRow>>,
}

impl HistoryCache {
    /// The latest reads (a cheap handle: pages do not copy thousands of backups).
    pub async fn reads(&self) -> Arc<ClusterReads> {
        self.reads.read().await.clone()
    }

    /// The rows merged earlier from exactly this journal version and these reads, if any.
    pub fn merged(
        &self,
        journal_version: u64,
        cluster: &Arc<ClusterReads>,
    ) -> Option<Arc<Vec<crate::domain::BackupSetRow>>> {
        let memo = self
            .merged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        memo.as_ref()
            .filter(|m| m.journal_version == journal_version && Arc::ptr_eq(&m.cluster, cluster))
            .map(|m| m.rows.clone())
    }

    /// Keeps `rows` for later pages of the same journal version and reads.
    pub fn remember(
        &self,
        journal_version: u64,
        cluster: Arc<ClusterReads>,
        rows: Arc<Vec<crate::domain::BackupSetRow>>,
    ) {
        *self
            .merged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Merged {
            journal_version,
            cluster,
            rows,
        });
    }

    /// Asks the refresher to read again now (after a run ended or a set was deleted).
    pub fn refresh_soon(&self) {
        self.wake.notify_one();
    }

    /// Reads every source once, concurrently, and stores the result.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, clients: &CamundaClients, repository: &str) {
        let _one_at_a_time = self.refreshing.lock().await;
        let mut apps: Vec<(PartKey, &WebAppClient)> = vec![
            (PartKey::Operate, &clients.operate),
            (PartKey::Tasklist, &clients.tasklist),
        ];
        if let Some(o) = &clients.optimize {
            apps.push((PartKey::Optimize, o));
        }
        let (zeebe, webapps, snapshots) = futures::join!(
            clients.zeebe.list_backups(),
            futures::future::join_all(
                apps.iter()
                    .map(|(k, c)| async move { (*k, c.list_backups().await) })
            ),
            clients.elasticsearch.snapshots(repository, "_all"),
        );
        let now = crate::engine::now();
        let mut shared = self.reads.write().await;
        let old = ClusterReads::clone(&shared);
        let mut old_apps = old.webapps;
        let mut reads = ClusterReads {
            zeebe: old.zeebe.next(zeebe, &now),
            snapshots: old.snapshots.next(snapshots, &now),
            webapps: Vec::new(),
            refreshed_at: None,
        };
        reads.webapps = webapps
            .into_iter()
            .map(|(key, result)| {
                let before = old_apps
                    .iter()
                    .position(|(k, _)| *k == key)
                    .map(|i| old_apps.swap_remove(i).1)
                    .unwrap_or_default();
                (key, before.next(result, &now))
            })
            .collect();
        reads.refreshed_at = Some(now);
        *shared = Arc::new(reads);
    }

    /// Refreshes every `every`, or sooner when asked.
    pub fn spawn_refresher(
        &self,
        clients: CamundaClients,
        repository: String,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                cache.refresh(&clients, &repository).await;
                let _ = tokio::time::timeout(every, cache.wake.notified()).await;
            }
        })
    }
}
