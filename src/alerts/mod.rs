//! Alerts: webhooks with the events chosen per hook, each event journaled as a delivery per
//! hook before it is sent (`deliver`), signed, retried for an hour, logged per hook. A hook's
//! URL and secret never leave the server: answers and pages show the scheme and host only, and
//! no log line names them.

pub mod deliver;
pub mod format;
mod sources;

use crate::clock::SharedClock;
use crate::domain::{Delivery, NewWebhook, Webhook, WebhookPatch, ALERT_EVENTS};
use crate::store::{Store, StoreError, StoredHook};
pub use format::Event;
pub use sources::{check_rpo, restore_ended, restore_started, run_ended};
use std::sync::{Arc, Mutex};

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("no webhook with id {0}")]
    NotFound(i64),
    #[error("a webhook named `{0}` exists already; choose another name")]
    NameTaken(String),
    #[error("the console's database failed")]
    Store(#[from] StoreError),
}

/// Handle to the alerts; cheap to clone.
#[derive(Clone)]
pub struct Alerts {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    cluster: String,
    clock: SharedClock,
    http: reqwest::Client,
    wake: tokio::sync::Notify,
    /// Edge-triggered conditions (an RPO breach is told once, until it ends).
    raised: Mutex<std::collections::HashSet<String>>,
}

impl Alerts {
    /// `http` must not follow redirects (a redirect would carry the body, and the signature,
    /// elsewhere).
    pub fn new(store: Store, cluster: String, clock: SharedClock, http: reqwest::Client) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cluster,
                clock,
                http,
                wake: tokio::sync::Notify::new(),
                raised: Mutex::new(Default::default()),
            }),
        }
    }

    fn cluster(&self) -> &str {
        &self.inner.cluster
    }

    /// Journals `name` for every enabled hook that wants it, then wakes the sender. Never fails
    /// the caller: an alert that cannot be journaled is logged.
    pub async fn emit(&self, name: &str, summary: String, data: serde_json::Value) {
        let event = Event {
            name: name.to_owned(),
            at: crate::clock::stamp(self.inner.clock.now()),
            cluster: self.inner.cluster.clone(),
            summary,
            data,
        };
        tracing::info!(event = name, summary = %event.summary, "alert");
        let hooks = match self.inner.store.hooks(self.cluster()).await {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, event = name, "could not read the webhooks; the alert is not sent");
                return;
            }
        };
        for hook in hooks
            .iter()
            .filter(|h| h.enabled && h.events.iter().any(|e| e == name))
        {
            let body = format::body(&hook.format, &event);
            if let Err(e) = self
                .inner
                .store
                .enqueue_delivery(hook.id, name, &body, &event.at)
                .await
            {
                tracing::error!(error = %e, hook = %hook.name, event = name, "could not journal a delivery");
            }
        }
        self.inner.wake.notify_one();
    }

    /// Raises `key` (an edge: told once) and emits when it was not raised; `false` lowers it.
    pub async fn condition(
        &self,
        key: &str,
        raised: bool,
        name: &str,
        summary: impl FnOnce() -> String,
        data: impl FnOnce() -> serde_json::Value,
    ) {
        let changed = {
            let mut set = crate::engine::locked(&self.inner.raised);
            if raised {
                set.insert(key.to_owned())
            } else {
                set.remove(key);
                false
            }
        };
        if changed {
            self.emit(name, summary(), data()).await;
        }
    }

    pub async fn list(&self) -> Result<Vec<Webhook>, AlertError> {
        let mut out = Vec::new();
        for h in self.inner.store.hooks(self.cluster()).await? {
            out.push(self.view(&h).await?);
        }
        Ok(out)
    }

    async fn view(&self, h: &StoredHook) -> Result<Webhook, AlertError> {
        Ok(Webhook {
            id: h.id,
            name: h.name.clone(),
            format: h.format.clone(),
            events: h.events.clone(),
            enabled: h.enabled,
            target: target(&h.url),
            signed: h.secret.is_some(),
            last_delivery: self
                .inner
                .store
                .deliveries(h.id, 1)
                .await?
                .into_iter()
                .next(),
        })
    }

    async fn stored(&self, id: i64) -> Result<StoredHook, AlertError> {
        self.inner
            .store
            .hook(self.cluster(), id)
            .await?
            .ok_or(AlertError::NotFound(id))
    }

    pub async fn get(&self, id: i64) -> Result<Webhook, AlertError> {
        let h = self.stored(id).await?;
        self.view(&h).await
    }

    pub async fn create(&self, new: NewWebhook) -> Result<Webhook, AlertError> {
        let hook = StoredHook {
            id: 0,
            name: valid_name(&new.name)?,
            url: valid_url(&new.url)?,
            secret: valid_secret(new.secret)?,
            format: valid_format(new.format.as_deref().unwrap_or("generic"))?,
            events: valid_events(&new.events)?,
            enabled: new.enabled.unwrap_or(true),
        };
        let at = crate::clock::stamp(self.inner.clock.now());
        let id = self
            .inner
            .store
            .insert_hook(self.cluster(), &hook, &at)
            .await?
            .ok_or_else(|| AlertError::NameTaken(hook.name.clone()))?;
        self.get(id).await
    }

    pub async fn update(&self, id: i64, patch: WebhookPatch) -> Result<Webhook, AlertError> {
        let mut h = self.stored(id).await?;
        if let Some(name) = &patch.name {
            h.name = valid_name(name)?;
        }
        if let Some(url) = &patch.url {
            h.url = valid_url(url)?;
        }
        if patch.secret.is_some() {
            // An empty secret removes it.
            h.secret = valid_secret(patch.secret.filter(|s| !s.is_empty()))?;
        }
        if let Some(format) = &patch.format {
            h.format = valid_format(format)?;
        }
        if let Some(events) = &patch.events {
            h.events = valid_events(events)?;
        }
        if let Some(enabled) = patch.enabled {
            h.enabled = enabled;
        }
        let at = crate::clock::stamp(self.inner.clock.now());
        if !self
            .inner
            .store
            .update_hook(self.cluster(), &h, &at)
            .await?
        {
            return Err(AlertError::NameTaken(h.name));
        }
        self.get(id).await
    }

    pub async fn delete(&self, id: i64) -> Result<(), AlertError> {
        let at = crate::clock::stamp(self.inner.clock.now());
        if !self
            .inner
            .store
            .delete_hook(self.cluster(), id, &at)
            .await?
        {
            return Err(AlertError::NotFound(id));
        }
        Ok(())
    }

    /// Sends a `test` event to hook `id` now (one attempt, not retried) and answers with the
    /// delivery as recorded.
    pub async fn send_test(&self, id: i64, by: &str) -> Result<Delivery, AlertError> {
        let hook = self.stored(id).await?;
        let event = Event {
            name: "test".into(),
            at: crate::clock::stamp(self.inner.clock.now()),
            cluster: self.inner.cluster.clone(),
            summary: format!("A test from the Camunda backup console, sent by {by}."),
            data: serde_json::json!({"hook": hook.name}),
        };
        let body = format::body(&hook.format, &event);
        let store = &self.inner.store;
        let delivery = store
            .enqueue_delivery(hook.id, "test", &body, &event.at)
            .await?;
        let result = deliver::attempt(&self.inner.http, &hook, "test", &body).await;
        store
            .record_attempt(
                delivery,
                result.delivered,
                result.status,
                result.error.as_deref(),
                None,
                &crate::clock::stamp(self.inner.clock.now()),
            )
            .await?;
        store
            .delivery(delivery)
            .await?
            .ok_or(AlertError::NotFound(id))
    }

    pub async fn deliveries(&self, id: i64) -> Result<Vec<Delivery>, AlertError> {
        let hook = self.stored(id).await?;
        Ok(self.inner.store.deliveries(hook.id, 100).await?)
    }
}

