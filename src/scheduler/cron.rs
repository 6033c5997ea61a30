//! Cron expressions and their next times in an IANA time zone.
//!
//! Five fields (`minute hour day-of-month month day-of-week`), six with seconds first
//! (`*/10 * * * * *`), or `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly`
//! (`@annually`). A field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`, or a
//! list of those; months and weekdays also by name (`JAN`, `MON`); Sunday is 0 or 7; `?` stands
//! for `*` in the day fields. When both day fields are restricted, a day matching either runs
//! (as Vixie cron does).
//!
//! Daylight-saving changes: a local time that does not exist (the hour skipped in spring) runs
//! once, at the first valid minute after the gap; a local time that exists twice (the hour
//! repeated in autumn) runs once, at its first occurrence.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// A parsed cron expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    days_restricted: bool,
    weekdays_restricted: bool,
}

/// Why an expression is not a cron expression, in words naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CronError(pub String);

/// How far ahead a time is looked for: every day-of-month/weekday combination recurs within
/// 28 years, but one that has not come within 8 (29 February included) is refused as never.
const HORIZON_DAYS: i64 = 366 * 8;

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const SECOND: Field = Field {
    name: "second",
    min: 0,
    max: 59,
    names: &[],
};
const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
};
const WEEKDAY: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};

impl Cron {
    /// Parses `expr`.
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let expr = expr.trim();
        let expanded = match expr.to_ascii_lowercase().as_str() {
            "@hourly" => "0 * * * *",
            "@daily" | "@midnight" => "0 0 * * *",
            "@weekly" => "0 0 * * 0",
            "@monthly" => "0 0 1 * *",
            "@yearly" | "@annually" => "0 0 1 1 *",
            s if s.starts_with('@') => {
                return Err(CronError(format!(
                    "`{expr}` is not a cron shorthand; use @hourly, @daily, @weekly, @monthly or @yearly"
                )))
            }
            _ => expr,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let (second, rest) = match fields.len() {
            5 => ("0", &fields[..]),
            6 => (fields[0], &fields[1..]),
            n => {
                return Err(CronError(format!(
                    "`{expr}` has {n} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 with seconds first (`*/10 * * * * *`)"
                )))
            }
        };
        let (days, days_restricted) = parse_field(rest[2], &DAY)?;
        let (mut weekdays, weekdays_restricted) = parse_field(rest[4], &WEEKDAY)?;
        // Sunday is 0 and 7.
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & !(1 << 7);
        }
        Ok(Self {
            seconds: parse_field(second, &SECOND)?.0,
            minutes: parse_field(rest[0], &MINUTE)?.0,
            hours: parse_field(rest[1], &HOUR)?.0,
            days,
            months: parse_field(rest[3], &MONTH)?.0,
            weekdays,
            days_restricted,
            weekdays_restricted,
        })
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let day = self.days & (1 << date.day()) != 0;
        let weekday = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => day || weekday,
            (true, false) => day,
            (false, true) => weekday,
            (false, false) => true,
        }
    }

    /// The first time strictly after `after` at which the expression fires in `tz`.
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&tz).naive_local();
        let first = local.date();
        for offset in 0..=HORIZON_DAYS {
            let date = first + Duration::days(offset);
            if !self.day_matches(date) {
                continue;
            }
            let today = offset == 0;
            for h in bits(self.hours).filter(|&h| !today || h >= local.hour()) {
                let this_hour = today && h == local.hour();
                for m in bits(self.minutes).filter(|&m| !this_hour || m >= local.minute()) {
                    let this_minute = this_hour && m == local.minute();
                    for s in bits(self.seconds).filter(|&s| !this_minute || s >= local.second()) {
                        let naive = date.and_hms_opt(h, m, s)?;
                        let at = resolve(tz, naive)?;
                        if at > after {
                            return Some(at);
                        }
                    }
                }
            }
        }
        None
    }

    /// The next `n` times after `after`.
    pub fn next_times(&self, after: DateTime<Utc>, tz: Tz, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut at = after;
        while out.len() < n {
            match self.next_after(at, tz) {
                Some(next) => {
                    out.push(next);
                    at = next;
                }
                None => break,
            }
        }
        out
    }
}

