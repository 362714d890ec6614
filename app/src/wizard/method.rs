//! Step 6, `/pay/{merchant_slug}/method`: how to pay, among the methods the merchant enabled
//! that fit the invoices' currency, or in installments when the merchant offers them for this
//! amount: then one radio group of plans, each with its whole schedule, and how they are
//! collected.

use crate::components::{
    Choice, FormMessage, RadioGroup, action_result, field_message, is_first_refused,
};
use crate::domain::payment::PaymentMethodKind;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use crate::wizard::review::{PlanSchedule, PlanView};
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
    /// The plans offered for this amount (none: installments are not offered).
    pub plans: Vec<PlanChoice>,
    /// What a plan may be collected by.
    pub plan_methods: Vec<MethodChoice>,
    /// The plan chosen before, by its days.
    pub chosen_plan: Option<u16>,
}

/// A plan step 6 offers: its term in days and its schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChoice {
    pub days: u16,
    pub schedule: PlanView,
}

/// The value of the method radio that chooses installments.
const INSTALLMENTS: &str = "installments";

/// A method step 6 offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub method: PaymentMethodKind,
    pub label: String,
    pub clearing: String,
}

#[server(endpoint = "wizard/page/method")]
pub async fn method_page(merchant_slug: String) -> Result<PageState<MethodView>, AppError> {
    use crate::domain::checkout::{
        clearing_time, method_label, methods_for, plan_method_label, plan_methods_for,
    };
    use crate::domain::money::Currency;
    use crate::error::unexpected;
    use crate::services::payments;
    use crate::wizard::guard::{self, Entry};
    use crate::wizard::review::{plan_view, schedule_for};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Method).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let checkout = &payer.session.checkout;
    let enabled = payments::enabled_methods(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading a merchant's payment methods", &error))?;
    let currency = checkout.currency().unwrap_or(Currency::Usd);
    let plan_methods: Vec<MethodChoice> = plan_methods_for(&enabled, currency)
        .into_iter()
        .map(|method| MethodChoice {
            method,
            label: plan_method_label(method).to_owned(),
            clearing: String::new(),
        })
        .collect();
    let mut plans = Vec::new();
    if let (false, Ok(Some(total))) = (plan_methods.is_empty(), checkout.total()) {
        for days in crate::domain::installments::TermDays::ALL {
            let Ok(term) = crate::domain::installments::TermDays::parse(days) else {
                continue;
            };
            if let Some(schedule) = schedule_for(&payer, term, total).await? {
                plans.push(PlanChoice {
                    days,
                    schedule: plan_view(&schedule),
                });
            }
        }
    }
    let methods = methods_for(&enabled, currency)
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
        plans,
        plan_methods,
        chosen_plan: checkout.plan.map(|term| term.days()),
        frame: payer.frame(),
    }))
}

