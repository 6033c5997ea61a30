//! Who is signed in (for the top bar and to hide what the role may not do), and the audit log.

use crate::domain::{AuditPage, Failure, Me};
use leptos::prelude::*;

/// The signed-in user or token, with the session's CSRF token for the sign-out form.
#[server(client = crate::api::CsrfClient)]
pub async fn get_me() -> Result<(Me, String), Failure> {
    let caller = super::caller()?;
    let csrf = use_context::<axum::http::request::Parts>()
        .and_then(|p| {
            p.extensions
                .get::<crate::auth::CsrfToken>()
                .map(|t| t.0.clone())
        })
        .unwrap_or_default();
    Ok((caller.me(), csrf))
}

/// A page of the audit log (admins only), newest first, filtered.
#[server(client = crate::api::CsrfClient)]
pub async fn get_audit(
    actor: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, Failure> {
    let console = super::console()?;
    let caller = super::caller()?;
    let filter = crate::audit::parse_filter(
        actor.as_deref(),
        action.as_deref(),
        outcome.as_deref(),
        before,
        None,
    )
    .map_err(|e| {
        let api = crate::wire::invalid_query(&e);
        Failure::new(api.code, api.message)
    })?;
    crate::audit::page(console.auth.store(), &caller, &filter)
        .await
        .map_err(|e| {
            let api = crate::wire::audit_error(&e);
            Failure::new(api.code, api.message)
        })
}
