//! Sign-in with OpenID Connect against a small provider started by the test (`common::idp`),
//! over real HTTP: the authorization code flow with PKCE, the role from a nested claim, the
//! session that follows, and each way a sign-in must be refused (no role, no state cookie, a
//! provider error, a wrong nonce, audience or expiry, a key or algorithm the provider does not
//! publish), each audited.

use crate::common::idp::{Tamper, TestIdp, CLIENT_ID, CLIENT_SECRET};
use crate::common::{fast_sim, raw_settings_for, start_with, TestConsole};
use camunda_backup_console::config::{RawOidc, Settings};
use camunda_backup_console::domain::AuditEntry;
use camunda_backup_console::store::AuditFilter;
use reqwest::StatusCode;
use serde_json::json;

/// The callback as configured; the test carries the browser's part itself, so the host only
/// has to be rewritten to the console's real address.
const REDIRECT: &str = "http://console.invalid/auth/oidc/callback";

async fn console_with(idp: &TestIdp) -> TestConsole {
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    raw.auth.oidc = Some(RawOidc {
        issuer: idp.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        client_secret_file: None,
        redirect_url: REDIRECT.into(),
        scopes: vec!["openid".into(), "profile".into()],
        role_claim: "realm_access.roles".into(),
        admin_values: vec!["camunda-admin".into()],
        operator_values: vec![],
        viewer_values: vec![],
        username_claim: "preferred_username".into(),
        display_name: "Keycloak".into(),
    });
    start_with(sim, Settings::validate(raw).expect("settings")).await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

/// What the browser ends with: the callback's answer.
struct Callback {
    status: StatusCode,
    session: Option<String>,
    body: String,
}

/// Start → provider → callback, as a browser would, with or without the state cookie.
async fn sign_in(console: &TestConsole, with_state_cookie: bool) -> Callback {
    let b = browser();
    let start = b
        .get(console.url("/auth/oidc/start?next=/backups%3Fverdict%3Drestorable"))
        .send()
        .await
        .expect("start");
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let state_cookie = set_cookie(&start, "cbc_oidc").expect("state cookie");
    assert!(
        state_cookie.contains("HttpOnly") && state_cookie.contains("SameSite=Lax"),
        "{state_cookie}"
    );
    let to_idp = start.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let at_idp = b.get(&to_idp).send().await.expect("authorize");
    assert_eq!(
        at_idp.status(),
        StatusCode::SEE_OTHER,
        "the provider signs the user in"
    );
    let back = at_idp.headers()["location"].to_str().expect("location");
    let back = back.replace("http://console.invalid", &console.url(""));
    let mut request = b.get(back);
    if with_state_cookie {
        request = request.header(
            "cookie",
            format!("cbc_oidc={}", cookie_value(&state_cookie)),
        );
    }
    let r = request.send().await.expect("callback");
    let status = r.status();
    let session = set_cookie(&r, "cbc_session");
    let body = r.text().await.expect("body");
    Callback {
        status,
        session,
        body,
    }
}

async fn sign_ins(console: &TestConsole) -> Vec<AuditEntry> {
    console
        .console
        .auth
        .store()
        .audit(&AuditFilter {
            action: Some("auth.sign_in".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .expect("audit")
}

#[tokio::test]
async fn an_admin_signs_in_with_pkce_and_gets_the_role_of_a_nested_claim() {
    let idp = TestIdp::start().await;
    idp.sign_in_as(json!({"sub": "u-1", "preferred_username": "ada",
        "realm_access": {"roles": ["offline_access", "camunda-admin"]}}));
    let console = console_with(&idp).await;

    let done = sign_in(&console, true).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    // A same-site hop to `next`: the Strict session cookie would not be sent on the
    // provider's cross-site redirect itself.
    assert!(
        done.body
            .contains(r#"content="0;url=/backups?verdict=restorable""#),
        "{}",
        done.body
    );
    let session = done.session.expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );

    // The provider saw S256 PKCE, a nonce, the scopes; the verifier matched; the client
    // authenticated with its secret.
    let seen = idp.seen();
    let asked = &seen.authorize[0];
    assert_eq!(asked["code_challenge_method"], "S256");
    assert_eq!(asked["code_challenge"].len(), 43);
    assert!(!asked["nonce"].is_empty());
    assert_eq!(asked["scope"], "openid profile");
    assert_eq!(asked["redirect_uri"], REDIRECT);
    assert_eq!(seen.token, vec![(true, true)]);

    // The session is an admin's: the audit log (admins only) answers.
    let r = browser()
        .get(console.url("/api/v1/audit"))
        .header("cookie", format!("cbc_session={}", cookie_value(&session)))
        .send()
        .await
        .expect("audit");
    assert_eq!(r.status(), StatusCode::OK);
    let entries = sign_ins(&console).await;
    let e = entries.iter().find(|e| e.actor == "ada").expect("audited");
    assert_eq!((e.actor_kind.as_str(), e.outcome.as_str()), ("oidc", "ok"));
    // Recorded by the provider's stable `sub`, the display name beside it.
    assert_eq!(e.actor_id.as_deref(), Some("u-1"), "{e:?}");
    // Sessions of the account end by its `sub`.
    let ended = camunda_backup_console::auth::revoke_sessions(console.console.auth.store(), "u-1")
        .await
        .expect("revoke");
    assert_eq!(ended, 1);
    let r = browser()
        .get(console.url("/api/v1/audit"))
        .header("cookie", format!("cbc_session={}", cookie_value(&session)))
        .send()
        .await
        .expect("audit");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|d| d.contains("role admin")),
        "{e:?}"
    );
    console.stop().await;
}

#[tokio::test]
async fn an_account_without_a_granting_role_is_refused_and_told_why() {
    let idp = TestIdp::start().await;
    idp.sign_in_as(json!({"sub": "u-2", "preferred_username": "bob",
        "realm_access": {"roles": ["offline_access"]}}));
    let console = console_with(&idp).await;
    let done = sign_in(&console, true).await;
    assert_eq!(done.status, StatusCode::FORBIDDEN);
    assert!(done.session.is_none());
    assert!(
        done.body.contains("has no console role") && done.body.contains("realm_access.roles"),
        "{}",
        done.body
    );
    let entries = sign_ins(&console).await;
    let e = entries.iter().find(|e| e.actor == "bob").expect("audited");
    assert_eq!(e.outcome.as_str(), "failed");
    console.stop().await;
}

#[tokio::test]
async fn a_callback_without_the_browsers_state_cookie_opens_no_session() {
    let idp = TestIdp::start().await;
    idp.sign_in_as(json!({"sub": "u-1", "preferred_username": "ada",
        "realm_access": {"roles": ["camunda-admin"]}}));
    let console = console_with(&idp).await;
    // Login CSRF: a code and state delivered to another browser.
    let done = sign_in(&console, false).await;
    assert_eq!(done.status, StatusCode::UNAUTHORIZED);
    assert!(done.session.is_none());
    assert!(done.body.contains("was not started here"), "{}", done.body);
    // The code was never redeemed.
    assert!(idp.seen().token.is_empty());

    // A provider error for a sign-in this browser started comes back as the provider's words;
    // the same URL from anyone else shows none of them (anyone can put words in a URL).
    let b = browser();
    let start = b
        .get(console.url("/auth/oidc/start"))
        .send()
        .await
        .expect("start");
    let state_cookie = cookie_value(&set_cookie(&start, "cbc_oidc").expect("state cookie"));
    let error_url = format!(
        "/auth/oidc/callback?error=access_denied&error_description=User%20cancelled&state={state_cookie}"
    );
    let forged = b
        .get(console.url(&error_url))
        .send()
        .await
        .expect("callback");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let body = forged.text().await.expect("body");
    assert!(
        !body.contains("User cancelled") && body.contains("was not started here"),
        "{body}"
    );
    let r = b
        .get(console.url(&error_url))
        .header("cookie", format!("cbc_oidc={state_cookie}"))
        .send()
        .await
        .expect("callback");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("access_denied") && body.contains("User cancelled"),
        "{body}"
    );
    // Anyone can call the callback: the three failures are one entry and, once gathered, one
    // that counts the other two.
    console
        .console
        .auth
        .repeats()
        .flush(console.console.auth.store(), true)
        .await;
    let failed: Vec<AuditEntry> = sign_ins(&console)
        .await
        .into_iter()
        .filter(|e| e.actor_kind == "oidc" && e.outcome.as_str() == "failed")
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().any(|e| e
            .detail
            .as_deref()
            .unwrap_or_default()
            .starts_with("repeated 2 more times")),
        "{failed:?}"
    );
    console.stop().await;
}

