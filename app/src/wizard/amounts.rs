//! Step 5, `/pay/{merchant_slug}/amounts`: which invoices to pay, and how much of each. An
//! amount below the balance is a partial payment; the rest stays outstanding.

use crate::domain::money::{AmountSyntax, Currency, Money};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::{
    FormMessage, InvoiceLine, InvoiceSearch, WizardFrame, WizardPage, WizardRoute, WizardView,
    action_result, focus_first_invalid_field, is_first_refused,
};
use leptos::prelude::*;

/// At most this many invoices in one payment.
#[cfg(feature = "ssr")]
const MAX_SELECTED: usize = 100;

/// `pay[]` lists the ticked invoices' ids; `invoice[]` and `amount[]` pair every listed
/// invoice with its amount box, in page order; `all` is the select-all box (which also works
/// without JavaScript). (Ids are values, not bracketed keys: the form decoder reads a key that
/// starts with a digit as a list index.)
#[server(endpoint = "wizard/amounts")]
pub async fn choose_amounts(
    merchant_slug: String,
    #[server(default)] pay: Vec<String>,
    #[server(default)] invoice: Vec<String>,
    #[server(default)] amount: Vec<String>,
    #[server(default)] all: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::business::FieldError;
    use crate::domain::checkout::{SelectedInvoice, TypedAmount};
    use crate::domain::ids::InvoiceId;
    use crate::domain::invoice::InvoiceStatus;
    use crate::error::unexpected;
    use crate::services::invoices::{self, InvoiceError};
    use crate::wizard::session;
    use std::collections::{BTreeMap, BTreeSet};

    let payer = session::require_payer(&merchant_slug).await?;
    // Before any work on the lists: a page lists at most a page of invoices, so longer lists
    // are hand-made, and refusing them first keeps the work below small whatever is posted.
    if pay.len() > MAX_SELECTED {
        return Err(AppError::Invalid {
            field: "pay".to_owned(),
            message: format!("Pay at most {MAX_SELECTED} invoices at a time."),
        });
    }
    if invoice.len() > MAX_SELECTED || amount.len() > MAX_SELECTED {
        return Err(AppError::Invalid {
            field: "pay".to_owned(),
            message: format!(
                "This form lists more than {MAX_SELECTED} invoices, more than a page shows: \
                 reload the page and try again."
            ),
        });
    }
    let select_all = all.is_some();
    let ticked: BTreeSet<&str> = pay.iter().map(String::as_str).collect();
    // In form order: errors come back in the order the customer reads the invoices.
    let listed: Vec<(String, String)> = invoice.into_iter().zip(amount).collect();
    let amount: BTreeMap<&str, &str> = listed
        .iter()
        .map(|(invoice, text)| (invoice.as_str(), text.as_str()))
        .collect();
    let mut checkout = payer.session.checkout.clone();
    checkout.keep_typed_amounts(
        listed
            .iter()
            .map(|(invoice, text)| TypedAmount {
                invoice: invoice.clone(),
                selected: select_all || ticked.contains(invoice.as_str()),
                amount: text.clone(),
            })
            .collect(),
    );
    payer.save_checkout(&checkout).await?;

    let mut chosen: Vec<&str> = listed
        .iter()
        .map(|(invoice, _)| invoice.as_str())
        .filter(|invoice| select_all || ticked.contains(invoice))
        .collect();
    // Ticked boxes the list did not name (a hand-made post) are checked too, and refused.
    chosen.extend(
        pay.iter()
            .map(String::as_str)
            .filter(|invoice| !amount.contains_key(invoice)),
    );
    let mut seen = BTreeSet::new();
    chosen.retain(|invoice| seen.insert(*invoice));
    if chosen.is_empty() {
        return Err(AppError::Invalid {
            field: "pay".to_owned(),
            message: "Select at least one invoice to pay.".to_owned(),
        });
    }
    if chosen.len() > MAX_SELECTED {
        return Err(AppError::Invalid {
            field: "pay".to_owned(),
            message: format!("Pay at most {MAX_SELECTED} invoices at a time."),
        });
    }
    let mut errors = Vec::new();
    let mut selection = Vec::new();
    for id in chosen {
        let field = format!("amount[{id}]");
        let refuse = |message: String| FieldError {
            field: field.clone(),
            message,
        };
        let found = match InvoiceId::parse(id) {
            Ok(invoice) => invoices::get(&payer.db, payer.merchant_id, invoice).await,
            Err(_) => Err(InvoiceError::NotFound),
        };
        let invoice = match found {
            Ok(detail) if detail.invoice.customer == payer.customer => detail.invoice,
            Ok(_) | Err(InvoiceError::NotFound) => {
                errors.push(refuse("This invoice is not one of yours.".to_owned()));
                continue;
            }
            Err(error) => return Err(unexpected("reading an invoice to pay", &error)),
        };
        let balance = invoice.standing.balance_due;
        if invoice.standing.status == InvoiceStatus::Void || balance.is_zero() {
            errors.push(refuse(format!(
                "Invoice {} has nothing left to pay.",
                invoice.number
            )));
            continue;
        }
        let typed = amount.get(id).copied().unwrap_or_default();
        let paying = match Money::parse(typed, balance.currency(), AmountSyntax::Typed) {
            Ok(paying) => paying,
            Err(error) => {
                errors.push(refuse(error.to_string()));
                continue;
            }
        };
        if paying.try_cmp(&balance).is_ok_and(|order| order.is_gt()) {
            errors.push(refuse(format!(
                "Invoice {} has {balance} left to pay; enter at most that.",
                invoice.number
            )));
            continue;
        }
        selection.push(SelectedInvoice {
            invoice: invoice.id,
            number: invoice.number.to_string(),
            amount: paying,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }
    let currencies: BTreeSet<&str> = selection
        .iter()
        .map(|selected| selected.amount.currency().code())
        .collect();
    if currencies.len() > 1 {
        return Err(AppError::Invalid {
            field: "pay".to_owned(),
            message: "Invoices in different currencies cannot be paid together: pay the USD \
                      invoices and the CAD invoices separately."
                .to_owned(),
        });
    }
    checkout.choose_amounts(selection);
    payer.save_checkout(&checkout).await?;
    payer.go_to(WizardPage::Method);
    Ok(())
}

#[component]
pub fn AmountsPage() -> impl IntoView {
    let submit = ServerAction::<ChooseAmounts>::new();
    view! {
        <WizardRoute
            page=WizardPage::Amounts
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <AmountsStep view submit /> }.into_any())
        />
    }
}

