//! One probe of every configured component, run concurrently with short timeouts.

use super::versions::{actuator_version, version_from_snapshot_name};
use crate::camunda::{CamundaClients, ClientError, ExportingView, ManagementClient, WebAppClient};
use crate::domain::{
    ClusterOverview, ComponentHealth, ComponentKind, ExportingState, PartitionView,
    RepositoryHealth, ZeebeTopology,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The latest overview, shared by the prober, the pages and the REST API.
#[derive(Clone, Default)]
pub struct OverviewCache {
    latest: Arc<RwLock<Option<ClusterOverview>>>,
}

impl OverviewCache {
    pub async fn get(&self) -> Option<ClusterOverview> {
        self.latest.read().await.clone()
    }

    pub async fn set(&self, overview: ClusterOverview) {
        *self.latest.write().await = Some(overview);
    }
}

/// What the probe needs besides the clients.
#[derive(Clone, Debug)]
pub struct ProbeTarget {
    pub cluster_name: String,
    pub simulated: bool,
    pub repository: String,
    /// `[cluster] camunda_version`, if configured.
    pub camunda_version: Option<String>,
}

/// `_verify` makes every ES node write to the repository: repeat it at most this often.
const VERIFY_EVERY: Duration = Duration::from_secs(60);

/// The last repository verification, shared by the prober and the restore pre-flight, so the
/// repository is verified at most once a minute whoever asks (a viewer's restore plan too).
/// Never locked across the network: two callers at once may both verify, once.
#[derive(Clone, Debug, Default)]
pub struct VerifyMemo {
    last: std::sync::Arc<std::sync::Mutex<Option<Verified>>>,
}

/// When the repository was verified, and what came out.
type Verified = (Instant, Result<bool, String>);

impl VerifyMemo {
    fn fresh(&self) -> Option<Result<bool, String>> {
        crate::engine::locked(&self.last)
            .as_ref()
            .filter(|(at, _)| at.elapsed() < VERIFY_EVERY)
            .map(|(_, r)| r.clone())
    }

    fn keep(&self, result: Result<bool, String>) {
        *crate::engine::locked(&self.last) = Some((Instant::now(), result));
    }
}

/// How much a probe reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Depth {
    /// The background prober: every component's backup list too (what the overview shows).
    Full,
    /// A restore's pre-flight: health and version only — a backup list makes the component
    /// list its snapshots in the repository (a store may bill each listing), and anyone signed
    /// in may ask for a plan.
    Light,
}

/// Probes every component once, concurrently.
#[tracing::instrument(skip_all, fields(cluster = %target.cluster_name))]
pub async fn probe_cluster(
    clients: &CamundaClients,
    target: &ProbeTarget,
    memo: &VerifyMemo,
    depth: Depth,
) -> ClusterOverview {
    // The gateway's version decides the profile, and the profile which endpoints to read:
    // 8.8+ has the web apps' backups on the orchestration cluster, not on Operate or Tasklist.
    let started = Instant::now();
    let gateway_info = actuator_version(clients.zeebe.gateway()).await;
    let first = crate::profile::detect(
        target.camunda_version.as_deref(),
        &crate::profile::VersionsSeen {
            zeebe: gateway_info.as_deref(),
            ..Default::default()
        },
    );
    let clients = &clients.for_profile(crate::profile::profile(first.id));
    let optimize = async {
        match &clients.optimize {
            Some(c) => Some(probe_webapp(c, depth).await),
            None => None,
        }
    };
    let webapps = async {
        match &clients.webapps {
            Some(w) => vec![probe_webapp(w, depth).await],
            None => {
                let (operate, tasklist) = futures::join!(
                    probe_webapp(&clients.operate, depth),
                    probe_webapp(&clients.tasklist, depth)
                );
                vec![operate, tasklist]
            }
        }
    };
    let gateway = async {
        match depth {
            Depth::Full => probe_gateway(clients, started, gateway_info).await,
            Depth::Light => probe_light(clients.zeebe.gateway(), gateway_info).await,
        }
    };
    let (zeebe, brokers, webapps, optimize, (es, repository)) = futures::join!(
        gateway,
        probe_brokers(clients),
        webapps,
        optimize,
        probe_elasticsearch(clients, &target.repository, memo),
    );
    let (broker_health, topology) = brokers;
    let mut components = vec![zeebe];
    components.extend(broker_health);
    components.extend(webapps);
    components.extend(optimize);
    components.push(es);
    let version = |kind: ComponentKind| {
        components
            .iter()
            .find(|c| c.kind == kind)
            .and_then(|c| c.version.as_deref())
    };
    let profile = crate::profile::detect(
        target.camunda_version.as_deref(),
        &crate::profile::VersionsSeen {
            zeebe: version(ComponentKind::Zeebe),
            operate: version(ComponentKind::Operate),
            tasklist: version(ComponentKind::Tasklist),
            optimize: version(ComponentKind::Optimize),
        },
    );
    ClusterOverview {
        cluster_name: target.cluster_name.clone(),
        simulated: target.simulated,
        checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        components,
        zeebe: topology,
        repository,
        profile: Some(profile),
    }
}

