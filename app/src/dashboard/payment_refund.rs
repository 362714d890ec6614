//! The **Refunds** section of a payment's page: the refunds asked so far and what became of
//! each, and for an admin the **Refund** form of a succeeded card payment (all of what is left,
//! or part of it, confirmed by a tick: money that left cannot be taken back). A refused form
//! comes back to the page as typed, with the reason beside each field.

use crate::components::{FieldMessage, FormMessage, action_result, field_message};
use crate::dashboard::fields::TextField;
use crate::dashboard::notice::DoneNotice;
use crate::domain::money::{AmountSyntax, Money};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundsView {
    pub payment_id: String,
    pub lines: Vec<RefundLine>,
    /// The form, for an admin, while something is left to refund.
    pub form: Option<RefundForm>,
    /// What the refund just asked did, told once after the form is sent.
    pub announcement: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundLine {
    pub at: String,
    pub amount: String,
    pub status: String,
    pub requested_by: String,
    /// The refund's id, for an admin, while the processor's answer is awaited.
    pub ask_again: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundForm {
    pub payment_id: String,
    /// What is left to refund, as shown: `$1,250.00`.
    pub refundable: String,
    /// The amount field: what was typed, or all that is left.
    pub amount: String,
    pub error: Option<String>,
    /// Why the confirmation box needs ticking, when the form came back without it.
    pub confirm_error: Option<String>,
    /// A fresh key for each showing of the form: sending it twice refunds once.
    pub key: String,
}

#[cfg(feature = "ssr")]
const UNCONFIRMED: &str =
    "Tick the box to confirm the refund: money given back cannot be taken again.";

/// The amount typed, if it may be refunded of what is left.
pub fn refund_amount(text: &str, refundable: Money) -> Result<Money, String> {
    let amount = Money::parse(text, refundable.currency(), AmountSyntax::Typed)
        .map_err(|error| error.to_string())?;
    match amount.try_cmp(&refundable) {
        Ok(order) if order.is_le() => Ok(amount),
        _ => Err(format!(
            "At most {refundable} of this payment is left to refund."
        )),
    }
}

/// The section's data: `typed` is the amount a refused form sent back (`unconfirmed` when its
/// box was not ticked), `asked` the refund the form just made.
#[cfg(feature = "ssr")]
pub async fn refunds_view(
    staff: &crate::dashboard::guard::Staff,
    payment: &crate::services::payments::Payment,
    typed: Option<String>,
    unconfirmed: bool,
    asked: Option<String>,
) -> Result<RefundsView, AppError> {
    use crate::domain::ids::RefundId;
    use crate::error::unexpected;
    use crate::services::refunds::{self, RefundStatus};

    let merchant = staff.merchant_id();
    let all = refunds::of_payment(&staff.db, merchant, payment.id)
        .await
        .map_err(|error| unexpected("reading a payment's refunds", &error))?;
    let announcement = asked
        .and_then(|asked| RefundId::parse(&asked).ok())
        .and_then(|asked| all.iter().find(|refund| refund.id == asked))
        .map(|refund| match refund.status {
            RefundStatus::Succeeded => format!(
                "Refunded {}. The invoices it paid owe again what it gave back of them.",
                refund.amount
            ),
            RefundStatus::Failed => format!(
                "The processor refused to refund {}: {}",
                refund.amount,
                refund.failure_reason.as_deref().unwrap_or("it gave no reason.")
            ),
            RefundStatus::Pending => format!(
                "The refund of {} was asked of the processor, which has not answered yet: Portico asks again in a few minutes, or ask again now.",
                refund.amount
            ),
        });
    let refundable = refunds::refundable(payment)
        .map_err(|error| unexpected("working out what is left to refund", &error))?;
    let form = (staff.user.role.may_change() && !refundable.is_zero()).then(|| {
        let error = typed
            .as_deref()
            .and_then(|typed| refund_amount(typed, refundable).err());
        RefundForm {
            payment_id: payment.id.to_string(),
            refundable: refundable.to_string(),
            amount: typed.unwrap_or_else(|| refundable.to_grouped_string()),
            error,
            confirm_error: unconfirmed.then(|| UNCONFIRMED.to_owned()),
            key: uuid::Uuid::new_v4().to_string(),
        }
    });
    Ok(RefundsView {
        payment_id: payment.id.to_string(),
        lines: all
            .into_iter()
            .map(|refund| RefundLine {
                ask_again: (staff.user.role.may_change() && refund.status == RefundStatus::Pending)
                    .then(|| refund.id.to_string()),
                at: crate::dashboard::minute_of(&refund.created_at),
                amount: refund.amount.to_string(),
                status: match refund.failure_reason {
                    Some(reason) => format!("{}: {reason}", refund.status.label()),
                    None => refund.status.label().to_owned(),
                },
                requested_by: refund.requested_by,
            })
            .collect(),
        form,
        announcement,
    })
}

/// Refunds the amount typed of a payment through the processor, and shows the payment again
/// with what became of it.
#[server(endpoint = "dashboard/refund")]
pub async fn refund_payment(
    payment_id: String,
    #[server(default)] amount: String,
    #[server(default)] idempotency_key: String,
    #[server(default)] confirm: Option<String>,
) -> Result<(), AppError> {
    use crate::dashboard::{DashboardPage, encode_query_value, guard};
    use crate::domain::idempotency::IdempotencyKey;
    use crate::domain::ids::PaymentId;
    use crate::error::unexpected;
    use crate::services::checkout::PaymentServices;
    use crate::services::from_context;
    use crate::services::payments::{self, PaymentError};
    use crate::services::refunds::{self, RefundError, RefundRequest};

    let staff = guard::require_admin().await?;
    let no_such = || AppError::NotFound("There is no such payment.".to_owned());
    let id = PaymentId::parse(&payment_id).map_err(|_| no_such())?;
    let key = IdempotencyKey::parse(&idempotency_key).map_err(|_| AppError::Invalid {
        field: "request".to_owned(),
        message: "This form is incomplete: reload the page and try again.".to_owned(),
    })?;
    let merchant = staff.merchant_id();
    let payment = match payments::get(&staff.db, merchant, id).await {
        Ok(payment) => payment,
        Err(PaymentError::NotFound) => return Err(no_such()),
        Err(error) => return Err(unexpected("reading a payment", &error)),
    };
    let path = DashboardPage::Payment(id).path();
    let used_elsewhere = || AppError::Invalid {
        field: "request".to_owned(),
        message: "This form was already used for another refund: reload the page and try again."
            .to_owned(),
    };
    // The form sent again (a double click, a reload): what it did the first time, before the
    // amount is weighed against what that left.
    let earlier = refunds::find_by_key(&staff.db, merchant, &key)
        .await
        .map_err(|error| unexpected("looking up a refund by its key", &error))?;
    if let Some(earlier) = earlier {
        if earlier.payment != id {
            return Err(used_elsewhere());
        }
        leptos_axum::redirect(&format!("{path}?refund={}", earlier.id));
        return Ok(());
    }
    // The page checks the amount again against the payment as it is by then, and says why.
    let mut back = format!("{path}?refund_amount={}", encode_query_value(&amount));
    if confirm.is_none() {
        back.push_str("&refund_unconfirmed=1");
    }
    let refundable = refunds::refundable(&payment)
        .map_err(|error| unexpected("working out what is left to refund", &error))?;
    let (Ok(amount), Some(_)) = (refund_amount(&amount, refundable), confirm) else {
        leptos_axum::redirect(&back);
        return Ok(());
    };
    let services = PaymentServices {
        db: staff.db.clone(),
        processor: from_context()?,
        keys: from_context()?,
    };
    let request = RefundRequest {
        payment: id,
        amount,
        key,
        requested_by: staff.user.email.to_string(),
    };
    match refunds::refund(&services, merchant, request).await {
        Ok(refund) => {
            leptos_axum::redirect(&format!("{path}?refund={}", refund.id));
            Ok(())
        }
        // Another refund or a status change came first: the page shows what is left.
        Err(
            RefundError::ExceedsRefundable { .. }
            | RefundError::NotSucceeded(_)
            | RefundError::NotCard(_),
        ) => {
            leptos_axum::redirect(&back);
            Ok(())
        }
        Err(RefundError::NotFound) => Err(no_such()),
        Err(RefundError::IdempotencyKeyReused) => Err(used_elsewhere()),
        Err(error) => Err(unexpected("refunding a payment", &error)),
    }
}

/// Asks the processor again about a refund it has not answered (its job does too, on its
/// back-off; this is for the admin who would rather not wait), and shows the payment again with
/// what became of it. Asking about a refund already answered changes nothing.
#[server(endpoint = "dashboard/refund/again")]
pub async fn ask_refund_again(payment_id: String, refund_id: String) -> Result<(), AppError> {
    use crate::dashboard::{DashboardPage, guard};
    use crate::domain::ids::{PaymentId, RefundId};
    use crate::error::unexpected;
    use crate::services::checkout::PaymentServices;
    use crate::services::from_context;
    use crate::services::refunds::{self, RefundError};

    let staff = guard::require_admin().await?;
    let no_such = || AppError::NotFound("There is no such refund.".to_owned());
    let payment = PaymentId::parse(&payment_id).map_err(|_| no_such())?;
    let id = RefundId::parse(&refund_id).map_err(|_| no_such())?;
    let merchant = staff.merchant_id();
    match refunds::get(&staff.db, merchant, id).await {
        Ok(refund) if refund.payment == payment => {}
        Ok(_) | Err(RefundError::NotFound) => return Err(no_such()),
        Err(error) => return Err(unexpected("reading a refund", &error)),
    }
    let services = PaymentServices {
        db: staff.db.clone(),
        processor: from_context()?,
        keys: from_context()?,
    };
    match refunds::finish(&services, merchant, id).await {
        Ok(_) => {}
        // No answer this time either: the page says it is still waiting.
        Err(RefundError::Processor(error)) => {
            tracing::warn!(%error, refund = %id, "the processor did not answer a refund asked again");
        }
        Err(error) => return Err(unexpected("asking about a refund", &error)),
    }
    leptos_axum::redirect(&format!(
        "{}?refund={id}",
        DashboardPage::Payment(payment).path()
    ));
    Ok(())
}

#[component]
pub fn RefundSection(view: RefundsView, refund: ServerAction<RefundPayment>) -> impl IntoView {
    let result = action_result(refund);
    let ask_again = ServerAction::<AskRefundAgain>::new();
    let ask_result = action_result(ask_again);
    let payment_id = view.payment_id.clone();
    let lines = if view.lines.is_empty() {
        view! { <p class="muted">"None."</p> }.into_any()
    } else {
        view! {
            <table class="invoices refunds">
                <thead>
                    <tr>
                        <th scope="col">"Asked"</th>
                        <th scope="col" class="amount">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"By"</th>
                    </tr>
                </thead>
                <tbody>
                    {view
                        .lines
                        .into_iter()
                        .map(|line| {
                            view! {
                                <tr>
                                    <th scope="row" data-label="Asked">{line.at}</th>
                                    <td data-label="Amount" class="amount">{line.amount}</td>
                                    <td data-label="Status">
                                        {line.status}
                                        {line.ask_again.map(|refund_id| {
                                            let payment_id = payment_id.clone();
                                            view! {
                                                <ActionForm action=ask_again attr:class="refunds__again">
                                                    <input type="hidden" name="payment_id" value=payment_id />
                                                    <input type="hidden" name="refund_id" value=refund_id />
                                                    <button type="submit" class="button button--secondary">"Ask the processor again"</button>
                                                </ActionForm>
                                            }
                                        })}
                                    </td>
                                    <td data-label="By">{line.requested_by}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let form = view.form.map(|form| {
        let help = format!(
            "At most {} is left to refund. The money goes back to the card, and the invoices it paid owe it again.",
            form.refundable
        );
        view! {
            <ActionForm action=refund attr:novalidate=true attr:class="form">
                <input type="hidden" name="payment_id" value=form.payment_id />
                <input type="hidden" name="idempotency_key" value=form.key />
                <FormMessage result />
                <FieldMessage id="refund-request-error" message=field_message(result, "request") />
                <TextField id="refund_amount" name="amount" label="Amount to refund" mode="decimal" value=form.amount error=form.error.clone() help />
                <div class="field field--check">
                    <input
                        id="refund_confirm"
                        type="checkbox"
                        name="confirm"
                        autofocus=form.error.is_none() && form.confirm_error.is_some()
                        aria-invalid=form.confirm_error.is_some().to_string()
                        aria-describedby="refund_confirm-error"
                    />
                    <label for="refund_confirm">"Give this amount back to the customer's card"</label>
                    <p id="refund_confirm-error" class="field__error" role="alert">{form.confirm_error}</p>
                </div>
                <button type="submit" class="button">"Refund"</button>
            </ActionForm>
        }
    });
    view! {
        <section aria-labelledby="refunds-heading">
            <h2 id="refunds-heading">"Refunds"</h2>
            <DoneNotice message=view.announcement />
            <FormMessage result=ask_result />
            {lines}
            {form}
        </section>
    }
}
