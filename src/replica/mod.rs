//! This process among the console's replicas: which one leads (ARCHITECTURE decision 91).
//!
//! On SQLite there is one process per file ([`crate::store::lock`]): it leads from the start.
//! On PostgreSQL every replica serves pages and the API, and one leader — the holder of the
//! lease row — runs backups, restores, schedules, retention, alerts and the watchdog. The
//! leader renews its lease every third of `leader_lease_secs`; when a renewal has not
//! succeeded by its own deadline (taken from before the renewal was sent, so it falls before
//! the lease can expire in the database) it stops leading by itself. A follower tries to take
//! the lease every second; the lease it writes expires one poll early, so a dead leader's
//! successor leads within `leader_lease_secs` of the death. Taking over bumps the fencing
//! token that every leader-only journal write checks.

use crate::clock::SharedClock;
use crate::store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// What this replica knows about leadership, as shown in the overview and
/// `GET /api/v1/console`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Leadership {
    /// The lease was read (or, on SQLite, needs none): readiness waits for it.
    pub known: bool,
    pub leader: bool,
    pub leader_id: Option<String>,
    /// Where the leader takes forwarded starts and confirmations.
    pub leader_url: Option<String>,
    /// RFC 3339.
    pub leader_since: Option<String>,
    /// The leader's term (its fencing token).
    pub epoch: i64,
    /// The leader's term secret: sent with forwarded requests, checked by the leader.
    pub token: Option<String>,
}

/// This replica: its name, and whether it leads.
#[derive(Clone)]
pub struct Replica {
    inner: Arc<Inner>,
}

struct Inner {
    id: String,
    url: String,
    lease: Duration,
    /// `None`: SQLite, always the leader.
    store: Option<Store>,
    state: watch::Sender<Leadership>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("id", &self.inner.id)
            .field("leader", &self.is_leader())
            .finish_non_exhaustive()
    }
}

impl Replica {
    /// The one process of a SQLite journal: it leads from now on.
    pub fn single(id: String, clock: &SharedClock) -> Self {
        let state = Leadership {
            known: true,
            leader: true,
            leader_id: Some(id.clone()),
            leader_url: None,
            leader_since: Some(crate::clock::stamp(clock.now())),
            epoch: 0,
            token: None,
        };
        Self {
            inner: Arc::new(Inner {
                id,
                url: String::new(),
                lease: Duration::ZERO,
                store: None,
                state: watch::channel(state).0,
            }),
        }
    }

