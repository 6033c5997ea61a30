//! Call log: every request to every simulated component, in arrival order, with its status.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::faults::lock;

/// One request received by a component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedCall {
    /// Arrival order, starting at 1.
    pub seq: u64,
    /// Arrival time (wall clock; serialized as RFC 3339 with sub-second digits).
    pub at: DateTime<Utc>,
    /// Component name (`zeebe`, `broker0`, `operate`, `tasklist`, `optimize`, `elasticsearch`).
    pub component: String,
    /// Operation name, as used for faults and latency (`take_backup`, `get_snapshot`, ..;
    /// `unknown` for unmatched routes).
    #[serde(default)]
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Request body (lossy UTF-8), if not empty.
    pub body: Option<String>,
    /// Response status; 0 while unanswered (e.g. a `hang` fault).
    pub status: u16,
}

/// Thread-safe call log.
#[derive(Debug, Default)]
pub struct CallLog {
    inner: Mutex<(u64, Vec<RecordedCall>)>,
}

impl CallLog {
    /// Records a request on arrival and returns its sequence number.
    pub fn begin(
        &self,
        component: &str,
        operation: &str,
        method: &str,
        path: &str,
        query: Option<String>,
        body: Option<String>,
    ) -> u64 {
        let mut guard = lock(&self.inner);
        guard.0 += 1;
        let seq = guard.0;
        guard.1.push(RecordedCall {
            seq,
            at: Utc::now(),
            component: component.to_string(),
            operation: operation.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            query,
            body,
            status: 0,
        });
        seq
    }

    /// Stores the response status of call `seq`.
    pub fn finish(&self, seq: u64, status: u16) {
        let mut guard = lock(&self.inner);
        if let Some(call) = guard.1.iter_mut().rev().find(|c| c.seq == seq) {
            call.status = status;
        }
    }

    /// All recorded calls in order.
    pub fn all(&self) -> Vec<RecordedCall> {
        lock(&self.inner).1.clone()
    }

    /// Number of calls to `component` (`broker` = any broker, `*` = any) and `operation` (`*` = any).
    pub fn count(&self, component: &str, operation: &str) -> usize {
        lock(&self.inner)
            .1
            .iter()
            .filter(|c| {
                (component == "*"
                    || c.component == component
                    || (component == "broker" && c.component.starts_with("broker")))
                    && (operation == "*" || c.operation == operation)
            })
            .count()
    }

    /// Forgets all calls (sequence numbers keep increasing).
    pub fn clear(&self) {
        lock(&self.inner).1.clear();
    }
}
