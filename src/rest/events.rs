//! Server-sent events of a journaled run (a backup or a restore): each event's `id:` is its
//! journal sequence number; a client reconnecting with `Last-Event-ID` gets exactly the events
//! it missed (read from the journal), then the live ones. The stream ends after the terminal
//! event; keep-alive comments flow while the run waits. `GET /api/v1/backups/{id}/events`
//! lives here; the restores' stream uses the same [`replay`].

use super::backups::{journal_error, parse_backup_id};
use super::schema::{ErrorBody, Refusals};
use super::ApiError;
use crate::domain::{BackupId, RunEvent};
use crate::engine::BackupEngine;
use crate::state::AppState;
use crate::store::StoreError;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How often a comment keeps an idle stream open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// A journal an event stream replays and follows.
pub trait EventJournal: Send + 'static {
    type Event: serde::Serialize + Clone + Send + 'static;
    /// The event's sequence number within its run.
    fn seq(event: &Self::Event) -> u64;
    /// Whether the event ends the run (the stream ends after it).
    fn is_terminal(event: &Self::Event) -> bool;
    /// The journaled events after `seq`, in order.
    fn after(&self, seq: u64) -> impl Future<Output = Result<Vec<Self::Event>, StoreError>> + Send;
    /// Whether the run has ended (checked when the live feed was lost).
    fn ended(&self) -> impl Future<Output = bool> + Send;
}

/// The `Last-Event-ID` a reconnecting client sends (0 when absent).
/// `Last-Event-ID`: absent → 0 (everything); the console's ids are whole numbers, so any
/// other value (empty included) is refused with 400 rather than silently replaying it all.
pub fn last_event_id(headers: &HeaderMap) -> Result<u64, ApiError> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(0);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "invalid_last_event_id",
                "`Last-Event-ID` must be the id of an event of this stream (a whole number)",
            )
        })
}

/// The stream: `past` (journaled after `last_seen`) first, then `live`, each event once and in
/// order; ends after the terminal event or when the console shuts down.
pub fn replay<J: EventJournal>(
    journal: J,
    last_seen: u64,
    past: Vec<J::Event>,
    live: Option<broadcast::Receiver<J::Event>>,
    mut closing: tokio::sync::watch::Receiver<bool>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let cursor = Cursor {
        journal,
        last: last_seen,
        queue: past.into(),
        live,
        done: false,
    };
    let events = futures::stream::unfold(cursor, |mut c| async move {
        let event = c.next().await?;
        let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
        let sse = Event::default().id(J::seq(&event).to_string()).data(data);
        Some((Ok(sse), c))
    })
    // On shutdown the stream ends (the browser reconnects to the next console).
    .take_until(async move {
        let _ = closing.wait_for(|c| *c).await;
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Journal replay first, then live events, each exactly once and in order.
struct Cursor<J: EventJournal> {
    journal: J,
    last: u64,
    queue: VecDeque<J::Event>,
    live: Option<broadcast::Receiver<J::Event>>,
    done: bool,
}

impl<J: EventJournal> Cursor<J> {
    async fn next(&mut self) -> Option<J::Event> {
        loop {
            if self.done {
                return None;
            }
            if let Some(event) = self.queue.pop_front() {
                if J::seq(&event) <= self.last {
                    continue;
                }
                self.last = J::seq(&event);
                self.done = J::is_terminal(&event);
                return Some(event);
            }
            let live = self.live.as_mut()?;
            match live.recv().await {
                Ok(event) => self.queue.push_back(event),
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => {
                    // Fell behind or the sender is gone: catch up from the journal.
                    match self.journal.after(self.last).await {
                        Ok(events) if events.is_empty() => {
                            if self.journal.ended().await {
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

/// A backup run's journal.
struct RunEvents {
    engine: BackupEngine,
    id: BackupId,
}

impl EventJournal for RunEvents {
    type Event = RunEvent;

    fn seq(event: &RunEvent) -> u64 {
        event.seq
    }

    fn is_terminal(event: &RunEvent) -> bool {
        event.is_terminal()
    }

    async fn after(&self, seq: u64) -> Result<Vec<RunEvent>, StoreError> {
        self.engine.store().events_after(self.id, seq).await
    }

    async fn ended(&self) -> bool {
        matches!(self.engine.run(self.id).await, Ok(Some(r)) if r.state.is_terminal())
    }
}

/// `GET /api/v1/backups/{id}/events`: server-sent events (`RunEvent` as JSON, `id` = the
/// event's sequence number); the journal after `Last-Event-ID` first, then live; ends after
/// the run ends.
#[utoipa::path(get, path = "/api/v1/backups/{id}/events", operation_id = "backupEvents", tag = "backups",
    params(
        ("id" = i64, Path, minimum = 1, description = "The backup id"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Replay only the events after this one"),
    ),
    responses(
        (status = 200, description = "A stream of `RunEvent`s (see the schema) as `data:` lines", content_type = "text/event-stream", body = super::schema::SseEvent),
        (status = 400, description = "The id is not a positive integer, or `Last-Event-ID` is not a whole number", body = ErrorBody),
        (status = 404, description = "The console has no run with this id", body = ErrorBody),
        Refusals,
    ))]
pub async fn stream(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_backup_id(&raw)?;
    let last_seen = last_event_id(&headers)?;
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
    Ok(replay(
        RunEvents { engine, id },
        last_seen,
        past,
        live,
        state.console.closing.subscribe(),
    ))
}
