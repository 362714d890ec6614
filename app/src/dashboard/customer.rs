//! `/dashboard/customers/{customer_id}`: one customer: what it owes, its contacts (the
//! addresses that may sign in and pay for it; an admin adds and removes them), its invoices
//! and its payments, each list a page at a time by seek.

use crate::components::{FormMessage, action_result, field_message};
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::invoices::{InvoiceListRow, InvoiceTable};
use crate::domain::payment::PaymentStatus;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPaymentRow {
    pub id: String,
    pub date: String,
    pub method: String,
    pub amount: String,
    pub status: PaymentStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub frame: StaffFrame,
    pub id: String,
    pub name: String,
    pub country: String,
    pub external_id: Option<String>,
    pub since: String,
    pub owes: Vec<String>,
    pub contacts: Vec<String>,
    pub invoices: Vec<InvoiceListRow>,
    pub next_invoices: Option<String>,
    pub payments: Vec<CustomerPaymentRow>,
    pub next_payments: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/customer")]
pub async fn customer_page(
    customer_id: String,
    #[server(default)] invoices_after: Option<String>,
    #[server(default)] payments_after: Option<String>,
) -> Result<DashboardState<CustomerView>, AppError> {
    use crate::dashboard::{encode_query_value, guard};
    use crate::domain::ids::CustomerId;
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::customers::{self, CustomerError};
    use crate::services::invoices::{self, InvoiceFilter};
    use crate::services::page::{Cursor, PageRequest};
    use crate::services::payments::{self, PaymentFilter};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let Ok(id) = CustomerId::parse(&customer_id) else {
        return Ok(DashboardState::NotFound);
    };
    let merchant = staff.merchant_id();
    let customer = match customers::get(&staff.db, merchant, id).await {
        Ok(customer) => customer,
        Err(CustomerError::NotFound) => return Ok(DashboardState::NotFound),
        Err(error) => return Err(unexpected("reading a customer", &error)),
    };
    let page_after = |after: &Option<String>| PageRequest {
        limit: PageRequest::DEFAULT_LIMIT,
        after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
    };
    let owes = invoices::outstanding_totals(&staff.db, merchant, id)
        .await
        .map_err(|error| unexpected("adding up a customer's balance", &error))?;
    let invoice_filter = InvoiceFilter {
        customer: Some(id),
        ..InvoiceFilter::default()
    };
    let found_invoices = invoices::list(
        &staff.db,
        merchant,
        &invoice_filter,
        &page_after(&invoices_after),
    )
    .await
    .map_err(|error| unexpected("listing a customer's invoices", &error))?;
    let payment_filter = PaymentFilter {
        customer: Some(id),
        newest_first: true,
        ..PaymentFilter::default()
    };
    let found_payments = payments::list(
        &staff.db,
        merchant,
        &payment_filter,
        &page_after(&payments_after),
    )
    .await
    .map_err(|error| unexpected("listing a customer's payments", &error))?;
    let today = today();
    let path = DashboardPage::Customer(id).path();
    // Each list pages on its own; the other list's place is kept in the link.
    let next_link = |name: &str, cursor: Cursor, other: (&str, &Option<String>)| {
        let kept = other
            .1
            .as_ref()
            .map(|after| format!("&{}={}", other.0, encode_query_value(after)))
            .unwrap_or_default();
        format!("{path}?{name}={}{kept}", cursor.encode())
    };
    Ok(DashboardState::show(CustomerView {
        frame: staff.frame(),
        id: customer.id.to_string(),
        name: customer.legal_name.to_string(),
        country: match customer.country {
            crate::domain::merchant::Country::UnitedStates => "United States",
            crate::domain::merchant::Country::Canada => "Canada",
        }
        .to_owned(),
        external_id: customer.external_id.as_ref().map(ToString::to_string),
        since: customer.created_at.chars().take(10).collect(),
        owes: owes.iter().map(ToString::to_string).collect(),
        contacts: customer.contacts.iter().map(ToString::to_string).collect(),
        invoices: found_invoices
            .items
            .iter()
            .map(|invoice| InvoiceListRow {
                id: invoice.id,
                number: invoice.number.to_string(),
                customer: None,
                issued_on: invoice.issued_on.to_string(),
                due_on: invoice.due_on.to_string(),
                total: invoice.total.to_string(),
                balance_due: invoice.standing.balance_due.to_string(),
                status: invoice.standing.status,
                overdue: invoice.is_overdue(today),
            })
            .collect(),
        next_invoices: found_invoices.next.map(|cursor| {
            next_link(
                "invoices_after",
                cursor,
                ("payments_after", &payments_after),
            )
        }),
        payments: found_payments
            .items
            .iter()
            .map(|payment| CustomerPaymentRow {
                id: payment.id.to_string(),
                date: payment.created_at.chars().take(10).collect(),
                method: payment.instrument_label.clone().unwrap_or_else(|| {
                    crate::domain::checkout::method_label(payment.method).to_owned()
                }),
                amount: payment.amount.to_string(),
                status: payment.status,
            })
            .collect(),
        next_payments: found_payments.next.map(|cursor| {
            next_link(
                "payments_after",
                cursor,
                ("invoices_after", &invoices_after),
            )
        }),
        may_change: staff.user.role.may_change(),
    }))
}

/// Adds `email` as a contact of customer `customer_id`: another address that may pay for it.
#[server(endpoint = "dashboard/contact-add")]
pub async fn add_contact(customer_id: String, email: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::CustomerId;
    use crate::services::customers::{self, CustomerError};

    let staff = guard::require_admin().await?;
    let id = CustomerId::parse(&customer_id).map_err(|_| no_such_customer())?;
    let email = EmailAddress::parse(&email).map_err(|error| AppError::Invalid {
        field: "email".to_owned(),
        message: error.to_string(),
    })?;
    match customers::add_contact(&staff.db, staff.merchant_id(), id, &email).await {
        Ok(_) => {}
        Err(CustomerError::NotFound) => return Err(no_such_customer()),
        Err(error) => return Err(crate::error::unexpected("adding a contact", &error)),
    }
    leptos_axum::redirect(&DashboardPage::Customer(id).path());
    Ok(())
}

/// Removes contact `email` of customer `customer_id`; the last one stays.
#[server(endpoint = "dashboard/contact-remove")]
pub async fn remove_contact(customer_id: String, email: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::CustomerId;
    use crate::services::customers::{self, CustomerError};

    let staff = guard::require_admin().await?;
    let id = CustomerId::parse(&customer_id).map_err(|_| no_such_customer())?;
    let not_a_contact =
        || AppError::NotFound("That address is not a contact of this customer.".to_owned());
    let email = EmailAddress::parse(&email).map_err(|_| not_a_contact())?;
    match customers::remove_contact(&staff.db, staff.merchant_id(), id, &email).await {
        Ok(_) => {}
        Err(CustomerError::NotFound) => return Err(no_such_customer()),
        Err(CustomerError::ContactNotFound(_)) => return Err(not_a_contact()),
        Err(CustomerError::LastContact) => {
            return Err(AppError::Invalid {
                field: "remove".to_owned(),
                message: format!(
                    "{email} is the customer's only contact: add another before removing it, or nobody could sign in to pay."
                ),
            });
        }
        Err(error) => return Err(crate::error::unexpected("removing a contact", &error)),
    }
    leptos_axum::redirect(&DashboardPage::Customer(id).path());
    Ok(())
}

#[cfg(feature = "ssr")]
fn no_such_customer() -> AppError {
    AppError::NotFound("There is no such customer.".to_owned())
}

#[component]
pub fn DashboardCustomerPage() -> impl IntoView {
    let add = ServerAction::<AddContact>::new();
    let remove = ServerAction::<RemoveContact>::new();
    let params = leptos_router::hooks::use_params_map()
        .read_untracked()
        .clone();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = customer_page(
        params.get("customer_id").unwrap_or_default(),
        query.get("invoices_after"),
        query.get("payments_after"),
    );
    dashboard_page(load, move |view| {
        view! { <CustomerDetail view add remove /> }.into_any()
    })
}

#[component]
fn CustomerDetail(
    view: CustomerView,
    add: ServerAction<AddContact>,
    remove: ServerAction<RemoveContact>,
) -> impl IntoView {
    let added = action_result(add);
    let removed = action_result(remove);
    let email_error = field_message(added, "email");
    let remove_error = field_message(removed, "remove");
    let invalid = move || email_error.get().is_some();
    let may_change = view.may_change;
    let customer_id = view.id.clone();
    let contacts = view
        .contacts
        .iter()
        .map(|contact| {
            let customer_id = customer_id.clone();
            let email = contact.clone();
            let which = format!(" {contact}");
            let remove_form = may_change.then(move || {
                view! {
                    <ActionForm action=remove attr:class="contact__remove">
                        <input type="hidden" name="customer_id" value=customer_id />
                        <input type="hidden" name="email" value=email />
                        <button type="submit" class="button button--link">
                            "Remove" <span class="visually-hidden">{which}</span>
                        </button>
                    </ActionForm>
                }
            });
            view! {
                <li class="contact">
                    <span>{contact.clone()}</span>
                    {remove_form}
                </li>
            }
        })
        .collect_view();
    let add_form = may_change.then(|| {
        let customer_id = view.id.clone();
        view! {
            <ActionForm action=add attr:novalidate=true attr:class="form">
                <input type="hidden" name="customer_id" value=customer_id />
                <FormMessage result=added />
                <div class="field">
                    <label for="email">"Add a contact (email address)"</label>
                    <input
                        id="email"
                        name="email"
                        type="email"
                        autocomplete="off"
                        spellcheck="false"
                        aria-invalid=move || invalid().to_string()
                        aria-describedby="email-error"
                    />
                    <p id="email-error" class="field__error" role="alert">{email_error}</p>
                </div>
                <button type="submit" class="button button--secondary">"Add contact"</button>
            </ActionForm>
        }
    });
    let owes = if view.owes.is_empty() {
        "Nothing".to_owned()
    } else {
        view.owes.join(" and ")
    };
    view! {
        <DashboardFrame frame=view.frame section=Section::Customers title=view.name.clone()>
            <p>
                <a href=DashboardPage::Customers.path()>"← All customers"</a>
            </p>
            <dl class="facts">
                <dt>"Country"</dt>
                <dd>{view.country}</dd>
                {view.external_id.map(|id| view! { <dt>"Id in your accounting software"</dt> <dd>{id}</dd> })}
                <dt>"Customer since"</dt>
                <dd>{view.since}</dd>
                <dt>"Owes"</dt>
                <dd>{owes}</dd>
            </dl>
            <section aria-labelledby="contacts-heading">
                <h2 id="contacts-heading">"Contacts"</h2>
                <p class="muted">"These addresses can sign in and pay for this customer."</p>
                <FormMessage result=removed />
                <p class="field__error" role="alert">{remove_error}</p>
                <ul class="contacts">{contacts}</ul>
                {add_form}
            </section>
            <section aria-labelledby="invoices-heading">
                <h2 id="invoices-heading">"Invoices"</h2>
                {may_change.then(|| {
                    let href = format!("{}?customer={}", DashboardPage::NewInvoice.path(), customer_id);
                    view! { <p><a href=href>"New invoice for this customer"</a></p> }
                })}
                <InvoiceTable rows=view.invoices caption="The customer's invoices, oldest first" />
                {view.next_invoices.map(|next| view! { <nav class="pager" aria-label="Invoice pages"><a href=next>"More invoices →"</a></nav> })}
            </section>
            <section aria-labelledby="payments-heading">
                <h2 id="payments-heading">"Payments"</h2>
                <CustomerPayments rows=view.payments />
                {view.next_payments.map(|next| view! { <nav class="pager" aria-label="Payment pages"><a href=next>"Older payments →"</a></nav> })}
            </section>
        </DashboardFrame>
    }
}

#[component]
fn CustomerPayments(rows: Vec<CustomerPaymentRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No payments."</p> }.into_any();
    }
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption class="visually-hidden">"The customer's payments, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Confirmation number"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col" class="amount">"Amount"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("{}/{}", DashboardPage::Payments.path(), row.id);
                            view! {
                                <tr>
                                    <th scope="row" data-label="Confirmation number">
                                        <a class="confirmation" href=href>{row.id.clone()}</a>
                                    </th>
                                    <td data-label="Date">{row.date}</td>
                                    <td data-label="Method">{row.method}</td>
                                    <td data-label="Amount" class="amount">{row.amount}</td>
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
