//! Fault injection: fault definitions and the set of active faults with use counters.

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with `status` and `body` instead of the real answer.
    Status,
    /// Never answer (the client must time out).
    Hang,
    /// The component stops listening: this and later requests get connection refused/reset.
    Refuse,
    /// HTTP 200 with a broken JSON body.
    MalformedJson,
    /// The request is carried out, then its answer is replaced by `status` and `body` (default
    /// 504): a proxy that timed out after forwarding it. The caller cannot tell it acted.
    LoseAnswer,
    /// Zeebe backup partition `partition` ends `FAILED` with `reason`.
    PartitionFailed,
    /// Zeebe backup partition `partition` stays `IN_PROGRESS` forever, as after a leader change
    /// (camunda/camunda#41200).
    PartitionStuck,
    /// Web-app/Optimize part `part` ends in `state` (`FAILED` or `PARTIAL`); the queue is cleared.
    PartFailed,
    /// Web-app/Optimize part `part` succeeds, then the queue stops without creating the rest:
    /// the backup stays `INCOMPLETE` for ever (camunda/camunda#22871, a failed ES call, pitfall 6).
    PartsStop,
    /// An Elasticsearch snapshot created through the ES API ends in `state` with failed shards.
    SnapshotFailed,
    /// Every take answers "Another backup is running at the moment" (pitfall 6).
    StuckQueue,
    /// The gateway sees an incomplete topology: pause/resume fail, take answers 502.
    IncompleteTopology,
}

impl FaultKind {
    /// Kinds handled generically at the HTTP layer (before the component logic).
    pub fn is_transport(self) -> bool {
        matches!(
            self,
            FaultKind::Status
                | FaultKind::Hang
                | FaultKind::Refuse
                | FaultKind::MalformedJson
                | FaultKind::LoseAnswer
        )
    }
}

fn any_operation() -> String {
    "*".into()
}

/// One fault, as written in the scenario TOML or posted to `POST /admin/faults`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// `zeebe`, `broker` (any broker), `broker0`.., `operate`, `tasklist`, `optimize`, `elasticsearch`, `*`.
    pub component: String,
    /// Operation name (see crate docs) or `*`.
    #[serde(default = "any_operation")]
    pub operation: String,
    /// What happens.
    pub kind: FaultKind,
    /// HTTP status for `status` faults (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response body for `status` faults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Content type for `status` faults (default `application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Number of uses before the fault disappears (absent = forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Partition for `partition_failed`/`partition_stuck` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<u32>,
    /// Part number for `part_failed` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    /// Final state for `part_failed`/`snapshot_failed`: `FAILED` (default) or `PARTIAL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Failure reason text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Snapshot name pattern for `snapshot_failed` (wildcards allowed; default any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

impl Fault {
    /// A fault of `kind` on every operation of `component`, forever.
    pub fn new(
        component: impl Into<String>,
        operation: impl Into<String>,
        kind: FaultKind,
    ) -> Self {
        Self {
            component: component.into(),
            operation: operation.into(),
            kind,
            status: None,
            body: None,
            content_type: None,
            times: None,
            partition: None,
            part: None,
            state: None,
            reason: None,
            snapshot: None,
        }
    }

    /// Builder: limit to `n` uses.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Builder: HTTP status and body of a `status` fault.
    pub fn with_status(mut self, status: u16, body: impl Into<String>) -> Self {
        self.status = Some(status);
        self.body = Some(body.into());
        self
    }

    /// Builder: partition of a `partition_failed`/`partition_stuck` fault.
    pub fn partition(mut self, p: u32) -> Self {
        self.partition = Some(p);
        self
    }

    /// Builder: part of a `part_failed` fault.
    pub fn part(mut self, p: u32) -> Self {
        self.part = Some(p);
        self
    }

    /// Builder: final state of a `part_failed`/`snapshot_failed` fault.
    pub fn state(mut self, s: impl Into<String>) -> Self {
        self.state = Some(s.into());
        self
    }

    /// Builder: failure reason.
    pub fn reason(mut self, r: impl Into<String>) -> Self {
        self.reason = Some(r.into());
        self
    }

    fn matches(&self, component: &str, operation: &str) -> bool {
        let component_ok = self.component == "*"
            || self.component == component
            || (self.component == "broker" && component.starts_with("broker"));
        component_ok && (self.operation == "*" || self.operation == operation)
    }
}

#[derive(Debug)]
struct ActiveFault {
    id: u64,
    fault: Fault,
    remaining: Option<u32>,
    used: u32,
}

/// Active faults with their remaining uses.
#[derive(Debug, Default)]
pub struct FaultSet {
    inner: Mutex<(u64, Vec<ActiveFault>)>,
}

impl FaultSet {
    /// Adds a fault and returns its id.
    pub fn add(&self, fault: Fault) -> u64 {
        let mut guard = lock(&self.inner);
        guard.0 += 1;
        let id = guard.0;
        let remaining = fault.times;
        guard.1.push(ActiveFault {
            id,
            fault,
            remaining,
            used: 0,
        });
        id
    }

    /// Removes every fault.
    pub fn clear(&self) {
        lock(&self.inner).1.clear();
    }

    /// Consumes one use of the first matching fault whose kind satisfies `kind_ok` and `extra`.
    pub fn take(
        &self,
        component: &str,
        operation: &str,
        kind_ok: impl Fn(FaultKind) -> bool,
        extra: impl Fn(&Fault) -> bool,
    ) -> Option<Fault> {
        let mut guard = lock(&self.inner);
        let list = &mut guard.1;
        let idx = list.iter().position(|a| {
            kind_ok(a.fault.kind)
                && a.remaining != Some(0)
                && a.fault.matches(component, operation)
                && extra(&a.fault)
        })?;
        let entry = &mut list[idx];
        entry.used += 1;
        if let Some(r) = entry.remaining.as_mut() {
            *r -= 1;
        }
        let fault = entry.fault.clone();
        if entry.remaining == Some(0) {
            list.remove(idx);
        }
        Some(fault)
    }

    /// Consumes one use of a matching fault of exactly `kind`.
    pub fn take_kind(&self, component: &str, operation: &str, kind: FaultKind) -> Option<Fault> {
        self.take(component, operation, |k| k == kind, |_| true)
    }

    /// JSON view of the active faults.
    pub fn snapshot(&self) -> serde_json::Value {
        let guard = lock(&self.inner);
        serde_json::Value::Array(
            guard
                .1
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "id": a.id,
                        "fault": a.fault,
                        "remaining": a.remaining,
                        "used": a.used,
                    })
                })
                .collect(),
        )
    }
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not wedge the simulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
