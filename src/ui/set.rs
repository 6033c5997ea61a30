//! A backup set as the cluster holds it: every part with its state, version, snapshots and
//! shard counts, the verdict in words, and the deletion form (type the id to confirm).

use crate::api::{get_set, DeleteSet};
use crate::domain::{BackupSetRow, PartCell};
use leptos::prelude::*;

#[component]
pub fn SetDetail(id: i64) -> impl IntoView {
    let delete = ServerAction::<DeleteSet>::new();
    let set = Resource::new(move || delete.version().get(), move |_| get_set(id));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Reading the set from the cluster…"</p> }>
            {move || {
                set.get()
                    .map(|r| match r {
                        Ok(Some(row)) => view! { <Parts row/> }.into_any(),
                        Ok(None) => view! {
                            <p class="muted" data-set="none">"No component or repository holds a part of this backup."</p>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Transition>
        <DeleteForm id delete/>
    }
}

#[component]
fn Parts(row: BackupSetRow) -> impl IntoView {
    let verdict = if row.restorable {
        view! { <p><span class="pill ok" data-restorable="true">"Restorable"</span></p> }.into_any()
    } else {
        view! {
            <p>
                <span class="pill bad" data-restorable="false">{row.verdict.as_str().replace('_', " ")}</span>
                " " {row.reason.clone().unwrap_or_default()}
            </p>
        }
        .into_any()
    };
    view! {
        <section class="card set" aria-label="Parts of the backup set">
            <h2>"The set in the cluster"</h2>
            {verdict}
            <div class="table-scroll">
                <table class="parts">
                    <thead>
                        <tr><th>"Part"</th><th>"State"</th><th>"Version"</th><th>"Partitions / snapshots"</th></tr>
                    </thead>
                    <tbody>
                        {row.components.into_iter().map(|(key, cell)| view! { <PartRow key cell/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PartRow(key: String, cell: PartCell) -> impl IntoView {
    let last = cell.last_known.map(|s| {
        format!(
            " (last known {}{})",
            s.as_str(),
            cell.last_known_at
                .as_deref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        )
    });
    let label = key.clone();
    view! {
        <tr data-part=key>
            <td>{label}</td>
            <td>
                <strong>{cell.state.as_str()}</strong> {last}
                {cell.detail.map(|d| view! { <div class="reason">{d}</div> })}
            </td>
            <td>{cell.version.unwrap_or_default()}</td>
            <td>
                <ul class="snapshots">
                    {cell.partitions.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    {cell
                        .snapshots
                        .into_iter()
                        .map(|s| {
                            let shards = match (s.shards_total, s.shards_failed) {
                                (Some(t), Some(f)) => format!(", {} of {t} shards failed", f),
                                _ => String::new(),
                            };
                            view! { <li><code>{s.name}</code> " " {s.state} {format!(", {} indices{shards}", s.indices)}</li> }
                        })
                        .collect_view()}
                </ul>
            </td>
        </tr>
    }
}

#[component]
fn DeleteForm(id: i64, delete: ServerAction<DeleteSet>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let force = RwSignal::new(false);
    view! {
        <details class="card danger">
            <summary>"Delete this backup set"</summary>
            <p>
                "Deletes every part: the Zeebe backup (its id stays used), the Operate, Tasklist and Optimize backups, and the records snapshot. It cannot be undone."
            </p>
            <label>
                {format!("Type {id} to confirm ")}
                <input
                    type="text"
                    inputmode="numeric"
                    aria-label="Backup id to confirm"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
            </label>
            <label class="force">
                <input type="checkbox" prop:checked=move || force.get() on:change=move |ev| force.set(event_target_checked(&ev))/>
                " Delete even if it is the newest restorable backup"
            </label>
            <button
                class="danger"
                disabled=move || typed.get().trim() != id.to_string() || delete.pending().get()
                on:click=move |_| {
                    delete.dispatch(DeleteSet { backup_id: id, confirm: typed.get(), force: force.get() });
                }
            >
                {move || if delete.pending().get() { "Deleting…" } else { "Delete backup set" }}
            </button>
            {move || {
                delete.value().get().map(|r| match r {
                    Ok(outcome) => view! {
                        <div role="status" data-deleted=outcome.complete.to_string()>
                            <p>{if outcome.complete { "Every part is deleted.".to_owned() } else { outcome.left.clone().unwrap_or_default() }}</p>
                            <ul>
                                {outcome.parts.into_iter().map(|p| view! {
                                    <li>{format!("{}: {}", p.part.label(), p.result)} {p.detail.map(|d| format!(" — {d}"))}</li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }
                    .into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                })
            }}
        </details>
    }
}
