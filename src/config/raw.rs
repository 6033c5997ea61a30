//! The configuration as written in TOML: plain strings, checked later by `validate`.

use serde::{Deserialize, Serialize};

/// A secret as written in the configuration: its `Debug` never shows the value, and neither
/// does a type error (figment reads `CONSOLE_…=123456` as a number, whose type error would
/// print it): numbers and booleans are taken as their text.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RawSecret(pub String);

impl<'de> Deserialize<'de> for RawSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Any {
            Text(String),
            Unsigned(u64),
            Signed(i64),
            Flag(bool),
        }
        match Any::deserialize(d) {
            Ok(Any::Text(s)) => Ok(Self(s)),
            Ok(Any::Unsigned(n)) => Ok(Self(n.to_string())),
            Ok(Any::Signed(n)) => Ok(Self(n.to_string())),
            Ok(Any::Flag(b)) => Ok(Self(b.to_string())),
            Err(_) => Err(serde::de::Error::custom(
                "a secret must be text (its value is not shown); prefer the <key>_file form",
            )),
        }
    }
}

impl std::fmt::Debug for RawSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl From<&str> for RawSecret {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Top-level keys, with their defaults.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// Address the console listens on.
    pub listen: String,
    /// Where runs are journaled: `sqlite://FILE` (the default) or `postgres://USER@HOST/DB`
    /// (TLS with `?sslmode=verify-full&sslrootcert=/path/ca.pem`).
    pub database_url: String,
    /// A file holding the PostgreSQL password (`CONSOLE_DATABASE_PASSWORD_FILE`), so the URL
    /// carries none.
    pub database_password_file: Option<String>,
    /// This replica's name in the overview and `GET /api/v1/console` (default: the host name,
    /// which is the pod's name on Kubernetes).
    pub replica_id: Option<String>,
    /// Where the other replicas reach this one (they forward starts and confirmations to the
    /// leader), e.g. `http://$(POD_IP):3000`. Default: the listen address (its loopback for
    /// `0.0.0.0`).
    pub replica_url: Option<String>,
    /// Several replicas on one PostgreSQL: how long a dead leader's lock may stand before
    /// another replica takes over.
    pub leader_lease_secs: u64,
    /// The cluster to manage. Absent: the embedded simulator, but only when no configuration
    /// file was given at all, or with `simulate = true`.
    pub cluster: Option<RawCluster>,
    /// Run against the embedded simulator on purpose (a file without `[cluster]` is refused).
    pub simulate: bool,
    /// The `admin` user's password, set at start-up (`CONSOLE_ADMIN_PASSWORD`). Without it and
    /// without users, a password is generated and shown once on the console's output.
    pub admin_password: Option<RawSecret>,
    /// A file holding the `admin` user's password (`CONSOLE_ADMIN_PASSWORD_FILE`).
    pub admin_password_file: Option<String>,
    /// `[auth]`: sessions and API tokens.
    pub auth: super::RawAuth,
    /// Where the embedded simulator keeps its state (only used without `[cluster]`).
    pub simulator_state_dir: Option<String>,
    /// A simulator scenario TOML (timings, faults) for the embedded simulator.
    pub simulator_scenario: Option<String>,
    /// Seconds between two probes of the cluster for the overview and the watchdog.
    pub probe_interval_secs: u64,
    /// Timeout of one management API request, in seconds.
    pub request_timeout_secs: u64,
    /// Resume exporting when the watchdog finds it paused with no run of ours holding the pause.
    pub watchdog_resume: bool,
    /// On SIGTERM / SIGINT: how long a running backup gets to stop, resume exporting and journal
    /// its end before the process exits (keep it under Kubernetes' 30 s grace period).
    pub shutdown_grace_secs: u64,
    /// The newest restorable backup should be younger than this (the history turns red).
    pub rpo_objective_hours: u64,
    /// How often the history re-reads the components' backup lists and the repository.
    pub history_refresh_secs: u64,
    /// A schedule that fires while a backup or restore runs waits this long for the slot, then
    /// is recorded as skipped; at start-up, a fire missed by less than this runs once.
    pub schedule_wait_secs: u64,
    /// How often the retention policy runs (it also runs after every backup run).
    pub retention_interval_secs: u64,
    /// The most sets one retention pass deletes (a policy change cannot hammer the store).
    pub retention_max_deletions_per_pass: u32,
    /// Exporting paused outside any run for longer than this raises `exporting.paused_too_long`.
    pub paused_alert_secs: u64,
    /// A second address serving only `GET /metrics`, without authentication, for in-cluster
    /// scraping (e.g. `0.0.0.0:9464`). Absent: `/metrics` on `listen`, with a viewer token.
    pub metrics_listen: Option<String>,
    /// Per-step time limits of a backup run.
    pub timeouts: RawTimeouts,
}

/// `[timeouts]`, all in seconds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTimeouts {
    /// Waiting for Operate, Tasklist and Optimize to complete their backups.
    pub webapp_backup_secs: u64,
    /// Waiting for the zeebe-record snapshot (inside the pause window).
    pub records_snapshot_secs: u64,
    /// Waiting for the Zeebe backup (inside the pause window).
    pub zeebe_backup_secs: u64,
    /// How long `INCOMPLETE` (or an unknown id right after taking) counts as transient.
    pub incomplete_grace_secs: u64,
    /// How long resuming exporting is retried before the run gives up and alerts.
    pub resume_retry_secs: u64,
    /// How long a component may be unavailable (5xx, timeouts, refused connections, a body
    /// that is not JSON) before the step fails.
    pub unavailable_budget_secs: u64,
    /// A Zeebe backup `IN_PROGRESS` unchanged for longer is stale (camunda/camunda#41200): it
    /// is shown with the remedy and no longer blocks a new backup.
    pub stale_backup_secs: u64,
    /// How often a restore looks at the cluster while it waits (operator steps, recoveries).
    pub restore_poll_ms: u64,
    /// How long the post-restore checks may take to pass (the apps take a while to start).
    pub post_restore_checks_secs: u64,
}

