//! `/dashboard/choose`: an address that works for several merchants picks which one this
//! session works for (the dashboard shows one merchant at a time).

use crate::components::{FormMessage, action_result};
use crate::dashboard::frame::{DashboardState, SignInFrame, dashboard_page};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChooseView {
    pub email: String,
    /// (user id, merchant name, role label)
    pub choices: Vec<(String, String, String)>,
}

#[server(endpoint = "dashboard/page/choose")]
pub async fn choose_page() -> Result<DashboardState<ChooseView>, AppError> {
    use crate::dashboard::DashboardPage;
    use crate::dashboard::guard::{self, Standing};
    use crate::error::unexpected;
    use crate::services::{Database, from_context, merchant_users, merchants};

    let (email, db) = match guard::standing().await? {
        Standing::Choosing(_, email) => (email, from_context::<Database>()?),
        Standing::SignedIn(_) => {
            return Ok(DashboardState::Redirect(DashboardPage::Overview.path()));
        }
        Standing::SignedOut(_) => {
            return Ok(DashboardState::Redirect(DashboardPage::SignIn.path()));
        }
    };
    let users = merchant_users::of_address(&db, &email)
        .await
        .map_err(|error| unexpected("reading an address's dashboards", &error))?;
    let mut choices = Vec::with_capacity(users.len());
    for user in users {
        let name = merchants::branding_of(&db, user.merchant)
            .await
            .map_err(|error| unexpected("reading a user's merchant", &error))?
            .map(|merchant| merchant.display_name)
            .unwrap_or_default();
        choices.push((user.id.to_string(), name, user.role.label().to_owned()));
    }
    Ok(DashboardState::show(ChooseView {
        email: email.to_string(),
        choices,
    }))
}

/// Works for the merchant of `user`, one of the signed-in address's.
#[server(endpoint = "dashboard/choose")]
pub async fn choose_merchant(user: String) -> Result<(), AppError> {
    use crate::dashboard::DashboardPage;
    use crate::dashboard::guard::{self, Standing};
    use crate::domain::ids::MerchantUserId;
    use crate::error::unexpected;
    use crate::services::{Database, from_context, merchant_users, staff_sessions};

    let db: Database = from_context()?;
    let Standing::Choosing(session, email) = guard::standing().await? else {
        let path = DashboardPage::SignIn.path();
        leptos_axum::redirect(&path);
        return Err(AppError::WrongStep {
            path,
            message: "Sign in again to pick a merchant.".to_owned(),
        });
    };
    let refused = || AppError::Invalid {
        field: "user".to_owned(),
        message: "Pick one of the merchants listed.".to_owned(),
    };
    let user = MerchantUserId::parse(&user).map_err(|_| refused())?;
    let chosen = merchant_users::by_id(&db, user)
        .await
        .map_err(|error| unexpected("reading a dashboard user", &error))?
        .filter(|chosen| chosen.email == email)
        .ok_or_else(refused)?;
    staff_sessions::choose_user(&db, &session, chosen.id)
        .await
        .map_err(|error| unexpected("choosing a merchant", &error))?;
    leptos_axum::redirect(&DashboardPage::Overview.path());
    Ok(())
}

#[component]
pub fn DashboardChoosePage() -> impl IntoView {
    let choose = ServerAction::<ChooseMerchant>::new();
    dashboard_page(choose_page(), move |view| {
        view! { <ChooseForm view choose /> }.into_any()
    })
}

#[component]
fn ChooseForm(view: ChooseView, choose: ServerAction<ChooseMerchant>) -> impl IntoView {
    let result = action_result(choose);
    view! {
        <SignInFrame title="Choose a merchant">
            <p class="lead">
                <strong>{view.email}</strong> " works for several merchants. Which one do you want to open?"
            </p>
            <FormMessage result />
            <p class="field__error" role="alert">
                {move || match result.get() {
                    Some(Err(error)) => error.message_for("user"),
                    _ => None,
                }}
            </p>
            <ul class="choice-list">
                {view
                    .choices
                    .into_iter()
                    .map(|(user, name, role)| {
                        view! {
                            <li>
                                <ActionForm action=choose>
                                    <input type="hidden" name="user" value=user />
                                    <button type="submit" class="button button--secondary">
                                        {format!("{name} ({role})")}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </SignInFrame>
    }
}
