//! Shared set-up of the integration tests: a simulator on free ports and a console pointed at
//! it over real HTTP, both on loopback.
#![allow(dead_code)]

pub mod idp;
pub mod postgres;
pub mod replicas;

use camunda_backup_console::config::{RawApiToken, RawAuth, RawCluster, RawSettings, Settings};
use camunda_backup_console::startup::Application;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::time::Duration;

/// The API tokens of the test consoles, one per role (their SHA-256 is configured).
pub const ADMIN_TOKEN: &str = "test-admin-token-7f3a9c";
pub const OPERATOR_TOKEN: &str = "test-operator-token-2b8e1d";
pub const VIEWER_TOKEN: &str = "test-viewer-token-5c4f0a";
/// The `admin` user's password in the test consoles.
pub const ADMIN_PASSWORD: &str = "test-admin-password-91e2";

/// An error and its causes, joined by `: ` (what the console logs).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// An HTTP client that sends `token` as `Authorization: Bearer`.
pub fn client_as(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// An HTTP client acting as the admin token (what most tests need).
pub fn client() -> reqwest::Client {
    client_as(ADMIN_TOKEN)
}

/// A running console and the simulator it manages.
pub struct TestConsole {
    pub addr: SocketAddr,
    pub sim: camunda_sim::RunningSimulator,
    /// Sends the admin token.
    pub http: reqwest::Client,
    pub console: std::sync::Arc<camunda_backup_console::state::Console>,
    server: tokio::task::JoinHandle<()>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestConsole {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.http.get(self.url(path)).send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn stop(self) {
        let (sim, _) = self.shut_down().await;
        sim.shutdown().await;
    }

    /// Shuts the console down as SIGTERM does (the simulator keeps running); returns the
    /// simulator and how long the console took to exit.
    pub async fn shut_down(mut self) -> (camunda_sim::RunningSimulator, Duration) {
        let started = std::time::Instant::now();
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.server.await;
        (self.sim, started.elapsed())
    }
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("camunda-backup-console")
        .site_root("target/site")
        .build()
}

/// Settings pointing at `sim`, with a fast prober and short timeouts.
pub fn settings_for(sim: &camunda_sim::SimUrls, db: &str) -> Settings {
    Settings::validate(raw_settings_for(sim, db)).expect("valid settings")
}

/// [`settings_for`] on a PostgreSQL test database (its password from its file).
pub fn settings_on(sim: &camunda_sim::SimUrls, db: &postgres::PgDb) -> Settings {
    let mut raw = raw_settings_for(sim, &db.url);
    raw.database_password_file = Some(db.password_file.display().to_string());
    Settings::validate(raw).expect("valid settings")
}

/// [`settings_for`] with the prober, history refresh and timeouts of a deployed console (the
/// defaults), not the tests' fast ones: what the benches measure.
pub fn deployed_settings_for(sim: &camunda_sim::SimUrls, db: &str) -> Settings {
    let mut settings = settings_for(sim, db);
    let defaults = Settings::validate(RawSettings::default()).expect("default settings");
    settings.probe_interval = defaults.probe_interval;
    settings.history_refresh = defaults.history_refresh;
    settings.timeouts = defaults.timeouts;
    settings
}

/// [`settings_for`] before validation, to add TLS files, credentials or other raw keys.
pub fn raw_settings_for(sim: &camunda_sim::SimUrls, db: &str) -> RawSettings {
    RawSettings {
        listen: "127.0.0.1:0".into(),
        database_url: db.into(),
        cluster: Some(RawCluster {
            name: "test".into(),
            zeebe_management_url: sim.zeebe_gateway.clone(),
            zeebe_broker_management_urls: sim.zeebe_brokers.clone(),
            operate_management_url: Some(sim.operate.clone()),
            tasklist_management_url: Some(sim.tasklist.clone()),
            optimize_management_url: Some(sim.optimize.clone()),
            elasticsearch_url: sim.elasticsearch.clone(),
            snapshot_repository: "camunda".into(),
            zeebe_record_prefix: "zeebe-record".into(),
            soft_pause: Some(true),
            ..RawCluster::default()
        }),
        simulate: false,
        admin_password: Some(ADMIN_PASSWORD.into()),
        admin_password_file: None,
        auth: RawAuth {
            api_tokens: [
                ("admin", ADMIN_TOKEN),
                ("operator", OPERATOR_TOKEN),
                ("viewer", VIEWER_TOKEN),
            ]
            .into_iter()
            .map(|(role, token)| RawApiToken {
                name: format!("{role}-token"),
                role: role.into(),
                token_sha256: camunda_backup_console::auth::sha256_hex(token),
            })
            .collect(),
            ..RawAuth::default()
        },
        shutdown_grace_secs: 25,
        rpo_objective_hours: 24,
        history_refresh_secs: 1,
        simulator_state_dir: None,
        simulator_scenario: None,
        probe_interval_secs: 1,
        request_timeout_secs: 2,
        // The watchdog tells (and resumes) exporting paused outside a run after 1 s.
        paused_alert_secs: 1,
        watchdog_resume: false,
        timeouts: camunda_backup_console::config::RawTimeouts {
            webapp_backup_secs: 30,
            records_snapshot_secs: 30,
            zeebe_backup_secs: 30,
            incomplete_grace_secs: 3,
            resume_retry_secs: 10,
            unavailable_budget_secs: 3,
            stale_backup_secs: 3600,
            restore_poll_ms: 100,
            post_restore_checks_secs: 20,
        },
        ..RawSettings::default()
    }
}

/// Starts a simulator with `config` and a console managing it.
pub async fn start(config: camunda_sim::SimConfig) -> TestConsole {
    start_adjusted(config, |_| {}).await
}

/// Like [`start`], with a chance to change the console's settings first.
pub async fn start_adjusted(
    config: camunda_sim::SimConfig,
    adjust: impl FnOnce(&mut Settings),
) -> TestConsole {
    let sim = camunda_sim::start(config).await.expect("simulator starts");
    let mut settings = settings_for(sim.urls(), "sqlite::memory:");
    adjust(&mut settings);
    start_with(sim, settings).await
}

pub async fn start_with(sim: camunda_sim::RunningSimulator, settings: Settings) -> TestConsole {
    start_hooked(sim, settings, None).await
}

/// Like [`start_with`], calling `hook` at the start of every step (fault injection).
pub async fn start_hooked(
    sim: camunda_sim::RunningSimulator,
    settings: Settings,
    hook: Option<camunda_backup_console::engine::StepHook>,
) -> TestConsole {
    start_built(sim, settings, hook, leptos_options()).await
}

/// Like [`start_with`], with the site (the browser bundle's files) of `options`.
pub async fn start_with_site(
    sim: camunda_sim::RunningSimulator,
    settings: Settings,
    options: LeptosOptions,
) -> TestConsole {
    start_built(sim, settings, None, options).await
}

/// Like [`start_with`], with the scheduler and retention on `clock` (a manual clock in tests).
pub async fn start_clocked(
    sim: camunda_sim::RunningSimulator,
    settings: Settings,
    clock: camunda_backup_console::clock::SharedClock,
) -> TestConsole {
    start_built_with(sim, settings, None, leptos_options(), clock).await
}

async fn start_built(
    sim: camunda_sim::RunningSimulator,
    settings: Settings,
    hook: Option<camunda_backup_console::engine::StepHook>,
    options: LeptosOptions,
) -> TestConsole {
    start_built_with(
        sim,
        settings,
        hook,
        options,
        camunda_backup_console::clock::system(),
    )
    .await
}

async fn start_built_with(
    sim: camunda_sim::RunningSimulator,
    settings: Settings,
    hook: Option<camunda_backup_console::engine::StepHook>,
    options: LeptosOptions,
    clock: camunda_backup_console::clock::SharedClock,
) -> TestConsole {
    let app = Application::build_with_clock(settings, options, clock)
        .await
        .expect("console builds");
    app.state().console.engine.set_step_hook(hook);
    let console = app.state().console.clone();
    let addr = app.local_addr().expect("bound");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = app
            .run_until(async move {
                let _ = rx.await;
            })
            .await;
    });
    TestConsole {
        addr,
        sim,
        http: client(),
        console,
        server,
        stop: Some(tx),
    }
}

