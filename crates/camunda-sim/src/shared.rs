//! State shared by every listener, background job and control handle.

use std::future::Future;
use std::sync::Mutex;

use tokio::task::AbortHandle;

use crate::auth::AuthConfig;
use crate::calls::CallLog;
use crate::component::Listener;
use crate::config::{ExportingResponse, LatencyConfig, SimConfig, WebappErrors};
use crate::faults::{lock, FaultSet};
use crate::persist::Persist;
use crate::server::Servers;
use crate::state::SimState;
use crate::tls::TlsPems;

/// Settings that can change while running (`PUT /admin/config`, `PUT /admin/latency`,
/// `PUT /admin/auth`).
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub exporting_response: ExportingResponse,
    pub webapp_errors: WebappErrors,
    pub latency: LatencyConfig,
    pub auth: AuthConfig,
    /// See [`crate::ElasticsearchConfig::running_apps_recreate_indices`].
    pub running_apps_recreate_indices: bool,
}

/// Everything the simulator shares.
pub(crate) struct Shared {
    pub config: SimConfig,
    pub settings: Mutex<Settings>,
    pub state: Mutex<SimState>,
    pub faults: FaultSet,
    pub calls: CallLog,
    pub servers: Servers,
    pub tasks: Mutex<Vec<AbortHandle>>,
    pub persist: Option<Persist>,
    /// CA and client certificate when `[tls]` is enabled.
    pub tls: Option<TlsPems>,
}

impl Shared {
    /// Current runtime settings.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Runs background work that is aborted at shutdown.
    pub fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(fut).abort_handle();
        let mut tasks = lock(&self.tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }

    /// Aborts every background job.
    pub fn abort_tasks(&self) {
        for t in lock(&self.tasks).drain(..) {
            t.abort();
        }
    }

    /// Persists Zeebe state (call with the state lock held, passing the state).
    pub fn save_zeebe(&self, st: &SimState) {
        if let Some(p) = &self.persist {
            p.save_zeebe(&st.zeebe);
        }
    }

    /// Persists ES state.
    pub fn save_es(&self, st: &SimState) {
        if let Some(p) = &self.persist {
            p.save_es(&st.es);
        }
    }

    /// Whether Elasticsearch is reachable.
    pub fn es_up(&self) -> bool {
        self.servers.is_running(Listener::Elasticsearch)
    }

    /// Whether broker `i` is up.
    pub fn broker_up(&self, i: usize) -> bool {
        self.servers.is_running(Listener::Broker(i))
    }

    /// Leader broker of partition `p` (1-based).
    pub fn leader(&self, p: u32) -> u32 {
        self.config.leader(p)
    }

    /// Brokers hosting partition `p` (leader first).
    pub fn replicas(&self, p: u32) -> Vec<u32> {
        self.config.replicas(p)
    }
}
