//! Turns [`RawSettings`] into checked [`Settings`], naming the key of the first bad value.

use super::{ConfigError, RawCluster, RawSettings};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Checked settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub cluster: Option<ClusterSettings>,
    pub simulator_state_dir: Option<PathBuf>,
    pub simulator_scenario: Option<PathBuf>,
    pub probe_interval: Duration,
    pub request_timeout: Duration,
    pub watchdog_resume: bool,
    pub timeouts: Timeouts,
}

/// Per-step time limits of a backup run.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub webapp_backup: Duration,
    pub records_snapshot: Duration,
    pub zeebe_backup: Duration,
    pub incomplete_grace: Duration,
    pub resume_retry: Duration,
}

/// Elasticsearch basic-auth credentials; the password never leaves the server.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub username: String,
    pub password: SecretString,
}

/// Checked `[cluster]` table.
#[derive(Clone, Debug)]
pub struct ClusterSettings {
    pub name: String,
    pub zeebe_management_url: Url,
    pub zeebe_broker_management_urls: Vec<Url>,
    pub operate_management_url: Url,
    pub tasklist_management_url: Url,
    pub optimize_management_url: Option<Url>,
    pub elasticsearch_url: Url,
    pub elasticsearch_credentials: Option<Credentials>,
    pub snapshot_repository: String,
    pub zeebe_record_prefix: String,
    pub soft_pause: bool,
}

impl Settings {
    /// Validates every key; the error names the first key that is wrong.
    pub fn validate(raw: RawSettings) -> Result<Self, ConfigError> {
        let listen = raw.listen.parse().map_err(|e| {
            ConfigError::invalid(
                "listen",
                format!(
                    "`{}` is not an address like 127.0.0.1:3000 ({e})",
                    raw.listen
                ),
            )
        })?;
        if !raw.database_url.starts_with("sqlite:") {
            return Err(ConfigError::invalid(
                "database_url",
                format!(
                    "`{}` is not a sqlite: URL (e.g. sqlite://console.db); PostgreSQL is not supported yet",
                    raw.database_url
                ),
            ));
        }
        if raw.probe_interval_secs == 0 {
            return Err(ConfigError::invalid(
                "probe_interval_secs",
                "must be at least 1",
            ));
        }
        if raw.request_timeout_secs == 0 {
            return Err(ConfigError::invalid(
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
        ] {
            if value == 0 {
                return Err(ConfigError::invalid(key, "must be at least 1"));
            }
        }
        let timeouts = Timeouts {
            webapp_backup: Duration::from_secs(t.webapp_backup_secs),
            records_snapshot: Duration::from_secs(t.records_snapshot_secs),
            zeebe_backup: Duration::from_secs(t.zeebe_backup_secs),
            incomplete_grace: Duration::from_secs(t.incomplete_grace_secs),
            resume_retry: Duration::from_secs(t.resume_retry_secs),
        };
        let cluster = raw.cluster.map(validate_cluster).transpose()?;
        Ok(Self {
            listen,
            database_url: raw.database_url,
            cluster,
            simulator_state_dir: raw.simulator_state_dir.map(PathBuf::from),
            simulator_scenario: raw.simulator_scenario.map(PathBuf::from),
            probe_interval: Duration::from_secs(raw.probe_interval_secs),
            request_timeout: Duration::from_secs(raw.request_timeout_secs),
            watchdog_resume: raw.watchdog_resume,
            timeouts,
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
    let credentials = match (raw.elasticsearch_username, raw.elasticsearch_password) {
        (None, None) => None,
        (Some(username), Some(password)) if !username.is_empty() => Some(Credentials {
            username,
            password: SecretString::from(password),
        }),
        (Some(_), None) => {
            return Err(ConfigError::invalid(
                "cluster.elasticsearch_password",
                "is required when cluster.elasticsearch_username is set",
            ))
        }
        (_, Some(_)) => {
            return Err(ConfigError::invalid(
                "cluster.elasticsearch_username",
                "is required (and not empty) when cluster.elasticsearch_password is set",
            ))
        }
    };
    validate_repository(&raw.snapshot_repository)?;
    validate_prefix(&raw.zeebe_record_prefix)?;
    Ok(ClusterSettings {
        name: raw.name,
        zeebe_management_url: parse_url("cluster.zeebe_management_url", &raw.zeebe_management_url)?,
        zeebe_broker_management_urls: brokers,
        operate_management_url: parse_url(
            "cluster.operate_management_url",
            &raw.operate_management_url,
        )?,
        tasklist_management_url: parse_url(
            "cluster.tasklist_management_url",
            &raw.tasklist_management_url,
        )?,
        optimize_management_url: raw
            .optimize_management_url
            .as_deref()
            .map(|u| parse_url("cluster.optimize_management_url", u))
            .transpose()?,
        elasticsearch_url: parse_url("cluster.elasticsearch_url", &raw.elasticsearch_url)?,
        elasticsearch_credentials: credentials,
        snapshot_repository: raw.snapshot_repository,
        zeebe_record_prefix: raw.zeebe_record_prefix,
        soft_pause: raw.soft_pause,
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
            "must not carry credentials; use cluster.elasticsearch_username/password",
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

/// The exporter's index prefix; the console appends `*` itself.
fn validate_prefix(prefix: &str) -> Result<(), ConfigError> {
    let bad = prefix.is_empty()
        || prefix
            .chars()
            .any(|c| c.is_uppercase() || c.is_whitespace() || "\\/*?\"<>|,#:".contains(c));
    if bad {
        return Err(ConfigError::invalid(
            "cluster.zeebe_record_prefix",
            format!("`{prefix}` is not a valid index prefix (lowercase, no wildcard or comma; the console adds the `*`)"),
        ));
    }
    Ok(())
}
