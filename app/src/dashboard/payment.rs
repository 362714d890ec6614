//! `/dashboard/payments/{payment_id}`: one payment whole: who paid, with what (masked), the
//! invoices it pays, the authorization it was agreed under, its status, its status history, its
//! refunds and its reconciliation, with **Mark reconciled** / **Mark unreconciled** and
//! **Refund** for an admin.

use crate::components::{FormMessage, action_result};
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::invoice::{HistoryEntry, HistoryList};
use crate::dashboard::notice::DoneNotice;
use crate::dashboard::payment_accounting::AccountingNote;
use crate::dashboard::payment_refund::{RefundPayment, RefundSection, RefundsView};
use crate::domain::payment::PaymentStatus;
use crate::domain::reconciliation::Reconciliation;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    pub frame: StaffFrame,
    pub id: String,
    pub recorded_at: String,
    pub updated_at: String,
    pub customer: String,
    pub payer_email: Option<String>,
    pub method: String,
    pub amount: String,
    /// An installment plan's fee inside `amount`, if any.
    pub fee: Option<String>,
    /// What refunds gave back of `amount`, if any.
    pub refunded: Option<String>,
    pub status: PaymentStatus,
    /// Why it failed or came back, as the processor said.
    pub problem: Option<String>,
    pub settles_on: Option<String>,
    /// (invoice number, amount)
    pub allocations: Vec<(String, String)>,
    /// (text, agreed at, client address)
    pub authorization: Option<(String, String, String)>,
    /// Each status it reached, oldest first: when, and what.
    pub history: Vec<HistoryEntry>,
    pub refunds: RefundsView,
    pub reconciliation: Reconciliation,
    /// Who marked it reconciled, and when.
    pub reconciled: Option<(String, String)>,
    pub accounting: crate::dashboard::payment_accounting::AccountingFacts,
    pub notice: Option<String>,
    pub may_change: bool,
}

/// `refund_amount` is the amount a refused refund form sent back (`refund_unconfirmed` when its
/// box was not ticked), `refund` the refund the form just made.
#[server(endpoint = "dashboard/page/payment")]
pub async fn payment_page(
    payment_id: String,
    #[server(default)] refund_amount: Option<String>,
    #[server(default)] refund_unconfirmed: Option<String>,
    #[server(default)] refund: Option<String>,
    #[server(default)] done: Option<String>,
) -> Result<DashboardState<PaymentView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::PaymentId;
    use crate::error::unexpected;
    use crate::services::payments::{self, PaymentError};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let Ok(id) = PaymentId::parse(&payment_id) else {
        return Ok(DashboardState::NotFound);
    };
    let merchant = staff.merchant_id();
    let payment = match payments::get(&staff.db, merchant, id).await {
        Ok(payment) => payment,
        Err(PaymentError::NotFound) => return Ok(DashboardState::NotFound),
        Err(error) => return Err(unexpected("reading a payment", &error)),
    };
    let history = crate::services::payment_history::of_payment(&staff.db, merchant, id)
        .await
        .map_err(|error| unexpected("reading a payment's history", &error))?
        .into_iter()
        .map(|event| HistoryEntry {
            at: event.at,
            what: match event.detail {
                Some(detail) => format!("{}: {detail}", event.status.label()),
                None => event.status.label().to_owned(),
            },
        })
        .collect();
    let refunds = crate::dashboard::payment_refund::refunds_view(
        &staff,
        &payment,
        refund_amount,
        refund_unconfirmed.is_some(),
        refund,
    )
    .await?;
    let authorization = payments::authorization_of(&staff.db, merchant, id)
        .await
        .map_err(|error| unexpected("reading a payment's authorization", &error))?;
    let customer = crate::services::customers::names_of(&staff.db, merchant, &[payment.customer])
        .await
        .map_err(|error| unexpected("naming a payment's customer", &error))?
        .remove(&payment.customer)
        .unwrap_or_default();
    let problem = payments::problem_text(
        payment.return_code.as_deref(),
        payment.failure_reason.as_deref(),
    );
    let accounting =
        crate::dashboard::payment_accounting::facts_of(&staff.db, merchant, id).await?;
    Ok(DashboardState::show(PaymentView {
        frame: staff.frame(),
        id: payment.id.to_string(),
        recorded_at: payment.created_at.clone(),
        updated_at: payment.updated_at.clone(),
        customer,
        payer_email: payment.payer_email.clone(),
        method: payment
            .instrument_label
            .clone()
            .unwrap_or_else(|| crate::domain::checkout::method_label(payment.method).to_owned()),
        amount: payment.amount.to_string(),
        fee: (!payment.fee.is_zero()).then(|| payment.fee.to_string()),
        refunded: (!payment.refunded.is_zero()).then(|| payment.refunded.to_string()),
        status: payment.status,
        problem,
        settles_on: payment.settles_on.clone(),
        allocations: payment
            .allocations
            .iter()
            .map(|allocation| {
                let amount = if allocation.refunded.is_zero() {
                    allocation.amount.to_string()
                } else {
                    format!("{} ({} refunded)", allocation.amount, allocation.refunded)
                };
                (allocation.invoice_number.to_string(), amount)
            })
            .collect(),
        authorization,
        history,
        refunds,
        reconciliation: payment.reconciliation,
        reconciled: payment
            .reconciled_by
            .clone()
            .zip(payment.reconciled_at.clone()),
        accounting,
        notice: (done.as_deref() == Some("retried")).then(|| {
            "Queued again: it is recorded in the accounting software in a moment.".to_owned()
        }),
        may_change: staff.user.role.may_change(),
    }))
}

