//! The receipt, `/pay/{merchant_slug}/receipt/{payment_id}`: the confirmation number, what was
//! paid, and the honest status: a card payment succeeded (or was declined, with a way to try
//! another method); a bank debit is processing until its expected settlement date.

use crate::components::{PayLine, PayLinesTable};
use crate::domain::payment::PaymentStatus;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A payment as its receipt shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub frame: Frame,
    pub confirmation_number: String,
    pub status: PaymentStatus,
    pub lines: Vec<PayLine>,
    pub total: String,
    pub instrument_label: String,
    /// When a bank debit is expected to settle, as people read dates.
    pub settles_on: Option<String>,
    pub failure_reason: Option<String>,
    pub return_code: Option<String>,
    /// Whether the invoices are still chosen, so another method is one step away.
    pub can_retry: bool,
    /// When the payment is an installment: the whole plan.
    pub plan: Option<ReceiptPlan>,
}

/// A plan as a receipt shows it: what was collected and every later date and amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPlan {
    /// "90 days, 4 payments".
    pub term: String,
    /// "active", "completed", ...
    pub status: String,
    pub installments: Vec<ReceiptInstallment>,
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptInstallment {
    pub date: String,
    pub amount: String,
    /// "Collected", "Scheduled", "Retrying on Jan 7, 2027", ...
    pub state: String,
    /// Whether this receipt is this installment's.
    pub this_one: bool,
}

/// The receipt of `payment_id`, one of the signed-in customer's payments; any other id, or one
/// that is not a payment id at all, has no receipt here.
#[server(endpoint = "wizard/page/receipt")]
pub async fn receipt_page(
    merchant_slug: String,
    payment_id: String,
) -> Result<PageState<ReceiptView>, AppError> {
    use crate::domain::ids::PaymentId;
    use crate::error::unexpected;
    use crate::services::clock::{date_for_people, parse_date};
    use crate::services::installment_plans;
    use crate::services::payments::{self, PaymentError};
    use crate::wizard::guard::{self, Entry};

    let Ok(payment) = PaymentId::parse(&payment_id) else {
        return Ok(PageState::NoReceipt);
    };
    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Receipt(payment)).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let payment = match payments::get(&payer.db, payer.merchant_id, payment).await {
        Ok(payment) if payment.customer == payer.customer => payment,
        Ok(_) | Err(PaymentError::NotFound) => return Ok(PageState::NoReceipt),
        Err(error) => return Err(unexpected("reading a payment for its receipt", &error)),
    };
    let in_plan = installment_plans::plan_of_payment(&payer.db, payer.merchant_id, payment.id)
        .await
        .map_err(|error| unexpected("reading a payment's installment plan", &error))?;
    let mut lines: Vec<PayLine> = payment
        .allocations
        .iter()
        .map(|allocation| PayLine {
            number: allocation.invoice_number.to_string(),
            amount: allocation.amount.to_string(),
        })
        .collect();
    if let Some(fee) = in_plan
        .as_ref()
        .and_then(|(plan, position)| plan.installments.get(*position as usize))
        .map(|installment| installment.fee)
        .filter(|fee| !fee.is_zero())
    {
        lines.push(PayLine {
            number: "Installment plan fee".to_owned(),
            amount: fee.to_string(),
        });
    }
    let plan = in_plan.map(|(plan, position)| receipt_plan(&plan, Some(position)));
    Ok(PageState::show(ReceiptView {
        confirmation_number: payment.id.to_string(),
        status: payment.status,
        lines,
        total: payment.amount.to_string(),
        instrument_label: payment.instrument_label.clone().unwrap_or_default(),
        settles_on: payment
            .settles_on
            .as_deref()
            .and_then(|text| parse_date(text).ok())
            .map(date_for_people),
        failure_reason: payment.failure_reason.clone(),
        return_code: payment.return_code.clone(),
        can_retry: !payer.session.checkout.selection.is_empty(),
        plan,
        frame: payer.frame(),
    }))
}

