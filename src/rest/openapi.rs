//! The OpenAPI 3 document of the HTTP API, generated from the handlers' `#[utoipa::path]`
//! annotations and the types they answer with, served at `/api/v1/openapi.json` (public: it
//! holds no data). `scripts/schemathesis.sh` checks the running console against it.

use super::schema;
use crate::domain;
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Camunda backup console API",
        description = "Backups, the backup history and restores of a Camunda 8 Self-Managed cluster. \
            Every call but `/api/v1/health` and this document needs a caller: `Authorization: Bearer <token>` \
            (an `[[auth.api_tokens]]` entry) or a browser session. Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        super::cluster::health,
        super::cluster::ready,
        super::cluster::console_info,
        super::cluster::overview,
        super::backups::start,
        super::backups::list,
        super::backups::get,
        super::backups::delete,
        super::backups::cancel,
        super::events::stream,
        super::restores::plan,
        super::restores::start,
        super::restores::list,
        super::restores::get,
        super::restores::confirm,
        super::restores::cancel,
        super::restores::retry,
        super::restores::events,
        super::schedules::list,
        super::schedules::create,
        super::schedules::get,
        super::schedules::update,
        super::schedules::delete,
        super::schedules::run,
        super::retention::get,
        super::retention::put,
        super::retention::preview,
        super::retention::keep,
        super::retention::release,
        super::webhooks::list,
        super::webhooks::create,
        super::webhooks::update,
        super::webhooks::delete,
        super::webhooks::test,
        super::webhooks::deliveries,
        super::audit::list,
        document,
    ),
    components(schemas(schema::ErrorBody, domain::RunEvent, domain::RestoreEvent)),
    modifiers(&Callers),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "cluster", description = "The console and the cluster it watches"),
        (name = "backups", description = "Backup runs and the backup history"),
        (name = "restores", description = "The restore runbook"),
        (name = "schedules", description = "Backups on a cron schedule (admins change them; operators run one now)"),
        (name = "retention", description = "Set-aware retention: the policy, its preview, pins (admins)"),
        (name = "alerts", description = "Webhooks for failures, skipped and missed schedules, RPO breaches and exporting paused too long (admins change them; URLs and secrets are write-only)"),
        (name = "audit", description = "Who did what (admins)"),
    )
)]
pub struct ApiDoc;

/// The two ways to be a caller.
struct Callers;

impl Modify for Callers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "cbc_session",
                "A browser session from the sign-in page; state-changing calls also need the X-CSRF-Token header and a same-origin request.",
            ))),
        );
    }
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json", operation_id = "openapi",
    tag = "cluster",
    security(()),
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json"))
)]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