/// Marks one payment reconciled or unreconciled (`mark`), and shows it again.
#[server(endpoint = "dashboard/reconcile-one")]
pub async fn mark_payment(payment_id: String, mark: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::dashboard::payments::refused_mark;
    use crate::domain::ids::PaymentId;
    use crate::services::reconciliation::{self, Mark};

    let staff = guard::require_admin().await?;
    let no_such = || AppError::NotFound("There is no such payment.".to_owned());
    let id = PaymentId::parse(&payment_id).map_err(|_| no_such())?;
    let mark = match mark.as_str() {
        "reconciled" => Mark::Reconciled,
        "unreconciled" => Mark::Unreconciled,
        _ => {
            return Err(AppError::Invalid {
                field: "mark".to_owned(),
                message: "Choose Mark reconciled or Mark unreconciled.".to_owned(),
            });
        }
    };
    let by = staff.user.email.to_string();
    reconciliation::mark(&staff.db, staff.merchant_id(), &[id], mark, &by)
        .await
        .map_err(|error| refused_mark(error, "mark", "This payment"))?;
    leptos_axum::redirect(&DashboardPage::Payment(id).path());
    Ok(())
}

#[component]
pub fn DashboardPaymentPage() -> impl IntoView {
    let mark = ServerAction::<MarkPayment>::new();
    let refund = ServerAction::<RefundPayment>::new();
    let payment_id = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("payment_id")
        .unwrap_or_default();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = payment_page(
        payment_id,
        query.get("refund_amount"),
        query.get("refund_unconfirmed"),
        query.get("refund"),
        query.get("done"),
    );
    dashboard_page(load, move |view| {
        view! { <PaymentDetail view mark refund /> }.into_any()
    })
}

