//! Turns [`RawSettings`] into checked [`Settings`], naming the key of the first bad value.

use super::credentials::{self, ElasticsearchAuth, ManagementAuth, TlsSettings};
use super::{ConfigError, RawCluster, RawSettings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Checked settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The PostgreSQL password's file (read when connecting).
    pub database_password_file: Option<PathBuf>,
    /// This replica's name and the leader lease.
    pub replica: Replica,
    pub cluster: Option<ClusterSettings>,
    pub simulator_state_dir: Option<PathBuf>,
    pub simulator_scenario: Option<PathBuf>,
    pub probe_interval: Duration,
    pub request_timeout: Duration,
    pub watchdog_resume: bool,
    /// How long a run gets on SIGTERM / SIGINT to stop, resume exporting and journal its end.
    pub shutdown_grace: Duration,
    pub rpo_objective_hours: u64,
    pub history_refresh: Duration,
    pub timeouts: Timeouts,
    /// Schedules, retention and alerts.
    pub automation: Automation,
    /// The unauthenticated `/metrics` listener, when configured.
    pub metrics_listen: Option<SocketAddr>,
    /// Sessions, API tokens and the admin password to set at start-up.
    pub auth: super::AuthSettings,
}

/// This process among the console's replicas.
#[derive(Clone, Debug)]
pub struct Replica {
    /// Shown in the overview and `GET /api/v1/console` (`replica.id`).
    pub id: String,
    /// How long a dead leader's lock may stand before another replica takes over.
    pub lease: Duration,
    /// Where the other replicas reach this one (`None`: the listen address).
    pub url: Option<String>,
}

/// The host name (the pod's name on Kubernetes), or `console-<pid>`.
fn default_replica_id() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| format!("console-{}", std::process::id()))
}

