//! The pages other than the overview, each split out of the main browser bundle (`cargo leptos
//! build --split`): the router loads a page's code the first time it is opened, and the server
//! names the chunk in the page it renders so the browser fetches it alongside the main bundle.
//! The overview, the page after sign-in, stays in the main bundle.

use crate::ui::{
    AuditPage, BackupsPage, RestorePage, RestoreWizard, RestoresPage, RunPage, SchedulesPage,
};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// Declares a route whose view is loaded lazily; its data is read by the page itself.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        #[doc = concat!("The route of `", stringify!($page), "`, loaded the first time it is opened.")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> AnyView {
                let $route = this;
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(BackupsRoute, BackupsPage);
lazy_page!(RunRoute, RunPage);
lazy_page!(RestoresRoute, RestoresPage);
lazy_page!(RestoreRoute, RestorePage);
lazy_page!(WizardRoute, RestoreWizard);
lazy_page!(AuditRoute, AuditPage);
lazy_page!(SchedulesRoute, SchedulesPage);
