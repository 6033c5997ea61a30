//! The HTTP surface: Leptos pages and server functions, plus the JSON API under `/api/v1` for
//! scripts and monitoring. Handlers only translate HTTP; the logic lives in the services.

mod audit;
mod backups;
mod cluster;
mod error;
mod events;
pub mod headers;
pub mod openapi;
mod restores;
mod schema;

pub use backups::{cancel_error, delete_error, journal_error, start_error};
pub use error::ApiError;
pub use restores::{restore_api_error, restore_error};

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
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/openapi.json", get(openapi::document))
        // An unknown API path answers in the API's error shape, not as a missing server function.
        .route("/api/v1/{*rest}", axum::routing::any(api_not_found))
        .layer(axum::middleware::from_fn(headers::json_only));
    api.route(
        "/api/{*fn_name}",
        get(server_fn_handler).post(server_fn_handler),
    )
    .route("/login", get(crate::auth::signin::login_page))
    .route("/auth/login", post(crate::auth::signin::sign_in))
    .route("/auth/logout", post(crate::auth::signin::sign_out))
    .route("/auth/oidc/start", get(crate::auth::oidc_signin::start))
    .route(
        "/auth/oidc/callback",
        get(crate::auth::oidc_signin::callback),
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
    .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
    // Every route but the public few needs a caller (a session or an API token).
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        crate::auth::middleware::authenticate,
    ))
    .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
    .layer(axum::middleware::from_fn(headers::security_headers))
    .with_state(state)
}

async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        format!(
            "No API endpoint at {}; the endpoints are listed in /api/v1/openapi.json",
            uri.path()
        ),
    )
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    handle_server_fns_with_context(move || provide_context(state.console.clone()), request)
        .await
        .into_response()
}
