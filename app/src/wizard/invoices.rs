//! Step 4, `/pay/{merchant_slug}/invoices`: the signed-in customer's outstanding invoices.

use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use crate::wizard::invoice_list::{self, InvoiceList, InvoiceSearch, LineView};
use crate::wizard::plans::{CustomerPlan, CustomerPlans};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 4 shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoicesView {
    pub frame: Frame,
    pub list: InvoiceList,
    /// The customer's live installment plans.
    pub plans: Vec<CustomerPlan>,
}

/// Step 4's data; `after` is the cursor of the page of invoices to show, `number` a search.
#[server(endpoint = "wizard/page/invoices")]
pub async fn invoices_page(
    merchant_slug: String,
    #[server(default)] after: Option<String>,
    #[server(default)] number: Option<String>,
) -> Result<PageState<InvoicesView>, AppError> {
    use crate::wizard::guard::{self, Entry};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Invoices).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let list = invoice_list::load(&payer, after, number).await?;
    let plans = crate::wizard::plans::load(&payer).await?;
    Ok(PageState::show(InvoicesView {
        frame: payer.frame(),
        list,
        plans,
    }))
}

#[component]
pub fn InvoicesPage() -> impl IntoView {
    let (after, number) = invoice_list::page_query();
    step_page(invoices_page(merchant_slug(), after, number), |view| {
        view! { <InvoicesStep view /> }.into_any()
    })
}

#[component]
fn InvoicesStep(view: InvoicesView) -> impl IntoView {
    let InvoiceList {
        invoices,
        totals,
        next,
        later,
        search,
    } = view.list;
    let empty = invoices.is_empty() && !later && search.is_empty();
    let no_match = invoices.is_empty() && !search.is_empty();
    let slug = view.frame.merchant.slug.clone();
    let plans = view.plans;
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Invoices>
            <h1>"Your invoices"</h1>
            {if empty {
                view! { <p class="lead">"You have no outstanding invoices. Thank you!"</p> }.into_any()
            } else {
                view! {
                    <div class="invoices-frame">
                    <table class="invoices">
                        <caption class="visually-hidden">"Outstanding invoices"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Invoice"</th>
                                <th scope="col">"Issued"</th>
                                <th scope="col">"Due"</th>
                                <th scope="col" class="amount">"Total"</th>
                                <th scope="col" class="amount">"Balance due"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {invoices
                                .into_iter()
                                .map(|invoice| {
                                    let class = if invoice.preselected { "invoice invoice--preselected" } else { "invoice" };
                                    view! {
                                        <tr class=class>
                                            <th scope="row" data-label="Invoice">
                                                {invoice.number.clone()}
                                                {invoice.preselected.then(|| view! { <span class="badge badge--link">"From your link"</span> })}
                                                <span class="invoice__status">{invoice.status}</span>
                                                <InvoiceDetails number=invoice.number memo=invoice.memo lines=invoice.lines />
                                            </th>
                                            <td data-label="Issued">{invoice.issued_on}</td>
                                            <td data-label="Due">
                                                <span>
                                                    {invoice.due_on}
                                                    {invoice.overdue.then(|| view! { <span class="badge badge--overdue">"Overdue"</span> })}
                                                </span>
                                            </td>
                                            <td data-label="Total" class="amount">{format!("{} {}", invoice.total, invoice.currency)}</td>
                                            <td data-label="Balance due" class="amount">{format!("{} {}", invoice.balance_due, invoice.currency)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                        <tfoot>
                            {totals
                                .into_iter()
                                .map(|total| view! {
                                    <tr>
                                        <th scope="row" colspan="4">"Total due, all invoices"</th>
                                        <td class="amount">{total}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tfoot>
                    </table>
                    </div>
                    {no_match.then(|| view! { <p class="lead">{format!("No outstanding invoice number contains “{search}”.")}</p> })}
                    <a class="button" href=WizardPage::Amounts.path(&slug)>"Choose what to pay"</a>
                    <InvoiceSearch search=search.clone() next=next.clone() later />
                }
                    .into_any()
            }}
            <CustomerPlans slug=slug.to_string() plans />
        </WizardFrame>
    }
}

/// An invoice's memo and lines, behind a disclosure that works without JavaScript.
#[component]
fn InvoiceDetails(number: String, memo: Option<String>, lines: Vec<LineView>) -> impl IntoView {
    if memo.is_none() && lines.is_empty() {
        return ().into_any();
    }
    // Erased to `AnyView`: nested inside the table's type it would be too deep for the compiler.
    view! {
        <details class="invoice__details">
            <summary>
                "Details" <span class="visually-hidden">{format!(" of invoice {number}")}</span>
            </summary>
            {memo.map(|memo| view! { <p class="invoice__memo">{memo}</p> })}
            {(!lines.is_empty())
                .then(|| {
                    view! {
                        <ul class="invoice__lines">
                            {lines
                                .into_iter()
                                .map(|line| {
                                    view! {
                                        <li>
                                            <span>{format!("{} × {}", line.quantity, line.description)}</span>
                                            <span class="amount">{line.amount}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </details>
    }
    .into_any()
}