/// The instant of local time `naive` in `tz`: the first of two (a repeated hour), or the first
/// valid minute after a skipped one.
fn resolve(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    let mut t = naive;
    // No zone skips more than a day.
    for _ in 0..=(24 * 60) {
        match tz.from_local_datetime(&t) {
            chrono::LocalResult::Single(x) | chrono::LocalResult::Ambiguous(x, _) => {
                return Some(x.with_timezone(&Utc))
            }
            chrono::LocalResult::None => t = t.with_second(0)? + Duration::minutes(1),
        }
    }
    None
}

/// The set bits of `mask`, ascending.
fn bits(mask: u64) -> impl Iterator<Item = u32> {
    (0..64u32).filter(move |b| mask & (1u64 << b) != 0)
}

/// One field: its mask, and whether it is restricted (not `*`/`?`).
fn parse_field(text: &str, f: &Field) -> Result<(u64, bool), CronError> {
    let bad = |why: String| CronError(format!("{} field `{text}`: {why}", capital(f.name)));
    let mut mask = 0u64;
    let mut restricted = true;
    for item in text.split(',') {
        if item.is_empty() {
            return Err(bad("an empty item in the list".into()));
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad(format!("the step `{s}` is not a positive number")))?;
                (r, Some(step))
            }
            None => (item, None),
        };
        let wild = range == "*" || (range == "?" && (f.name == DAY.name || f.name == WEEKDAY.name));
        let (lo, hi) = if wild {
            if step.is_none() && text.split(',').count() == 1 {
                restricted = false;
            }
            (f.min, if f.max == 7 { 6 } else { f.max })
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(a, f).map_err(&bad)?, value(b, f).map_err(&bad)?);
            if a > b {
                return Err(bad(format!(
                    "the range {a}-{b} runs backwards; write it as two items or in order"
                )));
            }
            (a, b)
        } else {
            let a = value(range, f).map_err(&bad)?;
            // `a/n`: from a to the field's end in steps of n.
            (a, if step.is_some() { f.max } else { a })
        };
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            mask |= 1 << v;
            v += step;
        }
    }
    Ok((mask, restricted))
}

