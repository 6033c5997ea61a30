//! Start-up, the running simulator handle and the in-process control API.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::AuthConfig;
use crate::calls::{CallLog, RecordedCall};
use crate::component::{Component, Listener};
use crate::config::{ExportingResponse, LatencyConfig, SimConfig, WebappErrors};
use crate::error::SimError;
use crate::faults::{lock, Fault, FaultSet};
use crate::persist::Persist;
use crate::server::Servers;
use crate::shared::{Settings, Shared};
use crate::state::zeebe::AgeError;
use crate::state::SimState;
use crate::tls::TlsSetup;
use crate::{http, lifecycle, seed};

mod brokers;
mod elasticsearch;

/// Base URLs (`http://127.0.0.1:PORT`, or `https://` with `[tls]` enabled; no trailing slash)
/// of every component. The admin API is always plain HTTP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUrls {
    /// Zeebe gateway management API.
    pub zeebe_gateway: String,
    /// Broker management APIs, by broker id.
    pub zeebe_brokers: Vec<String>,
    /// Operate management API.
    pub operate: String,
    /// Tasklist management API.
    pub tasklist: String,
    /// Optimize.
    pub optimize: String,
    /// Elasticsearch.
    pub elasticsearch: String,
    /// The orchestration cluster's REST API (`/v2`; its backup endpoints answer from 8.10).
    pub rest: String,
    /// Admin API.
    pub admin: String,
}

/// Cheap, cloneable handle to control a running simulator in-process.
#[derive(Clone)]
pub struct SimControl {
    shared: Arc<Shared>,
    urls: Arc<SimUrls>,
    admin: Arc<Servers>,
}

/// A running simulator.
pub struct RunningSimulator {
    control: SimControl,
}

