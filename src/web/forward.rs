//! Several replicas on PostgreSQL: a start or a confirmation that reaches a follower is sent on
//! to the leader, which alone runs backups and restores, and the leader's answer — status,
//! headers, body — goes back unchanged, so a caller gets the same codes from any replica.
//!
//! The follower forwards before its own gate: the leader authenticates the caller (sessions
//! and tokens are the same on every replica), checks CSRF against the original `Host`, and
//! audits the caller's address, which the follower passes along with the term's secret (read
//! from the lease row). Without the secret, the address header is not believed. A request
//! forwarded to a replica that no longer leads is not forwarded again: 503 `no_leader`, and
//! the caller retries.

use crate::state::AppState;
use crate::wire::ApiError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

/// The term's secret a forwarded request carries.
pub const FORWARD_TOKEN: &str = "x-console-forward-token";
/// The caller's address as the follower saw it.
pub const FORWARDED_FOR: &str = "x-console-forwarded-for";
/// The largest body forwarded (the router's own limit).
const BODY_LIMIT: usize = 64 * 1024;

/// Whether `method path` must run on the leader: starting, cancelling and deleting backups,
/// starting and driving restores, running a schedule now — over the JSON API or the pages'
/// server functions. Reads and settings (schedules, retention, hooks, pins) run anywhere.
pub fn needs_leader(method: &Method, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (&Method::POST, ["api", "v1", "backups"])
        | (&Method::POST, ["api", "v1", "backups", _, "cancel"])
        | (&Method::DELETE, ["api", "v1", "backups", _])
        | (&Method::POST, ["api", "v1", "restores"])
        | (&Method::POST, ["api", "v1", "restores", _, "steps", _, "confirm"])
        | (&Method::POST, ["api", "v1", "restores", _, "cancel" | "retry"])
        | (&Method::POST, ["api", "v1", "schedules", _, "run"]) => true,
        (&Method::POST, ["api", function]) => [
            "start_backup",
            "cancel_backup",
            "delete_set",
            "start_restore",
            "confirm_restore_step",
            "retry_restore",
            "cancel_restore",
            "run_schedule",
            "simulate_operator_step",
        ]
        .iter()
        .any(|name| {
            function
                .strip_prefix(name)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        }),
        _ => false,
    }
}

/// The middleware (outside the gate).
pub async fn to_leader(
    State(state): State<AppState>,
    mut request: Request<Body>,
    next: Next,
) -> Response {
    let replica = &state.console.replica;
    if !replica.elected_mode() {
        return next.run(request).await;
    }
    if let Some(token) = request.headers().get(FORWARD_TOKEN) {
        // Forwarded by a follower: believed only with the current term's secret, and only
        // by the leader (never forwarded twice).
        if !token.to_str().is_ok_and(|t| replica.is_forward_token(t)) {
            return no_leader("The replica this request was forwarded to does not lead any more (a takeover is under way); retry in a few seconds.");
        }
        let caller = request
            .headers()
            .get(FORWARDED_FOR)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<std::net::IpAddr>().ok());
        if let Some(ip) = caller {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(ip, 0)));
        }
        request.headers_mut().remove(FORWARD_TOKEN);
        request.headers_mut().remove(FORWARDED_FOR);
        return next.run(request).await;
    }
    if replica.is_leader() || !needs_leader(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let lead = replica.state();
    let (Some(url), Some(token)) = (lead.leader_url, lead.token) else {
        return no_leader(
            "No replica leads right now (a takeover is under way); retry in a few seconds.",
        );
    };
    let caller = crate::web::gate::peer(&request, &state.console.auth.settings().trusted_proxies);
    forward(
        request,
        &url,
        &token,
        caller,
        lead.leader_id.as_deref().unwrap_or("?"),
    )
    .await
}

#[tracing::instrument(name = "forward", skip_all, fields(leader = %leader_id, path = %request.uri().path()))]
async fn forward(
    request: Request<Body>,
    leader_url: &str,
    token: &str,
    caller: Option<String>,
    leader_id: &str,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "The request body is larger than 64 KiB.",
            )
            .into_response()
        }
    };
    let target = format!(
        "{leader_url}{}",
        parts.uri.path_and_query().map_or("/", |pq| pq.as_str())
    );
    let mut out = client().request(parts.method.clone(), &target).body(body);
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            out = out.header(name, value);
        }
    }
    out = out.header(FORWARD_TOKEN, token);
    if let Some(ip) = caller {
        out = out.header(FORWARDED_FOR, ip);
    }
    let answer = match out.send().await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e.without_url(), "the leader did not answer a forwarded request");
            return no_leader(&format!(
                "The leading replica ({leader_id}) did not answer; retry in a few seconds."
            ));
        }
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !hop_by_hop(name) && name != header::CONTENT_LENGTH {
            response = response.header(name, value);
        }
    }
    match answer.bytes().await {
        Ok(bytes) => response
            .body(Body::from(bytes))
            .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response()),
        Err(e) => {
            tracing::warn!(error = %e.without_url(), "the leader's answer was cut short");
            no_leader(&format!(
                "The leading replica ({leader_id}) did not finish its answer; check the run before retrying."
            ))
        }
    }
}

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | FORWARD_TOKEN
            | FORWARDED_FOR
    )
}

fn no_leader(message: &str) -> Response {
    let mut response =
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "no_leader", message).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_starts_and_confirmations_go_to_the_leader() {
        let yes = [
            (Method::POST, "/api/v1/backups"),
            (Method::POST, "/api/v1/backups/12/cancel"),
            (Method::DELETE, "/api/v1/backups/12"),
            (Method::POST, "/api/v1/restores"),
            (Method::POST, "/api/v1/restores/3/steps/stop_apps/confirm"),
            (Method::POST, "/api/v1/restores/3/retry"),
            (Method::POST, "/api/v1/schedules/4/run"),
            (Method::POST, "/api/start_backup"),
            (Method::POST, "/api/start_backup1742"),
            (Method::POST, "/api/confirm_restore_step99"),
        ];
        for (m, p) in &yes {
            assert!(needs_leader(m, p), "{m} {p}");
        }
        let no = [
            (Method::GET, "/api/v1/backups"),
            (Method::GET, "/api/v1/backups/12"),
            (Method::POST, "/api/v1/restores/plan"),
            (Method::PUT, "/api/v1/backups/12/keep"),
            (Method::POST, "/api/v1/schedules"),
            (Method::POST, "/api/get_backups"),
            (Method::POST, "/api/start_backup_x"),
            (Method::GET, "/backups"),
        ];
        for (m, p) in &no {
            assert!(!needs_leader(m, p), "{m} {p}");
        }
    }
}