impl Default for RawTimeouts {
    fn default() -> Self {
        Self {
            webapp_backup_secs: 3600,
            records_snapshot_secs: 1800,
            zeebe_backup_secs: 1800,
            incomplete_grace_secs: 60,
            resume_retry_secs: 300,
            unavailable_budget_secs: 60,
            stale_backup_secs: 3600,
            restore_poll_ms: 1000,
            post_restore_checks_secs: 300,
        }
    }
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            database_url: "sqlite://console.db".into(),
            database_password_file: None,
            replica_id: None,
            replica_url: None,
            leader_lease_secs: 15,
            cluster: None,
            simulate: false,
            admin_password: None,
            admin_password_file: None,
            auth: super::RawAuth::default(),
            simulator_state_dir: None,
            simulator_scenario: None,
            probe_interval_secs: 5,
            request_timeout_secs: 10,
            watchdog_resume: false,
            shutdown_grace_secs: 25,
            rpo_objective_hours: 24,
            history_refresh_secs: 30,
            schedule_wait_secs: 1800,
            retention_interval_secs: 3600,
            retention_max_deletions_per_pass: 20,
            paused_alert_secs: 600,
            metrics_listen: None,
            timeouts: RawTimeouts::default(),
        }
    }
}

/// The `[cluster]` table.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub name: String,
    /// The Zeebe gateway's management URL; 8.8+: the orchestration cluster's (port 9600).
    #[serde(alias = "orchestration_management_url")]
    pub zeebe_management_url: String,
    #[serde(default)]
    pub zeebe_broker_management_urls: Vec<String>,
    /// 8.2–8.7 only (Operate and Tasklist run on their own); absent on 8.8+, where they are
    /// part of the orchestration cluster.
    pub operate_management_url: Option<String>,
    pub tasklist_management_url: Option<String>,
    pub optimize_management_url: Option<String>,
    pub elasticsearch_url: String,
    pub elasticsearch_username: Option<String>,
    pub elasticsearch_password: Option<RawSecret>,
    pub elasticsearch_password_file: Option<String>,
    /// Elasticsearch API key (the encoded form), sent as `Authorization: ApiKey <key>`.
    pub elasticsearch_api_key: Option<RawSecret>,
    pub elasticsearch_api_key_file: Option<String>,
    #[serde(default = "default_repository")]
    pub snapshot_repository: String,
    #[serde(default = "default_prefix")]
    pub zeebe_record_prefix: String,
    /// Operate's index prefix (`camunda.operate.elasticsearch.indexPrefix`; default `operate`).
    pub operate_index_prefix: Option<String>,
    /// Tasklist's index prefix (`camunda.tasklist.elasticsearch.indexPrefix`; default `tasklist`).
    pub tasklist_index_prefix: Option<String>,
    /// Optimize's index prefix (`es.settings.index.prefix`; default `optimize`).
    pub optimize_index_prefix: Option<String>,
    /// 8.8+: the prefix of the orchestration cluster's harmonised indices (default `camunda`;
    /// with `camunda.data.secondary-storage.elasticsearch.index-prefix` = `p` it is `p-camunda`,
    /// and Operate's and Tasklist's are `p-operate` and `p-tasklist`).
    pub camunda_index_prefix: Option<String>,
    /// Pause exporting softly (`?soft=true`). Absent: decided from the gateway's version.
    pub soft_pause: Option<bool>,
    /// The Camunda minor (`"8.7"`, `"8.8"`); absent: detected from `/actuator/info`.
    pub camunda_version: Option<String>,
    #[serde(default)]
    pub tls: RawTls,
    /// Credentials for the Zeebe, Operate, Tasklist and Optimize actuators.
    pub management_auth: Option<RawManagementAuth>,
    /// 8.10+: the orchestration cluster's REST API (port 8080); with it the backup runs on the
    /// authenticated `/v2` API instead of the actuators.
    pub orchestration_rest_url: Option<String>,
    /// Credentials for the `/v2` REST API (basic or bearer, like `management_auth`).
    pub rest_auth: Option<RawManagementAuth>,
}

/// `[cluster.tls]`: trust and client identity for every `https://` component URL.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTls {
    /// PEM bundle trusted in addition to the system roots.
    pub ca_file: Option<String>,
    /// Client certificate (PEM) for mutual TLS, with `client_key_file`.
    pub client_cert_file: Option<String>,
    pub client_key_file: Option<String>,
    /// Accept any server certificate. For tests only; logged loudly at start-up.
    pub insecure_skip_verify: bool,
}

/// `[cluster.management_auth]`: basic (`username` + `password`) or `bearer_token`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawManagementAuth {
    pub username: Option<String>,
    pub password: Option<RawSecret>,
    pub password_file: Option<String>,
    pub bearer_token: Option<RawSecret>,
    pub bearer_token_file: Option<String>,
}

fn default_repository() -> String {
    "camunda".into()
}

fn default_prefix() -> String {
    "zeebe-record".into()
}
