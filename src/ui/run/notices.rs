//! What the admin must know about a run besides its steps: the alarm when exporting may still
//! be paused (the set itself may be complete), and the warnings the run gathered (exporting not
//! confirmed, a stale Zeebe backup, the pause mode chosen, a note after recovery).

use crate::domain::{RunState, RunView};
use leptos::prelude::*;

#[component]
pub fn Notices(run: RunView) -> impl IntoView {
    let alarm = run.alarm.clone().map(|a| {
        view! {
            <section class="card alarm" role="alert" data-alarm="exporting">
                <h2>"Exporting may still be paused"</h2>
                <p>{a}</p>
            </section>
        }
    });
    let recovered_note = (run.state == RunState::Completed)
        .then(|| run.next_action.clone())
        .flatten()
        .map(|n| view! { <p class="notice">{n}</p> });
    let warnings = (!run.warnings.is_empty()).then(|| {
        view! {
            <section class="card warnings">
                <h2>"Warnings"</h2>
                <ul>
                    {run
                        .warnings
                        .iter()
                        .map(|w| view! { <li class="warning">{w.clone()}</li> })
                        .collect_view()}
                </ul>
            </section>
        }
    });
    view! { {alarm} {recovered_note} {warnings} }
}
