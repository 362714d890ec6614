//! Between steps 2 and 3, `/pay/{merchant_slug}/account`: an address that is a contact of
//! several of the merchant's customers chooses which one it is paying for.

use crate::components::{FormMessage, RadioGroup, action_result};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What this step shows: the businesses the address may pay for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub frame: Frame,
    pub accounts: Vec<AccountChoice>,
}

/// A customer a contact may pay for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
}

#[server(endpoint = "wizard/page/account")]
pub async fn account_page(merchant_slug: String) -> Result<PageState<AccountView>, AppError> {
    use crate::error::unexpected;
    use crate::services::customers;
    use crate::wizard::WizardPage;
    use crate::wizard::guard::{self, Entry};

    let visit = match guard::enter(&merchant_slug, WizardPage::Account).await? {
        Entry::Open(visit) => visit,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let Some(email) = visit
        .session
        .as_ref()
        .and_then(|session| session.verified_email.as_ref())
    else {
        return Ok(visit.elsewhere().into());
    };
    let known = customers::find_by_contact(&visit.db, visit.merchant_id, email)
        .await
        .map_err(|error| unexpected("reading a contact's customers", &error))?;
    Ok(PageState::show(AccountView {
        frame: visit.frame(),
        accounts: known
            .into_iter()
            .map(|customer| AccountChoice {
                id: customer.id.to_string(),
                name: customer.legal_name.to_string(),
            })
            .collect(),
    }))
}

#[server(endpoint = "wizard/account")]
pub async fn choose_account(merchant_slug: String, customer_id: String) -> Result<(), AppError> {
    use crate::error::unexpected;
    use crate::services::{customers, sessions};
    use crate::wizard::WizardPage;
    use crate::wizard::{guard, session};

    let guard::Visit {
        db,
        merchant_id,
        merchant,
        session: current,
        ..
    } = guard::require(&merchant_slug, &[WizardPage::Account]).await?;
    let Some((current, email)) =
        current.and_then(|session| session.verified_email.clone().map(|email| (session, email)))
    else {
        return Err(AppError::Unexpected);
    };
    let known = customers::find_by_contact(&db, merchant_id, &email)
        .await
        .map_err(|error| unexpected("reading a contact's customers", &error))?;
    // Only a customer this address is a contact of: the id in the form is not trusted.
    let chosen = known
        .iter()
        .find(|customer| customer.id.to_string() == customer_id)
        .ok_or_else(|| AppError::Invalid {
            field: "customer_id".to_owned(),
            message: "Choose the business you are paying for.".to_owned(),
        })?;
    sessions::choose_customer(&db, &current.id, chosen.id)
        .await
        .map_err(|error| unexpected("choosing a customer", &error))?;
    let mut chosen = sessions::find_by_id(&db, &current.id)
        .await
        .map_err(|error| unexpected("reading a session", &error))?;
    let next = session::position(&db, chosen.as_mut()).await?;
    leptos_axum::redirect(&next.path(&merchant.slug));
    Ok(())
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let choose = ServerAction::<ChooseAccount>::new();
    step_page(account_page(merchant_slug()), move |view| {
        view! { <AccountStep view choose /> }.into_any()
    })
}

#[component]
fn AccountStep(view: AccountView, choose: ServerAction<ChooseAccount>) -> impl IntoView {
    let result = action_result(choose);
    let slug = view.frame.merchant.slug.to_string();
    let first = view
        .accounts
        .first()
        .map(|account| account.id.clone())
        .unwrap_or_default();
    let options: Vec<(String, String)> = view
        .accounts
        .into_iter()
        .map(|account| (account.id, account.name))
        .collect();
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Business>
            <h1>"Which business are you paying for?"</h1>
            <p class="lead">"Your email address is a contact of more than one business here."</p>
            <ActionForm action=choose attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug />
                <FormMessage result />
                <RadioGroup name="customer_id" legend="Business" options chosen=first result />
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
        </WizardFrame>
    }
}
