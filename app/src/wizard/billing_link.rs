//! Step 1, at the merchant's billing link `/pay/{merchant_slug}`: the customer's email address.
//! The answer is the same whether or not the address is known to the merchant, so the form
//! cannot be used to find out who the merchant's customers are.

use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::focus_first_invalid_field;
use crate::wizard::{
    FieldMessage, FormMessage, WizardFrame, WizardPage, WizardRoute, WizardView, action_result,
    field_message,
};
use leptos::prelude::*;

/// Sends a sign-in code to `email` and moves on to step 2.
#[server(endpoint = "wizard/email")]
pub async fn submit_email(merchant_slug: String, email: String) -> Result<(), AppError> {
    use crate::domain::email::EmailAddress;
    use crate::error::unexpected;
    use crate::services::sessions::{self, Draft};
    use crate::services::{Database, from_context};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    let mut current = session::current_or_start(&db, merchant_id).await?;
    let position = session::position(&db, Some(&mut current)).await?;
    session::require_position(
        position,
        &[WizardPage::Email, WizardPage::Code],
        &merchant.slug,
    )?;
    let draft = Draft {
        email: email.clone(),
        ..current.draft.clone()
    };
    sessions::save_draft(&db, &current.id, &draft)
        .await
        .map_err(|error| unexpected("keeping what the customer typed", &error))?;
    let email = EmailAddress::parse(&email).map_err(|error| AppError::Invalid {
        field: "email".to_owned(),
        message: error.to_string(),
    })?;

    session::send_code(&db, &merchant, &current, &email, "email").await?;
    sessions::await_code(&db, &current.id, &email)
        .await
        .map_err(|error| unexpected("recording the code sent", &error))?;
    leptos_axum::redirect(&WizardPage::Code.path(&merchant.slug));
    Ok(())
}

#[component]
pub fn BillingLinkPage() -> impl IntoView {
    let submit = ServerAction::<SubmitEmail>::new();
    view! {
        <WizardRoute
            page=WizardPage::Email
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <EmailStep view submit /> }.into_any())
        />
    }
}

#[component]
fn EmailStep(view: WizardView, submit: ServerAction<SubmitEmail>) -> impl IntoView {
    let result = action_result(submit);
    focus_first_invalid_field(result);
    let error = field_message(result, "email");
    let invalid = move || error.get().is_some();
    let slug = view.merchant.slug.to_string();
    let display_name = view.merchant.display_name.clone();
    let support_email = view.merchant.support_email.clone();
    let link = view.billing_link.clone();
    let typed = view
        .pending_email
        .clone()
        .filter(|_| view.email_draft.is_empty())
        .unwrap_or_else(|| view.email_draft.clone());
    view! {
        <WizardFrame view step=WizardStep::Email>
            <h1>{format!("Pay {display_name}")}</h1>
            <p class="lead">
                "Enter your email address. We will send you a code to confirm it is you, then show your open invoices."
            </p>
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug />
                <FormMessage result />
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="email"
                        inputmode="email"
                        spellcheck="false"
                        value=typed
                        autofocus=invalid
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="email-error"
                    />
                    <FieldMessage id="email-error" message=error />
                </div>
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
            {support_email
                .map(|email| {
                    view! {
                        <p class="muted">
                            "Questions about an invoice? Write to "
                            <a href=format!("mailto:{email}")>{email.clone()}</a> "."
                        </p>
                    }
                })}
            <ShareLink link />
        </WizardFrame>
    }
}

/// The link in a box anyone can select, plus a copy button once the page is interactive
/// (customers often forward the link to whoever pays the bills).
#[component]
fn ShareLink(link: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration: before that there is no button to press.
    Effect::new(move || hydrated.set(true));
    let copy_status = RwSignal::new(String::new());
    let link_to_copy = link.clone();
    let copy = move |_| {
        let link = link_to_copy.clone();
        leptos::task::spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&link)).await;
            copy_status.set(match written {
                Ok(_) => "Link copied to the clipboard.".to_owned(),
                Err(_) => {
                    "Your browser did not allow copying: select the link and copy it yourself."
                        .to_owned()
                }
            });
        });
    };
    view! {
        <div class="share-link">
            <label for="billing-link">"Billing link"</label>
            <div class="share-link__row">
                <input id="billing-link" type="text" readonly value=link.clone() />
                <Show when=move || hydrated.get()>
                    <button type="button" class="button button--secondary" on:click=copy.clone()>
                        "Copy link"
                    </button>
                </Show>
            </div>
            <p class="share-link__status" role="status">{move || copy_status.get()}</p>
        </div>
    }
}