/// A plan's installments as the receipt and step 4 show them; `this_one` marks the installment
/// of the payment being shown.
#[cfg(feature = "ssr")]
pub fn receipt_plan(
    plan: &crate::services::installment_plans::Plan,
    this_one: Option<u32>,
) -> ReceiptPlan {
    use crate::domain::installment_plan::InstallmentStatus;
    use crate::services::clock::date_for_people;

    ReceiptPlan {
        term: format!(
            "{} days, {} payments",
            plan.term_days,
            plan.installments.len()
        ),
        status: plan.status.code().to_owned(),
        total: plan.total.to_string(),
        installments: plan
            .installments
            .iter()
            .map(|installment| ReceiptInstallment {
                date: date_for_people(installment.due_on),
                amount: installment.amount.to_string(),
                state: match (installment.status, installment.next_attempt_on) {
                    (InstallmentStatus::Collected, _) => "Collected".to_owned(),
                    (InstallmentStatus::Collecting, _) => "Being collected".to_owned(),
                    (InstallmentStatus::Scheduled, Some(next)) if next > installment.due_on => {
                        format!("Retrying on {}", date_for_people(next))
                    }
                    (InstallmentStatus::Scheduled, Some(next)) if next < installment.due_on => {
                        format!("Collecting early, on {}", date_for_people(next))
                    }
                    (InstallmentStatus::Scheduled, _) => "Scheduled".to_owned(),
                    (InstallmentStatus::AwaitingMethod, Some(until)) => format!(
                        "Needs another card or account by {}",
                        date_for_people(until)
                    ),
                    (InstallmentStatus::AwaitingMethod, None) => {
                        "Needs another card or account".to_owned()
                    }
                    (InstallmentStatus::Failed, _) => "Failed".to_owned(),
                    (InstallmentStatus::Cancelled, _) => "Not collected: the plan ended".to_owned(),
                },
                this_one: Some(installment.position) == this_one,
            })
            .collect(),
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let payment_id = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("payment_id")
        .unwrap_or_default();
    step_page(receipt_page(merchant_slug(), payment_id), |receipt| {
        view! { <ReceiptStep receipt /> }.into_any()
    })
}

/// The heading and the sentence under it for a payment's status.
fn status_text(receipt: &ReceiptView) -> (&'static str, String) {
    match receipt.status {
        PaymentStatus::Succeeded => (
            "Payment complete",
            "Your payment succeeded. Thank you!".to_owned(),
        ),
        PaymentStatus::Processing | PaymentStatus::Pending => (
            "Payment processing",
            match &receipt.settles_on {
                Some(date) => {
                    format!("Your bank payment is processing. It is expected to settle on {date}.")
                }
                None => "Your payment is processing.".to_owned(),
            },
        ),
        PaymentStatus::Failed => (
            "Payment declined",
            receipt
                .failure_reason
                .clone()
                .unwrap_or_else(|| "The payment did not go through.".to_owned()),
        ),
        PaymentStatus::Returned => (
            "Payment returned",
            format!(
                "Your bank returned this payment ({}). The invoices are open again.",
                receipt.return_code.as_deref().unwrap_or("no code")
            ),
        ),
        PaymentStatus::Refunded => ("Payment refunded", "This payment was refunded.".to_owned()),
    }
}

#[component]
fn ReceiptStep(receipt: ReceiptView) -> impl IntoView {
    let slug = receipt.frame.merchant.slug.clone();
    let (heading, sentence) = status_text(&receipt);
    let failed = receipt.status == PaymentStatus::Failed;
    let status_class = format!("status status--{}", receipt.status.code());
    let next = if failed && receipt.can_retry {
        view! { <a class="button" href=WizardPage::Method.path(&slug)>"Try another method"</a> }
            .into_any()
    } else {
        view! { <a class="button button--secondary" href=WizardPage::Invoices.path(&slug)>"Back to your invoices"</a> }.into_any()
    };
    view! {
        <WizardFrame frame=receipt.frame.clone() step=WizardStep::Review>
            <h1>{heading}</h1>
            <p class=status_class role="status">
                "Status: " <strong>{receipt.status.code()}</strong> ". " {sentence}
            </p>
            <dl class="review__facts">
                <dt>"Confirmation number"</dt>
                <dd class="confirmation">{receipt.confirmation_number.clone()}</dd>
                <dt>"Paid with"</dt>
                <dd>{receipt.instrument_label.clone()}</dd>
            </dl>
            <PayLinesTable caption="What this payment pays" lines=receipt.lines.clone() total=receipt.total.clone() />
            {receipt.plan.clone().map(|plan| view! { <ReceiptPlanTable plan /> })}
            {(!failed).then(|| view! { <p class="muted">"A receipt is on its way to your email."</p> })}
            {next}
        </WizardFrame>
    }
}

/// Every installment of the plan a payment belongs to, this payment's marked.
#[component]
pub fn ReceiptPlanTable(plan: ReceiptPlan) -> impl IntoView {
    let rows = plan
        .installments
        .into_iter()
        .map(|installment| {
            let current = installment.this_one.then_some("true");
            view! {
                <tr aria-current=current>
                    <td>{installment.date}</td>
                    <td class="amount">{installment.amount}</td>
                    <td>{installment.state}{installment.this_one.then_some(" (this payment)")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="plan">
            <caption>{format!("Installment plan: {} ({})", plan.term, plan.status)}</caption>
            <thead><tr><th scope="col">"Date"</th><th scope="col" class="amount">"Amount"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{rows}</tbody>
            <tfoot><tr><th scope="row">"Total"</th><td class="amount">{plan.total}</td><td></td></tr></tfoot>
        </table>
    }
}
