use super::*;
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-15T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn set(id: i64, verdict: Verdict, hours_ago: i64) -> SetFacts {
    SetFacts {
        backup_id: id,
        verdict,
        taken_at: Some(now() - chrono::Duration::hours(hours_ago)),
        zeebe_own: false,
        pinned_by: None,
        under_restore: None,
        running: false,
    }
}

fn policy(keep_last: u32) -> RetentionPolicy {
    RetentionPolicy {
        enabled: true,
        keep_last,
        keep_days: 0,
        keep_daily: 0,
        keep_weekly: 0,
        keep_monthly: 0,
        delete_failed_after_days: Some(3),
    }
}

fn ids(d: &[RetentionDecision]) -> Vec<i64> {
    d.iter().map(|d| d.backup_id).collect()
}

fn reason(p: &RetentionPreview, id: i64) -> String {
    p.keep
        .iter()
        .chain(&p.delete)
        .find(|d| d.backup_id == id)
        .map(|d| d.reason.clone())
        .unwrap_or_default()
}

#[test]
fn the_never_delete_rules_and_the_keep_rules_as_a_table() {
    use Verdict::*;
    let mut sets = vec![
        set(11, InProgress, 0),
        set(10, Restorable, 1),
        set(9, Restorable, 24),
        set(8, Restorable, 48),
        set(7, Failed, 5 * 24),
        set(6, Failed, 24),
        set(5, Partial, 10 * 24),
        set(4, Restorable, 20 * 24),
        set(3, Unknown, 30 * 24),
        set(2, Restorable, 40 * 24),
        set(1, Restorable, 50 * 24),
    ];
    sets[7].pinned_by = Some("alice".into());
    sets[9].under_restore = Some(17);
    let p = decide(&sets, &policy(2), now(), 24);
    assert_eq!(ids(&p.delete), [1, 5, 7, 8], "{p:#?}");
    assert_eq!(ids(&p.keep), [11, 10, 9, 6, 4, 3, 2]);
    assert_eq!(p.held, None);
    assert_eq!(reason(&p, 11), "Being taken now.");
    assert_eq!(reason(&p, 10), "The newest restorable set: never deleted.");
    assert_eq!(
        reason(&p, 9),
        "Among the newest 2 restorable sets (keepLast)."
    );
    assert!(reason(&p, 6).starts_with("Failed, 1 days old: deleted after 3 days"));
    assert_eq!(reason(&p, 4), "Pinned (Keep) by alice.");
    assert!(reason(&p, 3).contains("cannot be judged"));
    assert!(reason(&p, 2).starts_with("Used by restore 17"));
    assert!(reason(&p, 8).starts_with("Restorable, 2 days old, and kept by no rule"));
    assert!(reason(&p, 7).starts_with("Failed, 5 days old"));
    assert!(reason(&p, 5).starts_with("Partial or orphaned, 10 days old"));
}

#[test]
fn nothing_is_deleted_while_the_newest_restorable_set_is_older_than_the_rpo() {
    let sets = [
        set(3, Verdict::Restorable, 30),
        set(2, Verdict::Restorable, 60),
        set(1, Verdict::Failed, 900),
    ];
    let p = decide(&sets, &policy(1), now(), 24);
    assert!(p.delete.is_empty(), "{p:#?}");
    assert!(p
        .held
        .as_deref()
        .unwrap_or_default()
        .contains("older than the RPO objective (24 h)"));
    // Within the objective, the same history is pruned.
    let p = decide(&sets, &policy(1), now(), 48);
    assert_eq!(ids(&p.delete), [1, 2]);
    // No restorable set at all: nothing is deleted either.
    let p = decide(&[set(1, Verdict::Failed, 900)], &policy(1), now(), 24);
    assert!(p.delete.is_empty());
    assert!(p.held.is_some());
}

#[test]
fn daily_weekly_and_monthly_keep_the_newest_of_each_period() {
    let mut p = policy(1);
    p.keep_daily = 3;
    // now is 12:00 on Monday 2026-06-15.
    let sets = [
        set(5, Verdict::Restorable, 1),  // today 11:00: newest
        set(4, Verdict::Restorable, 11), // today 01:00: not the newest of today
        set(3, Verdict::Restorable, 24), // yesterday
        set(2, Verdict::Restorable, 48), // two days ago
        set(1, Verdict::Restorable, 72), // three days ago: outside 3 days
    ];
    let d = decide(&sets, &p, now(), 24);
    assert_eq!(ids(&d.delete), [1, 4], "{d:#?}");
    assert_eq!(
        reason(&d, 3),
        "The newest restorable set of its day (keepDaily)."
    );
    p.keep_daily = 0;
    p.keep_weekly = 2;
    // Sunday the 14th is last week; Monday the 8th too; the 7th is two weeks ago.
    let sets = [
        set(4, Verdict::Restorable, 1),
        set(3, Verdict::Restorable, 24 + 12),
        set(2, Verdict::Restorable, 24 * 7 + 12),
        set(1, Verdict::Restorable, 24 * 8 + 12),
    ];
    let d = decide(&sets, &p, now(), 24);
    assert_eq!(ids(&d.delete), [1, 2], "{d:#?}");
    assert_eq!(
        reason(&d, 3),
        "The newest restorable set of its week (keepWeekly)."
    );
    p.keep_weekly = 0;
    p.keep_monthly = 2;
    let sets = [
        set(3, Verdict::Restorable, 1),
        set(2, Verdict::Restorable, 24 * 20), // 26 May
        set(1, Verdict::Restorable, 24 * 22), // 24 May
    ];
    let d = decide(&sets, &p, now(), 24);
    assert_eq!(ids(&d.delete), [1]);
    assert_eq!(
        reason(&d, 2),
        "The newest restorable set of its month (keepMonthly)."
    );
}

