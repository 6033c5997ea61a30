//! A list of checks, each pass / fail / warn with its words.

use crate::domain::{Check, CheckState};
use leptos::prelude::*;

#[component]
pub fn Checks(checks: Vec<Check>) -> impl IntoView {
    view! {
        <ul class="checks">
            {checks
                .into_iter()
                .map(|c| {
                    let (class, mark) = match c.state {
                        CheckState::Pass => ("check pass", "pass"),
                        CheckState::Fail => ("check fail", "fail"),
                        CheckState::Warn => ("check warn", "warn"),
                    };
                    let key = c.key.clone();
                    view! {
                        <li class=class data-check=key data-state=mark>
                            <span class="mark">{mark}</span>
                            " "
                            <strong>{c.key}</strong>
                            ": "
                            {c.message}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
