//! Credentials and TLS material: each secret given inline (or by a `CONSOLE_*` environment
//! variable) or as `<key>_file`, read once at start-up, checked here so that a bad file or a
//! half-given credential stops start-up naming the key. Secrets are `SecretString`s: their
//! `Debug` is redacted and they never leave the server.

use super::raw::{RawManagementAuth, RawSecret, RawTls};
use super::ConfigError;
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// Basic-auth credentials; the password never leaves the server.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub username: String,
    pub password: SecretString,
}

/// How the console authenticates to Elasticsearch.
#[derive(Clone, Debug)]
pub enum ElasticsearchAuth {
    Basic(Credentials),
    /// `Authorization: ApiKey <key>` (the encoded key).
    ApiKey(SecretString),
}

/// How the console authenticates to the Zeebe, Operate, Tasklist and Optimize actuators.
#[derive(Clone, Debug)]
pub enum ManagementAuth {
    Basic(Credentials),
    Bearer(SecretString),
}

/// Checked `[cluster.tls]`: the PEM material, read and parsed at start-up.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Extra trusted CA certificates (PEM bundle) and the file they came from.
    pub ca: Option<(PathBuf, Vec<u8>)>,
    /// Client certificate chain followed by its private key, PEM (for `reqwest::Identity`).
    pub client_identity: Option<SecretPem>,
    pub insecure_skip_verify: bool,
}

/// PEM text holding a private key: redacted in `Debug`.
#[derive(Clone)]
pub struct SecretPem(pub Vec<u8>);

impl std::fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretPem([redacted])")
    }
}

/// The value of `key` given inline or as `key_file` (not both); a file's trailing newline is
/// dropped, as editors and `kubectl create secret --from-file` add one.
pub(super) fn secret(
    key: &'static str,
    file_key: &'static str,
    inline: Option<RawSecret>,
    file: Option<&str>,
) -> Result<Option<SecretString>, ConfigError> {
    match (inline, file) {
        (Some(_), Some(_)) => Err(ConfigError::invalid(
            key,
            format!("is given twice: remove either `{key}` or `{file_key}`"),
        )),
        (Some(v), None) => Ok(Some(SecretString::from(v.0))),
        (None, Some(path)) => {
            let text = read(file_key, Path::new(path))?;
            let text = String::from_utf8(text).map_err(|_| {
                ConfigError::invalid(file_key, format!("`{path}` is not UTF-8 text"))
            })?;
            let value = text.trim_end_matches(['\n', '\r']).to_owned();
            if value.is_empty() {
                return Err(ConfigError::invalid(file_key, format!("`{path}` is empty")));
            }
            Ok(Some(SecretString::from(value)))
        }
        (None, None) => Ok(None),
    }
}

fn read(key: &'static str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path)
        .map_err(|e| ConfigError::invalid(key, format!("cannot read `{}`: {e}", path.display())))
}

/// Elasticsearch: basic auth (username + password) or an API key, not both.
pub(super) fn elasticsearch_auth(
    username: Option<String>,
    password: Option<SecretString>,
    api_key: Option<SecretString>,
) -> Result<Option<ElasticsearchAuth>, ConfigError> {
    if api_key.is_some() && (username.is_some() || password.is_some()) {
        return Err(ConfigError::invalid(
            "cluster.elasticsearch_api_key",
            "use either an API key or elasticsearch_username/_password, not both",
        ));
    }
    if let Some(key) = api_key {
        return Ok(Some(ElasticsearchAuth::ApiKey(key)));
    }
    basic(
        "cluster.elasticsearch_username",
        "cluster.elasticsearch_password",
        username,
        password,
    )
    .map(|c| c.map(ElasticsearchAuth::Basic))
}

/// The keys of one basic-or-bearer credential table.
pub(super) struct AuthKeys {
    pub table: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub password_file: &'static str,
    pub bearer_token: &'static str,
    pub bearer_token_file: &'static str,
}

/// `[cluster.management_auth]`.
pub(super) const MANAGEMENT_AUTH: AuthKeys = AuthKeys {
    table: "cluster.management_auth",
    username: "cluster.management_auth.username",
    password: "cluster.management_auth.password",
    password_file: "cluster.management_auth.password_file",
    bearer_token: "cluster.management_auth.bearer_token",
    bearer_token_file: "cluster.management_auth.bearer_token_file",
};

