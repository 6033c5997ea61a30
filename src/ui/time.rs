//! Formatting times for display.

/// `2026-11-25T13:51:42.123Z` → `13:51:42` (UTC); anything else is shown as it is.
pub fn clock(rfc3339: &str) -> String {
    rfc3339
        .split_once('T')
        .map(|(_, t)| t.chars().take(8).collect())
        .unwrap_or_else(|| rfc3339.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_shows_hours_minutes_seconds() {
        assert_eq!(super::clock("2026-11-25T13:51:42.123Z"), "13:51:42");
        assert_eq!(super::clock("soon"), "soon");
    }
}
