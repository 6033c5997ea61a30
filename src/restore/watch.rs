//! Whether each component runs — what the operator steps and the deletion guards wait for.
//! *Stopped* is only what proves it: a refused connection, a name that no longer resolves (a
//! StatefulSet pod scaled away), or a gateway's 502/503/504 without a Spring actuator body (an
//! ingress with no pod behind it). A timeout, a TLS error, a reset or any other failure is
//! *unknown*: a process in a long GC pause answers late but still writes to its indices, so
//! the restore keeps waiting and says what it saw and since when. Any answer means the process
//! runs; a 2xx health answer means it is *up*. Elasticsearch is not watched: it stays up.

use crate::camunda::{CamundaClients, ClientError, ManagementClient};
use reqwest::Method;
use std::collections::HashMap;

/// What one look at a component saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Proven not running: connection refused, a name gone, or a proxy with nothing behind it.
    Stopped,
    /// Neither proven stopped nor answering (a timeout, a TLS failure, a reset).
    Unknown,
    /// The process answers but is not healthy (yet).
    Running,
    /// Its health endpoint answers 2xx.
    Up,
}

/// One component as seen by one look.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Its name and URL.
    pub name: String,
    pub presence: Presence,
    /// Part of Zeebe (the gateway or a broker).
    pub zeebe: bool,
    /// For [`Presence::Unknown`]: what was seen, and since when (set by [`Answering::since`]).
    pub what: Option<String>,
}

impl Seen {
    /// The name, with what was seen when unknown.
    fn described(&self) -> String {
        match &self.what {
            Some(what) => format!("{} (not known to be stopped: {what})", self.name),
            None => self.name.clone(),
        }
    }
}

/// One look at every component.
#[derive(Clone, Debug, Default)]
pub struct Answering {
    /// Zeebe first.
    pub components: Vec<Seen>,
}

impl Answering {
    /// The components not proven stopped (running, up or unknown), described.
    pub fn up(&self) -> Vec<String> {
        self.names(|s| s.presence != Presence::Stopped)
    }

    /// The components that are not up (stopped, unknown, or running but not healthy).
    pub fn down(&self) -> Vec<String> {
        self.names(|s| s.presence != Presence::Up)
    }

    /// Optimize, when not proven stopped.
    pub fn optimize_up(&self) -> Vec<String> {
        self.names(|s| s.name.starts_with("Optimize") && s.presence != Presence::Stopped)
    }

    /// Zeebe's gateway and brokers not proven stopped.
    pub fn zeebe_up(&self) -> Vec<String> {
        self.names(|s| s.zeebe && s.presence != Presence::Stopped)
    }

    fn names(&self, keep: impl Fn(&Seen) -> bool) -> Vec<String> {
        self.components
            .iter()
            .filter(|s| keep(s))
            .map(Seen::described)
            .collect()
    }

    /// Adds since when each unknown component has been unknown, from `since` (name → first
    /// time seen unknown), which is kept up to date: a component seen otherwise leaves it.
    pub fn since(mut self, since: &mut HashMap<String, String>, now: &str) -> Self {
        since.retain(|name, _| {
            self.components
                .iter()
                .any(|s| &s.name == name && s.presence == Presence::Unknown)
        });
        for s in &mut self.components {
            if s.presence == Presence::Unknown {
                let first = since
                    .entry(s.name.clone())
                    .or_insert_with(|| now.to_owned());
                if let Some(what) = &mut s.what {
                    what.push_str(&format!(", since {first}"));
                }
            }
        }
        self
    }
}

/// Judges one health answer (status and body).
pub fn presence(status: u16, body: &str) -> Presence {
    let actuator = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("status").is_some());
    match status {
        200..=299 => Presence::Up,
        502..=504 if !actuator => Presence::Stopped,
        _ => Presence::Running,
    }
}

/// Judges a health call that got no HTTP answer: stopped only when that is proven.
pub fn presence_of_error(e: &ClientError) -> (Presence, Option<String>) {
    if e.is_connection_refused() {
        return (Presence::Stopped, None);
    }
    if e.is_name_gone() {
        return (Presence::Stopped, None);
    }
    let what = match e {
        ClientError::Timeout { timeout, .. } => format!(
            "no answer within {:.1} s — a process in a long pause answers late",
            timeout.as_secs_f32()
        ),
        ClientError::Tls { problem, .. } => format!("the TLS connection failed ({problem})"),
        other => format!("the health call failed ({other})"),
    };
    (Presence::Unknown, Some(what))
}

