//! Builds the application: settings → (embedded simulator) → clients → router → listener.
//! Tests call [`Application::build`] with port 0 and read the real port back.

use crate::camunda::{CamundaClients, ClientError, HttpConfig};
use crate::config::{ClusterSettings, ManagementAuth, Settings};
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
    #[error("could not set up the first admin user")]
    Bootstrap(#[source] crate::auth::BootstrapError),
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
    history_refresher: tokio::task::JoinHandle<()>,
    audit_flusher: tokio::task::JoinHandle<()>,
    metrics_task: Option<tokio::task::JoinHandle<()>>,
    /// Renews (or tries to take) the leader lease.
    lease_task: tokio::task::JoinHandle<()>,
    /// Runs the leader's work (recovery, watchdog, schedules, retention, alerts) while this
    /// replica leads.
    leader_work: tokio::task::JoinHandle<()>,
    generated_admin_password: Option<secrecy::SecretString>,
}

impl Application {
    /// Starts the simulator when no cluster is configured, builds clients and routes, binds.
    pub async fn build(
        settings: Settings,
        leptos_options: LeptosOptions,
    ) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, leptos_options, crate::clock::system()).await
    }

    /// [`Self::build`] with the clock the scheduler and retention read (tests move a manual
    /// one).
    pub async fn build_with_clock(
        settings: Settings,
        leptos_options: LeptosOptions,
        clock: crate::clock::SharedClock,
    ) -> Result<Self, StartupError> {
        let (cluster, simulator) = match settings.cluster.clone() {
            Some(c) => (c, None),
            None => {
                let sim = start_simulator(&settings).await?;
                let rest_auth = sim.control().rest_credentials().map(|a| match a {
                    camunda_sim::ManagementAuth::Basic(b) => {
                        ManagementAuth::Basic(crate::config::Credentials {
                            username: b.username,
                            password: b.password.into(),
                        })
                    }
                    camunda_sim::ManagementAuth::Bearer(t) => {
                        ManagementAuth::Bearer(t.bearer_token.into())
                    }
                });
                (simulated_cluster(sim.urls(), rest_auth)?, Some(sim))
            }
        };
        let http = HttpConfig {
            connect_timeout: Duration::from_secs(3),
            request_timeout: settings.request_timeout,
        };
        if cluster.tls.insecure_skip_verify {
            tracing::warn!("cluster.tls.insecure_skip_verify = true: TLS CERTIFICATES ARE NOT VERIFIED. Anyone on the network path can read and change the console's management calls, including credentials. Use it only for tests; put the cluster's CA in cluster.tls.ca_file instead");
        }
        if let Some((path, _)) = &cluster.tls.ca {
            tracing::info!(ca_file = %path.display(), "trusting the configured CA bundle in addition to the system roots");
        }
        let clients = CamundaClients::new(&cluster, &http).map_err(StartupError::Clients)?;
        let probe_clients = CamundaClients::new(
            &cluster,
            &HttpConfig {
                connect_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(3).min(settings.request_timeout),
            },
        )
        .map_err(StartupError::Clients)?;
        let store = crate::store::Store::connect_with(
            &settings.database_url,
            settings.database_password_file.as_deref(),
        )
        .await
        .map_err(StartupError::Store)?;
        // Bound first: the address is this replica's, told to the others.
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|source| StartupError::Bind {
                addr: settings.listen,
                source,
            })?;
        let replica = match store.dialect() {
            crate::store::Dialect::Sqlite => {
                crate::replica::Replica::single(settings.replica.id.clone(), &clock)
            }
            crate::store::Dialect::Postgres => crate::replica::Replica::elected(
                settings.replica.id.clone(),
                replica_url(&settings, &listener)?,
                settings.replica.lease,
                store.clone(),
            ),
        };
        let engine = crate::engine::BackupEngine::new(
            store,
            clients.clone(),
            cluster.clone(),
            settings.timeouts,
        );
        // Webhook deliveries: no redirects followed (the body and its signature stay with the
        // receiver configured); the cluster's CA is trusted too (receivers inside the cluster).
        let hooks_http = HttpConfig {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
        .build_with(
            &crate::config::TlsSettings {
                ca: cluster.tls.ca.clone(),
                client_identity: None,
                insecure_skip_verify: false,
            },
            false,
        )
        .map_err(StartupError::Clients)?;
        let alerts = crate::alerts::Alerts::new(
            engine.store().clone(),
            cluster.name.clone(),
            clock.clone(),
            hooks_http,
        );
        let info = ConsoleInfo {
            cluster_name: cluster.name.clone(),
            simulated: simulator.is_some(),
            simulator_admin_url: simulator.as_ref().map(|s| s.urls().admin.clone()),
            alert: None,
            replica: None,
        };
        let overview = OverviewCache::default();
        let verify = crate::overview::VerifyMemo::default();
        let prober = spawn_prober(
            probe_clients,
            crate::overview::ProbeTarget {
                cluster_name: cluster.name.clone(),
                simulated: info.simulated,
                repository: cluster.snapshot_repository.clone(),
                camunda_version: cluster.camunda_version.clone(),
            },
            overview.clone(),
            settings.probe_interval,
            verify.clone(),
        );
        let history = crate::history::HistoryCache::default();
        let history_refresher = history.spawn_refresher(
            probe_clients_for_history(&cluster, &settings)?,
            cluster.clone(),
            engine.store().clone(),
            settings.history_refresh,
        );
        let retention = crate::retention::Retention::new(
            engine.store().clone(),
            cluster.name.clone(),
            clock.clone(),
            settings.automation.retention_max_deletions_per_pass,
            settings.automation.retention_interval,
            alerts.clone(),
        );
        {
            // After every run: the history reads the cluster again, retention runs, and the
            // hooks hear how it ended; exporting paused too long is told to the hooks.
            let history = history.clone();
            let retention = retention.clone();
            let alerts = alerts.clone();
            let store = engine.store().clone();
            engine.set_on_notice(Some(std::sync::Arc::new(move |notice| match notice {
                crate::engine::Notice::RunEnded(id) => {
                    history.refresh_soon();
                    retention.poke();
                    let (alerts, store) = (alerts.clone(), store.clone());
                    tokio::spawn(async move {
                        // A leader that woke up after another took over: the new leader's
                        // recovery ended the run and told the hooks.
                        if !store.superseded().await {
                            crate::alerts::run_ended(&alerts, &store, id).await;
                        }
                    });
                }
                crate::engine::Notice::PausedTooLong {
                    since,
                    partitions,
                    action,
                } => {
                    let alerts = alerts.clone();
                    tokio::spawn(async move {
                        alerts
                            .emit(
                                "exporting.paused_too_long",
                                action,
                                serde_json::json!({"since": since, "partitions": partitions}),
                            )
                            .await;
                    });
                }
            })));
        }
        let scheduler = crate::scheduler::Scheduler::new(
            engine.store().clone(),
            cluster.name.clone(),
            clock.clone(),
            engine.clone(),
            {
                let history = history.clone();
                Arc::new(move || {
                    history
                        .reads()
                        .runtime
                        .as_ref()
                        .is_some_and(|r| r.scheduled)
                })
            },
            settings.automation.schedule_wait,
            alerts.clone(),
        );
        if simulator.is_some() {
            // A new user of the simulated default sees the Schedules page filled in (off).
            if let Err(e) = scheduler.ensure_sample().await {
                tracing::warn!(error = %e, "could not create the sample schedule");
            }
        }
        let restores = crate::restore::RestoreEngine::new(
            engine.store().clone(),
            clients.clone(),
            cluster.clone(),
            engine.clone(),
            crate::restore::Pace {
                poll: settings.timeouts.restore_poll,
                post_checks: settings.timeouts.post_restore_checks,
                unavailable_budget: settings.timeouts.unavailable_budget,
            },
            verify,
        );
        {
            let history = history.clone();
            let alerts = alerts.clone();
            let store = engine.store().clone();
            restores.set_on_end(Some(Arc::new(move |id| {
                history.refresh_soon();
                let (alerts, store) = (alerts.clone(), store.clone());
                tokio::spawn(
                    async move { crate::alerts::restore_ended(&alerts, &store, id).await },
                );
            })));
        }
        {
            let deletions = history.deletions.clone();
            restores.set_deleting_probe(Some(Arc::new(move |id| deletions.in_progress(id))));
        }
        // The identity provider often sits behind the same private CA as the cluster: its
        // client trusts `[cluster.tls] ca_file` too (never the cluster's client identity).
        let idp_http = HttpConfig {
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
        }
        .build(&crate::config::TlsSettings {
            ca: cluster.tls.ca.clone(),
            client_identity: None,
            insecure_skip_verify: false,
        })
        .map_err(StartupError::Clients)?;
        let auth = crate::auth::Auth::new(engine.store().clone(), settings.auth.clone(), idp_http);
        let generated_admin_password =
            crate::auth::bootstrap_admin(auth.store(), settings.auth.admin_password.as_ref())
                .await
                .map_err(StartupError::Bootstrap)?;
        let audit_flusher = auth.spawn_repeats_flusher();
        let console = Arc::new(Console {
            settings,
            cluster,
            info,
            clients,
            overview,
            engine,
            history,
            restores,
            auth,
            simulator: simulator.as_ref().map(|s| s.control()),
            closing: tokio::sync::watch::channel(false).0,
            streams: crate::state::StreamCounts::default(),
            clock,
            scheduler,
            retention,
            alerts,
            replica,
        });
        console.replica.first_round().await;
        let lease_task = console.replica.spawn();
        let leader_work = spawn_leader_work(console.clone());
        let state = AppState {
            leptos_options,
            console,
        };
        let router = crate::router::router(state.clone());
        let metrics_task = match state.console.settings.metrics_listen {
            Some(addr) => {
                let metrics = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::Bind { addr, source })?;
                tracing::info!(%addr, "serving /metrics without authentication on metrics_listen");
                let app = crate::rest::metrics::scrape_router(state.clone());
                Some(tokio::spawn(async move {
                    if let Err(e) = axum::serve(metrics, app).await {
                        tracing::error!(error = %e, "the metrics listener failed");
                    }
                }))
            }
            None => None,
        };
        Ok(Self {
            listener,
            router,
            state,
            simulator,
            prober,
            history_refresher,
            audit_flusher,
            metrics_task,
            lease_task,
            leader_work,
            generated_admin_password,
        })
    }

    /// The `admin` password generated at this start (no users existed and none was configured):
    /// to be shown once on the console's output. Only its hash is stored.
    pub fn generated_admin_password(&self) -> Option<&secrecy::SecretString> {
        self.generated_admin_password.as_ref()
    }

    /// The address actually bound (port 0 resolved).
    pub fn local_addr(&self) -> Result<SocketAddr, StartupError> {
        self.listener.local_addr().map_err(StartupError::Serve)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves (SIGTERM / SIGINT in production). Then a running backup
    /// is stopped at its next safe point with exporting resumed and its end journaled, within
    /// `shutdown_grace_secs`; open event streams are closed; the server stops; the prober and
    /// the simulator stop.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let console = self.state.console.clone();
        let grace = console.settings.shutdown_grace;
        let mut closed = console.closing.subscribe();
        let signal = {
            let console = console.clone();
            async move {
                shutdown.await;
                tracing::info!(
                    grace_secs = grace.as_secs(),
                    "shutting down: stopping any running backup first"
                );
                futures::join!(
                    console.engine.shutdown(grace),
                    console.restores.shutdown(grace)
                );
                // The run's end is journaled: another replica may lead at once.
                console.replica.release().await;
                console.closing.send_replace(true);
            }
        };
        let serve = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal);
        let result = tokio::select! {
            r = serve => r.map_err(StartupError::Serve),
            () = async move {
                let _ = closed.wait_for(|c| *c).await;
                // Requests still open after the streams closed get a short moment to finish.
                tokio::time::sleep(Duration::from_secs(3)).await;
            } => {
                tracing::warn!("connections still open 3 s after shutdown began; closing them");
                Ok(())
            }
        };
        self.prober.abort();
        self.leader_work.abort();
        self.lease_task.abort();
        self.history_refresher.abort();
        self.audit_flusher.abort();
        if let Some(t) = &self.metrics_task {
            t.abort();
        }
        // The repeats gathered so far are written, not lost with the process.
        console
            .auth
            .repeats()
            .flush(console.auth.store(), true)
            .await;
        if let Some(sim) = self.simulator {
            sim.shutdown().await;
        }
        result
    }
}

