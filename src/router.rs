//! The whole router, the top of the server: the pages (`crate::app`), the server functions
//! (`crate::api`), the JSON API and sign-in (`crate::rest`), the static files, behind the gate
//! (a caller on every route but the public few), the body limit and the security headers.

use crate::app::{shell, App};
use crate::state::AppState;
use crate::web::{gate, headers};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};

/// The whole router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    crate::rest::routes()
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let console = state.console.clone();
                move || {
                    provide_context(console.clone());
                    headers::provide_page_csp();
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .merge(crate::web::assets::routes(&state.leptos_options))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Every route but the public few needs a caller (a session or an API token).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::authenticate,
        ))
        // On a follower replica, starts and confirmations go to the leader (before the gate:
        // the leader authenticates and audits them).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::web::forward::to_leader,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        // Pages and JSON compressed on the fly (brotli or gzip) when it pays; the bundle is
        // precompressed, and event streams are never held back (the default predicate skips
        // `text/event-stream` and small answers).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn(headers::security_headers))
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    handle_server_fns_with_context(move || provide_context(state.console.clone()), request)
        .await
        .into_response()
}