/// Polls `check` every 100 ms until it returns `Some`, or panics after `timeout` naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A simulator whose components work quickly (a whole backup takes well under a second).
pub fn fast_sim() -> camunda_sim::SimConfig {
    let mut c = camunda_sim::SimConfig::default();
    c.timing.zeebe_partition_backup_ms = 60;
    c.timing.webapp_part_ms = 20;
    c.timing.webapp_part_gap_ms = 10;
    c.timing.optimize_part_ms = 20;
    c.timing.es_snapshot_ms = 40;
    c
}

/// Like [`start`], with Optimize left out of the console's configuration.
pub async fn start_without_optimize(config: camunda_sim::SimConfig) -> TestConsole {
    start_adjusted(config, |s| {
        if let Some(c) = s.cluster.as_mut() {
            c.optimize_management_url = None;
        }
    })
    .await
}

impl TestConsole {
    /// The calls that changed something, in the order the simulator received them, as
    /// `component METHOD path?query` (the prober's repository verification changes nothing).
    pub fn changes(&self) -> Vec<String> {
        self.sim
            .control()
            .calls()
            .iter()
            .filter(|c| c.method != "GET" && !c.path.ends_with("/_verify"))
            .map(|c| {
                let query = c
                    .query
                    .as_deref()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default();
                format!("{} {} {}{query}", c.component, c.method, c.path)
            })
            .collect()
    }

