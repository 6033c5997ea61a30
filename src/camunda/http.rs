//! One component's management endpoint: base URL, shared HTTP client (TLS trust and client
//! identity from `[cluster.tls]`), the component's credentials, and the mapping of transport
//! failures to [`ClientError`].

use super::message::{excerpt, extract_message};
use super::ClientError;
use crate::config::{ElasticsearchAuth, ManagementAuth, TlsSettings};
use crate::domain::ComponentKind;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
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
    /// Builds the reqwest client shared by every component client: the system's trusted roots
    /// plus `tls.ca`, the client identity for mutual TLS, and proxies from the usual
    /// environment variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    pub fn build(&self, tls: &TlsSettings) -> Result<reqwest::Client, ClientError> {
        self.build_with(tls, true)
    }

    /// [`Self::build`]; `redirects` false: a redirect is answered, not followed (webhooks: a
    /// redirect would carry the body and its signature elsewhere).
    pub fn build_with(
        &self,
        tls: &TlsSettings,
        redirects: bool,
    ) -> Result<reqwest::Client, ClientError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(concat!(
                "camunda-backup-console/",
                env!("CARGO_PKG_VERSION")
            ));
        if !redirects {
            builder = builder.redirect(reqwest::redirect::Policy::none());
        }
        if let Some((_, pem)) = &tls.ca {
            // Our own rustls configuration: the CA file's certificates are also pinned (see
            // `tls`), which reqwest's root store cannot express.
            let config = super::tls::client_config(
                pem,
                tls.client_identity.as_ref().map(|i| i.0.as_slice()),
                tls.insecure_skip_verify,
            )
            .map_err(ClientError::TlsConfig)?;
            return builder
                .use_preconfigured_tls(config)
                .build()
                .map_err(ClientError::Build);
        }
        if let Some(identity) = &tls.client_identity {
            builder = builder
                .identity(reqwest::Identity::from_pem(&identity.0).map_err(ClientError::Build)?);
        }
        if tls.insecure_skip_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        builder.build().map_err(ClientError::Build)
    }
}

/// The `Authorization` a client sends; its `Debug` shows the scheme only.
#[derive(Clone)]
pub enum Auth {
    Basic {
        username: String,
        password: SecretString,
    },
    Bearer(SecretString),
    ApiKey(SecretString),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Basic { username, .. } => write!(f, "Basic({username})"),
            Self::Bearer(_) => f.write_str("Bearer([redacted])"),
            Self::ApiKey(_) => f.write_str("ApiKey([redacted])"),
        }
    }
}

impl From<&ManagementAuth> for Auth {
    fn from(a: &ManagementAuth) -> Self {
        match a {
            ManagementAuth::Basic(c) => Self::Basic {
                username: c.username.clone(),
                password: c.password.clone(),
            },
            ManagementAuth::Bearer(t) => Self::Bearer(t.clone()),
        }
    }
}

impl From<&ElasticsearchAuth> for Auth {
    fn from(a: &ElasticsearchAuth) -> Self {
        match a {
            ElasticsearchAuth::Basic(c) => Self::Basic {
                username: c.username.clone(),
                password: c.password.clone(),
            },
            ElasticsearchAuth::ApiKey(k) => Self::ApiKey(k.clone()),
        }
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
    /// Answered by the 8.10+ `/v2` REST API.
    pub rest: bool,
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

    /// The answer as an error, with the component's own message; 401 and 403 name the
    /// credential setting to fix.
    pub fn into_error(self) -> ClientError {
        if self.rest && self.status.as_u16() == 403 {
            let message = extract_message(&self.body);
            return ClientError::Forbidden {
                component: self.component,
                method: self.method,
                permission: super::error::permission_of(&message, self.method, &self.url),
                url: self.url,
                message,
            };
        }
        if matches!(self.status.as_u16(), 401 | 403) {
            return ClientError::Unauthorized {
                component: self.component,
                method: self.method,
                url: self.url,
                status: self.status.as_u16(),
                message: extract_message(&self.body),
                rest: self.rest,
            };
        }
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
    auth: Option<Auth>,
    timeout: Option<Duration>,
    /// The 8.10+ `/v2` REST API (403s name the missing permission).
    rest: bool,
}

impl std::fmt::Debug for ManagementClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagementClient")
            .field("kind", &self.kind)
            .field("base", &self.base.as_str())
            .field("auth", &self.auth)
            .field("rest", &self.rest)
            .finish()
    }
}

impl ManagementClient {
    pub fn new(http: reqwest::Client, kind: ComponentKind, base: Url) -> Self {
        Self {
            http,
            kind,
            base,
            auth: None,
            timeout: None,
            rest: false,
        }
    }

    /// Marks the client as the 8.10+ `/v2` REST API's.
    pub fn as_rest(mut self) -> Self {
        self.rest = true;
        self
    }

    /// Sends `auth` with every request.
    pub fn with_auth(mut self, auth: Option<Auth>) -> Self {
        self.auth = auth;
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

    /// The same endpoint, named as another component in errors (8.8+: the orchestration
    /// cluster's web apps share the gateway's management port).
    pub fn with_kind(&self, kind: ComponentKind) -> Self {
        Self {
            kind,
            ..self.clone()
        }
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
        self.call_within(method, path, json, self.timeout).await
    }

    /// [`Self::call`] with its own timeout (long server-side waits such as
    /// `wait_for_completion=true`).
    #[tracing::instrument(skip_all, fields(component = %self.kind, path))]
    pub async fn call_within(
        &self,
        method: Method,
        path: &str,
        json: Option<&serde_json::Value>,
        timeout: Option<Duration>,
    ) -> Result<Answer, ClientError> {
        let url = self.url(path);
        let method_name = method_name(&method);
        let mut request = self.http.request(method, &url);
        if let Some(body) = json {
            request = request.json(body);
        }
        match &self.auth {
            Some(Auth::Basic { username, password }) => {
                request = request.basic_auth(username, Some(password.expose_secret()));
            }
            Some(Auth::Bearer(token)) => request = request.bearer_auth(token.expose_secret()),
            Some(Auth::ApiKey(key)) => {
                request = request.header(
                    reqwest::header::AUTHORIZATION,
                    format!("ApiKey {}", key.expose_secret()),
                );
            }
            None => {}
        }
        if let Some(t) = timeout {
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
            rest: self.rest,
        })
    }

    fn transport_error(&self, url: &str, e: reqwest::Error, elapsed: Duration) -> ClientError {
        if let Some(problem) = tls_problem(&e) {
            ClientError::Tls {
                component: self.kind,
                url: url.to_owned(),
                problem,
                source: e,
            }
        } else if e.is_timeout() {
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

/// What went wrong in a TLS handshake, read from the error's cause chain: a certificate that
/// is not trusted, a server that wants a client certificate, or a plain-HTTP port behind an
/// `https://` URL. A connection reset or closed mid-handshake (a pod restarting, a load
/// balancer) is not a TLS problem but a transient one, and stays retryable.
fn tls_problem(e: &reqwest::Error) -> Option<String> {
    // The top-level message carries the URL (which may contain anything): read the causes only.
    let mut source = std::error::Error::source(e);
    let mut problem = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            ) {
                return None;
            }
        }
        let text = s.to_string();
        let lower = text.to_lowercase();
        let tls = lower.contains("certificate")
            || lower.contains("unknownissuer")
            || lower.contains("fatal alert")
            || lower.contains("corrupt message")
            || lower.contains("invalidcontenttype");
        if tls && problem.is_none() {
            problem = Some(text);
        }
        source = s.source();
    }
    problem
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "REQUEST",
    }
}
