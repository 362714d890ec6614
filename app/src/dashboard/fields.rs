//! The labelled fields of the dashboard's forms: the lists' filters (`GET` forms, so a filtered
//! list can be bookmarked, shared and paged) and the forms that change things. A refused value
//! says why beside its field, which is focused first.

use leptos::prelude::*;

#[component]
pub fn TextField(
    #[prop(into)] id: String,
    /// The form field's name, when it is not the id (`form[number]`).
    #[prop(optional, into)]
    name: Option<String>,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "text")] mode: &'static str,
    value: String,
    error: Option<String>,
    /// A line under the label that says what the field takes.
    #[prop(optional)]
    help: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let described = if help.is_some() {
        format!("{help_id} {error_id}")
    } else {
        error_id.clone()
    };
    let invalid = error.is_some();
    let name = name.unwrap_or_else(|| id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {help.map(|help| view! { <p id=help_id class="field__help">{help}</p> })}
            <input
                id=id
                name=name
                type=kind
                inputmode=mode
                value=value
                spellcheck="false"
                autocomplete="off"
                autofocus=invalid
                aria-invalid=invalid.to_string()
                aria-describedby=described
            />
            <p id=error_id class="field__error" role="alert">{error}</p>
        </div>
    }
}

#[component]
pub fn SelectField(
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
