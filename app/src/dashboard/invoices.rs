//! `/dashboard/invoices`: every invoice of the merchant, newest first, found by its number or
//! its customer's name and filtered by status (overdue among them); a page at a time by seek.

use crate::dashboard::DashboardPage;
use crate::dashboard::fields::{SelectField, TextField};
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::domain::ids::InvoiceId;
use crate::domain::invoice::InvoiceStatus;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The status filter's value for invoices past due with something owed: not a status of its
/// own (an overdue invoice is open or partially paid), but what a bookkeeper looks for.
const OVERDUE: &str = "overdue";

/// An invoice as the dashboard's invoice tables show it (the list, a customer's page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceListRow {
    pub id: InvoiceId,
    pub number: String,
    /// Left out where every row is the same customer's.
    pub customer: Option<String>,
    pub issued_on: String,
    pub due_on: String,
    pub total: String,
    pub balance_due: String,
    pub status: InvoiceStatus,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicesView {
    pub frame: StaffFrame,
    pub search: String,
    pub status: String,
    /// A filter that was refused: (field, message).
    pub refused: Option<(String, String)>,
    pub rows: Vec<InvoiceListRow>,
    pub next_page: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/invoices")]
pub async fn invoices_page(
    #[server(default)] search: Option<String>,
    #[server(default)] status: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<DashboardState<InvoicesView>, AppError> {
    use crate::dashboard::{encode_query_value, guard};
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::invoices::{self, InvoiceFilter};
    use crate::services::page::{Cursor, PageRequest};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let search = search.unwrap_or_default().trim().to_owned();
    let status = status.unwrap_or_default();
    let mut view = InvoicesView {
        frame: staff.frame(),
        search: search.clone(),
        status: status.clone(),
        refused: None,
        rows: Vec::new(),
        next_page: None,
        may_change: staff.user.role.may_change(),
    };
    let today = today();
    let mut filter = InvoiceFilter {
        number_or_customer_contains: (!search.is_empty()).then(|| search.clone()),
        newest_first: true,
        ..InvoiceFilter::default()
    };
    match status.as_str() {
        "" => {}
        OVERDUE => filter.overdue_on = Some(today),
        code => match InvoiceStatus::parse(code) {
            Ok(status) => filter.status = Some(status),
            Err(error) => {
                view.refused = Some(("status".to_owned(), error.to_string()));
                return Ok(DashboardState::show(view));
            }
        },
    }
    let page = PageRequest {
        limit: PageRequest::DEFAULT_LIMIT,
        after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
    };
    let found = invoices::list(&staff.db, staff.merchant_id(), &filter, &page)
        .await
        .map_err(|error| unexpected("listing a merchant's invoices", &error))?;
    let customers: Vec<_> = found.items.iter().map(|invoice| invoice.customer).collect();
    let names = crate::services::customers::names_of(&staff.db, staff.merchant_id(), &customers)
        .await
        .map_err(|error| unexpected("naming a page's customers", &error))?;
    view.rows = found
        .items
        .iter()
        .map(|invoice| InvoiceListRow {
            id: invoice.id,
            number: invoice.number.to_string(),
            customer: Some(names.get(&invoice.customer).cloned().unwrap_or_default()),
            issued_on: invoice.issued_on.to_string(),
            due_on: invoice.due_on.to_string(),
            total: invoice.total.to_string(),
            balance_due: invoice.standing.balance_due.to_string(),
            status: invoice.standing.status,
            overdue: invoice.is_overdue(today),
        })
        .collect();
    view.next_page = found.next.map(|cursor| {
        let kept: String = [("search", &search), ("status", &status)]
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}&", encode_query_value(value)))
            .collect();
        format!(
            "{}?{kept}after={}",
            DashboardPage::Invoices.path(),
            cursor.encode()
        )
    });
    Ok(DashboardState::show(view))
}

#[component]
pub fn DashboardInvoicesPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = invoices_page(query.get("search"), query.get("status"), query.get("after"));
    dashboard_page(load, |view| view! { <InvoicesList view /> }.into_any())
}

#[component]
fn InvoicesList(view: InvoicesView) -> impl IntoView {
    let refused = view.refused.clone();
    let error_of = move |field: &str| {
        refused
            .as_ref()
            .filter(|(refused, _)| refused == field)
            .map(|(_, message)| message.clone())
    };
    let mut statuses: Vec<(&'static str, &'static str)> = InvoiceStatus::ALL
        .iter()
        .map(|status| (status.code(), status.label()))
        .collect();
    statuses.push((OVERDUE, "Overdue"));
    let filtered = !view.search.is_empty() || !view.status.is_empty();
    view! {
        <DashboardFrame frame=view.frame section=Section::Invoices title="Invoices".to_owned()>
            <p class="dashboard__quick">
                <a href=format!("{}?status={OVERDUE}", DashboardPage::Invoices.path())>"Overdue"</a>
                <a href=format!("{}?status=open", DashboardPage::Invoices.path())>"Open"</a>
                <a href=DashboardPage::Invoices.path()>"All invoices"</a>
                {view.may_change.then(|| view! { <a href=DashboardPage::NewInvoice.path()>"New invoice"</a> })}
            </p>
            <form method="get" action=DashboardPage::Invoices.path() class="filters" role="search">
                <TextField
                    id="search"
                    label="Invoice number or customer"
                    value=view.search.clone()
                    error=error_of("search")
                />
                <SelectField
                    id="status"
                    label="Status"
                    value=view.status.clone()
                    options=statuses
                    error=error_of("status")
                />
                <button type="submit" class="button button--secondary">"Show invoices"</button>
            </form>
            {if view.rows.is_empty() {
                let message = if filtered {
                    "No invoices match these filters."
                } else {
                    "No invoices yet."
                };
                view! { <p class="muted">{message}</p> }.into_any()
            } else {
                view! { <InvoiceTable rows=view.rows caption="Invoices, newest first" /> }.into_any()
            }}
            {view
                .next_page
                .map(|next| view! { <nav class="pager" aria-label="Pages"><a href=next>"Older invoices →"</a></nav> })}
        </DashboardFrame>
    }
}

/// Invoices with their figures, each number linking to the invoice's page.
#[component]
pub fn InvoiceTable(rows: Vec<InvoiceListRow>, caption: &'static str) -> impl IntoView {
    let with_customer = rows.iter().any(|row| row.customer.is_some());
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        {with_customer.then(|| view! { <th scope="col">"Customer"</th> })}
                        <th scope="col">"Issued"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col" class="amount">"Total"</th>
                        <th scope="col" class="amount">"Balance due"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = DashboardPage::Invoice(row.id).path();
                            view! {
                                <tr>
                                    <th scope="row" data-label="Invoice">
                                        <a href=href>{row.number}</a>
                                    </th>
                                    {row.customer.map(|name| view! { <td data-label="Customer">{name}</td> })}
                                    <td data-label="Issued">{row.issued_on}</td>
                                    <td data-label="Due">{row.due_on}</td>
                                    <td data-label="Total" class="amount">{row.total}</td>
                                    <td data-label="Balance due" class="amount">{row.balance_due}</td>
                                    <td data-label="Status">{invoice_status_text(row.status, row.overdue)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// An invoice's status as the dashboard says it, with "overdue" where it is.
pub fn invoice_status_text(status: InvoiceStatus, overdue: bool) -> String {
    if overdue {
        format!("{}, overdue", status.label())
    } else {
        status.label().to_owned()
    }
}
