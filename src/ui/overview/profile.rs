//! The version profile card: which Camunda procedure the console applies and why, the
//! components on another minor, and — for a profile this build does not run — what to do.

use crate::domain::DetectedProfile;
use leptos::prelude::*;

#[component]
pub fn ProfileCard(profile: DetectedProfile) -> impl IntoView {
    let class = if profile.executable && profile.mismatches.is_empty() {
        "card profile"
    } else {
        "card profile warn"
    };
    view! {
        <section class=class data-profile=profile.id.label() data-profile-source=profile.source.clone()>
            <h2>"Version profile: Camunda " {profile.id.label()}</h2>
            <p>
                <span class="muted">{format!("{}: ", profile.source)}</span>
                {profile.why.clone()}
            </p>
            {(!profile.mismatches.is_empty())
                .then(|| {
                    view! {
                        <ul class="mismatches">
                            {profile
                                .mismatches
                                .iter()
                                .map(|m| view! { <li>{m.clone()}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
            {profile
                .why_not
                .clone()
                .map(|w| view! { <p class="alert" role="alert" data-profile-unsupported="true">{w}</p> })}
        </section>
    }
}