/// Tasks aborted when dropped: the leader's work ends with its term.
#[derive(Default)]
struct LeaderTasks(Vec<tokio::task::JoinHandle<()>>);

impl Drop for LeaderTasks {
    fn drop(&mut self) {
        for t in &self.0 {
            t.abort();
        }
    }
}

/// While this replica leads: first finish what a previous leader (or process) left running —
/// backups (resuming exporting if needed) and restores — then the watchdog (exporting paused
/// outside any run), schedules, retention, alert deliveries and the RPO watch. When the term
/// ends they stop; a later term starts them again. A follower only observes, for its pages
/// ([`crate::engine::spawn_observer`]).
fn spawn_leader_work(console: Arc<Console>) -> tokio::task::JoinHandle<()> {
    let mut watch = console.replica.watch();
    tokio::spawn(async move {
        let mut tasks = LeaderTasks::default();
        let mut leading: Option<bool> = None;
        loop {
            let leader = watch.borrow_and_update().leader;
            if leading != Some(leader) {
                // The old term's work stops before the new one's starts.
                drop(std::mem::take(&mut tasks));
                if leader {
                    tasks = LeaderTasks(leader_tasks(&console));
                } else {
                    if leading == Some(true) {
                        tracing::warn!("not leading any more: schedules, retention, alerts and the watchdog stop here");
                    }
                    // A follower's pages still show what the leader's watchdog watches.
                    tasks = LeaderTasks(vec![crate::engine::spawn_observer(
                        console.engine.clone(),
                        console.settings.probe_interval,
                    )]);
                }
                leading = Some(leader);
            }
            if watch.changed().await.is_err() {
                break;
            }
        }
        drop(tasks);
    })
}

