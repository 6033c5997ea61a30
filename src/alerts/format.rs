//! The body of an event per hook format: generic JSON (signed), Slack's and Teams' incoming
//! webhook bodies.

use serde_json::{json, Value};

/// One event as the console tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `backup.failed`, … (`test` for Send test).
    pub name: String,
    /// RFC 3339.
    pub at: String,
    pub cluster: String,
    /// One sentence for a person.
    pub summary: String,
    /// The event's facts.
    pub data: Value,
}

/// The body `format` sends for `event`.
pub fn body(format: &str, event: &Event) -> String {
    match format {
        "slack" => json!({
            "text": format!("[{}] {}: {}", event.cluster, event.name, event.summary),
        }),
        "teams" => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": format!("{}: {}", event.name, event.summary),
            "title": format!("Camunda backup console — {} — {}", event.cluster, event.name),
            "text": event.summary,
        }),
        _ => json!({
            "event": event.name,
            "at": event.at,
            "cluster": event.cluster,
            "summary": event.summary,
            "data": event.data,
        }),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_carries_the_event_and_its_words() {
        let e = Event {
            name: "backup.failed".into(),
            at: "2026-05-01T00:00:00.000Z".into(),
            cluster: "prod".into(),
            summary: "Backup 7 failed at Zeebe backup: 503".into(),
            data: json!({"backupId": 7}),
        };
        let generic: Value = serde_json::from_str(&body("generic", &e)).unwrap();
        assert_eq!(generic["event"], "backup.failed");
        assert_eq!(generic["data"]["backupId"], 7);
        let slack: Value = serde_json::from_str(&body("slack", &e)).unwrap();
        assert_eq!(
            slack["text"],
            "[prod] backup.failed: Backup 7 failed at Zeebe backup: 503"
        );
        let teams: Value = serde_json::from_str(&body("teams", &e)).unwrap();
        assert_eq!(teams["@type"], "MessageCard");
        assert_eq!(teams["text"], "Backup 7 failed at Zeebe backup: 503");
    }
}
