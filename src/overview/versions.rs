//! Best-effort component versions: Spring Boot's `/actuator/info`, else the version embedded
//! in backup data (`brokerVersion`, snapshot names `prefix_{id}_{version}_part_n_of_m`).

pub use crate::camunda::actuator_version;

/// The `{version}` of a web-app snapshot name, e.g. `camunda_operate_123_8.5.16_part_1_of_6`.
pub fn version_from_snapshot_name(name: &str) -> Option<String> {
    let before_part = name.rsplit_once("_part_")?.0;
    let version = before_part.rsplit_once('_')?.1;
    version
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| version.to_owned())
}

#[cfg(test)]
mod tests {
    use super::version_from_snapshot_name;

    #[test]
    fn versions_are_read_from_snapshot_names() {
        assert_eq!(
            version_from_snapshot_name("camunda_operate_123_8.5.16_part_1_of_6").as_deref(),
            Some("8.5.16")
        );
        assert_eq!(
            version_from_snapshot_name("camunda_optimize_1748937221_8.5.17_part_2_of_2").as_deref(),
            Some("8.5.17")
        );
        assert_eq!(
            version_from_snapshot_name("camunda_zeebe_records_backup_5"),
            None
        );
    }
}