fn leader_tasks(console: &Arc<Console>) -> Vec<tokio::task::JoinHandle<()>> {
    let settings = &console.settings;
    let mut tasks = vec![
        console.engine.spawn_recovery(),
        console.restores.spawn_recovery(),
        crate::engine::spawn_watchdog(
            console.engine.clone(),
            crate::engine::WatchdogSettings {
                every: settings.probe_interval,
                resume: settings.watchdog_resume,
                paused_alert: settings.automation.paused_alert,
                clock: console.clock.clone(),
            },
        ),
        console.scheduler.spawn(),
        console.alerts.spawn_sender(),
    ];
    let c = console.clone();
    tasks.push(tokio::spawn(async move {
        let mut ticker = tokio::time::interval(c.settings.probe_interval);
        loop {
            ticker.tick().await;
            crate::alerts::check_rpo(&c.alerts, &c.history_services()).await;
        }
    }));
    let c = console.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            if let Err(e) = c.retention.pass(&c.history_services()).await {
                tracing::error!(error = %e, "retention pass failed");
            }
            c.retention.until_next_pass().await;
        }
    }));
    tasks
}

/// Where the other replicas reach this one: `replica_url`, else the bound address (with
/// `0.0.0.0` read as this host's loopback — set `replica_url` on Kubernetes).
fn replica_url(
    settings: &Settings,
    listener: &tokio::net::TcpListener,
) -> Result<String, StartupError> {
    if let Some(url) = &settings.replica.url {
        return Ok(url.clone());
    }
    let mut addr = listener.local_addr().map_err(StartupError::Serve)?;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    Ok(format!("http://{addr}"))
}

