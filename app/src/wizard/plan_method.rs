//! `/pay/{merchant_slug}/plans/{plan_id}/method`: **Change payment method** of one of the
//! customer's live installment plans. The payments still to come are collected from the card
//! entered here, under an authorization kept as shown, as the plan's own agreement is.

// One argument per form field: that is how `ActionForm` names its inputs.
#![allow(clippy::too_many_arguments)]

use crate::components::{AuthorizeBox, FormMessage, action_result};
use crate::domain::checkout::CardDraft;
use crate::domain::sensitive::SensitiveText;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::card::CardFields;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use crate::wizard::receipt::{ReceiptPlan, ReceiptPlanTable};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanMethodView {
    pub frame: Frame,
    pub plan_id: String,
    pub schedule: ReceiptPlan,
    /// The card or account the plan is collected from now.
    pub current: String,
    /// The authorization the customer ticks, exactly as it is kept.
    pub authorization: String,
    pub draft: CardDraft,
}

/// The plan `plan_id` of the signed-in customer, active, with the authorization text for the
/// rest of it; `None` for any other id.
#[cfg(feature = "ssr")]
async fn live_plan(
    payer: &crate::wizard::session::Payer,
    plan_id: &str,
) -> Result<Option<(crate::services::installment_plans::Plan, String)>, AppError> {
    use crate::domain::ids::PlanId;
    use crate::domain::installment_agreement::method_change_text;
    use crate::domain::installment_plan::PlanStatus;
    use crate::error::unexpected;
    use crate::services::clock::date_for_people;
    use crate::services::installment_plans::{self, PlanError};

    let Ok(id) = PlanId::parse(plan_id) else {
        return Ok(None);
    };
    let plan = match installment_plans::get(&payer.db, payer.merchant_id, id).await {
        Ok(plan) if plan.customer == payer.customer && plan.status == PlanStatus::Active => plan,
        Ok(_) | Err(PlanError::NotFound) => return Ok(None),
        Err(error) => return Err(unexpected("reading a plan to change its method", &error)),
    };
    let remaining: Vec<(String, crate::domain::money::Money)> = plan
        .installments
        .iter()
        .filter(|installment| installment.status.still_to_collect())
        .map(|installment| {
            let on = installment.next_attempt_on.unwrap_or(installment.due_on);
            (date_for_people(on), installment.amount)
        })
        .collect();
    let text = method_change_text(
        &payer.merchant.display_name,
        &plan.instrument_label,
        &remaining,
    );
    Ok(Some((plan, text)))
}

#[server(endpoint = "wizard/page/plan_method")]
pub async fn plan_method_page(
    merchant_slug: String,
    plan_id: String,
) -> Result<PageState<PlanMethodView>, AppError> {
    use crate::domain::ids::PlanId;
    use crate::wizard::guard::{self, Entry};
    use crate::wizard::receipt::receipt_plan;

    let Ok(id) = PlanId::parse(&plan_id) else {
        return Ok(PageState::NoPlan);
    };
    let payer = match guard::enter_paying(&merchant_slug, WizardPage::PlanMethod(id)).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let Some((plan, authorization)) = live_plan(&payer, &plan_id).await? else {
        return Ok(PageState::NoPlan);
    };
    Ok(PageState::show(PlanMethodView {
        frame: payer.frame(),
        plan_id: plan.id.to_string(),
        schedule: receipt_plan(&plan, None),
        current: plan.instrument_label.clone(),
        authorization,
        draft: payer.session.checkout.card_draft.clone(),
    }))
}

/// Tokenizes the card and moves the rest of the plan onto it, with the authorization kept;
/// then back to step 4, where the plan shows the new card.
#[server(endpoint = "wizard/plan_method")]
pub async fn change_plan_method(
    merchant_slug: String,
    #[server(default)] plan_id: String,
    #[server(default)] card_number: SensitiveText,
    #[server(default)] expiry: String,
    #[server(default)] security_code: SensitiveText,
    #[server(default)] name_on_card: String,
    #[server(default)] postal_code: String,
    #[server(default)] authorize: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::business::FieldError;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::from_context;
    use crate::services::installment_method_change::{self, MethodChange};
    use crate::services::payments::NewAuthorization;
    use crate::services::processors::Processor;
    use crate::wizard::card::{TypedCard, tokenize};
    use crate::wizard::{guard, session};

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    checkout.keep_card_draft(CardDraft {
        expiry: expiry.clone(),
        name: name_on_card.clone(),
        postal_code: postal_code.clone(),
    });
    payer.save_checkout(&checkout).await?;
    let ended = || AppError::WrongStep {
        path: WizardPage::Invoices.path(&payer.merchant.slug),
        message: "This installment plan has ended or is not yours: see your invoices.".to_owned(),
    };
    let Some((plan, authorization)) = live_plan(&payer, &plan_id).await? else {
        return Err(ended());
    };
    let unauthorized = authorize
        .is_none()
        .then(|| FieldError {
            field: "authorize".to_owned(),
            message: "Tick the box to authorize the new card for the rest of the plan.".to_owned(),
        })
        .into_iter()
        .collect();
    let typed = TypedCard {
        number: card_number,
        expiry,
        security_code,
        name: name_on_card,
        postal_code,
    };
    let instrument = tokenize(&payer, &typed, unauthorized).await?;
    let processor: Processor = from_context()?;
    let today = processor
        .today()
        .await
        .map_err(|error| unexpected("reading the processor's date", &error))?;
    let change = MethodChange {
        method: PaymentMethodKind::Card,
        instrument,
        authorization: NewAuthorization {
            text: authorization,
            client_address: session::client_address().0,
        },
    };
    installment_method_change::change_method(
        &payer.db,
        payer.merchant_id,
        payer.customer,
        plan.id,
        change,
        today,
    )
    .await
    .map_err(|error| unexpected("changing a plan's method", &error))?
    .map_err(|_| ended())?;
    leptos_axum::redirect(&WizardPage::Invoices.path(&payer.merchant.slug));
    Ok(())
}

#[component]
pub fn PlanMethodPage() -> impl IntoView {
    let plan_id = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("plan_id")
        .unwrap_or_default();
    let submit = ServerAction::<ChangePlanMethod>::new();
    step_page(plan_method_page(merchant_slug(), plan_id), move |view| {
        view! { <PlanMethodStep view submit /> }.into_any()
    })
}

#[component]
fn PlanMethodStep(view: PlanMethodView, submit: ServerAction<ChangePlanMethod>) -> impl IntoView {
    let result = action_result(submit);
    let slug = view.frame.merchant.slug.clone();
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Invoices back=(WizardPage::Invoices.path(&slug), "Your invoices")>
            <h1>"Change payment method"</h1>
            <p class="lead">{format!("The payments still to come on this plan are collected from {} now. Enter the card to collect them from instead.", view.current)}</p>
            <ReceiptPlanTable plan=view.schedule />
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug.to_string() />
                <input type="hidden" name="plan_id" value=view.plan_id />
                <FormMessage result />
                <CardFields draft=view.draft result />
                <AuthorizeBox text=view.authorization result />
                <p class="field__help">"Your card details go straight to our payment processor; we keep only the card's brand, last four digits and expiry."</p>
                <button type="submit" class="button">"Use this card for the rest of the plan"</button>
            </ActionForm>
        </WizardFrame>
    }
}
