//! The audit log page (admins): every mutating action, sign-in and sign-in failure, newest
//! first, filtered by who, what and outcome; exported as JSON lines.

use crate::api::get_audit;
use crate::domain::AuditEntry;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k)).filter(|v| !v.is_empty());
    let page = Resource::new(
        move || {
            (
                param("actor"),
                param("action"),
                param("outcome"),
                param("before").and_then(|b| b.parse::<i64>().ok()),
            )
        },
        |(actor, action, outcome, before)| get_audit(actor, action, outcome, before),
    );
    let export = move || {
        let mut q = vec!["format=jsonl".to_owned()];
        for k in ["actor", "action", "outcome"] {
            if let Some(v) = param(k).filter(|v| !v.is_empty()) {
                q.push(format!("{k}={}", urlencode(&v)));
            }
        }
        format!("/api/v1/audit?{}", q.join("&"))
    };
    view! {
        <section class="page-head">
            <h1>"Audit log"</h1>
            <a class="button secondary" href=export download="audit.jsonl">
                "Export as JSON lines"
            </a>
        </section>
        <form class="card filters" method="get" action="/audit">
            <label>"Who " <input name="actor" value=move || param("actor").unwrap_or_default()/></label>
            <label>
                "Action "
                <input
                    name="action"
                    placeholder="backup.start, restore."
                    value=move || param("action").unwrap_or_default()
                />
            </label>
            <label>
                "Outcome "
                <select name="outcome">
                    <option value="">"any"</option>
                    {["ok", "refused", "failed"]
                        .into_iter()
                        .map(|o| {
                            view! {
                                <option value=o selected=move || param("outcome").as_deref() == Some(o)>
                                    {o}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="muted">"Reading the audit log…"</p> }>
            {move || {
                page.get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="alert">{e.message}</p> }.into_any(),
                        Ok(p) if p.entries.is_empty() => {
                            view! { <p class="empty">"No entries match."</p> }.into_any()
                        }
                        Ok(p) => {
                            let next = p.next_before.map(|b| {
                                let mut q = vec![format!("before={b}")];
                                for k in ["actor", "action", "outcome"] {
                                    if let Some(v) = param(k) {
                                        q.push(format!("{k}={}", urlencode(&v)));
                                    }
                                }
                                format!("/audit?{}", q.join("&"))
                            });
                            view! {
                                <table class="audit">
                                    <thead>
                                        <tr>
                                            <th>"When (UTC)"</th>
                                            <th>"Who"</th>
                                            <th>"From"</th>
                                            <th>"Action"</th>
                                            <th>"Target"</th>
                                            <th>"Outcome"</th>
                                            <th>"Detail"</th>
                                        </tr>
                                    </thead>
                                    <tbody>{p.entries.into_iter().map(row).collect_view()}</tbody>
                                </table>
                                {next.map(|href| view! { <a class="button secondary" href=href>"Older entries"</a> })}
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

fn row(e: AuditEntry) -> impl IntoView {
    view! {
        <tr data-outcome=e.outcome.clone()>
            <td data-label="When (UTC)">{e.at}</td>
            <td data-label="Who">{e.actor} " " <span class="muted">{e.actor_kind}</span></td>
            <td data-label="From">{e.address.unwrap_or_default()}</td>
            <td data-label="Action"><code>{e.action}</code></td>
            <td data-label="Target">{e.target.unwrap_or_default()}</td>
            <td data-label="Outcome" class=format!("outcome-{}", e.outcome)>{e.outcome.clone()}</td>
            <td class="wide" data-label="Detail">{e.detail.unwrap_or_default()}</td>
        </tr>
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
