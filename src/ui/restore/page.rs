//! One restore, live (`/restores/{id}`): every step with its state and progress, the operator's
//! instructions and confirm button where the console waits for them (a per-broker checklist
//! for the Zeebe restore), cancel while nothing is deleted yet, the post-restore checks, and on
//! failure what was done and what to do next.

use super::checks::Checks;
use super::live;
use crate::api::{
    get_console_info, get_restore, CancelRestore, ConfirmRestoreStep, RetryRestore,
    SimulateOperatorStep,
};
use crate::domain::{
    Permission, RestoreState, RestoreStepKey, RestoreStepState, RestoreStepView, RestoreView,
    StepKind,
};
use crate::ui::Gate;
use leptos::prelude::*;

pub fn state_class(state: RestoreState) -> &'static str {
    match state {
        RestoreState::Running | RestoreState::Waiting => "pill warn",
        RestoreState::Completed => "pill ok",
        RestoreState::Failed => "pill bad",
        RestoreState::Cancelled => "pill",
    }
}

#[component]
pub fn RestorePage() -> impl IntoView {
    let id = crate::ui::live::id_param();
    let initial = Resource::new(id, get_restore);
    let restore = RwSignal::new(None::<RestoreView>);
    let connection = RwSignal::new(String::new());
    // The stream opens once the page's status line is hydrated (see `ui::live`).
    let shown = NodeRef::<leptos::html::P>::new();
    live::subscribe(id, restore, connection, shown);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the restore…"</p> }>
            {move || {
                initial.get().map(|r| match r {
                    Ok(Some(v)) => {
                        if restore.get_untracked().is_none() {
                            restore.set(Some(v));
                        }
                        view! { <Body restore connection shown/> }.into_any()
                    }
                    Ok(None) => view! { <p class="error" role="alert">{format!("No restore with id {}", id())}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                })
            }}
        </Suspense>
    }
}

