//! 8.10's in-cluster restore, driven by the console (docs/camunda-api-8.8-8.10.md §3.4): the
//! cluster enters recovery mode before any index is deleted; after the snapshots are restored,
//! a dry run validates the backup, `POST /v2/restore` restores every partition on every broker,
//! and `GET /v2/restore` is followed until the change ends; that change itself switches every
//! broker back to `PROCESSING`. The change id is journaled, so a restart follows the same
//! restore instead of asking for another.

use super::{failed, Halt, Runner};
use crate::camunda::{ChangeState, ClientError, Mode, RecoveryClient};
use crate::domain::{RestoreStepKey, RestoreStepState};
use std::time::Instant;

impl Runner {
    /// Whether this restore follows 8.10's in-cluster runbook.
    pub(super) fn in_cluster(&self) -> bool {
        crate::profile::profile(self.view().profile).in_cluster_restore
    }

    fn recovery_client(&self) -> Result<RecoveryClient, Halt> {
        self.clients.recovery().ok_or_else(|| {
            failed(
                "The in-cluster restore needs the orchestration cluster's REST API, and cluster.orchestration_rest_url is not configured",
                "Configure cluster.orchestration_rest_url and [cluster.rest_auth], restart the console, then retry the restore.",
            )
        })
    }

    /// `PATCH /v2/mode?mode=RECOVERING`, then waits until the change completed on every broker.
    pub(super) async fn enter_recovery(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::EnterRecovery;
        // Recovery mode stops all processing: from here on the restore is not cancelled.
        if !self.signals.enter_destructive() {
            return Err(Halt::Cancelled);
        }
        self.begin(key, RestoreStepState::Running).await?;
        let rc = self.recovery_client()?;
        let change = rc.set_mode(Mode::Recovering, false).await.map_err(|e| {
            failed(
                format!("Switching the cluster to recovery mode failed: {e}"),
                "Fix what the message names, then retry the restore: nothing was deleted yet.",
            )
        })?;
        self.detail(
            key,
            format!("Recovery mode requested (cluster change {change}); waiting for every broker"),
        )
        .await?;
        self.follow_change(key, &rc, &change).await?;
        self.complete(
            key,
            format!("Every broker is in recovery mode (cluster change {change}): processing is stopped, the brokers keep running"),
        )
        .await
    }

    /// Dry run, restore, and the progress until the change that carries it ends.
    pub(super) async fn restore_in_cluster(&mut self) -> Result<(), Halt> {
        let key = RestoreStepKey::RestoreZeebeInCluster;
        self.begin(key, RestoreStepState::Running).await?;
        let rc = self.recovery_client()?;
        let id = self.view().backup_id.get();
        let change = match self.view().progress.zeebe_change.clone() {
            Some(change) => change,
            None => self.request_restore(key, &rc, id).await?,
        };
        let mut last_answer = Instant::now();
        loop {
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            match rc.progress().await {
                Ok(Some(p)) if matches!(p.status.as_str(), "FAILED" | "CANCELLED") => {
                    return Err(failed(
                        format!("The cluster's restore of backup {id} ended {}: {}", p.status, p.words()),
                        format!("The cluster stays in recovery mode. Check the brokers' logs; when the cause is fixed, retry the restore: it asks for the restore of backup {id} again. Never switch the cluster back to PROCESSING while partitions are only partly restored."),
                    ));
                }
                Ok(Some(p)) => {
                    last_answer = Instant::now();
                    self.progress(key, p.words()).await?;
                }
                // Nothing in flight: the change has ended (or not started yet).
                Ok(None) => match rc.change(&change).await {
                    Ok(ChangeState::Completed) => break,
                    Ok(ChangeState::Ended(status)) => {
                        return Err(failed(
                            format!("The cluster change {change} of the restore ended {status}"),
                            "The cluster stays in recovery mode. Check the brokers' logs, then retry the restore.",
                        ));
                    }
                    Ok(ChangeState::Pending) => last_answer = Instant::now(),
                    Err(e) => self.unavailable(key, e, last_answer)?,
                },
                Err(e) => self.unavailable(key, e, last_answer)?,
            }
            self.sleep().await;
        }
        self.complete(
            key,
            format!("Every partition is restored from backup {id} (cluster change {change}); the same change switched every broker back to PROCESSING"),
        )
        .await
    }

    /// The dry run, then the restore; journals the change id before following it.
    async fn request_restore(
        &mut self,
        key: RestoreStepKey,
        rc: &RecoveryClient,
        id: i64,
    ) -> Result<String, Halt> {
        // A restore asked for before a restart is followed, not asked for again.
        let in_flight = rc.progress().await.map_err(|e| {
            failed(
                format!("Could not read the cluster's restore status: {e}"),
                self.retry_words("the REST API answers"),
            )
        })?;
        let change = match in_flight.and_then(|p| p.change_id) {
            Some(change) => change,
            None => {
                rc.dry_run(id).await.map_err(|e| {
                    failed(
                        format!("The cluster's dry run refused the restore of backup {id}: {e}"),
                        "The cluster stays in recovery mode and Zeebe's data is untouched. Fix what the message names (a backup missing for a partition, a broker not in recovery mode), then retry the restore.",
                    )
                })?;
                self.detail(
                    key,
                    format!("Dry run passed: the cluster found a completed backup {id} for every partition"),
                )
                .await?;
                rc.start(id).await.map_err(|e| {
                    failed(
                        format!("The cluster refused the restore of backup {id}: {e}"),
                        "The cluster stays in recovery mode. Fix what the message names, then retry the restore.",
                    )
                })?
            }
        };
        let words = format!("Restore requested (cluster change {change})");
        let journaled = change.clone();
        self.journal
            .commit(Some(key), words, |v| {
                v.progress.zeebe_change = Some(journaled);
            })
            .await?;
        Ok(change)
    }

    /// Waits until cluster change `change` completed.
    async fn follow_change(
        &mut self,
        key: RestoreStepKey,
        rc: &RecoveryClient,
        change: &str,
    ) -> Result<(), Halt> {
        let mut last_answer = Instant::now();
        loop {
            if let Some(h) = self.halted(false) {
                return Err(h);
            }
            match rc.change(change).await {
                Ok(ChangeState::Completed) => return Ok(()),
                Ok(ChangeState::Ended(status)) => {
                    return Err(failed(
                        format!("The cluster change {change} ended {status}"),
                        "Check the brokers' logs (GET /actuator/cluster shows the change), then retry the restore.",
                    ))
                }
                Ok(ChangeState::Pending) => last_answer = Instant::now(),
                Err(e) => self.unavailable(key, e, last_answer)?,
            }
            self.sleep().await;
        }
    }

    /// A transient error is waited out within the error budget (counted from the last answer);
    /// anything else fails the step.
    fn unavailable(
        &self,
        key: RestoreStepKey,
        e: ClientError,
        last_answer: Instant,
    ) -> Result<(), Halt> {
        if e.is_retryable() && last_answer.elapsed() < self.pace.unavailable_budget {
            tracing::warn!(step = key.as_str(), error = %e, "transient error; looking again");
            return Ok(());
        }
        Err(failed(
            format!("{}: {e}", self.label(key)),
            self.retry_words("the orchestration cluster answers"),
        ))
    }
}
