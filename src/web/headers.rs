//! Security headers on every response: frame denial, no-sniff, referrer policy, and a Content
//! Security Policy. Pages get one that allows the app's own script (the hydration script by its
//! per-request nonce) and wasm and nothing else; every other response gets one that allows
//! nothing but the stylesheet.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// Everything that is not a Leptos page (JSON, the sign-in page, assets).
const DEFAULT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a Leptos page with this render's nonce.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Sets the page policy for the page being rendered (called in the render's context).
pub fn provide_page_csp() {
    use leptos::prelude::use_context;
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&page_csp(&nonce)),
    ) {
        options.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

pub async fn security_headers(request: Request<Body>, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/v1/");
    let mut response = next.run(request).await;
    if api && response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        // The body limit answers in plain text; the API answers in its JSON error shape.
        use axum::response::IntoResponse;
        response = crate::wire::ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The body is larger than 64 KiB.",
        )
        .into_response();
    }
    let h = response.headers_mut();
    // Pages and answers carry the caller's data: no cache (a proxy's, or the browser's back
    // button after sign-out) keeps them. Static files set their own policy.
    let private = h
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/html")
                || t.starts_with("application/json")
                || t.starts_with("application/problem+json")
                || t.starts_with("text/event-stream")
                || t.starts_with("text/plain")
        });
    if private && !h.contains_key(axum::http::header::CACHE_CONTROL) {
        h.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    response
}

/// JSON endpoints take JSON: a body of another type (a form, text) is refused with 415. A
/// request without a body needs no type (`POST /api/v1/backups` with nothing starts the next id).
pub async fn json_only(request: Request<Body>, next: Next) -> Response {
    use axum::http::{header, Method, StatusCode};
    use axum::response::IntoResponse;
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes {
        let headers = request.headers();
        let has_body = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0)
            || headers.contains_key(header::TRANSFER_ENCODING);
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        let json = content_type
            .as_deref()
            .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
        if (has_body || content_type.is_some()) && !json {
            return crate::wire::ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "This endpoint takes `application/json`, not `{}`.",
                    content_type
                        .as_deref()
                        .unwrap_or("a body without a Content-Type")
                ),
            )
            .into_response();
        }
    }
    next.run(request).await
}
