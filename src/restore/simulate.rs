//! The operator's side of a restore, on the embedded simulator only: what an operator does by
//! hand on a real cluster (stop or start the workloads; empty every broker's data directory
//! and run the restore application there), so the wizard can be walked end to end when the
//! console runs with no cluster configured. Never reachable for a real cluster.

use crate::domain::{RestoreStepKey, RestoreView};
use camunda_sim::{Component, SimControl};

/// The components an operator stops and starts.
const APPS: [Component; 5] = [
    Component::ZeebeGateway,
    Component::Broker,
    Component::Operate,
    Component::Tasklist,
    Component::Optimize,
];

/// Performs operator step `key` of `view` on the simulator; returns what was done, line by
/// line (the restore application's log for `restore_zeebe`).
pub async fn operator_step(
    sim: &SimControl,
    view: &RestoreView,
    key: &str,
) -> Result<Vec<String>, String> {
    let step = RestoreStepKey::parse(key).ok_or_else(|| format!("no operator step `{key}`"))?;
    // 8.10+ restores inside the running cluster: the operator stops and starts Optimize only.
    let apps: &[Component] = if crate::profile::profile(view.profile).in_cluster_restore {
        &[Component::Optimize]
    } else {
        &APPS
    };
    let mut out = Vec::new();
    match step {
        RestoreStepKey::StopApps => {
            for &c in apps {
                sim.stop_component(c)
                    .await
                    .map_err(|e| format!("stopping {c}: {e}"))?;
                out.push(format!("stopped {c}"));
            }
        }
        RestoreStepKey::StartApps => {
            for &c in apps {
                sim.start_component(c)
                    .await
                    .map_err(|e| format!("starting {c}: {e}"))?;
                out.push(format!("started {c}"));
            }
        }
        RestoreStepKey::RestoreZeebe => {
            let id = u64::try_from(view.backup_id.get()).map_err(|e| e.to_string())?;
            let brokers = if view.brokers.is_empty() {
                vec![0]
            } else {
                view.brokers.clone()
            };
            for b in brokers {
                let n = usize::try_from(b).map_err(|e| e.to_string())?;
                sim.clear_broker_data(n)
                    .map_err(|e| format!("emptying broker {b}'s data directory: {e}"))?;
                out.push(format!("broker {b}: data directory emptied"));
                let run = sim
                    .restore_broker(n, id, None)
                    .await
                    .map_err(|e| format!("broker {b}: {e}"))?;
                out.extend(run.log.iter().map(|l| format!("broker {b}: {l}")));
                if run.exit_code != 0 {
                    return Err(format!(
                        "broker {b}: the restore application exited with {}: {}",
                        run.exit_code,
                        run.log.join(" / ")
                    ));
                }
            }
        }
        _ => return Err(format!("`{key}` is done by the console, not the operator")),
    }
    Ok(out)
}
