//! A page of the history: newest first, filtered by verdict and date range, cut at an opaque
//! cursor (the last id shown), with the summary over every set.

use crate::domain::{BackupSetRow, HistoryPage, HistorySummary, Verdict};
use std::borrow::Borrow;

/// Largest page.
pub const MAX_LIMIT: usize = 500;
/// Page size when none is given.
pub const DEFAULT_LIMIT: usize = 50;

/// A checked `GET /api/v1/backups` query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryQuery {
    pub limit: usize,
    /// Only ids below this one (the previous page's last).
    pub cursor: Option<i64>,
    pub verdict: Option<Verdict>,
    /// `taken_at` bounds (RFC 3339), inclusive.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// A query parameter that is not acceptable, named.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    #[error("`limit` must be a whole number from 1 to {MAX_LIMIT}")]
    Limit,
    #[error("`cursor` is not one this API handed out")]
    Cursor,
    #[error("`verdict` must be one of restorable, in_progress, failed, partial, unknown")]
    Verdict,
    #[error("`{0}` must be a date-time like 2026-11-25T00:00:00Z")]
    Date(&'static str),
}

impl HistoryQuery {
    pub fn parse(
        limit: Option<&str>,
        cursor: Option<&str>,
        verdict: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Self, QueryError> {
        let limit = match limit {
            None | Some("") => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or(QueryError::Limit)?,
        };
        let cursor = match cursor {
            None | Some("") => None,
            Some(c) => Some(
                c.strip_prefix("id:")
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or(QueryError::Cursor)?,
            ),
        };
        let verdict = match verdict {
            None | Some("") => None,
            Some(v) => Some(Verdict::parse(v).ok_or(QueryError::Verdict)?),
        };
        let date = |key: &'static str, v: Option<&str>| match v {
            None | Some("") => Ok(None),
            Some(t) => chrono::DateTime::parse_from_rfc3339(t)
                .map(|d| Some(d.with_timezone(&chrono::Utc)))
                .map_err(|_| QueryError::Date(key)),
        };
        Ok(Self {
            limit,
            cursor,
            verdict,
            from: date("from", from)?,
            to: date("to", to)?,
        })
    }
}

/// Cuts `rows` (newest first) into the page `q` asks for; the summary covers every row.
pub fn page<R: Borrow<BackupSetRow>>(
    rows: &[R],
    q: &HistoryQuery,
    rpo_objective_hours: u64,
) -> HistoryPage {
    let mut summary = HistorySummary {
        total: rows.len(),
        rpo_objective_hours,
        ..HistorySummary::default()
    };
    for r in rows.iter().map(Borrow::borrow) {
        match r.verdict {
            Verdict::Restorable if summary.newest_restorable.is_none() => {
                summary.newest_restorable = Some(r.backup_id);
                summary.newest_restorable_at.clone_from(&r.taken_at);
            }
            Verdict::Failed => summary.failed += 1,
            Verdict::Partial => summary.partial += 1,
            Verdict::InProgress => summary.in_progress += 1,
            Verdict::Unknown => summary.unknown += 1,
            Verdict::Restorable => {}
        }
    }
    let taken = |r: &BackupSetRow| {
        r.taken_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|d| d.with_timezone(&chrono::Utc))
    };
    let mut matching = rows
        .iter()
        .map(Borrow::borrow)
        .filter(|r: &&BackupSetRow| q.cursor.is_none_or(|c| r.backup_id.get() < c))
        .filter(|r| q.verdict.is_none_or(|v| r.verdict == v))
        .filter(|r| q.from.is_none_or(|f| taken(r).is_some_and(|t| t >= f)))
        .filter(|r| q.to.is_none_or(|to| taken(r).is_some_and(|t| t <= to)));
    let items: Vec<BackupSetRow> = matching.by_ref().take(q.limit).cloned().collect();
    let next_cursor = (matching.next().is_some())
        .then(|| items.last().map(|r| format!("id:{}", r.backup_id)))
        .flatten();
    HistoryPage {
        items,
        next_cursor,
        summary,
        components_read_at: None,
        stale: None,
        runtime: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BackupId;
    use std::collections::BTreeMap;

    fn row(id: i64, verdict: Verdict, at: &str) -> BackupSetRow {
        BackupSetRow {
            backup_id: BackupId::new(id).unwrap_or_else(|| panic!("id")),
            state: None,
            restorable: verdict == Verdict::Restorable,
            verdict,
            reason: None,
            taken_at: Some(at.into()),
            duration_ms: None,
            started_by: None,
            components: BTreeMap::new(),
            size_bytes: None,
        }
    }

    #[test]
    fn pages_follow_the_cursor_and_filters_and_the_summary_covers_everything() {
        let rows = vec![
            row(5, Verdict::Failed, "2026-11-25T05:00:00.000Z"),
            row(4, Verdict::Restorable, "2026-11-25T04:00:00.000Z"),
            row(3, Verdict::Partial, "2026-11-25T03:00:00.000Z"),
            row(2, Verdict::Restorable, "2026-11-25T02:00:00.000Z"),
            row(1, Verdict::Restorable, "2026-11-25T01:00:00.000Z"),
        ];
        let q = HistoryQuery::parse(Some("2"), None, None, None, None).unwrap_or_default();
        let p1 = page(&rows, &q, 24);
        assert_eq!(
            p1.items
                .iter()
                .map(|r| r.backup_id.get())
                .collect::<Vec<_>>(),
            [5, 4]
        );
        assert_eq!(p1.next_cursor.as_deref(), Some("id:4"));
        assert_eq!(p1.summary.newest_restorable.map(BackupId::get), Some(4));
        assert_eq!(
            (p1.summary.failed, p1.summary.partial, p1.summary.total),
            (1, 1, 5)
        );
        let q = HistoryQuery::parse(Some("2"), p1.next_cursor.as_deref(), None, None, None)
            .unwrap_or_default();
        let p2 = page(&rows, &q, 24);
        assert_eq!(
            p2.items
                .iter()
                .map(|r| r.backup_id.get())
                .collect::<Vec<_>>(),
            [3, 2]
        );
        let q = HistoryQuery::parse(None, Some("id:2"), None, None, None).unwrap_or_default();
        assert_eq!(page(&rows, &q, 24).next_cursor, None);
        let q = HistoryQuery::parse(
            None,
            None,
            Some("restorable"),
            Some("2026-11-25T01:30:00Z"),
            None,
        )
        .unwrap_or_default();
        let ids: Vec<i64> = page(&rows, &q, 24)
            .items
            .iter()
            .map(|r| r.backup_id.get())
            .collect();
        assert_eq!(ids, [4, 2]);
    }

    #[test]
    fn bad_parameters_are_named() {
        assert_eq!(
            HistoryQuery::parse(Some("0"), None, None, None, None),
            Err(QueryError::Limit)
        );
        assert_eq!(
            HistoryQuery::parse(Some("9999"), None, None, None, None),
            Err(QueryError::Limit)
        );
        assert_eq!(
            HistoryQuery::parse(None, Some("12"), None, None, None),
            Err(QueryError::Cursor)
        );
        assert_eq!(
            HistoryQuery::parse(None, None, Some("ok"), None, None),
            Err(QueryError::Verdict)
        );
        assert_eq!(
            HistoryQuery::parse(None, None, None, Some("yesterday"), None),
            Err(QueryError::Date("from"))
        );
    }
}
