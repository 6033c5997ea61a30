//! The Schedules page: every schedule with its next run and last fire, Run now (operators),
//! create / edit / switch / delete (admins, the edit form showing the next 5 times before
//! saving), and the retention policy with its preview — which sets it would delete now and
//! the rule that keeps each other one — shown before it is saved.

use crate::api::{
    get_retention, get_schedules, preview_cron, preview_retention, RemoveSchedule, RunSchedule,
    SaveRetention, SaveSchedule, SwitchSchedule,
};
use crate::domain::{Permission, RetentionPolicy, RetentionPreview, Schedule};
use crate::ui::Gate;
use leptos::prelude::*;

#[component]
pub fn SchedulesPage() -> impl IntoView {
    let save = ServerAction::<SaveSchedule>::new();
    let switch = ServerAction::<SwitchSchedule>::new();
    let remove = ServerAction::<RemoveSchedule>::new();
    let run = ServerAction::<RunSchedule>::new();
    let page = Resource::new(
        move || {
            (
                save.version().get(),
                switch.version().get(),
                remove.version().get(),
                run.version().get(),
            )
        },
        |_| get_schedules(),
    );
    let editing = RwSignal::new(None::<Schedule>);
    view! {
        <section class="page-head">
            <h1>"Schedules"</h1>
        </section>
        <Transition fallback=|| view! { <p class="muted">"Reading the schedules…"</p> }>
            {move || {
                page.get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(p) => {
                            let own = p.zeebe_schedules_own.clone().map(|w| {
                                view! { <p class="alert" role="alert" data-zeebe-own="">{w}</p> }
                            });
                            let wait = p.wait_secs;
                            view! {
                                {own}
                                <p class="muted">
                                    {format!("A fire that finds a backup or restore running waits up to {wait} s for it, then is skipped; fires due while the console was down are recorded as missed (one catch-up run at most).")}
                                </p>
                                <ScheduleTable items=p.items editing switch remove run/>
                            }
                            .into_any()
                        }
                    })
            }}
        </Transition>
        <RunResult run/>
        <Gate what=Permission::ChangeSchedules>
            <ScheduleForm save editing/>
        </Gate>
        <RetentionCard/>
        <crate::ui::webhooks::WebhooksCard/>
    }
}

