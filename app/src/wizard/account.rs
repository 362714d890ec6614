//! Between steps 2 and 3, `/pay/{merchant_slug}/account`: an address that is a contact of
//! several of the merchant's customers chooses which one it is paying for.

use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::focus_first_invalid_field;
use crate::wizard::{
    FieldMessage, FormMessage, WizardFrame, WizardPage, WizardRoute, WizardView, action_result,
    field_message,
};
use leptos::prelude::*;

#[server(endpoint = "wizard/account")]
pub async fn choose_account(merchant_slug: String, customer_id: String) -> Result<(), AppError> {
    use crate::error::unexpected;
    use crate::services::{Database, customers, from_context, sessions};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    session::require_position(position, &[WizardPage::Account], &merchant.slug)?;
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
    view! {
        <WizardRoute
            page=WizardPage::Account
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <AccountStep view choose /> }.into_any())
        />
    }
}

#[component]
fn AccountStep(view: WizardView, choose: ServerAction<ChooseAccount>) -> impl IntoView {
    let result = action_result(choose);
    focus_first_invalid_field(result);
    let error = field_message(result, "customer_id");
    let slug = view.merchant.slug.to_string();
    let accounts = view.accounts.clone();
    view! {
        <WizardFrame view step=WizardStep::Business>
            <h1>"Which business are you paying for?"</h1>
            <p class="lead">"Your email address is a contact of more than one business here."</p>
            <ActionForm action=choose attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug />
                <FormMessage result />
                <fieldset class="field" aria-describedby="customer-error">
                    <legend>"Business"</legend>
                    {accounts
                        .into_iter()
                        .enumerate()
                        .map(|(index, account)| {
                            let id = format!("customer-{index}");
                            view! {
                                <div class="choice">
                                    <input type="radio" id=id.clone() name="customer_id" value=account.id checked=index == 0 />
                                    <label for=id>{account.name}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                    <FieldMessage id="customer-error" message=error />
                </fieldset>
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
        </WizardFrame>
    }
}
