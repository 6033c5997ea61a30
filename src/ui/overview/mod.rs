//! The home page: every component's health, Zeebe's partitions and exporting state, and the
//! snapshot repository; refreshes itself every few seconds while open.

mod components;
mod profile;
mod replica;
mod repository;
mod zeebe;

use crate::api::{get_console_info, get_overview};
use crate::domain::ClusterOverview;
use crate::ui::time::clock;
use components::ComponentsTable;
use leptos::prelude::*;
use profile::ProfileCard;
use replica::ReplicaCard;
use repository::RepositoryCard;
use std::time::Duration;
use zeebe::ZeebeCard;

/// How often the open page asks for the latest probe.
const REFRESH: Duration = Duration::from_secs(2);

#[component]
pub fn OverviewPage() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let overview = Resource::new(move || tick.get(), |_| get_overview());
    let info = Resource::new(move || tick.get(), |_| get_console_info());
    view! {
        <section class="page-head">
            <h1>"Cluster overview"</h1>
            <button class="secondary" on:click=move |_| tick.update(|t| *t += 1)>
                "Refresh now"
            </button>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Probing the cluster…"</p> }>
            {move || {
                overview
                    .get()
                    .map(|r| match r {
                        Ok(Some(o)) => view! { <OverviewBody overview=o/> }.into_any(),
                        Ok(None) => {
                            view! { <p class="muted">"Probing the cluster for the first time…"</p> }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
            {move || {
                info.get()
                    .and_then(|r| r.ok())
                    .and_then(|i| i.replica)
                    .map(|r| view! { <ReplicaCard replica=r/> })
            }}
        </Transition>
    }
}

#[component]
fn OverviewBody(overview: ClusterOverview) -> impl IntoView {
    let down = overview
        .components
        .iter()
        .filter(|c| c.error.is_some())
        .count();
    let summary = if down == 0 {
        "Every component answers.".to_string()
    } else {
        format!("{down} component(s) report a problem.")
    };
    view! {
        <p class="checked" data-checked-at=overview.checked_at.clone()>
            <span class=if down == 0 { "pill ok" } else { "pill bad" }>{summary}</span>
            " Last checked at " <time>{clock(&overview.checked_at)}</time> " UTC"
        </p>
        <ComponentsTable components=overview.components.clone()/>
        {overview.profile.clone().map(|p| view! { <ProfileCard profile=p/> })}
        <div class="cards">
            <ZeebeCard topology=overview.zeebe.clone()/>
            <RepositoryCard repository=overview.repository.clone()/>
        </div>
    }
}