/// Runs `probe_cluster` every `interval` and stores the result.
pub fn spawn_prober(
    clients: CamundaClients,
    target: ProbeTarget,
    cache: OverviewCache,
    interval: Duration,
    memo: VerifyMemo,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let overview = probe_cluster(&clients, &target, &memo, Depth::Full).await;
            cache.set(overview).await;
        }
    })
}

fn health(
    client: &ManagementClient,
    started: Instant,
    result: Result<Option<String>, ClientError>,
) -> ComponentHealth {
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(version) => ComponentHealth {
            kind: client.kind(),
            url: client.base_url(),
            answering: true,
            version,
            latency_ms,
            error: None,
        },
        Err(e) => ComponentHealth {
            kind: client.kind(),
            url: client.base_url(),
            answering: e.component_answered(),
            version: None,
            latency_ms,
            error: Some(e.to_string()),
        },
    }
}

async fn probe_gateway(
    clients: &CamundaClients,
    started: Instant,
    from_info: Option<String>,
) -> ComponentHealth {
    let gateway = clients.zeebe.gateway();
    let result = async {
        let backups = clients.zeebe.list_backups().await?;
        let from_backups = backups
            .iter()
            .max_by_key(|b| b.backup_id)
            .and_then(|b| b.details.iter().find_map(|d| d.broker_version.clone()));
        Ok(from_info.or(from_backups))
    }
    .await;
    with_info_version(health(gateway, started, result), gateway).await
}

/// A component whose backup list failed (an 8.8+ cluster has no `/actuator/backups`) may still
/// say its version on `/actuator/info`: the version profile is detected from it.
async fn with_info_version(mut h: ComponentHealth, client: &ManagementClient) -> ComponentHealth {
    if h.version.is_none() && h.answering {
        h.version = actuator_version(client).await;
    }
    h
}

