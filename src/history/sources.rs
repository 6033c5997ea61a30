//! The history's sources: the journal's runs (kept in memory by the store) and the cluster's
//! lists — Zeebe's backups, each web app's backups, every snapshot in the repository — read
//! together in the background and cached with the rows merged from them (`view`), so a page
//! never waits on a slow component nor on a full merge. A source that fails
//! keeps its last good answer, marked stale, so its cells say `UNKNOWN` with the last known state
//! instead of `MISSING`.

use super::profile::{part_of_component, HistoryProfile};
use super::sizes::SnapshotSizes;
use super::view::View;
use crate::camunda::types::{BackupInfo, SnapshotInfo, WebAppBackup};
use crate::camunda::{CamundaClients, WebAppClient};
use crate::config::ClusterSettings;
use crate::domain::{PartKey, ProfileId};
use crate::engine::locked;
use crate::store::{RunBrief, Store, StoreError};
use std::sync::{Arc, Mutex};

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
    /// The version profile the lists were read in (its paths and snapshot names).
    pub profile: ProfileId,
    pub zeebe: Read<Vec<BackupInfo>>,
    pub webapps: Vec<(PartKey, Read<Vec<WebAppBackup>>)>,
    pub snapshots: Read<Vec<SnapshotInfo>>,
    /// 8.9+: Zeebe's own backup state (checkpoints, ranges, gaps), when the profile has it.
    pub runtime: Option<crate::domain::RuntimeCoverage>,
    /// When the last refresh finished.
    pub refreshed_at: Option<String>,
}

/// The cached cluster reads and the rows merged from them, shared by the refresher and the
/// pages.
#[derive(Clone, Default)]
pub struct HistoryCache {
    reads: Arc<Mutex<Arc<ClusterReads>>>,
    wake: Arc<tokio::sync::Notify>,
    view: Arc<Mutex<Option<View>>>,
    /// One refresh at a time: an older read must never publish over a newer one.
    refreshing: Arc<tokio::sync::Mutex<()>>,
    /// Snapshot sizes read so far.
    pub sizes: SnapshotSizes,
    /// Set deletions under way.
    pub deletions: super::progress::Deletions,
}

/// Sets whose snapshots the refresher sizes: the first page, which the chart draws.
const SIZED_SETS: usize = 50;
/// `_status` requests per refresh for sizing (20 snapshots each).
const SIZING_REQUESTS: usize = 3;

impl HistoryCache {
    /// The latest reads (a cheap handle: pages do not copy thousands of backups).
    pub fn reads(&self) -> Arc<ClusterReads> {
        locked(&self.reads).clone()
    }

    /// The rows of the latest reads and the journal as it is now. Usually the kept view as is;
    /// after the journal's runs changed, that view patched (one row per changed run); a full
    /// merge only when no view of the latest reads exists yet (the refresher builds one with
    /// every read, off the request path).
    #[tracing::instrument(skip_all)]
    pub async fn view(&self, store: &Store) -> Result<View, StoreError> {
        let cluster = self.reads();
        let profile = HistoryProfile::for_reads(&cluster);
        // Several replicas: the runs another one wrote (a no-op on SQLite, and for a leader).
        store.sync_briefs().await?;
        // Read the version before the runs: a write in between only makes the next call patch.
        let version = store.brief_version();
        let kept = locked(&self.view)
            .clone()
            .filter(|v| Arc::ptr_eq(&v.cluster, &cluster));
        let view = match kept {
            Some(v) if v.brief_version == version => return Ok(v),
            Some(v) => v.with_runs(store.brief_map().await?, version, &profile),
            None => View::build(cluster, store.brief_map().await?, version, &profile),
        };
        self.keep(view.clone());
        Ok(view)
    }

    /// Keeps `view` unless a view of newer reads or a newer journal is already kept.
    fn keep(&self, view: View) {
        let current = self.reads();
        let mut kept = locked(&self.view);
        let newer_kept = kept.as_ref().is_some_and(|k| {
            Arc::ptr_eq(&k.cluster, &current)
                && (!Arc::ptr_eq(&view.cluster, &current) || k.brief_version > view.brief_version)
        });
        if !newer_kept {
            *kept = Some(view);
        }
    }

