//! Step 4, `/pay/{merchant_slug}/invoices`: the signed-in customer's outstanding invoices.

use crate::domain::sign_in::WizardStep;
use crate::wizard::{InvoiceSearch, LineView, WizardFrame, WizardPage, WizardRoute, WizardView};
use leptos::prelude::*;

#[component]
pub fn InvoicesPage() -> impl IntoView {
    view! {
        <WizardRoute
            page=WizardPage::Invoices
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <InvoicesStep view /> }.into_any())
        />
    }
}

#[component]
fn InvoicesStep(view: WizardView) -> impl IntoView {
    let invoices = view.invoices.clone();
    let totals = view.totals.clone();
    let search = view.search.clone();
    let empty = invoices.is_empty() && !view.later_invoices && search.is_empty();
    let no_match = invoices.is_empty() && !search.is_empty();
    let next = view.next_invoices.clone();
    let later = view.later_invoices;
    let slug = view.merchant.slug.clone();
    view! {
        <WizardFrame view step=WizardStep::Invoices>
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