#[test]
fn zeebe_own_backups_are_left_to_zeebe_and_never_count_as_restorable_sets() {
    let mut own = set(1_780_000_000_000, Verdict::Restorable, 1);
    own.zeebe_own = true;
    let sets = [
        own,
        set(2, Verdict::Restorable, 5),
        set(1, Verdict::Restorable, 200),
    ];
    let d = decide(&sets, &policy(1), now(), 24);
    assert_eq!(ids(&d.delete), [1]);
    assert!(reason(&d, 1_780_000_000_000).starts_with("Zeebe's own backup"));
    assert_eq!(reason(&d, 2), "The newest restorable set: never deleted.");
}

fn verdict() -> impl Strategy<Value = Verdict> {
    prop_oneof![
        4 => Just(Verdict::Restorable),
        1 => Just(Verdict::Failed),
        1 => Just(Verdict::Partial),
        1 => Just(Verdict::InProgress),
        1 => Just(Verdict::Unknown),
    ]
}

fn history() -> impl Strategy<Value = Vec<SetFacts>> {
    prop::collection::vec(
        (
            verdict(),
            0i64..24 * 400,
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.05),
            prop::bool::weighted(0.05),
            prop::bool::weighted(0.05),
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(
                |(i, (v, hours, pinned, restore, running, own, no_time))| SetFacts {
                    backup_id: i as i64 + 1,
                    verdict: v,
                    taken_at: (!no_time).then(|| now() - chrono::Duration::hours(hours)),
                    zeebe_own: own,
                    pinned_by: pinned.then(|| "admin".into()),
                    under_restore: restore.then_some(99),
                    running,
                },
            )
            .collect()
    })
}

fn any_policy() -> impl Strategy<Value = RetentionPolicy> {
    (
        1u32..6,
        0u32..10,
        0u32..8,
        0u32..5,
        0u32..4,
        prop::option::of(0u32..30),
    )
        .prop_map(
            |(keep_last, keep_days, keep_daily, keep_weekly, keep_monthly, failed)| {
                RetentionPolicy {
                    enabled: true,
                    keep_last,
                    keep_days,
                    keep_daily,
                    keep_weekly,
                    keep_monthly,
                    delete_failed_after_days: failed,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_policy_deletes_a_protected_set(sets in history(), p in any_policy(), rpo in 1u64..200) {
        let d = decide(&sets, &p, now(), rpo);
        let deleted: HashSet<i64> = d.delete.iter().map(|x| x.backup_id).collect();
        let kept: HashSet<i64> = d.keep.iter().map(|x| x.backup_id).collect();
        // Every set is decided once.
        prop_assert_eq!(deleted.len() + kept.len(), sets.len());
        prop_assert!(deleted.is_disjoint(&kept));
        let newest = sets
            .iter()
            .filter(|s| s.verdict == Verdict::Restorable && !s.zeebe_own)
            .map(|s| s.backup_id)
            .max();
        for s in &sets {
            if deleted.contains(&s.backup_id) {
                prop_assert!(Some(s.backup_id) != newest, "deleted the newest restorable set");
                prop_assert!(s.pinned_by.is_none(), "deleted a pinned set");
                prop_assert!(s.under_restore.is_none(), "deleted a set under restore");
                prop_assert!(!s.running && s.verdict != Verdict::InProgress, "deleted a set in progress");
                prop_assert!(!s.zeebe_own, "deleted Zeebe's own backup");
                prop_assert!(s.verdict != Verdict::Unknown, "deleted a set it cannot judge");
                prop_assert!(s.taken_at.is_some(), "deleted a set of unknown age");
            }
        }
        // Beyond the RPO objective (or with no restorable set), nothing is deleted.
        let newest_age = newest
            .and_then(|id| sets.iter().find(|s| s.backup_id == id))
            .and_then(|s| s.taken_at)
            .map(|t| now() - t);
        if newest_age.is_none_or(|a| a > chrono::Duration::hours(rpo as i64)) {
            prop_assert!(deleted.is_empty());
        }
        // The newest keepLast restorable sets are kept.
        let mut restorable: Vec<i64> = sets
            .iter()
            .filter(|s| s.verdict == Verdict::Restorable && !s.zeebe_own)
            .map(|s| s.backup_id)
            .collect();
        restorable.sort_unstable_by(|a, b| b.cmp(a));
        for id in restorable.iter().take(p.keep_last as usize) {
            prop_assert!(!deleted.contains(id));
        }
        // Deletions come oldest first.
        let order: Vec<i64> = d.delete.iter().map(|x| x.backup_id).collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        prop_assert_eq!(order, sorted);
    }
}