async fn probe_brokers(clients: &CamundaClients) -> (Vec<ComponentHealth>, ZeebeTopology) {
    let view = ExportingView::read(&clients.zeebe).await;
    if !view.brokers_configured() {
        return (
            Vec::new(),
            ZeebeTopology {
                exporting: ExportingState::Unknown,
                partitions: Vec::new(),
                note: Some(format!(
                    "Exporting cannot be confirmed: {}. Backups still run, but every pause and resume is unconfirmed.",
                    crate::camunda::partitions::NO_BROKERS
                )),
            },
        );
    }
    let mut health_rows = Vec::new();
    for (read, broker) in view.reads.iter().zip(clients.zeebe.brokers()) {
        let (answering, version, error) = match &read.result {
            Ok(_) => (true, actuator_version(broker).await, None),
            Err(e) => (e.component_answered(), None, Some(e.to_string())),
        };
        health_rows.push(ComponentHealth {
            kind: broker.kind(),
            url: read.url.clone(),
            answering,
            version,
            latency_ms: u64::try_from(read.elapsed.as_millis()).unwrap_or(u64::MAX),
            error,
        });
    }
    let partitions: Vec<PartitionView> = view
        .leaders()
        .into_iter()
        .map(|(id, leader)| PartitionView {
            partition_id: id,
            leader: Some(leader.broker),
            exporter_phase: leader.phase,
            exported_position: leader.exported_position,
        })
        .collect();
    let exporting = ExportingState::from_phases(
        partitions
            .iter()
            .map(|p| p.exporter_phase.as_deref().unwrap_or("UNKNOWN")),
    );
    let mut notes = Vec::new();
    let unreachable = view.unreachable().len();
    if unreachable > 0 {
        notes.push(format!("{unreachable} of {} brokers did not answer: partitions they lead are missing and the exporting state may be incomplete.", view.reads.len()));
    }
    let missing = view.without_leader(None);
    if !missing.is_empty() {
        notes.push(format!(
            "Partition(s) {} have no leader among the configured brokers: their exporting state is unconfirmed.",
            missing.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    (
        health_rows,
        ZeebeTopology {
            exporting,
            partitions,
            note: (!notes.is_empty()).then(|| notes.join(" ")),
        },
    )
}

/// Health and version only: `/actuator/health` says whether it answers.
async fn probe_light(client: &ManagementClient, version: Option<String>) -> ComponentHealth {
    let started = Instant::now();
    let answer = client
        .call(reqwest::Method::GET, "/actuator/health", None)
        .await;
    let result = match answer {
        Ok(a) if a.status.is_success() => Ok(version),
        Ok(a) => Err(a.into_error()),
        Err(e) => Err(e),
    };
    let mut h = health(client, started, result);
    if h.answering && h.version.is_none() {
        h.version = actuator_version(client).await;
    }
    h
}

async fn probe_webapp(client: &WebAppClient, depth: Depth) -> ComponentHealth {
    if depth == Depth::Light {
        return probe_light(client.management(), None).await;
    }
    let started = Instant::now();
    let result = async {
        let backups = client.list_backups().await?;
        let from_info = actuator_version(client.management()).await;
        let from_backups = backups
            .iter()
            .max_by_key(|b| b.backup_id)
            .and_then(|b| b.details.first())
            .and_then(|d| version_from_snapshot_name(&d.snapshot_name));
        Ok(from_info.or(from_backups))
    }
    .await;
    with_info_version(
        health(client.management(), started, result),
        client.management(),
    )
    .await
}

async fn probe_elasticsearch(
    clients: &CamundaClients,
    repository: &str,
    memo: &VerifyMemo,
) -> (ComponentHealth, RepositoryHealth) {
    let es = &clients.elasticsearch;
    let started = Instant::now();
    let root = es.root().await.map(|r| Some(r.version.words()));
    let answering = root.is_ok();
    let health_row = health(es.management(), started, root);
    let mut repo = RepositoryHealth {
        name: repository.to_owned(),
        exists: None,
        verified: None,
        repository_type: None,
        error: None,
    };
    if !answering {
        repo.error =
            Some("Elasticsearch does not answer; the repository cannot be checked.".into());
        return (health_row, repo);
    }
    match es.repository(repository).await {
        Ok(None) => {
            repo.exists = Some(false);
            repo.error = Some(format!(
                "Snapshot repository `{repository}` does not exist in Elasticsearch: register it (PUT /_snapshot/{repository}) with the same name Operate, Tasklist and Optimize use."
            ));
        }
        Ok(Some(info)) => {
            repo.exists = Some(true);
            repo.repository_type = Some(info.kind);
            let verified = match memo.fresh() {
                Some(r) => r,
                None => {
                    let r = es
                        .verify_repository(repository)
                        .await
                        .map(|nodes| nodes > 0)
                        .map_err(|e| e.to_string());
                    memo.keep(r.clone());
                    r
                }
            };
            match verified {
                Ok(v) => repo.verified = Some(v),
                Err(e) => {
                    repo.verified = Some(false);
                    repo.error = Some(format!("Repository verification failed: {e}"));
                }
            }
        }
        Err(e) => repo.error = Some(e.to_string()),
    }
    (health_row, repo)
}
