//! The sign-in page: plain server-rendered HTML with a form that posts to `/auth/login`, so it
//! works before (and without) the browser bundle and needs no script at all.

/// What the page shows besides the form.
#[derive(Default)]
pub struct SignInPage<'a> {
    /// Where to go after signing in (already checked to be a local path).
    pub next: &'a str,
    pub error: Option<&'a str>,
    pub username: &'a str,
    pub cluster: &'a str,
    pub simulated: bool,
    /// "Sign in with <this>" when an OpenID Connect provider is configured.
    pub sso: Option<&'a str>,
    /// The stylesheet's URL (content-hashed in a release build).
    pub stylesheet: &'a str,
}

pub fn render(p: &SignInPage<'_>) -> String {
    let error = p.error.map_or(String::new(), |e| {
        format!(
            r#"<p class="alert signin-error" role="alert">{}</p>"#,
            escape(e)
        )
    });
    let simulated = if p.simulated {
        r#"<p class="simulated-note">This console manages a <strong>simulated</strong> cluster. The <code>admin</code> password was printed once on the console's output when it first started (or set with <code>CONSOLE_ADMIN_PASSWORD</code>).</p>"#
    } else {
        ""
    };
    let sso = p.sso.map_or(String::new(), |name| {
        format!(
            r#"<p class="signin-sso"><a class="button primary" href="/auth/oidc/start?next={next}">Sign in with {name}</a></p>
<p class="muted signin-or">or with a local account:</p>"#,
            next = escape(&url::form_urlencoded::byte_serialize(p.next.as_bytes()).collect::<String>()),
            name = escape(name),
        )
    });
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<link rel="icon" href="data:,"/>
<link rel="stylesheet" href="{stylesheet}"/>
<title>Sign in · Camunda backup console</title>
</head>
<body>
<div class="app">
<header class="topbar"><span class="brand">Camunda backup console</span></header>
<main>
<section class="signin">
<h1>Sign in</h1>
<p class="muted">{cluster}</p>
{error}
{sso}
<form method="post" action="/auth/login" class="signin-form">
<input type="hidden" name="next" value="{next}"/>
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" required maxlength="64" value="{username}" autofocus/>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"/>
<button type="submit" class="primary">Sign in</button>
</form>
{simulated}
</section>
</main>
</div>
</body>
</html>"#,
        cluster = escape(p.cluster),
        next = escape(p.next),
        username = escape(p.username),
        stylesheet = escape(p.stylesheet),
    )
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_labelled_fields_and_escapes_what_it_echoes() {
        let html = render(&SignInPage {
            next: "/backups\"><script>",
            error: Some("Wrong <b>"),
            username: "a&b",
            cluster: "prod",
            simulated: false,
            sso: Some("Key<cloak>"),
            stylesheet: "/pkg/app.AbCdEfGhIjKlMnOpQr.css",
        });
        assert!(
            html.contains(r#"<link rel="stylesheet" href="/pkg/app.AbCdEfGhIjKlMnOpQr.css"/>"#),
            "{html}"
        );
        assert!(html.contains(r#"<label for="username">Username</label>"#));
        assert!(html.contains("Sign in with Key&lt;cloak&gt;"), "{html}");
        assert!(
            html.contains(r#"href="/auth/oidc/start?next=%2Fbackups%22%3E%3Cscript%3E""#),
            "{html}"
        );
        assert!(html.contains(r#"<label for="password">Password</label>"#));
        assert!(html.contains(">Sign in</button>"));
        assert!(html.contains("/backups&quot;&gt;&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("Wrong &lt;b&gt;"));
        assert!(html.contains("a&amp;b"));
    }
}
