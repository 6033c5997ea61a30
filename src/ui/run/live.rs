//! The browser side of the event stream: an `EventSource` (gloo-net) on
//! `/api/v1/backups/{id}/events` whose events replace the run shown. The browser reconnects by
//! itself with `Last-Event-ID` after a server restart; the stream is closed on the terminal event
//! (or the browser would replay it) and when the page is left.

use crate::domain::RunView;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
pub fn subscribe(
    id: impl Fn() -> i64 + Send + Sync + 'static,
    run: RwSignal<Option<RunView>>,
    connection: RwSignal<String>,
) {
    use crate::domain::RunEvent;
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use gloo_net::eventsource::State;
    use std::sync::{Arc, Mutex};

    Effect::new(move |_| {
        let id = id();
        if id <= 0 {
            return;
        }
        let url = format!("/api/v1/backups/{id}/events");
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
                            let Ok(event) = serde_json::from_str::<RunEvent>(&text) else { continue };
                            let terminal = event.is_terminal();
                            run.set(Some(event.run));
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

#[cfg(not(feature = "hydrate"))]
pub fn subscribe(
    _id: impl Fn() -> i64 + Send + Sync + 'static,
    _run: RwSignal<Option<RunView>>,
    _connection: RwSignal<String>,
) {
}
