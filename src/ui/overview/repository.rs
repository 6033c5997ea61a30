//! The Elasticsearch snapshot repository: exists, verifies.

use crate::domain::RepositoryHealth;
use leptos::prelude::*;

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

#[component]
pub fn RepositoryCard(repository: RepositoryHealth) -> impl IntoView {
    view! {
        <section class="card" aria-label="Snapshot repository">
            <h2>"Snapshot repository"</h2>
            <dl>
                <dt>"Name"</dt>
                <dd>
                    <code>{repository.name}</code>
                </dd>
                <dt>"Exists"</dt>
                <dd data-repo-exists=yes_no(repository.exists)>{yes_no(repository.exists)}</dd>
                <dt>"Verifies"</dt>
                <dd>{yes_no(repository.verified)}</dd>
                <dt>"Type"</dt>
                <dd>{repository.repository_type.unwrap_or_else(|| "unknown".into())}</dd>
            </dl>
            {repository.error.map(|e| view! { <p class="error-text">{e}</p> })}
        </section>
    }
}
