//! Sending deliveries: signed with HMAC-SHA256 of the exact body, retried with back-off
//! (5 s doubling to 5 min) for an hour after the event, each attempt recorded. Errors never
//! carry the URL (it is a secret).

use super::Alerts;
use crate::store::{DueDelivery, StoreError, StoredHook};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// How long an event is retried.
pub const RETRY_FOR: chrono::Duration = chrono::Duration::hours(1);

/// `sha256=<hex HMAC-SHA256 of body with secret>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// The wait after `attempts` failed attempts.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let secs = 5i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(10));
    chrono::Duration::seconds(secs.min(300))
}

/// What one attempt gave.
pub struct Attempt {
    pub delivered: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// One POST of `body` to `hook`.
#[tracing::instrument(skip_all, fields(hook = %hook.name, event))]
pub async fn attempt(
    http: &reqwest::Client,
    hook: &StoredHook,
    event: &str,
    body: &str,
) -> Attempt {
    let mut request = http
        .post(&hook.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Console-Event", event)
        .body(body.to_owned());
    if let Some(secret) = &hook.secret {
        request = request.header("X-Console-Signature", signature(secret, body.as_bytes()));
    }
    match request.send().await {
        Ok(r) if r.status().is_success() => Attempt {
            delivered: true,
            status: Some(r.status().as_u16()),
            error: None,
        },
        Ok(r) => Attempt {
            delivered: false,
            status: Some(r.status().as_u16()),
            error: Some(format!("the receiver answered {}", r.status())),
        },
        // `without_url`: the URL is a secret, and reqwest's words would name it.
        Err(e) => Attempt {
            delivered: false,
            status: None,
            error: Some(format!("not delivered: {}", error_words(e.without_url()))),
        },
    }
}

fn error_words(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "the receiver redirected (not followed)"
    } else {
        "request failed"
    };
    let mut words = kind.to_owned();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        words.push_str(": ");
        words.push_str(&s.to_string());
        source = s.source();
    }
    words
}

impl Alerts {
    /// Attempts every due delivery; returns when the next one is due.
    pub(super) async fn send_due(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let now = self.inner.clock.now();
        let due = self
            .inner
            .store
            .due_deliveries(&crate::clock::stamp(now), 50)
            .await?;
        for d in due {
            self.send_one(d).await?;
        }
        Ok(self
            .inner
            .store
            .next_delivery_at()
            .await?
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    async fn send_one(&self, d: DueDelivery) -> Result<(), StoreError> {
        let store = &self.inner.store;
        let now = || crate::clock::stamp(self.inner.clock.now());
        let Some(hook) = store.hook(&self.inner.cluster, d.hook_id).await? else {
            return store
                .record_attempt(
                    d.id,
                    false,
                    None,
                    Some("the webhook was deleted"),
                    None,
                    &now(),
                )
                .await;
        };
        let result = attempt(&self.inner.http, &hook, &d.event, &d.body).await;
        let attempts = d.attempts + 1;
        let next = if result.delivered {
            None
        } else {
            let created = DateTime::parse_from_rfc3339(&d.created_at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|_| self.inner.clock.now());
            let at = self.inner.clock.now() + backoff(attempts);
            (at <= created + RETRY_FOR).then_some(at)
        };
        if !result.delivered {
            tracing::warn!(hook = %hook.name, event = %d.event, attempts, error = ?result.error, retry = next.is_some(), "webhook delivery failed");
        }
        store
            .record_attempt(
                d.id,
                result.delivered,
                result.status,
                result.error.as_deref(),
                next.map(crate::clock::stamp).as_deref(),
                &now(),
            )
            .await
    }

    /// The sender: attempts what is due, sleeps until the next is due or an event arrives.
    pub fn spawn_sender(&self) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let wake = this.inner.wake.notified();
                tokio::pin!(wake);
                wake.as_mut().enable();
                let next = match this.send_due().await {
                    Ok(next) => next,
                    Err(e) => {
                        tracing::error!(error = %e, "webhook deliveries could not be read");
                        Some(this.inner.clock.now() + chrono::Duration::seconds(30))
                    }
                };
                let clock = this.inner.clock.clone();
                let sleep = async move {
                    match next {
                        Some(at) => clock.sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    () = sleep => {}
                    () = &mut wake => {}
                    // A clock that does not move (tests) still retries what is due.
                    () = tokio::time::sleep(Duration::from_secs(60)) => {}
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn back_off_doubles_to_five_minutes() {
        let s: Vec<i64> = (1..=9).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(s, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }
}
