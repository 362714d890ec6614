//! `/dashboard/invoices/{invoice_id}`: one invoice: what it is for (its lines), what it still
//! owes, the payments allocated to it, its payment link, and its history. An admin voids it
//! (when no live payment covers it) or revokes its payment links (a leaked link stops working,
//! and the page shows the new one).

use crate::components::{CopyField, FormMessage, action_result};
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::invoices::invoice_status_text;
use crate::dashboard::notice::DoneNotice;
use crate::domain::invoice::InvoiceStatus;
use crate::domain::payment::PaymentStatus;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRow {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationRow {
    pub payment_id: String,
    pub date: String,
    pub amount: String,
    pub status: PaymentStatus,
}

/// One line of a history (an invoice's, a payment's), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// As stored: `2026-12-01T09:05:01.000000Z`.
    pub at: String,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub frame: StaffFrame,
    pub id: String,
    pub number: String,
    pub customer_id: String,
    pub customer: String,
    pub issued_on: String,
    pub due_on: String,
    pub status: InvoiceStatus,
    pub overdue: bool,
    pub total: String,
    pub balance_due: String,
    pub processing: String,
    pub scheduled: String,
    pub memo: Option<String>,
    pub external_id: Option<String>,
    pub lines: Vec<LineRow>,
    pub allocations: Vec<AllocationRow>,
    /// The link that opens the wizard with this invoice picked; none for a void invoice.
    pub payment_link: Option<String>,
    pub history: Vec<HistoryEntry>,
    /// Whether voiding is possible now: not void, and no live payment covers any of it.
    pub may_void: bool,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/invoice")]
pub async fn invoice_page(invoice_id: String) -> Result<DashboardState<InvoiceView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::InvoiceId;
    use crate::domain::public_url::PublicUrl;
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::invoice_history;
    use crate::services::invoices::{self, InvoiceError};
    use crate::services::keys::Keys;
    use crate::services::{customers, from_context, invoice_links, merchants};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let Ok(id) = InvoiceId::parse(&invoice_id) else {
        return Ok(DashboardState::NotFound);
    };
    let merchant = staff.merchant_id();
    let detail = match invoices::get(&staff.db, merchant, id).await {
        Ok(detail) => detail,
        Err(InvoiceError::NotFound) => return Ok(DashboardState::NotFound),
        Err(error) => return Err(unexpected("reading an invoice", &error)),
    };
    let invoice = &detail.invoice;
    let customer = customers::names_of(&staff.db, merchant, &[invoice.customer])
        .await
        .map_err(|error| unexpected("naming an invoice's customer", &error))?
        .remove(&invoice.customer)
        .unwrap_or_default();
    let changes = invoice_history::changes_of(&staff.db, merchant, id)
        .await
        .map_err(|error| unexpected("reading an invoice's history", &error))?;
    let payment_link = if invoice.voided_at.is_some() {
        None
    } else {
        let keys: Keys = from_context()?;
        let public_url: PublicUrl = from_context()?;
        let slug = merchants::slug_of(&staff.db, merchant)
            .await
            .map_err(|error| unexpected("reading a merchant's slug", &error))?
            .ok_or_else(|| AppError::NotFound("There is no such merchant.".to_owned()))?;
        Some(invoice_links::link(
            &keys,
            &public_url,
            &slug,
            id,
            invoice.link_version,
        ))
    };
    let mut history = vec![HistoryEntry {
        at: invoice.created_at.clone(),
        what: format!("Created for {}", invoice.total),
    }];
    history.extend(detail.allocations.iter().map(|allocation| HistoryEntry {
        at: allocation.payment_created_at.clone(),
        what: format!(
            "Payment {} of {} towards it: {}",
            allocation.payment,
            allocation.amount,
            allocation.payment_status.label().to_lowercase()
        ),
    }));
    let refunds = crate::services::refunds::of_invoice(&staff.db, merchant, id)
        .await
        .map_err(|error| unexpected("reading an invoice's refunds", &error))?;
    history.extend(refunds.into_iter().map(|refund| HistoryEntry {
        at: refund.at,
        what: format!(
            "Refund of {} of payment {}: owed again",
            refund.amount, refund.payment
        ),
    }));
    history.extend(changes.iter().map(|change| HistoryEntry {
        at: change.at.clone(),
        what: format!("{} by {}", change.change.label(), change.actor),
    }));
    // Timestamps are all stored in one fixed-width UTC form, so text order is time order.
    history.sort_by(|a, b| a.at.cmp(&b.at));
    let covered = invoice.total.checked_sub(invoice.standing.balance_due).ok();
    Ok(DashboardState::show(InvoiceView {
        frame: staff.frame(),
        id: invoice.id.to_string(),
        number: invoice.number.to_string(),
        customer_id: invoice.customer.to_string(),
        customer,
        issued_on: invoice.issued_on.to_string(),
        due_on: invoice.due_on.to_string(),
        status: invoice.standing.status,
        overdue: invoice.is_overdue(today()),
        total: invoice.total.to_string(),
        balance_due: invoice.standing.balance_due.to_string(),
        processing: invoice.standing.amount_processing.to_string(),
        scheduled: invoice.standing.amount_scheduled.to_string(),
        memo: invoice.memo.as_ref().map(ToString::to_string),
        external_id: invoice.external_id.as_ref().map(ToString::to_string),
        lines: detail
            .line_items
            .iter()
            .map(|line| LineRow {
                description: line.description.to_string(),
                quantity: line.quantity.to_string(),
                unit_price: line.unit_price.to_string(),
                amount: line.amount.to_string(),
            })
            .collect(),
        allocations: detail
            .allocations
            .iter()
            .map(|allocation| AllocationRow {
                payment_id: allocation.payment.to_string(),
                date: allocation.payment_created_at.chars().take(10).collect(),
                amount: if allocation.refunded.is_zero() {
                    allocation.amount.to_string()
                } else {
                    format!("{} ({} refunded)", allocation.amount, allocation.refunded)
                },
                status: allocation.payment_status,
            })
            .collect(),
        payment_link,
        history,
        may_void: invoice.voided_at.is_none() && covered.is_some_and(|covered| covered.is_zero()),
        may_change: staff.user.role.may_change(),
    }))
}

