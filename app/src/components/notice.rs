use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page for an address that leads nowhere. On the server it also sets the 404 status, so
/// that links checkers and search engines see the truth.
#[component]
pub fn NotFound(#[prop(into)] heading: String, #[prop(into)] advice: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=format!("{heading} · Portico") />
        <section class="card" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">{heading}</h1>
            <p>{advice}</p>
        </section>
    }
}

/// A failure the customer can do nothing about but retry, announced to screen readers.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <section class="card notice notice--error" role="alert">
            <h1>"This page could not be loaded"</h1>
            <p>{error.to_string()}</p>
        </section>
    }
}