/// The URL's scheme and host: what the answers may say of a secret URL.
pub fn target(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}/…",
            u.scheme(),
            u.host_str().unwrap_or("?"),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "(not a URL)".into(),
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> AlertError {
    AlertError::Invalid {
        field,
        message: message.into(),
    }
}

fn valid_name(name: &str) -> Result<String, AlertError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(invalid(
            "name",
            "must be 1 to 80 characters, no control characters",
        ));
    }
    Ok(name.to_owned())
}

fn valid_url(url: &str) -> Result<String, AlertError> {
    // The URL is never echoed: it may hold a token.
    let parsed =
        url::Url::parse(url.trim()).map_err(|e| invalid("url", format!("is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(invalid(
            "url",
            "must be an http:// or https:// URL with a host",
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "url",
            "must not carry credentials before the host; use the secret (signature) or a token in the path",
        ));
    }
    Ok(parsed.to_string())
}

fn valid_secret(secret: Option<String>) -> Result<Option<String>, AlertError> {
    match secret {
        Some(s) if s.chars().count() < 16 => Err(invalid(
            "secret",
            "must be at least 16 characters (it keys the HMAC-SHA256 signature)",
        )),
        other => Ok(other),
    }
}

fn valid_format(format: &str) -> Result<String, AlertError> {
    match format {
        "generic" | "slack" | "teams" => Ok(format.to_owned()),
        _ => Err(invalid("format", "must be generic, slack or teams")),
    }
}

fn valid_events(events: &[String]) -> Result<Vec<String>, AlertError> {
    if events.is_empty() {
        return Err(invalid("events", "choose at least one event"));
    }
    if let Some(bad) = events.iter().find(|e| !ALERT_EVENTS.contains(&e.as_str())) {
        return Err(invalid(
            "events",
            format!(
                "`{bad}` is not an event; the events are {}",
                ALERT_EVENTS.join(", ")
            ),
        ));
    }
    let mut v = events.to_vec();
    v.sort();
    v.dedup();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_says_scheme_and_host_and_never_the_path_or_query() {
        assert_eq!(
            target("https://hooks.slack.com/services/T000/B000/XXXX?token=abc"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            target("http://receiver:8080/hook"),
            "http://receiver:8080/…"
        );
    }

    #[test]
    fn urls_secrets_formats_and_events_are_checked() {
        assert!(valid_url("ftp://x").is_err());
        assert!(valid_url("https://user:pw@x/").is_err());
        assert!(valid_url("https://x/hook").is_ok());
        assert!(valid_secret(Some("short".into())).is_err());
        assert!(valid_format("email").is_err());
        assert!(valid_events(&[]).is_err());
        assert!(valid_events(&["backup.exploded".into()]).is_err());
        assert_eq!(
            valid_events(&["backup.failed".into(), "backup.failed".into()]).unwrap(),
            ["backup.failed"]
        );
    }
}
