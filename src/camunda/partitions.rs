//! The one reader of the brokers' `/actuator/partitions` (§4.3): which broker leads each
//! partition and in which exporter phase. Pre-flight, pause and resume confirmation, the
//! watchdog and the overview all read exporting through [`ExportingView`], so they agree on
//! what "confirmed" means: every partition has a leader among the configured brokers and that
//! leader reports the phase. A partition whose leader is not among them is *unconfirmed*, never
//! confirmed.

use super::types::BrokerPartitions;
use super::{ClientError, ZeebeClient};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// One broker's answer.
#[derive(Debug)]
pub struct BrokerRead {
    pub url: String,
    pub elapsed: Duration,
    pub result: Result<BrokerPartitions, ClientError>,
}

/// A partition's leader as one of the configured brokers reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Leader {
    pub broker: String,
    pub phase: Option<String>,
    pub exported_position: Option<i64>,
}

/// What can be said about exporting after reading the brokers.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirmation {
    /// Every partition's leader reports a wanted phase.
    Confirmed,
    /// It could not be checked everywhere (no broker URLs, a broker away, a partition without a
    /// leader among the configured brokers); the words say why.
    Unconfirmed(String),
    /// A leader reports another phase.
    Differs(String),
}

/// The brokers' partitions, read once.
#[derive(Debug, Default)]
pub struct ExportingView {
    pub reads: Vec<BrokerRead>,
}

/// Said when no broker URL is configured.
pub const NO_BROKERS: &str = "no broker URLs are configured (cluster.zeebe_broker_management_urls), so the exporter phase of the partitions cannot be read";

impl ExportingView {
    /// Reads every configured broker concurrently.
    #[tracing::instrument(skip_all)]
    pub async fn read(zeebe: &ZeebeClient) -> Self {
        let reads = zeebe.brokers().iter().map(|broker| async move {
            let started = Instant::now();
            let result = zeebe.partitions(broker).await;
            BrokerRead {
                url: broker.base_url(),
                elapsed: started.elapsed(),
                result,
            }
        });
        Self {
            reads: futures::future::join_all(reads).await,
        }
    }

    pub fn brokers_configured(&self) -> bool {
        !self.reads.is_empty()
    }

    /// The brokers that did not answer, with the error.
    pub fn unreachable(&self) -> Vec<String> {
        self.reads
            .iter()
            .filter_map(|r| r.result.as_ref().err().map(|e| e.to_string()))
            .collect()
    }

    /// Every partition's leader found among the configured brokers.
    pub fn leaders(&self) -> BTreeMap<u32, Leader> {
        let mut leaders = BTreeMap::new();
        for read in &self.reads {
            let Ok(map) = &read.result else { continue };
            for (id, p) in map {
                let Ok(id) = id.parse::<u32>() else { continue };
                if p.role.as_deref() == Some("LEADER") {
                    leaders.insert(
                        id,
                        Leader {
                            broker: read.url.clone(),
                            phase: p.exporter_phase.clone(),
                            exported_position: p.exported_position,
                        },
                    );
                }
            }
        }
        leaders
    }

    /// Partitions known to exist (seen in any role, or `1..=expected`) without a leader among
    /// the configured brokers.
    pub fn without_leader(&self, expected_partitions: Option<u32>) -> Vec<u32> {
        let mut known: BTreeSet<u32> = (1..=expected_partitions.unwrap_or(0)).collect();
        for read in &self.reads {
            if let Ok(map) = &read.result {
                known.extend(map.keys().filter_map(|k| k.parse::<u32>().ok()));
            }
        }
        let leaders = self.leaders();
        known
            .into_iter()
            .filter(|id| !leaders.contains_key(id))
            .collect()
    }

    /// Leaders whose exporter is paused (hard or soft), with the phase.
    pub fn paused(&self) -> Vec<(u32, String, String)> {
        self.leaders()
            .into_iter()
            .filter_map(|(id, l)| match l.phase.as_deref() {
                Some(phase @ ("PAUSED" | "SOFT_PAUSED")) => Some((id, phase.to_owned(), l.broker)),
                _ => None,
            })
            .collect()
    }