    /// The history's newest row once it is set `id` and restorable.
    pub async fn restorable_row(&self, id: i64) -> serde_json::Value {
        eventually(
            "the set in the history",
            Duration::from_secs(10),
            || async {
                let (status, page) = self.get_json("/api/v1/backups").await;
                (status == 200)
                    .then(|| page["items"].as_array()?.first().cloned())
                    .flatten()
                    .filter(|r| r["backupId"] == id && r["verdict"] == "restorable")
            },
        )
        .await
    }

    /// Waits until the overview names version profile `id` (`v88`, `v810`, …).
    pub async fn until_profile(&self, id: &str) {
        eventually(
            &format!("the {id} profile"),
            Duration::from_secs(10),
            || async {
                let (status, o) = self.get_json("/api/v1/cluster").await;
                (status == 200 && o["profile"]["id"] == id).then_some(())
            },
        )
        .await
    }

    /// The admin confirms operator step `step` of restore `rid` (must answer 202).
    pub async fn confirm_step(&self, rid: i64, step: &str) {
        let (status, body) = self
            .post_json(&format!("/api/v1/restores/{rid}/steps/{step}/confirm"), "")
            .await;
        assert_eq!(status, 202, "{body}");
    }

    /// `GET /api/v1/restores/{id}` (must answer 200).
    pub async fn restore(&self, id: i64) -> serde_json::Value {
        let (status, body) = self.get_json(&format!("/api/v1/restores/{id}")).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Waits until restore `id`'s step `key` is in `state` (never `failed` meanwhile).
    pub async fn until_restore_step(&self, id: i64, key: &str, state: &str) -> serde_json::Value {
        eventually(
            &format!("restore {id} step {key} {state}"),
            Duration::from_secs(30),
            || async {
                let r = self.restore(id).await;
                assert_ne!(r["state"], "failed", "{r:#}");
                (step_state(&r, key) == state).then_some(r)
            },
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> (u16, serde_json::Value) {
        self.send_json(reqwest::Method::POST, path, body).await
    }

    /// Any method with a JSON body, as the admin token.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &str,
    ) -> (u16, serde_json::Value) {
        let r = self
            .http
            .request(method, self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Starts a backup through the API and returns its id (panics unless 202).
    pub async fn start_backup(&self) -> i64 {
        let (status, body) = self.post_json("/api/v1/backups", "{}").await;
        assert_eq!(status, 202, "{body}");
        body["backupId"].as_i64().expect("backupId")
    }

    /// Waits until the run is no longer running and returns it.
    pub async fn wait_terminal(&self, id: i64) -> serde_json::Value {
        eventually("run to end", Duration::from_secs(40), || async {
            let (status, run) = self.get_json(&format!("/api/v1/backups/{id}")).await;
            (status == 200 && run["state"] != "running").then_some(run)
        })
        .await
    }

    /// Waits until step `key` of the run is in `state`.
    pub async fn wait_step(&self, id: i64, key: &str, state: &str) {
        eventually(
            &format!("step {key} {state}"),
            Duration::from_secs(30),
            || async {
                let (_, run) = self.get_json(&format!("/api/v1/backups/{id}")).await;
                step(&run, key).filter(|s| s["state"] == state).map(|_| ())
            },
        )
        .await
    }
}

/// One step of a run's JSON.
pub fn step<'a>(run: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    run["steps"].as_array()?.iter().find(|s| s["key"] == key)
}

/// The exporter phase of every leader partition, read from the simulator's brokers over HTTP.
pub async fn leader_phases(urls: &camunda_sim::SimUrls) -> Vec<String> {
    // The test reads its own simulator, which may serve HTTPS with a generated CA.
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let mut phases = Vec::new();
    for broker in &urls.zeebe_brokers {
        let map: serde_json::Value = http
            .get(format!("{broker}/actuator/partitions"))
            .send()
            .await
            .expect("broker answers")
            .json()
            .await
            .expect("json");
        if let Some(obj) = map.as_object() {
            for p in obj.values() {
                if p["role"] == "LEADER" {
                    phases.push(p["exporterPhase"].as_str().unwrap_or("null").to_owned());
                }
            }
        }
    }
    phases
}

/// Asserts every leader exports, and the console never sent a hard pause over a soft one.
pub async fn assert_exporting(sim: &camunda_sim::RunningSimulator) {
    let phases = leader_phases(sim.urls()).await;
    assert!(!phases.is_empty());
    assert!(phases.iter().all(|p| p == "EXPORTING"), "{phases:?}");
    assert_eq!(sim.control().hard_over_soft_violations(), 0);
}

/// A console in its own runtime, so that dropping the runtime kills every task mid-step.
pub struct Doomed {
    pub addr: SocketAddr,
    kill: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Doomed {
    pub fn start(settings: camunda_backup_console::config::Settings) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let app = Application::build(settings, leptos_options())
                    .await
                    .expect("build");
                addr_tx.send(app.local_addr().expect("addr")).expect("send");
                tokio::spawn(app.run_until(std::future::pending()));
            });
            let _ = kill_rx.recv();
            // No graceful shutdown: every task stops wherever it is.
            rt.shutdown_background();
        });
        let addr = addr_rx.recv().expect("console started");
        Self {
            addr,
            kill: Some(kill_tx),
            thread: Some(thread),
        }
    }

    pub fn kill(mut self) {
        if let Some(k) = self.kill.take() {
            let _ = k.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What an operator stops and starts around a restore.
pub const APPS: [camunda_sim::Component; 5] = [
    camunda_sim::Component::ZeebeGateway,
    camunda_sim::Component::Broker,
    camunda_sim::Component::Operate,
    camunda_sim::Component::Tasklist,
    camunda_sim::Component::Optimize,
];

/// The state of step `key` of a restore as the API shows it ("" when absent).
pub fn step_state(restore: &serde_json::Value, key: &str) -> String {
    restore["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["key"] == key))
        .and_then(|s| s["state"].as_str())
        .unwrap_or("")
        .to_owned()
}

/// Every snapshot's recorded content, by index.
pub fn snapshot_contents(
    state: &serde_json::Value,
    names: &[String],
) -> std::collections::BTreeMap<String, camunda_sim::IndexContent> {
    let mut out = std::collections::BTreeMap::new();
    for s in state["elasticsearch"]["snapshots"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if !names.iter().any(|n| s["snapshot"] == n.as_str()) {
            continue;
        }
        if let Some(map) = s["contents"].as_object() {
            for (index, c) in map {
                if let Ok(c) = serde_json::from_value::<camunda_sim::IndexContent>(c.clone()) {
                    out.insert(index.clone(), c);
                }
            }
        }
    }
    out
}