/// The problems of `database_url` and `database_password_file`. The URL is never echoed (it
/// may carry a password).
fn database_problems(raw: &RawSettings) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    let url = raw.database_url.as_str();
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if !postgres && !url.starts_with("sqlite:") {
        problems.push(ConfigError::invalid(
            "database_url",
            "is neither a sqlite: URL (sqlite://console.db) nor a postgres:// URL (postgres://console@postgresql:5432/console)",
        ));
        return problems;
    }
    if postgres {
        match url::Url::parse(url) {
            Err(e) => problems.push(ConfigError::invalid(
                "database_url",
                format!("is not a valid URL ({e})"),
            )),
            Ok(u) => {
                if u.host_str().is_none_or(str::is_empty) {
                    problems.push(ConfigError::invalid("database_url", "names no host"));
                }
                for (k, v) in u.query_pairs() {
                    match &*k {
                        "sslmode"
                            if ![
                                "disable",
                                "allow",
                                "prefer",
                                "require",
                                "verify-ca",
                                "verify-full",
                            ]
                            .contains(&&*v) =>
                        {
                            problems.push(ConfigError::invalid(
                                "database_url",
                                format!("sslmode `{v}` is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                            ));
                        }
                        "sslrootcert" if !std::path::Path::new(&*v).is_file() => {
                            problems.push(ConfigError::invalid(
                                "database_url",
                                format!("sslrootcert `{v}` is not a readable file"),
                            ));
                        }
                        _ => {}
                    }
                }
                if u.password().is_some() && raw.database_password_file.is_some() {
                    problems.push(ConfigError::invalid(
                        "database_password_file",
                        "is set, and database_url carries a password too: keep one (the file)",
                    ));
                }
            }
        }
    } else if raw.database_password_file.is_some() {
        problems.push(ConfigError::invalid(
            "database_password_file",
            "is only for a postgres:// database_url",
        ));
    }
    if let Some(file) = &raw.database_password_file {
        if !std::path::Path::new(file).is_file() {
            problems.push(ConfigError::invalid(
                "database_password_file",
                format!("`{file}` is not a readable file"),
            ));
        }
    }
    problems
}

/// What the scheduler, retention and alerts are told.
#[derive(Clone, Copy, Debug)]
pub struct Automation {
    /// How long a fire waits for a busy slot before it is skipped (and the catch-up window at
    /// start-up).
    pub schedule_wait: Duration,
    pub retention_interval: Duration,
    pub retention_max_deletions_per_pass: u32,
    pub paused_alert: Duration,
}

impl Default for Automation {
    fn default() -> Self {
        Self {
            schedule_wait: Duration::from_secs(1800),
            retention_interval: Duration::from_secs(3600),
            retention_max_deletions_per_pass: 20,
            paused_alert: Duration::from_secs(600),
        }
    }
}

/// Per-step time limits of a backup run.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub webapp_backup: Duration,
    pub records_snapshot: Duration,
    pub zeebe_backup: Duration,
    pub incomplete_grace: Duration,
    pub resume_retry: Duration,
    /// How long a component may be unavailable (transient errors) before a step fails.
    pub unavailable_budget: Duration,
    /// Age after which an `IN_PROGRESS` Zeebe backup that does not change is stale.
    pub stale_backup: Duration,
    pub restore_poll: Duration,
    pub post_restore_checks: Duration,
}

/// Checked `[cluster]` table.
#[derive(Clone, Debug)]
pub struct ClusterSettings {
    pub name: String,
    pub zeebe_management_url: Url,
    pub zeebe_broker_management_urls: Vec<Url>,
    pub operate_management_url: Url,
    pub tasklist_management_url: Url,
    /// Whether Operate's and Tasklist's URLs were configured (else they are the orchestration
    /// cluster's: right for 8.8+, refused before a backup or restore of 8.2–8.7).
    pub webapps_configured: bool,
    pub optimize_management_url: Option<Url>,
    pub elasticsearch_url: Url,
    pub elasticsearch_auth: Option<ElasticsearchAuth>,
    pub management_auth: Option<ManagementAuth>,
    /// 8.10+: the orchestration cluster's REST API (`/v2`, port 8080); `None` = the actuators.
    pub orchestration_rest_url: Option<Url>,
    /// Credentials of the `/v2` REST API.
    pub rest_auth: Option<ManagementAuth>,
    pub tls: TlsSettings,
    pub snapshot_repository: String,
    pub zeebe_record_prefix: String,
    /// The components' index prefixes (`operate`, `tasklist`, `optimize`, `camunda` by default).
    pub index_prefixes: IndexPrefixSettings,
    /// `Some` when configured; `None` = decided from the gateway's version (8.5.1+).
    pub soft_pause: Option<bool>,
    /// `[cluster] camunda_version`: overrides the detected version profile.
    pub camunda_version: Option<String>,
}

/// The index prefixes the components were configured with (Camunda lets each be changed).
/// A component's index is `{prefix}-{name}-{version}_…` (Optimize: `{prefix}-{name}_v{n}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexPrefixSettings {
    pub operate: String,
    pub tasklist: String,
    pub optimize: String,
    /// 8.8+: the orchestration cluster's harmonised indices.
    pub camunda: String,
}

impl Default for IndexPrefixSettings {
    fn default() -> Self {
        Self {
            operate: "operate".into(),
            tasklist: "tasklist".into(),
            optimize: "optimize".into(),
            camunda: "camunda".into(),
        }
    }
}

impl Settings {
    /// Validates every key; the error names the first key that is wrong.
    pub fn validate(raw: RawSettings) -> Result<Self, ConfigError> {
        Self::validate_all(raw).map_err(|mut problems| problems.remove(0))
    }

