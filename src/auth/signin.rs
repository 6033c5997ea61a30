//! `GET /login` (the page), `POST /auth/login` (a form: username, password, next) and
//! `POST /auth/logout` (a form carrying the CSRF token). Every sign-in, failed sign-in and
//! sign-out is audited; failures are rate-limited per user name and per address.

use super::cookie::{self, SESSION_COOKIE};
use super::page::{self, SignInPage};
use super::{verify_password, Via};
use crate::audit::{self, Outcome, Record, Who};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// Where to go after signing in: a local path only (no other site, no header injection).
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2048
        && next.bytes().all(|b| (0x21..0x7f).contains(&b))
        && !next.starts_with("/login")
        && !next.starts_with("/auth/");
    if local {
        next
    } else {
        "/"
    }
}

fn page_response(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let html = page::render(&SignInPage {
        next,
        error,
        username,
        cluster: &state.console.info.cluster_name,
        simulated: state.console.info.simulated,
    });
    (status, Html(html)).into_response()
}

/// The sign-in page; a signed-in browser goes straight on to `next`.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    if let Some(value) = cookie::read(&headers, SESSION_COOKIE) {
        if let Ok(Some(_)) = state.console.auth.session(value).await {
            return Redirect::to(next).into_response();
        }
    }
    page_response(&state, StatusCode::OK, next, "", None)
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let auth = &state.console.auth;
    let next = safe_next(&form.next).to_owned();
    let address = peer.ip().to_string();
    let username = form.username.trim();
    let who = Who {
        actor: if username.is_empty() { "-" } else { username },
        kind: "local",
        address: Some(&address),
    };
    let store = auth.store();
    if let Err(refused) = super::middleware::same_origin(&headers) {
        return refused.into_response();
    }
    if username.is_empty() || username.len() > 64 || form.password.len() > 1024 {
        return page_response(
            &state,
            StatusCode::BAD_REQUEST,
            &next,
            "",
            Some("Enter a username (up to 64 characters) and a password."),
        );
    }
    if let Err(wait) = auth.limiter().check(username, &address, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        audit::record(
            store,
            who,
            Record {
                action: "auth.sign_in",
                target: Some(username.to_owned()),
                outcome: Outcome::Refused,
                detail: Some(format!(
                    "too many failed sign-ins; locked for {minutes} min"
                )),
            },
        )
        .await;
        let mut response = page_response(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            &next,
            username,
            Some(&format!(
                "Too many failed sign-ins for this user or from this address. Try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            )),
        );
        if let Ok(v) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return response;
    }
    let user = match store.user(username).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "user lookup failed");
            return page_response(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &next,
                username,
                Some("The console could not read its users; see the console's log."),
            );
        }
    };
    let verified = verify_password(
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user = match (verified, user) {
        (Ok(true), Some(u)) => u,
        (Ok(_), _) => {
            auth.limiter().failed(username, &address, Instant::now());
            audit::record(
                store,
                who,
                Record {
                    action: "auth.sign_in",
                    target: Some(username.to_owned()),
                    outcome: Outcome::Failed,
                    detail: Some("wrong username or password".into()),
                },
            )
            .await;
            return page_response(
                &state,
                StatusCode::UNAUTHORIZED,
                &next,
                username,
                Some("Wrong username or password."),
            );
        }
        (Err(e), _) => {
            tracing::error!(error = %e, "password check failed");
            return page_response(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &next,
                username,
                Some("The password could not be checked; see the console's log."),
            );
        }
    };
    auth.limiter().succeeded(username);
    let token = match auth.open_session(&user.name, user.role, Via::Local).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "could not store the session");
            return page_response(
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                &next,
                username,
                Some("The console could not store the session; see the console's log."),
            );
        }
    };
    audit::record(
        store,
        who,
        Record {
            action: "auth.sign_in",
            target: Some(user.name.clone()),
            outcome: Outcome::Ok,
            detail: Some(format!("role {}", user.role)),
        },
    )
    .await;
    tracing::info!(user = %user.name, role = %user.role, "signed in");
    let secure = auth.settings().secure_cookies || cookie::forwarded_https(&headers);
    let mut response = Redirect::to(&next).into_response();
    if let Some(c) = cookie::set(&token, auth.settings().session_ttl, secure) {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    response
}

/// Ends the session. The form must carry the session's CSRF token.
pub async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    let auth = &state.console.auth;
    let secure = auth.settings().secure_cookies || cookie::forwarded_https(&headers);
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie::clear(secure));
    let Some(value) = cookie::read(&headers, SESSION_COOKIE).map(str::to_owned) else {
        return response;
    };
    let Ok(Some((principal, csrf))) = auth.session(&value).await else {
        return response;
    };
    if super::middleware::same_origin(&headers).is_err()
        || !super::token::same_text(&form.csrf, &csrf)
    {
        return crate::rest::ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_token_invalid",
            "Sign-out must come from the console's own page. Reload it and try again.",
        )
        .into_response();
    }
    if let Err(e) = auth.close_session(&value).await {
        tracing::error!(error = %e, "could not end the session");
    }
    let address = peer.ip().to_string();
    audit::record(
        auth.store(),
        Who {
            actor: &principal.name,
            kind: principal.via.as_str(),
            address: Some(&address),
        },
        Record {
            action: "auth.sign_out",
            target: Some(principal.name.clone()),
            outcome: Outcome::Ok,
            detail: None,
        },
    )
    .await;
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next("/backups/42"), "/backups/42");
        assert_eq!(
            safe_next("/backups?verdict=failed"),
            "/backups?verdict=failed"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "backups",
            "/login?next=/x",
            "/auth/logout",
            "/a\r\nSet-Cookie: x",
            "/é",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