fn value(text: &str, f: &Field) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = f.names.iter().position(|n| *n == upper) {
        return Ok(i as u32 + if f.names.len() == 12 { 1 } else { 0 });
    }
    match text.parse::<u32>() {
        Ok(v) if (f.min..=f.max).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{v} is outside {}-{}", f.min, f.max)),
        Err(_) => Err(format!(
            "`{text}` is not a number{}",
            if f.names.is_empty() {
                String::new()
            } else {
                format!(" or a name ({})", f.names.join(", "))
            }
        )),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Parses an IANA time-zone name, in words when it is not one.
pub fn time_zone(name: &str) -> Result<Tz, CronError> {
    name.parse::<Tz>().map_err(|_| {
        CronError(format!(
            "`{name}` is not an IANA time zone (such as UTC, Europe/Berlin, America/New_York)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn next(expr: &str, tz: &str, after: &str, n: usize) -> Vec<String> {
        Cron::parse(expr)
            .unwrap()
            .next_times(utc(after), time_zone(tz).unwrap(), n)
            .into_iter()
            .map(|t| t.to_rfc3339())
            .collect()
    }

    #[test]
    fn five_and_six_fields_and_shorthands() {
        assert_eq!(
            next("*/10 * * * * *", "UTC", "2026-01-01T00:00:05Z", 3),
            [
                "2026-01-01T00:00:10+00:00",
                "2026-01-01T00:00:20+00:00",
                "2026-01-01T00:00:30+00:00"
            ]
        );
        assert_eq!(
            next("30 2 * * *", "UTC", "2026-01-01T02:30:00Z", 2),
            ["2026-01-02T02:30:00+00:00", "2026-01-03T02:30:00+00:00"]
        );
        assert_eq!(
            next("@hourly", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2026-01-01T01:00:00+00:00"]
        );
        assert_eq!(
            next("@daily", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2026-01-02T00:00:00+00:00"]
        );
        // 2026-01-01 is a Thursday: @weekly is Sunday midnight.
        assert_eq!(
            next("@weekly", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2026-01-04T00:00:00+00:00"]
        );
        assert_eq!(
            next("0 9 * * MON-FRI", "UTC", "2026-01-02T10:00:00Z", 2),
            ["2026-01-05T09:00:00+00:00", "2026-01-06T09:00:00+00:00"]
        );
        assert_eq!(
            next("0 0 * * 7", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2026-01-04T00:00:00+00:00"]
        );
        // Both day fields restricted: either matches (the 13th, or a Friday).
        assert_eq!(
            next("0 0 13 * FRI", "UTC", "2026-01-08T00:00:00Z", 2),
            ["2026-01-09T00:00:00+00:00", "2026-01-13T00:00:00+00:00"]
        );
        assert_eq!(
            next("0 0 29 FEB *", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2028-02-29T00:00:00+00:00"]
        );
        assert_eq!(
            next("15 10 * * *", "Europe/Berlin", "2026-01-01T00:00:00Z", 1),
            ["2026-01-01T09:15:00+00:00"]
        );
    }

    #[test]
    fn refusals_name_the_field() {
        let err = |e: &str| Cron::parse(e).unwrap_err().0;
        assert!(err("* * *").contains("has 3 fields"), "{}", err("* * *"));
        assert!(err("61 * * * *").starts_with("Minute field `61`"));
        assert!(err("* 24 * * *").starts_with("Hour field"));
        assert!(err("* * 0 * *").starts_with("Day of month field"));
        assert!(err("* * * 13 *").starts_with("Month field"));
        assert!(err("* * * * 8").starts_with("Day of week field"));
        assert!(err("*/0 * * * *").contains("not a positive number"));
        assert!(err("5-1 * * * *").contains("backwards"));
        assert!(err("@sometimes").contains("shorthand"));
        assert!(err("x * * * *").contains("not a number"));
        assert!(time_zone("Mars/Olympus").unwrap_err().0.contains("IANA"));
        assert!(Cron::parse("0 0 31 2 *")
            .unwrap()
            .next_after(utc("2026-01-01T00:00:00Z"), Tz::UTC)
            .is_none());
    }

    #[test]
    fn a_skipped_local_time_runs_once_at_the_next_valid_minute() {
        // Europe/Berlin, 2026-03-29: 02:00 CET → 03:00 CEST (01:00 UTC).
        assert_eq!(
            next("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 3),
            [
                "2026-03-29T01:00:00+00:00", // 03:00 CEST, once
                "2026-03-30T00:30:00+00:00", // 02:30 CEST
                "2026-03-31T00:30:00+00:00",
            ]
        );
        // Every 10 minutes: the skipped hour's six times give one run at 03:00, then 03:10.
        assert_eq!(
            next("*/10 * * * *", "Europe/Berlin", "2026-03-29T00:45:00Z", 3),
            [
                "2026-03-29T00:50:00+00:00", // 01:50 CET
                "2026-03-29T01:00:00+00:00", // 03:00 CEST (02:00–02:50 do not exist)
                "2026-03-29T01:10:00+00:00", // 03:10 CEST
            ]
        );
    }

    #[test]
    fn a_repeated_local_time_runs_once() {
        // America/New_York, 2026-11-01: 02:00 EDT → 01:00 EST; 01:30 exists twice.
        assert_eq!(
            next("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2),
            [
                "2026-11-01T05:30:00+00:00", // 01:30 EDT, the first one
                "2026-11-02T06:30:00+00:00", // 01:30 EST the next day
            ]
        );
        // Hourly across the repeated hour: 01:00 once (EDT), then 02:00 EST.
        assert_eq!(
            next("0 * * * *", "America/New_York", "2026-11-01T04:30:00Z", 3),
            [
                "2026-11-01T05:00:00+00:00", // 01:00 EDT
                "2026-11-01T07:00:00+00:00", // 02:00 EST
                "2026-11-01T08:00:00+00:00",
            ]
        );
        // Asked from inside the second pass, the repeated time is not run again.
        assert_eq!(
            next("30 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", 1),
            ["2026-11-02T06:30:00+00:00"]
        );
    }
}
