//! `GET /metrics`: the console's state in the Prometheus text format, built from what the
//! console already keeps (the journal, the history's reads, the probe, the schedules) at each
//! scrape — so counters and histograms survive restarts and every replica reports the same.
//! Encoded by `prometheus-client`.

use crate::domain::{ExportingState, RunState};
use crate::state::Console;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

type Labels = Vec<(String, String)>;
type FloatGauge = Gauge<f64, AtomicU64>;

/// Why the metrics could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("the console's database failed")]
    Store(#[from] crate::store::StoreError),
    #[error("the metrics could not be encoded")]
    Encode(#[from] std::fmt::Error),
}

fn seconds(t: &str) -> Option<f64> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&Utc).timestamp_millis() as f64 / 1000.0)
}

fn between(from: &str, to: &str) -> Option<f64> {
    Some((seconds(to)? - seconds(from)?).max(0.0))
}

fn later(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Seconds: 1 s … ~9 h.
fn duration_buckets() -> impl Iterator<Item = f64> {
    [
        1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 14400.0, 32400.0,
    ]
    .into_iter()
}

/// The pause window: 0.1 s … 30 min.
fn pause_buckets() -> impl Iterator<Item = f64> {
    [
        0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0,
    ]
    .into_iter()
}

/// The text exposition of the console's metrics now.
#[tracing::instrument(skip_all)]
pub async fn render(console: &Console) -> Result<String, MetricsError> {
    let mut registry = Registry::with_prefix("camunda_backup");
    let now = console.clock.now();
    let now_s = now.timestamp_millis() as f64 / 1000.0;
    let store = console.engine.store();
    let briefs = store.brief_map().await?;

    let runs: Family<Labels, Counter> = Family::default();
    let run_duration = Histogram::new(duration_buckets());
    let paused = Histogram::new(pause_buckets());
    let mut last_success: Option<f64> = None;
    for run in briefs.values() {
        let outcome = match run.state {
            RunState::Running => continue,
            s => s.as_str(),
        };
        let trigger = if run
            .started_by
            .as_deref()
            .is_some_and(|b| b.starts_with("schedule "))
        {
            "schedule"
        } else {
            "manual"
        };
        runs.get_or_create(&vec![
            ("outcome".into(), outcome.into()),
            ("trigger".into(), trigger.into()),
        ])
        .inc();
        if let Some(d) = run
            .finished_at
            .as_deref()
            .and_then(|f| between(&run.created_at, f))
        {
            run_duration.observe(d);
        }
        if let Some(ms) = run.pause_ms {
            paused.observe(ms as f64 / 1000.0);
        }
        if run.state == RunState::Completed {
            let at = run.finished_at.as_deref().and_then(seconds);
            last_success = later(last_success, at);
        }
    }
    registry.register(
        "runs",
        "Backup runs of this console that ended, by outcome and trigger (manual or schedule)",
        runs,
    );
    registry.register_with_unit(
        "run_duration",
        "How long the console's backup runs took, start to end",
        Unit::Seconds,
        run_duration,
    );
    registry.register_with_unit(
        "exporting_paused",
        "How long each run kept Zeebe's exporting paused (the pause window)",
        Unit::Seconds,
        paused,
    );

    let view = console.history.view(store).await?;
    let newest = view
        .rows
        .iter()
        .find(|r| r.restorable && r.started_by.as_deref() != Some(crate::history::ZEEBE_OWN));
    if let Some(taken) = newest.and_then(|r| r.taken_at.as_deref()).and_then(seconds) {
        last_success = later(last_success, Some(taken));
        let age = FloatGauge::default();
        age.set((now_s - taken).max(0.0));
        registry.register_with_unit(
            "newest_restorable_age",
            "Age of the newest restorable backup set (compare with the RPO objective)",
            Unit::Seconds,
            age,
        );
    }
    let rpo = FloatGauge::default();
    rpo.set(console.settings.rpo_objective_hours as f64 * 3600.0);
    registry.register_with_unit(
        "rpo_objective",
        "The RPO objective: the newest restorable set should be younger than this",
        Unit::Seconds,
        rpo,
    );
    if let Some(t) = last_success {
        let g = FloatGauge::default();
        g.set(t);
        registry.register(
            "last_success_timestamp_seconds",
            "When the last successful backup ended (a run of this console, or the newest restorable set)",
            g,
        );
    }

    let overview = console.overview.get().await;
    if let Some(o) = &overview {
        let exporting: Gauge = Gauge::default();
        exporting.set(match o.zeebe.exporting {
            ExportingState::Paused | ExportingState::SoftPaused | ExportingState::Mixed => 1,
            ExportingState::Exporting => 0,
            ExportingState::Unknown => -1,
        });
        registry.register(
            "exporting_paused",
            "Zeebe's exporting as the last probe saw it, inside or outside a run: 1 paused (hard, soft or on some partitions), 0 exporting, -1 unknown",
            exporting,
        );
        let up: Family<Labels, Gauge> = Family::default();
        // Several brokers: up only when every one answered.
        let mut by_kind: std::collections::BTreeMap<String, bool> = Default::default();
        for c in &o.components {
            let key = format!("{:?}", c.kind).to_lowercase();
            let all = by_kind.entry(key).or_insert(true);
            *all = *all && c.answering;
        }
        for (component, answering) in by_kind {
            up.get_or_create(&vec![("component".into(), component)])
                .set(i64::from(answering));
        }
        registry.register(
            "component_up",
            "Whether each component answered the last probe (1) or not (0)",
            up,
        );
    }

    let next: Family<Labels, FloatGauge> = Family::default();
    for (name, at) in console.scheduler.next_fires().await? {
        next.get_or_create(&vec![("schedule".into(), name)])
            .set(at.timestamp() as f64);
    }
    registry.register(
        "schedule_next_run_timestamp_seconds",
        "When each enabled schedule fires next",
        next,
    );

    let deleted: Counter = Counter::default();
    deleted.inc_by(store.retention_deleted_total(&console.cluster.name).await?);
    registry.register(
        "retention_deleted",
        "Backup sets the retention policy deleted in full",
        deleted,
    );

    let restore_duration = Histogram::new(duration_buckets());
    for r in store.restores().await? {
        if let Some(d) = r
            .finished_at
            .as_deref()
            .and_then(|f| between(&r.started_at, f))
        {
            restore_duration.observe(d);
        }
    }
    registry.register_with_unit(
        "restore_duration",
        "How long the console's restores took, start to end",
        Unit::Seconds,
        restore_duration,
    );

    let mut out = String::new();
    encode(&mut out, &registry)?;
    Ok(out)
}
