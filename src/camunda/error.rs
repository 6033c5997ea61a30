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
    #[error("{component} refused the console's credentials: HTTP {status} to {method} {url} ({message}). Check {}", credential_setting(*component))]
    Unauthorized {
        component: ComponentKind,
        method: &'static str,
        url: String,
        status: u16,
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
            Self::Tls { .. } | Self::Unauthorized { .. } | Self::Build(_) | Self::Refused(_) => {
                false
            }
        }
    }

    /// The HTTP status, when the component answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Unauthorized { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The component's own words, when it answered with an error.
    pub fn component_message(&self) -> Option<&str> {
        match self {
            Self::Status { message, .. } | Self::Unauthorized { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Whether the component answered at all (an HTTP status or a body).
    pub fn component_answered(&self) -> bool {
        matches!(
            self,
            Self::Status { .. } | Self::Decode { .. } | Self::Unauthorized { .. }
        )
    }
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

/// The configuration keys that hold a component's credentials.
fn credential_setting(component: ComponentKind) -> &'static str {
    match component {
        ComponentKind::Elasticsearch => {
            "cluster.elasticsearch_api_key, or cluster.elasticsearch_username and elasticsearch_password (the user needs the snapshot privileges)"
        }
        _ => "[cluster.management_auth] (username and password, or bearer_token)",
    }
}