async fn look(client: &ManagementClient) -> (Presence, Option<String>) {
    match client
        .call_within(
            Method::GET,
            "/actuator/health",
            None,
            Some(std::time::Duration::from_secs(3)),
        )
        .await
    {
        Ok(answer) => (presence(answer.status.as_u16(), &answer.body), None),
        Err(e) if e.component_answered() => (
            presence(
                e.status().unwrap_or(500),
                e.component_message().unwrap_or_default(),
            ),
            None,
        ),
        Err(e) => presence_of_error(&e),
    }
}

/// Looks at every component once, concurrently.
#[tracing::instrument(skip_all)]
pub async fn answering(clients: &CamundaClients) -> Answering {
    let mut targets: Vec<(String, &ManagementClient, bool)> = vec![(
        format!("Zeebe gateway ({})", clients.zeebe.gateway().base_url()),
        clients.zeebe.gateway(),
        true,
    )];
    for (i, b) in clients.zeebe.brokers().iter().enumerate() {
        targets.push((format!("Zeebe broker {i} ({})", b.base_url()), b, true));
    }
    targets.push((
        format!("Operate ({})", clients.operate.management().base_url()),
        clients.operate.management(),
        false,
    ));
    targets.push((
        format!("Tasklist ({})", clients.tasklist.management().base_url()),
        clients.tasklist.management(),
        false,
    ));
    if let Some(o) = &clients.optimize {
        targets.push((
            format!("Optimize ({})", o.management().base_url()),
            o.management(),
            false,
        ));
    }
    let results = futures::future::join_all(targets.iter().map(|(_, c, _)| look(c))).await;
    Answering {
        components: targets
            .into_iter()
            .zip(results)
            .map(|((name, _, zeebe), (presence, what))| Seen {
                name,
                presence,
                zeebe,
                what,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ComponentKind;
    use std::time::Duration;

    #[test]
    fn a_proxy_without_backend_is_stopped_and_a_down_actuator_is_running() {
        assert_eq!(
            presence(503, "<html>Service Unavailable</html>"),
            Presence::Stopped
        );
        assert_eq!(presence(502, ""), Presence::Stopped);
        assert_eq!(presence(503, r#"{"status":"DOWN"}"#), Presence::Running);
        assert_eq!(presence(401, ""), Presence::Running);
        assert_eq!(presence(404, ""), Presence::Running);
        assert_eq!(presence(200, r#"{"status":"UP"}"#), Presence::Up);
    }

    #[test]
    fn a_timeout_is_unknown_never_stopped() {
        let e = ClientError::Timeout {
            component: ComponentKind::Operate,
            url: "http://operate:9600/actuator/health".into(),
            timeout: Duration::from_secs(3),
        };
        let (p, what) = presence_of_error(&e);
        assert_eq!(p, Presence::Unknown);
        assert!(what.unwrap_or_default().contains("3.0 s"));
    }

    #[test]
    fn an_unknown_component_is_named_with_what_was_seen_and_since_when() {
        let look = |presence| Answering {
            components: vec![Seen {
                name: "Operate (http://operate:9600)".into(),
                presence,
                zeebe: false,
                what: (presence == Presence::Unknown).then(|| "no answer within 3.0 s".into()),
            }],
        };
        let mut since = HashMap::new();
        let first = look(Presence::Unknown).since(&mut since, "2026-12-05T10:00:00Z");
        let later = look(Presence::Unknown).since(&mut since, "2026-12-05T10:00:05Z");
        let up = later.up();
        assert_eq!(up.len(), 1);
        assert!(up[0].contains("Operate") && up[0].contains("no answer within 3.0 s"));
        assert!(up[0].contains("since 2026-12-05T10:00:00Z"), "{}", up[0]);
        assert_eq!(first.up().len(), 1);
        // Seen stopped: it leaves the table, and the next unknown counts afresh.
        assert!(look(Presence::Stopped)
            .since(&mut since, "2026-12-05T10:00:09Z")
            .up()
            .is_empty());
        assert!(since.is_empty());
    }
}