#[component]
fn ScheduleTable(
    items: Vec<Schedule>,
    editing: RwSignal<Option<Schedule>>,
    switch: ServerAction<SwitchSchedule>,
    remove: ServerAction<RemoveSchedule>,
    run: ServerAction<RunSchedule>,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"No schedule yet: add one below."</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|s| {
            let next = s.next_runs.first().cloned().unwrap_or_else(|| "off".into());
            let last = s.last_run.clone().map(|l| {
                let run = l.backup_id.map(|id| {
                    view! { " " <a href=format!("/backups/{id}")>{format!("backup {id}")}</a> }
                });
                view! {
                    <span class=format!("pill {}", l.state) title=l.detail.clone().unwrap_or_default()>{l.state.clone()}</span>
                    {run}
                    <span class="muted">{format!(" at {}", l.at)}</span>
                }
            });
            let (id, enabled) = (s.id, s.enabled);
            let name = StoredValue::new(s.name.clone());
            let edit = StoredValue::new(s.clone());
            let typed = RwSignal::new(String::new());
            view! {
                <tr data-schedule=s.name.clone()>
                    <th scope="row" data-label="Schedule">{s.name.clone()}</th>
                    <td data-label="Cron"><code>{s.cron.clone()}</code></td>
                    <td data-label="Time zone">{s.timezone.clone()}</td>
                    <td data-label="On">{if s.enabled { "on" } else { "off" }}</td>
                    <td data-label="Next run" data-next-run="">{next}</td>
                    <td data-label="Last fire" class="wide">{last}</td>
                    <td data-label="Actions" class="wide">
                        <Gate what=Permission::RunSchedule>
                            <button
                                class="secondary"
                                disabled=move || run.pending().get()
                                on:click=move |_| {
                                    run.dispatch(RunSchedule { id });
                                }
                            >
                                "Run now"
                            </button>
                        </Gate>
                        <Gate what=Permission::ChangeSchedules>
                            <button
                                class="secondary"
                                on:click=move |_| {
                                    switch.dispatch(SwitchSchedule { id, enabled: !enabled });
                                }
                            >
                                {if enabled { "Switch off" } else { "Switch on" }}
                            </button>
                            <button class="secondary" on:click=move |_| editing.set(Some(edit.get_value()))>
                                "Edit"
                            </button>
                            <details class="inline danger">
                                <summary>"Delete…"</summary>
                                <label>
                                    {format!("Type \u{201c}{}\u{201d} to delete it: ", name.get_value())}
                                    <input
                                        aria-label="Schedule name to confirm"
                                        prop:value=move || typed.get()
                                        on:input=move |ev| typed.set(event_target_value(&ev))
                                    />
                                </label>
                                <button
                                    class="danger"
                                    disabled=move || name.with_value(|n| typed.get().trim() != n.trim())
                                    on:click=move |_| {
                                        remove.dispatch(RemoveSchedule {
                                            id,
                                            name: name.get_value(),
                                            confirm: typed.get_untracked(),
                                        });
                                    }
                                >
                                    "Delete schedule"
                                </button>
                            </details>
                        </Gate>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let failure = move || {
        [
            switch.value().get().and_then(Result::err),
            remove.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .map(|e| view! { <p class="error" role="alert">{e.message}</p> })
        .collect_view()
    };
    view! {
        <div class="table-scroll">
            <table class="schedules">
                <thead>
                    <tr>
                        <th>"Schedule"</th><th>"Cron"</th><th>"Time zone"</th><th>"On"</th>
                        <th>"Next run (UTC)"</th><th>"Last fire"</th><th>"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {failure}
    }
    .into_any()
}

#[component]
fn RunResult(run: ServerAction<RunSchedule>) -> impl IntoView {
    move || {
        run.value().get().map(|r| match r {
            Ok(id) => view! {
                <p class="ok" role="status">
                    "Started " <a href=format!("/backups/{id}")>{format!("backup {id}")}</a> "."
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
        })
    }
}

#[component]
fn ScheduleForm(
    save: ServerAction<SaveSchedule>,
    editing: RwSignal<Option<Schedule>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let cron = RwSignal::new("0 2 * * *".to_owned());
    let timezone = RwSignal::new("UTC".to_owned());
    let enabled = RwSignal::new(true);
    Effect::new(move |_| {
        if let Some(s) = editing.get() {
            name.set(s.name);
            cron.set(s.cron);
            timezone.set(s.timezone);
            enabled.set(s.enabled);
        }
    });
    let next = Resource::new(
        move || (cron.get(), timezone.get()),
        |(c, tz)| preview_cron(c, tz),
    );
    let id = move || editing.with(|e| e.as_ref().map(|s| s.id));
    view! {
        <section class="card" aria-label="Schedule form">
            <h2>{move || if id().is_some() { "Edit schedule" } else { "New schedule" }}</h2>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveSchedule {
                    id: id(),
                    name: name.get_untracked(),
                    cron: cron.get_untracked(),
                    timezone: timezone.get_untracked(),
                    enabled: enabled.get_untracked(),
                });
            }>
                <label>"Name " <input name="name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label>
                    "Cron " <input name="cron" required prop:value=move || cron.get() on:input=move |ev| cron.set(event_target_value(&ev))/>
                    <span class="muted">" 5 fields, 6 with seconds first (*/10 * * * * *), or @hourly, @daily, @weekly"</span>
                </label>
                <label>"Time zone " <input name="timezone" prop:value=move || timezone.get() on:input=move |ev| timezone.set(event_target_value(&ev))/></label>
                <label>
                    <input type="checkbox" name="enabled" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev))/>
                    " On"
                </label>
                <Transition fallback=|| ()>
                    {move || next.get().map(|r| match r {
                        Ok(times) => view! {
                            <div data-next-runs="">
                                "Next 5 runs (UTC): "
                                <ol>{times.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ol>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="error" data-cron-error="">{e.message}</p> }.into_any(),
                    })}
                </Transition>
                <button type="submit" disabled=move || save.pending().get()>
                    {move || if id().is_some() { "Save changes" } else { "Add schedule" }}
                </button>
                {move || id().map(|_| view! {
                    <button type="button" class="secondary" on:click=move |_| editing.set(None)>"New instead"</button>
                })}
            </form>
            {move || save.value().get().map(|r| match r {
                Ok(s) => view! { <p class="ok" role="status">{format!("Saved \u{201c}{}\u{201d}.", s.name)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn RetentionCard() -> impl IntoView {
    let save = ServerAction::<SaveRetention>::new();
    let saved = Resource::new(move || save.version().get(), |_| get_retention());
    let policy = RwSignal::new(None::<RetentionPolicy>);
    let preview = Resource::new(
        move || policy.get(),
        |p| async move {
            match p {
                Some(p) => preview_retention(p).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let acknowledged = RwSignal::new(false);
    view! {
        <section class="card" id="retention" aria-label="Retention policy">
            <h2>"Retention"</h2>
            <p class="muted">
                "Deletes whole sets (every component's backup and every snapshot). Never deleted: the newest restorable set, a set under restore or being taken, a pinned set (Keep on its page), and nothing at all while the newest restorable set is older than the RPO objective."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Reading the policy…"</p> }>
                {move || saved.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok((settings, current)) => {
                        if policy.get_untracked().is_none() {
                            policy.set(Some(settings.policy()));
                        }
                        let state = match (&settings.saved_at, settings.enabled) {
                            (None, _) => "Not saved yet: off.".to_owned(),
                            (Some(at), true) => format!("On, saved {at} by {}.", settings.saved_by.clone().unwrap_or_default()),
                            (Some(at), false) => format!("Off, saved {at}."),
                        };
                        view! {
                            <p data-retention-state="">{state}</p>
                            <Decisions title="Now" preview=current/>
                        }.into_any()
                    }
                })}
            </Transition>
            <Gate what=Permission::ChangeRetention>
                <PolicyForm policy/>
                <Transition fallback=|| ()>
                    {move || preview.get().map(|r| match r {
                        Ok(Some(p)) => view! { <Decisions title="With the values above" preview=p/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    })}
                </Transition>
                <label>
                    <input type="checkbox" prop:checked=move || acknowledged.get() on:change=move |ev| acknowledged.set(event_target_checked(&ev))/>
                    " I have read the list of sets this policy deletes."
                </label>
                <button
                    disabled=move || !acknowledged.get() || save.pending().get()
                    on:click=move |_| {
                        if let Some(p) = policy.get_untracked() {
                            save.dispatch(SaveRetention { policy: p });
                        }
                    }
                >
                    "Save policy"
                </button>
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok" role="status">"Saved; a pass runs now."</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                })}
            </Gate>
        </section>
    }
}

#[component]
fn PolicyForm(policy: RwSignal<Option<RetentionPolicy>>) -> impl IntoView {
    let field = move |label: &'static str,
                      get: fn(&RetentionPolicy) -> u32,
                      set: fn(&mut RetentionPolicy, u32)| {
        view! {
            <label>
                {label} " "
                <input
                    type="number"
                    min="0"
                    prop:value=move || policy.with(|p| p.as_ref().map(get).unwrap_or_default().to_string())
                    on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<u32>().unwrap_or_default();
                        policy.update(|p| if let Some(p) = p { set(p, v) });
                    }
                />
            </label>
        }
    };
    view! {
        <fieldset class="policy">
            <legend>"Policy"</legend>
            <label>
                <input
                    type="checkbox"
                    prop:checked=move || policy.with(|p| p.as_ref().is_some_and(|p| p.enabled))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        policy.update(|p| if let Some(p) = p { p.enabled = on });
                    }
                />
                " On"
            </label>
            {field("Keep the newest restorable sets", |p| p.keep_last, |p, v| p.keep_last = v)}
            {field("Keep restorable sets younger than (days)", |p| p.keep_days, |p, v| p.keep_days = v)}
            {field("Keep the newest of each of the last days", |p| p.keep_daily, |p, v| p.keep_daily = v)}
            {field("… weeks", |p| p.keep_weekly, |p, v| p.keep_weekly = v)}
            {field("… months", |p| p.keep_monthly, |p, v| p.keep_monthly = v)}
            {field("Delete failed and partial sets older than (days; 0 keeps them)", |p| p.delete_failed_after_days.unwrap_or(0), |p, v| p.delete_failed_after_days = (v > 0).then_some(v))}
        </fieldset>
    }
}

/// What a policy deletes and keeps, with the rule for each set.
#[component]
fn Decisions(title: &'static str, preview: RetentionPreview) -> impl IntoView {
    let held = preview
        .held
        .clone()
        .map(|h| view! { <p class="alert">{h}</p> });
    let unfinished = (!preview.unfinished.is_empty()).then(|| {
        view! { <p class="alert">{format!("Deletions not finished (retried at the next pass): {}", ids(&preview.unfinished))}</p> }
    });
    let delete = if preview.delete.is_empty() {
        view! { <p data-retention-delete="0">"Deletes nothing."</p> }.into_any()
    } else {
        let n = preview.delete.len();
        view! {
            <p data-retention-delete=n.to_string()><strong>{format!("Deletes {n} set(s), oldest first:")}</strong></p>
            <ul>{preview.delete.into_iter().map(|d| view! {
                <li><a href=format!("/backups/{}", d.backup_id)>{d.backup_id}</a> " — " {d.reason}</li>
            }).collect_view()}</ul>
        }
        .into_any()
    };
    view! {
        <div class="retention-preview" data-preview=title>
            <h3>{title}</h3>
            {held}
            {unfinished}
            {delete}
            <details>
                <summary>{format!("Keeps {} set(s) — why", preview.keep.len())}</summary>
                <ul>{preview.keep.into_iter().map(|d| view! {
                    <li><a href=format!("/backups/{}", d.backup_id)>{d.backup_id}</a> " — " {d.reason}</li>
                }).collect_view()}</ul>
            </details>
        </div>
    }
}

fn ids(list: &[crate::domain::RetentionDecision]) -> String {
    list.iter()
        .map(|d| d.backup_id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