/// The history's clients: the management request timeout, so one slow list does not hold the
/// others' results back for long (they are read concurrently).
fn probe_clients_for_history(
    cluster: &ClusterSettings,
    settings: &Settings,
) -> Result<CamundaClients, StartupError> {
    CamundaClients::new(
        cluster,
        &HttpConfig {
            connect_timeout: Duration::from_secs(3),
            request_timeout: settings.request_timeout,
        },
    )
    .map_err(StartupError::Clients)
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
fn simulated_cluster(
    urls: &camunda_sim::SimUrls,
    rest_auth: Option<ManagementAuth>,
) -> Result<ClusterSettings, StartupError> {
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
        webapps_configured: true,
        optimize_management_url: Some(parse(&urls.optimize)?),
        elasticsearch_url: parse(&urls.elasticsearch)?,
        elasticsearch_auth: None,
        management_auth: None,
        // Used only by the 8.10+ profile (the `/v2` REST API).
        orchestration_rest_url: Some(parse(&urls.rest)?),
        rest_auth,
        tls: crate::config::TlsSettings::default(),
        snapshot_repository: "camunda".into(),
        zeebe_record_prefix: "zeebe-record".into(),
        index_prefixes: crate::config::IndexPrefixSettings::default(),
        soft_pause: None,
        // The simulator's versions are detected like a real cluster's.
        camunda_version: None,
    })
}
