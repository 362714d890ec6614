//! Step 5, `/pay/{merchant_slug}/amounts`: which invoices to pay, and how much of each. An
//! amount below the balance is a partial payment; the rest stays outstanding.

use crate::components::FormMessage;
use crate::domain::checkout::TypedAmount;
use crate::domain::money::{AmountSyntax, Currency, Money};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use crate::wizard::invoice_list::{self, InvoiceLine, InvoiceList, InvoiceSearch};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 5 shows: a page of invoices, with what was typed in their boxes before and why
/// the customer was sent back here, if they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmountsView {
    pub frame: Frame,
    pub list: InvoiceList,
    pub typed: Vec<TypedAmount>,
    pub notice: Option<String>,
    /// The smallest part of an invoice the merchant takes, in each currency this page lists
    /// ("1.00 USD"), said before a smaller amount is refused.
    pub minimum_partial: Vec<String>,
}

/// Step 5's data; `after` and `number` choose the page of invoices, as in step 4.
#[server(endpoint = "wizard/page/amounts")]
pub async fn amounts_page(
    merchant_slug: String,
    #[server(default)] after: Option<String>,
    #[server(default)] number: Option<String>,
) -> Result<PageState<AmountsView>, AppError> {
    use crate::wizard::guard::{self, Entry};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Amounts).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let list = invoice_list::load(&payer, after, number).await?;
    let minimum_partial = minimum_partial(&payer, &list).await?;
    Ok(PageState::show(AmountsView {
        typed: payer.session.checkout.typed_amounts.clone(),
        notice: payer.session.checkout.notice.clone(),
        frame: payer.frame(),
        minimum_partial,
        list,
    }))
}

