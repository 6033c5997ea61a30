//! Backup duration and size over time, as two compact SVG charts drawn by the app, below the
//! history table: one dot per set on the page (oldest left), its height the run's duration (or
//! the set's size in the repository), with a value axis in units and the first and last time on
//! the time axis. Sets that are not restorable are red; sets without a known value (taken by
//! something else; not sized yet) sit on the baseline as rings. Each dot tells its set and value
//! on hover and on keyboard focus.

use crate::domain::BackupSetRow;
use crate::ui::clock::parse_ms;
use leptos::prelude::*;

/// The drawing's size in SVG units: about its size on a phone, so that its text reads there.
const W: f64 = 360.0;
const H: f64 = 180.0;
/// Room for the value axis' labels (left), the time axis' labels (below) and the tips (above).
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 30.0;

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

    /// A value with its unit, as the tips say it.
    fn words(self, v: u64) -> String {
        match self {
            Self::Duration => crate::ui::clock::short(v as f64),
            Self::Size => crate::ui::set::bytes(v),
        }
    }

    /// A value with its unit, short, for the axis.
    fn axis(self, v: u64) -> String {
        match self {
            Self::Duration => duration_axis(v),
            Self::Size => crate::ui::set::bytes(v),
        }
    }
}

/// `0 s`, `850 ms`, `12 s`, `4.5 min`, `2.3 h`.
fn duration_axis(ms: u64) -> String {
    let ms = ms as f64;
    if ms == 0.0 {
        "0 s".into()
    } else if ms < 1_000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.0} s", ms / 1_000.0)
    } else if ms < 3_600_000.0 {
        format!("{:.1} min", ms / 60_000.0)
    } else {
        format!("{:.1} h", ms / 3_600_000.0)
    }
}

/// One point of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub id: i64,
    pub at_ms: f64,
    /// When the set was taken, as the history says it (UTC).
    pub taken: String,
    pub value: Option<u64>,
    pub bad: bool,
}

/// The points of `rows`, oldest first, skipping sets without a time.
pub fn points(rows: &[BackupSetRow], metric: Metric) -> Vec<Point> {
    let mut p: Vec<Point> = rows
        .iter()
        .filter_map(|r| {
            let taken = r.taken_at.as_deref()?;
            Some(Point {
                id: r.backup_id.get(),
                at_ms: parse_ms(taken)?,
                taken: taken.replace('T', " ").chars().take(16).collect(),
                value: metric.of(r),
                bad: !r.restorable,
            })
        })
        .collect();
    p.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
    p
}

/// The largest value (at least 1): the top of the value axis.
fn top(points: &[Point]) -> u64 {
    points
        .iter()
        .filter_map(|p| p.value)
        .max()
        .unwrap_or(1)
        .max(1)
}

/// Where each point goes in the SVG: `(x, y)` in its coordinates.
pub fn layout(points: &[Point]) -> Vec<(f64, f64)> {
    let (first, last) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.at_ms, b.at_ms),
        _ => return Vec::new(),
    };
    let span = (last - first).max(1.0);
    let top = top(points) as f64;
    points
        .iter()
        .map(|p| {
            let x = if points.len() == 1 {
                (LEFT + W - RIGHT) / 2.0
            } else {
                LEFT + (p.at_ms - first) / span * (W - LEFT - RIGHT)
            };
            let y = H - BOTTOM - p.value.map_or(0.0, |d| d as f64 / top * (H - TOP - BOTTOM));
            (x, y)
        })
        .collect()
}

#[component]
pub fn DurationChart(rows: Vec<BackupSetRow>) -> impl IntoView {
    view! {
        <div class="charts">
            <MetricChart rows=rows.clone() metric=Metric::Duration/>
            <MetricChart rows metric=Metric::Size/>
        </div>
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
    let top = top(&points);
    let line: String = points
        .iter()
        .zip(&at)
        .filter(|(p, _)| p.value.is_some())
        .map(|(_, (x, y))| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (label, caption, unknown) = match metric {
        Metric::Duration => (
            "Backup duration over time",
            "Duration of each backup (red: not restorable; rings: taken elsewhere, duration unknown)",
            "duration unknown",
        ),
        Metric::Size => (
            "Backup size over time",
            "Size of each backup's Elasticsearch snapshots in the repository (red: not restorable; rings: not sized yet)",
            "size not known yet",
        ),
    };
    let base = H - BOTTOM;
    // The value axis: 0, half and the top, in the metric's unit.
    let ticks = [0, top / 2, top].map(|v| {
        let y = base - v as f64 / top as f64 * (H - TOP - BOTTOM);
        view! {
            <line x1=LEFT - 4.0 y1=y x2=W - RIGHT y2=y class=if v == 0 { "axis" } else { "grid" }/>
            <text x=LEFT - 7.0 y=y + 4.0 class="tick" text-anchor="end">{metric.axis(v)}</text>
        }
    });
    let first = points.first().map(|p| p.taken.clone()).unwrap_or_default();
    let last = points.last().map(|p| p.taken.clone()).unwrap_or_default();
    view! {
        <figure class="card chart" aria-label=label data-metric=format!("{metric:?}").to_lowercase()>
            <figcaption>{caption}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") width="100%" role="group" aria-label=label data-points=count>
                {ticks.into_iter().collect_view()}
                <line x1=LEFT y1=TOP - 6.0 x2=LEFT y2=base class="axis"/>
                <text x=LEFT y=H - 8.0 class="tick" text-anchor="start">{first}</text>
                <text x=W - RIGHT y=H - 8.0 class="tick" text-anchor="end">{last}</text>
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
                        let tip = format!(
                            "{}: {}{}",
                            p.id,
                            p.value.map(|v| metric.words(v)).unwrap_or_else(|| unknown.into()),
                            if p.bad { ", not restorable" } else { "" }
                        );
                        // The tip stays inside the drawing, centred over its dot.
                        let tip_x = x.clamp(LEFT + 60.0, W - RIGHT - 60.0);
                        let aria = format!("Backup {tip} (taken {})", p.taken);
                        view! {
                            <g class="pt" tabindex="0" role="img" aria-label=aria>
                                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4.5" class=class data-backup-id=p.id>
                                    <title>{tip.clone()}</title>
                                </circle>
                                <text x=format!("{tip_x:.1}") y="14" class="tip" text-anchor="middle" data-tip=p.id>{tip}</text>
                            </g>
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
            taken: String::new(),
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
        assert_eq!(at[0].0, LEFT);
        assert_eq!(at[2].0, W - RIGHT);
        assert!(at[1].1 < at[0].1, "longer is higher");
        assert_eq!(at[1].1, TOP);
        assert_eq!(at[2].1, H - BOTTOM);
    }

    #[test]
    fn the_axis_says_durations_in_their_unit() {
        assert_eq!(duration_axis(0), "0 s");
        assert_eq!(duration_axis(850), "850 ms");
        assert_eq!(duration_axis(12_400), "12 s");
        assert_eq!(duration_axis(270_000), "4.5 min");
        assert_eq!(duration_axis(8_280_000), "2.3 h");
    }
}
