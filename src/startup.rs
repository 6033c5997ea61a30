//! Builds the application: settings → (embedded simulator) → clients → router → listener.
//! Tests call [`Application::build`] with port 0 and read the real port back.

use crate::camunda::{CamundaClients, ClientError, HttpConfig};
use crate::config::{ClusterSettings, Settings};
use crate::domain::ConsoleInfo;
use crate::overview::{spawn_prober, OverviewCache};
use crate::state::{AppState, Console};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not start the embedded Camunda simulator")]
    Simulator(#[source] camunda_sim::SimError),
    #[error("the embedded simulator reported an invalid URL `{url}`")]
    SimulatorUrl {
        url: String,
        #[source]
        source: url::ParseError,
    },
    #[error("could not build the HTTP clients")]
    Clients(#[source] ClientError),
    #[error("could not listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("could not open the run journal")]
    Store(#[source] crate::store::StoreError),
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
}

/// A built, bound, not yet serving console.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    state: AppState,
    simulator: Option<camunda_sim::RunningSimulator>,
    prober: tokio::task::JoinHandle<()>,
    watchdog: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Starts the simulator when no cluster is configured, builds clients and routes, binds.
    pub async fn build(
        settings: Settings,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        let (cluster, simulator) = match settings.cluster.clone() {
            Some(c) => (c, None),
            None => {
                let sim = start_simulator(&settings).await?;
                (simulated_cluster(sim.urls())?, Some(sim))
            }
        };
        let http = HttpConfig {
            connect_timeout: Duration::from_secs(3),
            request_timeout: settings.request_timeout,
        };
        let clients = CamundaClients::new(&cluster, &http).map_err(StartupError::Clients)?;
        let probe_clients = CamundaClients::new(
            &cluster,
            &HttpConfig {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(3).min(settings.request_timeout),
            },
        )
        .map_err(StartupError::Clients)?;
        let store = crate::store::Store::connect(&settings.database_url)
            .await
            .map_err(StartupError::Store)?;
        let engine = crate::engine::BackupEngine::new(
            store,
            clients.clone(),
            cluster.clone(),
            settings.timeouts,
        );
        // First finish what a previous process left running (resuming exporting if needed),
        // then watch for exporting paused outside any run.
        engine.spawn_recovery();
        let watchdog = crate::engine::spawn_watchdog(
            engine.clone(),
            settings.probe_interval,
            settings.watchdog_resume,
        );
        let info = ConsoleInfo {
            cluster_name: cluster.name.clone(),
            simulated: simulator.is_some(),
            simulator_admin_url: simulator.as_ref().map(|s| s.urls().admin.clone()),
            alert: None,
        };
        let overview = OverviewCache::default();
        let prober = spawn_prober(
            probe_clients,
            crate::overview::ProbeTarget {
                cluster_name: cluster.name.clone(),
                simulated: info.simulated,
                repository: cluster.snapshot_repository.clone(),
            },
            overview.clone(),
            settings.probe_interval,
        );
        let listen = settings.listen;
        let console = Arc::new(Console {
            settings,
            cluster,
            info,
            clients,
            overview,
            engine,
        });
        let state = AppState {
            leptos_options,
            console,
        };
        let router = crate::rest::router(state.clone());
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| StartupError::Bind {
                addr: listen,
                source,
            })?;
        Ok(Self {
            listener,
            router,
            state,
            simulator,
            prober,
            watchdog,
        })
    }

    /// The address actually bound (port 0 resolved).
    pub fn local_addr(&self) -> Result<SocketAddr, StartupError> {
        self.listener.local_addr().map_err(StartupError::Serve)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then stops the prober and the simulator.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let result = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(StartupError::Serve);
        self.prober.abort();
        self.watchdog.abort();
        if let Some(sim) = self.simulator {
            sim.shutdown().await;
        }
        result
    }
}

async fn start_simulator(
    settings: &Settings,
) -> Result<camunda_sim::RunningSimulator, StartupError> {
    let mut config = match &settings.simulator_scenario {
        Some(path) => camunda_sim::SimConfig::from_file(path).map_err(StartupError::Simulator)?,
        None => camunda_sim::SimConfig::default(),
    };
    if settings.simulator_state_dir.is_some() {
        config.state_dir.clone_from(&settings.simulator_state_dir);
    }
    let sim = camunda_sim::start(config)
        .await
        .map_err(StartupError::Simulator)?;
    tracing::warn!(admin = %sim.urls().admin, "no [cluster] configured: running against the embedded SIMULATED Camunda cluster");
    Ok(sim)
}

/// The cluster settings that point at the embedded simulator.
fn simulated_cluster(urls: &camunda_sim::SimUrls) -> Result<ClusterSettings, StartupError> {
    let parse = |u: &str| {
        Url::parse(u).map_err(|source| StartupError::SimulatorUrl {
            url: u.to_owned(),
            source,
        })
    };
    Ok(ClusterSettings {
        name: "Simulated cluster".into(),
        zeebe_management_url: parse(&urls.zeebe_gateway)?,
        zeebe_broker_management_urls: urls
            .zeebe_brokers
            .iter()
            .map(|u| parse(u))
            .collect::<Result<_, _>>()?,
        operate_management_url: parse(&urls.operate)?,
        tasklist_management_url: parse(&urls.tasklist)?,
        optimize_management_url: Some(parse(&urls.optimize)?),
        elasticsearch_url: parse(&urls.elasticsearch)?,
        elasticsearch_credentials: None,
        snapshot_repository: "camunda".into(),
        zeebe_record_prefix: "zeebe-record".into(),
        soft_pause: true,
    })
}
