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
use std::sync::OnceLock;

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

/// The stylesheet's URL: with `hash-files`, the name cargo-leptos gave it (from the hash file
/// next to the binary, as Leptos reads it for the scripts); read once.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let mut name = options.output_name.to_string();
        if options.hash_files {
            let hash_file = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(|d| d.join(options.hash_file.as_ref())));
            let hashes = hash_file.and_then(|p| std::fs::read_to_string(p).ok());
            match hashes.as_deref().and_then(css_hash) {
                Some(hash) => name.push_str(&format!(".{hash}")),
                None => tracing::error!(
                    "file hashing is on (LEPTOS_HASH_FILES) but the hash file next to the binary names no stylesheet"
                ),
            }
        }
        format!("/{}/{name}.css", options.site_pkg_dir)
    })
    .clone()
}

/// The `css:` line of cargo-leptos' hash file.
fn css_hash(hashes: &str) -> Option<String> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.trim().split_once(':')?;
        (file == "css").then(|| hash.trim().to_owned())
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

    #[test]
    fn the_stylesheet_hash_is_read_from_the_css_line() {
        assert_eq!(
            css_hash("js: aaa\nwasm: bbb\ncss: CcC-_9\n").as_deref(),
            Some("CcC-_9")
        );
        assert_eq!(css_hash("js: aaa\n"), None);
    }
}
