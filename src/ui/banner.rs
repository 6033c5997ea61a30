//! The banner on every page: which cluster, and a loud warning when it is simulated.

use crate::api::get_console_info;
use leptos::prelude::*;
use std::time::Duration;

/// Shows the cluster name; "Simulated cluster" when the embedded simulator is in use; and the
/// watchdog's alert when exporting is paused outside any run. Refreshes every 5 s.
#[component]
pub fn Banner() -> impl IntoView {
    let tick = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Ok(h) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), Duration::from_secs(5))
        {
            on_cleanup(move || h.clear());
        }
    });
    let info = Resource::new(move || tick.get(), |_| get_console_info());
    let alert = move || {
        info.get().and_then(|r| r.ok()).and_then(|i| i.alert).map(
            |a| view! { <div class="banner alert" role="alert" data-alert="exporting">{a}</div> },
        )
    };
    view! {
        <Transition fallback=|| ()>
            {alert}
            {move || {
                info.get()
                    .map(|r| match r {
                        Ok(info) if info.simulated => {
                            view! {
                                <div class="banner simulated" role="status">
                                    <strong>"Simulated cluster"</strong>
                                    " — the console runs against its embedded Camunda simulator (no configuration was given, or it says simulate = true). Nothing here touches a real cluster."
                                    {info
                                        .simulator_admin_url
                                        .map(|u| view! { <span class="muted">" Simulator admin API: " <code>{u}</code></span> })}
                                </div>
                            }
                                .into_any()
                        }
                        Ok(info) => {
                            view! {
                                <div class="banner cluster">
                                    "Cluster: " <strong>{info.cluster_name}</strong>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! { <div class="banner error" role="alert">{e.message}</div> }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}
