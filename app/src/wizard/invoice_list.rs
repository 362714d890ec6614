//! The customer's outstanding invoices as steps 4 and 5 list them: a page at a time (by seek,
//! never by offset), optionally narrowed to an invoice number, with the totals due.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Steps 4 and 5 show this many invoices at a time.
pub const INVOICES_PER_PAGE: u32 = 25;

/// One page of the customer's outstanding invoices, formatted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceList {
    pub invoices: Vec<InvoiceLine>,
    /// The total due per currency, over every outstanding invoice (not only this page).
    pub totals: Vec<String>,
    /// Where the next page of invoices starts, when there is one.
    pub next: Option<String>,
    /// Whether this is a later page (so there is a first page to go back to).
    pub later: bool,
    /// The invoice number searched for, if any.
    pub search: String,
}

/// One outstanding invoice as step 4 lists it; amounts are already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub id: String,
    pub number: String,
    pub issued_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub total: String,
    pub balance_due: String,
    /// The balance as a plain number, to prefill step 5's amount box.
    pub balance_plain: String,
    pub currency: String,
    pub status: String,
    pub preselected: bool,
    pub memo: Option<String>,
    pub lines: Vec<LineView>,
}

/// One line of an invoice, formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub amount: String,
}

/// The page of the payer's outstanding invoices that starts at the cursor `after`, narrowed to
/// numbers containing `number`; the invoice an invoice link named comes marked.
#[cfg(feature = "ssr")]
pub async fn load(
    payer: &crate::wizard::session::Payer,
    after: Option<String>,
    number: Option<String>,
) -> Result<InvoiceList, crate::error::AppError> {
    use crate::error::unexpected;
    use crate::services::clock::{date_for_people, today};
    use crate::services::invoices::{self, InvoiceFilter};
    use crate::services::page::{Cursor, PageRequest};

    let (db, merchant, customer) = (&payer.db, payer.merchant_id, payer.customer);
    let preselected = payer.session.preselected_invoice;

    // What a customer searches for is an invoice number: a few dozen characters at most.
    let search: Option<String> = number
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| text.chars().take(64).collect());
    let filter = InvoiceFilter {
        customer: Some(customer),
        status: None,
        outstanding_only: true,
        number_contains: search.clone(),
        ..InvoiceFilter::default()
    };
    // A cursor this server did not make simply starts from the first page.
    let request = PageRequest {
        limit: INVOICES_PER_PAGE,
        after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
    };
    let found = invoices::list(db, merchant, &filter, &request)
        .await
        .map_err(|error| unexpected("listing a customer's invoices", &error))?;
    let totals = invoices::outstanding_totals(db, merchant, customer)
        .await
        .map_err(|error| unexpected("adding up a customer's invoices", &error))?;
    let mut lines = invoices::line_items_of(db, merchant, &found.items)
        .await
        .map_err(|error| unexpected("reading invoice lines", &error))?;
    let today = today();
    let invoices = found
        .items
        .into_iter()
        .map(|invoice| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                lines.drain(..).partition(|(id, _)| *id == invoice.id);
            lines = rest;
            InvoiceLine {
                id: invoice.id.to_string(),
                overdue: invoice.is_overdue(today),
                number: invoice.number.to_string(),
                issued_on: date_for_people(invoice.issued_on),
                due_on: date_for_people(invoice.due_on),
                total: invoice.total.to_grouped_string(),
                balance_due: invoice.standing.balance_due.to_grouped_string(),
                balance_plain: invoice.standing.balance_due.to_plain_string(),
                currency: invoice.total.currency().code().to_owned(),
                status: invoice.standing.status.code().replace('_', " "),
                preselected: preselected == Some(invoice.id),
                memo: invoice.memo.map(String::from),
                lines: mine
                    .into_iter()
                    .map(|(_, line)| LineView {
                        description: line.description.to_string(),
                        quantity: line.quantity.to_string(),
                        amount: line.amount.to_grouped_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(InvoiceList {
        invoices,
        totals: totals.iter().map(ToString::to_string).collect(),
        next: found.next.map(|cursor| cursor.encode()),
        later: request.after.is_some(),
        search: search.unwrap_or_default(),
    })
}

/// The page of invoices asked for in the address: `after` (a cursor) and `number` (a search).
pub fn page_query() -> (Option<String>, Option<String>) {
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    (query.get("after"), query.get("number"))
}

/// Steps 4 and 5: find an invoice by its number among many, and the links to the pages of
/// invoices (keeping the search). A plain GET form: it works without JavaScript.
#[component]
pub fn InvoiceSearch(search: String, next: Option<String>, later: bool) -> impl IntoView {
    let searching = !search.is_empty();
    let search_query = format!("number={}", url_component(&search));
    let with_search = move |after: Option<&str>| {
        let mut query = Vec::new();
        if searching {
            query.push(search_query.clone());
        }
        if let Some(after) = after {
            query.push(format!("after={after}"));
        }
        format!("?{}", query.join("&"))
    };
    let first = with_search(None);
    let more = next.as_deref().map(|cursor| with_search(Some(cursor)));
    view! {
        <form method="get" class="invoice-search" role="search">
            <label for="number">"Find an invoice by number"</label>
            <div class="invoice-search__row">
                <input id="number" name="number" type="search" autocomplete="off" value=search.clone() />
                <button type="submit" class="button button--secondary">"Find"</button>
            </div>
            {searching.then(|| view! { <a href="?">"Show all invoices"</a> })}
        </form>
        {(more.is_some() || later)
            .then(|| {
                view! {
                    <nav class="pager" aria-label="Invoice pages">
                        {later.then(|| view! { <a href=first.clone()>"← First invoices"</a> })}
                        {more.clone().map(|href| view! { <a href=href>"More invoices →"</a> })}
                    </nav>
                }
            })}
    }
}

/// `text` as a URL query value.
fn url_component(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
