//! The backups page: **Backup Now** (with an optional id), then the backup history of the
//! whole cluster — its summary, the table of sets (newest first), the duration and size charts
//! — and the plan a backup follows.

mod chart;
mod history;
mod runtime;

use crate::api::{get_backups, StartBackup};
use crate::domain::{in_pause_window, Permission, RunState, StepKey};
use crate::ui::Gate;
use chart::DurationChart;
use history::{History, Summary};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn BackupsPage() -> impl IntoView {
    let start = ServerAction::<StartBackup>::new();
    let query = use_query_map();
    let data = Resource::new(
        move || (start.version().get(), query.read().get("cursor")),
        |(_, cursor)| get_backups(cursor, None),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            navigate(&format!("/backups/{id}"), Default::default());
        }
    });
    let id_input = RwSignal::new(String::new());
    let on_start = move |_| {
        let text = id_input.get();
        let backup_id = text.trim().parse::<i64>().ok();
        start.dispatch(StartBackup { backup_id });
    };
    view! {
        <section class="page-head">
            <h1>"Backups"</h1>
        </section>
        <section class="card start">
            <h2>"Take a backup of the whole cluster"</h2>
            <p class="muted">
                "Optimize, Operate and Tasklist back up first; then Zeebe exporting is paused, the exported records are snapshotted, Zeebe backs up, and exporting resumes — whatever happens."
            </p>
            <Gate what=Permission::StartBackup>
            <div class="start-row">
                <label>
                    "Backup id (optional) "
                    <input
                        type="number"
                        min="1"
                        placeholder="next id"
                        prop:value=move || id_input.get()
                        on:input=move |ev| id_input.set(event_target_value(&ev))
                    />
                </label>
                <button class="primary" on:click=on_start disabled=move || start.pending().get()>
                    {move || if start.pending().get() { "Starting…" } else { "Backup now" }}
                </button>
            </div>
            </Gate>
            {move || {
                start
                    .value()
                    .get()
                    .and_then(|r| r.err())
                    .map(|e| view! { <p class="error" role="alert">{e.message}</p> })
            }}
        </section>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                data.get()
                    .map(|r| match r {
                        Ok((page, plan, active)) => {
                            view! {
                                {active
                                    .map(|id| {
                                        view! {
                                            <p class="notice">
                                                "Backup " <a href=format!("/backups/{id}")>{id}</a>
                                                " is running."
                                            </p>
                                        }
                                    })}
                                // The summary, then the sets (newest first), then the charts
                                // of the same sets, Zeebe's own backup state and the plan.
                                <Summary summary=page.summary.clone() stale=page.stale.clone()/>
                                <History page=page.clone()/>
                                <RetentionNote/>
                                <DurationChart rows=page.items.clone()/>
                                {page.runtime.clone().map(|coverage| view! { <runtime::RuntimeCard coverage/> })}
                                <Plan plan/>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// What the retention policy would delete now (the whole preview is on the Schedules page).
#[component]
fn RetentionNote() -> impl IntoView {
    let retention = Resource::new(|| (), |_| crate::api::get_retention());
    view! {
        <Transition fallback=|| ()>
            {move || retention.get().and_then(Result::ok).map(|(settings, preview)| {
                let on = settings.saved_at.is_some() && settings.enabled;
                let words = match (on, preview.delete.len()) {
                    (false, _) => "Retention is off: every set is kept.".to_owned(),
                    (true, 0) => "Retention deletes nothing now.".to_owned(),
                    (true, n) => format!(
                        "Retention deletes {n} set(s) at its next pass: {}.",
                        preview.delete.iter().map(|d| d.backup_id.to_string()).collect::<Vec<_>>().join(", ")
                    ),
                };
                let reasons = (on && !preview.delete.is_empty()).then(|| view! {
                    <details>
                        <summary>"Why"</summary>
                        <ul>{preview.delete.iter().map(|d| view! {
                            <li><a href=format!("/backups/{}", d.backup_id)>{d.backup_id}</a> " — " {d.reason.clone()}</li>
                        }).collect_view()}</ul>
                    </details>
                });
                view! {
                    <div class="notice" data-retention-note="">
                        <p>
                            {words} " " {preview.held.clone().unwrap_or_default()} " "
                            <a href="/schedules#retention">"The policy and why each set is kept"</a>
                        </p>
                        {reasons}
                    </div>
                }
            })}
        </Transition>
    }
}

#[component]
fn Plan(plan: Vec<StepKey>) -> impl IntoView {
    view! {
        <details class="card plan">
            <summary>{format!("The plan: {} steps", plan.len())}</summary>
            <ol>
                {plan
                    .iter()
                    .map(|k| {
                        view! {
                            <li class=if in_pause_window(&plan, *k) { "in-window" } else { "" }>
                                {k.label()}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <p class="muted">"Highlighted steps run while exporting is paused."</p>
        </details>
    }
}

/// CSS class of a run state pill.
pub fn state_class(state: RunState) -> &'static str {
    match state {
        RunState::Running => "pill warn",
        RunState::Completed => "pill ok",
        RunState::Failed => "pill bad",
        RunState::Cancelled => "pill",
    }
}
