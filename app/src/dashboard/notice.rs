//! What a form just did, told on the page it leads back to.

use leptos::prelude::*;

/// The outcome of the action that brought the staff member here ("3 payments changed."), or
/// nothing. The dashboard's forms are plain posts (no island holds them), so the page is a
/// fresh load after one and a live region alone is not read out: the notice takes the focus
/// instead, and a screen reader reads it first.
#[component]
pub fn DoneNotice(#[prop(into)] message: Option<String>) -> impl IntoView {
    let shown = message.is_some();
    view! {
        <p class="dashboard__notice" role="status" tabindex="-1" autofocus=shown>
            {message}
        </p>
    }
}
