//! Backup duration and size over time, as SVGs drawn by the app: one dot per set on the page
//! (oldest left), its height the run's duration (or the set's size in the repository); sets that
//! are not restorable are marked in red, and sets without a known value (taken by something
//! else; not sized yet) sit on the baseline as rings.

use crate::domain::BackupSetRow;
use crate::ui::clock::parse_ms;
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 160.0;
const PAD: f64 = 28.0;

/// What a chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// The console's run, start to end.
    Duration,
    /// Bytes of the set's Elasticsearch snapshots.
    Size,
}

impl Metric {
    fn of(self, r: &BackupSetRow) -> Option<u64> {
        match self {
            Self::Duration => r.duration_ms,
            Self::Size => r.size_bytes,
        }
    }

    fn words(self, v: u64) -> String {
        match self {
            Self::Duration => crate::ui::clock::short(v as f64),
            Self::Size => crate::ui::set::bytes(v),
        }
    }
}

/// One point of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub id: i64,
    pub at_ms: f64,
    pub value: Option<u64>,
    pub bad: bool,
}

/// The points of `rows`, oldest first, skipping sets without a time.
pub fn points(rows: &[BackupSetRow], metric: Metric) -> Vec<Point> {
    let mut p: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            Some(Point {
                id: r.backup_id.get(),
                at_ms: parse_ms(r.taken_at.as_deref()?)?,
                value: metric.of(r),
                bad: !r.restorable,
            })
        })
        .collect();
    p.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
    p
}

/// Where each point goes in the SVG: `(x, y)` in its coordinates.
pub fn layout(points: &[Point]) -> Vec<(f64, f64)> {
    let (first, last) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.at_ms, b.at_ms),
        _ => return Vec::new(),
    };
    let span = (last - first).max(1.0);
    let longest = points
        .iter()
        .filter_map(|p| p.value)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    points
        .iter()
        .map(|p| {
            let x = if points.len() == 1 {
                W / 2.0
            } else {
                PAD + (p.at_ms - first) / span * (W - 2.0 * PAD)
            };
            let y = H
                - PAD
                - p.value
                    .map_or(0.0, |d| d as f64 / longest * (H - 2.0 * PAD));
            (x, y)
        })
        .collect()
}

#[component]
pub fn DurationChart(rows: Vec<BackupSetRow>) -> impl IntoView {
    view! {
        <MetricChart rows=rows.clone() metric=Metric::Duration/>
        <MetricChart rows metric=Metric::Size/>
    }
}

#[component]
fn MetricChart(rows: Vec<BackupSetRow>, metric: Metric) -> impl IntoView {
    let points = points(&rows, metric);
    let known = points.iter().filter(|p| p.value.is_some()).count();
    if points.len() < 2 || (metric == Metric::Size && known < 2) {
        return ().into_any();
    }
    let at = layout(&points);
    let count = points.len();
    let largest = points.iter().filter_map(|p| p.value).max().unwrap_or(0);
    let line: String = points
        .iter()
        .zip(&at)
        .filter(|(p, _)| p.value.is_some())
        .map(|(_, (x, y))| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (label, caption) = match metric {
        Metric::Duration => (
            "Backup duration over time",
            format!(
                "Duration of each backup (longest {}); red: not restorable; rings: taken elsewhere, duration unknown",
                metric.words(largest)
            ),
        ),
        Metric::Size => (
            "Backup size over time",
            format!(
                "Size of each backup's Elasticsearch snapshots in the repository (largest {}); red: not restorable; rings: size not known yet",
                metric.words(largest)
            ),
        ),
    };
    let unknown = match metric {
        Metric::Duration => "duration unknown",
        Metric::Size => "size not known yet",
    };
    view! {
        <figure class="card chart" aria-label=label data-metric=format!("{metric:?}").to_lowercase()>
            <figcaption>{caption}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") width="100%" role="img" data-points=count>
                <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD class="axis"/>
                <polyline points=line class="trend"/>
                {points
                    .into_iter()
                    .zip(at)
                    .map(|(p, (x, y))| {
                        let class = match (p.bad, p.value.is_some()) {
                            (true, _) => "dot bad",
                            (false, true) => "dot ok",
                            (false, false) => "dot unknown",
                        };
                        let title = format!(
                            "{}: {}{}",
                            p.id,
                            p.value.map(|v| metric.words(v)).unwrap_or_else(|| unknown.into()),
                            if p.bad { ", not restorable" } else { "" }
                        );
                        view! {
                            <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" class=class data-backup-id=p.id>
                                <title>{title}</title>
                            </circle>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, at_ms: f64, d: Option<u64>) -> Point {
        Point {
            id,
            at_ms,
            value: d,
            bad: false,
        }
    }

    #[test]
    fn the_oldest_is_left_the_longest_is_highest_and_unknown_sits_on_the_baseline() {
        let pts = vec![
            p(1, 0.0, Some(1000)),
            p(2, 50.0, Some(4000)),
            p(3, 100.0, None),
        ];
        let at = layout(&pts);
        assert_eq!(at[0].0, PAD);
        assert_eq!(at[2].0, W - PAD);
        assert!(at[1].1 < at[0].1, "longer is higher");
        assert_eq!(at[1].1, PAD);
        assert_eq!(at[2].1, H - PAD);
    }
}
