//! 8.9+: Zeebe's own backup state beside the history — per partition the latest backup and
//! checkpoint, the ranges of contiguous backups, and any gap said in words.

use crate::domain::{Checkpoint, RuntimeCoverage};
use leptos::prelude::*;

fn point(c: &Option<Checkpoint>) -> String {
    match c {
        Some(c) => {
            let kind = c.kind.as_deref().unwrap_or("checkpoint");
            match &c.at {
                Some(at) => format!("{} ({kind}, {at})", c.checkpoint_id),
                None => format!("{} ({kind})", c.checkpoint_id),
            }
        }
        None => "—".into(),
    }
}

#[component]
pub fn RuntimeCard(coverage: RuntimeCoverage) -> impl IntoView {
    let gaps = coverage
        .partitions
        .iter()
        .filter(|p| p.gap.is_some())
        .count();
    view! {
        <section class="card runtime" aria-label="Zeebe backup state" data-runtime-gaps=gaps>
            <h3>"Zeebe's backup state (per partition)"</h3>
            {coverage.scheduled.then(|| view! {
                <p class="notice" data-runtime-scheduled="true">
                    "Zeebe takes its own scheduled backups (generated ids). They appear in the history as Zeebe-only rows; Backup Now needs the schedule off."
                </p>
            })}
            <table class="runtime">
                <thead>
                    <tr>
                        <th>"Partition"</th>
                        <th>"Latest backup"</th>
                        <th>"Latest checkpoint"</th>
                        <th>"Ranges (oldest first)"</th>
                    </tr>
                </thead>
                <tbody>
                    {coverage
                        .partitions
                        .into_iter()
                        .map(|p| {
                            let ranges: Vec<String> = p
                                .ranges
                                .iter()
                                .map(|r| format!("{} → {}", point(&r.start), point(&r.end)))
                                .collect();
                            let has_gap = p.gap.is_some();
                            view! {
                                <tr data-partition=p.partition_id data-gap=has_gap>
                                    <th scope="row">{p.partition_id}</th>
                                    <td data-label="Latest backup">{point(&p.latest_backup)}</td>
                                    <td data-label="Latest checkpoint">{point(&p.latest_checkpoint)}</td>
                                    <td class="wide" data-label="Ranges">
                                        {ranges.join("; ")}
                                        {p.gap.map(|g| view! { <div class="error-text">{format!("Gap: {g}")}</div> })}
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
