//! The HTML shell, the layout every page shares, and the routes.

use crate::domain::Permission;
use crate::ui::{
    may, provide_me, AuditPage, BackupsPage, Banner, OverviewPage, RestorePage, RestoreWizard,
    RestoresPage, RunPage, UserMenu,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{ParamSegment, StaticSegment};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <CsrfMeta/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The session's CSRF token for the server functions' client (`crate::api::CsrfClient`).
#[component]
fn CsrfMeta() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let token = use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::auth::middleware::CsrfToken>()
            .map(|t| t.0.clone())
    });
    #[cfg(not(feature = "ssr"))]
    let token: Option<String> = None;
    token.map(|t| view! { <meta name=crate::api::CSRF_META content=t/> })
}

/// The app: banner, navigation and the page of the current route.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_me();
    let admin = may(Permission::ReadAudit);
    // Set only in the browser, once hydration ran: lets people and tests see the page is live.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Stylesheet id="leptos" href="/pkg/camunda-backup-console.css"/>
        <Title text="Camunda backup console"/>
        <Router>
            <div class="app" data-hydrated=move || hydrated.get().to_string()>
                <header class="topbar">
                    <span class="brand">"Camunda backup console"</span>
                    <nav>
                        <A href="/">"Cluster"</A>
                        <A href="/backups">"Backups"</A>
                        <A href="/restores">"Restores"</A>
                        <Suspense fallback=|| ()>
                            <Show when=move || admin.get()>
                                <A href="/audit">"Audit"</A>
                            </Show>
                        </Suspense>
                    </nav>
                    <UserMenu/>
                </header>
                <Banner/>
                <main>
                    <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
                        <Route path=StaticSegment("") view=OverviewPage/>
                        <Route path=StaticSegment("backups") view=BackupsPage/>
                        <Route path=(StaticSegment("backups"), ParamSegment("id")) view=RunPage/>
                        <Route path=StaticSegment("restores") view=RestoresPage/>
                        <Route path=(StaticSegment("restores"), ParamSegment("id")) view=RestorePage/>
                        <Route path=(StaticSegment("restore"), ParamSegment("id")) view=RestoreWizard/>
                        <Route path=StaticSegment("audit") view=AuditPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
