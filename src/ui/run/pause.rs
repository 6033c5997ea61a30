//! The "exporting paused for mm:ss" timer: live while paused, the measured window after.

use crate::domain::RunView;
use crate::ui::clock::{mm_ss, now_ms, parse_ms, short};
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn PauseTimer(run: RwSignal<Option<RunView>>) -> impl IntoView {
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(h) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_millis(500))
        {
            on_cleanup(move || h.clear());
        }
    });
    move || {
        tick.track();
        let r = run.get()?;
        let p = &r.pause;
        if let Some(ms) = p.duration_ms {
            let overhead = p
                .component_work_ms
                .map(|w| {
                    format!(
                        " — longest component work {}, console overhead {}",
                        short(w as f64),
                        short(ms.saturating_sub(w) as f64)
                    )
                })
                .unwrap_or_default();
            return Some(
                view! {
                    <p class="pause done" data-pause-ms=ms>
                        "Exporting was paused for " <strong>{short(ms as f64)}</strong> {overhead}
                    </p>
                }
                .into_any(),
            );
        }
        let since = p.paused_at.as_deref().or(p.requested_at.as_deref())?;
        if p.resumed_at.is_some() {
            return Some(view! { <p class="pause done">"Exporting resumed."</p> }.into_any());
        }
        let elapsed = parse_ms(since).map(|t| now_ms() - t).unwrap_or(0.0);
        Some(
            view! {
                <p class="pause live" role="status">
                    {if p.soft { "Exporting soft-paused for " } else { "Exporting paused for " }}
                    <strong>{mm_ss(elapsed)}</strong>
                </p>
            }
            .into_any(),
        )
    }
}
