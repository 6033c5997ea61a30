//! A component's version as Spring Boot's `/actuator/info` says it.

use super::ManagementClient;
use reqwest::Method;

/// `build.version` of `/actuator/info`, if the endpoint is exposed.
pub async fn actuator_version(client: &ManagementClient) -> Option<String> {
    let answer = client
        .call(Method::GET, "/actuator/info", None)
        .await
        .ok()?;
    if !answer.status.is_success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&answer.body).ok()?;
    v.pointer("/build/version")
        .and_then(|x| x.as_str())
        .map(str::to_owned)
}
