//! The browser side of a restore's event stream: an `EventSource` on
//! `/api/v1/restores/{id}/events` whose events replace the restore shown; closed when the
//! restore ends or the page is left (the browser reconnects by itself with `Last-Event-ID`).

use crate::domain::RestoreView;
use leptos::prelude::*;

#[cfg(feature = "hydrate")]
pub fn subscribe(
    id: impl Fn() -> i64 + Send + Sync + 'static,
    restore: RwSignal<Option<RestoreView>>,
    connection: RwSignal<String>,
) {
    use crate::domain::RestoreEvent;
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use std::sync::{Arc, Mutex};

    Effect::new(move |_| {
        let id = id();
        if id <= 0 {
            return;
        }
        let Ok(mut source) = EventSource::new(&format!("/api/v1/restores/{id}/events")) else {
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
                            let Ok(event) = serde_json::from_str::<RestoreEvent>(&text) else { continue };
                            let terminal = event.restore.state.is_terminal();
                            restore.set(Some(event.restore));
                            if terminal {
                                break;
                            }
                        }
                        Some(Err(_)) => connection.set("reconnecting".into()),
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
    _restore: RwSignal<Option<RestoreView>>,
    _connection: RwSignal<String>,
) {
}