    /// Validates every key and names every problem it can tell apart (`check-config`): each
    /// top-level key, the first problem of `[cluster]` and the first of `[auth]`. Never an
    /// empty list on `Err`.
    pub fn validate_all(raw: RawSettings) -> Result<Self, Vec<ConfigError>> {
        let mut problems: Vec<ConfigError> = Vec::new();
        let listen: Option<SocketAddr> = match raw.listen.parse() {
            Ok(l) => Some(l),
            Err(e) => {
                problems.push(ConfigError::invalid(
                    "listen",
                    format!(
                        "`{}` is not an address like 127.0.0.1:3000 ({e})",
                        raw.listen
                    ),
                ));
                None
            }
        };
        problems.extend(database_problems(&raw));
        if raw.leader_lease_secs < 3 {
            problems.push(ConfigError::invalid(
                "leader_lease_secs",
                "must be at least 3 (the leader renews every third of it)",
            ));
        }
        if let Some(u) = &raw.replica_url {
            if !Url::parse(u)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            {
                problems.push(ConfigError::invalid(
                    "replica_url",
                    format!("`{u}` is not an http(s) URL like http://10.0.0.7:3000"),
                ));
            }
        }
        if raw.probe_interval_secs == 0 {
            problems.push(ConfigError::invalid(
                "probe_interval_secs",
                "must be at least 1",
            ));
        }
        if raw.rpo_objective_hours == 0 {
            problems.push(ConfigError::invalid(
                "rpo_objective_hours",
                "must be at least 1",
            ));
        }
        if raw.history_refresh_secs == 0 {
            problems.push(ConfigError::invalid(
                "history_refresh_secs",
                "must be at least 1",
            ));
        }
        if raw.shutdown_grace_secs == 0 {
            problems.push(ConfigError::invalid(
                "shutdown_grace_secs",
                "must be at least 1",
            ));
        }
        for (key, value) in [
            ("schedule_wait_secs", raw.schedule_wait_secs),
            ("retention_interval_secs", raw.retention_interval_secs),
            (
                "retention_max_deletions_per_pass",
                u64::from(raw.retention_max_deletions_per_pass),
            ),
            ("paused_alert_secs", raw.paused_alert_secs),
        ] {
            if value == 0 {
                problems.push(ConfigError::invalid(key, "must be at least 1"));
            }
        }
        let metrics_listen = raw
            .metrics_listen
            .as_deref()
            .map(|a| {
                a.parse::<SocketAddr>().map_err(|e| {
                    ConfigError::invalid(
                        "metrics_listen",
                        format!("`{a}` is not an address like 0.0.0.0:9464 ({e})"),
                    )
                })
            })
            .transpose()
            .unwrap_or_else(|e| {
                problems.push(e);
                None
            });
        if metrics_listen.is_some() && metrics_listen == listen {
            problems.push(ConfigError::invalid(
                "metrics_listen",
                "is the same address as `listen`; give the metrics their own port (or leave it out to serve /metrics on `listen` with a token)",
            ));
        }
        if raw.request_timeout_secs == 0 {
            problems.push(ConfigError::invalid(
                "request_timeout_secs",
                "must be at least 1",
            ));
        }
        let t = &raw.timeouts;
        for (key, value) in [
            ("timeouts.webapp_backup_secs", t.webapp_backup_secs),
            ("timeouts.records_snapshot_secs", t.records_snapshot_secs),
            ("timeouts.zeebe_backup_secs", t.zeebe_backup_secs),
            ("timeouts.resume_retry_secs", t.resume_retry_secs),
            (
                "timeouts.unavailable_budget_secs",
                t.unavailable_budget_secs,
            ),
            ("timeouts.stale_backup_secs", t.stale_backup_secs),
            ("timeouts.restore_poll_ms", t.restore_poll_ms),
            (
                "timeouts.post_restore_checks_secs",
                t.post_restore_checks_secs,
            ),
        ] {
            if value == 0 {
                problems.push(ConfigError::invalid(key, "must be at least 1"));
            }
        }
        let timeouts = Timeouts {
            webapp_backup: Duration::from_secs(t.webapp_backup_secs),
            records_snapshot: Duration::from_secs(t.records_snapshot_secs),
            zeebe_backup: Duration::from_secs(t.zeebe_backup_secs),
            incomplete_grace: Duration::from_secs(t.incomplete_grace_secs),
            resume_retry: Duration::from_secs(t.resume_retry_secs),
            unavailable_budget: Duration::from_secs(t.unavailable_budget_secs),
            stale_backup: Duration::from_secs(t.stale_backup_secs),
            restore_poll: Duration::from_millis(t.restore_poll_ms),
            post_restore_checks: Duration::from_secs(t.post_restore_checks_secs),
        };
        if raw.simulate && raw.cluster.is_some() {
            problems.push(ConfigError::invalid(
                "simulate",
                "cannot be combined with a [cluster] table: remove one of them",
            ));
        }
        let cluster = raw
            .cluster
            .map(validate_cluster)
            .transpose()
            .unwrap_or_else(|e| {
                problems.push(e);
                None
            });
        let auth = match super::auth::validate(
            raw.auth,
            raw.admin_password,
            raw.admin_password_file.as_deref(),
        ) {
            Ok(a) => Some(a),
            Err(e) => {
                problems.push(e);
                None
            }
        };
        let (Some(listen), Some(auth), true) = (listen, auth, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(Self {
            listen,
            database_url: raw.database_url,
            database_password_file: raw.database_password_file.map(PathBuf::from),
            replica: Replica {
                id: raw.replica_id.unwrap_or_else(default_replica_id),
                lease: Duration::from_secs(raw.leader_lease_secs),
                url: raw.replica_url.map(|u| u.trim_end_matches('/').to_owned()),
            },
            cluster,
            simulator_state_dir: raw.simulator_state_dir.map(PathBuf::from),
            simulator_scenario: raw.simulator_scenario.map(PathBuf::from),
            probe_interval: Duration::from_secs(raw.probe_interval_secs),
            request_timeout: Duration::from_secs(raw.request_timeout_secs),
            watchdog_resume: raw.watchdog_resume,
            shutdown_grace: Duration::from_secs(raw.shutdown_grace_secs),
            rpo_objective_hours: raw.rpo_objective_hours,
            history_refresh: Duration::from_secs(raw.history_refresh_secs),
            timeouts,
            automation: Automation {
                schedule_wait: Duration::from_secs(raw.schedule_wait_secs),
                retention_interval: Duration::from_secs(raw.retention_interval_secs),
                retention_max_deletions_per_pass: raw.retention_max_deletions_per_pass,
                paused_alert: Duration::from_secs(raw.paused_alert_secs),
            },
            metrics_listen,
            auth,
        })
    }
}

fn validate_cluster(raw: RawCluster) -> Result<ClusterSettings, ConfigError> {
    if raw.name.trim().is_empty() {
        return Err(ConfigError::invalid("cluster.name", "must not be empty"));
    }
    let brokers = raw
        .zeebe_broker_management_urls
        .iter()
        .map(|u| parse_url("cluster.zeebe_broker_management_urls", u))
        .collect::<Result<Vec<_>, _>>()?;
    let password = credentials::secret(
        "cluster.elasticsearch_password",
        "cluster.elasticsearch_password_file",
        raw.elasticsearch_password,
        raw.elasticsearch_password_file.as_deref(),
    )?;
    let api_key = credentials::secret(
        "cluster.elasticsearch_api_key",
        "cluster.elasticsearch_api_key_file",
        raw.elasticsearch_api_key,
        raw.elasticsearch_api_key_file.as_deref(),
    )?;
    let elasticsearch_auth =
        credentials::elasticsearch_auth(raw.elasticsearch_username, password, api_key)?;
    let management_auth =
        credentials::management_auth(&credentials::MANAGEMENT_AUTH, raw.management_auth)?;
    let rest_auth = credentials::management_auth(&credentials::REST_AUTH, raw.rest_auth)?;
    if rest_auth.is_some() && raw.orchestration_rest_url.is_none() {
        return Err(ConfigError::invalid(
            "cluster.rest_auth",
            "is given without cluster.orchestration_rest_url (the REST API it is for, e.g. http://camunda-zeebe-gateway:8080)",
        ));
    }
    let tls = credentials::tls(raw.tls)?;
    validate_repository(&raw.snapshot_repository)?;
    validate_prefix("cluster.zeebe_record_prefix", &raw.zeebe_record_prefix)?;
    let defaults = IndexPrefixSettings::default();
    let index_prefix = |key: &'static str, value: Option<String>, default: String| {
        let value = value.map(|v| v.trim().trim_end_matches('-').to_owned());
        match value {
            Some(v) => validate_prefix(key, &v).map(|()| v),
            None => Ok(default),
        }
    };
    let index_prefixes = IndexPrefixSettings {
        operate: index_prefix(
            "cluster.operate_index_prefix",
            raw.operate_index_prefix,
            defaults.operate,
        )?,
        tasklist: index_prefix(
            "cluster.tasklist_index_prefix",
            raw.tasklist_index_prefix,
            defaults.tasklist,
        )?,
        optimize: index_prefix(
            "cluster.optimize_index_prefix",
            raw.optimize_index_prefix,
            defaults.optimize,
        )?,
        camunda: index_prefix(
            "cluster.camunda_index_prefix",
            raw.camunda_index_prefix,
            defaults.camunda,
        )?,
    };
    // 8.2–8.7 run Operate and Tasklist on their own: configured as such, their URLs are needed.
    let legacy_configured = raw
        .camunda_version
        .as_deref()
        .and_then(crate::profile::parse_minor)
        .is_some_and(|(_, minor)| minor < 8);
    for (key, value) in [
        (
            "cluster.operate_management_url",
            &raw.operate_management_url,
        ),
        (
            "cluster.tasklist_management_url",
            &raw.tasklist_management_url,
        ),
    ] {
        if legacy_configured && value.is_none() {
            return Err(ConfigError::invalid(
                key,
                "required for Camunda 8.2–8.7 (camunda_version), where Operate and Tasklist run on their own",
            ));
        }
    }
    Ok(ClusterSettings {
        name: raw.name,
        zeebe_management_url: parse_url("cluster.zeebe_management_url", &raw.zeebe_management_url)?,
        zeebe_broker_management_urls: brokers,
        operate_management_url: parse_url(
            "cluster.operate_management_url",
            raw.operate_management_url
                .as_deref()
                .unwrap_or(&raw.zeebe_management_url),
        )?,
        tasklist_management_url: parse_url(
            "cluster.tasklist_management_url",
            raw.tasklist_management_url
                .as_deref()
                .unwrap_or(&raw.zeebe_management_url),
        )?,
        webapps_configured: raw.operate_management_url.is_some()
            && raw.tasklist_management_url.is_some(),
        optimize_management_url: raw
            .optimize_management_url
            .as_deref()
            .map(|u| parse_url("cluster.optimize_management_url", u))
            .transpose()?,
        elasticsearch_url: parse_url("cluster.elasticsearch_url", &raw.elasticsearch_url)?,
        elasticsearch_auth,
        management_auth,
        orchestration_rest_url: raw
            .orchestration_rest_url
            .as_deref()
            .map(|u| parse_url("cluster.orchestration_rest_url", u))
            .transpose()?,
        rest_auth,
        tls,
        snapshot_repository: raw.snapshot_repository,
        zeebe_record_prefix: raw.zeebe_record_prefix,
        index_prefixes,
        soft_pause: raw.soft_pause,
        camunda_version: raw
            .camunda_version
            .map(|v| {
                let v = v.trim().to_owned();
                crate::profile::parse_minor(&v)
                    .filter(|(major, _)| *major == 8)
                    .and_then(|(_, minor)| crate::profile::for_minor(minor))
                    .map(|_| v.clone())
                    .ok_or_else(|| {
                        ConfigError::invalid(
                            "cluster.camunda_version",
                            format!("`{v}` is not a Camunda version this console knows: 8.2 to 8.10, e.g. \"8.7\" or \"8.8\""),
                        )
                    })
            })
            .transpose()?,
    })
}

