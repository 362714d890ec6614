//! The fields of the lists' filter forms (a `GET` form: the filters live in the address, so
//! a filtered list can be bookmarked, shared and paged). A refused filter says why beside it.

use leptos::prelude::*;

#[component]
pub fn FilterField(
    id: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    value: String,
    error: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = error.is_some();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                value=value
                spellcheck="false"
                autocomplete="off"
                autofocus=invalid
                aria-invalid=invalid.to_string()
                aria-describedby=error_id.clone()
            />
            <p id=error_id class="field__error" role="alert">{error}</p>
        </div>
    }
}

#[component]
pub fn FilterSelect(
    id: &'static str,
    label: &'static str,
    value: String,
    options: Vec<(&'static str, &'static str)>,
    error: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let invalid = error.is_some();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select
                id=id
                name=id
                aria-invalid=invalid.to_string()
                aria-describedby=error_id.clone()
            >
                <option value="" selected=value.is_empty()>"Any"</option>
                {options
                    .into_iter()
                    .map(|(code, name)| {
                        view! { <option value=code selected=value == code>{name}</option> }
                    })
                    .collect_view()}
            </select>
            <p id=error_id class="field__error" role="alert">{error}</p>
        </div>
    }
}
