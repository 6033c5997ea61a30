//! Sign-in with an OpenID Connect provider: the authorization code flow with PKCE (S256),
//! `state` bound to the browser by a cookie, a `nonce` in the ID token, the provider's
//! discovery document and keys read when first needed (the provider may start after the
//! console) and the keys read again when a token names an unknown one. The console role comes
//! from a configurable claim. Only asymmetric signatures are accepted.

use super::token::{random_token, same_text};
use crate::config::OidcSettings;
use crate::domain::Role;
use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use url::Url;

/// How long a started sign-in may take at the provider.
pub const PENDING_TTL: Duration = Duration::from_secs(600);
/// Started sign-ins kept at most (the oldest are dropped): a flood of starts cannot grow memory.
const MAX_PENDING: usize = 1000;
/// Started sign-ins kept per client address: one address cannot push out everyone else's.
const MAX_PENDING_PER_ADDRESS: usize = 20;
/// The largest answer read from the provider (discovery, keys, token).
const MAX_ANSWER: usize = 1 << 20;
/// The discovery document and keys are read again after this long.
const PROVIDER_TTL: Duration = Duration::from_secs(3600);
/// After a failed read of the provider, sign-ins answer with that failure at once for this
/// long instead of each trying again (a provider that is down is not hammered either).
const RETRY_AFTER: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider at {issuer} could not be read ({what}): {source}")]
    Provider {
        issuer: String,
        what: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("the identity provider at {issuer} could not be read a moment ago ({why}); try again in a few seconds")]
    Unavailable { issuer: String, why: String },
    #[error("the identity provider at {issuer} is being read right now (for another sign-in); try again in a moment")]
    Reading { issuer: String },
    #[error("the identity provider's discovery document names issuer `{found}`, not the configured `{configured}`")]
    IssuerMismatch { configured: String, found: String },
    #[error("this sign-in was not started here, or took longer than 10 minutes; start again")]
    UnknownState,
    #[error("the identity provider refused the sign-in: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        error: String,
        description: Option<String>,
    },
    #[error("the identity provider's token endpoint answered HTTP {status} (its answer is in the console's log)")]
    TokenEndpoint { status: u16 },
    #[error("the identity provider's {what} is not what OpenID Connect specifies: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("the identity provider's ID token is not valid: {0}")]
    InvalidToken(String),
    #[error("the account `{user}` has no console role: the `{claim}` claim holds {found}, and none of them is configured for a role ([auth.oidc] admin_values, operator_values, viewer_values)")]
    NoRole {
        user: String,
        claim: String,
        found: String,
    },
}

/// What the provider said about the user, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The display name (the configured username claim, else `sub`).
    pub name: String,
    /// The provider's stable identifier of the account (`sub`).
    pub subject: String,
    pub role: Role,
}

/// A sign-in sent to the provider and not back yet.
struct Pending {
    verifier: String,
    nonce: String,
    next: String,
    address: String,
    started: Instant,
}

#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: Url,
    token_endpoint: Url,
    jwks_uri: Url,
}

#[derive(Clone)]
struct Provider {
    discovery: Discovery,
    keys: JwkSet,
    read_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
    error_description: Option<String>,
}

pub struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    /// The provider as last read, and the last failure to read it. Never held across the
    /// network: a provider that is slow or down must not queue every sign-in behind it.
    provider: Mutex<ProviderCache>,
    /// Held by the one request reading the provider now; others do not wait for it.
    reading: tokio::sync::Mutex<()>,
    pending: Mutex<HashMap<String, Pending>>,
}

#[derive(Default)]
struct ProviderCache {
    kept: Option<Provider>,
    failed: Option<(Instant, String)>,
}

