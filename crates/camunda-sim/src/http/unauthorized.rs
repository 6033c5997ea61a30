//! Authentication gate of the component listeners: a request without the configured credentials
//! gets HTTP 401 in the component's own error shape (Spring Security or Elasticsearch security).

use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde_json::json;

use super::{json_resp, spring_error, status};
use crate::auth::{es_principal, AuthConfig};
use crate::component::Listener;

/// `Some(401 response)` when `listener` requires credentials that `authorization` lacks.
pub(crate) fn check(
    auth: &AuthConfig,
    listener: Listener,
    authorization: Option<&str>,
    path: &str,
    raw_query: Option<&str>,
) -> Option<Response> {
    match listener {
        Listener::Admin => None,
        Listener::Elasticsearch => {
            let es = auth.elasticsearch.as_ref()?;
            (!es.accepts(authorization)).then(|| elasticsearch(authorization, path, raw_query))
        }
        Listener::Rest => {
            let r = auth.rest.as_ref()?;
            (!r.accepts(authorization)).then(|| {
                with_challenges(
                    super::rest::problem(
                        401,
                        "Unauthorized",
                        "Full authentication is required to access this resource",
                        path,
                    ),
                    &[r.challenge()],
                )
            })
        }
        _ => {
            let m = auth.management.as_ref()?;
            (!m.accepts(authorization)).then(|| spring(m.challenge(), path))
        }
    }
}

fn with_challenges(mut resp: Response, challenges: &[&'static str]) -> Response {
    for c in challenges {
        resp.headers_mut()
            .append(header::WWW_AUTHENTICATE, HeaderValue::from_static(c));
    }
    resp
}

/// Spring Boot's 401: `{"timestamp","status":401,"error":"Unauthorized","path"}`.
fn spring(challenge: &'static str, path: &str) -> Response {
    with_challenges(spring_error(401, path), &[challenge])
}

/// Elasticsearch's `security_exception` 401.
fn elasticsearch(authorization: Option<&str>, path: &str, raw_query: Option<&str>) -> Response {
    let uri = match raw_query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    };
    let reason = match authorization.and_then(es_principal) {
        Some(user) => format!("unable to authenticate user [{user}] for REST request [{uri}]"),
        None => format!("missing authentication credentials for REST request [{uri}]"),
    };
    let body = json!({
        "error": {
            "root_cause": [{"type": "security_exception", "reason": reason}],
            "type": "security_exception",
            "reason": reason,
        },
        "status": 401,
    });
    with_challenges(
        json_resp(status(401), &body),
        &["Basic realm=\"security\" charset=\"UTF-8\"", "ApiKey"],
    )
}
