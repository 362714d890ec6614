//! The returning customer's live installment plans, as step 4 shows them: the next date and
//! amount, what is paid and what is left, **Change payment method** (a page of its own,
//! `plan_method`), and **Pay off the rest**, which collects what is still scheduled today from
//! the plan's own card or account.

use crate::components::{action_result, field_message};
use crate::error::AppError;
use crate::wizard::receipt::{ReceiptPlan, ReceiptPlanTable};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One live plan of the customer's, formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPlan {
    pub id: String,
    /// "4,250.00 USD over 90 days, 4 payments, from Dec 3, 2026".
    pub heading: String,
    pub schedule: ReceiptPlan,
    /// What the installments are collected from ("Visa •••• 4242").
    pub instrument: String,
    /// "$225.00 on Mar 3, 2027", when an installment is still to come.
    pub next: Option<String>,
    pub paid: String,
    pub left: String,
    /// What paying off collects now (every installment still scheduled), as a plain number
    /// for the form and formatted for its button; `None` when nothing can be paid off now.
    pub pay_off: Option<(String, String)>,
    /// Why it cannot be paid off now, when it cannot.
    pub pay_off_blocked: Option<String>,
}

/// Plans step 4 lists at most (a customer has one or two live at a time).
#[cfg(feature = "ssr")]
const PLANS_SHOWN: u32 = 10;

/// The payer's active plans, oldest first.
#[cfg(feature = "ssr")]
pub async fn load(payer: &crate::wizard::session::Payer) -> Result<Vec<CustomerPlan>, AppError> {
    use crate::domain::installment_agreement::pay_now_label;
    use crate::domain::installment_plan::{InstallmentStatus, PlanStatus};
    use crate::domain::money::Money;
    use crate::error::unexpected;
    use crate::services::clock::date_for_people;
    use crate::services::installment_plans::{self, PlanFilter};
    use crate::services::page::PageRequest;
    use crate::wizard::receipt::receipt_plan;

    let filter = PlanFilter {
        customer: Some(payer.customer),
        status: Some(PlanStatus::Active),
    };
    let plans = installment_plans::list(
        &payer.db,
        payer.merchant_id,
        &filter,
        &PageRequest::first(PLANS_SHOWN),
    )
    .await
    .map_err(|error| unexpected("listing a customer's installment plans", &error))?;
    plans
        .items
        .into_iter()
        .map(|plan| {
            let zero = Money::zero(plan.total.currency());
            let sum = |wanted: &dyn Fn(InstallmentStatus) -> bool| {
                plan.installments
                    .iter()
                    .filter(|installment| wanted(installment.status))
                    .try_fold(zero, |sum, installment| sum.checked_add(installment.amount))
            };
            let paid = sum(&|status| status == InstallmentStatus::Collected)
                .map_err(|error| unexpected("adding up a plan's installments", &error))?;
            let scheduled = sum(&|status| status == InstallmentStatus::Scheduled)
                .map_err(|error| unexpected("adding up a plan's installments", &error))?;
            let left = plan
                .total
                .checked_sub(paid)
                .map_err(|error| unexpected("adding up a plan's installments", &error))?;
            let next = plan
                .installments
                .iter()
                .filter(|installment| installment.status.still_to_collect())
                .min_by_key(|installment| installment.next_attempt_on.unwrap_or(installment.due_on))
                .map(|installment| {
                    let on = installment.next_attempt_on.unwrap_or(installment.due_on);
                    format!("{} on {}", installment.amount, date_for_people(on))
                });
            let awaiting = plan
                .installments
                .iter()
                .any(|installment| installment.status == InstallmentStatus::AwaitingMethod);
            let (pay_off, pay_off_blocked) = if awaiting {
                (
                    None,
                    Some(format!(
                        "{} was refused: change the payment method to keep the plan.",
                        plan.instrument_label
                    )),
                )
            } else if scheduled.is_zero() {
                (
                    None,
                    Some("Every installment is collected or under way.".to_owned()),
                )
            } else {
                (
                    Some((scheduled.to_plain_string(), pay_now_label(scheduled))),
                    None,
                )
            };
            let started = plan
                .installments
                .first()
                .map(|first| date_for_people(first.due_on))
                .unwrap_or_default();
            let schedule = receipt_plan(&plan, None);
            Ok(CustomerPlan {
                id: plan.id.to_string(),
                heading: format!("{} over {}, from {started}", plan.total, schedule.term),
                schedule,
                instrument: plan.instrument_label.clone(),
                next,
                paid: paid.to_string(),
                left: left.to_string(),
                pay_off,
                pay_off_blocked,
            })
        })
        .collect()
}