/// The PKCE challenge of a verifier (RFC 7636, S256).
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Oidc {
    pub fn new(settings: OidcSettings, http: reqwest::Client) -> Self {
        Self {
            settings,
            http,
            provider: Mutex::new(ProviderCache::default()),
            reading: tokio::sync::Mutex::new(()),
            pending: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    fn provider_error(&self, what: &'static str) -> impl Fn(reqwest::Error) -> OidcError + '_ {
        move |source| OidcError::Provider {
            issuer: self.settings.issuer.to_string(),
            what,
            source,
        }
    }

    /// GETs `url` and reads at most [`MAX_ANSWER`] bytes of JSON.
    async fn fetch_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<T, OidcError> {
        let response = self
            .http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(self.provider_error(what))?;
        let body = self.limited(response, what).await?;
        serde_json::from_slice(&body).map_err(|e| OidcError::Malformed {
            what,
            detail: e.to_string(),
        })
    }

    /// The body of `response`, refused beyond [`MAX_ANSWER`] bytes.
    async fn limited(
        &self,
        mut response: reqwest::Response,
        what: &'static str,
    ) -> Result<Vec<u8>, OidcError> {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(self.provider_error(what))? {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(OidcError::Malformed {
                    what,
                    detail: format!("the answer is larger than {} KiB", MAX_ANSWER / 1024),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// The discovery document and keys: kept, read again when old or when `refresh`. One
    /// read is in flight at a time; meanwhile (and for [`RETRY_AFTER`] after a failed read)
    /// others get what is kept, or the failure, at once. A kept provider older than its TTL
    /// is still used while the provider cannot be read (keys rarely change), except when a
    /// token names a key it lacks (`refresh`).
    #[tracing::instrument(skip(self), fields(issuer = %self.settings.issuer))]
    async fn provider(&self, refresh: bool) -> Result<Provider, OidcError> {
        let issuer = self.settings.issuer.to_string();
        let (kept, failed) = {
            let cache = crate::engine::locked(&self.provider);
            (
                cache.kept.clone(),
                cache
                    .failed
                    .as_ref()
                    .filter(|(at, _)| at.elapsed() < RETRY_AFTER)
                    .map(|(_, why)| why.clone()),
            )
        };
        let usable = kept.clone().filter(|_| !refresh);
        if let Some(p) = usable
            .as_ref()
            .filter(|p| p.read_at.elapsed() < PROVIDER_TTL)
        {
            return Ok(p.clone());
        }
        if let Some(why) = failed {
            return usable.ok_or(OidcError::Unavailable { issuer, why });
        }
        let Ok(_reading) = self.reading.try_lock() else {
            return usable.ok_or(OidcError::Reading { issuer });
        };
        match self.read_provider().await {
            Ok(p) => {
                let mut cache = crate::engine::locked(&self.provider);
                cache.kept = Some(p.clone());
                cache.failed = None;
                Ok(p)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the identity provider could not be read");
                crate::engine::locked(&self.provider).failed =
                    Some((Instant::now(), e.to_string()));
                usable.ok_or(e)
            }
        }
    }

    /// Reads the discovery document and the keys it names.
    async fn read_provider(&self) -> Result<Provider, OidcError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.as_str().trim_end_matches('/')
        );
        let discovery: Discovery = self.fetch_json(&url, "discovery document").await?;
        let configured = self.settings.issuer.as_str().trim_end_matches('/');
        if discovery.issuer.trim_end_matches('/') != configured {
            return Err(OidcError::IssuerMismatch {
                configured: configured.to_owned(),
                found: discovery.issuer,
            });
        }
        // An https issuer's endpoints are https too: keys fetched in clear could be swapped.
        if self.settings.issuer.scheme() == "https" {
            for (what, u) in [
                ("authorization endpoint", &discovery.authorization_endpoint),
                ("token endpoint", &discovery.token_endpoint),
                ("key set", &discovery.jwks_uri),
            ] {
                if u.scheme() != "https" {
                    return Err(OidcError::Malformed {
                        what: "discovery document",
                        detail: format!("its {what} `{u}` is not https"),
                    });
                }
            }
        }
        let keys: JwkSet = self
            .fetch_json(discovery.jwks_uri.as_str(), "signing keys")
            .await?;
        Ok(Provider {
            discovery,
            keys,
            read_at: Instant::now(),
        })
    }

    /// Starts a sign-in: the provider's authorization URL to send the browser to, and the
    /// `state` to bind to the browser (cookie).
    #[tracing::instrument(skip_all)]
    pub async fn start(&self, next: &str, address: &str) -> Result<(Url, String), OidcError> {
        let provider = self.provider(false).await?;
        let state = random_token();
        let nonce = random_token();
        let verifier = random_token();
        let mut url = provider.discovery.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", self.settings.redirect_url.as_str())
            .append_pair("scope", &self.settings.scopes.join(" "))
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge(&verifier))
            .append_pair("code_challenge_method", "S256");
        let mut pending = crate::engine::locked(&self.pending);
        pending.retain(|_, p| p.started.elapsed() < PENDING_TTL);
        let from_here = pending.values().filter(|p| p.address == address).count();
        if from_here >= MAX_PENDING_PER_ADDRESS {
            if let Some(oldest) = pending
                .iter()
                .filter(|(_, p)| p.address == address)
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone())
            {
                pending.remove(&oldest);
            }
        }
        if pending.len() >= MAX_PENDING {
            if let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone())
            {
                pending.remove(&oldest);
            }
        }
        pending.insert(
            state.clone(),
            Pending {
                verifier,
                nonce,
                next: next.to_owned(),
                address: address.to_owned(),
                started: Instant::now(),
            },
        );
        Ok((url, state))
    }

    /// Forgets a started sign-in the provider answered with an error. True only when `state`
    /// is this browser's (`cookie_state`) and one this console started: only then are the
    /// provider's words worth showing.
    pub fn abandon(&self, state: &str, cookie_state: Option<&str>) -> bool {
        if !cookie_state.is_some_and(|c| same_text(c, state)) {
            return false;
        }
        crate::engine::locked(&self.pending).remove(state).is_some()
    }

    /// Finishes a sign-in: `state` must be the browser's (`cookie_state`) and one this console
    /// started; the code is exchanged (with the PKCE verifier) and the ID token checked.
    /// Returns who signed in and where they were going.
    #[tracing::instrument(skip_all)]
    pub async fn finish(
        &self,
        state: &str,
        cookie_state: Option<&str>,
        code: &str,
    ) -> Result<(Identity, String), OidcError> {
        if !cookie_state.is_some_and(|c| same_text(c, state)) {
            return Err(OidcError::UnknownState);
        }
        let pending = crate::engine::locked(&self.pending)
            .remove(state)
            .filter(|p| p.started.elapsed() < PENDING_TTL)
            .ok_or(OidcError::UnknownState)?;
        let provider = self.provider(false).await?;
        let id_token = self.exchange(&provider, code, &pending.verifier).await?;
        let claims = self.verify(&provider, &id_token).await?;
        if claims.get("nonce").and_then(Value::as_str) != Some(pending.nonce.as_str()) {
            return Err(OidcError::InvalidToken(
                "its nonce is not the one this sign-in sent".into(),
            ));
        }
        Ok((self.identity(&claims)?, pending.next))
    }

    async fn exchange(
        &self,
        provider: &Provider,
        code: &str,
        verifier: &str,
    ) -> Result<String, OidcError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.settings.redirect_url.as_str()),
            ("client_id", self.settings.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        let mut request = self
            .http
            .post(provider.discovery.token_endpoint.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form);
        if let Some(secret) = &self.settings.client_secret {
            // RFC 6749 §2.3.1: both form-encoded before Basic.
            let encode =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(
                encode(&self.settings.client_id),
                Some(encode(secret.expose_secret())),
            );
        }
        let response = request
            .send()
            .await
            .map_err(self.provider_error("token endpoint"))?;
        let status = response.status();
        let body = self.limited(response, "token endpoint").await?;
        if !status.is_success() {
            if let Ok(e) = serde_json::from_slice::<ErrorAnswer>(&body) {
                return Err(OidcError::Refused {
                    error: e.error.chars().take(100).collect(),
                    description: e.error_description.map(|d| d.chars().take(300).collect()),
                });
            }
            tracing::warn!(
                status = status.as_u16(),
                body = %String::from_utf8_lossy(&body).chars().take(500).collect::<String>(),
                "the identity provider's token endpoint refused the code"
            );
            return Err(OidcError::TokenEndpoint {
                status: status.as_u16(),
            });
        }
        serde_json::from_slice::<TokenAnswer>(&body)
            .ok()
            .and_then(|t| t.id_token)
            .ok_or_else(|| OidcError::InvalidToken("the token answer holds no id_token".into()))
    }

    /// Checks the ID token's signature (the provider's key named by `kid`; the keys are read
    /// again once when it is unknown), issuer, audience, expiry; returns its claims.
    async fn verify(&self, provider: &Provider, token: &str) -> Result<Value, OidcError> {
        let invalid = |e: &dyn std::fmt::Display| OidcError::InvalidToken(e.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|e| invalid(&e))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return Err(OidcError::InvalidToken(format!(
                "it is signed with {:?}; only the provider's public-key signatures are accepted",
                header.alg
            )));
        }
        let find = |keys: &JwkSet| match header.kid.as_deref() {
            Some(kid) => keys.find(kid).cloned(),
            None if keys.keys.len() == 1 => keys.keys.first().cloned(),
            None => None,
        };
        let jwk = match find(&provider.keys) {
            Some(k) => k,
            // The provider may have rotated its keys since they were read.
            None => find(&self.provider(true).await?.keys).ok_or_else(|| {
                OidcError::InvalidToken(format!(
                    "it is signed with key {:?}, which the provider does not publish",
                    header.kid
                ))
            })?,
        };
        let key = DecodingKey::from_jwk(&jwk).map_err(|e| invalid(&e))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[provider.discovery.issuer.as_str()]);
        validation.set_audience(&[self.settings.client_id.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        validation.validate_nbf = true;
        let data =
            jsonwebtoken::decode::<Value>(token, &key, &validation).map_err(|e| invalid(&e))?;
        let claims = data.claims;
        // Several audiences: the authorized party must be this console.
        if claims
            .get("aud")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1)
            && claims.get("azp").and_then(Value::as_str) != Some(self.settings.client_id.as_str())
        {
            return Err(OidcError::InvalidToken(
                "it names several audiences and this console is not its authorized party (azp)"
                    .into(),
            ));
        }
        Ok(claims)
    }

    /// The user's name and highest console role from the claims.
    pub fn identity(&self, claims: &Value) -> Result<Identity, OidcError> {
        let name = claims
            .get(&self.settings.username_claim)
            .and_then(Value::as_str)
            .or_else(|| claims.get("sub").and_then(Value::as_str))
            .unwrap_or("-")
            .chars()
            .take(64)
            .collect::<String>();
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or("-")
            .chars()
            .take(255)
            .collect::<String>();
        let mut at = Some(claims);
        for part in &self.settings.role_claim {
            at = at.and_then(|v| v.get(part));
        }
        let values: Vec<&str> = match at {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let role = self
            .settings
            .role_values
            .iter()
            .find(|(_, granting)| values.iter().any(|v| granting.iter().any(|g| g == v)))
            .map(|(role, _)| *role);
        match role {
            Some(role) => Ok(Identity {
                name,
                subject,
                role,
            }),
            None => Err(OidcError::NoRole {
                user: name,
                claim: self.settings.role_claim.join("."),
                found: if values.is_empty() {
                    "nothing".into()
                } else {
                    values
                        .iter()
                        .take(10)
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn oidc(role_claim: &str) -> Oidc {
        let settings = OidcSettings {
            issuer: Url::parse("https://idp.example").expect("url"),
            client_id: "console".into(),
            client_secret: None,
            redirect_url: Url::parse("https://console.example/auth/oidc/callback").expect("url"),
            scopes: vec!["openid".into()],
            role_claim: role_claim.split('.').map(str::to_owned).collect(),
            role_values: vec![
                (Role::Admin, vec!["camunda-admin".into()]),
                (Role::Operator, vec!["operator".into()]),
                (Role::Viewer, vec!["viewer".into()]),
            ],
            username_claim: "preferred_username".into(),
            display_name: "Keycloak".into(),
        };
        Oidc::new(settings, reqwest::Client::new())
    }

    #[test]
    fn the_highest_role_granted_by_a_nested_claim_wins() {
        let o = oidc("realm_access.roles");
        let claims = json!({"sub": "u1", "preferred_username": "ada",
            "realm_access": {"roles": ["viewer", "camunda-admin", "offline_access"]}});
        assert_eq!(
            o.identity(&claims).expect("role"),
            Identity {
                name: "ada".into(),
                subject: "u1".into(),
                role: Role::Admin
            }
        );
        let one = json!({"sub": "u2", "realm_access": {"roles": "operator"}});
        assert_eq!(o.identity(&one).expect("role").role, Role::Operator);
        assert_eq!(o.identity(&one).expect("role").name, "u2");
    }

    #[test]
    fn no_granting_value_is_refused_with_what_was_found() {
        let o = oidc("groups");
        let e = o
            .identity(&json!({"sub": "u", "preferred_username": "bob", "groups": ["staff"]}))
            .expect_err("no role");
        let text = e.to_string();
        assert!(
            text.contains("bob") && text.contains("`groups`") && text.contains("`staff`"),
            "{text}"
        );
        let none = o.identity(&json!({"sub": "u"})).expect_err("no claim");
        assert!(none.to_string().contains("holds nothing"), "{none}");
    }

    #[test]
    fn the_pkce_challenge_is_base64url_of_the_sha256_without_padding() {
        // SHA-256("abc") = ba7816bf…f20015ad (FIPS 180-2), base64url without `=`.
        assert_eq!(
            challenge("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
