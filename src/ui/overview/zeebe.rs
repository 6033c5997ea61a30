//! Zeebe partitions, their leaders and the exporting state.

use crate::domain::{ExportingState, ZeebeTopology};
use leptos::prelude::*;

#[component]
pub fn ZeebeCard(topology: ZeebeTopology) -> impl IntoView {
    let class = match topology.exporting {
        ExportingState::Exporting => "pill ok",
        ExportingState::Unknown => "pill",
        _ => "pill warn",
    };
    view! {
        <section class="card" aria-label="Zeebe partitions">
            <h2>"Zeebe"</h2>
            <p>
                "Exporting: " <span class=class data-exporting=topology.exporting.label()>
                    {topology.exporting.label()}
                </span>
            </p>
            {topology.note.map(|n| view! { <p class="muted">{n}</p> })}
            <table>
                <thead>
                    <tr>
                        <th>"Partition"</th>
                        <th>"Leader"</th>
                        <th>"Exporter"</th>
                        <th>"Exported position"</th>
                    </tr>
                </thead>
                <tbody>
                    {topology
                        .partitions
                        .into_iter()
                        .map(|p| {
                            view! {
                                <tr>
                                    <th scope="row">{format!("Partition {}", p.partition_id)}</th>
                                    <td data-label="Leader">
                                        <code>{p.leader.unwrap_or_else(|| "none".into())}</code>
                                    </td>
                                    <td data-label="Exporter">{p.exporter_phase.unwrap_or_else(|| "unknown".into())}</td>
                                    <td data-label="Exported position">
                                        {p.exported_position.map(|x| x.to_string()).unwrap_or_default()}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </section>
    }
}
