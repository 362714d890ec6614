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
    Ok(PageState::show(ReceiptView {
        confirmation_number: payment.id.to_string(),
        status: payment.status,
        lines: payment
            .allocations
            .iter()
            .map(|allocation| PayLine {
                number: allocation.invoice_number.to_string(),
                amount: allocation.amount.to_string(),
            })
            .collect(),
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
        frame: payer.frame(),
    }))
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
            {(!failed).then(|| view! { <p class="muted">"A receipt is on its way to your email."</p> })}
            {next}
        </WizardFrame>
    }
}
