//! Scenario configuration (`SimConfig`), read from TOML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::AuthConfig;
use crate::error::SimError;
use crate::faults::Fault;
use crate::tls::TlsConfig;

/// How `POST /actuator/exporting/*` answers (spec §4.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportingResponse {
    /// Generation 1/3: HTTP 204 empty body, HTTP 500 `{"message":..}` on failure.
    #[serde(rename = "real_204")]
    Real204,
    /// Generation 2 (8.5.1+, 8.6, 8.7): HTTP 200 with `{"body":..,"status":..,"contentType":null}`.
    #[default]
    #[serde(rename = "wrapped_200")]
    Wrapped200,
}

/// How Operate/Tasklist report errors (spec §5.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebappErrors {
    /// Documented status codes with `{"message": ..}`.
    #[default]
    Documented,
    /// Every error is HTTP 400 `application/problem+json` (8.2–8.7 `ErrorController`).
    #[serde(rename = "legacy_400", alias = "legacy_400_problem_json")]
    Legacy400,
}

/// Fixed ports; absent or 0 means "pick a free port".
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortsConfig {
    /// Zeebe gateway management port.
    pub zeebe_gateway: u16,
    /// Broker management ports, one per broker (missing entries = free port).
    pub brokers: Vec<u16>,
    /// Operate management port.
    pub operate: u16,
    /// Tasklist management port.
    pub tasklist: u16,
    /// Optimize port.
    pub optimize: u16,
    /// Elasticsearch HTTP port.
    pub elasticsearch: u16,
    /// The orchestration cluster's REST port (8.10+ `/v2`; 8080 in a real install).
    pub rest: u16,
    /// Admin API port.
    pub admin: u16,
}

/// Artificial latency applied before answering.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyConfig {
    /// Latency for every request without a more specific entry.
    pub default_ms: u64,
    /// Per operation: keys `"component.operation"` or `"component.*"`.
    pub operations: BTreeMap<String, u64>,
}

impl LatencyConfig {
    /// Latency for one request of `component` (e.g. `operate`, `broker`) and `operation`.
    pub fn for_operation(&self, component: &str, operation: &str) -> u64 {
        let exact = format!("{component}.{operation}");
        let any = format!("{component}.*");
        self.operations
            .get(&exact)
            .or_else(|| self.operations.get(&any))
            .copied()
            .unwrap_or(self.default_ms)
    }
}

/// Durations of the simulated asynchronous work.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimingConfig {
    /// Time a Zeebe partition backup stays `IN_PROGRESS`.
    pub zeebe_partition_backup_ms: u64,
    /// Time each Operate/Tasklist part snapshot stays `IN_PROGRESS`.
    pub webapp_part_ms: u64,
    /// Gap between two web-app parts (GET then derives `INCOMPLETE`).
    pub webapp_part_gap_ms: u64,
    /// Time each Optimize part snapshot stays `IN_PROGRESS`.
    pub optimize_part_ms: u64,
    /// Time an Elasticsearch snapshot created through the ES API stays `IN_PROGRESS`.
    pub es_snapshot_ms: u64,
    /// Time the indices of one snapshot restore stay recovering (a restore with
    /// `wait_for_completion=true` answers after it).
    pub es_restore_ms: u64,
    /// Time the simulated Zeebe restore application runs before it answers (admin API).
    pub zeebe_restore_ms: u64,
}

impl Default for TimingConfig {
    fn default() -> Self {
        Self {
            zeebe_partition_backup_ms: 500,
            webapp_part_ms: 150,
            webapp_part_gap_ms: 50,
            optimize_part_ms: 150,
            es_snapshot_ms: 300,
            es_restore_ms: 50,
            zeebe_restore_ms: 0,
        }
    }
}

