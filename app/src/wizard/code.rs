//! Step 2, `/pay/{merchant_slug}/verify`: the one-time code from the email. It works once,
//! for ten minutes, only in the browser that asked for it; five wrong tries void it.

use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::focus_first_invalid_field;
use crate::wizard::{
    FieldMessage, FormMessage, WizardFrame, WizardPage, WizardRoute, WizardView, action_result,
    field_message,
};
use leptos::prelude::*;

/// Checks the code; on success the session is signed in and goes to the next step.
#[server(endpoint = "wizard/code")]
pub async fn verify_code(merchant_slug: String, code: String) -> Result<(), AppError> {
    use crate::domain::sign_in::OneTimeCode;
    use crate::error::unexpected;
    use crate::services::keys::Keys;
    use crate::services::sign_in::{
        self, MAX_WRONG_ATTEMPTS, VerifyError, WRONG_CODES_PER_ADDRESS_PER_DAY,
    };
    use crate::services::{Database, customers, from_context, sessions};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    session::require_position(position, &[WizardPage::Code], &merchant.slug)?;
    let Some(current) = current else {
        return Err(AppError::Unexpected);
    };
    let invalid = |message: String| AppError::Invalid {
        field: "code".to_owned(),
        message,
    };
    let code = OneTimeCode::parse(&code).map_err(|error| invalid(error.to_string()))?;
    let keys: Keys = from_context()?;
    let email = match sign_in::verify_code(&db, &keys, &current, &code).await {
        Ok(email) => email,
        Err(VerifyError::Wrong { attempts_left }) => {
            return Err(invalid(format!(
                "That code is not right. Check the email and try again ({attempts_left} of {MAX_WRONG_ATTEMPTS} tries left)."
            )));
        }
        Err(VerifyError::Expired) => {
            return Err(invalid(
                "That code has expired. Ask for a new code below.".to_owned(),
            ));
        }
        Err(VerifyError::Used) => {
            return Err(invalid(
                "That code was already used. Ask for a new code below.".to_owned(),
            ));
        }
        Err(VerifyError::Locked) => {
            return Err(invalid(
                "Too many wrong tries: that code no longer works. Ask for a new code below."
                    .to_owned(),
            ));
        }
        Err(VerifyError::TooManyWrongToday) => {
            return Err(invalid(format!(
                "Too many wrong codes were typed for this address today ({WRONG_CODES_PER_ADDRESS_PER_DAY} in 24 hours). For your security, signing in with it is paused: please try again tomorrow."
            )));
        }
        Err(VerifyError::NoCode) => {
            return Err(invalid(
                "No code was sent to this browser. Ask for a new code below.".to_owned(),
            ));
        }
        Err(error @ VerifyError::Storage(_)) => {
            return Err(unexpected("checking a sign-in code", &error));
        }
    };
    let known = customers::find_by_contact(&db, merchant_id, &email)
        .await
        .map_err(|error| unexpected("reading a contact's customers", &error))?;
    let only = match known.as_slice() {
        [customer] => Some(customer.id),
        _ => None,
    };
    // With a new token: one seen before sign-in is now worthless.
    let token = sessions::sign_in(&db, &current.id, &email, only)
        .await
        .map_err(|error| unexpected("signing a session in", &error))?;
    session::set_cookie(&token)?;
    let mut signed_in = sessions::find_by_id(&db, &current.id)
        .await
        .map_err(|error| unexpected("reading a session", &error))?;
    let next = session::position(&db, signed_in.as_mut()).await?;
    leptos_axum::redirect(&next.path(&merchant.slug));
    Ok(())
}

/// Sends a new code to the address step 1 took.
#[server(endpoint = "wizard/resend")]
pub async fn resend_code(merchant_slug: String) -> Result<(), AppError> {
    use crate::services::{Database, from_context};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    session::require_position(position, &[WizardPage::Code], &merchant.slug)?;
    let Some((current, email)) =
        current.and_then(|session| session.pending_email.clone().map(|email| (session, email)))
    else {
        return Err(AppError::Unexpected);
    };
    session::send_code(&db, &merchant, &current, &email, "resend").await
}

#[component]
pub fn CodePage() -> impl IntoView {
    let verify = ServerAction::<VerifyCode>::new();
    let resend = ServerAction::<ResendCode>::new();
    view! {
        <WizardRoute
            page=WizardPage::Code
            refresh=Signal::derive(move || resend.version().get())
            render=std::sync::Arc::new(move |view| view! { <CodeStep view verify resend /> }.into_any())
        />
    }
}

#[component]
fn CodeStep(
    view: WizardView,
    verify: ServerAction<VerifyCode>,
    resend: ServerAction<ResendCode>,
) -> impl IntoView {
    let verify_result = action_result(verify);
    focus_first_invalid_field(verify_result);
    let code_error = field_message(verify_result, "code");
    let invalid = move || code_error.get().is_some();
    let resend_result = action_result(resend);
    let resend_error = field_message(resend_result, "resend");
    let resent = move || matches!(resend_result.get(), Some(Ok(())));
    let slug = view.merchant.slug.to_string();
    let resend_slug = slug.clone();
    let email = view.pending_email.clone().unwrap_or_default();
    let back = (
        format!("/pay/{}", view.merchant.slug),
        "Use a different email address",
    );

    // The cool-down counts down once the page is interactive; before that (or without
    // JavaScript) the button stays enabled and the server says how long to wait.
    let hydrated = RwSignal::new(false);
    let wait = RwSignal::new(view.resend_wait_seconds);
    Effect::new(move || {
        hydrated.set(true);
        if let Ok(handle) = set_interval_with_handle(
            move || wait.update(|seconds| *seconds = (*seconds - 1).max(0)),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let cooling = move || hydrated.get() && wait.get() > 0;
    view! {
        <WizardFrame view step=WizardStep::Code back>
            <h1>"Check your email"</h1>
            <p class="lead">
                "We sent a 6-digit code to " <strong>{email}</strong>
                ". It works for 10 minutes, in this browser only."
            </p>
            <ActionForm action=verify attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug />
                <FormMessage result=verify_result />
                <div class="field">
                    <label for="code">"Verification code"</label>
                    <input
                        id="code"
                        name="code"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        class="input--code"
                        autofocus=true
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="code-error code-help"
                    />
                    <p id="code-help" class="field__help">"Six digits; spaces are fine."</p>
                    <FieldMessage id="code-error" message=code_error />
                </div>
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
            <ActionForm action=resend attr:class="form form--inline">
                <input type="hidden" name="merchant_slug" value=resend_slug />
                <p class="muted">"No email? Check your spam folder, or:"</p>
                <button type="submit" class="button button--secondary" disabled=cooling>
                    "Resend code"
                </button>
                // The countdown is not a live region: read out every second it would drown the
                // page. The news that matters (a code sent) is announced once, below.
                <p class="field__help">
                    {move || {
                        (wait.get() > 0).then(|| format!("You can ask for a new code in {} seconds.", wait.get()))
                    }}
                </p>
                <p class="field__help" role="status">
                    {move || resent().then_some("A new code is on its way.")}
                </p>
                <FieldMessage id="resend-error" message=resend_error />
            </ActionForm>
        </WizardFrame>
    }
}
