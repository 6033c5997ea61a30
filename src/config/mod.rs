//! The console's configuration: a TOML file (`--config PATH` or `CONSOLE_CONFIG`) with every key
//! overridable by `CONSOLE_<KEY>` environment variables (nested keys joined with `__`).
//!
//! Loading happens in two stages: figment merges defaults, file and environment into [`RawSettings`]
//! (a missing or mistyped key is reported with its name), then [`Settings::validate`] turns the raw
//! strings into checked types and names the key of the first value that is wrong.

mod auth;
mod credentials;
mod raw;
mod validate;

pub use auth::{ApiToken, AuthSettings, IpNet, OidcSettings, RawApiToken, RawAuth, RawOidc};
pub use credentials::{Credentials, ElasticsearchAuth, ManagementAuth, SecretPem, TlsSettings};
pub use raw::{RawCluster, RawManagementAuth, RawSecret, RawSettings, RawTimeouts, RawTls};
pub use validate::{Automation, ClusterSettings, IndexPrefixSettings, Replica, Settings, Timeouts};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use std::path::{Path, PathBuf};

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path} does not exist")]
    MissingFile { path: PathBuf },
    #[error("configuration is invalid: {source}")]
    Load {
        #[source]
        source: Box<figment::Error>,
    },
    #[error("configuration key `{key}` is invalid: {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl ConfigError {
    pub(crate) fn invalid(key: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key,
            reason: reason.into(),
        }
    }
}

/// Environment variables that configure the process but are not settings keys.
const NOT_KEYS: &[&str] = &["config"];

/// Loads the settings from an optional file plus the process environment.
pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
    load_from(file, Env::prefixed("CONSOLE_").split("__").ignore(NOT_KEYS))
}

/// Every problem of the configuration `file` (with the process environment), for
/// `camunda-backup-console check-config`: each key that cannot be read, then every invalid
/// value it can tell apart. Empty when the console would start with it.
pub fn check(file: Option<&Path>) -> Vec<ConfigError> {
    let env = Env::prefixed("CONSOLE_").split("__").ignore(NOT_KEYS);
    match raw_from(file, env) {
        Err(RawError::One(e)) => vec![e],
        Err(RawError::Figment(e)) => (*e)
            .into_iter()
            .map(|e| ConfigError::Load {
                source: Box::new(e),
            })
            .collect(),
        Ok(raw) => Settings::validate_all(raw).err().unwrap_or_default(),
    }
}

enum RawError {
    One(ConfigError),
    Figment(Box<figment::Error>),
}

/// The raw settings of `file` and `env`, or why they cannot be read.
fn raw_from(file: Option<&Path>, env: Env) -> Result<RawSettings, RawError> {
    let mut figment = Figment::from(Serialized::defaults(RawSettings::default()));
    if let Some(path) = file {
        if !path.exists() {
            return Err(RawError::One(ConfigError::MissingFile {
                path: path.to_path_buf(),
            }));
        }
        figment = figment.merge(Toml::file(path));
    }
    let raw: RawSettings = figment
        .merge(env)
        .extract()
        .map_err(|e| RawError::Figment(Box::new(e)))?;
    if let Some(path) = file {
        if raw.cluster.is_none() && !raw.simulate {
            return Err(RawError::One(ConfigError::invalid(
                "cluster",
                format!(
                    "the configuration file {} has no [cluster] table. Add one to manage a real cluster, or set `simulate = true` to run against the embedded simulator on purpose",
                    path.display()
                ),
            )));
        }
    }
    Ok(raw)
}

/// Loads the settings with an explicit environment provider (tests use `Env::raw()` jails).
pub fn load_from(file: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
    let raw = raw_from(file, env).map_err(|e| match e {
        RawError::One(e) => e,
        RawError::Figment(e) => ConfigError::Load { source: e },
    })?;
    Settings::validate(raw)
}

#[cfg(test)]
mod tests;
