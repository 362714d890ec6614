//! Step 6, `/pay/{merchant_slug}/method`: how to pay, among the methods the merchant enabled
//! that fit the invoices' currency.

use crate::components::{Choice, FormMessage, RadioGroup, action_result};
use crate::domain::payment::PaymentMethodKind;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 6 shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodView {
    pub frame: Frame,
    /// The amount being paid, formatted.
    pub total: String,
    pub methods: Vec<MethodChoice>,
    pub chosen: Option<PaymentMethodKind>,
}

/// A method step 6 offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub method: PaymentMethodKind,
    pub label: String,
    pub clearing: String,
}

#[server(endpoint = "wizard/page/method")]
pub async fn method_page(merchant_slug: String) -> Result<PageState<MethodView>, AppError> {
    use crate::domain::checkout::{clearing_time, method_label, methods_for};
    use crate::domain::money::Currency;
    use crate::error::unexpected;
    use crate::services::payments;
    use crate::wizard::guard::{self, Entry};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Method).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let checkout = &payer.session.checkout;
    let enabled = payments::enabled_methods(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading a merchant's payment methods", &error))?;
    let methods = methods_for(&enabled, checkout.currency().unwrap_or(Currency::Usd))
        .into_iter()
        .map(|method| MethodChoice {
            method,
            label: method_label(method).to_owned(),
            clearing: clearing_time(method).to_owned(),
        })
        .collect();
    Ok(PageState::show(MethodView {
        total: payer.total_to_pay(),
        methods,
        chosen: checkout.method,
        frame: payer.frame(),
    }))
}

#[server(endpoint = "wizard/method")]
pub async fn choose_method(
    merchant_slug: String,
    #[server(default)] method: String,
) -> Result<(), AppError> {
    use crate::domain::checkout::methods_for;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::payments;
    use crate::wizard::guard;

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    let Some(currency) = checkout.currency() else {
        let path = WizardPage::Amounts.path(&payer.merchant.slug);
        leptos_axum::redirect(&path);
        return Err(AppError::WrongStep {
            path,
            message: "Choose the invoices to pay first.".to_owned(),
        });
    };
    let enabled = payments::enabled_methods(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading a merchant's payment methods", &error))?;
    let chosen = PaymentMethodKind::parse(&method)
        .ok()
        .filter(|chosen| methods_for(&enabled, currency).contains(chosen))
        .ok_or_else(|| AppError::Invalid {
            field: "method".to_owned(),
            message: "Choose one of the payment methods listed.".to_owned(),
        })?;
    checkout.choose_method(chosen);
    payer.save_checkout(&checkout).await?;
    payer.go_to(WizardPage::Details);
    Ok(())
}

#[component]
pub fn MethodPage() -> impl IntoView {
    let submit = ServerAction::<ChooseMethod>::new();
    step_page(method_page(merchant_slug()), move |view| {
        view! { <MethodStep view submit /> }.into_any()
    })
}

#[component]
fn MethodStep(view: MethodView, submit: ServerAction<ChooseMethod>) -> impl IntoView {
    let result = action_result(submit);
    let slug = view.frame.merchant.slug.clone();
    let total = view.total.clone();
    let chosen = view
        .chosen
        .map(|method| method.code().to_owned())
        .unwrap_or_default();
    let options: Vec<Choice> = view
        .methods
        .iter()
        .map(|choice| Choice {
            value: choice.method.code().to_owned(),
            label: choice.label.clone(),
            help: Some(choice.clearing.clone()),
        })
        .collect();
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Method back=(WizardPage::Amounts.path(&slug), "What to pay")>
            <h1>"How would you like to pay?"</h1>
            <p class="lead">{format!("You are paying {total}.")}</p>
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug.to_string() />
                <FormMessage result />
                <RadioGroup name="method" legend="Payment method" options chosen result />
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
        </WizardFrame>
    }
}
