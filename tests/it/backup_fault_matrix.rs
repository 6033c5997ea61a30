//! Every fault class of the simulator on every call the backup procedure makes, each with its
//! expected outcome: a transient fault (HTTP 500, a body that is not JSON, a hang) is retried
//! within the error budget and the backup completes; a definitive one (HTTP 400) fails the run
//! naming the component, or — on the calls made before a run exists — refuses the start with
//! 503. Whatever the outcome, exporting is running afterwards and never hard-paused over soft.

use crate::common;

use camunda_sim::{Fault, FaultKind};
use common::{assert_exporting, fast_sim, start_adjusted};
use std::time::Duration;

/// What a faulty call must lead to.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Completed,
    /// The run failed; its error contains these words (the component's name).
    FailedNaming(&'static str),
    /// Nothing started: the latest backup id could not be read.
    NotStarted,
}

use Outcome::*;

/// (component, operation, outcome of a transient fault, outcome of a definitive 400)
const CALLS: &[(&str, &str, Outcome, Outcome)] = &[
    ("zeebe", "list_backups", NotStarted, NotStarted),
    ("zeebe", "take_backup", Completed, FailedNaming("Zeebe")),
    ("zeebe", "get_backup", Completed, FailedNaming("Zeebe")),
    (
        "zeebe",
        "pause",
        Completed,
        FailedNaming("Pausing exporting"),
    ),
    // A resume is retried on any error, definitive or not.
    ("zeebe", "resume", Completed, Completed),
    // A broker that cannot be read is retried within the budget, whatever it answered.
    ("broker", "partitions", Completed, Completed),
    (
        "operate",
        "list_backups",
        Completed,
        FailedNaming("Operate"),
    ),
    ("operate", "take_backup", Completed, FailedNaming("Operate")),
    ("operate", "get_backup", Completed, FailedNaming("Operate")),
    (
        "tasklist",
        "take_backup",
        Completed,
        FailedNaming("Tasklist"),
    ),
    (
        "tasklist",
        "get_backup",
        Completed,
        FailedNaming("Tasklist"),
    ),
    (
        "optimize",
        "take_backup",
        Completed,
        FailedNaming("Optimize"),
    ),
    (
        "optimize",
        "get_backup",
        Completed,
        FailedNaming("Optimize"),
    ),
    (
        "elasticsearch",
        "get_repository",
        Completed,
        FailedNaming("Elasticsearch"),
    ),
    (
        "elasticsearch",
        "cat_indices",
        Completed,
        FailedNaming("Elasticsearch"),
    ),
    (
        "elasticsearch",
        "create_snapshot",
        Completed,
        FailedNaming("Elasticsearch"),
    ),
    (
        "elasticsearch",
        "snapshot_status",
        Completed,
        FailedNaming("Elasticsearch"),
    ),
    ("elasticsearch", "get_snapshot", NotStarted, NotStarted),
];

async fn one(
    component: &str,
    operation: &str,
    fault: Fault,
    expected: Outcome,
) -> Result<(), String> {
    let console = start_adjusted(fast_sim(), |s| {
        s.timeouts.records_snapshot = Duration::from_secs(15);
        // The overview's prober and the watchdog read the same endpoints: let them run once
        // at start-up, then stay out of the way, so the fault meets the backup's own call.
        s.probe_interval = Duration::from_secs(3600);
        // The history's refresher lists Zeebe's backups too: a one-time fault on that list
        // must meet the start's read, not a refresh (seen: a hang consumed by the refresher).
        s.history_refresh = Duration::from_secs(3600);
    })
    .await;
    common::eventually("the first probe", Duration::from_secs(10), || async {
        let (status, _) = console.get_json("/api/v1/cluster").await;
        (status == 200).then_some(())
    })
    .await;
    common::eventually(
        "the history's first read",
        Duration::from_secs(10),
        || async {
            let (_, page) = console.get_json("/api/v1/backups").await;
            (!page["componentsReadAt"].is_null()).then_some(())
        },
    )
    .await;
    console.sim.control().clear_calls();
    console.sim.control().add_fault(fault);
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    let got = if status == 202 {
        let id = body["backupId"].as_i64().unwrap_or_default();
        let run = console.wait_terminal(id).await;
        match (run["state"].as_str(), expected) {
            (Some("completed"), Completed) => Ok(()),
            (Some("failed"), FailedNaming(words)) => {
                let error = run["error"].as_str().unwrap_or_default();
                if error.contains(words) {
                    Ok(())
                } else {
                    Err(format!("error does not name {words:?}: {error}"))
                }
            }
            (state, _) => Err(format!(
                "ended {state:?}, expected {expected:?}: {}",
                run["error"]
            )),
        }
    } else if status == 503 && expected == NotStarted {
        Ok(())
    } else {
        Err(format!(
            "start answered {status} {body}, expected {expected:?}"
        ))
    };
    // The faulty call was made (so the fault was hit, not skipped).
    let made = console.sim.control().count_calls(component, operation);
    let got = got.and_then(|()| {
        (made > 0)
            .then_some(())
            .ok_or_else(|| "the call was never made".to_owned())
    });
    // Whatever happened, exporting runs now.
    console.sim.control().clear_faults();
    assert_exporting(&console.sim).await;
    console.stop().await;
    got.map_err(|e| format!("{component}.{operation}: {e}"))
}

async fn every_call_with(transient: bool, fault_for: fn(&str, &str) -> Fault) {
    let cases = CALLS.iter().map(|(c, op, on_transient, on_definitive)| {
        let expected = if transient {
            *on_transient
        } else {
            *on_definitive
        };
        one(c, op, fault_for(c, op), expected)
    });
    let failures: Vec<String> = futures::future::join_all(cases)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn an_http_500_on_any_call_is_retried_and_the_backup_completes() {
    every_call_with(true, |c, op| {
        Fault::new(c, op, FaultKind::Status)
            .with_status(500, r#"{"message":"injected failure"}"#)
            .times(3)
    })
    .await;
}

#[tokio::test]
async fn malformed_json_on_any_call_is_retried_and_the_backup_completes() {
    every_call_with(true, |c, op| {
        Fault::new(c, op, FaultKind::MalformedJson).times(2)
    })
    .await;
}

#[tokio::test]
async fn a_hang_on_any_call_is_retried_and_the_backup_completes() {
    every_call_with(true, |c, op| Fault::new(c, op, FaultKind::Hang).times(1)).await;
}

#[tokio::test]
async fn a_definitive_http_400_on_any_call_fails_the_run_naming_the_component() {
    every_call_with(false, |c, op| {
        Fault::new(c, op, FaultKind::Status)
            .with_status(400, r#"{"message":"injected refusal"}"#)
            .times(1)
    })
    .await;
}
