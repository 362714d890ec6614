//! The form kit every step is built from: labelled fields with their help and error message,
//! radio groups, and the messages a refused form comes back with. A refusal renders the page
//! afresh (a plain form post), so each piece reads the action's result once, on the server,
//! and the first refused field carries `autofocus` for keyboard and screen-reader users.

use crate::error::AppError;
use leptos::prelude::*;

/// A labelled text box of a payment form, with its help and its error message. Without
/// `autocomplete` the browser is told not to fill it in.
#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] help: Option<&'static str>,
    /// The input's type: `text` unless said otherwise.
    #[prop(optional)]
    kind: Option<&'static str>,
    value: String,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let error = field_message(result, name);
    let error_id = format!("{name}-error");
    let help_id = format!("{name}-help");
    let described = if help.is_some() {
        format!("{help_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind.unwrap_or("text")
                inputmode=inputmode
                autocomplete=autocomplete.unwrap_or("off")
                value=value
                autofocus=move || is_first_refused(result, name)
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
            />
            {help.map(|help| view! { <p id=help_id class="field__help">{help}</p> })}
            <p id=error_id class="field__error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// One radio button of a [`RadioGroup`]: what it sends, what it says, and optionally a line
/// under it that says more (how long a method takes to clear).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub help: Option<String>,
}

/// The buttons of a [`RadioGroup`], from `Choice`s or from (value, label) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices(Vec<Choice>);

impl From<Vec<Choice>> for Choices {
    fn from(choices: Vec<Choice>) -> Self {
        Self(choices)
    }
}

impl From<Vec<(String, String)>> for Choices {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(value, label)| Choice {
                    value,
                    label,
                    help: None,
                })
                .collect(),
        )
    }
}

/// A group of radio buttons with its legend and error message; the first button carries the
/// group's error state, so that focus lands in the group.
#[component]
pub fn RadioGroup(
    name: &'static str,
    legend: &'static str,
    #[prop(into)] options: Choices,
    /// The value checked at first.
    #[prop(optional, into)]
    chosen: String,
    /// Buttons side by side (short labels) rather than one per line.
    #[prop(optional)]
    inline: bool,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let error = field_message(result, name);
    let error_id = format!("{name}-error");
    let class = if inline {
        "choice choice--inline"
    } else {
        "choice"
    };
    let radios = options
        .0
        .into_iter()
        .enumerate()
        .map(|(index, Choice { value, label, help })| {
            let id = format!("{name}-{value}");
            let help_id = format!("{id}-help");
            let described_by = match help {
                Some(_) => format!("{help_id} {error_id}"),
                None => error_id.clone(),
            };
            let checked = chosen == value;
            view! {
                <div class=class>
                    <input
                        id=id.clone()
                        type="radio"
                        name=name
                        value=value
                        checked=checked
                        aria-invalid=move || (index == 0 && error.get().is_some()).to_string()
                        aria-describedby=described_by
                        autofocus=move || index == 0 && is_first_refused(result, name)
                    />
                    <label for=id>{label}</label>
                    {help.map(|help| view! { <p id=help_id class="choice__help">{help}</p> })}
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {radios}
            <p id=error_id.clone() class="field__error" role="alert">{move || error.get()}</p>
        </fieldset>
    }
}

/// Fixed (value, label) pairs as `RadioGroup` takes them.
pub fn choices(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
        .collect()
}

/// The message under a field, announced to screen readers when it appears.
#[component]
pub fn FieldMessage(
    id: &'static str,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="field__error" role="alert">
            {move || message.get()}
        </p>
    }
}

/// The latest result of a form's action: `None` before it is submitted. Without JavaScript it
/// comes from the error Leptos puts in the URL when it sends the browser back to the form.
pub fn action_result<S>(action: ServerAction<S>) -> Signal<Option<Result<(), AppError>>>
where
    S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get())
}

/// Whether `field` is the first one the action's latest result refused. Without JavaScript the
/// page is rendered afresh after a refusal, and that field carries `autofocus`, so that keyboard
/// and screen-reader users land on it.
pub fn is_first_refused(result: Signal<Option<Result<(), AppError>>>, field: &str) -> bool {
    matches!(result.get(), Some(Err(error)) if error.first_field() == Some(field))
}

/// The message of `field` in an action's latest result, if it failed on that field.
pub fn field_message(
    result: Signal<Option<Result<(), AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || match result.get() {
        Some(Err(error)) => error.message_for(field),
        _ => None,
    })
}

/// A failure of an action that belongs to no field (the server, a stale step), announced.
#[component]
pub fn FormMessage(#[prop(into)] result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    let message = move || match result.get() {
        Some(Err(
            error @ (AppError::Unexpected
            | AppError::WrongStep { .. }
            | AppError::Forbidden(_)
            | AppError::NotFound(_)),
        )) => Some(error.to_string()),
        Some(Err(AppError::InvalidFields(_))) => {
            Some("Some of the details need correcting: see the messages below.".to_owned())
        }
        _ => None,
    };
    view! {
        <p class="form__message" role="alert">
            {message}
        </p>
    }
}

/// The box a customer ticks to authorize a payment or a plan's new card, labelled by the exact
/// `text` that is kept with what it authorizes, with the action's refusal of it beside it.
#[component]
pub fn AuthorizeBox(text: String, result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    let error = field_message(result, "authorize");
    view! {
        <div class="field field--check field--authorize">
            <input
                id="authorize"
                type="checkbox"
                name="authorize"
                aria-invalid=move || error.get().is_some().to_string()
                autofocus=move || is_first_refused(result, "authorize")
                aria-describedby="authorize-error"
            />
            <label for="authorize">{text}</label>
        </div>
        <p id="authorize-error" class="field__error" role="alert">{move || error.get()}</p>
    }
}
