//! The page of one backup run: the step timeline, live over server-sent events, the exporting
//! pause timer, and on failure what happened and what to do next. Survives reloads (the page
//! starts from the journal) and server restarts (the event stream reconnects and replays).

mod live;
mod notices;
mod pause;
mod timeline;

use crate::api::{get_run, CancelBackup};
use crate::domain::{Permission, RunState, RunView};
use crate::ui::backups::state_class;
use crate::ui::set::SetDetail;
use crate::ui::Gate;
use leptos::prelude::*;
use notices::Notices;
use pause::PauseTimer;
use timeline::Timeline;

#[component]
pub fn RunPage() -> impl IntoView {
    let id = crate::ui::live::id_param();
    let initial = Resource::new(id, get_run);
    let run = RwSignal::new(None::<RunView>);
    let connection = RwSignal::new(String::new());
    // The stream opens once the page's status line is hydrated (see `ui::live`).
    let shown = NodeRef::<leptos::html::P>::new();
    live::subscribe(id, run, connection, shown);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the run…"</p> }>
            {move || {
                initial
                    .get()
                    .map(|r| match r {
                        Ok(Some(view_)) => {
                            if run.get_untracked().is_none() {
                                run.set(Some(view_));
                            }
                            view! { <RunBody run connection shown/> }.into_any()
                        }
                        Ok(None) => {
                            view! {
                                <section class="page-head">
                                    <h1>{format!("Backup {}", id())}</h1>
                                </section>
                                <p class="muted" data-run="none">
                                    "This console did not take this backup (a script, a person or a schedule did), so there is no step timeline."
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Suspense>
        {move || view! { <SetDetail id=id() run/> }}
    }
}

#[component]
fn RunBody(
    run: RwSignal<Option<RunView>>,
    connection: RwSignal<String>,
    shown: NodeRef<leptos::html::P>,
) -> impl IntoView {
    let cancel = ServerAction::<CancelBackup>::new();
    let state = move || run.with(|r| r.as_ref().map(|r| r.state));
    view! {
        {move || {
            run.get()
                .map(|r| {
                    let id = r.backup_id.get();
                    view! {
                        <section class="page-head">
                            <h1>
                                "Backup " {id} " "
                                <span class=state_class(r.state) data-run-state=r.state.as_str()>
                                    {r.state.as_str()}
                                </span>
                            </h1>
                            {(r.state == RunState::Running)
                                .then(|| {
                                    let requested = r.cancel_requested;
                                    view! {
                                        <Gate what=Permission::CancelBackup>
                                        <button
                                            class="secondary"
                                            disabled=move || cancel.pending().get() || requested
                                            on:click=move |_| {
                                                cancel.dispatch(CancelBackup { backup_id: id });
                                            }
                                        >
                                            "Cancel backup"
                                        </button>
                                        </Gate>
                                    }
                                })}
                        </section>
                        <Outcome run=r.clone()/>
                        <Notices run=r.clone()/>
                    }
                })
        }}
        {move || {
            cancel
                .value()
                .get()
                .map(|r| match r {
                    Ok(()) => {
                        view! {
                            <p class="notice">"Cancel requested: the run stops at the next step boundary and resumes exporting."</p>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
                })
        }}
        <PauseTimer run/>
        <Timeline run/>
        <p class="muted live-status" node_ref=shown data-connection=move || connection.get()>
            {move || match (state(), connection.get().as_str()) {
                (Some(RunState::Running), "open") => "Live: following every step as it happens.",
                (Some(RunState::Running), "connecting") => "Connecting to the live stream…",
                (Some(RunState::Running), _) => "Live stream interrupted; reconnecting…",
                _ => "",
            }}
        </p>
    }
}

#[component]
fn Outcome(run: RunView) -> impl IntoView {
    let show = run.state != RunState::Running && run.state != RunState::Completed;
    show.then(|| {
        view! {
            <section class="card outcome" role="alert">
                <h2>"What happened"</h2>
                <p class="error-text">{run.error.clone().unwrap_or_default()}</p>
                {run.next_action.clone().map(|n| view! { <p><strong>"Next: "</strong> {n}</p> })}
                {(!run.left_behind.is_empty())
                    .then(|| {
                        view! {
                            <p>"Left behind in the components:"</p>
                            <ul>
                                {run
                                    .left_behind
                                    .iter()
                                    .map(|l| view! { <li>{l.clone()}</li> })
                                    .collect_view()}
                            </ul>
                        }
                    })}
            </section>
        }
    })
}
