//! The `[auth]` scenario section and the `Authorization` header check of the component listeners.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// User name and password (HTTP basic).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicCredentials {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A bearer token (`Authorization: Bearer <token>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BearerToken {
    /// The token, compared verbatim.
    pub bearer_token: String,
}

/// An Elasticsearch API key (`Authorization: ApiKey <api_key>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// The "encoded" form (base64 of `id:key`), compared verbatim.
    pub api_key: String,
}

/// Credentials of the Spring management endpoints (Zeebe gateway, brokers, Operate, Tasklist,
/// Optimize): `{ username, password }` or `{ bearer_token }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ManagementAuth {
    /// HTTP basic.
    Basic(BasicCredentials),
    /// Bearer token.
    Bearer(BearerToken),
}

/// Credentials of Elasticsearch: `{ username, password }` or `{ api_key }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ElasticsearchAuth {
    /// HTTP basic.
    Basic(BasicCredentials),
    /// API key.
    ApiKey(ApiKey),
}

/// The `[auth]` scenario section; absent parts mean "no authentication".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Management endpoints of Zeebe (gateway and brokers), Operate, Tasklist and Optimize.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management: Option<ManagementAuth>,
    /// Elasticsearch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elasticsearch: Option<ElasticsearchAuth>,
    /// 8.10+: the orchestration cluster's REST API (`/v2`, port 8080). Without it the REST
    /// API accepts any caller (as an unauthenticated dev install does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest: Option<ManagementAuth>,
    /// The permissions (`RESOURCE:PERMISSION`, e.g. `BACKUP:CREATE`) the REST caller holds;
    /// absent = every permission (authorizations disabled). A `/v2` call needing one it lacks
    /// gets 403 with Camunda's problem detail naming it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest_permissions: Option<Vec<String>>,
}

impl AuthConfig {
    /// Whether the REST caller holds `resource:permission` (authorizations disabled: yes).
    pub(crate) fn rest_grants(&self, resource: &str, permission: &str) -> bool {
        self.rest_permissions.as_ref().is_none_or(|granted| {
            granted.iter().any(|g| {
                g.split_once(':').is_some_and(|(r, p)| {
                    r.eq_ignore_ascii_case(resource) && p.eq_ignore_ascii_case(permission)
                })
            })
        })
    }
}

impl ManagementAuth {
    /// HTTP basic credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Basic(BasicCredentials {
            username: username.into(),
            password: password.into(),
        })
    }

    /// A bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::Bearer(BearerToken {
            bearer_token: token.into(),
        })
    }

    /// Whether `header` (the `Authorization` value) carries these credentials.
    pub(crate) fn accepts(&self, header: Option<&str>) -> bool {
        let Some((scheme, value)) = header.and_then(split_scheme) else {
            return false;
        };
        match self {
            Self::Basic(c) => scheme.eq_ignore_ascii_case("basic") && c.matches(value),
            Self::Bearer(t) => scheme.eq_ignore_ascii_case("bearer") && value == t.bearer_token,
        }
    }

    /// The `WWW-Authenticate` challenge of a 401.
    pub(crate) fn challenge(&self) -> &'static str {
        match self {
            Self::Basic(_) => "Basic realm=\"Realm\"",
            Self::Bearer(_) => "Bearer",
        }
    }
}

impl ElasticsearchAuth {
    /// HTTP basic credentials.
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::Basic(BasicCredentials {
            username: username.into(),
            password: password.into(),
        })
    }

    /// An API key (the encoded form sent after `ApiKey `).
    pub fn api_key(key: impl Into<String>) -> Self {
        Self::ApiKey(ApiKey {
            api_key: key.into(),
        })
    }

    /// Whether `header` (the `Authorization` value) carries these credentials.
    pub(crate) fn accepts(&self, header: Option<&str>) -> bool {
        let Some((scheme, value)) = header.and_then(split_scheme) else {
            return false;
        };
        match self {
            Self::Basic(c) => scheme.eq_ignore_ascii_case("basic") && c.matches(value),
            Self::ApiKey(k) => scheme.eq_ignore_ascii_case("apikey") && value == k.api_key,
        }
    }
}

impl BasicCredentials {
    fn matches(&self, encoded: &str) -> bool {
        decode_basic(encoded).is_some_and(|(u, p)| u == self.username && p == self.password)
    }
}

/// `"Scheme value"` → (scheme, value), value trimmed.
fn split_scheme(header: &str) -> Option<(&str, &str)> {
    let (scheme, value) = header.trim().split_once(' ')?;
    Some((scheme, value.trim()))
}

/// Base64 `user:password` → (user, password).
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// The principal Elasticsearch names in an authentication failure: the basic user name, or the
/// id part of an encoded API key (`id:key`, else `_api_key`); `None` for any other scheme, which
/// Elasticsearch treats like missing credentials.
pub(crate) fn es_principal(header: &str) -> Option<String> {
    let (scheme, value) = split_scheme(header)?;
    if scheme.eq_ignore_ascii_case("basic") {
        return decode_basic(value).map(|(user, _)| user);
    }
    if scheme.eq_ignore_ascii_case("apikey") {
        return decode_basic(value)
            .map(|(id, _)| id)
            .or_else(|| Some("_api_key".into()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
    }

    #[test]
    fn basic_bearer_and_api_key_are_compared_exactly() {
        let m = ManagementAuth::basic("demo", "s3cret");
        assert!(m.accepts(Some(&basic("demo", "s3cret"))));
        assert!(!m.accepts(Some(&basic("demo", "wrong"))));
        assert!(!m.accepts(Some("Bearer s3cret")));
        assert!(!m.accepts(None));

        let b = ManagementAuth::bearer("tok");
        assert!(b.accepts(Some("Bearer tok")));
        assert!(b.accepts(Some("bearer tok")));
        assert!(!b.accepts(Some("Bearer tok2")));

        let k = ElasticsearchAuth::api_key("aWQ6a2V5");
        assert!(k.accepts(Some("ApiKey aWQ6a2V5")));
        assert!(!k.accepts(Some("ApiKey other")));
        assert!(!k.accepts(Some(&basic("id", "key"))));
    }

    #[test]
    fn es_principal_names_the_user_or_key_id() {
        assert_eq!(
            es_principal(&basic("elastic", "x")).as_deref(),
            Some("elastic")
        );
        assert_eq!(es_principal("ApiKey aWQ6a2V5").as_deref(), Some("id"));
        assert_eq!(es_principal("Bearer t"), None);
    }

    #[test]
    fn toml_shapes_select_the_right_variant() {
        let a: AuthConfig = toml::from_str(
            "[management]\nbearer_token = \"t\"\n[elasticsearch]\napi_key = \"k\"\n",
        )
        .expect("parses");
        assert_eq!(a.management, Some(ManagementAuth::bearer("t")));
        assert_eq!(a.elasticsearch, Some(ElasticsearchAuth::api_key("k")));
        let b: AuthConfig =
            toml::from_str("[management]\nusername = \"u\"\npassword = \"p\"\n").expect("parses");
        assert_eq!(b.management, Some(ManagementAuth::basic("u", "p")));
        assert!(toml::from_str::<AuthConfig>("[management]\napi_key = \"k\"\n").is_err());
    }
}
