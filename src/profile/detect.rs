//! Choosing the profile: `[cluster] camunda_version` when set, else the minor of the
//! orchestration cluster's (Zeebe gateway's) version from `/actuator/info`, else Operate's or
//! Tasklist's; components on another minor are named. Without any version the 8.2–8.7 profile
//! is assumed, and the overview says so.

use super::{for_minor, profile, PROFILES};
use crate::domain::{DetectedProfile, ProfileId};

/// The versions the components reported (`build.version` of `/actuator/info`).
#[derive(Clone, Copy, Debug, Default)]
pub struct VersionsSeen<'a> {
    pub zeebe: Option<&'a str>,
    pub operate: Option<&'a str>,
    pub tasklist: Option<&'a str>,
    pub optimize: Option<&'a str>,
}

/// `(major, minor)` of `8.8.3`, `8.10`, `8.9.0-alpha2`.
pub fn parse_minor(version: &str) -> Option<(u32, u32)> {
    let v = version.trim();
    let core = v
        .strip_prefix(['v', 'V'])
        .unwrap_or(v)
        .split(['-', '+'])
        .next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn why_not(id: ProfileId) -> Option<String> {
    (!profile(id).executable).then(|| {
        format!(
            "This console does not drive Camunda {}'s backup. Nothing was changed. Back up with Camunda's documented procedure meanwhile; the history still lists what the repository holds.",
            id.label()
        )
    })
}

fn restore_why_not(id: ProfileId) -> String {
    format!(
        "This console restores Camunda 8.2–8.9; it does not drive Camunda {}'s restore yet (recovery mode, PATCH /v2/mode, and the in-cluster POST /v2/restore). Nothing was changed. Follow Camunda's documented {} restore procedure (the Restore API page).",
        id.label(),
        id.label()
    )
}

/// The profile in force, and whether this build backs it up and restores it.
pub fn detect(configured: Option<&str>, seen: &VersionsSeen<'_>) -> DetectedProfile {
    let mut d = detect_backup(configured, seen);
    let spec = profile(d.id);
    // Refused by what was detected (a contradiction, an unknown version), not by the profile.
    let blocked = !d.executable && spec.executable;
    d.restore_executable = spec.restore_executable && !blocked;
    d.restore_why_not = if blocked {
        d.why_not.clone()
    } else {
        (!spec.restore_executable).then(|| restore_why_not(d.id))
    };
    d
}

/// The profile in force and whether its backup runs (restore: [`detect`]).
fn detect_backup(configured: Option<&str>, seen: &VersionsSeen<'_>) -> DetectedProfile {
    let named = [
        ("Zeebe", seen.zeebe),
        ("Operate", seen.operate),
        ("Tasklist", seen.tasklist),
        ("Optimize", seen.optimize),
    ];
    let anchor = named
        .iter()
        .take(3)
        .find_map(|(who, v)| Some((*who, (*v)?, parse_minor((*v)?)?)));
    let mismatches = |minor: (u32, u32)| -> Vec<String> {
        named
            .iter()
            .filter_map(|(who, v)| {
                let v = (*v)?;
                let seen = parse_minor(v)?;
                // Optimize before 8.6 has its own numbers (3.10 … 3.13).
                if *who == "Optimize" && seen.0 != 8 {
                    return None;
                }
                (seen != minor).then(|| {
                    format!(
                        "{who} runs {v}, not {}.{}: each component must run the version of the backup's snapshot names",
                        minor.0, minor.1
                    )
                })
            })
            .collect()
    };
    if let Some(text) = configured {
        if let Some(p) = parse_minor(text)
            .filter(|(major, _)| *major == 8)
            .and_then(|(_, m)| for_minor(m))
        {
            // Zeebe itself says another profile: running this one would fail half-way.
            let contradicted = anchor
                .filter(|(_, _, (major, minor))| {
                    *major != 8 || !(p.minors.0..=p.minors.1).contains(minor)
                })
                .map(|(who, v, _)| format!("{who} reports version {v}"));
            let executable = p.executable && contradicted.is_none();
            return DetectedProfile {
                restore_executable: false,
                restore_why_not: None,
                id: p.id,
                executable,
                why_not: match contradicted {
                    Some(said) => Some(format!(
                        "[cluster] camunda_version says {text}, but {said}: the procedures differ. Correct camunda_version, or remove it to detect the version."
                    )),
                    None => why_not(p.id),
                },
                source: "configured".into(),
                why: format!("[cluster] camunda_version = \"{text}\""),
                mismatches: named
                    .iter()
                    .filter_map(|(who, v)| {
                        let v = (*v)?;
                        let (major, minor) = parse_minor(v)?;
                        if *who == "Optimize" && major != 8 {
                            return None;
                        }
                        (major != 8 || !(p.minors.0..=p.minors.1).contains(&minor)).then(|| {
                            format!(
                                "{who} runs {v}, outside the configured profile {}",
                                p.id.label()
                            )
                        })
                    })
                    .collect(),
            };
        }
    }
    match anchor {
        Some((who, version, (8, minor))) => match for_minor(minor) {
            Some(p) => DetectedProfile {
                restore_executable: false,
                restore_why_not: None,
                id: p.id,
                source: "detected".into(),
                why: format!("{who} reports version {version} (/actuator/info)"),
                mismatches: mismatches((8, minor)),
                executable: p.executable,
                why_not: why_not(p.id),
            },
            None => {
                let newest = PROFILES.last().map_or(ProfileId::Legacy, |p| p.id);
                let older = minor < 2;
                DetectedProfile {
                    restore_executable: false,
                    restore_why_not: None,
                    id: if older { ProfileId::Legacy } else { newest },
                    source: "detected".into(),
                    why: format!("{who} reports version {version} (/actuator/info)"),
                    mismatches: mismatches((8, minor)),
                    executable: false,
                    why_not: Some(if older {
                        format!("Camunda {version} predates the backup APIs this console drives (8.2 and later).")
                    } else {
                        format!("Camunda {version} is newer than every profile this console knows (up to 8.10). Set [cluster] camunda_version to the closest profile only if its release notes say the backup APIs did not change.")
                    }),
                }
            }
        },
        Some((who, version, _)) => DetectedProfile {
            restore_executable: false,
            restore_why_not: None,
            id: ProfileId::Legacy,
            source: "detected".into(),
            why: format!("{who} reports version {version}, which is not Camunda 8"),
            mismatches: Vec::new(),
            executable: false,
            why_not: Some("Only Camunda 8 clusters are supported.".into()),
        },
        // A version was reported but is not one the console can read: do not guess.
        None if named.iter().take(3).any(|(_, v)| v.is_some()) => {
            let said = named
                .iter()
                .take(3)
                .filter_map(|(who, v)| Some(format!("{who} reports `{}`", (*v)?)))
                .collect::<Vec<_>>()
                .join(", ");
            DetectedProfile {
                restore_executable: false,
                restore_why_not: None,
                id: ProfileId::Legacy,
                source: "assumed".into(),
                why: format!("{said}, which the console cannot read as a Camunda version"),
                mismatches: Vec::new(),
                executable: false,
                why_not: Some(
                    "Set [cluster] camunda_version to the cluster's Camunda minor (e.g. \"8.7\")."
                        .into(),
                ),
            }
        }
        None => DetectedProfile {
            restore_executable: false,
            restore_why_not: None,
            id: ProfileId::Legacy,
            source: "assumed".into(),
            why: "no component reported its version (/actuator/info is not exposed): assuming 8.2–8.7; set [cluster] camunda_version if the cluster runs 8.8 or later".into(),
            mismatches: Vec::new(),
            executable: true,
            why_not: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen<'a>(z: &'a str, opt: &'a str) -> VersionsSeen<'a> {
        VersionsSeen {
            zeebe: Some(z),
            operate: Some(z),
            tasklist: Some(z),
            optimize: Some(opt),
        }
    }

    #[test]
    fn each_minor_selects_its_profile_and_runs_its_backup_and_restore() {
        for (v, id, restores) in [
            ("8.2.13", ProfileId::Legacy, true),
            ("8.7.3", ProfileId::Legacy, true),
            ("8.8.1", ProfileId::V88, true),
            ("8.9.0-alpha3", ProfileId::V89, true),
            ("8.10.2", ProfileId::V810, true),
        ] {
            let d = detect(None, &seen(v, v));
            assert_eq!(
                (d.id, d.executable, d.source.as_str()),
                (id, true, "detected"),
                "{v}"
            );
            assert!(d.why.contains(v), "{}", d.why);
            assert!(d.why_not.is_none());
            assert_eq!(
                (d.restore_executable, d.restore_why_not.is_none()),
                (restores, restores)
            );
            assert!(d.mismatches.is_empty());
        }
    }

    #[test]
    fn a_component_on_another_minor_is_named() {
        let d = detect(None, &seen("8.8.2", "8.7.9"));
        assert_eq!(d.id, ProfileId::V88);
        assert_eq!(d.mismatches.len(), 1);
        assert!(
            d.mismatches[0].starts_with("Optimize runs 8.7.9"),
            "{:?}",
            d.mismatches
        );
    }

    #[test]
    fn configuration_wins_and_unknown_versions_are_said() {
        let d = detect(Some("8.8"), &VersionsSeen::default());
        assert_eq!((d.id, d.source.as_str()), (ProfileId::V88, "configured"));
        let configured_legacy = detect(Some("8.7"), &seen("8.8.0", "8.8.0"));
        assert_eq!(configured_legacy.id, ProfileId::Legacy);
        assert_eq!(configured_legacy.mismatches.len(), 4);
        let none = detect(None, &VersionsSeen::default());
        assert_eq!(
            (none.id, none.source.as_str(), none.executable),
            (ProfileId::Legacy, "assumed", true)
        );
        let newer = detect(None, &seen("8.11.0", "8.11.0"));
        assert!(
            !newer.executable
                && newer
                    .why_not
                    .as_deref()
                    .is_some_and(|w| w.contains("newer"))
        );
        let older = detect(None, &seen("8.1.9", "8.1.9"));
        assert!(!older.executable);
        // A configured profile that Zeebe contradicts is not run.
        let contradicted = detect(Some("8.7"), &seen("8.8.1", "8.8.1"));
        assert!(!contradicted.executable && !contradicted.restore_executable);
        assert_eq!(contradicted.restore_why_not, contradicted.why_not);
        assert!(!older.restore_executable);
        assert!(
            contradicted
                .why_not
                .as_deref()
                .is_some_and(|w| w.contains("Zeebe reports version 8.8.1")),
            "{contradicted:?}"
        );
        // A version that cannot be read is not guessed; a leading v is read.
        let odd = detect(None, &seen("eight", "eight"));
        assert!(!odd.executable && odd.why.contains("`eight`"), "{odd:?}");
        assert_eq!(detect(None, &seen("v8.8.0", "v8.8.0")).id, ProfileId::V88);
    }

    #[test]
    fn optimize_before_8_6_has_its_own_numbers_and_is_no_mismatch() {
        let d = detect(None, &seen("8.5.4", "3.13.2"));
        assert_eq!((d.id, d.executable), (ProfileId::Legacy, true));
        assert!(d.mismatches.is_empty(), "{:?}", d.mismatches);
    }
}
