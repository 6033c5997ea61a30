//! The gate in front of every route: finds the caller (API token or session cookie), refuses
//! anonymous requests (401 on the API, a redirect to the sign-in page for pages), and protects
//! browser sessions against cross-site requests (Origin / `Sec-Fetch-Site` plus a CSRF token).

use crate::auth::{Caller, CsrfToken};
use crate::state::AppState;
use crate::web::cookie::{self, SESSION_COOKIE};
use crate::wire::ApiError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// The header that carries a session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Paths anyone may reach: the sign-in page and endpoints, static assets, the health check.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/auth/login"
            | "/auth/logout"
            | "/api/v1/health"
            | "/api/v1/ready"
            | "/api/v1/openapi.json"
            | "/favicon.ico"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/auth/oidc/")
}

fn reads_only(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The client's address: the peer's, or the one a trusted proxy names.
pub fn peer(request: &Request<Body>, trusted: &[crate::config::IpNet]) -> Option<String> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| {
            crate::web::address::client_address(c.0.ip(), request.headers(), trusted).to_string()
        })
}

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if is_public(&path) {
        return next.run(request).await;
    }
    let auth = &state.console.auth;
    let address = peer(&request, &auth.settings().trusted_proxies);
    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(principal) = presented.and_then(|t| auth.token_principal(t)) else {
            return unauthorized(
                "invalid_token",
                "The API token is not valid: send `Authorization: Bearer <token>` with a token whose SHA-256 is configured in [[auth.api_tokens]].",
            );
        };
        request
            .extensions_mut()
            .insert(Caller { principal, address });
        return next.run(request).await;
    }
    let Some(value) = cookie::read(request.headers(), SESSION_COOKIE).map(str::to_owned) else {
        return not_signed_in(&request, &path);
    };
    let (principal, csrf) = match auth.session(&value).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_signed_in(&request, &path),
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "session_store_error",
                "The console could not read its sessions; see the console's log.",
            )
            .into_response();
        }
    };
    if !reads_only(request.method()) {
        if let Err(refused) = check_csrf(request.headers(), &csrf) {
            tracing::warn!(user = %principal.name, %path, "state-changing request without a valid CSRF token refused");
            return refused.into_response();
        }
    }
    request
        .extensions_mut()
        .insert(Caller { principal, address });
    request.extensions_mut().insert(CsrfToken(csrf));
    next.run(request).await
}

fn unauthorized(code: &'static str, message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, code, message).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    response
}

/// Pages send the browser to the sign-in page (coming back afterwards); the API says 401.
fn not_signed_in(request: &Request<Body>, path: &str) -> Response {
    if path.starts_with("/api/") || path == "/metrics" || !reads_only(request.method()) {
        return unauthorized(
            "unauthenticated",
            "Sign in first (your session may have expired), or send an API token as `Authorization: Bearer <token>`.",
        );
    }
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    Redirect::to(&format!("/login?next={}", encode(target))).into_response()
}

/// Percent-encodes a path for the `next` query parameter.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser session's state-changing request must come from the console's own pages (the
/// browser's `Sec-Fetch-Site` / `Origin`) and carry the session's CSRF token.
fn check_csrf(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    same_origin(headers)?;
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match presented {
        Some(t) if crate::auth::same_text(t, expected) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_token_invalid",
            "This request did not carry the page's CSRF token. Reload the page and try again.",
        )),
    }
}

/// Refuses requests a browser marks as coming from another site (scripts send no `Origin`).
pub fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let refused = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "Requests from other web sites are refused.",
        )
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(refused());
        }
    }
    if let (Some(origin), Some(host)) = (header("origin"), header("host")) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        if origin_host != host {
            return Err(refused());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap_or_else(|_| panic!("{v}")));
        }
        h
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(same_origin(&headers(&[
            ("host", "console:3000"),
            ("origin", "http://console:3000"),
            ("sec-fetch-site", "same-origin")
        ]))
        .is_ok());
        assert!(same_origin(&headers(&[("host", "console:3000")])).is_ok());
        for bad in [
            &[("host", "console:3000"), ("sec-fetch-site", "cross-site")][..],
            &[("host", "console:3000"), ("sec-fetch-site", "same-site")][..],
            &[("host", "console:3000"), ("origin", "https://evil.example")][..],
        ] {
            assert!(same_origin(&headers(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_session_write_needs_the_csrf_token() {
        let ok = headers(&[("host", "c"), ("x-csrf-token", "tok")]);
        assert!(check_csrf(&ok, "tok").is_ok());
        let wrong = headers(&[("host", "c"), ("x-csrf-token", "other")]);
        assert_eq!(
            check_csrf(&wrong, "tok").map_err(|e| e.code),
            Err("csrf_token_invalid")
        );
        assert!(check_csrf(&headers(&[("host", "c")]), "tok").is_err());
        let cross = headers(&[
            ("host", "c"),
            ("x-csrf-token", "tok"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert_eq!(
            check_csrf(&cross, "tok").map_err(|e| e.code),
            Err("cross_site")
        );
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(
            encode("/backups?verdict=failed"),
            "/backups%3Fverdict%3Dfailed"
        );
    }
}