    /// Whether every partition's leader reports one of `wanted`.
    pub fn confirm(&self, wanted: &[&str], expected_partitions: Option<u32>) -> Confirmation {
        if !self.brokers_configured() {
            return Confirmation::Unconfirmed(NO_BROKERS.into());
        }
        let leaders = self.leaders();
        for (id, leader) in &leaders {
            let phase = leader.phase.as_deref().unwrap_or("unknown");
            if !wanted.contains(&phase) {
                return Confirmation::Differs(format!(
                    "partition {id} (leader {}) is {phase}",
                    leader.broker
                ));
            }
        }
        let mut gaps = Vec::new();
        let missing = self.without_leader(expected_partitions);
        if !missing.is_empty() {
            gaps.push(format!(
                "partition(s) {} have no leader among the configured brokers",
                missing
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        gaps.extend(self.unreachable());
        if leaders.is_empty() && gaps.is_empty() {
            gaps.push("no broker reported a leader partition".into());
        }
        if gaps.is_empty() {
            Confirmation::Confirmed
        } else {
            Confirmation::Unconfirmed(gaps.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camunda::types::PartitionStatus;

    fn status(role: &str, phase: Option<&str>) -> PartitionStatus {
        serde_json::from_value(serde_json::json!({"role": role, "exporterPhase": phase}))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn view(brokers: &[&[(u32, &str, Option<&str>)]]) -> ExportingView {
        ExportingView {
            reads: brokers
                .iter()
                .enumerate()
                .map(|(i, parts)| BrokerRead {
                    url: format!("http://zeebe-{i}:9600"),
                    elapsed: Duration::ZERO,
                    result: Ok(parts
                        .iter()
                        .map(|(id, role, phase)| (id.to_string(), status(role, *phase)))
                        .collect()),
                })
                .collect(),
        }
    }

    #[test]
    fn every_leader_in_the_phase_is_confirmed() {
        let v = view(&[
            &[(1, "LEADER", Some("SOFT_PAUSED")), (2, "FOLLOWER", None)],
            &[(2, "LEADER", Some("SOFT_PAUSED")), (1, "FOLLOWER", None)],
        ]);
        assert_eq!(
            v.confirm(&["SOFT_PAUSED"], Some(2)),
            Confirmation::Confirmed
        );
        assert_eq!(v.paused().len(), 2);
    }

    #[test]
    fn a_partition_whose_leader_is_not_configured_is_unconfirmed_never_confirmed() {
        // Only broker 0 is configured; it follows partition 2, whose leader is elsewhere.
        let v = view(&[&[(1, "LEADER", Some("EXPORTING")), (2, "FOLLOWER", None)]]);
        assert!(matches!(
            v.confirm(&["EXPORTING"], None),
            Confirmation::Unconfirmed(why) if why.contains("partition(s) 2")
        ));
        // Partition 3 is hosted by no configured broker at all: known from the partition count.
        let v = view(&[&[
            (1, "LEADER", Some("EXPORTING")),
            (2, "LEADER", Some("EXPORTING")),
        ]]);
        assert!(matches!(
            v.confirm(&["EXPORTING"], Some(3)),
            Confirmation::Unconfirmed(why) if why.contains("partition(s) 3")
        ));
    }

    #[test]
    fn a_leader_in_another_phase_differs_and_no_brokers_is_unconfirmed() {
        let v = view(&[&[(1, "LEADER", Some("PAUSED"))]]);
        assert!(matches!(
            v.confirm(&["SOFT_PAUSED"], Some(1)),
            Confirmation::Differs(why) if why.contains("PAUSED")
        ));
        assert_eq!(
            ExportingView::default().confirm(&["EXPORTING"], None),
            Confirmation::Unconfirmed(NO_BROKERS.into())
        );
    }
}
