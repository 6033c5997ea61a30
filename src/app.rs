//! The HTML shell, the layout every page shares, and the routes.

use crate::domain::Permission;
use crate::ui::pages::{
    AuditRoute, BackupsRoute, RestoreRoute, RestoresRoute, RunRoute, SchedulesRoute, WizardRoute,
};
use crate::ui::{may, provide_me, Banner, OverviewPage, UserMenu};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{Lazy, ParamSegment, StaticSegment};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The stylesheet by its content-hashed name when the build hashes its files.
    #[cfg(feature = "ssr")]
    let css = crate::stylesheet::href(&options);
    #[cfg(not(feature = "ssr"))]
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="data:,"/>
                <link id="leptos" rel="stylesheet" href=css/>
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
            .get::<crate::auth::CsrfToken>()
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
        <Title text="Camunda backup console"/>
        <Router>
            <div class="app" data-hydrated=move || hydrated.get().to_string()>
                <header class="topbar">
                    <span class="brand">"Camunda backup console"</span>
                    <nav>
                        <A href="/">"Cluster"</A>
                        <A href="/backups">"Backups"</A>
                        <A href="/restores">"Restores"</A>
                        <A href="/schedules">"Schedules"</A>
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
                        <Route path=StaticSegment("backups") view={Lazy::<BackupsRoute>::new()}/>
                        <Route path=(StaticSegment("backups"), ParamSegment("id")) view={Lazy::<RunRoute>::new()}/>
                        <Route path=StaticSegment("restores") view={Lazy::<RestoresRoute>::new()}/>
                        <Route path=(StaticSegment("restores"), ParamSegment("id")) view={Lazy::<RestoreRoute>::new()}/>
                        <Route path=(StaticSegment("restore"), ParamSegment("id")) view={Lazy::<WizardRoute>::new()}/>
                        <Route path=StaticSegment("audit") view={Lazy::<AuditRoute>::new()}/>
                        <Route path=StaticSegment("schedules") view={Lazy::<SchedulesRoute>::new()}/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