/// **Pay off the rest**: every installment of the plan still scheduled is collected today from
/// the plan's card or account, provided it still adds up to `amount` (what the page showed).
/// Then the browser goes to the receipt of the plan's last installment.
#[server(endpoint = "wizard/plan_pay_off")]
pub async fn pay_off_plan(
    merchant_slug: String,
    #[server(default)] plan_id: String,
    #[server(default)] amount: String,
) -> Result<(), AppError> {
    use crate::domain::ids::PlanId;
    use crate::domain::money::{AmountSyntax, Money};
    use crate::error::unexpected;
    use crate::services::checkout::{self, PaymentServices};
    use crate::services::from_context;
    use crate::services::installment_payoff;
    use crate::services::installment_plans::{self, PlanError};
    use crate::services::keys::Keys;
    use crate::services::processors::Processor;
    use crate::wizard::WizardPage;
    use crate::wizard::guard;

    let refused = |message: String| AppError::Invalid {
        field: "plan_id".to_owned(),
        message,
    };
    let not_yours = || refused(installment_payoff::PayOffRefusal::NotFound.to_string());
    let payer = guard::require_payer(&merchant_slug).await?;
    let id = PlanId::parse(&plan_id).map_err(|_| not_yours())?;
    let plan = match installment_plans::get(&payer.db, payer.merchant_id, id).await {
        Ok(plan) if plan.customer == payer.customer => plan,
        Ok(_) | Err(PlanError::NotFound) => return Err(not_yours()),
        Err(error) => return Err(unexpected("reading a plan to pay it off", &error)),
    };
    let expected =
        Money::parse(&amount, plan.total.currency(), AmountSyntax::Plain).map_err(|_| {
            refused("This form is incomplete: reload the page and try again.".to_owned())
        })?;
    let services = PaymentServices {
        db: payer.db.clone(),
        processor: from_context::<Processor>()?,
        keys: from_context::<Keys>()?,
    };
    let today = services
        .processor
        .today()
        .await
        .map_err(|error| unexpected("reading the processor's date", &error))?;
    installment_payoff::pay_off(
        &payer.db,
        payer.merchant_id,
        payer.customer,
        id,
        expected,
        today,
    )
    .await
    .map_err(|error| unexpected("paying off a plan", &error))?
    .map_err(|refusal| refused(refusal.to_string()))?;
    // Collected now rather than at the worker's next round, so that the receipt shows it; a
    // failure here leaves the installments due, and the worker collects them.
    if let Err(error) = checkout::collect_plan_now(&services, id).await {
        tracing::error!(error = %crate::error::Chain(&error), "collecting a paid-off plan");
    }
    let last_payment = installment_plans::get(&payer.db, payer.merchant_id, id)
        .await
        .map_err(|error| unexpected("reading a paid-off plan", &error))?
        .installments
        .iter()
        .rev()
        .find_map(|installment| installment.payment);
    let slug = &payer.merchant.slug;
    let path = match last_payment {
        Some(payment) => format!("/pay/{slug}/receipt/{payment}"),
        None => WizardPage::Invoices.path(slug),
    };
    leptos_axum::redirect(&path);
    Ok(())
}

/// The customer's live plans, each with its schedule and its pay-off form.
#[component]
pub fn CustomerPlans(slug: String, plans: Vec<CustomerPlan>) -> impl IntoView {
    if plans.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="plans-list" aria-labelledby="plans-heading">
            <h2 id="plans-heading">"Your installment plans"</h2>
            {plans
                .into_iter()
                .map(|plan| view! { <PlanCard slug=slug.clone() plan /> })
                .collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn PlanCard(slug: String, plan: CustomerPlan) -> impl IntoView {
    let pay_off = ServerAction::<PayOffPlan>::new();
    let result = action_result(pay_off);
    let refusal = field_message(result, "plan_id");
    let error_id = format!("plan-{}-error", plan.id);
    let heading_id = format!("plan-{}-heading", plan.id);
    let labelled_by = heading_id.clone();
    view! {
        <article class="plan-card" aria-labelledby=labelled_by>
            <h3 id=heading_id>{plan.heading.clone()}</h3>
            <dl class="review__facts">
                <dt>"Next payment"</dt>
                <dd>{plan.next.clone().unwrap_or_else(|| "None left to schedule".to_owned())}</dd>
                <dt>"Paid so far"</dt>
                <dd>{plan.paid.clone()}</dd>
                <dt>"Left to pay"</dt>
                <dd>{plan.left.clone()}</dd>
                <dt>"Collected from"</dt>
                <dd>{plan.instrument.clone()}</dd>
            </dl>
            <ReceiptPlanTable plan=plan.schedule.clone() />
            <a class="button button--secondary" href=format!("/pay/{slug}/plans/{}/method", plan.id)>"Change payment method"<span class="visually-hidden">{format!(" of the plan of {}", plan.heading)}</span></a>
            {match plan.pay_off.clone() {
                Some((amount, label)) => view! {
                    <details class="plan-card__pay-off">
                        <summary>"Pay off the rest"<span class="visually-hidden">{format!(" of the plan of {}", plan.heading)}</span></summary>
                        <ActionForm action=pay_off attr:novalidate=true attr:class="form">
                            <input type="hidden" name="merchant_slug" value=slug.clone() />
                            <input type="hidden" name="plan_id" value=plan.id.clone() />
                            <input type="hidden" name="amount" value=amount />
                            <p>{format!("Every installment still scheduled is collected today from {}, instead of on its date. The plan's fee stays as agreed.", plan.instrument)}</p>
                            <p id=error_id.clone() class="field__error" role="alert">{move || refusal.get()}</p>
                            <button type="submit" class="button button--pay" aria-describedby=error_id>{label}</button>
                        </ActionForm>
                    </details>
                }
                .into_any(),
                None => view! { <p class="muted">{plan.pay_off_blocked.clone()}</p> }.into_any(),
            }}
        </article>
    }
}
