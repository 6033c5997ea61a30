//! The configuration as written in TOML: plain strings, checked later by `validate`.

use serde::{Deserialize, Serialize};

/// Top-level keys, with their defaults.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// Address the console listens on.
    pub listen: String,
    /// Where runs are journaled (SQLite by default).
    pub database_url: String,
    /// The cluster to manage; absent = start the embedded simulator.
    pub cluster: Option<RawCluster>,
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
}

impl Default for RawTimeouts {
    fn default() -> Self {
        Self {
            webapp_backup_secs: 3600,
            records_snapshot_secs: 1800,
            zeebe_backup_secs: 1800,
            incomplete_grace_secs: 60,
            resume_retry_secs: 300,
        }
    }
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            database_url: "sqlite://console.db".into(),
            cluster: None,
            simulator_state_dir: None,
            simulator_scenario: None,
            probe_interval_secs: 5,
            request_timeout_secs: 10,
            watchdog_resume: false,
            timeouts: RawTimeouts::default(),
        }
    }
}

/// The `[cluster]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub name: String,
    pub zeebe_management_url: String,
    #[serde(default)]
    pub zeebe_broker_management_urls: Vec<String>,
    pub operate_management_url: String,
    pub tasklist_management_url: String,
    pub optimize_management_url: Option<String>,
    pub elasticsearch_url: String,
    pub elasticsearch_username: Option<String>,
    pub elasticsearch_password: Option<String>,
    #[serde(default = "default_repository")]
    pub snapshot_repository: String,
    #[serde(default = "default_prefix")]
    pub zeebe_record_prefix: String,
    #[serde(default = "default_soft_pause")]
    pub soft_pause: bool,
}

fn default_repository() -> String {
    "camunda".into()
}

fn default_prefix() -> String {
    "zeebe-record".into()
}

fn default_soft_pause() -> bool {
    true
}
