//! The table of components: answering or not, version, URL, latency, last error.

use crate::domain::ComponentHealth;
use leptos::prelude::*;

#[component]
pub fn ComponentsTable(components: Vec<ComponentHealth>) -> impl IntoView {
    view! {
        <table class="components">
            <thead>
                <tr>
                    <th>"Component"</th>
                    <th>"Status"</th>
                    <th>"Version"</th>
                    <th>"URL"</th>
                    <th>"Latency"</th>
                    <th>"Last error"</th>
                </tr>
            </thead>
            <tbody>
                {components.into_iter().map(|c| view! { <ComponentRow c/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn ComponentRow(c: ComponentHealth) -> impl IntoView {
    let (label, class) = match (c.answering, c.error.is_some()) {
        (true, false) => ("Answering", "pill ok"),
        (true, true) => ("Answering with errors", "pill warn"),
        (false, _) => ("Not answering", "pill bad"),
    };
    view! {
        <tr data-component=c.kind.label() data-answering=c.answering.to_string()>
            <th scope="row">{c.kind.label()}</th>
            <td data-label="Status">
                <span class=class>{label}</span>
            </td>
            <td data-label="Version">{c.version.unwrap_or_else(|| "unknown".into())}</td>
            <td data-label="URL">
                <code>{c.url}</code>
            </td>
            <td data-label="Latency">{format!("{} ms", c.latency_ms)}</td>
            <td data-label="Last error" class="error-text">{c.error.unwrap_or_default()}</td>
        </tr>
    }
}