#[component]
fn Body(
    restore: RwSignal<Option<RestoreView>>,
    connection: RwSignal<String>,
    shown: NodeRef<leptos::html::P>,
) -> impl IntoView {
    let cancel = ServerAction::<CancelRestore>::new();
    let retry = ServerAction::<RetryRestore>::new();
    // A retried restore runs again: reload to follow its new events.
    Effect::new(move |_| {
        if let Some(Ok(())) = retry.value().get() {
            let _ = window().location().reload();
        }
    });
    // On the embedded simulator the operator steps can be done from here.
    let info = Resource::new(|| (), |_| get_console_info());
    let simulated =
        Signal::derive(move || info.get().and_then(|r| r.ok()).is_some_and(|i| i.simulated));
    view! {
        {move || restore.get().map(|r| {
            let rid = r.restore_id;
            let cancellable = !r.state.is_terminal() && !r.destructive_started();
            view! {
                <section class="page-head">
                    <h1>
                        {format!("Restore {rid} of backup {} ", r.backup_id)}
                        <span class=state_class(r.state) data-restore-state=r.state.as_str()>{r.state.as_str()}</span>
                    </h1>
                    {(r.state == RestoreState::Failed || r.stalled.is_some()).then(|| view! {
                        <Gate what=Permission::RetryRestore>
                        <button class="primary" disabled=move || retry.pending().get()
                            on:click=move |_| { retry.dispatch(RetryRestore { restore_id: rid }); }>
                            "Retry from the failed step"
                        </button>
                        </Gate>
                    })}
                    {cancellable.then(|| view! {
                        <Gate what=Permission::CancelRestore>
                        <button class="secondary" disabled=move || cancel.pending().get()
                            on:click=move |_| { cancel.dispatch(CancelRestore { restore_id: rid }); }>
                            "Cancel restore"
                        </button>
                        </Gate>
                    })}
                </section>
                <p class="muted">
                    {format!("Started {}{}", r.started_at, r.started_by.as_deref().map(|w| format!(" by {w}")).unwrap_or_default())}
                </p>
                {r.stalled.clone().map(|why| view! { <p class="error" role="alert">{why}</p> })}
                <Outcome r=r.clone()/>
                <ol class="restore-steps">
                    {r.steps.iter().cloned().map(|s| view! { <Step rid backup_id=r.backup_id.get() brokers=r.brokers.clone() step=s simulated/> }).collect_view()}
                </ol>
                {(!r.post_checks.is_empty()).then(|| view! {
                    <section class="card" aria-label="Post-restore checks">
                        <h2>"Post-restore checks"</h2>
                        <Checks checks=r.post_checks.clone()/>
                    </section>
                })}
                <details class="card">
                    <summary>"Pre-flight checks at the start"</summary>
                    <Checks checks=r.checks.clone()/>
                </details>
            }
        })}
        {move || cancel.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
        {move || retry.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
        <p class="muted live-status" node_ref=shown data-connection=move || connection.get()>
            {move || match (restore.with(|r| r.as_ref().map(|r| r.state.is_terminal())), connection.get().as_str()) {
                (Some(false), "open") => "Live: following every step as it happens.",
                (Some(false), "connecting") => "Connecting to the live stream…",
                (Some(false), _) => "Live stream interrupted; reconnecting…",
                _ => "",
            }}
        </p>
    }
}

#[component]
fn Outcome(r: RestoreView) -> impl IntoView {
    let summary = match r.state {
        RestoreState::Completed => Some(view! {
            <section class="card outcome ok" data-outcome="completed">
                <h2>"Restored"</h2>
                <p>
                    {format!("Backup {} is restored.", r.backup_id)}
                    {r.rto_ms.map(|ms| format!(" Time to restore: {}.", crate::ui::clock::short(ms as f64)))}
                    {r.downtime_ms.map(|ms| format!(" Components were down for {}.", crate::ui::clock::short(ms as f64)))}
                </p>
            </section>
        }.into_any()),
        RestoreState::Failed | RestoreState::Cancelled => Some(view! {
            <section class="card outcome" role="alert" data-outcome=r.state.as_str()>
                <h2>"What happened"</h2>
                {r.error.clone().map(|e| view! { <p class="error-text">{e}</p> })}
                {r.next_action.clone().map(|n| view! { <p><strong>"Next: "</strong>{n}</p> })}
                <p class="muted">{format!("{} indices were deleted; {} snapshots restored.", r.progress.deleted.len(), r.progress.restored.len())}</p>
            </section>
        }.into_any()),
        _ => r.next_action.clone().map(|n| view! { <p class="notice">{n}</p> }.into_any()),
    };
    summary
}

#[component]
fn Step(
    rid: i64,
    backup_id: i64,
    brokers: Vec<u32>,
    step: RestoreStepView,
    simulated: Signal<bool>,
) -> impl IntoView {
    let confirm = ServerAction::<ConfirmRestoreStep>::new();
    let simulate = ServerAction::<SimulateOperatorStep>::new();
    let waiting = step.state == RestoreStepState::Waiting && step.kind == StepKind::Operator;
    let key = step.key;
    let checklist: Vec<RwSignal<bool>> = brokers.iter().map(|_| RwSignal::new(false)).collect();
    let all_ticked = {
        let list = checklist.clone();
        move || key != RestoreStepKey::RestoreZeebe || list.iter().all(|s| s.get())
    };
    let state = format!("{:?}", step.state).to_lowercase();
    view! {
        <li class=format!("restore-step {state}") data-step=key.as_str() data-state=state.clone() data-kind=match step.kind { StepKind::Console => "console", StepKind::Operator => "operator" }>
            <div class="step-head">
                <strong>{step.label.clone()}</strong>
                " "
                <span class="muted">{state.clone()}</span>
            </div>
            {step
                .instructions
                .clone()
                .filter(|_| step.state != RestoreStepState::Completed)
                .map(|d| view! { <pre class="instructions">{d}</pre> })}
            {step.detail.clone().map(|d| view! { <p class="detail">{d}</p> })}
            {step.error.clone().map(|e| view! { <p class="error-text">{e}</p> })}
            {step.confirmed_at.clone().map(|at| view! { <p class="muted">{format!("Confirmed at {at}")}</p> })}
            {(waiting && key == RestoreStepKey::RestoreZeebe).then(|| view! {
                <fieldset class="brokers">
                    <legend>{format!("Tick each broker once its log shows: Successfully restored broker from backup {backup_id}")}</legend>
                    {brokers.iter().zip(checklist.clone()).map(|(b, s)| view! {
                        <label><input type="checkbox" data-broker=*b prop:checked=move || s.get() on:change=move |ev| s.set(event_target_checked(&ev))/>{format!(" broker {b}")}</label>
                    }).collect_view()}
                </fieldset>
            })}
            {(waiting && step.confirmed_at.is_none()).then(|| {
                let all_ticked = all_ticked.clone();
                view! {
                    <Gate what=Permission::ConfirmRestoreStep>
                    <button disabled={let all_ticked = all_ticked.clone(); move || !all_ticked() || confirm.pending().get()}
                        on:click=move |_| { confirm.dispatch(ConfirmRestoreStep { restore_id: rid, key: key.as_str().to_owned() }); }>
                        "I have done this"
                    </button>
                    </Gate>
                }
            })}
            {move || (waiting && simulated.get()).then(|| view! {
                <Gate what=Permission::SimulateOperatorStep>
                <button class="secondary" disabled=move || simulate.pending().get()
                    on:click=move |_| { simulate.dispatch(SimulateOperatorStep { restore_id: rid, key: key.as_str().to_owned() }); }>
                    "Do it on the simulator"
                </button>
                </Gate>
            })}
            {move || confirm.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
            {move || simulate.value().get().map(|r| match r {
                Ok(lines) => view! { <pre class="sim-log" data-sim-log="">{lines.join("\n")}</pre> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </li>
    }
}
