//! The browser side of a run's event stream (a backup or a restore): an `EventSource`
//! (gloo-net) whose events replace what the page shows. The browser reconnects by itself with
//! `Last-Event-ID` after a server restart; the stream is closed on the terminal event (or the
//! browser would replay it) and when the page is left. It opens only once the page's status
//! line is in the document (hydrated or mounted), so no event lands while the page hydrates.

use leptos::prelude::*;

/// Takes one event in: given what is shown now, what to show next and whether the run ended
/// (`None`: nothing to show, e.g. a change with nothing to apply it to).
pub type Take<E, T> = fn(E, Option<&T>) -> Option<(T, bool)>;

/// Follows the stream at `url()` (none while it returns `None`): each event is taken in by
/// `take` — given what is shown now, it gives what to show next (an event may carry only a
/// change) and whether the run ended — and replaces `target`.
#[cfg(feature = "hydrate")]
pub fn follow<E, T>(
    url: impl Fn() -> Option<String> + Send + Sync + 'static,
    target: RwSignal<Option<T>>,
    connection: RwSignal<String>,
    shown: NodeRef<leptos::html::P>,
    take: Take<E, T>,
) where
    E: serde::de::DeserializeOwned + 'static,
    T: Send + Sync + 'static,
{
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use gloo_net::eventsource::State;
    use std::sync::{Arc, Mutex};

    // Not before `shown` (the page's last element) is hydrated: an event applied while the
    // page still hydrates makes the browser's markup differ from the server's and hydration
    // fails (seen: a reload mid-run, the first event arriving while the run's page waited in
    // its Suspense, the pause timer then rendered where the server had rendered nothing).
    Effect::new(move |_| {
        if shown.get().is_none() {
            return;
        }
        let Some(url) = url() else {
            return;
        };
        let Ok(mut source) = EventSource::new(&url) else {
            connection.set("failed".into());
            return;
        };
        let Ok(messages) = source.subscribe("message") else {
            connection.set("failed".into());
            return;
        };
        let mut messages = messages.fuse();
        connection.set("connecting".into());
        let (stop_tx, mut stop_rx) = futures::channel::oneshot::channel::<()>();
        let stop = Arc::new(Mutex::new(Some(stop_tx)));
        on_cleanup(move || {
            if let Some(tx) = stop.lock().ok().and_then(|mut s| s.take()) {
                let _ = tx.send(());
            }
        });
        leptos::task::spawn_local(async move {
            loop {
                futures::select! {
                    _ = stop_rx => break,
                    item = messages.next() => match item {
                        Some(Ok((_, message))) => {
                            connection.set("open".into());
                            let Some(text) = message.data().as_string() else { continue };
                            let Ok(event) = serde_json::from_str::<E>(&text) else { continue };
                            let Some((shown, terminal)) = target.with_untracked(|current| take(event, current.as_ref())) else { continue };
                            target.set(Some(shown));
                            if terminal {
                                break;
                            }
                        }
                        Some(Err(_)) => {
                            // The browser retries by itself (with Last-Event-ID) unless closed.
                            connection.set(if source.state() == State::Closed { "closed".into() } else { "reconnecting".into() });
                        }
                        None => break,
                    }
                }
            }
            source.close();
            connection.set("closed".into());
        });
    });
}

/// Server side: nothing to follow (the page renders from the journal).
#[cfg(not(feature = "hydrate"))]
pub fn follow<E, T>(
    _url: impl Fn() -> Option<String> + Send + Sync + 'static,
    _target: RwSignal<Option<T>>,
    _connection: RwSignal<String>,
    _shown: NodeRef<leptos::html::P>,
    _take: Take<E, T>,
) where
    T: Send + Sync + 'static,
{
}

/// The positive integer `id` of the current route (0 when absent or not a number).
pub fn id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}
