//! `[auth]`: sessions, API tokens; and the first admin's password (`admin_password`, from
//! `CONSOLE_ADMIN_PASSWORD`, or `admin_password_file`).

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
}

impl Default for RawAuth {
    fn default() -> Self {
        Self {
            session_hours: 12,
            secure_cookies: false,
            api_tokens: Vec::new(),
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
    Ok(AuthSettings {
        session_ttl: Duration::from_secs(raw.session_hours * 3600),
        secure_cookies: raw.secure_cookies,
        api_tokens,
        admin_password,
    })
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

    #[test]
    fn a_short_admin_password_is_refused_without_showing_it() {
        let e = validate(RawAuth::default(), Some(RawSecret::from("hunter2")), None)
            .expect_err("too short");
        let text = e.to_string();
        assert!(text.contains("at least 12"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}
