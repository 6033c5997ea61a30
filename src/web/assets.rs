//! The browser bundle under `/pkg/`: served precompressed (`.br`, then `.gz`, as the browser's
//! `Accept-Encoding` allows; always `Vary: Accept-Encoding`), and cached for a year as
//! immutable when its name carries a content hash (cargo-leptos `hash-files`: a new build gets
//! new names), else revalidated every time (`no-cache`: a development build keeps its names).

use crate::state::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::prelude::LeptosOptions;

/// The bundle's routes: `/{site_pkg_dir}/*` from `{site_root}/{site_pkg_dir}`.
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let pkg = options.site_pkg_dir.as_ref();
    let dir = std::path::Path::new(options.site_root.as_ref()).join(pkg);
    let files = tower_http::services::ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{pkg}"), files)
        .layer(axum::middleware::from_fn(cache_headers))
}

/// `Cache-Control` by name, and `Vary: Accept-Encoding` (the same URL may be sent as brotli,
/// gzip or as it is).
async fn cache_headers(request: Request<Body>, next: Next) -> Response {
    let hashed = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(content_hashed);
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status().as_u16() == 304 {
        let h = response.headers_mut();
        h.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(if hashed {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            }),
        );
        h.append(VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether a file name carries a content hash: a dot-separated part of at least 16 base64url
/// characters before the extension (`app.Xk2…9Q.wasm`).
pub fn content_hashed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            p.len() >= 16
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_are_immutable() {
        assert!(content_hashed(
            "camunda-backup-console.s1a7KzXq2bT0vY9wHc4mFg.wasm"
        ));
        assert!(content_hashed(
            "camunda-backup-console.s1a7KzXq2bT0vY9wHc4mFg.js.br"
        ));
        assert!(!content_hashed("camunda-backup-console.wasm"));
        assert!(!content_hashed("camunda-backup-console.css.gz"));
        assert!(!content_hashed("short.abc.js"));
    }
}
