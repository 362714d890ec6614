//! The receipt, `/pay/{merchant_slug}/receipt/{payment_id}`: the confirmation number, what was
//! paid, and the honest status: a card payment succeeded (or was declined, with a way to try
//! another method); a bank debit is processing until its expected settlement date.

use crate::components::NotFound;
use crate::domain::ids::PaymentId;
use crate::domain::payment::PaymentStatus;
use crate::domain::sign_in::WizardStep;
use crate::wizard::{PayLinesTable, ReceiptView, WizardFrame, WizardPage, WizardRoute, WizardView};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let payment = params
        .read_untracked()
        .get("payment_id")
        .and_then(|id| PaymentId::parse(&id).ok());
    match payment {
        Some(payment) => view! {
            <WizardRoute
                page=WizardPage::Receipt(payment)
                refresh=Signal::derive(|| 0)
                render=std::sync::Arc::new(move |view| view! { <ReceiptStep view /> }.into_any())
            />
        }
        .into_any(),
        None => view! {
            <NotFound
                heading="There is no receipt at this address"
                advice="Open the billing link from your invoice email to see your invoices."
            />
        }
        .into_any(),
    }
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
fn ReceiptStep(view: WizardView) -> impl IntoView {
    let Some(receipt) = view.receipt.clone() else {
        return ().into_any();
    };
    let slug = view.merchant.slug.clone();
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
        <WizardFrame view step=WizardStep::Review>
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
    .into_any()
}