/// `[cluster.rest_auth]` (8.10+ `/v2` REST API).
pub(super) const REST_AUTH: AuthKeys = AuthKeys {
    table: "cluster.rest_auth",
    username: "cluster.rest_auth.username",
    password: "cluster.rest_auth.password",
    password_file: "cluster.rest_auth.password_file",
    bearer_token: "cluster.rest_auth.bearer_token",
    bearer_token_file: "cluster.rest_auth.bearer_token_file",
};

/// A basic-or-bearer credential table (`[cluster.management_auth]`, `[cluster.rest_auth]`):
/// one of the two, not both.
pub(super) fn management_auth(
    keys: &AuthKeys,
    raw: Option<RawManagementAuth>,
) -> Result<Option<ManagementAuth>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let password = secret(
        keys.password,
        keys.password_file,
        raw.password,
        raw.password_file.as_deref(),
    )?;
    let token = secret(
        keys.bearer_token,
        keys.bearer_token_file,
        raw.bearer_token,
        raw.bearer_token_file.as_deref(),
    )?;
    if token.is_some() && (raw.username.is_some() || password.is_some()) {
        return Err(ConfigError::invalid(
            keys.bearer_token,
            "use either a bearer token or username/password, not both",
        ));
    }
    if let Some(token) = token {
        return Ok(Some(ManagementAuth::Bearer(token)));
    }
    let creds = basic(keys.username, keys.password, raw.username, password)?;
    match creds {
        Some(c) => Ok(Some(ManagementAuth::Basic(c))),
        None => Err(ConfigError::invalid(
            keys.table,
            "is empty: give username and password, or bearer_token (or remove the table)",
        )),
    }
}

fn basic(
    user_key: &'static str,
    password_key: &'static str,
    username: Option<String>,
    password: Option<SecretString>,
) -> Result<Option<Credentials>, ConfigError> {
    match (username, password) {
        (None, None) => Ok(None),
        (Some(username), Some(password)) => {
            if username.is_empty() {
                Err(ConfigError::invalid(user_key, "must not be empty"))
            } else if password.expose_secret().is_empty() {
                Err(ConfigError::invalid(password_key, "must not be empty"))
            } else {
                Ok(Some(Credentials { username, password }))
            }
        }
        (Some(_), None) => Err(ConfigError::invalid(
            password_key,
            format!("is required when {user_key} is set"),
        )),
        (None, Some(_)) => Err(ConfigError::invalid(
            user_key,
            format!("is required when {password_key} is set"),
        )),
    }
}

/// Reads and checks `[cluster.tls]`.
pub(super) fn tls(raw: RawTls) -> Result<TlsSettings, ConfigError> {
    let ca = match raw.ca_file {
        Some(path) => {
            let pem = read("cluster.tls.ca_file", Path::new(&path))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                ConfigError::invalid(
                    "cluster.tls.ca_file",
                    format!("`{path}` is not a PEM certificate bundle: {e}"),
                )
            })?;
            if certs.is_empty() {
                return Err(ConfigError::invalid(
                    "cluster.tls.ca_file",
                    format!("`{path}` holds no PEM certificate"),
                ));
            }
            Some((PathBuf::from(path), pem))
        }
        None => None,
    };
    let client_identity = match (raw.client_cert_file, raw.client_key_file) {
        (None, None) => None,
        (Some(cert), Some(key)) => {
            let mut pem = read("cluster.tls.client_cert_file", Path::new(&cert))?;
            pem.push(b'\n');
            pem.extend(read("cluster.tls.client_key_file", Path::new(&key))?);
            reqwest::Identity::from_pem(&pem).map_err(|e| {
                ConfigError::invalid(
                    "cluster.tls.client_cert_file",
                    format!("`{cert}` with `{key}` is not a PEM certificate and private key: {e}"),
                )
            })?;
            Some(SecretPem(pem))
        }
        (Some(_), None) => {
            return Err(ConfigError::invalid(
                "cluster.tls.client_key_file",
                "is required when cluster.tls.client_cert_file is set",
            ))
        }
        (None, Some(_)) => {
            return Err(ConfigError::invalid(
                "cluster.tls.client_cert_file",
                "is required when cluster.tls.client_key_file is set",
            ))
        }
    };
    Ok(TlsSettings {
        ca,
        client_identity,
        insecure_skip_verify: raw.insecure_skip_verify,
    })
}
