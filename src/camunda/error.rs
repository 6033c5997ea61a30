//! The error every client call can end with, naming the component and the URL.

use crate::domain::ComponentKind;
use std::time::Duration;

/// A failed management API call. Every variant names the component and the URL it called.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{component} at {url} could not be reached (connection refused or DNS failure); check that it runs and that the URL is right")]
    Unreachable {
        component: ComponentKind,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{component} at {url}: the TLS connection failed ({problem}). If the certificate is signed by a private CA, put that CA in cluster.tls.ca_file; if the server asks for a client certificate, set cluster.tls.client_cert_file and client_key_file")]
    Tls {
        component: ComponentKind,
        url: String,
        problem: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{component} refused the console's credentials: HTTP {status} to {method} {url} ({message}). Check {}", if *rest { REST_SETTING } else { credential_setting(*component) })]
    Unauthorized {
        component: ComponentKind,
        method: &'static str,
        url: String,
        status: u16,
        message: String,
        /// Sent to the 8.10+ `/v2` REST API (its credentials are `[cluster.rest_auth]`).
        rest: bool,
    },
    /// 8.10+ `/v2`: authenticated, but without the Camunda permission the call needs.
    #[error("{component}: the console's identity lacks the Camunda permission {permission}, needed for {method} {url} (HTTP 403: {message}). Grant {permission} to the user or client of [cluster.rest_auth] in the orchestration cluster (an authorization, or a role that has it), then try again")]
    Forbidden {
        component: ComponentKind,
        method: &'static str,
        url: String,
        permission: String,
        message: String,
    },
    #[error("{component} did not answer {url} within {} s", timeout.as_secs_f32())]
    Timeout {
        component: ComponentKind,
        url: String,
        timeout: Duration,
    },
    #[error("{component} answered HTTP {status} to {method} {url}: {message}")]
    Status {
        component: ComponentKind,
        method: &'static str,
        url: String,
        status: u16,
        message: String,
    },
    #[error("{component} sent an answer to {url} that is not the expected JSON ({source}); it starts with: {excerpt}")]
    Decode {
        component: ComponentKind,
        url: String,
        excerpt: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("request to {component} at {url} failed")]
    Transport {
        component: ComponentKind,
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("could not create the HTTP client")]
    Build(#[source] reqwest::Error),
    #[error("could not set up TLS from [cluster.tls]")]
    TlsConfig(#[source] super::tls::TlsConfigError),
    /// The console refused to send a request (a name that is not one concrete index).
    #[error("{0}")]
    Refused(String),
}

impl ClientError {
    /// Whether trying again later may succeed (network trouble, 5xx from a gateway).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Timeout { .. } | Self::Transport { .. } => true,
            Self::Status {
                status: 400,
                component: ComponentKind::Operate | ComponentKind::Tasklist,
                message,
                ..
            } => legacy_transient(message),
            Self::Status { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            // A body that is not JSON is what a proxy or a restarting gateway sends.
            Self::Decode { .. } => true,
            Self::Tls { .. }
            | Self::Unauthorized { .. }
            | Self::Forbidden { .. }
            | Self::Build(_)
            | Self::TlsConfig(_)
            | Self::Refused(_) => false,
        }
    }

    /// The HTTP status, when the component answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Unauthorized { status, .. } => Some(*status),
            Self::Forbidden { .. } => Some(403),
            _ => None,
        }
    }

    /// The component's own words, when it answered with an error.
    pub fn component_message(&self) -> Option<&str> {
        match self {
            Self::Status { message, .. }
            | Self::Unauthorized { message, .. }
            | Self::Forbidden { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether the connection was refused: nothing listens there (the process is stopped, or
    /// a Service without endpoints rejects it).
    pub fn is_connection_refused(&self) -> bool {
        let Self::Unreachable { source, .. } = self else {
            return false;
        };
        causes(source).any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        })
    }

    /// Whether the host name does not exist (any more): a StatefulSet pod's DNS name is gone
    /// while the pod is scaled away. A temporary resolver failure is not this.
    pub fn is_name_gone(&self) -> bool {
        let Self::Unreachable { source, .. } = self else {
            return false;
        };
        causes(source).any(|c| {
            let text = c.to_string().to_lowercase();
            text.contains("name or service not known")
                || text.contains("no address associated with hostname")
                || text.contains("nodename nor servname provided")
                || text.contains("no such host")
        })
    }

    /// Whether the component answered at all (an HTTP status or a body).
    pub fn component_answered(&self) -> bool {
        matches!(
            self,
            Self::Status { .. }
                | Self::Decode { .. }
                | Self::Unauthorized { .. }
                | Self::Forbidden { .. }
        )
    }
}

/// An error's causes, the error itself first.
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |c| c.source())
}

