//! Whether each component runs — what the operator steps wait for. A refused connection, a
//! timeout, or a gateway's 502/503/504 without a Spring actuator body (an ingress with no pod
//! behind it) is *stopped*; any other answer means the process runs; a 2xx health answer means
//! it is *up*. Elasticsearch is not watched: it stays up throughout.

use crate::camunda::{CamundaClients, ManagementClient};
use reqwest::Method;

/// What one look at a component saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Nothing answers (or only a proxy with nothing behind it).
    Stopped,
    /// The process answers but is not healthy (yet).
    Running,
    /// Its health endpoint answers 2xx.
    Up,
}

/// One look at every component.
#[derive(Clone, Debug, Default)]
pub struct Answering {
    /// `(name and URL, presence, part of Zeebe)`, Zeebe first.
    pub components: Vec<(String, Presence, bool)>,
}

impl Answering {
    /// Names of the components whose process answers (running or up).
    pub fn up(&self) -> Vec<String> {
        self.names(|p, _| p != Presence::Stopped)
    }

    /// Names of the components that are not up (stopped, or running but not healthy).
    pub fn down(&self) -> Vec<String> {
        self.names(|p, _| p != Presence::Up)
    }

    /// Optimize, when its process answers.
    pub fn optimize_up(&self) -> Vec<String> {
        self.up()
            .into_iter()
            .filter(|n| n.starts_with("Optimize"))
            .collect()
    }

    /// Zeebe's gateway and brokers whose process answers.
    pub fn zeebe_up(&self) -> Vec<String> {
        self.names(|p, zeebe| zeebe && p != Presence::Stopped)
    }

    fn names(&self, keep: impl Fn(Presence, bool) -> bool) -> Vec<String> {
        self.components
            .iter()
            .filter(|(_, p, z)| keep(*p, *z))
            .map(|(n, _, _)| n.clone())
            .collect()
    }
}

/// Judges one health answer (status and body).
pub fn presence(status: Option<u16>, body: &str) -> Presence {
    let Some(status) = status else {
        return Presence::Stopped;
    };
    let actuator = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("status").is_some());
    match status {
        200..=299 => Presence::Up,
        502..=504 if !actuator => Presence::Stopped,
        _ => Presence::Running,
    }
}

async fn look(client: &ManagementClient) -> Presence {
    match client
        .call_within(
            Method::GET,
            "/actuator/health",
            None,
            Some(std::time::Duration::from_secs(3)),
        )
        .await
    {
        Ok(answer) => presence(Some(answer.status.as_u16()), &answer.body),
        Err(e) if e.component_answered() => {
            presence(e.status(), e.component_message().unwrap_or_default())
        }
        Err(_) => Presence::Stopped,
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
            .map(|((name, _, zeebe), p)| (name, p, zeebe))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_without_backend_is_stopped_and_a_down_actuator_is_running() {
        assert_eq!(presence(None, ""), Presence::Stopped);
        assert_eq!(
            presence(Some(503), "<html>Service Unavailable</html>"),
            Presence::Stopped
        );
        assert_eq!(presence(Some(502), ""), Presence::Stopped);
        assert_eq!(
            presence(Some(503), r#"{"status":"DOWN"}"#),
            Presence::Running
        );
        assert_eq!(presence(Some(401), ""), Presence::Running);
        assert_eq!(presence(Some(404), ""), Presence::Running);
        assert_eq!(presence(Some(200), r#"{"status":"UP"}"#), Presence::Up);
    }
}