/// Voids invoice `invoice_id`: it owes nothing any more and its links stop working.
#[server(endpoint = "dashboard/invoice-void")]
pub async fn void_invoice(invoice_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::InvoiceId;
    use crate::services::invoice_history::Actor;
    use crate::services::invoices::{self, InvoiceError};

    let staff = guard::require_admin().await?;
    let id = InvoiceId::parse(&invoice_id).map_err(|_| no_such_invoice())?;
    let actor = Actor::staff(staff.user.email.as_str());
    match invoices::void(&staff.db, staff.merchant_id(), id, &actor).await {
        Ok(_) => {}
        Err(InvoiceError::NotFound) => return Err(no_such_invoice()),
        Err(InvoiceError::HasLivePayments { covered }) => {
            return Err(AppError::Invalid {
                field: "void".to_owned(),
                message: format!(
                    "Payments still cover {covered} of this invoice, so it cannot be voided. A payment that fails or is refunded stops covering it."
                ),
            });
        }
        Err(error) => return Err(crate::error::unexpected("voiding an invoice", &error)),
    }
    leptos_axum::redirect(&DashboardPage::Invoice(id).path());
    Ok(())
}

/// Revokes every payment link of invoice `invoice_id` made so far; the page shows the new one.
#[server(endpoint = "dashboard/invoice-revoke-link")]
pub async fn revoke_link(invoice_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::InvoiceId;
    use crate::services::invoice_history::Actor;
    use crate::services::invoice_links;

    let staff = guard::require_admin().await?;
    let id = InvoiceId::parse(&invoice_id).map_err(|_| no_such_invoice())?;
    let actor = Actor::staff(staff.user.email.as_str());
    let revoked = invoice_links::revoke(&staff.db, staff.merchant_id(), id, &actor)
        .await
        .map_err(|error| crate::error::unexpected("revoking an invoice's links", &error))?;
    if !revoked {
        return Err(no_such_invoice());
    }
    leptos_axum::redirect(&format!("{}?revoked=1", DashboardPage::Invoice(id).path()));
    Ok(())
}

#[cfg(feature = "ssr")]
fn no_such_invoice() -> AppError {
    AppError::NotFound("There is no such invoice.".to_owned())
}

#[component]
pub fn DashboardInvoicePage() -> impl IntoView {
    let void = ServerAction::<VoidInvoice>::new();
    let revoke = ServerAction::<RevokeLink>::new();
    let params = leptos_router::hooks::use_params_map()
        .read_untracked()
        .clone();
    let revoked = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("revoked")
        .is_some();
    let load = invoice_page(params.get("invoice_id").unwrap_or_default());
    dashboard_page(load, move |view| {
        view! { <InvoiceDetail view void revoke revoked /> }.into_any()
    })
}

