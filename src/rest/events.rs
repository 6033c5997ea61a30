//! `GET /api/v1/backups/{id}/events`: the run's events as server-sent events. Each event's `id:`
//! is its journal sequence number; a client reconnecting with `Last-Event-ID` gets exactly the
//! events it missed (read from the journal), then the live ones. The stream ends after the
//! terminal event; keep-alive comments flow while the run waits.

use super::backups::{journal_error, parse_backup_id};
use super::ApiError;
use crate::domain::{BackupId, RunEvent};
use crate::engine::BackupEngine;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How often a comment keeps an idle stream open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

pub async fn stream(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_backup_id(&raw)?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let engine = state.console.engine.clone();
    let (past, live) = engine
        .subscribe(id, last_seen)
        .await
        .map_err(journal_error)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No backup run with id {id}"),
            )
        })?;
    let cursor = Cursor {
        engine,
        id,
        last: last_seen,
        queue: past.into(),
        live,
        done: false,
    };
    let mut closing = state.console.closing.subscribe();
    let events = futures::stream::unfold(cursor, |mut c| async move {
        let event = c.next().await?;
        Some((Ok(to_sse(&event)), c))
    })
    // On shutdown the stream ends (the browser reconnects to the next console).
    .take_until(async move {
        let _ = closing.wait_for(|c| *c).await;
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

fn to_sse(event: &RunEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    Event::default().id(event.seq.to_string()).data(data)
}

/// Journal replay first, then live events, each exactly once and in order.
struct Cursor {
    engine: BackupEngine,
    id: BackupId,
    last: u64,
    queue: VecDeque<RunEvent>,
    live: Option<broadcast::Receiver<RunEvent>>,
    done: bool,
}

impl Cursor {
    async fn next(&mut self) -> Option<RunEvent> {
        loop {
            if self.done {
                return None;
            }
            if let Some(event) = self.queue.pop_front() {
                if event.seq <= self.last {
                    continue;
                }
                self.last = event.seq;
                self.done = event.is_terminal();
                return Some(event);
            }
            let live = self.live.as_mut()?;
            match live.recv().await {
                Ok(event) => self.queue.push_back(event),
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => {
                    // Fell behind or the sender is gone: catch up from the journal.
                    match self.engine.store().events_after(self.id, self.last).await {
                        Ok(events) if events.is_empty() => {
                            if matches!(self.engine.run(self.id).await, Ok(Some(r)) if r.state.is_terminal())
                            {
                                return None;
                            }
                        }
                        Ok(events) => self.queue.extend(events),
                        Err(_) => return None,
                    }
                }
            }
        }
    }
}
