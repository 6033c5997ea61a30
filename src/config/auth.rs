//! `[auth]`: sessions, API tokens, OpenID Connect (`[auth.oidc]`); and the first admin's
//! password (`admin_password`, from `CONSOLE_ADMIN_PASSWORD`, or `admin_password_file`).

use super::raw::RawSecret;
use super::ConfigError;
use crate::domain::Role;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// `[auth]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawAuth {
    /// How long a sign-in lasts, in hours.
    pub session_hours: u64,
    /// Always mark the session cookie `Secure`. Without it the cookie is `Secure` when the
    /// sign-in arrived over HTTPS as a proxy reports it (`X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Tokens for automation: `Authorization: Bearer <token>`.
    pub api_tokens: Vec<RawApiToken>,
    /// Sign-in with an OpenID Connect provider (Camunda Identity / Keycloak or any other).
    pub oidc: Option<RawOidc>,
    /// Proxies (an ingress controller) whose `X-Forwarded-For` names the client: addresses or
    /// CIDR ranges (`10.0.0.0/8`, `::1`). From anyone else the header is ignored, and the
    /// connection's address is the client's.
    pub trusted_proxies: Vec<String>,
    /// Live event streams (run and restore pages) one user or token may hold open at once.
    pub streams_per_caller: usize,
}

/// `[auth.oidc]` as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    /// The issuer URL; `<issuer>/.well-known/openid-configuration` is read from it.
    pub issuer: String,
    pub client_id: String,
    /// For a confidential client (`CONSOLE_AUTH__OIDC__CLIENT_SECRET`); a public client uses
    /// PKCE alone.
    pub client_secret: Option<RawSecret>,
    pub client_secret_file: Option<String>,
    /// The console's callback as the browser reaches it:
    /// `https://<console>/auth/oidc/callback` (registered at the provider).
    pub redirect_url: String,
    /// Scopes asked for; `openid` is always included.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The ID-token claim holding the user's roles or groups: a dotted path
    /// (`realm_access.roles`, `groups`); a string or a list of strings.
    #[serde(default = "default_role_claim")]
    pub role_claim: String,
    /// Claim values that grant each console role (no defaults; at least one list is needed).
    #[serde(default)]
    pub admin_values: Vec<String>,
    #[serde(default)]
    pub operator_values: Vec<String>,
    #[serde(default)]
    pub viewer_values: Vec<String>,
    /// The claim shown as the user's name (falls back to `sub`).
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The button's words: "Sign in with <display_name>".
    #[serde(default = "default_display_name")]
    pub display_name: String,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_role_claim() -> String {
    "roles".into()
}
fn default_username_claim() -> String {
    "preferred_username".into()
}
fn default_display_name() -> String {
    "single sign-on".into()
}

impl Default for RawAuth {
    fn default() -> Self {
        Self {
            session_hours: 12,
            secure_cookies: false,
            api_tokens: Vec::new(),
            oidc: None,
            trusted_proxies: Vec::new(),
            streams_per_caller: 16,
        }
    }
}

/// `[[auth.api_tokens]]`: the token itself is never configured, only its SHA-256.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApiToken {
    pub name: String,
    pub role: String,
    /// Hex SHA-256 of the token (`printf %s "$TOKEN" | sha256sum`).
    pub token_sha256: String,
}

/// Checked `[auth]`.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub session_ttl: Duration,
    pub secure_cookies: bool,
    pub api_tokens: Vec<ApiToken>,
    /// Sets the `admin` user's password at start-up (created if missing).
    pub admin_password: Option<SecretString>,
    pub oidc: Option<OidcSettings>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Live event streams one caller may hold open at once.
    pub streams_per_caller: usize,
}

/// An address range: `10.0.0.0/8`, `fd00::/8`, or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d[/n]` or `v6[/n]`.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let addr: std::net::IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { addr, prefix })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as its IPv4 one).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Checked `[auth.oidc]`.
#[derive(Clone, Debug)]
pub struct OidcSettings {
    /// Without a trailing slash (the `iss` claim must equal the discovery's `issuer`).
    pub issuer: url::Url,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub redirect_url: url::Url,
    pub scopes: Vec<String>,
    /// The claim's path, split at dots.
    pub role_claim: Vec<String>,
    /// `(role, claim values granting it)`, highest role first.
    pub role_values: Vec<(Role, Vec<String>)>,
    pub username_claim: String,
    pub display_name: String,
}

/// A configured API token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub name: String,
    pub role: Role,
    pub sha256: [u8; 32],
}

