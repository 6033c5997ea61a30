//! The history table: one row per backup set with a cell per part, the verdict in words, and
//! the figures an on-call admin looks for first — the newest restorable backup and its age,
//! red once it is older than the recovery-point objective.

use crate::domain::{BackupSetRow, HistoryPage, HistorySummary, PartKey, PartState, RunState};
use crate::ui::clock::{now_ms, parse_ms};
use leptos::prelude::*;

/// The parts shown as columns, in the order of the procedure.
const PARTS: [PartKey; 6] = [
    PartKey::Optimize,
    PartKey::Operate,
    PartKey::Tasklist,
    PartKey::WebApps,
    PartKey::ZeebeRecords,
    PartKey::Zeebe,
];

fn age_words(ms: f64) -> String {
    let minutes = (ms / 60_000.0).floor().max(0.0) as u64;
    match minutes {
        0 => "less than a minute".into(),
        m if m < 120 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h", m / 60),
        m => format!("{} days", m / (24 * 60)),
    }
}

#[component]
pub fn Summary(summary: HistorySummary, stale: Option<String>) -> impl IntoView {
    let objective_ms = summary.rpo_objective_hours as f64 * 3_600_000.0;
    let newest = summary.newest_restorable.map(|id| -> AnyView {
        let age = summary
            .newest_restorable_at
            .as_deref()
            .and_then(parse_ms)
            .map(|t| now_ms() - t);
        let late = age.is_none_or(|a| a > objective_ms);
        view! {
            <p class=if late { "rpo late" } else { "rpo ok" } data-newest-restorable=id.get()>
                "Newest restorable backup: " <a href=format!("/backups/{id}")>{id.get()}</a> ", "
                <strong>{age.map(age_words).unwrap_or_else(|| "age unknown".into())}</strong> " old"
                {late.then(|| format!(" — older than the {} h objective", summary.rpo_objective_hours))}
            </p>
        }
        .into_any()
    });
    view! {
        <section class="card summary" aria-label="Backup health">
            {newest.unwrap_or_else(|| view! {
                <p class="rpo late" data-newest-restorable="none">"No restorable backup exists."</p>
            }.into_any())}
            <p class="muted">
                {format!(
                    "{} sets: {} failed, {} partial, {} in progress, {} unknown.",
                    summary.total, summary.failed, summary.partial, summary.in_progress, summary.unknown
                )}
            </p>
            {stale.map(|s| view! { <p class="notice">{s}</p> })}
        </section>
    }
}

fn cell_class(state: PartState) -> &'static str {
    match state {
        PartState::Completed => "cell ok",
        PartState::InProgress => "cell warn",
        PartState::Unknown => "cell unknown",
        PartState::Missing | PartState::Incomplete | PartState::Failed => "cell bad",
    }
}

fn run_state(state: Option<RunState>) -> &'static str {
    state.map_or("—", RunState::as_str)
}

#[component]
pub fn History(page: HistoryPage) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <p class="muted">"No backup exists in the cluster yet."</p> }.into_any();
    }
    // A column for each part some row has (8.2–8.7: Operate and Tasklist; 8.8+: the web apps
    // together; Optimize and the records snapshot when the cluster has them).
    let parts: Vec<PartKey> = PARTS
        .into_iter()
        .filter(|p| {
            page.items
                .iter()
                .any(|r| r.components.contains_key(p.as_str()))
        })
        .collect();
    let head = parts.clone();
    view! {
        <div class="table-scroll">
            <table class="history" aria-label="Backup history">
                <thead>
                    <tr>
                        <th>"Backup id"</th>
                        <th>"Taken (UTC)"</th>
                        <th>"Verdict"</th>
                        {head.into_iter().map(|p| view! { <th class="part">{p.label()}</th> }).collect_view()}
                        <th>"Console run"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.items.into_iter().map(|r| view! { <Row row=r parts=parts.clone()/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {page.next_cursor.map(|c| view! {
            <p><a href=format!("/backups?cursor={c}")>"Older backups →"</a></p>
        })}
    }
    .into_any()
}

#[component]
fn Row(row: BackupSetRow, parts: Vec<PartKey>) -> impl IntoView {
    let id = row.backup_id.get();
    let taken = row
        .taken_at
        .as_deref()
        .map(|t| t.replace('T', " ").chars().take(19).collect::<String>())
        .unwrap_or_default();
    view! {
        <tr data-backup-id=id data-verdict=row.verdict.as_str()>
            <th scope="row"><a href=format!("/backups/{id}")>{id}</a></th>
            <td data-label="Taken (UTC)">{taken}</td>
            <td data-label="Verdict">
                {if row.restorable {
                    view! { <span class="pill ok" data-restorable="true">"Restorable"</span> }.into_any()
                } else {
                    view! {
                        <span class="pill bad" data-restorable="false">{row.verdict.as_str().replace('_', " ")}</span>
                        <div class="reason">{row.reason.clone().unwrap_or_default()}</div>
                    }
                    .into_any()
                }}
            </td>
            {parts
                .into_iter()
                .map(|p| {
                    let cell = row.components.get(p.as_str()).cloned();
                    match cell {
                        Some(c) => view! {
                            <td class=cell_class(c.state) data-part=p.as_str() data-label=p.label() title=c.detail.clone().unwrap_or_default()>
                                {c.state.as_str()}
                            </td>
                        }
                        .into_any(),
                        None => view! { <td data-part=p.as_str() data-label=p.label()>"—"</td> }.into_any(),
                    }
                })
                .collect_view()}
            <td data-label="Console run"><span class=format!("run-state {}", run_state(row.state))>{run_state(row.state)}</span></td>
        </tr>
    }
}
