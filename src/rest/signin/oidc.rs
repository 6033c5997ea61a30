//! `GET /auth/oidc/start?next=` sends the browser to the identity provider (with a short-lived
//! `SameSite=Lax` cookie binding the sign-in's `state` to this browser); `GET
//! /auth/oidc/callback` finishes it: the session cookie is set and a small page moves on to
//! `next`. That hop is needed because the provider's redirect is a cross-site navigation, on
//! which the browser does not send a `SameSite=Strict` cookie; the page's own navigation is
//! same-site and does. Every sign-in and failure is audited like a local one.

use super::{page_response, safe_next, secure};
use crate::audit::{self, Outcome, Record, Who};
use crate::auth::oidc::{OidcError, PENDING_TTL};
use crate::auth::Via;
use crate::state::AppState;
use crate::web::cookie;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// The cookie holding the started sign-in's `state`; sent back on the provider's redirect
/// (a top-level GET, so `Lax` suffices) and only to the callback path.
const STATE_COOKIE: &str = "cbc_oidc";

#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn state_cookie(value: &str, max_age: u64, secure: bool) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{STATE_COOKIE}={value}; Path=/auth/oidc/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    ))
    .ok()
}

fn not_configured() -> Response {
    (
        StatusCode::NOT_FOUND,
        "Single sign-on is not configured on this console ([auth.oidc]).",
    )
        .into_response()
}

fn secure_for(state: &AppState, headers: &HeaderMap) -> bool {
    let auth = &state.console.auth;
    secure(auth, headers)
        || auth
            .oidc()
            .is_some_and(|o| o.settings().redirect_url.scheme() == "https")
}

pub async fn start(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<StartQuery>,
) -> Response {
    let Some(oidc) = state.console.auth.oidc() else {
        return not_configured();
    };
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let address = crate::web::address::client_address(
        peer.ip(),
        &headers,
        &state.console.auth.settings().trusted_proxies,
    );
    match oidc.start(next, &address.to_string()).await {
        Ok((url, sign_in_state)) => {
            let mut response = Redirect::to(url.as_str()).into_response();
            if let Some(c) = state_cookie(
                &sign_in_state,
                PENDING_TTL.as_secs(),
                secure_for(&state, &headers),
            ) {
                response.headers_mut().insert(header::SET_COOKIE, c);
            }
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            page_response(
                &state,
                StatusCode::BAD_GATEWAY,
                next,
                "",
                Some(&format!(
                    "Single sign-on is unavailable: {e}. Sign in with a local account, or try again when the identity provider answers."
                )),
            )
        }
    }
}

/// The page that carries the browser on to `next` with a same-site navigation.
fn continue_page(next: &str, stylesheet: &str) -> String {
    let next = super::page::escape(next);
    let stylesheet = super::page::escape(stylesheet);
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<meta http-equiv="refresh" content="0;url={next}"/>
<link rel="stylesheet" href="{stylesheet}"/>
<title>Signed in · Camunda backup console</title></head>
<body><main><p>Signed in. <a href="{next}">Continue</a></p></main></body></html>"#
    )
}

pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let auth = &state.console.auth;
    let Some(oidc) = auth.oidc() else {
        return not_configured();
    };
    let address =
        crate::web::address::client_address(peer.ip(), &headers, &auth.settings().trusted_proxies)
            .to_string();
    let sign_in_state = q.state.as_deref().unwrap_or("");
    let result = match (&q.error, &q.code) {
        // The provider's words only for a sign-in this browser started here: anyone can put
        // words in this URL.
        (Some(error), _) if oidc.abandon(sign_in_state, cookie::read(&headers, STATE_COOKIE)) => {
            Err(OidcError::Refused {
                error: error.chars().take(100).collect(),
                description: q
                    .error_description
                    .as_ref()
                    .map(|d| d.chars().take(300).collect()),
            })
        }
        (Some(_), _) => Err(OidcError::UnknownState),
        (None, Some(code)) if code.len() <= 4096 && sign_in_state.len() <= 256 => {
            oidc.finish(sign_in_state, cookie::read(&headers, STATE_COOKIE), code)
                .await
        }
        (None, _) => Err(OidcError::UnknownState),
    };
    let opened = match result {
        Ok((identity, next)) => auth
            .open_session(
                &identity.name,
                Some(&identity.subject),
                identity.role,
                Via::Oidc,
            )
            .await
            .map(|token| (identity, next, token))
            .map_err(|e| {
                tracing::error!(error = %e, "sign-in: could not store the session");
                None
            }),
        Err(e) => Err(Some(e)),
    };
    let secure = secure_for(&state, &headers);
    let subject = opened
        .as_ref()
        .ok()
        .map(|(identity, _, _)| identity.subject.clone());
    let (actor, outcome, detail) = match &opened {
        Ok((identity, _, _)) => (
            identity.name.clone(),
            Outcome::Ok,
            format!("role {} (single sign-on)", identity.role),
        ),
        Err(Some(e)) => {
            let actor = match e {
                OidcError::NoRole { user, .. } => user.clone(),
                _ => "-".into(),
            };
            (actor, Outcome::Failed, e.to_string())
        }
        Err(None) => (
            "-".into(),
            Outcome::Failed,
            "the session could not be stored".into(),
        ),
    };
    let who = Who {
        actor: &actor,
        id: subject.as_deref(),
        kind: "oidc",
        address: Some(&address),
    };
    let record = Record {
        action: "auth.sign_in",
        target: Some(actor.clone()),
        outcome,
        detail: Some(detail),
    };
    if outcome == Outcome::Ok {
        audit::record(auth.store(), who, record).await;
    } else {
        // Anyone can call the callback with an error: repeats are gathered per window.
        auth.repeats().record(auth.store(), who, record).await;
    }
    let mut response = match opened {
        Ok((identity, next, token)) => {
            tracing::info!(user = %identity.name, role = %identity.role, "signed in with single sign-on");
            let mut response = Html(continue_page(
                &next,
                &crate::stylesheet::href(&state.leptos_options),
            ))
            .into_response();
            if let Some(c) = cookie::set(&token, auth.settings().session_ttl, secure) {
                response.headers_mut().append(header::SET_COOKIE, c);
            }
            response
        }
        Err(e) => {
            let (status, message) = match &e {
                Some(e @ OidcError::NoRole { .. }) => (StatusCode::FORBIDDEN, e.to_string()),
                Some(
                    e @ (OidcError::Provider { .. }
                    | OidcError::Unavailable { .. }
                    | OidcError::Reading { .. }
                    | OidcError::IssuerMismatch { .. }
                    | OidcError::TokenEndpoint { .. }
                    | OidcError::Malformed { .. }),
                ) => (StatusCode::BAD_GATEWAY, e.to_string()),
                Some(e) => (StatusCode::UNAUTHORIZED, e.to_string()),
                None => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The console could not store the session; see the console's log.".into(),
                ),
            };
            tracing::warn!(%message, "single sign-on failed");
            page_response(
                &state,
                status,
                "/",
                "",
                Some(&format!("Single sign-on failed: {message}")),
            )
        }
    };
    if let Some(c) = state_cookie("", 0, secure) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    response
}
