//! The alerts section of the Schedules page: webhooks (their target's scheme and host only),
//! Send test, each hook's delivery log, and the form to add one (admins).

use crate::api::{
    get_deliveries, get_webhooks, AddWebhook, RemoveWebhook, SendTestWebhook, SwitchWebhook,
};
use crate::domain::{Permission, Webhook, ALERT_EVENTS};
use crate::ui::Gate;
use leptos::prelude::*;

#[component]
pub fn WebhooksCard() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let switch = ServerAction::<SwitchWebhook>::new();
    let remove = ServerAction::<RemoveWebhook>::new();
    let test = ServerAction::<SendTestWebhook>::new();
    let hooks = Resource::new(
        move || {
            (
                add.version().get(),
                switch.version().get(),
                remove.version().get(),
                test.version().get(),
            )
        },
        |_| get_webhooks(),
    );
    view! {
        <section class="card" id="alerts" aria-label="Alerts">
            <h2>"Alerts (webhooks)"</h2>
            <p class="muted">
                "Each event is sent to the hooks that chose it, as JSON signed with X-Console-Signature: sha256=<HMAC of the body> (or as a Slack or Teams message), and retried with back-off for an hour. A hook's URL and secret are never shown again once saved."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Reading the webhooks…"</p> }>
                {move || hooks.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No webhook yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-scroll">
                            <table class="webhooks">
                                <thead><tr><th>"Hook"</th><th>"Sends to"</th><th>"Events"</th><th>"Last delivery"</th><th>"Actions"</th></tr></thead>
                                <tbody>{list.into_iter().map(|h| view! { <HookRow h switch remove test/> }).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
            {move || test.value().get().map(|r| match r {
                Ok(d) => view! {
                    <p class=if d.state == "delivered" { "ok" } else { "error" } role="status" data-test-delivery=d.state.clone()>
                        {format!("Test: {}{}", d.state, d.last_error.map(|e| format!(" — {e}")).unwrap_or_default())}
                    </p>
                }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
            {move || [switch.value().get().and_then(|r| r.err()), remove.value().get().and_then(|r| r.err())]
                .into_iter().flatten()
                .map(|e| view! { <p class="error" role="alert">{e.message}</p> })
                .collect_view()}
            <Gate what=Permission::ChangeHooks>
                <HookForm add/>
            </Gate>
        </section>
    }
}

#[component]
fn HookRow(
    h: Webhook,
    switch: ServerAction<SwitchWebhook>,
    remove: ServerAction<RemoveWebhook>,
    test: ServerAction<SendTestWebhook>,
) -> impl IntoView {
    let (id, enabled) = (h.id, h.enabled);
    let name = StoredValue::new(h.name.clone());
    let typed = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let log = Resource::new(
        move || (open.get(), test.version().get()),
        move |(open, _)| async move {
            if open {
                get_deliveries(id).await.map(Some)
            } else {
                Ok(None)
            }
        },
    );
    let last = h.last_delivery.clone().map(|d| {
        view! {
            <span class=format!("pill {}", d.state)>{d.state.clone()}</span>
            {format!(" {} at {}", d.event, d.created_at)}
        }
    });
    view! {
        <tr data-webhook=h.name.clone()>
            <th scope="row" data-label="Hook">
                {h.name.clone()}
                <span class="muted">{format!(" ({}{}{})", h.format, if h.signed { ", signed" } else { "" }, if h.enabled { "" } else { ", off" })}</span>
            </th>
            <td data-label="Sends to"><code>{h.target.clone()}</code></td>
            <td data-label="Events" class="wide">{h.events.join(", ")}</td>
            <td data-label="Last delivery" class="wide">{last}</td>
            <td data-label="Actions" class="wide">
                <Gate what=Permission::ChangeHooks>
                    <button class="secondary" disabled=move || test.pending().get()
                        on:click=move |_| { test.dispatch(SendTestWebhook { id }); }>
                        "Send test"
                    </button>
                    <button class="secondary" on:click=move |_| { switch.dispatch(SwitchWebhook { id, enabled: !enabled }); }>
                        {if enabled { "Switch off" } else { "Switch on" }}
                    </button>
                    <details class="inline danger">
                        <summary>"Delete…"</summary>
                        <label>
                            {format!("Type \u{201c}{}\u{201d} to delete it: ", name.get_value())}
                            <input aria-label="Webhook name to confirm" prop:value=move || typed.get()
                                on:input=move |ev| typed.set(event_target_value(&ev))/>
                        </label>
                        <button class="danger" disabled=move || name.with_value(|n| typed.get().trim() != n.trim())
                            on:click=move |_| { remove.dispatch(RemoveWebhook { id, name: name.get_value(), confirm: typed.get_untracked() }); }>
                            "Delete webhook"
                        </button>
                    </details>
                </Gate>
                <details on:toggle=move |_| open.update(|o| *o = !*o)>
                    <summary>"Delivery log"</summary>
                    <Transition fallback=|| ()>
                        {move || log.get().map(|r| match r {
                            Ok(Some(list)) if list.is_empty() => view! { <p class="muted">"Nothing sent yet."</p> }.into_any(),
                            Ok(Some(list)) => view! {
                                <ul class="deliveries">
                                    {list.into_iter().map(|d| view! {
                                        <li>
                                            {format!("{} {} — {} after {} attempt(s)", d.created_at, d.event, d.state, d.attempts)}
                                            {d.last_status.map(|s| format!(", HTTP {s}"))}
                                            {d.last_error.map(|e| format!(": {e}"))}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
                        })}
                    </Transition>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn HookForm(add: ServerAction<AddWebhook>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let format = RwSignal::new("generic".to_owned());
    let events = RwSignal::new(vec![
        "backup.failed".to_owned(),
        "exporting.paused_too_long".to_owned(),
        "rpo.breached".to_owned(),
    ]);
    // A saved hook's URL and secret are not kept in the form.
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            url.set(String::new());
            secret.set(String::new());
            name.set(String::new());
        }
    });
    view! {
        <form class="hook-form" on:submit=move |ev| {
            ev.prevent_default();
            add.dispatch(AddWebhook {
                name: name.get_untracked(),
                url: url.get_untracked(),
                secret: secret.get_untracked(),
                format: format.get_untracked(),
                events: events.get_untracked(),
            });
        }>
            <h3>"Add a webhook"</h3>
            <label>"Name " <input name="hook-name" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"URL " <input name="hook-url" type="url" required autocomplete="off" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/></label>
            <label>
                "Secret (HMAC key, 16+ characters) "
                <input name="hook-secret" type="password" autocomplete="new-password" prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))/>
            </label>
            <label>
                "Format "
                <select name="hook-format" on:change=move |ev| format.set(event_target_value(&ev))>
                    <option value="generic">"generic JSON (signed)"</option>
                    <option value="slack">"Slack"</option>
                    <option value="teams">"Microsoft Teams"</option>
                </select>
            </label>
            <fieldset>
                <legend>"Events"</legend>
                {ALERT_EVENTS.into_iter().map(|e| view! {
                    <label class="check">
                        <input type="checkbox" value=e
                            prop:checked=move || events.with(|v| v.iter().any(|x| x == e))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                events.update(|v| {
                                    v.retain(|x| x != e);
                                    if on { v.push(e.to_owned()); }
                                });
                            }/>
                        " " {e}
                    </label>
                }).collect_view()}
            </fieldset>
            <button type="submit" disabled=move || add.pending().get()>"Add webhook"</button>
            {move || add.value().get().map(|r| match r {
                Ok(h) => view! { <p class="ok" role="status">{format!("Added \u{201c}{}\u{201d}.", h.name)}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
            })}
        </form>
    }
}
