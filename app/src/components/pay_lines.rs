//! The invoices a payment pays, as the review and the receipt list them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An invoice and the amount being paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    pub number: String,
    pub amount: String,
}

/// The invoices a payment pays and its total, as the review and the receipt show them.
#[component]
pub fn PayLinesTable(caption: &'static str, lines: Vec<PayLine>, total: String) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <th scope="row">{format!("Invoice {}", line.number)}</th>
                    <td class="amount">{line.amount}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="review">
            <caption class="visually-hidden">{caption}</caption>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">"Total"</th>
                    <td class="amount">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
}