/// One invoice's row in the form: its box and amount as the customer left them.
#[derive(Clone)]
struct Row {
    invoice: InvoiceLine,
    selected: RwSignal<bool>,
    amount: RwSignal<String>,
}

/// The sum of the ticked amounts, or why there is none.
fn running_total(rows: &[Row]) -> String {
    let mut total: Option<Money> = None;
    for row in rows.iter().filter(|row| row.selected.get()) {
        let Ok(currency) = Currency::parse(&row.invoice.currency) else {
            continue;
        };
        let Ok(amount) = Money::parse(&row.amount.get(), currency, AmountSyntax::Typed) else {
            return "Check the amounts below.".to_owned();
        };
        total = match total {
            None => Some(amount),
            Some(sum) => match sum.checked_add(amount) {
                Ok(sum) => Some(sum),
                Err(_) => {
                    return "Invoices in different currencies cannot be paid together.".to_owned();
                }
            },
        };
    }
    match total {
        Some(total) => format!("Total to pay: {total}"),
        None => "Select the invoices to pay.".to_owned(),
    }
}

#[component]
fn AmountsStep(view: WizardView, submit: ServerAction<ChooseAmounts>) -> impl IntoView {
    let result = action_result(submit);
    focus_first_invalid_field(result);
    let slug = view.merchant.slug.clone();
    let typed = view.checkout.typed.clone();
    let notice = view.checkout.notice.clone();
    let next = view.next_invoices.clone();
    let later = view.later_invoices;
    let rows: Vec<Row> = view
        .invoices
        .iter()
        .map(|invoice| {
            let kept = typed.iter().find(|typed| typed.invoice == invoice.id);
            Row {
                selected: RwSignal::new(kept.map_or(invoice.preselected, |kept| kept.selected)),
                amount: RwSignal::new(
                    kept.map_or_else(|| invoice.balance_plain.clone(), |kept| kept.amount.clone()),
                ),
                invoice: invoice.clone(),
            }
        })
        .collect();
    let total = {
        let rows = rows.clone();
        move || running_total(&rows)
    };
    let all_selected = {
        let rows = rows.clone();
        move || !rows.is_empty() && rows.iter().all(|row| row.selected.get())
    };
    let select_all = {
        let rows = rows.clone();
        move |checked: bool| rows.iter().for_each(|row| row.selected.set(checked))
    };
    let pay_error = move || match result.get() {
        Some(Err(error)) => error.message_for("pay"),
        _ => None,
    };
    let search = view.search.clone();
    let empty = rows.is_empty() && !later && search.is_empty();
    let no_match = rows.is_empty() && !search.is_empty();
    let paged = next.is_some() || later;
    let row_views = rows
        .into_iter()
        .map(|row| view! { <AmountRow row result /> })
        .collect_view();
    view! {
        <WizardFrame view step=WizardStep::Amounts back=(WizardPage::Invoices.path(&slug), "Your invoices")>
            <h1>"What to pay"</h1>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            {if empty {
                view! { <p class="lead">"You have no outstanding invoices. Thank you!"</p> }.into_any()
            } else {
                view! {
                    <p class="lead">"Tick the invoices to pay. To pay part of an invoice, change its amount: the rest stays outstanding."</p>
                    {paged.then(|| view! { <p class="field__help">"You can pay the invoices of one page (or one search) at a time."</p> })}
                    <InvoiceSearch search=search.clone() next=next.clone() later />
                    {no_match.then(|| view! { <p class="lead">{format!("No outstanding invoice number contains “{search}”.")}</p> })}
                    <ActionForm action=submit attr:novalidate=true attr:class="form">
                        <input type="hidden" name="merchant_slug" value=slug.to_string() />
                        <FormMessage result />
                        <div class="field field--check">
                            <input
                                id="select-all"
                                type="checkbox"
                                name="all"
                                prop:checked=all_selected
                                autofocus=move || is_first_refused(result, "pay")
                                aria-invalid=move || pay_error().is_some().to_string()
                                on:change=move |event| select_all(event_target_checked(&event))
                                aria-describedby="pay-error"
                            />
                            <label for="select-all">"Select all invoices"</label>
                        </div>
                        <p id="pay-error" class="field__error" role="alert">{pay_error}</p>
                        <ul class="pay-list">{row_views}</ul>
                        <p class="pay-total" aria-live="polite">{total}</p>
                        <button type="submit" class="button">"Continue"</button>
                    </ActionForm>
                }
                    .into_any()
            }}
        </WizardFrame>
    }
}