/// Accepts `http(s)://host[:port][/prefix]`; a trailing slash is dropped so paths join cleanly.
fn parse_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim_end_matches('/'))
        .map_err(|e| ConfigError::invalid(key, format!("`{value}` is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::invalid(
            key,
            format!("`{value}` must start with http:// or https://"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::invalid(key, format!("`{value}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::invalid(
            key,
            "must not carry credentials; use [cluster.management_auth], [cluster.rest_auth] or the cluster.elasticsearch_* credential keys",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::invalid(
            key,
            format!("`{value}` must not have a query or fragment"),
        ));
    }
    Ok(url)
}

/// Elasticsearch repository names: lowercase, no wildcards, separators or spaces.
fn validate_repository(name: &str) -> Result<(), ConfigError> {
    let bad = name.is_empty()
        || name.starts_with('_')
        || name
            .chars()
            .any(|c| c.is_uppercase() || c.is_whitespace() || "\\/*?\"<>|,#:".contains(c));
    if bad {
        return Err(ConfigError::invalid(
            "cluster.snapshot_repository",
            format!("`{name}` is not a valid Elasticsearch repository name (lowercase, no spaces, no \\ / * ? \" < > | , # :)"),
        ));
    }
    Ok(())
}

/// An index prefix: the console matches names itself, never by a wildcard it sends.
fn validate_prefix(key: &'static str, prefix: &str) -> Result<(), ConfigError> {
    let bad = prefix.is_empty()
        || prefix.len() > 100
        || prefix.starts_with(['.', '_', '-', '+'])
        || prefix
            .chars()
            .any(|c| c.is_uppercase() || c.is_whitespace() || "\\/*?\"<>|,#:".contains(c));
    if bad {
        return Err(ConfigError::invalid(
            key,
            format!("`{prefix}` is not a valid index prefix (lowercase, up to 100 characters, not starting with . _ - +, no wildcard or comma)"),
        ));
    }
    Ok(())
}