#[component]
fn InvoiceDetail(
    view: InvoiceView,
    void: ServerAction<VoidInvoice>,
    revoke: ServerAction<RevokeLink>,
    revoked: bool,
) -> impl IntoView {
    let voided = action_result(void);
    let revoked_now = action_result(revoke);
    let void_error = move || match voided.get() {
        Some(Err(error)) => error.message_for("void"),
        _ => None,
    };
    let status = invoice_status_text(view.status, view.overdue);
    let customer_href = format!("{}/{}", DashboardPage::Customers.path(), view.customer_id);
    let may_change = view.may_change;
    let invoice_id = view.id.clone();
    let link_section = view.payment_link.clone().map(|link| {
        let revoke_form = may_change.then(|| {
            let invoice_id = invoice_id.clone();
            view! {
                <ActionForm action=revoke attr:class="form">
                    <input type="hidden" name="invoice_id" value=invoice_id />
                    <FormMessage result=revoked_now />
                    <p class="muted">
                        "Revoking stops every link sent so far; the link above is replaced by a new one."
                    </p>
                    <button type="submit" class="button button--secondary">"Revoke payment links"</button>
                </ActionForm>
            }
        });
        view! {
            <section aria-labelledby="link-heading">
                <h2 id="link-heading">"Payment link"</h2>
                <DoneNotice message=revoked.then(|| "The old links no longer work. This is the new one.".to_owned()) />
                <CopyField
                    id="payment-link"
                    label="Link to this invoice"
                    text=link
                    copy_label="Copy link"
                    copied="Link copied to the clipboard."
                />
                {revoke_form}
            </section>
        }
    });
    let void_form = (may_change && view.may_void).then(|| {
        let invoice_id = view.id.clone();
        view! {
            <section aria-labelledby="void-heading">
                <h2 id="void-heading">"Void"</h2>
                <ActionForm action=void attr:class="form">
                    <input type="hidden" name="invoice_id" value=invoice_id />
                    <FormMessage result=voided />
                    <p class="field__error" role="alert">{void_error}</p>
                    <p class="muted">
                        "A void invoice owes nothing, leaves the customer's list and its links stop working. This cannot be undone."
                    </p>
                    <button type="submit" class="button button--danger">"Void invoice"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <DashboardFrame frame=view.frame section=Section::Invoices title=format!("Invoice {}", view.number)>
            <p>
                <a href=DashboardPage::Invoices.path()>"← All invoices"</a>
            </p>
            <dl class="facts">
                <dt>"Customer"</dt>
                <dd><a href=customer_href>{view.customer}</a></dd>
                <dt>"Status"</dt>
                <dd>{status}</dd>
                <dt>"Issued"</dt>
                <dd>{view.issued_on}</dd>
                <dt>"Due"</dt>
                <dd>{view.due_on}</dd>
                <dt>"Total"</dt>
                <dd>{view.total}</dd>
                <dt>"Balance due"</dt>
                <dd>{view.balance_due}</dd>
                <dt>"Processing"</dt>
                <dd>{view.processing}</dd>
                <dt>"Scheduled by installment plans"</dt>
                <dd>{view.scheduled}</dd>
                {view.memo.map(|memo| view! { <dt>"Memo"</dt> <dd>{memo}</dd> })}
                {view.external_id.map(|id| view! { <dt>"Id in your accounting software"</dt> <dd>{id}</dd> })}
            </dl>
            <section aria-labelledby="lines-heading">
                <h2 id="lines-heading">"Lines"</h2>
                <LinesTable rows=view.lines />
            </section>
            <section aria-labelledby="payments-heading">
                <h2 id="payments-heading">"Payments"</h2>
                <AllocationsTable rows=view.allocations />
            </section>
            {link_section}
            <section aria-labelledby="history-heading">
                <h2 id="history-heading">"History"</h2>
                <HistoryList entries=view.history />
            </section>
            {void_form}
        </DashboardFrame>
    }
}

#[component]
fn LinesTable(rows: Vec<LineRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No line items: the invoice has a total only."</p> }
            .into_any();
    }
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption class="visually-hidden">"The invoice's lines"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Description"</th>
                        <th scope="col" class="amount">"Quantity"</th>
                        <th scope="col" class="amount">"Unit price"</th>
                        <th scope="col" class="amount">"Amount"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            view! {
                                <tr>
                                    <th scope="row" data-label="Description">{row.description}</th>
                                    <td data-label="Quantity" class="amount">{row.quantity}</td>
                                    <td data-label="Unit price" class="amount">{row.unit_price}</td>
                                    <td data-label="Amount" class="amount">{row.amount}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn AllocationsTable(rows: Vec<AllocationRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No payments yet."</p> }.into_any();
    }
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption class="visually-hidden">"Payments allocated to the invoice, oldest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Confirmation number"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col" class="amount">"Allocated"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("{}/{}", DashboardPage::Payments.path(), row.payment_id);
                            view! {
                                <tr>
                                    <th scope="row" data-label="Confirmation number">
                                        <a class="confirmation" href=href>{row.payment_id.clone()}</a>
                                    </th>
                                    <td data-label="Date">{row.date}</td>
                                    <td data-label="Allocated" class="amount">{row.amount}</td>
                                    <td data-label="Status">{row.status.label()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A history, oldest first, each entry's time to the minute in UTC.
#[component]
pub fn HistoryList(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <ol class="history">
            {entries
                .into_iter()
                .map(|entry| {
                    let shown = crate::dashboard::minute_of(&entry.at);
                    let what = format!(" · {}", entry.what);
                    view! {
                        <li>
                            <time datetime=entry.at>{shown}</time>
                            {what}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