    /// Asks the refresher to read again now (after a run ended or a set was deleted).
    pub fn refresh_soon(&self) {
        self.wake.notify_one();
    }

    /// Reads every source once, concurrently, and stores the result.
    #[tracing::instrument(skip_all)]
    pub async fn refresh(
        &self,
        clients: &CamundaClients,
        cluster: &ClusterSettings,
        store: &Store,
    ) {
        let _one_at_a_time = self.refreshing.lock().await;
        let repository = cluster.snapshot_repository.as_str();
        // The lists of the profile the cluster runs now (8.8+: `backupRuntime`, `backupHistory`).
        let (_, detected) =
            crate::profile::of_gateway(clients, cluster.camunda_version.as_deref()).await;
        // A gateway that does not answer says no version: keep the profile of the last reads
        // rather than read (and name) the parts of another generation during a blip.
        let profile_id = if detected.source == "assumed" && self.reads().refreshed_at.is_some() {
            self.reads().profile
        } else {
            detected.id
        };
        let clients = &clients.for_profile(crate::profile::profile(profile_id));
        let apps: Vec<(PartKey, &WebAppClient)> = clients
            .webapp_clients()
            .into_iter()
            .filter_map(|c| Some((part_of_component(c.component())?, c)))
            .collect();
        let spec = crate::profile::profile(profile_id);
        let runtime = async {
            if spec.runtime_state {
                clients.zeebe.runtime_state().await
            } else {
                Ok(None)
            }
        };
        let (zeebe, webapps, snapshots, runtime) = futures::join!(
            clients.zeebe.list_backups(),
            futures::future::join_all(
                apps.iter()
                    .map(|(k, c)| async move { (*k, c.list_backups().await) })
            ),
            clients.elasticsearch.snapshots(repository, "_all"),
            runtime,
        );
        let now = crate::engine::now();
        let old = ClusterReads::clone(&self.reads());
        let runtime = match runtime {
            Ok(state) => state.map(|s| super::runtime::coverage(&s, Some(now.clone()))),
            Err(e) => {
                tracing::warn!(error = %e, "could not read Zeebe's backup state");
                old.runtime.clone()
            }
        };
        let mut old_apps = old.webapps;
        let mut reads = ClusterReads {
            profile: profile_id,
            zeebe: old.zeebe.next(zeebe, &now),
            snapshots: old.snapshots.next(snapshots, &now),
            runtime,
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
        self.publish(reads, store).await;
        let newest: Vec<Arc<crate::domain::BackupSetRow>> = locked(&self.view)
            .as_ref()
            .map(|v| v.rows.iter().take(SIZED_SETS).cloned().collect())
            .unwrap_or_default();
        self.sizes
            .read_missing(
                &clients.elasticsearch,
                repository,
                store,
                newest.iter().map(|r| &**r),
                SIZING_REQUESTS,
            )
            .await;
    }

    /// Makes `reads` the latest, with their rows merged first (off the request path), so a
    /// page never pays for the full merge of a new read. The refresher's last step; public for
    /// benchmarks that bring their own reads.
    pub async fn publish(&self, reads: ClusterReads, store: &Store) {
        let reads = Arc::new(reads);
        let version = store.brief_version();
        let view = match store.brief_map().await {
            Ok(runs) => {
                let cluster = reads.clone();
                tokio::task::spawn_blocking(move || {
                    let profile = HistoryProfile::for_reads(&cluster);
                    View::build(cluster, runs, version, &profile)
                })
                .await
                .ok()
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the journal's runs for the history");
                None
            }
        };
        *locked(&self.reads) = reads;
        if let Some(view) = view {
            self.keep(view);
        }
    }

    /// Refreshes every `every`, or sooner when asked.
    pub fn spawn_refresher(
        &self,
        clients: CamundaClients,
        cluster: ClusterSettings,
        store: Store,
        every: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                cache.refresh(&clients, &cluster, &store).await;
                let _ = tokio::time::timeout(every, cache.wake.notified()).await;
            }
        })
    }
}