/// Seed and identity of the simulated Elasticsearch.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ElasticsearchConfig {
    /// `version.number` of `GET /`.
    pub version: String,
    /// `elasticsearch`, or `opensearch`: `GET /` then says `version.distribution: opensearch`,
    /// and a snapshot request naming `feature_states` (an Elasticsearch-only field) is refused
    /// with 400 (the error text is this simulator's; OpenSearch's exact words were not checked).
    pub distribution: String,
    /// Cluster name of `GET /`.
    pub cluster_name: String,
    /// Register the snapshot repository at start.
    pub seed_repository: bool,
    /// Create a realistic set of Zeebe/Operate/Tasklist/Optimize indices at start.
    pub seed_indices: bool,
    /// Create index templates for Operate/Tasklist/Optimize at start.
    pub seed_templates: bool,
    /// `settings.location` of the seeded `fs` repository.
    pub repository_location: String,
    /// Date suffix of the seeded `zeebe-record_*` indices.
    pub zeebe_index_date: String,
    /// Deleting an index while its owner (Operate, Tasklist, Optimize, or any broker for
    /// `zeebe-record*`) runs makes the owner recreate it empty at once, as its next write would
    /// (ES auto-creates indices). Off by default: deletion then simply deletes.
    pub running_apps_recreate_indices: bool,
    /// Indices of a snapshot restore that recover at once: a node recovers
    /// `cluster.routing.allocation.node_concurrent_recoveries` (default 2) shards at a time, so
    /// "k of n indices recovered" moves in steps of this many, each taking
    /// `timing.es_restore_ms`. 0 recovers every index at once.
    pub concurrent_recoveries: u32,
}

impl Default for ElasticsearchConfig {
    fn default() -> Self {
        Self {
            version: "8.17.4".into(),
            distribution: "elasticsearch".into(),
            cluster_name: "camunda-es".into(),
            seed_repository: true,
            seed_indices: true,
            seed_templates: true,
            repository_location: "/mnt/backups".into(),
            zeebe_index_date: "2025-06-03".into(),
            running_apps_recreate_indices: false,
            concurrent_recoveries: 2,
        }
    }
}

/// The whole scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Camunda version (Zeebe brokers/gateway; default for the others).
    pub version: String,
    /// Operate version (default: `version`).
    pub operate_version: Option<String>,
    /// Tasklist version (default: `version`).
    pub tasklist_version: Option<String>,
    /// Optimize version (default: `version`).
    pub optimize_version: Option<String>,
    /// Number of Zeebe partitions.
    pub partitions: u32,
    /// Number of Zeebe brokers.
    pub brokers: u32,
    /// Replication factor.
    pub replication_factor: u32,
    /// Exporting response generation.
    pub exporting_response: ExportingResponse,
    /// Operate/Tasklist error mode.
    pub webapp_errors: WebappErrors,
    /// Number of parts of an Operate/Tasklist backup.
    pub webapp_parts: u32,
    /// Snapshot repository name configured in Operate/Tasklist (`""` = not configured).
    pub webapp_repository: String,
    /// Snapshot repository name configured in Optimize (`""` = not configured).
    pub optimize_repository: String,
    /// Snapshot repository seeded in Elasticsearch.
    pub es_repository: String,
    /// Directory for persisted state (pause files, backups, ES state).
    pub state_dir: Option<PathBuf>,
    /// Fixed ports.
    pub ports: PortsConfig,
    /// Latency.
    pub latency: LatencyConfig,
    /// Durations of asynchronous work.
    pub timing: TimingConfig,
    /// Elasticsearch identity and seed.
    pub elasticsearch: ElasticsearchConfig,
    /// HTTPS on the component listeners (`[tls]`; default off).
    pub tls: TlsConfig,
    /// Credentials the component listeners demand (`[auth]`; default none).
    pub auth: AuthConfig,
    /// Faults active from the start.
    pub faults: Vec<Fault>,
    /// 8.9+: Zeebe's own backup schedule (`camunda.data.primary-storage.backup.schedule`), an
    /// ISO-8601 duration such as `PT30S` or `PT1H`. With it Zeebe takes `SCHEDULED_BACKUP`s by
    /// itself, generates ids (epoch milliseconds) and refuses a backup id given to it (400).
    pub runtime_backup_schedule: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            version: "8.7.3".into(),
            operate_version: None,
            tasklist_version: None,
            optimize_version: None,
            partitions: 3,
            brokers: 3,
            replication_factor: 3,
            exporting_response: ExportingResponse::default(),
            webapp_errors: WebappErrors::default(),
            webapp_parts: 6,
            webapp_repository: "camunda".into(),
            optimize_repository: "camunda".into(),
            es_repository: "camunda".into(),
            state_dir: None,
            ports: PortsConfig::default(),
            latency: LatencyConfig::default(),
            timing: TimingConfig::default(),
            elasticsearch: ElasticsearchConfig::default(),
            tls: TlsConfig::default(),
            auth: AuthConfig::default(),
            faults: Vec::new(),
            runtime_backup_schedule: None,
        }
    }
}