#[tokio::test]
async fn id_tokens_the_console_must_not_trust_are_refused() {
    let idp = TestIdp::start().await;
    idp.sign_in_as(json!({"sub": "u-1", "preferred_username": "ada",
        "realm_access": {"roles": ["camunda-admin"]}}));
    let console = console_with(&idp).await;
    for (tamper, words) in [
        (
            Tamper::WrongNonce,
            "its nonce is not the one this sign-in sent",
        ),
        (Tamper::Expired, "ExpiredSignature"),
        (Tamper::WrongAudience, "InvalidAudience"),
        (Tamper::Hs256, "public-key signatures are accepted"),
        (Tamper::UnknownKey, "does not publish"),
    ] {
        idp.tamper(tamper);
        let done = sign_in(&console, true).await;
        assert_eq!(
            done.status,
            StatusCode::UNAUTHORIZED,
            "{tamper:?}: {}",
            done.body
        );
        assert!(done.session.is_none(), "{tamper:?}");
        assert!(done.body.contains(words), "{tamper:?}: {}", done.body);
    }
    // And an honest token still works afterwards.
    idp.tamper(Tamper::None);
    assert_eq!(sign_in(&console, true).await.status, StatusCode::OK);
    console.stop().await;
}

#[tokio::test]
async fn the_sign_in_page_offers_single_sign_on_and_keeps_the_local_form() {
    let idp = TestIdp::start().await;
    let console = console_with(&idp).await;
    let page = browser()
        .get(console.url("/login?next=/restores"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains(r#"href="/auth/oidc/start?next=%2Frestores""#),
        "{page}"
    );
    assert!(page.contains("Sign in with Keycloak"));
    assert!(page.contains(r#"name="password""#));
    console.stop().await;
}

#[tokio::test]
async fn a_callback_is_good_once_and_next_stays_on_the_console() {
    let idp = TestIdp::start().await;
    idp.sign_in_as(json!({"sub": "u-1", "preferred_username": "ada",
        "realm_access": {"roles": ["camunda-admin"]}}));
    let console = console_with(&idp).await;
    let b = browser();
    let start = b
        .get(console.url("/auth/oidc/start?next=//evil.example/steal"))
        .send()
        .await
        .expect("start");
    let state_cookie = cookie_value(&set_cookie(&start, "cbc_oidc").expect("state cookie"));
    let to_idp = start.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let at_idp = b.get(&to_idp).send().await.expect("authorize");
    let back = at_idp.headers()["location"]
        .to_str()
        .expect("location")
        .replace("http://console.invalid", &console.url(""));
    let first = b
        .get(&back)
        .header("cookie", format!("cbc_oidc={state_cookie}"))
        .send()
        .await
        .expect("callback");
    assert_eq!(first.status(), StatusCode::OK);
    let body = first.text().await.expect("body");
    // `next` pointed off the console: the user lands on the console's home instead.
    assert!(
        body.contains(r#"content="0;url=/""#) && !body.contains("evil"),
        "{body}"
    );
    // Replaying the same callback opens nothing.
    let again = b
        .get(&back)
        .header("cookie", format!("cbc_oidc={state_cookie}"))
        .send()
        .await
        .expect("replay");
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&again, "cbc_session").is_none());
    console.stop().await;
}

/// A provider that accepts connections and never answers: the first sign-in waits for it (up
/// to the client's timeout), every other one answers at once instead of queueing behind it,
/// and after the failure the next ones get it at once too.
#[tokio::test]
async fn a_provider_that_hangs_holds_up_one_sign_in_not_every_one() {
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!(
        "http://{}/realms/camunda",
        hanging.local_addr().expect("addr")
    );
    let (accepted_tx, mut accepted) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hanging.accept().await {
            open.push(socket);
            let _ = accepted_tx.send(());
        }
    });
    let sim = camunda_sim::start(fast_sim()).await.expect("simulator");
    let mut raw = raw_settings_for(sim.urls(), "sqlite::memory:");
    raw.auth.oidc = Some(RawOidc {
        issuer,
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        client_secret_file: None,
        redirect_url: REDIRECT.into(),
        scopes: vec!["openid".into()],
        role_claim: "roles".into(),
        admin_values: vec!["camunda-admin".into()],
        operator_values: vec![],
        viewer_values: vec![],
        username_claim: "preferred_username".into(),
        display_name: "Keycloak".into(),
    });
    let console = start_with(sim, Settings::validate(raw).expect("settings")).await;
    let b = browser();
    let first = tokio::spawn({
        let b = b.clone();
        let url = console.url("/auth/oidc/start");
        async move { b.get(url).send().await.expect("start").status() }
    });
    accepted
        .recv()
        .await
        .expect("the console reads the provider");
    let second = b
        .get(console.url("/auth/oidc/start"))
        .send()
        .await
        .expect("start");
    assert!(!first.is_finished(), "the first sign-in is still waiting");
    assert_eq!(second.status(), StatusCode::BAD_GATEWAY);
    let words = second.text().await.expect("body");
    assert!(words.contains("being read right now"), "{words}");

    assert_eq!(first.await.expect("first"), StatusCode::BAD_GATEWAY);
    let third = b
        .get(console.url("/auth/oidc/start"))
        .send()
        .await
        .expect("start");
    assert_eq!(third.status(), StatusCode::BAD_GATEWAY);
    let words = third.text().await.expect("body");
    assert!(words.contains("could not be read a moment ago"), "{words}");
    // No second connection was opened for it.
    assert!(accepted.try_recv().is_err());
    console.stop().await;
}
