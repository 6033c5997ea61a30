//! The session cookie: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure` over HTTPS.

use axum::http::{header, HeaderMap, HeaderValue};
use std::time::Duration;

pub const SESSION_COOKIE: &str = "cbc_session";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the request reached the console over HTTPS, as a TLS-terminating proxy reports it.
pub fn forwarded_https(headers: &HeaderMap) -> bool {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    get("x-forwarded-proto").is_some_and(|p| p.split(',').next().map(str::trim) == Some("https"))
        || get("forwarded").is_some_and(|f| f.contains("proto=https"))
}

/// `Set-Cookie` for a new session.
pub fn set(value: &str, ttl: Duration, secure: bool) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        ttl.as_secs(),
        if secure { "; Secure" } else { "" }
    ))
    .ok()
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear(secure: bool) -> HeaderValue {
    HeaderValue::from_static(if secure {
        "cbc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
    } else {
        "cbc_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_set_strictly() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; cbc_session=abc"),
        );
        assert_eq!(read(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(read(&h, "b"), None);
        let c = set("tok", Duration::from_secs(60), true).expect("header");
        let c = c.to_str().expect("ascii");
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Max-Age=60",
            "Path=/",
        ] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!set("tok", Duration::from_secs(60), false)
            .expect("header")
            .to_str()
            .expect("ascii")
            .contains("Secure"));
        let mut p = HeaderMap::new();
        p.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(forwarded_https(&p));
        assert!(!forwarded_https(&HeaderMap::new()));
    }
}
