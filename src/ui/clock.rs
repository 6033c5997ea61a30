//! Wall-clock time in milliseconds, on the server and in the browser.

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 time.
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    #[cfg(feature = "hydrate")]
    {
        let ms = js_sys::Date::parse(rfc3339);
        (!ms.is_nan()).then_some(ms)
    }
    #[cfg(all(not(feature = "hydrate"), feature = "ssr"))]
    {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .ok()
            .map(|t| t.timestamp_millis() as f64)
    }
    #[cfg(all(not(feature = "hydrate"), not(feature = "ssr")))]
    {
        let _ = rfc3339;
        None
    }
}

/// `mm:ss` (or `h:mm:ss`) of a duration in milliseconds.
pub fn mm_ss(ms: f64) -> String {
    let total = (ms.max(0.0) / 1000.0).floor() as u64;
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// A short human duration: `850 ms`, `12.3 s`, `4:05`.
pub fn short(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{} ms", ms.max(0.0).round())
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        mm_ss(ms)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_are_formatted_for_people() {
        assert_eq!(super::mm_ss(65_000.0), "01:05");
        assert_eq!(super::mm_ss(3_725_000.0), "1:02:05");
        assert_eq!(super::short(850.0), "850 ms");
        assert_eq!(super::short(12_345.0), "12.3 s");
    }
}
