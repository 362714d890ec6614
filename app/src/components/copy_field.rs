//! A value to copy: in a read-only box anyone can select (the page works without JavaScript),
//! plus a copy button once its island is hydrated. The wizard's billing link, an invoice's
//! payment link and a new API key share it, so the dashboard's copy buttons add no code to the
//! WASM a paying customer downloads. Only the button is an island: the box is plain HTML.

use leptos::prelude::*;

/// `multiline` shows the value in a text area, so that a long one (an API key) shows whole on
/// a phone, wrapped.
#[component]
pub fn CopyField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] text: String,
    /// The button's name: `Copy link`.
    copy_label: &'static str,
    /// What the status line says once copied: `Link copied to the clipboard.`
    copied: &'static str,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let field = if multiline {
        leptos::either::Either::Left(view! {
            <textarea id=id class="copy-field__value" readonly rows="3" spellcheck="false" autocomplete="off">{text.clone()}</textarea>
        })
    } else {
        leptos::either::Either::Right(view! {
            <input id=id class="copy-field__value" type="text" readonly value=text.clone() />
        })
    };
    view! {
        <div class="copy-field">
            <label for=id>{label}</label>
            <div class="copy-field__row">
                {field}
                <CopyButton text copy_label=copy_label.to_owned() copied=copied.to_owned() />
            </div>
        </div>
    }
    // Typed apart from the page around it: the pages that hold it are deep enough already to
    // pass the compiler's query depth in the release build.
    .into_any()
}

/// The button, shown once hydrated (before that there is nothing to press), and the line that
/// says whether the copy worked.
#[island]
fn CopyButton(text: String, copy_label: String, copied: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move || hydrated.set(true));
    let copy_status = RwSignal::new(String::new());
    let copy = move |_| {
        let text = text.clone();
        let copied = copied.clone();
        leptos::task::spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await;
            copy_status.set(match written {
                Ok(_) => copied,
                Err(_) => {
                    "Your browser did not allow copying: select the text and copy it yourself."
                        .to_owned()
                }
            });
        });
    };
    view! {
        <Show when=move || hydrated.get()>
            <button type="button" class="button button--secondary" on:click=copy.clone()>
                {copy_label.clone()}
            </button>
        </Show>
        <p class="copy-field__status" role="status">{move || copy_status.get()}</p>
    }
}
