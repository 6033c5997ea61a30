//! The sign-in pages and their form posts (HTTP handlers over the auth core):
//! `GET /login` (the page), `POST /auth/login` (a form: username, password, next) and
//! `POST /auth/logout` (a form carrying the CSRF token). Every sign-in, failed sign-in and
//! sign-out is audited; failures are rate-limited per user name and per address.

pub mod oidc;
mod page;

use crate::audit::{self, Outcome, Record, Who};
use crate::auth::{verify_password, Via};
use crate::state::AppState;
use crate::store::StoredUser;
use crate::web::cookie::{self, SESSION_COOKIE};
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use page::SignInPage;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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

pub(crate) fn page_response(
    state: &AppState,
    status: StatusCode,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Response {
    let stylesheet = crate::stylesheet::href(&state.leptos_options);
    let html = page::render(&SignInPage {
        stylesheet: &stylesheet,
        next,
        error,
        username,
        cluster: &state.console.info.cluster_name,
        simulated: state.console.info.simulated,
        sso: state
            .console
            .auth
            .oidc()
            .map(|o| o.settings().display_name.as_str()),
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

/// Why a sign-in opened no session: the page's status and words, what the audit log records
/// (nothing for a malformed form or a console fault, which the console's log reports), and how
/// long to wait before trying again.
struct Refusal {
    status: StatusCode,
    message: String,
    audit: Option<(Outcome, String)>,
    retry_after: Option<Duration>,
}

impl Refusal {
    fn fault(what: &str, e: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %e, "sign-in: {what}");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("The console could not {what}; see the console's log."),
            audit: None,
            retry_after: None,
        }
    }
}

/// Checks the form, the limiter and the password. The attempt is counted before the password
/// is checked (and taken back when it was right), so parallel guesses are limited too.
async fn check(
    auth: &crate::auth::Auth,
    username: &str,
    password: &str,
    address: &str,
) -> Result<StoredUser, Refusal> {
    if username.is_empty() || username.len() > 64 || password.len() > 1024 {
        return Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            message: "Enter a username (up to 64 characters) and a password.".into(),
            audit: None,
            retry_after: None,
        });
    }
    let attempt = match auth.limiter().begin(username, address, Instant::now()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let when = if seconds < 120 {
                format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
            } else {
                format!("{} minutes", seconds.div_ceil(60))
            };
            return Err(Refusal {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: format!(
                    "Too many failed sign-ins for this user or from this address. Try again in {when}."
                ),
                audit: Some((
                    Outcome::Refused,
                    format!("too many failed sign-ins; the next attempt is allowed in {when}"),
                )),
                retry_after: Some(wait),
            });
        }
    };
    let user = auth
        .store()
        .user(username)
        .await
        .map_err(|e| Refusal::fault("read its users", &e))?;
    let verified = match verify_password(
        password.to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    {
        Ok(v) => v,
        Err(crate::auth::PasswordError::Busy) => {
            // Not a guess that was judged: it does not count against the user.
            auth.limiter().succeeded(attempt);
            return Err(Refusal {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message:
                    "The console is checking many sign-ins right now. Try again in a few seconds."
                        .into(),
                audit: None,
                retry_after: Some(Duration::from_secs(5)),
            });
        }
        Err(e) => return Err(Refusal::fault("check the password", &e)),
    };
    match user {
        Some(u) if verified => {
            auth.limiter().succeeded(attempt);
            Ok(u)
        }
        _ => Err(Refusal {
            status: StatusCode::UNAUTHORIZED,
            message: "Wrong username or password.".into(),
            audit: Some((Outcome::Failed, "wrong username or password".into())),
            retry_after: None,
        }),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    if let Err(refused) = crate::web::gate::same_origin(&headers) {
        return refused.into_response();
    }
    let auth = &state.console.auth;
    let next = safe_next(&form.next).to_owned();
    let address =
        crate::web::address::client_address(peer.ip(), &headers, &auth.settings().trusted_proxies)
            .to_string();
    let username = form.username.trim();
    let who = Who {
        id: None,
        actor: if username.is_empty() { "-" } else { username },
        kind: "local",
        address: Some(&address),
    };
    let opened = match check(auth, username, &form.password, &address).await {
        Ok(user) => auth
            .open_session(&user.name, None, user.role, Via::Local)
            .await
            .map(|token| (user, token))
            .map_err(|e| Refusal::fault("store the session", &e)),
        Err(refused) => Err(refused),
    };
    let audited = match &opened {
        Ok((user, _)) => Some((Outcome::Ok, format!("role {}", user.role))),
        Err(refused) => refused.audit.clone(),
    };
    if let Some((outcome, detail)) = audited {
        let record = Record {
            action: "auth.sign_in",
            target: Some(username.to_owned()),
            outcome,
            detail: Some(detail),
        };
        if outcome == Outcome::Ok {
            audit::record(auth.store(), who, record).await;
        } else {
            // Anyone can cause these: repeats are gathered per window.
            auth.repeats().record(auth.store(), who, record).await;
        }
    }
    match opened {
        Ok((user, token)) => {
            tracing::info!(user = %user.name, role = %user.role, "signed in");
            let mut response = Redirect::to(&next).into_response();
            if let Some(c) =
                cookie::set(&token, auth.settings().session_ttl, secure(auth, &headers))
            {
                response.headers_mut().insert(header::SET_COOKIE, c);
            }
            response
        }
        Err(refused) => {
            let shown = if refused.status == StatusCode::BAD_REQUEST {
                ""
            } else {
                username
            };
            let mut response =
                page_response(&state, refused.status, &next, shown, Some(&refused.message));
            if let Some(wait) = refused.retry_after {
                let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
                if let Ok(v) = header::HeaderValue::from_str(&seconds.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            response
        }
    }
}

/// Whether the session cookie gets `Secure`: configured, or the request came over HTTPS.
pub(crate) fn secure(auth: &crate::auth::Auth, headers: &HeaderMap) -> bool {
    auth.settings().secure_cookies || cookie::forwarded_https(headers)
}

/// Ends the session. The form must carry the session's CSRF token.
pub async fn sign_out(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    let auth = &state.console.auth;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie::clear(secure(auth, &headers)));
    let Some(value) = cookie::read(&headers, SESSION_COOKIE).map(str::to_owned) else {
        return response;
    };
    let Ok(Some((principal, csrf))) = auth.session(&value).await else {
        return response;
    };
    if crate::web::gate::same_origin(&headers).is_err()
        || !crate::auth::same_text(&form.csrf, &csrf)
    {
        return crate::wire::ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_token_invalid",
            "Sign-out must come from the console's own page. Reload it and try again.",
        )
        .into_response();
    }
    if let Err(e) = auth.close_session(&value).await {
        tracing::error!(error = %e, "could not end the session");
    }
    let address =
        crate::web::address::client_address(peer.ip(), &headers, &auth.settings().trusted_proxies)
            .to_string();
    audit::record(
        auth.store(),
        Who {
            id: principal.subject.as_deref(),
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
