//! Server-sent events of a journaled run (a backup or a restore): each event's `id:` is its
//! journal sequence number; a client reconnecting with `Last-Event-ID` gets exactly the events
//! it missed (read from the journal a page at a time, never the whole journal at once), then
//! the live ones. The stream ends after the terminal event; keep-alive comments flow while the
//! run waits. Each caller holds at most `[auth] streams_per_caller` streams at once.
//! `GET /api/v1/backups/{id}/events` lives here; the restores' stream uses the same [`replay`].

use super::backups::parse_backup_id;
use super::schema::{ErrorBody, Refusals};
use crate::domain::BackupId;
use crate::engine::BackupEngine;
use crate::state::AppState;
use crate::store::{Framed, StoreError};
use crate::wire::journal_error;
use crate::wire::ApiError;
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
/// Events read from the journal at a time while a stream catches up.
pub const PAGE: u32 = 200;
/// Takes one of the caller's stream slots (released when the stream ends); 429 when the
/// caller holds `[auth] streams_per_caller` (16 by default) already: a few tabs, not a flood.
pub fn stream_slot(
    console: &crate::state::Console,
    caller: &crate::auth::Caller,
) -> Result<crate::state::StreamSlot, ApiError> {
    let key = format!(
        "{}:{}",
        caller.principal.via.as_str(),
        caller.principal.name
    );
    let limit = console.settings.auth.streams_per_caller;
    console.streams.take(key, limit).ok_or_else(|| {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_streams",
            format!("{limit} live streams are open for you already; close some pages (or streams) first"),
        )
    })
}

/// A journal an event stream replays and follows.
pub trait EventJournal: Send + 'static {
    type Event: Clone + Send + 'static;
    /// The event's sequence number within its run.
    fn seq(event: &Self::Event) -> u64;
    /// Whether the event ends the run (the stream ends after it).
    fn is_terminal(event: &Self::Event) -> bool;
    /// The event's JSON text (encoded once, when journaled).
    fn json(event: &Self::Event) -> &str;
    /// At most `limit` journaled events after `seq`, in order.
    fn after(
        &self,
        seq: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Self::Event>, StoreError>> + Send;
    /// Whether the run has ended (checked when the live feed was lost).
    fn ended(&self) -> impl Future<Output = bool> + Send;
    /// How long to wait on the live feed before reading the journal anyway: a follower
    /// replica's live feed is silent (the leader runs the work), so it reads the journal often;
    /// the leader reads it now and then, in case its term ended mid-stream. `None`: one
    /// process (SQLite), the live feed is all.
    fn poll_every(&self) -> Option<Duration> {
        None
    }
}

