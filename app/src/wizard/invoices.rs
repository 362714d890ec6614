//! Step 4, `/pay/{merchant_slug}/invoices`: the signed-in customer's outstanding invoices.

use crate::domain::sign_in::WizardStep;
use crate::wizard::{WizardFrame, WizardPage, WizardRoute, WizardView};
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
    let empty = invoices.is_empty();
    view! {
        <WizardFrame view step=WizardStep::Invoices>
            <h1>"Your invoices"</h1>
            {if empty {
                view! { <p class="lead">"You have no outstanding invoices. Thank you!"</p> }.into_any()
            } else {
                view! {
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
                                                {invoice.number}
                                                {invoice.preselected.then(|| view! { <span class="badge badge--link">"From your link"</span> })}
                                                <span class="invoice__status">{invoice.status}</span>
                                            </th>
                                            <td data-label="Issued">{invoice.issued_on}</td>
                                            <td data-label="Due">
                                                {invoice.due_on}
                                                {invoice.overdue.then(|| view! { <span class="badge badge--overdue">"Overdue"</span> })}
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
                                        <th scope="row" colspan="4">"Total due"</th>
                                        <td class="amount">{total}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tfoot>
                    </table>
                }
                    .into_any()
            }}
        </WizardFrame>
    }
}