fn url(scheme: &str, addr: SocketAddr) -> String {
    format!("{scheme}://{addr}")
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

fn initial_state(config: &SimConfig, persist: Option<&Persist>) -> Result<SimState, SimError> {
    let mut st = SimState::default();
    let mut es_loaded = false;
    if let Some(p) = persist {
        if let Some(z) = p.load_zeebe()? {
            st.zeebe = z;
        }
        p.load_pauses(&mut st.zeebe, config.partitions);
        if let Some(es) = p.load_es()? {
            st.es = es;
            es_loaded = true;
        }
    }
    if !es_loaded {
        seed::seed_es(config, &mut st.es);
    }
    // every broker starts with the simulator: an empty data directory gets empty partitions
    st.zeebe
        .ensure_brokers(config.brokers, |b| config.hosted_partitions(b));
    for b in 0..config.brokers {
        if st.zeebe.start_broker(b, &config.hosted_partitions(b)) {
            tracing::info!(broker = b, "broker started on an empty data directory");
        }
    }
    Ok(st)
}

/// Starts every component on 127.0.0.1 (port 0 = free port).
pub async fn start(config: SimConfig) -> Result<RunningSimulator, SimError> {
    config.validate()?;
    let persist = config.state_dir.as_deref().map(Persist::new).transpose()?;
    let state = initial_state(&config, persist.as_ref())?;
    let faults = FaultSet::default();
    for f in &config.faults {
        faults.add(f.clone());
    }
    let tls = if config.tls.enabled {
        Some(TlsSetup::generate(&config.tls)?)
    } else {
        None
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let settings = Settings {
        exporting_response: config.exporting_response,
        webapp_errors: config.webapp_errors,
        latency: config.latency.clone(),
        auth: config.auth.clone(),
        running_apps_recreate_indices: config.elasticsearch.running_apps_recreate_indices,
    };
    let shared = Arc::new(Shared {
        settings: Mutex::new(settings),
        state: Mutex::new(state),
        faults,
        calls: CallLog::default(),
        servers: Servers::new(tls.as_ref().map(|t| t.acceptor.clone())),
        tasks: Mutex::new(Vec::new()),
        persist,
        tls: tls.map(|t| t.pems),
        config,
    });
    {
        let st = lock(&shared.state);
        shared.save_es(&st);
        shared.save_zeebe(&st);
    }
    crate::http::zeebe::spawn_schedule(&shared);
    let ports = shared.config.ports.clone();
    let bind = |listener: Listener, port: u16| {
        let shared = shared.clone();
        async move {
            let router = http::router(shared.clone(), listener);
            shared.servers.add(listener, addr(port), router).await
        }
    };
    let zeebe = bind(Listener::Zeebe, ports.zeebe_gateway).await?;
    let mut brokers = Vec::new();
    for i in 0..shared.config.brokers as usize {
        let port = ports.brokers.get(i).copied().unwrap_or(0);
        brokers.push(url(scheme, bind(Listener::Broker(i), port).await?));
    }
    let operate = bind(Listener::Operate, ports.operate).await?;
    let tasklist = bind(Listener::Tasklist, ports.tasklist).await?;
    let optimize = bind(Listener::Optimize, ports.optimize).await?;
    let es = bind(Listener::Elasticsearch, ports.elasticsearch).await?;
    let rest = bind(Listener::Rest, ports.rest).await?;

    // the admin API binds last: its router needs the control handle (which needs the URLs)
    let admin_servers = Arc::new(Servers::default());
    let admin_err = |source| SimError::Bind {
        component: "admin".into(),
        addr: addr(ports.admin).to_string(),
        source,
    };
    let admin_listener = tokio::net::TcpListener::bind(addr(ports.admin))
        .await
        .map_err(admin_err)?;
    let admin_addr = admin_listener.local_addr().map_err(admin_err)?;
    let urls = SimUrls {
        zeebe_gateway: url(scheme, zeebe),
        zeebe_brokers: brokers,
        operate: url(scheme, operate),
        tasklist: url(scheme, tasklist),
        optimize: url(scheme, optimize),
        elasticsearch: url(scheme, es),
        rest: url(scheme, rest),
        admin: url("http", admin_addr),
    };
    let control = SimControl {
        shared,
        urls: Arc::new(urls),
        admin: admin_servers.clone(),
    };
    admin_servers.add_bound(
        Listener::Admin,
        admin_listener,
        http::admin::router(control.clone()),
    )?;
    tracing::info!(urls = ?control.urls(), "camunda simulator started");
    Ok(RunningSimulator { control })
}

impl RunningSimulator {
    /// Base URLs.
    pub fn urls(&self) -> &SimUrls {
        &self.control.urls
    }

    /// Control handle.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// PEM of the generated CA certificate (`None` without `[tls]`).
    pub fn ca_pem(&self) -> Option<String> {
        self.control.ca_pem()
    }

    /// PEM of a client certificate signed by the CA, for mutual TLS (`None` without `[tls]`).
    pub fn client_cert_pem(&self) -> Option<String> {
        self.control.client_cert_pem()
    }

    /// PKCS#8 PEM of the client certificate's key (`None` without `[tls]`).
    pub fn client_key_pem(&self) -> Option<String> {
        self.control.client_key_pem()
    }

    /// Stops every listener and background job.
    pub async fn shutdown(self) {
        let shared = &self.control.shared;
        shared.abort_tasks();
        shared.servers.stop_all().await;
        self.control.admin.stop_all().await;
        tracing::info!("camunda simulator stopped");
    }
}

impl SimControl {
    /// Base URLs.
    pub fn urls(&self) -> &SimUrls {
        &self.urls
    }

    /// Adds a fault.
    pub fn add_fault(&self, f: Fault) {
        self.add_fault_with_id(f);
    }

    /// Adds a fault and returns its id.
    pub fn add_fault_with_id(&self, f: Fault) -> u64 {
        tracing::info!(fault = ?f, "fault added");
        self.shared.faults.add(f)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Closes the component's listener(s): clients get connection refused.
    pub async fn stop_component(&self, c: Component) -> Result<(), SimError> {
        for l in c.listeners(self.shared.config.brokers as usize)? {
            self.shared.servers.stop(l).await;
        }
        Ok(())
    }

    /// Re-binds the component's listener(s) on the same port(s). A component that was stopped
    /// then does its start-up work: Operate, Tasklist and Optimize create their missing index
    /// templates and indices, a broker opens its data directory (an empty one: empty partitions)
    /// and Zeebe's exporter creates its `zeebe-record_*` templates.
    pub async fn start_component(&self, c: Component) -> Result<(), SimError> {
        for l in c.listeners(self.shared.config.brokers as usize)? {
            let was_running = self.shared.servers.is_running(l);
            self.shared.servers.start(l).await?;
            if !was_running {
                lifecycle::on_started(&self.shared, l);
            }
        }
        Ok(())
    }

    /// Every recorded call, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.calls.all()
    }

    /// Forgets recorded calls.
    pub fn clear_calls(&self) {
        self.shared.calls.clear();
    }

    /// Number of recorded calls to `component` (`zeebe`, `broker0`.., `broker` = any broker,
    /// `*` = any) and `operation` (see crate docs; `*` = any), rejected ones included.
    pub fn count_calls(&self, component: &str, operation: &str) -> usize {
        self.shared.calls.count(component, operation)
    }

    /// PEM of the generated CA certificate (`None` without `[tls]`).
    pub fn ca_pem(&self) -> Option<String> {
        self.shared.tls.as_ref().map(|t| t.ca_cert.clone())
    }

    /// PEM of a client certificate signed by the CA, for mutual TLS (`None` without `[tls]`).
    pub fn client_cert_pem(&self) -> Option<String> {
        self.shared.tls.as_ref().map(|t| t.client_cert.clone())
    }

    /// PKCS#8 PEM of the client certificate's key (`None` without `[tls]`).
    pub fn client_key_pem(&self) -> Option<String> {
        self.shared.tls.as_ref().map(|t| t.client_key.clone())
    }

    /// Replaces the credentials the component listeners demand.
    pub fn set_auth(&self, auth: AuthConfig) {
        lock(&self.shared.settings).auth = auth;
    }

    /// Moves `createdAt`/`lastUpdatedAt` of every partition entry of Zeebe backup `backup_id`
    /// back in time by `by` (e.g. to make a stuck `IN_PROGRESS` backup look old).
    pub fn age_zeebe_backup(&self, backup_id: i64, by: Duration) -> Result<(), SimError> {
        let delta = chrono::TimeDelta::from_std(by)
            .map_err(|e| SimError::InvalidArgument(format!("age {by:?}: {e}")))?;
        let id = u64::try_from(backup_id).map_err(|_| SimError::UnknownBackup(backup_id))?;
        let mut st = lock(&self.shared.state);
        st.zeebe.age_backup(id, delta).map_err(|e| match e {
            AgeError::Unknown => SimError::UnknownBackup(backup_id),
            AgeError::OutOfRange => {
                SimError::InvalidArgument(format!("age {by:?} is out of the time range"))
            }
        })?;
        self.shared.save_zeebe(&st);
        tracing::info!(backup_id, ?by, "zeebe backup aged");
        Ok(())
    }

    /// Replaces the latency settings.
    pub fn set_latency(&self, latency: LatencyConfig) {
        lock(&self.shared.settings).latency = latency;
    }

    /// Switches the exporting response generation.
    pub fn set_exporting_response(&self, mode: ExportingResponse) {
        lock(&self.shared.settings).exporting_response = mode;
    }

    /// Switches the Operate/Tasklist error mode.
    pub fn set_webapp_errors(&self, mode: WebappErrors) {
        lock(&self.shared.settings).webapp_errors = mode;
    }

    /// Whether a running owner recreates an index deleted under it (see
    /// [`crate::ElasticsearchConfig::running_apps_recreate_indices`]).
    pub fn set_running_apps_recreate_indices(&self, on: bool) {
        lock(&self.shared.settings).running_apps_recreate_indices = on;
    }

    /// Number of hard pauses issued while soft-paused (pitfall 4); must stay 0.
    pub fn hard_over_soft_violations(&self) -> u64 {
        lock(&self.shared.state).zeebe.hard_over_soft_violations
    }

    /// The credentials the REST API demands (`[auth] rest`), for a console embedding the
    /// simulator.
    pub fn rest_credentials(&self) -> Option<crate::auth::ManagementAuth> {
        self.shared.settings().auth.rest.clone()
    }

    /// Debug view: settings, components, exporter phases, backups, queues, ES, faults.
    pub fn snapshot_state(&self) -> Value {
        let shared = &self.shared;
        let settings = shared.settings();
        let st = lock(&shared.state);
        let cfg = &shared.config;
        let phases: serde_json::Map<String, Value> = (1..=cfg.partitions)
            .map(|p| (p.to_string(), json!(st.zeebe.phase(p).as_str())))
            .collect();
        let backups: Vec<Value> = st
            .zeebe
            .backups
            .keys()
            .filter_map(|id| st.zeebe.backup_json(*id, cfg.partitions, true))
            .collect();
        let brokers: serde_json::Map<String, Value> = st
            .zeebe
            .brokers
            .iter()
            .map(|(b, d)| (b.to_string(), d.json(*b, shared.broker_up(*b as usize))))
            .collect();
        json!({
            "settings": {
                "exporting_response": settings.exporting_response,
                "webapp_errors": settings.webapp_errors,
                "latency": settings.latency,
                "auth": settings.auth,
                "running_apps_recreate_indices": settings.running_apps_recreate_indices,
            },
            "tls": shared.config.tls,
            "components": shared.servers.status(),
            "zeebe": {
                "exporter_phases": phases,
                "failed_partitions": st.zeebe.failed_partitions,
                "hard_over_soft_violations": st.zeebe.hard_over_soft_violations,
                "backups_taken_while_exporting": st.zeebe.backups_taken_while_exporting,
                "latest_backup_id": st.zeebe.latest_backup_id,
                "backups": backups,
                "brokers": brokers,
                "restores_while_components_running": st.zeebe.restores_while_components_running,
                "recovery": {
                    "recovering": st.zeebe.recovery.recovering,
                    "restores_completed": st.zeebe.recovery.restores_completed,
                    "last_change": st.zeebe.recovery.last_change.as_ref().map(|c| c.id),
                },
            },
            "queues": st.queues,
            "elasticsearch": st.es.debug_json(),
            "faults": shared.faults.snapshot(),
            "urls": *self.urls,
        })
    }
}
