//! `/dashboard/verify`: the one-time code from the email, by the customers' rules (ten
//! minutes, once, in this browser, five tries).

use crate::components::{FieldMessage, FormMessage, action_result, field_message};
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{DashboardState, SignInFrame, dashboard_page};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffCodeView {
    pub email: String,
}

#[server(endpoint = "dashboard/page/code")]
pub async fn staff_code_page() -> Result<DashboardState<StaffCodeView>, AppError> {
    use crate::dashboard::guard::{self, Standing};

    Ok(match guard::standing().await? {
        Standing::SignedOut(Some(session)) => match session.pending_email {
            Some(email) => DashboardState::show(StaffCodeView {
                email: email.to_string(),
            }),
            None => DashboardState::Redirect(DashboardPage::SignIn.path()),
        },
        Standing::SignedOut(None) => DashboardState::Redirect(DashboardPage::SignIn.path()),
        Standing::Choosing(..) => DashboardState::Redirect(DashboardPage::Choose.path()),
        Standing::SignedIn(_) => DashboardState::Redirect(DashboardPage::Overview.path()),
    })
}

/// Checks the code; right, the session works for the address's merchant (or picks one).
#[server(endpoint = "dashboard/code")]
pub async fn verify_staff_code(code: String) -> Result<(), AppError> {
    use crate::dashboard::guard::{self, Standing};
    use crate::domain::sign_in::OneTimeCode;
    use crate::error::unexpected;
    use crate::services::keys::Keys;
    use crate::services::sign_in::{self, MAX_WRONG_ATTEMPTS, VerifyError};
    use crate::services::{Database, from_context, merchant_users, staff_sessions};

    let db: Database = from_context()?;
    let session = match guard::standing().await? {
        Standing::SignedOut(Some(session)) if session.pending_email.is_some() => session,
        _ => {
            let path = DashboardPage::SignIn.path();
            leptos_axum::redirect(&path);
            return Err(AppError::WrongStep {
                path,
                message: "Enter your email address to get a new code.".to_owned(),
            });
        }
    };
    let invalid = |message: String| AppError::Invalid {
        field: "code".to_owned(),
        message,
    };
    let code = OneTimeCode::parse(&code).map_err(|error| invalid(error.to_string()))?;
    let keys: Keys = from_context()?;
    let email = match sign_in::verify_code(&db, &keys, session.code_session(), &code).await {
        Ok(email) => email,
        Err(VerifyError::Wrong { attempts_left }) => {
            return Err(invalid(format!(
                "That code is not right. Check the email and try again ({attempts_left} of {MAX_WRONG_ATTEMPTS} tries left)."
            )));
        }
        Err(VerifyError::Expired) => {
            return Err(invalid(
                "That code has expired. Go back and ask for a new one.".to_owned(),
            ));
        }
        Err(VerifyError::Used) => {
            return Err(invalid(
                "That code was already used. Go back and ask for a new one.".to_owned(),
            ));
        }
        Err(VerifyError::Locked) => {
            return Err(invalid(
                "Too many wrong tries: that code no longer works. Go back and ask for a new one."
                    .to_owned(),
            ));
        }
        Err(VerifyError::TooManyWrongToday) => {
            return Err(invalid(
                "Too many wrong codes were typed for this address today. For your security, signing in with it is paused: please try again tomorrow.".to_owned(),
            ));
        }
        Err(VerifyError::NoCode) => {
            return Err(invalid(
                "No code was sent to this browser. Go back and ask for one.".to_owned(),
            ));
        }
        Err(error @ VerifyError::Storage(_)) => {
            return Err(unexpected("checking a dashboard sign-in code", &error));
        }
    };
    let users = merchant_users::of_address(&db, &email)
        .await
        .map_err(|error| unexpected("reading an address's dashboards", &error))?;
    if users.is_empty() {
        return Err(invalid(
            "This address cannot open any merchant's dashboard. Ask an admin of your business to add you.".to_owned(),
        ));
    }
    let only = match users.as_slice() {
        [user] => Some(user.id),
        _ => None,
    };
    let token = staff_sessions::sign_in(&db, &session, &email, only)
        .await
        .map_err(|error| unexpected("signing a staff session in", &error))?;
    guard::set_cookie(&token)?;
    leptos_axum::redirect(&match only {
        Some(_) => DashboardPage::Overview.path(),
        None => DashboardPage::Choose.path(),
    });
    Ok(())
}

#[component]
pub fn DashboardCodePage() -> impl IntoView {
    let verify = ServerAction::<VerifyStaffCode>::new();
    dashboard_page(staff_code_page(), move |view| {
        view! { <CodeForm view verify /> }.into_any()
    })
}

#[component]
fn CodeForm(view: StaffCodeView, verify: ServerAction<VerifyStaffCode>) -> impl IntoView {
    let result = action_result(verify);
    let error = field_message(result, "code");
    let invalid = move || error.get().is_some();
    view! {
        <SignInFrame title="Check your email">
            <p class="lead">
                "If " <strong>{view.email}</strong>
                " can open a dashboard, we sent it a 6-digit code. It works for 10 minutes, in this browser only."
            </p>
            <ActionForm action=verify attr:novalidate=true attr:class="form">
                <FormMessage result />
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
                    <FieldMessage id="code-error" message=error />
                </div>
                <button type="submit" class="button">"Verify"</button>
            </ActionForm>
            <p>
                <a href=DashboardPage::SignIn.path()>"Use a different email address, or get a new code"</a>
            </p>
        </SignInFrame>
    }
}
