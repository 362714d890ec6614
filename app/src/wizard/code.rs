//! Step 2, `/pay/{merchant_slug}/verify`: the one-time code from the email. It works once,
//! for ten minutes, only in the browser that asked for it; five wrong tries void it.

use crate::components::{FieldMessage, FormMessage, action_result, field_message};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 2 shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeView {
    pub frame: Frame,
    /// The address the code went to.
    pub email: String,
    /// How long until another code may be sent.
    pub resend_wait_seconds: i64,
}

#[server(endpoint = "wizard/page/code")]
pub async fn code_page(merchant_slug: String) -> Result<PageState<CodeView>, AppError> {
    use crate::error::unexpected;
    use crate::services::sign_in;
    use crate::wizard::guard::{self, Entry};

    let visit = match guard::enter(&merchant_slug, WizardPage::Code).await? {
        Entry::Open(visit) => visit,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let Some(session) = &visit.session else {
        return Ok(visit.elsewhere().into());
    };
    let resend_wait_seconds = sign_in::resend_wait_seconds(&visit.db, session.code_session())
        .await
        .map_err(|error| unexpected("reading the resend cool-down", &error))?;
    Ok(PageState::show(CodeView {
        email: session
            .pending_email
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        resend_wait_seconds,
        frame: visit.frame(),
    }))
}

/// Checks the code; on success the session is signed in and goes to the next step.
#[server(endpoint = "wizard/code")]
pub async fn verify_code(merchant_slug: String, code: String) -> Result<(), AppError> {
    use crate::domain::sign_in::OneTimeCode;
    use crate::error::unexpected;
    use crate::services::keys::Keys;
    use crate::services::sign_in::{
        self, MAX_WRONG_ATTEMPTS, VerifyError, WRONG_CODES_PER_ADDRESS_PER_DAY,
    };
    use crate::services::{customers, from_context, sessions};
    use crate::wizard::{guard, session};

    let guard::Visit {
        db,
        merchant_id,
        merchant,
        session: current,
        ..
    } = guard::require(&merchant_slug, &[WizardPage::Code]).await?;
    let Some(current) = current else {
        return Err(AppError::Unexpected);
    };
    let invalid = |message: String| AppError::Invalid {
        field: "code".to_owned(),
        message,
    };
    let code = OneTimeCode::parse(&code).map_err(|error| invalid(error.to_string()))?;
    let keys: Keys = from_context()?;
    let email = match sign_in::verify_code(&db, &keys, current.code_session(), &code).await {
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
    session::set_cookie(merchant_id, &token)?;
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
    use crate::wizard::{guard, session};

    let guard::Visit {
        db,
        merchant,
        session: current,
        ..
    } = guard::require(&merchant_slug, &[WizardPage::Code]).await?;
    let Some((current, email)) =
        current.and_then(|session| session.pending_email.clone().map(|email| (session, email)))
    else {
        return Err(AppError::Unexpected);
    };
    session::send_code(&db, &merchant, &current, &email, "resend").await?;
    // Back to step 2 saying so: a plain form post has no other way to hear of a success.
    leptos_axum::redirect(&format!(
        "{}?resent=1",
        WizardPage::Code.path(&merchant.slug)
    ));
    Ok(())
}

#[component]
pub fn CodePage() -> impl IntoView {
    let verify = ServerAction::<VerifyCode>::new();
    let resend = ServerAction::<ResendCode>::new();
    step_page(code_page(merchant_slug()), move |view| {
        view! { <CodeStep view verify resend /> }.into_any()
    })
}

#[component]
fn CodeStep(
    view: CodeView,
    verify: ServerAction<VerifyCode>,
    resend: ServerAction<ResendCode>,
) -> impl IntoView {
    let verify_result = action_result(verify);
    let code_error = field_message(verify_result, "code");
    let invalid = move || code_error.get().is_some();
    let resend_result = action_result(resend);
    let resend_error = field_message(resend_result, "resend");
    // The flag stays in the address; a refusal later sent back to it is news of its own.
    let resent = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("resent")
        .is_some()
        && verify_result.get_untracked().is_none()
        && resend_result.get_untracked().is_none();
    let slug = view.frame.merchant.slug.to_string();
    let resend_slug = slug.clone();
    let email = view.email;
    let view_wait = view.resend_wait_seconds;
    let back = (
        WizardPage::Email.path(&view.frame.merchant.slug),
        "Use a different email address",
    );

    view! {
        <WizardFrame frame=view.frame step=WizardStep::Code back>
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
                <ResendButton wait_seconds=view_wait />
                <p class="field__help" role="status">
                    {resent.then_some("A new code is on its way.")}
                </p>
                <FieldMessage id="resend-error" message=resend_error />
            </ActionForm>
        </WizardFrame>
    }
}

/// The resend button and its cool-down. Once hydrated it counts the seconds down and keeps the
/// button disabled until a new code may be sent; before that (or without JavaScript) the button
/// stays enabled and the server says how long to wait.
#[island]
pub fn ResendButton(wait_seconds: i64) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let wait = RwSignal::new(wait_seconds);
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
        <button type="submit" class="button button--secondary" disabled=cooling>
            "Resend code"
        </button>
        // The countdown is not a live region: read out every second it would drown the page.
        // The news that matters (a code sent) is announced once, below.
        <p class="field__help">
            {move || {
                (wait.get() > 0).then(|| format!("You can ask for a new code in {} seconds.", wait.get()))
            }}
        </p>
    }
}
