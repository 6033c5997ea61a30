//! The server state shared by REST handlers, server functions and background tasks.

use crate::camunda::CamundaClients;
use crate::config::{ClusterSettings, Settings};
use crate::domain::ConsoleInfo;
use crate::engine::BackupEngine;
use crate::overview::OverviewCache;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Everything the console knows at run time about its cluster.
pub struct Console {
    pub settings: Settings,
    pub cluster: ClusterSettings,
    pub info: ConsoleInfo,
    pub clients: CamundaClients,
    pub overview: OverviewCache,
    pub engine: BackupEngine,
    /// The components' backup lists and the repository's snapshots, refreshed in the background.
    pub history: crate::history::HistoryCache,
    /// Guided restores.
    pub restores: crate::restore::RestoreEngine,
    /// Sign-in, sessions and API tokens (the audit log lives in the same store).
    pub auth: crate::auth::Auth,
    /// The embedded simulator's controls, when the console runs against it (never for a real
    /// cluster): the restore wizard can do the operator's steps there.
    pub simulator: Option<camunda_sim::SimControl>,
    /// Flips to `true` when the process is about to exit: open SSE streams end then, so the
    /// HTTP server's graceful shutdown does not wait for them.
    pub closing: tokio::sync::watch::Sender<bool>,
    /// Live event streams open per caller.
    pub streams: StreamCounts,
    /// The clock of the scheduler, retention and alerts.
    pub clock: crate::clock::SharedClock,
    /// Backup schedules.
    pub scheduler: crate::scheduler::Scheduler,
    /// The retention policy, pins and passes.
    pub retention: crate::retention::Retention,
    /// Webhooks and their deliveries.
    pub alerts: crate::alerts::Alerts,
    /// Whether this replica leads (and who does).
    pub replica: crate::replica::Replica,
}

/// Open live streams per caller, bounded.
#[derive(Clone, Default)]
pub struct StreamCounts {
    open: Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>,
}

impl StreamCounts {
    /// One more stream for `key`, unless it holds `limit` already.
    pub fn take(&self, key: String, limit: usize) -> Option<StreamSlot> {
        let mut open = crate::engine::locked(&self.open);
        let n = open.entry(key.clone()).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            counts: self.clone(),
            key,
        })
    }

    /// Streams open for `key` now.
    pub fn open(&self, key: &str) -> usize {
        crate::engine::locked(&self.open)
            .get(key)
            .copied()
            .unwrap_or(0)
    }
}

/// One open stream; gives its place back when dropped.
pub struct StreamSlot {
    counts: StreamCounts,
    key: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = crate::engine::locked(&self.counts.open);
        if let Some(n) = open.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl Console {
    /// What the history's operations need of the console.
    pub fn history_services(&self) -> crate::history::Services<'_> {
        crate::history::Services {
            cache: &self.history,
            engine: &self.engine,
            clients: &self.clients,
            cluster: &self.cluster,
            rpo_objective_hours: self.settings.rpo_objective_hours,
        }
    }

    /// The banner's data, with the watchdog's current alert.
    pub fn console_info(&self) -> ConsoleInfo {
        let lead = self.replica.state();
        ConsoleInfo {
            alert: self.engine.alert(),
            replica: Some(crate::domain::ReplicaInfo {
                id: self.replica.id().to_owned(),
                leader: lead.leader,
                leader_id: lead.leader_id,
                leader_since: lead.leader_since,
            }),
            ..self.info.clone()
        }
    }
}

/// Axum state: Leptos options plus the console.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub console: Arc<Console>,
}
