//! Every fault class of the simulator on every call the backup procedure makes: whatever the
//! outcome, the run ends in a truthful terminal state, a failure names the component, and
//! exporting is running afterwards (never a hard pause over a soft one).
#![cfg(feature = "ssr")]

mod common;

use camunda_sim::{Fault, FaultKind};
use common::{assert_exporting, fast_sim, start};

/// (component, operation, the component's name as the console's errors spell it)
const CALLS: &[(&str, &str, &str)] = &[
    ("zeebe", "list_backups", "Zeebe"),
    ("zeebe", "take_backup", "Zeebe"),
    ("zeebe", "get_backup", "Zeebe"),
    ("zeebe", "pause", "xporting"),
    ("zeebe", "resume", "xporting"),
    ("broker", "partitions", "Zeebe broker"),
    ("operate", "list_backups", "Operate"),
    ("operate", "take_backup", "Operate"),
    ("operate", "get_backup", "Operate"),
    ("tasklist", "take_backup", "Tasklist"),
    ("tasklist", "get_backup", "Tasklist"),
    ("optimize", "take_backup", "Optimize"),
    ("optimize", "get_backup", "Optimize"),
    ("elasticsearch", "get_repository", "Elasticsearch"),
    ("elasticsearch", "create_snapshot", "Elasticsearch"),
    ("elasticsearch", "get_snapshot", "Elasticsearch"),
];

async fn one(component: &str, operation: &str, name: &str, fault: Fault) -> Result<(), String> {
    let console = start(fast_sim()).await;
    console.sim.control().add_fault(fault);
    let (status, body) = console.post_json("/api/v1/backups", "{}").await;
    let outcome = if status == 202 {
        let id = body["backupId"].as_i64().unwrap_or_default();
        let run = console.wait_terminal(id).await;
        match run["state"].as_str() {
            Some("completed") => Ok(()),
            Some("failed") => {
                let error = run["error"].as_str().unwrap_or_default();
                if error.contains(name) || error.contains("Pre-flight") {
                    Ok(())
                } else {
                    Err(format!(
                        "{component}.{operation}: error does not name {name}: {error}"
                    ))
                }
            }
            other => Err(format!("{component}.{operation}: ended {other:?}")),
        }
    } else if status == 503 {
        // The latest id could not be read (Zeebe list or ES snapshots): nothing started.
        Ok(())
    } else {
        Err(format!(
            "{component}.{operation}: start answered {status} {body}"
        ))
    };
    // Whatever happened, exporting runs now (a resume fault is retried until it succeeds).
    console.sim.control().clear_faults();
    assert_exporting(&console.sim).await;
    console.stop().await;
    outcome
}

async fn every_call_with(kind: FaultKind, configure: fn(Fault) -> Fault) {
    let cases = CALLS.iter().map(|(c, op, name)| {
        let fault = configure(Fault::new(*c, *op, kind));
        one(c, op, name, fault)
    });
    let failures: Vec<String> = futures::future::join_all(cases)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn an_http_500_on_any_call_ends_truthfully_with_exporting_running() {
    every_call_with(FaultKind::Status, |f| {
        f.with_status(500, r#"{"message":"injected failure"}"#)
            .times(3)
    })
    .await;
}

#[tokio::test]
async fn malformed_json_on_any_call_ends_truthfully_with_exporting_running() {
    every_call_with(FaultKind::MalformedJson, |f| f.times(2)).await;
}

#[tokio::test]
async fn a_hang_on_any_call_ends_truthfully_with_exporting_running() {
    every_call_with(FaultKind::Hang, |f| f.times(1)).await;
}
