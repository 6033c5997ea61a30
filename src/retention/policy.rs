//! The retention policy's decision, pure: which sets it deletes now and, for every set kept,
//! the rule that keeps it. Tested as a table and as a property over random histories.

use crate::domain::{RetentionDecision, RetentionPolicy, RetentionPreview, Verdict};
use chrono::{DateTime, Datelike, Utc};
use std::collections::HashSet;

/// What retention knows of one set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetFacts {
    pub backup_id: i64,
    pub verdict: Verdict,
    pub taken_at: Option<DateTime<Utc>>,
    /// Zeebe's own backup (8.9+ schedules): Zeebe's retention prunes it.
    pub zeebe_own: bool,
    /// Pinned by (Keep on the set page).
    pub pinned_by: Option<String>,
    /// The restore that uses it (running, or failed and retryable).
    pub under_restore: Option<i64>,
    /// A backup run is taking it now.
    pub running: bool,
}

/// What the policy does now, with `rpo_hours` as the objective. `sets` in any order.
pub fn decide(
    sets: &[SetFacts],
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
    rpo_hours: u64,
) -> RetentionPreview {
    let mut sets: Vec<&SetFacts> = sets.iter().collect();
    sets.sort_by_key(|s| std::cmp::Reverse(s.backup_id));
    let restorable: Vec<&SetFacts> = sets
        .iter()
        .copied()
        .filter(|s| s.verdict == Verdict::Restorable && !s.zeebe_own)
        .collect();
    let newest = restorable.first().map(|s| s.backup_id);
    let rpo = i64::try_from(rpo_hours)
        .ok()
        .and_then(chrono::Duration::try_hours)
        .unwrap_or(chrono::Duration::MAX);
    let held = match restorable.first() {
        None => Some("No restorable set exists: nothing is deleted until a backup succeeds.".to_owned()),
        Some(s) => match s.taken_at {
            Some(t) if now - t > rpo => Some(format!(
                "The newest restorable set ({}) is older than the RPO objective ({rpo_hours} h): nothing is deleted until a new backup succeeds.",
                s.backup_id
            )),
            None => Some(format!(
                "The newest restorable set ({}) has no known time, so its age against the RPO objective cannot be told: nothing is deleted.",
                s.backup_id
            )),
            Some(_) => None,
        },
    };
    let bucket_keepers = bucket_keepers(&restorable, policy, now);
    let mut keep = Vec::new();
    let mut delete = Vec::new();
    let mut rank = 0u32;
    for s in &sets {
        let id = s.backup_id;
        let age_days = s.taken_at.map(|t| (now - t).num_days());
        let is_restorable = s.verdict == Verdict::Restorable && !s.zeebe_own;
        if is_restorable {
            rank += 1;
        }
        let kept = |reason: String| RetentionDecision {
            backup_id: id,
            reason,
        };
        let decision: Result<String, String> = if s.running || s.verdict == Verdict::InProgress {
            Ok("Being taken now.".into())
        } else if let Some(r) = s.under_restore {
            Ok(format!(
                "Used by restore {r}: kept until that restore completes or another supersedes it."
            ))
        } else if let Some(by) = &s.pinned_by {
            Ok(format!("Pinned (Keep) by {by}."))
        } else if s.zeebe_own {
            Ok("Zeebe's own backup (8.9+ schedule): Zeebe's retention prunes it, not the console's.".into())
        } else if Some(id) == newest {
            Ok("The newest restorable set: never deleted.".into())
        } else if let Some(words) = &held {
            Ok(format!("Held: {words}"))
        } else if is_restorable {
            restorable_rule(s, rank, policy, &bucket_keepers, age_days)
        } else if s.verdict == Verdict::Unknown {
            Ok("A source did not answer at the last read: its state cannot be judged.".into())
        } else {
            failed_rule(s, policy, age_days)
        };
        match decision {
            Ok(reason) => keep.push(kept(reason)),
            Err(reason) => delete.push(kept(reason)),
        }
    }
    delete.reverse();
    RetentionPreview {
        delete,
        keep,
        held,
        unfinished: Vec::new(),
    }
}

/// A restorable set that is not the newest: kept by the first rule that applies.
fn restorable_rule(
    s: &SetFacts,
    rank: u32,
    p: &RetentionPolicy,
    buckets: &HashSet<(i64, &'static str)>,
    age_days: Option<i64>,
) -> Result<String, String> {
    if rank <= p.keep_last {
        return Ok(format!(
            "Among the newest {} restorable sets (keepLast).",
            p.keep_last
        ));
    }
    let Some(age) = age_days else {
        return Ok("Its time is unknown, so no age rule can delete it.".into());
    };
    if p.keep_days > 0 && age < i64::from(p.keep_days) {
        return Ok(format!("Younger than {} days (keepDays).", p.keep_days));
    }
    for (kind, words) in [
        ("daily", "The newest restorable set of its day (keepDaily)."),
        (
            "weekly",
            "The newest restorable set of its week (keepWeekly).",
        ),
        (
            "monthly",
            "The newest restorable set of its month (keepMonthly).",
        ),
    ] {
        if buckets.contains(&(s.backup_id, kind)) {
            return Ok(words.into());
        }
    }
    Err(format!(
        "Restorable, {age} days old, and kept by no rule (not among the newest {}, older than {} days, not the newest of a kept day, week or month).",
        p.keep_last, p.keep_days
    ))
}

fn failed_rule(s: &SetFacts, p: &RetentionPolicy, age_days: Option<i64>) -> Result<String, String> {
    let what = match s.verdict {
        Verdict::Failed => "Failed",
        _ => "Partial or orphaned",
    };
    match (p.delete_failed_after_days, age_days) {
        (None, _) => Ok(format!("{what}: kept (deleteFailedAfterDays is not set).")),
        (Some(_), None) => Ok(format!("{what}, of unknown age: kept.")),
        (Some(limit), Some(age)) if age > i64::from(limit) => Err(format!(
            "{what}, {age} days old (deleteFailedAfterDays = {limit})."
        )),
        (Some(limit), Some(age)) => Ok(format!(
            "{what}, {age} days old: deleted after {limit} days (deleteFailedAfterDays)."
        )),
    }
}

/// The newest restorable set of each of the last `keepDaily` days, `keepWeekly` ISO weeks and
/// `keepMonthly` months (UTC), as (id, kind).
fn bucket_keepers(
    restorable: &[&SetFacts],
    p: &RetentionPolicy,
    now: DateTime<Utc>,
) -> HashSet<(i64, &'static str)> {
    let today = now.date_naive();
    let week_of = |d: chrono::NaiveDate| {
        d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
    };
    let month_of = |d: chrono::NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let mut out = HashSet::new();
    let mut seen: HashSet<(&'static str, i64)> = HashSet::new();
    // Newest first: the first set met in a bucket is its newest.
    for s in restorable {
        let Some(t) = s.taken_at else { continue };
        let d = t.date_naive();
        let ago_days = (today - d).num_days();
        let ago_weeks = (week_of(today) - week_of(d)).num_days() / 7;
        let ago_months = month_of(today) - month_of(d);
        for (kind, ago, limit) in [
            ("daily", ago_days, p.keep_daily),
            ("weekly", ago_weeks, p.keep_weekly),
            ("monthly", ago_months, p.keep_monthly),
        ] {
            if ago >= 0 && ago < i64::from(limit) && seen.insert((kind, ago)) {
                out.insert((s.backup_id, kind));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
