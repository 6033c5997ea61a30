//! Who is calling: local users (argon2 passwords) with server-side sessions, API tokens for
//! automation, CSRF protection for browser sessions, and the sign-in / sign-out endpoints.
//! Every request except the public few (sign-in, assets, health) passes [`middleware`] and
//! carries a [`Caller`]; the actions check its role in [`crate::actions`].

mod bootstrap;
mod limiter;
pub mod oidc;
mod password;
mod token;

pub use bootstrap::{bootstrap_admin, revoke_sessions, set_user, BootstrapError};
pub use limiter::LoginLimiter;
pub use password::{hash_password, verify_password, PasswordError};
pub use token::{random_token, same_text, sha256_hex};

use crate::config::AuthSettings;
use crate::domain::{Me, Permission, Role};
use crate::store::Store;

/// A session's CSRF token, put in the request's extensions by the gate (the page shell renders
/// it in a meta tag).
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// How a principal proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A local user's session.
    Local,
    /// A session from the OpenID Connect provider.
    Oidc,
    /// An API token (`Authorization: Bearer`).
    Token,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Local => "local",
            Via::Oidc => "oidc",
            Via::Token => "token",
        }
    }
}

/// A signed-in user or a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The display name: a local user's name, a token's, the provider's username claim.
    pub name: String,
    pub role: Role,
    pub via: Via,
    /// Single sign-on: the provider's stable `sub`.
    pub subject: Option<String>,
}

/// Who made a request and from where; put in the request's extensions by the middleware.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    /// The peer address as the console saw it.
    pub address: Option<String>,
}

/// A refusal (403): the role does not have the permission; the message names the role needed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Denied(pub String);

impl Caller {
    /// `Ok` when the caller's role has `what`; otherwise the reason, naming the role needed.
    pub fn require(&self, what: Permission) -> Result<(), Denied> {
        if self.principal.role.may(what) {
            Ok(())
        } else {
            Err(Denied(what.refusal(self.principal.role)))
        }
    }

    pub fn me(&self) -> Me {
        Me {
            name: self.principal.name.clone(),
            role: self.principal.role,
            via: self.principal.via.as_str().to_owned(),
        }
    }

    /// Who, in words, for journals: `alice (local user, 10.0.0.7)`, `token nightly`.
    pub fn label(&self) -> String {
        let p = &self.principal;
        match (p.via, &self.address) {
            (Via::Token, Some(a)) => format!("token {} ({a})", p.name),
            (Via::Token, None) => format!("token {}", p.name),
            (Via::Local, Some(a)) => format!("{} (local user, {a})", p.name),
            (Via::Local, None) => format!("{} (local user)", p.name),
            (Via::Oidc, Some(a)) => format!("{} (single sign-on, {a})", p.name),
            (Via::Oidc, None) => format!("{} (single sign-on)", p.name),
        }
    }
}

/// The authentication service: sessions, tokens, the sign-in limiter.
#[derive(Clone)]
pub struct Auth {
    store: Store,
    settings: AuthSettings,
    limiter: std::sync::Arc<LoginLimiter>,
    oidc: Option<std::sync::Arc<oidc::Oidc>>,
    /// Audit entries anyone can cause without signing in, gathered per window.
    repeats: std::sync::Arc<crate::audit::Aggregator>,
}

impl Auth {
    /// `idp_http`: the client for the OpenID Connect provider, when one is configured.
    pub fn new(store: Store, settings: AuthSettings, idp_http: reqwest::Client) -> Self {
        let oidc = settings
            .oidc
            .clone()
            .map(|o| std::sync::Arc::new(oidc::Oidc::new(o, idp_http)));
        Self {
            store,
            settings,
            limiter: std::sync::Arc::new(LoginLimiter::default()),
            oidc,
            repeats: std::sync::Arc::default(),
        }
    }

    /// The aggregator of unauthenticated audit entries (refused sign-ins and the like).
    pub fn repeats(&self) -> &crate::audit::Aggregator {
        &self.repeats
    }

    /// Writes the gathered repeats of ended windows every few seconds, until dropped.
    pub fn spawn_repeats_flusher(&self) -> tokio::task::JoinHandle<()> {
        let (store, repeats) = (self.store.clone(), self.repeats.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                tick.tick().await;
                repeats.flush(&store, false).await;
            }
        })
    }

    /// Sign-in with the OpenID Connect provider, when configured.
    pub fn oidc(&self) -> Option<&oidc::Oidc> {
        self.oidc.as_deref()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// The configured API token whose SHA-256 matches `presented`, if any.
    pub fn token_principal(&self, presented: &str) -> Option<Principal> {
        let digest = token::sha256(presented.as_bytes());
        // Every configured hash is compared (no early exit): timing says nothing about which.
        let mut found = None;
        for t in &self.settings.api_tokens {
            if token::same(&t.sha256, &digest) {
                found = Some(Principal {
                    name: t.name.clone(),
                    role: t.role,
                    via: Via::Token,
                    subject: None,
                });
            }
        }
        found
    }

    /// The session behind a cookie value: its principal and CSRF token.
    pub async fn session(
        &self,
        cookie_value: &str,
    ) -> Result<Option<(Principal, String)>, crate::store::StoreError> {
        let Some(s) = self
            .store
            .session(&sha256_hex(cookie_value), &crate::engine::now())
            .await?
        else {
            return Ok(None);
        };
        let via = if s.source == "oidc" {
            Via::Oidc
        } else {
            Via::Local
        };
        Ok(Some((
            Principal {
                name: s.user_name,
                role: s.role,
                via,
                subject: s.subject,
            },
            s.csrf_token,
        )))
    }
}

impl Auth {
    /// Opens a session for a signed-in user; returns the cookie value (the store keeps only its
    /// SHA-256).
    pub async fn open_session(
        &self,
        name: &str,
        subject: Option<&str>,
        role: Role,
        via: Via,
    ) -> Result<String, crate::store::StoreError> {
        let now = chrono::Utc::now();
        let ttl = chrono::Duration::from_std(self.settings.session_ttl)
            .unwrap_or_else(|_| chrono::Duration::hours(12));
        let stamp = |t: chrono::DateTime<chrono::Utc>| {
            t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let purged = self.store.purge_sessions(&stamp(now)).await?;
        if purged > 0 {
            tracing::debug!(purged, "expired sessions removed");
        }
        let token = random_token();
        self.store
            .insert_session(&crate::store::NewSession {
                token_sha256: &sha256_hex(&token),
                user_name: name,
                subject,
                source: if via == Via::Oidc { "oidc" } else { "local" },
                role,
                csrf_token: &random_token(),
                created_at: &stamp(now),
                expires_at: &stamp(now + ttl),
            })
            .await?;
        Ok(token)
    }

    /// Ends the session behind a cookie value.
    pub async fn close_session(&self, cookie_value: &str) -> Result<(), crate::store::StoreError> {
        self.store.delete_session(&sha256_hex(cookie_value)).await
    }

    pub fn limiter(&self) -> &LoginLimiter {
        &self.limiter
    }
}
