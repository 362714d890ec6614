//! `/dashboard`: staff sign in with their email address. The answer is the same whether or
//! not the address works for any merchant (only its owner is told, by email), so the form
//! cannot be used to find out who works where. Signed in, the page leads on to the dashboard.

use crate::components::{FieldMessage, FormMessage, action_result, field_message};
use crate::dashboard::frame::{DashboardState, SignInFrame, dashboard_page};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInView {
    /// The address as last typed.
    pub email: String,
}

#[server(endpoint = "dashboard/page/sign-in")]
pub async fn sign_in_page() -> Result<DashboardState<SignInView>, AppError> {
    use crate::dashboard::DashboardPage;
    use crate::dashboard::guard::{self, Standing};

    Ok(match guard::standing().await? {
        Standing::SignedIn(_) => DashboardState::Redirect(DashboardPage::Overview.path()),
        Standing::Choosing(..) => DashboardState::Redirect(DashboardPage::Choose.path()),
        Standing::SignedOut(session) => DashboardState::show(SignInView {
            email: session
                .map(
                    |session| match (session.pending_email, session.typed_email) {
                        (Some(pending), typed) if typed.is_empty() => pending.to_string(),
                        (_, typed) => typed,
                    },
                )
                .unwrap_or_default(),
        }),
    })
}

/// Sends a code to `email` (or, when it works for no merchant, an email saying so) and moves
/// on to the code.
#[server(endpoint = "dashboard/email")]
pub async fn submit_staff_email(email: String) -> Result<(), AppError> {
    use crate::dashboard::DashboardPage;
    use crate::dashboard::guard::{self, Standing};
    use crate::domain::email::EmailAddress;
    use crate::error::unexpected;
    use crate::services::keys::Keys;
    use crate::services::sign_in::{self, SendError};
    use crate::services::{Database, from_context, merchant_users, staff_sessions};

    let db: Database = from_context()?;
    let known = match guard::standing().await? {
        Standing::SignedOut(session) => session,
        Standing::Choosing(session, _) => Some(session),
        Standing::SignedIn(staff) => Some(staff.session),
    };
    let session = guard::session_or_start(&db, known).await?;
    staff_sessions::keep_typed_email(&db, &session, &email)
        .await
        .map_err(|error| unexpected("keeping a typed address", &error))?;
    let invalid = |message: String| AppError::Invalid {
        field: "email".to_owned(),
        message,
    };
    let email = EmailAddress::parse(&email).map_err(|error| invalid(error.to_string()))?;
    let has_access = !merchant_users::of_address(&db, &email)
        .await
        .map_err(|error| unexpected("reading an address's dashboards", &error))?
        .is_empty();
    let keys: Keys = from_context()?;
    let client = crate::wizard::session::client_address();
    let sent = sign_in::send_code(
        &db,
        &keys,
        session.code_session(),
        &email,
        &client,
        |code, expires_at| {
            if has_access {
                sign_in::staff_code_email(&email, code, expires_at)
            } else {
                sign_in::staff_no_access_email(&email)
            }
        },
    )
    .await;
    match sent {
        Ok(()) => {}
        Err(SendError::CoolDown { seconds_left, .. }) => {
            return Err(invalid(format!(
                "A code was just sent to this address. You can ask for another in {seconds_left} seconds."
            )));
        }
        Err(
            SendError::TooManyForAddress
            | SendError::TooManyForClient
            | SendError::TooManyForSession,
        ) => {
            return Err(invalid(
                "Too many codes were asked for in the last hour. Please try again later."
                    .to_owned(),
            ));
        }
        Err(error) => {
            tracing::error!(kind = %error, "sending a dashboard sign-in code failed");
            return Err(invalid(
                "We could not send the email just now. Please try again in a moment.".to_owned(),
            ));
        }
    }
    staff_sessions::await_code(&db, &session, &email)
        .await
        .map_err(|error| unexpected("recording the code sent", &error))?;
    leptos_axum::redirect(&DashboardPage::Code.path());
    Ok(())
}

#[component]
pub fn DashboardSignInPage() -> impl IntoView {
    let submit = ServerAction::<SubmitStaffEmail>::new();
    dashboard_page(sign_in_page(), move |view| {
        view! { <SignInForm view submit /> }.into_any()
    })
}

#[component]
fn SignInForm(view: SignInView, submit: ServerAction<SubmitStaffEmail>) -> impl IntoView {
    let result = action_result(submit);
    let error = field_message(result, "email");
    let invalid = move || error.get().is_some();
    view! {
        <SignInFrame title="Sign in to your dashboard">
            <p class="lead">
                "Enter your work email address. We will send you a code to confirm it is you."
            </p>
            <ActionForm action=submit attr:novalidate=true attr:class="form">
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
                        autofocus=true
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="email-error"
                    />
                    <FieldMessage id="email-error" message=error />
                </div>
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
            <p class="muted">
                "Paying an invoice? Open the billing link from your invoice email instead."
            </p>
        </SignInFrame>
    }
}
