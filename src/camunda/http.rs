//! One component's management endpoint: base URL, shared HTTP client, optional basic auth, and
//! the mapping of transport failures to [`ClientError`].

use super::message::{excerpt, extract_message};
use super::ClientError;
use crate::config::Credentials;
use crate::domain::ComponentKind;
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// Timeouts of the shared HTTP client.
#[derive(Clone, Copy, Debug)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl HttpConfig {
    /// Builds the reqwest client shared by every component client.
    pub fn build(&self) -> Result<reqwest::Client, ClientError> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(concat!(
                "camunda-backup-console/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(ClientError::Build)
    }
}

/// A raw answer: status and body text, before the component's dialect is applied.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
    pub url: String,
    pub method: &'static str,
    pub component: ComponentKind,
}

impl Answer {
    /// Parses the body as JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        serde_json::from_str(&self.body).map_err(|source| ClientError::Decode {
            component: self.component,
            url: self.url.clone(),
            excerpt: excerpt(self.body.trim(), 200),
            source,
        })
    }

    /// The answer as an error, with the component's own message.
    pub fn into_error(self) -> ClientError {
        ClientError::Status {
            component: self.component,
            method: self.method,
            url: self.url,
            status: self.status.as_u16(),
            message: extract_message(&self.body),
        }
    }

    /// Ok(self) for 2xx, else the error.
    pub fn success(self) -> Result<Self, ClientError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }
}

/// The management endpoint of one component.
#[derive(Clone)]
pub struct ManagementClient {
    http: reqwest::Client,
    kind: ComponentKind,
    base: Url,
    credentials: Option<Credentials>,
    timeout: Option<Duration>,
}

impl std::fmt::Debug for ManagementClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementClient")
            .field("kind", &self.kind)
            .field("base", &self.base.as_str())
            .field(
                "credentials",
                &self.credentials.as_ref().map(|c| &c.username),
            )
            .finish()
    }
}

impl ManagementClient {
    pub fn new(http: reqwest::Client, kind: ComponentKind, base: Url) -> Self {
        Self {
            http,
            kind,
            base,
            credentials: None,
            timeout: None,
        }
    }

    /// Adds basic auth (Elasticsearch).
    pub fn with_credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.credentials = credentials;
        self
    }

    /// Overrides the request timeout for this client (probes use a short one).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn kind(&self) -> ComponentKind {
        self.kind
    }

    /// The base URL as configured (no trailing slash).
    pub fn base_url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    /// `base + path`; the base may carry a context-path prefix.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url(), path)
    }

    /// Sends one request and reads the whole body; any HTTP status is an `Ok(Answer)`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        json: Option<&serde_json::Value>,
    ) -> Result<Answer, ClientError> {
        let url = self.url(path);
        let method_name = method_name(&method);
        let mut request = self.http.request(method, &url);
        if let Some(body) = json {
            request = request.json(body);
        }
        if let Some(c) = &self.credentials {
            request = request.basic_auth(&c.username, Some(c.password.expose_secret()));
        }
        if let Some(t) = self.timeout {
            request = request.timeout(t);
        }
        let started = std::time::Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&url, e, started.elapsed()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| self.transport_error(&url, e, started.elapsed()))?;
        tracing::debug!(component = %self.kind, method = method_name, %url, status = status.as_u16(), "management call");
        Ok(Answer {
            status,
            body,
            url,
            method: method_name,
            component: self.kind,
        })
    }

    fn transport_error(&self, url: &str, e: reqwest::Error, elapsed: Duration) -> ClientError {
        if e.is_timeout() {
            ClientError::Timeout {
                component: self.kind,
                url: url.to_owned(),
                timeout: elapsed,
            }
        } else if e.is_connect() {
            ClientError::Unreachable {
                component: self.kind,
                url: url.to_owned(),
                source: e,
            }
        } else {
            ClientError::Transport {
                component: self.kind,
                url: url.to_owned(),
                source: e,
            }
        }
    }
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        _ => "REQUEST",
    }
}
