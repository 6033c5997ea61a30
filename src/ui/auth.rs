//! The signed-in user in the pages: the top bar's name, role and sign-out button, and [`Gate`],
//! which shows a control only to roles that may use it and says why to the others. The server
//! enforces the same rules; this only keeps people from pressing buttons that would be refused.

use crate::api::get_me;
use crate::domain::{Failure, Me, Permission};
use leptos::prelude::*;

/// The signed-in user (and the session's CSRF token), read once per page load.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<(Me, String), Failure>>);

/// Reads who is signed in and offers it to every page.
pub fn provide_me() {
    provide_context(MeResource(Resource::new(|| (), |()| get_me())));
}

fn me_resource() -> Option<MeResource> {
    use_context::<MeResource>()
}

/// Name, role, sign-out.
#[component]
pub fn UserMenu() -> impl IntoView {
    let Some(MeResource(me)) = me_resource() else {
        return ().into_any();
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .and_then(Result::ok)
                    .map(|(me, csrf)| {
                        let via = (me.via == "token").then_some(" (API token)");
                        view! {
                            <span class="user" data-role=me.role.as_str()>
                                <span class="user-name">{me.name.clone()}</span>
                                <span class="role">{me.role.as_str()}</span>
                                {via}
                            </span>
                            <form method="post" action="/auth/logout" class="signout">
                                <input type="hidden" name="csrf" value=csrf/>
                                <button type="submit" class="link">"Sign out"</button>
                            </form>
                        }
                    })
            }}
        </Suspense>
    }
    .into_any()
}

/// Shows `children` when the signed-in role has `what`; otherwise a note naming the role that
/// may (nothing at all while the user is still being read).
///
/// Only in the browser, once this place of the page is mounted: a control is useless before
/// the bundle runs, and rendering it on the server made the markup depend on whether the
/// user's read had resolved there and in the browser at the same moment. Seen: a run page
/// reloaded mid-run rendered "Cancel backup" on the server and not yet in the browser, and
/// hydration failed.
#[component]
pub fn Gate(what: Permission, children: ChildrenFn) -> impl IntoView {
    let Some(MeResource(me)) = me_resource() else {
        return ().into_any();
    };
    let mounted = RwSignal::new(false);
    // Effects run only in the browser, after this part of the page is hydrated or mounted.
    Effect::new(move |_| mounted.set(true));
    let children = StoredValue::new(children);
    (move || {
        if !mounted.get() {
            return None;
        }
        me.get()
            .and_then(Result::ok)
            .map(|(me, _)| match me.why_not(what) {
                None => children.with_value(|c| c()).into_any(),
                Some(why) => view! {
                    <p class="role-note" data-needs=what.needs().as_str()>
                        {why}
                    </p>
                }
                .into_any(),
            })
    })
    .into_any()
}

/// Whether the signed-in role has `what` (false while unknown), for links and small controls.
pub fn may(what: Permission) -> Signal<bool> {
    let me = me_resource();
    Signal::derive(move || {
        me.and_then(|MeResource(r)| r.get())
            .and_then(Result::ok)
            .is_some_and(|(me, _)| me.may(what))
    })
}
