//! A small OpenID Connect provider for the tests, over real HTTP on loopback: discovery, an
//! authorization endpoint that signs in whoever the test chose (no login form), a token
//! endpoint that checks the client secret and the PKCE verifier (S256) and answers an RS256 ID
//! token, and the signing key as a JWK set. The test can make it misbehave (`Tamper`).
//!
//! `idp_test_key.pem` is a key made for these tests only (`openssl genrsa 2048`).

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const KEY_PEM: &[u8] = include_bytes!("idp_test_key.pem");
/// The key's modulus, base64url (`openssl rsa -modulus`).
const KEY_N: &str = "5AGrTvYyVWzPmVRdSYybaminVN7L2uUzCm6gLHdbrdp8NqHHXQwSFCAFxyfXMIaI2zTCTvH5aDaYnGWDTYc2mS7GmdN79tcajhU9yiFqHPYb8uNVvzQDKgglAPT1nSUWWNewyTdqxJupO563LZ4wwkvc_9q-xrYWMvEcmgw3ch0VsA7cH-XVGpnGi8SQimOBQvkyDe2uumHJkCqxgkr69F1_PFUIsQ6B9bTfWLnMRKBZqGMxk9q6grJ1GkS5YQoA4TorOcx8asz0OxmyFCLMYRj269jiz1mtXwwZ-hsVd1ftz8q81MtnHqP357vy2teCqB9Uf9zoPrVB8j46XiSl6w";

pub const CLIENT_ID: &str = "backup-console";
pub const CLIENT_SECRET: &str = "idp-test-client-secret-3e9d";

/// Ways the provider can get a sign-in wrong, for the console to catch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// The ID token carries another nonce.
    WrongNonce,
    /// The ID token expired an hour ago.
    Expired,
    /// The ID token is for another client.
    WrongAudience,
    /// Signed with HS256 and the client secret instead of the published key.
    Hs256,
    /// Names a key id the provider does not publish.
    UnknownKey,
}

/// What the provider saw of the console's requests.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub authorize: Vec<HashMap<String, String>>,
    /// `(code_verifier matched the challenge, the client authenticated)` per token request.
    pub token: Vec<(bool, bool)>,
}

struct Grant {
    challenge: String,
    nonce: String,
    redirect_uri: String,
}

struct Inner {
    issuer: String,
    /// The claims of whoever signs in next (besides iss, aud, exp, nonce).
    user: Value,
    tamper: Tamper,
    grants: HashMap<String, Grant>,
    seen: Seen,
}

#[derive(Clone)]
pub struct TestIdp {
    inner: Arc<Mutex<Inner>>,
    pub issuer: String,
}

impl TestIdp {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!(
            "http://{}/realms/camunda",
            listener.local_addr().expect("addr")
        );
        let inner = Arc::new(Mutex::new(Inner {
            issuer: issuer.clone(),
            user: json!({"sub": "nobody"}),
            tamper: Tamper::None,
            grants: HashMap::new(),
            seen: Seen::default(),
        }));
        let app = Router::new()
            .route(
                "/realms/camunda/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/realms/camunda/authorize", get(authorize))
            .route("/realms/camunda/token", post(token))
            .route("/realms/camunda/jwks", get(jwks))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { inner, issuer }
    }

    /// Whoever signs in next: these claims (`sub`, `preferred_username`, roles...).
    pub fn sign_in_as(&self, claims: Value) {
        self.inner.lock().expect("idp").user = claims;
    }

    pub fn tamper(&self, t: Tamper) {
        self.inner.lock().expect("idp").tamper = t;
    }

    pub fn seen(&self) -> Seen {
        self.inner.lock().expect("idp").seen.clone()
    }
}

type Shared = Arc<Mutex<Inner>>;

async fn discovery(State(s): State<Shared>) -> Json<Value> {
    let issuer = s.lock().expect("idp").issuer.clone();
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks() -> Json<Value> {
    Json(
        json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": KEY_N, "e": "AQAB"}]}),
    )
}

/// Signs in the chosen user at once and sends the browser back with a code.
async fn authorize(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let mut inner = s.lock().expect("idp");
    inner.seen.authorize.push(q.clone());
    let arg = |k: &str| q.get(k).cloned().unwrap_or_default();
    if arg("response_type") != "code"
        || arg("client_id") != CLIENT_ID
        || arg("code_challenge_method") != "S256"
        || arg("code_challenge").is_empty()
    {
        return (StatusCode::BAD_REQUEST, "bad authorization request").into_response();
    }
    let code = format!("code-{}", inner.grants.len() + 1);
    inner.grants.insert(
        code.clone(),
        Grant {
            challenge: arg("code_challenge"),
            nonce: arg("nonce"),
            redirect_uri: arg("redirect_uri"),
        },
    );
    let mut back = url::Url::parse(&arg("redirect_uri")).expect("redirect_uri");
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &arg("state"));
    Redirect::to(back.as_str()).into_response()
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    redirect_uri: String,
    code_verifier: String,
}

async fn token(State(s): State<Shared>, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    let mut inner = s.lock().expect("idp");
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let client_ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str());
    let Some(grant) = inner.grants.remove(&f.code) else {
        inner.seen.token.push((false, client_ok));
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "unknown or used code"})),
        )
            .into_response();
    };
    let verifier_ok = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(f.code_verifier.as_bytes()))
        == grant.challenge;
    inner.seen.token.push((verifier_ok, client_ok));
    if !client_ok {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    if f.grant_type != "authorization_code" || f.redirect_uri != grant.redirect_uri || !verifier_ok
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "invalid_grant", "error_description": "PKCE verification failed"}),
            ),
        )
            .into_response();
    }
    let now = chrono::Utc::now().timestamp();
    let mut claims = inner.user.clone();
    let tamper = inner.tamper;
    if let Some(c) = claims.as_object_mut() {
        c.insert("iss".into(), json!(inner.issuer));
        c.insert(
            "aud".into(),
            json!(if tamper == Tamper::WrongAudience {
                "another-app"
            } else {
                CLIENT_ID
            }),
        );
        c.insert("iat".into(), json!(now));
        c.insert(
            "exp".into(),
            json!(if tamper == Tamper::Expired {
                now - 3600
            } else {
                now + 300
            }),
        );
        c.insert(
            "nonce".into(),
            json!(if tamper == Tamper::WrongNonce {
                "another-nonce".to_owned()
            } else {
                grant.nonce
            }),
        );
    }
    let id_token = match tamper {
        Tamper::Hs256 => jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(CLIENT_SECRET.as_bytes()),
        ),
        _ => {
            let mut h = Header::new(Algorithm::RS256);
            h.kid = Some(
                if tamper == Tamper::UnknownKey {
                    "k2"
                } else {
                    "k1"
                }
                .into(),
            );
            jsonwebtoken::encode(
                &h,
                &claims,
                &EncodingKey::from_rsa_pem(KEY_PEM).expect("test key"),
            )
        }
    }
    .expect("sign");
    Json(json!({"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": id_token}))
        .into_response()
}