    /// One of several replicas on PostgreSQL; it follows until [`Replica::spawn`]'s loop wins
    /// the lease. `url` is where the others reach it.
    pub fn elected(id: String, url: String, lease: Duration, store: Store) -> Self {
        Self {
            inner: Arc::new(Inner {
                id,
                url,
                lease,
                store: Some(store),
                state: watch::channel(Leadership::default()).0,
            }),
        }
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    pub fn is_leader(&self) -> bool {
        self.inner.state.borrow().leader
    }

    pub fn state(&self) -> Leadership {
        self.inner.state.borrow().clone()
    }

    /// Changes of [`Replica::state`].
    pub fn watch(&self) -> watch::Receiver<Leadership> {
        self.inner.state.subscribe()
    }

    /// Whether other replicas may exist (PostgreSQL).
    pub fn elected_mode(&self) -> bool {
        self.inner.store.is_some()
    }

    /// How often a follower tries to take the lease.
    fn poll(&self) -> Duration {
        (self.inner.lease / 5).clamp(Duration::from_millis(200), Duration::from_secs(1))
    }

    /// The lease written to the database: one poll short of `leader_lease_secs`, so a
    /// successor polling every [`Self::poll`] leads within `leader_lease_secs`.
    fn written_lease(&self) -> Duration {
        self.inner.lease.saturating_sub(self.poll())
    }

    /// One try for the lease before serving (PostgreSQL): a lone replica, or the first of
    /// several, leads from its first request; the others know who leads. The loop of
    /// [`Replica::spawn`] goes on from here.
    pub async fn first_round(&self) {
        let Some(store) = &self.inner.store else {
            return;
        };
        let lease_ms = self.written_lease_ms();
        if let Err(e) = self.try_lead(store, lease_ms).await {
            tracing::warn!(error = %e, "could not read the lease; retrying");
        }
    }

    fn written_lease_ms(&self) -> i64 {
        i64::try_from(self.written_lease().as_millis()).unwrap_or(i64::MAX)
    }

    /// Runs the lease loop (PostgreSQL); returns at once on SQLite.
    pub fn spawn(&self) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let Some(store) = me.inner.store.clone() else {
                return;
            };
            me.run(store).await;
        })
    }

    #[tracing::instrument(name = "lease", skip_all, fields(replica = %self.inner.id))]
    async fn run(&self, store: Store) {
        let renew_every = self.inner.lease / 3;
        let lease_ms = self.written_lease_ms();
        // The local deadline of the current term: past it without a renewal, stop leading
        // (a term won by `first_round` is renewed at once).
        let mut deadline = Instant::now() + renew_every;
        loop {
            if self.is_leader() {
                let epoch = self.inner.state.borrow().epoch;
                let sent = Instant::now();
                match tokio::time::timeout(renew_every, store.renew_lead(epoch, lease_ms)).await {
                    Ok(Ok(true)) => {
                        deadline = sent + self.written_lease().saturating_sub(renew_every / 2);
                    }
                    Ok(Ok(false)) => {
                        self.step_down(&store, "another replica holds the lease now");
                    }
                    Ok(Err(e)) if Instant::now() >= deadline => {
                        self.step_down(&store, &format!("the lease could not be renewed: {e}"));
                    }
                    Err(_) if Instant::now() >= deadline => {
                        self.step_down(&store, "the lease could not be renewed in time");
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "could not renew the lease; retrying before it runs out");
                    }
                    Err(_) => tracing::warn!("renewing the lease is slow; retrying"),
                }
                let next = (Instant::now() + renew_every).min(deadline);
                tokio::time::sleep_until(next.max(Instant::now() + Duration::from_millis(50)))
                    .await;
            } else {
                let sent = Instant::now();
                match self.try_lead(&store, lease_ms).await {
                    Ok(true) => {
                        deadline = sent + self.written_lease().saturating_sub(renew_every / 2);
                        continue;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the lease");
                        self.inner.state.send_if_modified(|s| {
                            let was = s.known;
                            s.known = false;
                            was
                        });
                    }
                }
                tokio::time::sleep(self.poll()).await;
            }
        }
    }

    /// Takes the lease if it ran out; otherwise notes who holds it. `Ok(true)`: now leading.
    async fn try_lead(&self, store: &Store, lease_ms: i64) -> Result<bool, StoreError> {
        let token = new_token();
        if let Some(term) = store
            .try_lead(&self.inner.id, &self.inner.url, &token, lease_ms)
            .await?
        {
            store.set_fence(term.epoch);
            tracing::warn!(epoch = term.epoch, since = %term.since, "this replica leads now");
            self.inner.state.send_replace(Leadership {
                known: true,
                leader: true,
                leader_id: Some(self.inner.id.clone()),
                leader_url: Some(self.inner.url.clone()),
                leader_since: Some(term.since),
                epoch: term.epoch,
                token: Some(token),
            });
            return Ok(true);
        }
        let row = store.leader().await?;
        let follow = Leadership {
            known: true,
            leader: false,
            leader_id: row.live.then(|| row.holder.clone()).flatten(),
            leader_url: row.live.then(|| row.holder_url.clone()).flatten(),
            leader_since: row.live.then(|| row.since.clone()).flatten(),
            epoch: row.epoch,
            token: row.live.then(|| row.token.clone()).flatten(),
        };
        self.inner.state.send_if_modified(|s| {
            let changed = *s != follow;
            *s = follow;
            changed
        });
        Ok(false)
    }

    fn step_down(&self, store: &Store, why: &str) {
        store.set_fence(0);
        tracing::error!(%why, "this replica stops leading");
        self.inner.state.send_modify(|s| {
            s.leader = false;
            s.leader_id = None;
            s.leader_url = None;
            s.leader_since = None;
            s.token = None;
        });
    }

    /// Ends this replica's term at once (a clean shutdown), so another takes over without
    /// waiting for the lease to run out.
    pub async fn release(&self) {
        let Some(store) = &self.inner.store else {
            return;
        };
        if !self.is_leader() {
            return;
        }
        let epoch = self.inner.state.borrow().epoch;
        store.set_fence(0);
        self.inner.state.send_modify(|s| s.leader = false);
        match store.release_lead(epoch).await {
            Ok(()) => tracing::info!(epoch, "lease released"),
            Err(e) => {
                tracing::warn!(error = %e, "could not release the lease; it runs out by itself")
            }
        }
    }

    /// Whether `token` is the current term's secret (a request forwarded by a follower).
    pub fn is_forward_token(&self, token: &str) -> bool {
        let state = self.inner.state.borrow();
        state.leader
            && state
                .token
                .as_deref()
                .is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
    }
}

/// A term's secret: 32 random bytes, hex.
fn new_token() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
