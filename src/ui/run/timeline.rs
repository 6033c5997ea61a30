//! The step timeline: each step's state, start, duration and the component's own words.

use crate::domain::{in_pause_window, RunView, StepKey, StepState, StepView};
use crate::ui::clock::{now_ms, parse_ms, short};
use crate::ui::time::clock;
use leptos::prelude::*;

#[component]
pub fn Timeline(run: RwSignal<Option<RunView>>) -> impl IntoView {
    view! {
        <table class="timeline" aria-label="Steps">
            <thead>
                <tr>
                    <th>"Step"</th>
                    <th>"State"</th>
                    <th>"Started (UTC)"</th>
                    <th>"Duration"</th>
                    <th>"Detail"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    run.get()
                        .map(|r| {
                            let plan: Vec<StepKey> = r.steps.iter().map(|s| s.key).collect();
                            r.steps
                                .into_iter()
                                .map(|s| {
                                    let in_window = in_pause_window(&plan, s.key);
                                    view! { <StepRow s in_window/> }
                                })
                                .collect_view()
                        })
                }}
            </tbody>
        </table>
    }
}

fn class(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "pill",
        StepState::Running => "pill warn",
        StepState::Completed => "pill ok",
        StepState::Failed => "pill bad",
        StepState::Skipped | StepState::Cancelled => "pill",
    }
}

fn duration(s: &StepView) -> String {
    let start = s.started_at.as_deref().and_then(parse_ms);
    let end = s.finished_at.as_deref().and_then(parse_ms);
    match (start, end, s.state) {
        (Some(a), Some(b), _) => short(b - a),
        (Some(a), None, StepState::Running) => format!("{}…", short(now_ms() - a)),
        _ => String::new(),
    }
}

#[component]
fn StepRow(s: StepView, in_window: bool) -> impl IntoView {
    let in_window = if in_window { "in-window" } else { "" };
    view! {
        <tr class=in_window data-step=s.key.as_str() data-step-state=s.state.as_str()>
            <th scope="row">{s.label.clone()}</th>
            <td data-label="State">
                <span class=class(s.state)>{s.state.as_str()}</span>
            </td>
            <td data-label="Started (UTC)">{s.started_at.as_deref().map(clock).unwrap_or_default()}</td>
            <td data-label="Duration">{duration(&s)}</td>
            <td class="wide" data-label="Detail">
                {s.detail.clone().unwrap_or_default()}
                {s.error.clone().map(|e| view! { <div class="error-text">{e}</div> })}
            </td>
        </tr>
    }
}