pub(super) fn validate(
    raw: RawAuth,
    admin_password: Option<RawSecret>,
    admin_password_file: Option<&str>,
) -> Result<AuthSettings, ConfigError> {
    if raw.session_hours == 0 || raw.session_hours > 24 * 30 {
        return Err(ConfigError::invalid(
            "auth.session_hours",
            "must be between 1 and 720",
        ));
    }
    let mut api_tokens: Vec<ApiToken> = Vec::with_capacity(raw.api_tokens.len());
    for t in raw.api_tokens {
        let name = t.name.trim().to_owned();
        if name.is_empty() || name.len() > 64 {
            return Err(ConfigError::invalid(
                "auth.api_tokens.name",
                "must be 1 to 64 characters",
            ));
        }
        let role = Role::parse(&t.role).ok_or_else(|| {
            ConfigError::invalid(
                "auth.api_tokens.role",
                format!(
                    "`{}` (token `{name}`) is not one of viewer, operator, admin",
                    t.role
                ),
            )
        })?;
        let sha256 = parse_sha256(&t.token_sha256).ok_or_else(|| {
            ConfigError::invalid(
                "auth.api_tokens.token_sha256",
                format!("token `{name}`: must be 64 hex digits (the SHA-256 of the token, not the token)"),
            )
        })?;
        if api_tokens.iter().any(|o| o.name == name) {
            return Err(ConfigError::invalid(
                "auth.api_tokens.name",
                format!("`{name}` is configured twice"),
            ));
        }
        if api_tokens.iter().any(|o| o.sha256 == sha256) {
            return Err(ConfigError::invalid(
                "auth.api_tokens.token_sha256",
                format!("token `{name}` has the same hash as another token"),
            ));
        }
        api_tokens.push(ApiToken { name, role, sha256 });
    }
    let admin_password = super::credentials::secret(
        "admin_password",
        "admin_password_file",
        admin_password,
        admin_password_file,
    )?;
    if let Some(p) = &admin_password {
        use secrecy::ExposeSecret;
        if p.expose_secret().chars().count() < 12 {
            return Err(ConfigError::invalid(
                "admin_password",
                "must be at least 12 characters (the value is not shown)",
            ));
        }
    }
    let trusted_proxies = raw
        .trusted_proxies
        .iter()
        .map(|t| {
            IpNet::parse(t).ok_or_else(|| {
                ConfigError::invalid(
                    "auth.trusted_proxies",
                    format!("`{t}` is not an address or a CIDR range (10.0.0.0/8, fd00::/8)"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if raw.streams_per_caller == 0 || raw.streams_per_caller > 100_000 {
        return Err(ConfigError::invalid(
            "auth.streams_per_caller",
            "must be between 1 and 100000",
        ));
    }
    Ok(AuthSettings {
        trusted_proxies,
        streams_per_caller: raw.streams_per_caller,
        session_ttl: Duration::from_secs(raw.session_hours * 3600),
        secure_cookies: raw.secure_cookies,
        api_tokens,
        admin_password,
        oidc: raw.oidc.map(oidc).transpose()?,
    })
}

fn oidc(raw: RawOidc) -> Result<OidcSettings, ConfigError> {
    let url = |key: &'static str, text: &str| {
        let u = url::Url::parse(text.trim())
            .map_err(|e| ConfigError::invalid(key, format!("`{text}` is not a URL: {e}")))?;
        if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
            return Err(ConfigError::invalid(
                key,
                format!("`{text}` must be an http(s) URL"),
            ));
        }
        Ok(u)
    };
    let issuer = url("auth.oidc.issuer", raw.issuer.trim_end_matches('/'))?;
    // Over plain HTTP anyone on the path could swap the provider's keys and forge an admin's
    // ID token: https, except on this machine (tests, a provider behind a local proxy).
    if issuer.scheme() != "https" && !is_loopback(&issuer) {
        return Err(ConfigError::invalid(
            "auth.oidc.issuer",
            format!("`{issuer}` must be an https URL (plain http only on localhost)"),
        ));
    }
    let redirect_url = url("auth.oidc.redirect_url", &raw.redirect_url)?;
    if redirect_url.path() != "/auth/oidc/callback" {
        return Err(ConfigError::invalid(
            "auth.oidc.redirect_url",
            "must have the path /auth/oidc/callback exactly (the console's callback, where the sign-in's state cookie is sent)",
        ));
    }
    if raw.client_id.trim().is_empty() {
        return Err(ConfigError::invalid(
            "auth.oidc.client_id",
            "must not be empty",
        ));
    }
    let client_secret = super::credentials::secret(
        "auth.oidc.client_secret",
        "auth.oidc.client_secret_file",
        raw.client_secret,
        raw.client_secret_file.as_deref(),
    )?;
    let role_claim: Vec<String> = raw
        .role_claim
        .split('.')
        .map(str::trim)
        .map(str::to_owned)
        .collect();
    if role_claim.iter().any(String::is_empty) {
        return Err(ConfigError::invalid(
            "auth.oidc.role_claim",
            format!(
                "`{}` is not a claim path like `roles` or `realm_access.roles`",
                raw.role_claim
            ),
        ));
    }
    // No defaults: a provider group that happens to be called `admin` must not make its
    // members console admins. Each role is granted only by the values configured for it.
    let values = |role: Role, v: Vec<String>| {
        let v: Vec<String> = v
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (role, v)
    };
    let mut scopes = raw.scopes;
    if !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".into());
    }
    Ok(OidcSettings {
        issuer,
        client_id: raw.client_id.trim().to_owned(),
        client_secret,
        redirect_url,
        scopes,
        role_claim,
        role_values: {
            let v = vec![
                values(Role::Admin, raw.admin_values),
                values(Role::Operator, raw.operator_values),
                values(Role::Viewer, raw.viewer_values),
            ];
            if v.iter().all(|(_, values)| values.is_empty()) {
                return Err(ConfigError::invalid(
                    "auth.oidc.admin_values",
                    "no claim value grants any role: set admin_values, operator_values and/or viewer_values (the values of role_claim that grant each console role)",
                ));
            }
            v
        },
        username_claim: raw.username_claim,
        display_name: raw.display_name,
    })
}

/// `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(role: &str, hash: &str) -> RawApiToken {
        RawApiToken {
            name: "nightly".into(),
            role: role.into(),
            token_sha256: hash.into(),
        }
    }

    const HASH: &str = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

    #[test]
    fn tokens_are_checked_and_named_in_errors() {
        let ok = validate(
            RawAuth {
                api_tokens: vec![token("operator", HASH)],
                ..RawAuth::default()
            },
            None,
            None,
        )
        .expect("valid");
        assert_eq!(ok.api_tokens[0].role, Role::Operator);
        assert_eq!(ok.api_tokens[0].sha256[0], 0x5e);

        let bad_role = validate(
            RawAuth {
                api_tokens: vec![token("root", HASH)],
                ..RawAuth::default()
            },
            None,
            None,
        )
        .expect_err("role");
        assert!(bad_role.to_string().contains("auth.api_tokens.role"));

        let plain = validate(
            RawAuth {
                api_tokens: vec![token("admin", "my-secret-token")],
                ..RawAuth::default()
            },
            None,
            None,
        )
        .expect_err("not a hash");
        let text = plain.to_string();
        assert!(text.contains("64 hex digits"), "{text}");
        assert!(!text.contains("my-secret-token"), "{text}");
    }

    fn raw_oidc(issuer: &str, admin: &[&str]) -> RawOidc {
        RawOidc {
            issuer: issuer.into(),
            client_id: "console".into(),
            client_secret: None,
            client_secret_file: None,
            redirect_url: "https://console.example/auth/oidc/callback".into(),
            scopes: vec![],
            role_claim: "groups".into(),
            admin_values: admin.iter().map(|s| (*s).to_owned()).collect(),
            operator_values: vec![],
            viewer_values: vec![],
            username_claim: "preferred_username".into(),
            display_name: "SSO".into(),
        }
    }

    #[test]
    fn oidc_needs_https_off_this_machine_and_at_least_one_granting_value() {
        let ok = oidc(raw_oidc(
            "https://idp.example/realms/c/",
            &["console-admin"],
        ))
        .expect("valid");
        assert_eq!(ok.issuer.as_str(), "https://idp.example/realms/c");
        assert_eq!(ok.scopes, vec!["openid"]);
        assert!(oidc(raw_oidc("http://127.0.0.1:8080/realms/c", &["a"])).is_ok());
        let plain = oidc(raw_oidc("http://idp.example/realms/c", &["a"])).expect_err("http");
        assert!(plain.to_string().contains("auth.oidc.issuer"), "{plain}");
        let none = oidc(raw_oidc("https://idp.example", &[])).expect_err("no values");
        assert!(none.to_string().contains("admin_values"), "{none}");
    }

    #[test]
    fn a_short_admin_password_is_refused_without_showing_it() {
        let e = validate(RawAuth::default(), Some(RawSecret::from("hunter2")), None)
            .expect_err("too short");
        let text = e.to_string();
        assert!(text.contains("at least 12"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}

#[cfg(test)]
mod ipnet_tests {
    use super::IpNet;

    #[test]
    fn ranges_contain_their_addresses_only() {
        let net = IpNet::parse("10.0.0.0/8").expect("net");
        assert!(net.contains("10.42.3.4".parse().expect("ip")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        assert!(net.contains("::ffff:10.1.2.3".parse().expect("ip")));
        let one = IpNet::parse("127.0.0.1").expect("one");
        assert!(one.contains("127.0.0.1".parse().expect("ip")));
        assert!(!one.contains("127.0.0.2".parse().expect("ip")));
        let v6 = IpNet::parse("fd00::/8").expect("v6");
        assert!(v6.contains("fd12::1".parse().expect("ip")));
        assert!(IpNet::parse("10.0.0.0/33").is_none());
        assert!(IpNet::parse("ingress").is_none());
        assert!(IpNet::parse("0.0.0.0/0")
            .expect("all")
            .contains("8.8.8.8".parse().expect("ip")));
    }
}