/// Operate and Tasklist 8.2–8.7 answer *every* error with 400 (§5.4), including their own
/// trouble reaching Elasticsearch, which is transient.
fn legacy_transient(message: &str) -> bool {
    let m = message.to_lowercase();
    m.contains("error connecting")
        || m.contains("connection refused")
        || m.contains("timed out")
        || m.contains("timeout")
}

/// The configuration table of the `/v2` REST API's credentials.
const REST_SETTING: &str =
    "[cluster.rest_auth] (username and password, or bearer_token, of a user or client of the orchestration cluster)";

/// The permission a 403 of the `/v2` API names (`Unauthorized to perform operation 'CREATE'
/// on resource 'BACKUP'`, or `any of the operations: 'RESTORE' on 'BACKUP' or 'UPDATE' on
/// 'SYSTEM'`), else the one the request needs by its path.
pub(crate) fn permission_of(message: &str, method: &str, url: &str) -> String {
    let quoted: Vec<&str> = message.split('\'').skip(1).step_by(2).collect();
    if message.contains("on resource") && quoted.len() == 2 {
        return format!("{}:{}", quoted[1], quoted[0]);
    }
    if message.contains("any of the operations")
        && quoted.len() >= 2
        && quoted.len().is_multiple_of(2)
    {
        return quoted
            .chunks(2)
            .map(|c| format!("{}:{}", c[1], c[0]))
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let path = url.find("/v2/").map(|i| &url[i..]).unwrap_or(url);
    crate::profile::v2_permission(method, path)
        .unwrap_or("(not named by the cluster)")
        .to_owned()
}

/// The configuration keys that hold a component's credentials.
fn credential_setting(component: ComponentKind) -> &'static str {
    match component {
        ComponentKind::Elasticsearch => {
            "cluster.elasticsearch_api_key, or cluster.elasticsearch_username and elasticsearch_password (the user needs the snapshot privileges)"
        }
        _ => "[cluster.management_auth] (username and password, or bearer_token)",
    }
}

#[cfg(test)]
mod tests {
    use super::permission_of;

    #[test]
    fn the_missing_permission_is_read_from_the_403_or_the_path() {
        assert_eq!(
            permission_of(
                "Unauthorized to perform operation 'CREATE' on resource 'BACKUP'",
                "POST",
                "http://c:8080/v2/backups/history"
            ),
            "BACKUP:CREATE"
        );
        assert_eq!(
            permission_of(
                "Unauthorized to perform any of the operations: 'RESTORE' on 'BACKUP' or 'UPDATE' on 'SYSTEM'",
                "PATCH",
                "http://c:8080/v2/mode"
            ),
            "BACKUP:RESTORE or SYSTEM:UPDATE"
        );
        assert_eq!(
            permission_of("Forbidden", "GET", "http://c:8080/v2/backups/runtime/3"),
            "BACKUP:READ"
        );
        assert!(permission_of(
            "Forbidden",
            "POST",
            "http://c:8080/v2/exporting/pause?soft=true"
        )
        .starts_with("EXPORTER:PAUSE"));
    }
}