/// [`EventJournal::poll_every`] for this replica.
pub fn poll_for(replica: &crate::replica::Replica) -> Option<Duration> {
    if !replica.elected_mode() {
        None
    } else if replica.is_leader() {
        Some(Duration::from_secs(5))
    } else {
        Some(Duration::from_millis(500))
    }
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

/// The stream: `past` (the first page journaled after `last_seen`, or the run as it is now)
/// first, further pages while there are more, then `live`, each event once and in order; ends
/// after the terminal event or when the console shuts down. `slot` is held until it ends.
pub fn replay<J: EventJournal>(
    journal: J,
    last_seen: u64,
    past: Vec<J::Event>,
    live: Option<broadcast::Receiver<J::Event>>,
    mut closing: tokio::sync::watch::Receiver<bool>,
    slot: crate::state::StreamSlot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let cursor = Cursor {
        journal,
        last: last_seen,
        more: past.len() >= PAGE as usize,
        queue: past.into(),
        live,
        done: false,
        _slot: slot,
    };
    let events = futures::stream::unfold(cursor, |mut c| async move {
        let event = c.next().await?;
        let sse = Event::default()
            .id(J::seq(&event).to_string())
            .data(J::json(&event));
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
    /// The journal may hold more events than were read so far.
    more: bool,
    live: Option<broadcast::Receiver<J::Event>>,
    done: bool,
    _slot: crate::state::StreamSlot,
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
            if self.more {
                match self.journal.after(self.last, PAGE).await {
                    Ok(page) => {
                        self.more = page.len() >= PAGE as usize;
                        self.queue.extend(page);
                        continue;
                    }
                    Err(_) => return None,
                }
            }
            let poll = self.journal.poll_every();
            let live = self.live.as_mut()?;
            let received = match poll {
                None => Some(live.recv().await),
                Some(every) => tokio::time::timeout(every, live.recv()).await.ok(),
            };
            match received {
                Some(Ok(event)) => self.queue.push_back(event),
                Some(Err(RecvError::Lagged(_)) | Err(RecvError::Closed)) | None => {
                    // Fell behind, the sender is gone, or time to look (another replica
                    // writes the journal): catch up from the journal.
                    match self.journal.after(self.last, PAGE).await {
                        Ok(events) if events.is_empty() => {
                            if self.journal.ended().await {
                                return None;
                            }
                        }
                        Ok(events) => {
                            self.more = events.len() >= PAGE as usize;
                            self.queue.extend(events);
                        }
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
    poll: Option<Duration>,
}

impl EventJournal for RunEvents {
    type Event = Framed;

    fn seq(event: &Framed) -> u64 {
        event.seq
    }

    fn is_terminal(event: &Framed) -> bool {
        event.terminal
    }

    fn json(event: &Framed) -> &str {
        &event.json
    }

    async fn after(&self, seq: u64, limit: u32) -> Result<Vec<Framed>, StoreError> {
        self.engine.store().events_after(self.id, seq, limit).await
    }

    async fn ended(&self) -> bool {
        matches!(self.engine.run(self.id).await, Ok(Some(r)) if r.state.is_terminal())
    }

    fn poll_every(&self) -> Option<Duration> {
        self.poll
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
    axum::Extension(caller): axum::Extension<crate::auth::Caller>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let id = parse_backup_id(&raw)?;
    let last_seen = last_event_id(&headers)?;
    let slot = stream_slot(&state.console, &caller)?;
    let engine = state.console.engine.clone();
    let (past, live) = engine
        .subscribe(id, last_seen, PAGE)
        .await
        .map_err(|e| journal_error(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("No backup run with id {id}"),
            )
        })?;
    Ok(replay(
        RunEvents {
            engine,
            id,
            poll: poll_for(&state.console.replica),
        },
        last_seen,
        past,
        live,
        state.console.closing.subscribe(),
        slot,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A journal of `n` numbered events that records the largest read it served.
    #[derive(Clone)]
    struct Numbers {
        n: u64,
        largest_read: Arc<AtomicUsize>,
    }

    impl EventJournal for Numbers {
        type Event = u64;
        fn seq(event: &u64) -> u64 {
            *event
        }
        fn is_terminal(event: &u64) -> bool {
            *event == u64::MAX
        }
        fn json(_: &u64) -> &str {
            "{}"
        }
        async fn after(&self, seq: u64, limit: u32) -> Result<Vec<u64>, StoreError> {
            let page: Vec<u64> = (seq + 1..=self.n).take(limit as usize).collect();
            self.largest_read.fetch_max(page.len(), Ordering::SeqCst);
            Ok(page)
        }
        async fn ended(&self) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn a_long_journal_is_replayed_in_pages_in_order_and_whole() {
        let journal = Numbers {
            n: 450,
            largest_read: Arc::default(),
        };
        let first = journal.after(7, PAGE).await.expect("page");
        let counts = crate::state::StreamCounts::default();
        let slot = counts.take("t".into(), 1).expect("slot");
        let mut cursor = Cursor {
            journal: journal.clone(),
            last: 7,
            more: first.len() >= PAGE as usize,
            queue: first.into(),
            live: None,
            done: false,
            _slot: slot,
        };
        let mut seen = Vec::new();
        while let Some(e) = cursor.next().await {
            seen.push(e);
        }
        assert_eq!(seen, (8..=450).collect::<Vec<_>>());
        assert!(journal.largest_read.load(Ordering::SeqCst) <= PAGE as usize);
        // The stream's slot is given back when it ends.
        assert_eq!(counts.open("t"), 1);
        drop(cursor);
        assert_eq!(counts.open("t"), 0);
    }

    #[test]
    fn a_caller_holds_at_most_its_streams() {
        let counts = crate::state::StreamCounts::default();
        let a = counts.take("u".into(), 2).expect("first");
        let _b = counts.take("u".into(), 2).expect("second");
        assert!(counts.take("u".into(), 2).is_none());
        assert!(counts.take("other".into(), 2).is_some());
        drop(a);
        assert!(counts.take("u".into(), 2).is_some());
    }
}
