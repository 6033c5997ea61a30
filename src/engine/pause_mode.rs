//! Soft or hard pause: soft pause (`?soft=true`, exporters keep writing but their position is
//! not advanced) exists from 8.5.1 (§4.1). It was back-ported to the 8.2–8.4 lines, but the
//! first patch releases that carry it are not known, and an older gateway silently ignores the
//! parameter (Spring drops unknown query parameters) and pauses hard. So: configured value if
//! given, else soft from 8.5.1 on, else hard — which every version supports.

/// The decision and the words that explain it (shown on the run).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PauseMode {
    pub soft: bool,
    pub why: String,
}

/// Decides from `cluster.soft_pause` (when set) and the gateway's `build.version`.
pub fn decide(configured: Option<bool>, gateway_version: Option<&str>) -> PauseMode {
    if let Some(soft) = configured {
        return PauseMode {
            soft,
            why: format!(
                "{} pause, as configured (cluster.soft_pause = {soft})",
                if soft { "soft" } else { "hard" }
            ),
        };
    }
    match gateway_version.and_then(parse) {
        Some(v) if v >= (8, 5, 1) => PauseMode {
            soft: true,
            why: format!("soft pause: the gateway runs {} (8.5.1+)", text(v)),
        },
        Some(v) => PauseMode {
            soft: false,
            why: format!(
                "hard pause: the gateway runs {}; soft pause is documented from 8.5.1 (its 8.2–8.4 back-ports are in patch releases not known here — set cluster.soft_pause = true if yours has it)",
                text(v)
            ),
        },
        None => PauseMode {
            soft: false,
            why: "hard pause: the gateway's version could not be read (/actuator/info not exposed); set cluster.soft_pause = true if it runs 8.5.1 or later".into(),
        },
    }
}

fn text((a, b, c): (u32, u32, u32)) -> String {
    format!("{a}.{b}.{c}")
}

/// `8.5.16`, `8.6.0-alpha1`, `8.7.3-SNAPSHOT` → (major, minor, patch).
fn parse(version: &str) -> Option<(u32, u32, u32)> {
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::decide;

    #[test]
    fn soft_pause_only_from_8_5_1_unless_configured() {
        assert!(decide(None, Some("8.5.1")).soft);
        assert!(decide(None, Some("8.7.3")).soft);
        assert!(decide(None, Some("8.6.0-alpha2")).soft);
        assert!(decide(None, Some("9.0.0")).soft);
        assert!(!decide(None, Some("8.5.0")).soft);
        assert!(!decide(None, Some("8.4.12")).soft);
        assert!(!decide(None, Some("8.2.30")).soft);
        assert!(!decide(None, None).soft);
        assert!(!decide(None, Some("garbage")).soft);
        assert!(decide(Some(true), Some("8.4.12")).soft);
        assert!(!decide(Some(false), Some("8.7.3")).soft);
        assert!(decide(None, None).why.contains("cluster.soft_pause"));
    }
}
