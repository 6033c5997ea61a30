//! Extracting the human message from the error bodies of every component.

use serde_json::Value;

/// The component's own words from an error body: `message` (Zeebe, Operate, Tasklist and their
/// problem+json form), `detailedMessage`/`errorMessage` (Optimize), `error.reason` (Elasticsearch),
/// the wrapped exporting failure `body.message`, else the start of the body text.
pub fn extract_message(body: &str) -> String {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return "(empty body)".into();
    }
    if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
        if let Some(m) = from_json(&value) {
            return m;
        }
    }
    excerpt(trimmed, 300)
}

fn from_json(v: &Value) -> Option<String> {
    let s = |v: &Value| v.as_str().map(str::to_owned).filter(|s| !s.is_empty());
    if let Some(m) = v.get("message").and_then(s) {
        return Some(m);
    }
    // Spring's `ProblemDetail` (8.10+ `/v2`): `detail`, else `title`.
    if let Some(m) = v.get("detail").and_then(s) {
        return Some(m);
    }
    if let Some(m) = v.get("detailedMessage").and_then(s) {
        return Some(m);
    }
    if let Some(m) = v.get("errorMessage").and_then(s) {
        return Some(m);
    }
    if let Some(err) = v.get("error") {
        if let Some(m) = s(err) {
            return Some(m);
        }
        let kind = err.get("type").and_then(s);
        let reason = err.get("reason").and_then(s);
        match (kind, reason) {
            (Some(k), Some(r)) => return Some(format!("{k}: {r}")),
            (None, Some(r)) => return Some(r),
            (Some(k), None) => return Some(k),
            _ => {}
        }
    }
    if let Some(body) = v.get("body") {
        return from_json(body);
    }
    None
}

/// At most `max` characters of `text`, on a char boundary, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::extract_message;

    #[test]
    fn messages_are_found_in_every_error_dialect() {
        assert_eq!(
            extract_message(r#"{"message":"A backupId must be provided and it must be > 0"}"#),
            "A backupId must be provided and it must be > 0"
        );
        assert_eq!(
            extract_message(
                r#"{"status":400,"message":"Another backup is running at the moment","instance":"x","type":"y"}"#
            ),
            "Another backup is running at the moment"
        );
        assert_eq!(
            extract_message(
                r#"{"errorCode":"notFoundError","errorMessage":"generic","detailedMessage":"No Optimize backup with ID [1] could be found.","reportDefinition":null}"#
            ),
            "No Optimize backup with ID [1] could be found."
        );
        assert_eq!(
            extract_message(
                r#"{"error":{"root_cause":[],"type":"repository_missing_exception","reason":"[camunda] missing"},"status":404}"#
            ),
            "repository_missing_exception: [camunda] missing"
        );
        assert_eq!(
            extract_message(
                r#"{"body":{"message":"Expected 3 members"},"status":500,"contentType":null}"#
            ),
            "Expected 3 members"
        );
        assert_eq!(extract_message("<html>oops</html>"), "<html>oops</html>");
        assert_eq!(extract_message(""), "(empty body)");
    }
}
