//! Restores: the list of every restore kept (who, when, which set, outcome, time to restore),
//! the choice of a set (restorable sets first), the wizard for one set and the live page of
//! one restore.

mod checks;
mod live;
mod page;
mod wizard;

pub use page::RestorePage;
pub use wizard::RestoreWizard;

use crate::api::{get_backups, list_restores};
use leptos::prelude::*;

#[component]
pub fn RestoresPage() -> impl IntoView {
    let restores = Resource::new(|| (), |_| list_restores());
    let restorable = Resource::new(|| (), |_| get_backups(None, Some("restorable".into())));
    view! {
        <section class="page-head">
            <h1>"Restores"</h1>
        </section>
        <section class="card" aria-label="Choose a backup to restore">
            <h2>"Restore a backup"</h2>
            <p class="muted">
                "Restorable sets, newest first. Any other set can be opened from the "
                <a href="/backups">"backup history"</a>
                "; the wizard shows why it is not restorable and refuses to run it."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Reading the history…"</p> }>
                {move || restorable.get().map(|r| match r {
                    Ok((page, _, _)) if page.items.is_empty() => view! { <p class="muted">"No restorable backup set."</p> }.into_any(),
                    Ok((page, _, _)) => view! {
                        <ul class="choose" data-list="restorable">
                            {page.items.into_iter().take(10).map(|row| {
                                let id = row.backup_id.get();
                                view! {
                                    <li>
                                        <a href=format!("/restore/{id}") data-restore-backup=id>{format!("Restore backup {id}")}</a>
                                        <span class="muted">{format!(" taken {}", row.taken_at.unwrap_or_default())}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
        <section class="card" aria-label="Restore history">
            <h2>"Restore history"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || restores.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="muted" data-restores="none">"No restore yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll">
                            <table class="restores">
                                <thead><tr><th>"Restore"</th><th>"Backup"</th><th>"State"</th><th>"Started"</th><th>"By"</th><th>"Finished"</th><th>"Time to restore"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr data-restore-id=s.restore_id>
                                            <th scope="row"><a href=format!("/restores/{}", s.restore_id)>{format!("Restore {}", s.restore_id)}</a></th>
                                            <td data-label="Backup"><a href=format!("/backups/{}", s.backup_id)>{s.backup_id.get()}</a></td>
                                            <td data-label="State"><span class=page::state_class(s.state)>{s.state.as_str()}</span></td>
                                            <td data-label="Started">{s.started_at.clone()}</td>
                                            <td data-label="By">{s.started_by.clone().unwrap_or_default()}</td>
                                            <td data-label="Finished">{s.finished_at.clone().unwrap_or_default()}</td>
                                            <td data-label="Time to restore">{s.rto_ms.map(|ms| crate::ui::clock::short(ms as f64)).unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