impl SimConfig {
    /// Parses a scenario from TOML text; absent keys take their defaults.
    pub fn from_toml_str(text: &str) -> Result<Self, SimError> {
        let config: Self =
            toml::from_str(text).map_err(|e| SimError::InvalidScenario(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and parses a scenario file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, SimError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SimError::ReadScenario {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text)
    }

    /// Checks value ranges.
    pub fn validate(&self) -> Result<(), SimError> {
        if self.partitions == 0 || self.brokers == 0 || self.replication_factor == 0 {
            return Err(SimError::InvalidScenario(
                "partitions, brokers and replication_factor must be >= 1".into(),
            ));
        }
        if self.replication_factor > self.brokers {
            return Err(SimError::InvalidScenario(
                "replication_factor must not exceed brokers".into(),
            ));
        }
        if self.webapp_parts == 0 {
            return Err(SimError::InvalidScenario(
                "webapp_parts must be >= 1".into(),
            ));
        }
        Ok(())
    }

    /// Leader broker of partition `p` (1-based): round-robin.
    pub(crate) fn leader(&self, p: u32) -> u32 {
        (p - 1) % self.brokers
    }

    /// Brokers hosting partition `p` (leader first): round-robin over `replication_factor`.
    pub(crate) fn replicas(&self, p: u32) -> Vec<u32> {
        (0..self.replication_factor)
            .map(|k| (p - 1 + k) % self.brokers)
            .collect()
    }

    /// Partitions broker `b` hosts, ascending.
    pub(crate) fn hosted_partitions(&self, b: u32) -> Vec<u32> {
        (1..=self.partitions)
            .filter(|p| self.replicas(*p).contains(&b))
            .collect()
    }

    /// Effective Operate version.
    pub fn operate_version(&self) -> &str {
        self.operate_version.as_deref().unwrap_or(&self.version)
    }

    /// Effective Tasklist version.
    pub fn tasklist_version(&self) -> &str {
        self.tasklist_version.as_deref().unwrap_or(&self.version)
    }

    /// Effective Optimize version.
    pub fn optimize_version(&self) -> &str {
        self.optimize_version.as_deref().unwrap_or(&self.version)
    }

    /// Whether Zeebe reports its backup state (`/actuator/backupRuntime/state`, 8.9+).
    pub fn runtime_state(&self) -> bool {
        self.minor() >= 9
    }

    /// Whether the REST API serves backups and exporting (`/v2/backups/*`, `/v2/exporting/*`;
    /// 8.10+).
    pub fn rest_backups(&self) -> bool {
        self.minor() >= 10
    }

    /// The schedule's period, when a schedule is configured on 8.9+ (`PT<n>S|M|H`).
    pub fn schedule_period(&self) -> Option<std::time::Duration> {
        if !self.runtime_state() {
            return None;
        }
        let text = self.runtime_backup_schedule.as_deref()?.trim();
        let body = text.strip_prefix("PT")?;
        let (n, unit) = body.split_at(body.len().checked_sub(1)?);
        let n: u64 = n.parse().ok()?;
        let secs = match unit {
            "S" => n,
            "M" => n * 60,
            "H" => n * 3600,
            _ => return None,
        };
        (secs > 0).then(|| std::time::Duration::from_secs(secs))
    }

    /// Whether Zeebe chooses backup ids itself (a schedule is configured).
    pub fn generates_ids(&self) -> bool {
        self.schedule_period().is_some()
    }

    fn minor(&self) -> u32 {
        let core = self.version.split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        match (parts.next(), parts.next()) {
            (Some(Some(8)), Some(Some(minor))) => minor,
            _ => 0,
        }
    }

    /// Whether the cluster is an 8.8+ orchestration cluster: Zeebe's backups at
    /// `/actuator/backupRuntime`, Operate's and Tasklist's together at `/actuator/backupHistory`
    /// on the gateway's management port, and no standalone `/actuator/backups` on any of them.
    pub fn unified(&self) -> bool {
        let core = self.version.split(['-', '+']).next().unwrap_or("");
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        matches!((parts.next(), parts.next()), (Some(Some(8)), Some(Some(minor))) if minor >= 8)
    }
}
