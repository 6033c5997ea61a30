//! A backup set as the cluster holds it: every part with its state, version, snapshots and
//! shard counts and sizes, the verdict in words, and the deletion form (type the id to
//! confirm; each part's progress shown while the components delete).

use crate::api::{get_deletion, get_set, DeleteSet};
use crate::domain::{
    BackupSetRow, DeletionProgress, PartCell, PartKey, Permission, RunState, RunView, StepState,
};
use crate::ui::Gate;
use leptos::prelude::*;
use std::time::Duration;

/// The set's parts; on a run's page (`run`), what the run has seen of each part while it goes
/// on, and the cluster's lists read again when it ends.
#[component]
pub fn SetDetail(
    id: i64,
    #[prop(optional)] run: Option<RwSignal<Option<RunView>>>,
) -> impl IntoView {
    let delete = ServerAction::<DeleteSet>::new();
    let ended =
        move || run.and_then(|r| r.with(|r| r.as_ref().map(|r| r.state != RunState::Running)));
    let set = Resource::new(
        move || (delete.version().get(), ended()),
        move |_| get_set(id),
    );
    // The run's own knowledge is shown only in the browser, after hydration: the server
    // rendered the cluster's reads alone.
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let live = move || run.filter(|_| mounted.get()).and_then(|r| r.get());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Reading the set from the cluster…"</p> }>
            {move || {
                set.get()
                    .map(|r| match r {
                        Ok(Some(row)) => view! { <Parts row=overlay(row, live().as_ref())/> }.into_any(),
                        Ok(None) => view! {
                            <p class="muted" data-set="none">"No component or repository holds a part of this backup."</p>
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })
            }}
        </Transition>
        <KeepCard id/>
        <Gate what=Permission::DeleteSet>
            <DeleteForm id delete/>
        </Gate>
    }
}

/// Keep (pin) the set: retention never deletes it; admins pin and release.
#[component]
fn KeepCard(id: i64) -> impl IntoView {
    let keep = ServerAction::<crate::api::KeepSet>::new();
    let pin = Resource::new(
        move || keep.version().get(),
        move |_| crate::api::get_pin(id),
    );
    view! {
        <Transition fallback=|| ()>
            {move || pin.get().and_then(Result::ok).map(|p| {
                let pinned = p.is_some();
                let words = p.map_or_else(
                    || "Not pinned: the retention policy decides.".to_owned(),
                    |p| format!("Kept: pinned by {} at {}; retention never deletes it.", p.pinned_by, p.pinned_at),
                );
                view! {
                    <section class="card" aria-label="Keep" data-pinned=pinned.to_string()>
                        <p>{words}</p>
                        <Gate what=Permission::PinSet>
                            <button class="secondary" disabled=move || keep.pending().get()
                                on:click=move |_| { keep.dispatch(crate::api::KeepSet { backup_id: id, keep: !pinned }); }>
                                {if pinned { "Release (let retention decide)" } else { "Keep (pin)" }}
                            </button>
                        </Gate>
                        {move || keep.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.message}</p> })}
                    </section>
                }
            })}
        </Transition>
    }
}

/// `row` with what a running `run` has seen of each part: done, being taken, or not read yet
/// — never `MISSING` for a part the run has seen complete.
fn overlay(mut row: BackupSetRow, run: Option<&RunView>) -> BackupSetRow {
    let Some(run) = run.filter(|r| r.state == RunState::Running) else {
        return row;
    };
    for (key, cell) in &mut row.components {
        let Some(part) = PartKey::parse(key) else {
            continue;
        };
        let wait = run.step(part.wait_step()).map(|s| s.state);
        let started = run.steps.iter().any(|s| {
            s.state != StepState::Pending && crate::domain::part_of_step(s.key) == Some(part)
        });
        let (state, words) = match wait {
            Some(StepState::Completed) => (
                crate::domain::PartState::Completed,
                "seen completed by this run; the cluster's lists are read again when it ends",
            ),
            _ if started => (
                crate::domain::PartState::InProgress,
                "being taken by this run",
            ),
            _ => (
                crate::domain::PartState::Unknown,
                "not read yet: this run has not reached it",
            ),
        };
        if cell.state != crate::domain::PartState::Completed {
            *cell = PartCell::new(state).with_detail(words);
        }
    }
    row
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
    let size = row.size_bytes.map(|b| {
        view! {
            <p data-size-bytes=b>
                "Size in the repository: " <strong>{bytes(b)}</strong>
                " (Elasticsearch snapshots; files shared with other snapshots count in each)"
            </p>
        }
    });
    view! {
        <section class="card set" aria-label="Parts of the backup set">
            <h2>"The set in the cluster"</h2>
            {verdict}
            <p>
                <a href=format!("/restore/{}", row.backup_id) data-restore-link="">"Restore this backup…"</a>
                {(!row.restorable).then(|| view! { <span class="muted">" (not restorable: the wizard shows why and will not run it)"</span> })}
            </p>
            {size}
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
            <th scope="row">{label}</th>
            <td data-label="State">
                <strong>{cell.state.as_str()}</strong> {last}
                {cell.detail.map(|d| view! { <div class="reason">{d}</div> })}
            </td>
            <td data-label="Version">{cell.version.unwrap_or_default()}</td>
            <td class="wide" data-label="Partitions / snapshots">
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
                            let size = s.size_bytes.map(|b| format!(", {}", bytes(b))).unwrap_or_default();
                            view! { <li><code>{s.name}</code> " " {s.state} {format!(", {} indices{shards}{size}", s.indices)}</li> }
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
    // While the components delete, each part's progress, read every 400 ms.
    let live = RwSignal::new(None::<DeletionProgress>);
    Effect::new(move |_| {
        if let Ok(h) = set_interval_with_handle(
            move || {
                if delete.pending().get_untracked() {
                    leptos::task::spawn_local(async move {
                        if let Ok(p) = get_deletion(id).await {
                            live.set(p);
                        }
                    });
                }
            },
            Duration::from_millis(400),
        ) {
            on_cleanup(move || h.clear());
        }
    });
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
                delete
                    .pending()
                    .get()
                    .then(|| live.get().filter(|p| !p.finished))
                    .flatten()
                    .map(|p| view! {
                        <ul class="deletion-progress" aria-live="polite" aria-label="Deletion progress">
                            {p.parts.into_iter().map(|x| view! {
                                <li data-part=x.part.as_str() data-state=x.result.clone()>
                                    {format!("{}: {}", x.part.label(), x.result)}
                                </li>
                            }).collect_view()}
                        </ul>
                    })
            }}
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

/// Bytes in words: `512 B`, `1.5 KiB`, `3.2 GiB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::bytes;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