#[component]
fn PaymentDetail(
    view: PaymentView,
    mark: ServerAction<MarkPayment>,
    refund: ServerAction<RefundPayment>,
) -> impl IntoView {
    let result = action_result(mark);
    let mark_error = move || match result.get() {
        Some(Err(error)) => error.message_for("mark"),
        _ => None,
    };
    let title = format!("Payment of {}", view.amount);
    let reconciliation_text = match &view.reconciled {
        Some((by, at)) => format!("{} by {by} on {at}", view.reconciliation.label()),
        None => view.reconciliation.label().to_owned(),
    };
    let payment_id = view.id.clone();
    let offered = match view.reconciliation {
        Reconciliation::Reconciled => true,
        Reconciliation::Unreconciled => view.status.is_booked(),
        _ => false,
    };
    let action = (view.may_change && offered).then(move || {
        let (value, label) = match view.reconciliation {
            Reconciliation::Reconciled => ("unreconciled", "Mark unreconciled"),
            _ => ("reconciled", "Mark reconciled"),
        };
        view! {
            <ActionForm action=mark attr:class="form form--inline">
                <input type="hidden" name="payment_id" value=payment_id />
                <input type="hidden" name="mark" value=value />
                <FormMessage result />
                <button type="submit" class="button">{label}</button>
                <p class="field__error" role="alert">{mark_error}</p>
            </ActionForm>
        }
    });
    // Typed apart from the rest of the page: one view type this deep passes the compiler's
    // query depth in the release build.
    let facts = view! {
        <dl class="facts">
            <dt>"Confirmation number"</dt>
            <dd class="confirmation">{view.id.clone()}</dd>
            <dt>"Customer"</dt>
            <dd>{view.customer}</dd>
            <dt>"Paid by"</dt>
            <dd>{view.payer_email.unwrap_or_else(|| "Recorded through the API".to_owned())}</dd>
            <dt>"Method"</dt>
            <dd>{view.method}</dd>
            <dt>"Amount"</dt>
            <dd>{view.amount}</dd>
            {view.fee.map(|fee| view! { <dt>"Of which the plan's fee"</dt> <dd>{fee}</dd> })}
            {view.refunded.map(|refunded| view! { <dt>"Refunded"</dt> <dd>{refunded}</dd> })}
            <dt>"Status"</dt>
            <dd>{view.status.label()}</dd>
            {view.problem.map(|problem| view! { <dt>"Reason"</dt> <dd>{problem}</dd> })}
            {view.settles_on.map(|day| view! { <dt>"Settles on"</dt> <dd>{day}</dd> })}
            <dt>"Recorded"</dt>
            <dd>{view.recorded_at}</dd>
            <dt>"Last changed"</dt>
            <dd>{view.updated_at}</dd>
            <dt>"Reconciliation"</dt>
            <dd>{reconciliation_text}</dd>
        </dl>
    }
    .into_any();
    let refunds = view! { <RefundSection view=view.refunds refund /> }.into_any();
    let accounting = view! {
        <AccountingNote facts=view.accounting payment_id=view.id.clone() may_change=view.may_change />
    }
    .into_any();
    view! {
        <DashboardFrame frame=view.frame section=Section::Payments title>
            <p>
                <a href=DashboardPage::Payments.path()>"← All payments"</a>
            </p>
            <DoneNotice message=view.notice />
            {facts}
            {accounting}
            {action}
            <h2>"Invoices it pays"</h2>
            <table class="invoices">
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col" class="amount">"Amount"</th>
                    </tr>
                </thead>
                <tbody>
                    {view
                        .allocations
                        .into_iter()
                        .map(|(number, amount)| {
                            view! {
                                <tr>
                                    <th scope="row" data-label="Invoice">{number}</th>
                                    <td data-label="Amount" class="amount">{amount}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <section aria-labelledby="history-heading">
                <h2 id="history-heading">"Status history"</h2>
                <HistoryList entries=view.history />
            </section>
            {refunds}
            <h2>"Authorization"</h2>
            {match view.authorization {
                Some((text, at, address)) => view! {
                    <blockquote class="authorization">{text}</blockquote>
                    <p class="muted">{format!("Agreed on {at} from {address}.")}</p>
                }
                .into_any(),
                None => view! { <p class="muted">"None: this payment was recorded through the API."</p> }.into_any(),
            }}
        </DashboardFrame>
    }
}
