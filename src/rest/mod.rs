//! The HTTP surface: Leptos pages and server functions, plus the JSON API under `/api/v1` for
//! scripts and monitoring. Handlers only translate HTTP; the logic lives in the services.

mod backups;
mod cluster;
mod error;
mod events;
mod restores;

pub use backups::{delete_error, start_error};
pub use error::ApiError;
pub use restores::{requester, restore_api_error};

use crate::app::{shell, App};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};

/// The whole router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let api = Router::new()
        .route("/api/v1/health", get(cluster::health))
        .route("/api/v1/console", get(cluster::console_info))
        .route("/api/v1/cluster", get(cluster::overview))
        .route("/api/v1/backups", post(backups::start).get(backups::list))
        .route(
            "/api/v1/backups/{id}",
            get(backups::get).delete(backups::delete),
        )
        .route("/api/v1/backups/{id}/events", get(events::stream))
        .route("/api/v1/backups/{id}/cancel", post(backups::cancel))
        .route("/api/v1/restores/plan", post(restores::plan))
        .route(
            "/api/v1/restores",
            post(restores::start).get(restores::list),
        )
        .route("/api/v1/restores/{id}", get(restores::get))
        .route(
            "/api/v1/restores/{id}/steps/{key}/confirm",
            post(restores::confirm),
        )
        .route("/api/v1/restores/{id}/events", get(restores::events))
        .route("/api/v1/restores/{id}/cancel", post(restores::cancel))
        .route("/api/v1/restores/{id}/retry", post(restores::retry))
        // A form on another site must not start, delete, confirm or cancel anything.
        .layer(axum::middleware::from_fn(same_origin_writes));
    api.route(
        "/api/{*fn_name}",
        get(server_fn_handler).post(server_fn_handler),
    )
    .leptos_routes_with_context(
        &state,
        routes,
        {
            let console = state.console.clone();
            move || provide_context(console.clone())
        },
        {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        },
    )
    .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
    .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
    .with_state(state)
}

/// Refuses cross-site requests that change something (scripts send no `Origin`).
async fn same_origin_writes(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let reading = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if !reading {
        if let Err(refused) = same_origin(request.headers()) {
            return refused.into_response();
        }
    }
    next.run(request).await
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    if let Err(refused) = same_origin(request.headers()) {
        return refused.into_response();
    }
    handle_server_fns_with_context(move || provide_context(state.console.clone()), request)
        .await
        .into_response()
}

/// Server functions take form posts, which any web page open in the admin's browser could
/// send (start a backup, delete a set): only the console's own pages may call them. Browsers
/// say where a request comes from (`Sec-Fetch-Site`, `Origin`); a request from another site is
/// refused. Full sign-in and CSRF tokens come with authentication.
fn same_origin(headers: &axum::http::HeaderMap) -> Result<(), ApiError> {
    let refused = || {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
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
    use super::same_origin;
    use axum::http::HeaderMap;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap_or_else(|_| panic!("{v}")));
        }
        h
    }

    #[test]
    fn server_functions_refuse_other_sites() {
        assert!(same_origin(&headers(&[
            ("host", "console:3000"),
            ("origin", "http://console:3000"),
            ("sec-fetch-site", "same-origin")
        ]))
        .is_ok());
        assert!(same_origin(&headers(&[("host", "console:3000")])).is_ok());
        assert!(same_origin(&headers(&[
            ("host", "console:3000"),
            ("sec-fetch-site", "cross-site")
        ]))
        .is_err());
        assert!(same_origin(&headers(&[
            ("host", "console:3000"),
            ("sec-fetch-site", "same-site")
        ]))
        .is_err());
        assert!(same_origin(&headers(&[
            ("host", "console:3000"),
            ("origin", "https://evil.example")
        ]))
        .is_err());
    }
}