#[server(endpoint = "wizard/method")]
pub async fn choose_method(
    merchant_slug: String,
    #[server(default)] method: String,
    #[server(default)] plan: String,
    #[server(default)] plan_method: String,
) -> Result<(), AppError> {
    use crate::domain::business::FieldError;
    use crate::domain::checkout::{methods_for, plan_methods_for};
    use crate::domain::installments::TermDays;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::payments;
    use crate::wizard::guard;
    use crate::wizard::review::schedule_for;

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
    if method == INSTALLMENTS {
        let total = checkout
            .total()
            .ok()
            .flatten()
            .ok_or(AppError::Unexpected)?;
        let term = plan
            .parse::<u16>()
            .ok()
            .and_then(|days| TermDays::parse(days).ok());
        let offered = match term {
            Some(term) => schedule_for(&payer, term, total).await?.map(|_| term),
            None => None,
        };
        let collected_by = PaymentMethodKind::parse(&plan_method)
            .ok()
            .filter(|chosen| plan_methods_for(&enabled, currency).contains(chosen));
        let mut refused = Vec::new();
        if offered.is_none() {
            refused.push(("plan", "Choose one of the installment plans listed."));
        }
        if collected_by.is_none() {
            refused.push(("plan_method", "Choose how the installments are collected."));
        }
        let (Some(term), Some(collected_by)) = (offered, collected_by) else {
            return Err(AppError::InvalidFields(
                refused
                    .into_iter()
                    .map(|(field, message)| FieldError {
                        field: field.to_owned(),
                        message: message.to_owned(),
                    })
                    .collect(),
            ));
        };
        checkout.choose_plan(term, collected_by);
        payer.save_checkout(&checkout).await?;
        payer.go_to(WizardPage::Details);
        return Ok(());
    }
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
    let chosen = match (view.chosen_plan, view.chosen) {
        (Some(_), _) => INSTALLMENTS.to_owned(),
        (None, Some(method)) => method.code().to_owned(),
        (None, None) => String::new(),
    };
    let mut options: Vec<Choice> = view
        .methods
        .iter()
        .map(|choice| Choice {
            value: choice.method.code().to_owned(),
            label: choice.label.clone(),
            help: Some(choice.clearing.clone()),
        })
        .collect();
    let offers_plans = !view.plans.is_empty();
    if offers_plans {
        options.push(Choice {
            value: INSTALLMENTS.to_owned(),
            label: "Pay in installments".to_owned(),
            help: Some(format!(
                "Spread the payment over {} to {} days, collected automatically.",
                view.plans.first().map_or(0, |plan| plan.days),
                view.plans.last().map_or(0, |plan| plan.days)
            )),
        });
    }
    let plan_methods: Vec<Choice> = view
        .plan_methods
        .iter()
        .map(|choice| Choice {
            value: choice.method.code().to_owned(),
            label: choice.label.clone(),
            help: None,
        })
        .collect();
    let chosen_plan_method = match view.chosen_plan {
        Some(_) => view
            .chosen
            .map(|method| method.code().to_owned())
            .unwrap_or_default(),
        None => String::new(),
    };
    let plans = view.plans.clone();
    let chosen_plan = view.chosen_plan;
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Method back=(WizardPage::Amounts.path(&slug), "What to pay")>
            <h1>"How would you like to pay?"</h1>
            <p class="lead">{format!("You are paying {total}.")}</p>
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug.to_string() />
                <FormMessage result />
                <RadioGroup name="method" legend="Payment method" options chosen result />
                // Erased to `AnyView`: nested inside the form's type it would be too deep for
                // the compiler's layout queries in the browser build.
                {offers_plans.then(|| view! {
                    <div class="plans">
                        <PlanGroup plans chosen=chosen_plan result />
                        <RadioGroup name="plan_method" legend="Collect the installments from" options=plan_methods chosen=chosen_plan_method inline=true result />
                    </div>
                }.into_any())}
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
        </WizardFrame>
    }
}

/// The radio group **Installment plan**: one option per term, each with its whole schedule.
#[component]
fn PlanGroup(
    plans: Vec<PlanChoice>,
    chosen: Option<u16>,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let error = field_message(result, "plan");
    let options = plans
        .into_iter()
        .enumerate()
        .map(|(index, plan)| {
            let id = format!("plan-{}", plan.days);
            let schedule_id = format!("{id}-schedule");
            view! {
                <div class="choice choice--plan">
                    <input
                        id=id.clone()
                        type="radio"
                        name="plan"
                        value=plan.days.to_string()
                        checked=chosen == Some(plan.days)
                        aria-invalid=move || (index == 0 && error.get().is_some()).to_string()
                        aria-describedby=format!("{schedule_id} plan-error")
                        autofocus=move || index == 0 && is_first_refused(result, "plan")
                    />
                    <label for=id>{plan.schedule.term.clone()}</label>
                    <div id=schedule_id class="choice__help">
                        <PlanSchedule plan=plan.schedule />
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices">
            <legend>"Installment plan"</legend>
            {options}
            <p id="plan-error" class="field__error" role="alert">{move || error.get()}</p>
        </fieldset>
    }
    .into_any()
}
