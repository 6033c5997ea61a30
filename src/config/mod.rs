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
pub use validate::{Automation, ClusterSettings, IndexPrefixSettings, Settings, Timeouts};

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

/// Loads the settings with an explicit environment provider (tests use `Env::raw()` jails).
pub fn load_from(file: Option<&Path>, env: Env) -> Result<Settings, ConfigError> {
    let mut figment = Figment::from(Serialized::defaults(RawSettings::default()));
    if let Some(path) = file {
        if !path.exists() {
            return Err(ConfigError::MissingFile {
                path: path.to_path_buf(),
            });
        }
        figment = figment.merge(Toml::file(path));
    }
    let raw: RawSettings = figment
        .merge(env)
        .extract()
        .map_err(|e| ConfigError::Load {
            source: Box::new(e),
        })?;
    if let Some(path) = file {
        if raw.cluster.is_none() && !raw.simulate {
            return Err(ConfigError::invalid(
                "cluster",
                format!(
                    "the configuration file {} has no [cluster] table. Add one to manage a real cluster, or set `simulate = true` to run against the embedded simulator on purpose",
                    path.display()
                ),
            ));
        }
    }
    Settings::validate(raw)
}

#[cfg(test)]
mod tests;
