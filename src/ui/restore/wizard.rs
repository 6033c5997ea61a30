//! The restore wizard for one set (`/restore/{backupId}`): the pre-flight checks (re-check
//! button), the plan preview — every step, the exact indices deleted and snapshots restored —
//! the runbook as a download, and the start, which needs the cluster's name typed.

use super::checks::Checks;
use crate::api::{get_restore_plan, StartRestore};
use crate::domain::{Permission, RestorePlan, StepKind};
use crate::ui::Gate;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn RestoreWizard() -> impl IntoView {
    let backup_id = crate::ui::live::id_param();
    let recheck = RwSignal::new(0u32);
    let plan = Resource::new(
        move || (backup_id(), recheck.get()),
        |(id, _)| get_restore_plan(id),
    );
    view! {
        <section class="page-head">
            <h1>{move || format!("Restore backup {}", backup_id())}</h1>
            <button class="secondary" on:click=move |_| recheck.update(|n| *n += 1)>
                "Check again"
            </button>
        </section>
        <p class="muted">
            "The documented runbook: stop the apps, delete the component indices one by one, restore every snapshot of the set one at a time, restore Zeebe on every broker, start again. The console does what it can itself and waits for you where it cannot."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Checking the cluster…"</p> }>
            {move || {
                plan.get()
                    .map(|r| match r {
                        Ok(Some(plan)) => view! { <Plan plan/> }.into_any(),
                        Ok(None) => view! {
                            <p class="error" role="alert">"No component or repository holds a part of this backup."</p>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Transition>
    }
}

#[component]
fn Plan(plan: RestorePlan) -> impl IntoView {
    let start = ServerAction::<StartRestore>::new();
    let typed = RwSignal::new(String::new());
    let name = plan.cluster_name.clone();
    let backup_id = plan.backup_id.get();
    let ready = plan.ready;
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        js_safe_uri(&plan.runbook)
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(rid)) = start.value().get() {
            navigate(&format!("/restores/{rid}"), Default::default());
        }
    });
    let name_check = name.clone();
    view! {
        <section class="card" aria-label="Pre-flight checks">
            <h2>"Pre-flight checks"</h2>
            <Checks checks=plan.checks.clone()/>
            {(!ready).then(|| view! {
                <p class="error" data-ready="false">"A check failed: the restore cannot start until every check passes. Fix it, then check again."</p>
            })}
        </section>
        <section class="card" aria-label="Plan">
            <h2>"What will happen"</h2>
            <ol class="plan-steps">
                {plan.steps.iter().map(|s| {
                    let who = match s.kind { StepKind::Console => "console", StepKind::Operator => "you" };
                    view! { <li data-step=s.key.as_str() data-kind=who>{s.label.clone()} <span class="muted">{format!(" ({who})")}</span></li> }
                }).collect_view()}
            </ol>
            <details>
                <summary>{format!("{} indices will be deleted, one by one", plan.delete_indices.len())}</summary>
                <ul class="names" data-list="delete">
                    {plan.delete_indices.iter().map(|i| view! { <li><code>{i.clone()}</code></li> }).collect_view()}
                </ul>
            </details>
            <details>
                <summary>{format!("{} snapshots will be restored, one at a time", plan.restore_snapshots.len())}</summary>
                <ol class="names" data-list="restore">
                    {plan.restore_snapshots.iter().map(|i| view! { <li><code>{i.clone()}</code></li> }).collect_view()}
                </ol>
            </details>
            <p>
                <a href=download download=format!("restore-backup-{backup_id}.txt")>"Download the runbook (text)"</a>
                " — every step with the commands for Helm/Kubernetes and for a plain install."
            </p>
        </section>
        <section class="card danger" aria-label="Start the restore">
            <h2>"Start"</h2>
            <p>
                "The restore deletes every component index and replaces the cluster's data with backup "
                <strong>{backup_id}</strong> ". Data written after it is lost."
            </p>
            <label>
                {format!("Type the cluster name {name} to confirm ")}
                <input
                    type="text"
                    aria-label="Cluster name to confirm"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
            </label>
            <Gate what=Permission::StartRestore>
            <button
                class="danger"
                disabled={
                    let name_check = name_check.clone();
                    move || !ready || typed.get().trim() != name_check || start.pending().get()
                }
                on:click=move |_| {
                    start.dispatch(StartRestore { backup_id, confirm: typed.get() });
                }
            >
                {move || if start.pending().get() { "Starting…" } else { "Start the restore" }}
            </button>
            </Gate>
            {move || start.value().get().and_then(|r| r.err()).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
        </section>
    }
}

/// Percent-encodes text for a `data:` URL.
fn js_safe_uri(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn runbook_text_is_encoded_for_a_data_url() {
        assert_eq!(super::js_safe_uri("a b\n#"), "a%20b%0A%23");
    }
}
