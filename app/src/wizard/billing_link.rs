//! Step 1, at the merchant's billing link `/pay/{merchant_slug}`: the customer's email address.
//! The answer is the same whether or not the address is known to the merchant, so the form
//! cannot be used to find out who the merchant's customers are.

use crate::components::{CopyField, FieldMessage, FormMessage, action_result, field_message};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 1 shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailView {
    pub frame: Frame,
    /// The address as last typed (or the one a code was sent to).
    pub email: String,
    pub billing_link: String,
}

#[server(endpoint = "wizard/page/email")]
pub async fn email_page(merchant_slug: String) -> Result<PageState<EmailView>, AppError> {
    use crate::domain::public_url::PublicUrl;
    use crate::services::from_context;
    use crate::wizard::WizardPage;
    use crate::wizard::guard::{self, Entry};

    let visit = match guard::enter(&merchant_slug, WizardPage::Email).await? {
        Entry::Open(visit) => visit,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let public_url: PublicUrl = from_context()?;
    let email = visit
        .session
        .as_ref()
        .map(
            |session| match (&session.pending_email, session.draft.email.as_str()) {
                (Some(pending), "") => pending.to_string(),
                (_, typed) => typed.to_owned(),
            },
        )
        .unwrap_or_default();
    Ok(PageState::show(EmailView {
        frame: visit.frame(),
        email,
        billing_link: public_url.billing_link(&visit.merchant.slug),
    }))
}

/// Sends a sign-in code to `email` and moves on to step 2.
#[server(endpoint = "wizard/email")]
pub async fn submit_email(merchant_slug: String, email: String) -> Result<(), AppError> {
    use crate::domain::email::EmailAddress;
    use crate::error::unexpected;
    use crate::services::sessions::{self, Draft};
    use crate::wizard::WizardPage;
    use crate::wizard::{guard, session};

    let visit = guard::require(&merchant_slug, &[WizardPage::Email, WizardPage::Code]).await?;
    let current = match visit.session {
        Some(current) => current,
        None => session::start(&visit.db, visit.merchant_id).await?,
    };
    let draft = Draft {
        email: email.clone(),
        ..current.draft.clone()
    };
    sessions::save_draft(&visit.db, &current.id, &draft)
        .await
        .map_err(|error| unexpected("keeping what the customer typed", &error))?;
    let email = EmailAddress::parse(&email).map_err(|error| AppError::Invalid {
        field: "email".to_owned(),
        message: error.to_string(),
    })?;

    session::send_code(&visit.db, &visit.merchant, &current, &email, "email").await?;
    sessions::await_code(&visit.db, &current.id, &email)
        .await
        .map_err(|error| unexpected("recording the code sent", &error))?;
    leptos_axum::redirect(&WizardPage::Code.path(&visit.merchant.slug));
    Ok(())
}

#[component]
pub fn BillingLinkPage() -> impl IntoView {
    let submit = ServerAction::<SubmitEmail>::new();
    step_page(email_page(merchant_slug()), move |view| {
        view! { <EmailStep view submit /> }.into_any()
    })
}

#[component]
fn EmailStep(view: EmailView, submit: ServerAction<SubmitEmail>) -> impl IntoView {
    let result = action_result(submit);
    let error = field_message(result, "email");
    let invalid = move || error.get().is_some();
    let merchant = view.frame.merchant.clone();
    let slug = merchant.slug.to_string();
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Email>
            <h1>{format!("Pay {}", merchant.display_name)}</h1>
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
                        value=view.email
                        autofocus=invalid
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="email-error"
                    />
                    <FieldMessage id="email-error" message=error />
                </div>
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
            {merchant
                .support_email
                .map(|email| {
                    view! {
                        <p class="muted">
                            "Questions about an invoice? Write to "
                            <a href=format!("mailto:{email}")>{email.clone()}</a> "."
                        </p>
                    }
                })}
            // Customers often forward the link to whoever pays the bills.
            <div class="share-link">
                <CopyField
                    id="billing-link"
                    label="Billing link"
                    text=view.billing_link
                    copy_label="Copy link"
                    copied="Link copied to the clipboard."
                />
            </div>
        </WizardFrame>
    }
}