#[component]
fn AmountRow(row: Row, result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    let invoice = row.invoice;
    let check_id = format!("pay-{}", invoice.id);
    let amount_id = format!("amount-{}", invoice.id);
    let error_id = format!("amount-{}-error", invoice.id);
    let field = format!("amount[{}]", invoice.id);
    let error = {
        let field = field.clone();
        Signal::derive(move || match result.get() {
            Some(Err(error)) => error.message_for(&field),
            _ => None,
        })
    };
    let selected = row.selected;
    let amount = row.amount;
    let currency = invoice.currency.clone();
    view! {
        <li class="pay-row">
            <div class="field field--check">
                <input
                    id=check_id.clone()
                    type="checkbox"
                    name="pay[]"
                    value=invoice.id.clone()
                    // The attribute for the server's HTML (and no JavaScript), the property
                    // for the live form.
                    checked=selected.get_untracked()
                    prop:checked=move || selected.get()
                    on:change=move |event| selected.set(event_target_checked(&event))
                />
                <label for=check_id>{format!("Select invoice {}", invoice.number)}</label>
                <span class="pay-row__meta">
                    {format!("Due {} · {} {} left", invoice.due_on, invoice.balance_due, currency)}
                    {invoice.overdue.then(|| view! { <span class="badge badge--overdue">"Overdue"</span> })}
                </span>
            </div>
            <div class="field">
                <label for=amount_id.clone()>{format!("Amount to pay for invoice {}", invoice.number)}</label>
                <input type="hidden" name="invoice[]" value=invoice.id.clone() />
                <div class="amount-input">
                    <span class="amount-input__prefix" aria-hidden="true">"$"</span>
                    <input
                        id=amount_id
                        name="amount[]"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        value=amount.get_untracked()
                        on:input=move |event| amount.set(event_target_value(&event))
                        autofocus=move || is_first_refused(result, &field)
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby=error_id.clone()
                    />
                    <span class="amount-input__currency">{currency.clone()}</span>
                </div>
                <p id=error_id class="field__error" role="alert">{move || error.get()}</p>
            </div>
        </li>
    }
}