/// The merchant's minimum part payment in each currency of `list`, in the order first listed.
#[cfg(feature = "ssr")]
async fn minimum_partial(
    payer: &crate::wizard::session::Payer,
    list: &InvoiceList,
) -> Result<Vec<String>, AppError> {
    use crate::domain::money::{Currency, Money};
    use crate::error::unexpected;
    use crate::services::merchants;

    let minimum_minor = merchants::minimum_partial_payment_minor(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading the merchant's minimum payment", &error))?;
    let mut currencies: Vec<Currency> = Vec::new();
    for line in &list.invoices {
        let currency = Currency::parse(&line.currency)
            .map_err(|error| unexpected("reading a listed invoice's currency", &error))?;
        if !currencies.contains(&currency) {
            currencies.push(currency);
        }
    }
    currencies
        .into_iter()
        .map(|currency| {
            Money::from_minor_units(minimum_minor, currency)
                .map(|minimum| minimum.to_string())
                .map_err(|error| unexpected("reading the merchant's minimum payment", &error))
        })
        .collect()
}

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
    use crate::domain::checkout::SelectedInvoice;
    use crate::domain::ids::InvoiceId;
    use crate::domain::invoice::InvoiceStatus;
    use crate::error::unexpected;
    use crate::services::invoices::{self, InvoiceError};
    use crate::services::merchants;
    use crate::wizard::guard;
    use std::collections::{BTreeMap, BTreeSet};

    let payer = guard::require_payer(&merchant_slug).await?;
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
    // One minimum for the merchant, in each invoice's currency below.
    let minimum_minor = merchants::minimum_partial_payment_minor(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading the merchant's minimum payment", &error))?;
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
        let minimum = Money::from_minor_units(minimum_minor, balance.currency())
            .map_err(|error| unexpected("reading the merchant's minimum payment", &error))?;
        let partial = paying.try_cmp(&balance).is_ok_and(|order| order.is_lt());
        if partial && paying.try_cmp(&minimum).is_ok_and(|order| order.is_lt()) {
            errors.push(refuse(format!(
                "Pay at least {minimum} toward invoice {}, or all of its {balance}.",
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
    let (after, number) = invoice_list::page_query();
    step_page(amounts_page(merchant_slug(), after, number), move |view| {
        view! { <AmountsStep view submit /> }.into_any()
    })
}

/// One invoice's row of step 5 as its island takes it: what the server knows of the invoice
/// and what the customer left in the row, with the server's refusal of it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountRow {
    pub invoice: String,
    pub number: String,
    /// "Due Jan 31, 2027 · 1,250.00 USD left".
    pub standing: String,
    pub overdue: bool,
    pub currency: String,
    pub selected: bool,
    pub amount: String,
    pub error: Option<String>,
    /// Whether this row's amount is the first field the server refused (it takes the focus).
    pub first_refused: bool,
}

impl AmountRow {
    fn new(
        invoice: &InvoiceLine,
        typed: Option<&TypedAmount>,
        result: Option<&Result<(), AppError>>,
    ) -> Self {
        let field = format!("amount[{}]", invoice.id);
        let refusal = match result {
            Some(Err(error)) => Some(error),
            _ => None,
        };
        Self {
            standing: format!(
                "Due {} · {} {} left",
                invoice.due_on, invoice.balance_due, invoice.currency
            ),
            invoice: invoice.id.clone(),
            number: invoice.number.clone(),
            overdue: invoice.overdue,
            currency: invoice.currency.clone(),
            selected: typed.map_or(invoice.preselected, |typed| typed.selected),
            amount: typed.map_or_else(
                || invoice.balance_plain.clone(),
                |typed| typed.amount.clone(),
            ),
            error: refusal.and_then(|error| error.message_for(&field)),
            first_refused: refusal.is_some_and(|error| error.first_field() == Some(field.as_str())),
        }
    }
}

/// The sum of the ticked amounts, or why there is none.
fn running_total(rows: &[(String, bool, String)]) -> String {
    let mut total: Option<Money> = None;
    for (currency, _, amount) in rows.iter().filter(|(_, selected, _)| *selected) {
        let Ok(currency) = Currency::parse(currency) else {
            continue;
        };
        let Ok(amount) = Money::parse(amount, currency, AmountSyntax::Typed) else {
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
fn AmountsStep(view: AmountsView, submit: ServerAction<ChooseAmounts>) -> impl IntoView {
    let result = submit.value().get_untracked();
    let slug = view.frame.merchant.slug.clone();
    let notice = view.notice.clone();
    let minimum_partial = view.minimum_partial.clone();
    let InvoiceList {
        invoices,
        next,
        later,
        search,
        ..
    } = view.list;
    let rows: Vec<AmountRow> = invoices
        .iter()
        .map(|invoice| {
            let typed = view.typed.iter().find(|typed| typed.invoice == invoice.id);
            AmountRow::new(invoice, typed, result.as_ref())
        })
        .collect();
    let refusal = match &result {
        Some(Err(error)) => Some(error.clone()),
        _ => None,
    };
    let pay_error = refusal.as_ref().and_then(|error| error.message_for("pay"));
    let focus_pay = refusal
        .as_ref()
        .is_some_and(|error| error.first_field() == Some("pay"));
    let empty = rows.is_empty() && !later && search.is_empty();
    let no_match = rows.is_empty() && !search.is_empty();
    let paged = next.is_some() || later;
    let form_result = Signal::derive(move || result.clone());
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Amounts back=(WizardPage::Invoices.path(&slug), "Your invoices")>
            <h1>"What to pay"</h1>
            {notice.map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            {if empty {
                view! { <p class="lead">"You have no outstanding invoices. Thank you!"</p> }.into_any()
            } else {
                view! {
                    <p class="lead">"Tick the invoices to pay. To pay part of an invoice, change its amount: the rest stays outstanding."</p>
                    {(!minimum_partial.is_empty()).then(|| view! {
                        <p class="field__help">{format!("A part payment is at least {}.", minimum_partial.join(" or "))}</p>
                    })}
                    {paged.then(|| view! { <p class="field__help">"You can pay the invoices of one page (or one search) at a time."</p> })}
                    <InvoiceSearch search=search.clone() next=next.clone() later />
                    {no_match.then(|| view! { <p class="lead">{format!("No outstanding invoice number contains “{search}”.")}</p> })}
                    <ActionForm action=submit attr:novalidate=true attr:class="form">
                        <input type="hidden" name="merchant_slug" value=slug.to_string() />
                        <FormMessage result=form_result />
                        <AmountsPicker rows pay_error focus_pay />
                        <button type="submit" class="button">"Continue"</button>
                    </ActionForm>
                }
                    .into_any()
            }}
        </WizardFrame>
    }
}

/// The invoices to tick and their amount boxes, with select-all and the running total once
/// hydrated. Without JavaScript the same boxes post as they are (select-all included), and
/// the server adds up.
#[island]
pub fn AmountsPicker(
    rows: Vec<AmountRow>,
    pay_error: Option<String>,
    focus_pay: bool,
) -> impl IntoView {
    // The boxes as the customer left them: on a slow phone they may tick and type before the
    // WASM arrives, and the total must add up what they see.
    let (selected, amounts): (Vec<RwSignal<bool>>, Vec<RwSignal<String>>) = rows
        .iter()
        .map(|row| {
            let (ticked, typed) = row_in_page(row);
            (RwSignal::new(ticked), RwSignal::new(typed))
        })
        .unzip();
    let currencies: Vec<String> = rows.iter().map(|row| row.currency.clone()).collect();
    // Hydration keeps the server's text of the total; once hydrated it is worked out afresh
    // from the boxes as they are.
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let total = {
        let (selected, amounts) = (selected.clone(), amounts.clone());
        move || {
            hydrated.track();
            let lines: Vec<(String, bool, String)> = currencies
                .iter()
                .zip(&selected)
                .zip(&amounts)
                .map(|((currency, selected), amount)| {
                    (currency.clone(), selected.get(), amount.get())
                })
                .collect();
            running_total(&lines)
        }
    };
    let all_selected = {
        let selected = selected.clone();
        move || !selected.is_empty() && selected.iter().all(|row| row.get())
    };
    let select_all = {
        let selected = selected.clone();
        move |checked: bool| selected.iter().for_each(|row| row.set(checked))
    };
    let invalid = pay_error.is_some();
    let row_views = rows
        .into_iter()
        .enumerate()
        .map(|(index, row)| {
            view! {
                <AmountRowFields
                    row
                    selected=selected[index]
                    amount=amounts[index]
                />
            }
        })
        .collect_view();
    view! {
        <div class="field field--check">
            <input
                id="select-all"
                type="checkbox"
                name="all"
                prop:checked=all_selected
                autofocus=focus_pay
                aria-invalid=invalid.to_string()
                on:change=move |event| select_all(event_target_checked(&event))
                aria-describedby="pay-error"
            />
            <label for="select-all">"Select all invoices"</label>
        </div>
        <p id="pay-error" class="field__error" role="alert">{pay_error}</p>
        <ul class="pay-list">{row_views}</ul>
        <p class="pay-total" aria-live="polite">{total}</p>
    }
}

/// Whether `row` is ticked and what its amount box holds: in the browser as the page has them
/// when the island hydrates, elsewhere as the server rendered them.
fn row_in_page(row: &AmountRow) -> (bool, String) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let input = |id: String| {
            document()
                .get_element_by_id(&id)
                .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
        };
        if let (Some(check), Some(amount)) = (
            input(format!("pay-{}", row.invoice)),
            input(format!("amount-{}", row.invoice)),
        ) {
            return (check.checked(), amount.value());
        }
    }
    (row.selected, row.amount.clone())
}

#[component]
fn AmountRowFields(
    row: AmountRow,
    selected: RwSignal<bool>,
    amount: RwSignal<String>,
) -> impl IntoView {
    let check_id = format!("pay-{}", row.invoice);
    let amount_id = format!("amount-{}", row.invoice);
    let error_id = format!("amount-{}-error", row.invoice);
    let invalid = row.error.is_some();
    view! {
        <li class="pay-row">
            <div class="field field--check">
                <input
                    id=check_id.clone()
                    type="checkbox"
                    name="pay[]"
                    value=row.invoice.clone()
                    // The attribute for the server's HTML (and no JavaScript), the property
                    // for the live form.
                    checked=row.selected
                    prop:checked=move || selected.get()
                    on:change=move |event| selected.set(event_target_checked(&event))
                />
                <label for=check_id>{format!("Select invoice {}", row.number)}</label>
                <span class="pay-row__meta">
                    {row.standing.clone()}
                    {row.overdue.then(|| view! { <span class="badge badge--overdue">"Overdue"</span> })}
                </span>
            </div>
            <div class="field">
                <label for=amount_id.clone()>{format!("Amount to pay for invoice {}", row.number)}</label>
                <input type="hidden" name="invoice[]" value=row.invoice.clone() />
                <div class="amount-input">
                    <span class="amount-input__prefix" aria-hidden="true">"$"</span>
                    <input
                        id=amount_id
                        name="amount[]"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        value=row.amount.clone()
                        on:input=move |event| amount.set(event_target_value(&event))
                        autofocus=row.first_refused
                        aria-invalid=invalid.to_string()
                        aria-describedby=error_id.clone()
                    />
                    <span class="amount-input__currency">{row.currency.clone()}</span>
                </div>
                <p id=error_id class="field__error" role="alert">{row.error.clone()}</p>
            </div>
        </li>
    }
}
