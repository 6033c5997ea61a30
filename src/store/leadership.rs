//! The leader lease and the fencing token (PostgreSQL; `migrations/postgres/0010`). On SQLite
//! one process holds the file ([`super::lock`]), so it always leads and nothing is fenced.
//!
//! Times are the database's (`now()`), so replicas' clocks do not matter; `since` is kept as
//! RFC 3339 text, which both sides read.

use super::{Dialect, Store, StoreError};
use sqlx::Row;
use std::sync::atomic::Ordering;

/// A term won: its fencing token and when it began.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub epoch: i64,
    pub since: String,
}

/// The leadership row as any replica reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaderRow {
    pub holder: Option<String>,
    pub holder_url: Option<String>,
    pub token: Option<String>,
    pub epoch: i64,
    pub since: Option<String>,
    /// The lease has not expired (by the database's clock).
    pub live: bool,
}

const SINCE: &str = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

impl Store {
    /// Takes the lease when it has expired (or was released): a new term with the next epoch.
    /// `None` while another replica's lease runs.
    pub async fn try_lead(
        &self,
        me: &str,
        url: &str,
        token: &str,
        lease_ms: i64,
    ) -> Result<Option<Term>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE leadership SET holder = $1, holder_url = $2, token = $3, epoch = epoch + 1, since = {SINCE}, expires_at = now() + ($4::double precision) * interval '1 millisecond' WHERE id = 1 AND expires_at < now() RETURNING epoch, since"
        ))
        .bind(me)
        .bind(url)
        .bind(token)
        .bind(lease_ms)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Term {
                epoch: r.try_get("epoch")?,
                since: r.try_get("since")?,
            })
        })
        .transpose()
    }

    /// Extends the lease of term `epoch`; `false` when another replica took over.
    pub async fn renew_lead(&self, epoch: i64, lease_ms: i64) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE leadership SET expires_at = now() + ($1::double precision) * interval '1 millisecond' WHERE id = 1 AND epoch = $2",
        )
        .bind(lease_ms)
        .bind(epoch)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Ends term `epoch` at once (a clean shutdown): another replica takes over without
    /// waiting for the lease to run out.
    pub async fn release_lead(&self, epoch: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE leadership SET expires_at = '-infinity' WHERE id = 1 AND epoch = $1")
            .bind(epoch)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Who leads, as the database says now.
    pub async fn leader(&self) -> Result<LeaderRow, StoreError> {
        let row = sqlx::query(
            "SELECT holder, holder_url, token, epoch, since, CASE WHEN expires_at > now() THEN 1 ELSE 0 END AS live FROM leadership WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(LeaderRow::default());
        };
        Ok(LeaderRow {
            holder: r.try_get("holder")?,
            holder_url: r.try_get("holder_url")?,
            token: r.try_get("token")?,
            epoch: r.try_get("epoch")?,
            since: r.try_get("since")?,
            live: r.try_get::<i64, _>("live")? == 1,
        })
    }

    /// The fencing token this process writes with (0: it does not lead).
    pub fn set_fence(&self, epoch: i64) {
        self.fence.store(epoch, Ordering::SeqCst);
        if epoch != 0 {
            self.led.store(epoch, Ordering::SeqCst);
        }
    }

    /// Whether another replica's term began after the last one this process led: then that
    /// replica owns what this one was doing (PostgreSQL). `false` on SQLite, for a process
    /// that never led, and when the database cannot say within 3 s.
    pub async fn superseded(&self) -> bool {
        let led = self.led.load(Ordering::SeqCst);
        if self.dialect != Dialect::Postgres || led == 0 {
            return false;
        }
        let read = sqlx::query_scalar::<_, i64>("SELECT epoch FROM leadership WHERE id = 1")
            .fetch_optional(&self.pool);
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(3), read).await,
            Ok(Ok(Some(epoch))) if epoch > led
        )
    }

    pub fn fence(&self) -> i64 {
        self.fence.load(Ordering::SeqCst)
    }

    /// A transaction for a leader-only write (runs, restores, fires, retention's deletions,
    /// deliveries). On PostgreSQL it first checks — holding the leadership row shared until
    /// it commits, so a takeover waits for it — that this process's term is the current one.
    pub(super) async fn leader_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.dialect == Dialect::Postgres {
            let held = self.fence();
            let current: Option<i64> =
                sqlx::query_scalar("SELECT epoch FROM leadership WHERE id = 1 FOR SHARE")
                    .fetch_optional(&mut *tx)
                    .await?;
            if held == 0 || current != Some(held) {
                return Err(StoreError::Fenced {
                    held,
                    current: current.unwrap_or(0),
                });
            }
        }
        Ok(tx)
    }
}
