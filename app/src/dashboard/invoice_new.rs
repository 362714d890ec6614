//! `/dashboard/invoices/new`: an admin bills a customer. First the customer is found by name
//! (or comes from its page's **New invoice** link), then the invoice is typed: its number,
//! currency, dates, memo and up to [`LINE_ROWS`] lines, or a total alone.
//!
//! The dashboard posts plain forms, so a refused form cannot live in the browser: the action
//! sends the browser back here with what was typed in the address and the page checks it
//! again to show each refusal beside its field, so nothing typed is lost.

use crate::components::FormMessage;
use crate::components::action_result;
use crate::dashboard::DashboardPage;
use crate::dashboard::fields::TextField;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::domain::business::FieldError;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many line rows the form offers.
pub const LINE_ROWS: usize = 5;

/// The form as typed: every value text, given back as it was.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceForm {
    pub customer_id: String,
    pub number: String,
    pub currency: String,
    pub issued_on: String,
    pub due_on: String,
    pub memo: String,
    pub total: String,
    pub external_id: String,
    pub lines: Vec<LineForm>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LineForm {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
}

impl LineForm {
    #[cfg(feature = "ssr")]
    fn is_blank(&self) -> bool {
        self.description.trim().is_empty()
            && self.quantity.trim().is_empty()
            && self.unit_price.trim().is_empty()
    }
}

impl InvoiceForm {
    /// The query string that gives the form back as typed.
    #[cfg(feature = "ssr")]
    fn query(&self) -> String {
        let mut pairs = vec![
            ("customer".to_owned(), &self.customer_id),
            ("number".to_owned(), &self.number),
            ("currency".to_owned(), &self.currency),
            ("issued_on".to_owned(), &self.issued_on),
            ("due_on".to_owned(), &self.due_on),
            ("memo".to_owned(), &self.memo),
            ("total".to_owned(), &self.total),
            ("external_id".to_owned(), &self.external_id),
        ];
        for (index, line) in self.lines.iter().enumerate() {
            pairs.push((format!("line{index}_description"), &line.description));
            pairs.push((format!("line{index}_quantity"), &line.quantity));
            pairs.push((format!("line{index}_unit_price"), &line.unit_price));
        }
        crate::dashboard::query_of(
            pairs
                .into_iter()
                .map(|(name, value)| (name, value.as_str())),
        )
    }

    /// The form from the page's query (see [`InvoiceForm::query`]).
    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).unwrap_or_default();
        Self {
            customer_id: text("customer"),
            number: text("number"),
            currency: text("currency"),
            issued_on: text("issued_on"),
            due_on: text("due_on"),
            memo: text("memo"),
            total: text("total"),
            external_id: text("external_id"),
            lines: (0..LINE_ROWS)
                .map(|index| LineForm {
                    description: text(&format!("line{index}_description")),
                    quantity: text(&format!("line{index}_quantity")),
                    unit_price: text(&format!("line{index}_unit_price")),
                })
                .collect(),
        }
    }
}

/// The form checked: the invoice to create, or every refusal by field.
#[cfg(feature = "ssr")]
pub fn parse_form(
    form: &InvoiceForm,
) -> Result<crate::services::invoices::NewInvoice, Vec<FieldError>> {
    use crate::domain::ids::CustomerId;
    use crate::domain::invoice::{LineItem, lines_total, parse_quantity};
    use crate::domain::money::{AmountSyntax, Currency, Money};
    use crate::domain::text::{ExternalId, InvoiceNumber, LineDescription, Memo};
    use crate::services::clock::parse_date;

    let mut refusals = Vec::new();
    let mut refuse = |field: &str, message: String| {
        refusals.push(FieldError {
            field: field.to_owned(),
            message,
        });
    };
    let customer = CustomerId::parse(&form.customer_id).ok();
    if customer.is_none() {
        refuse("customer", "Find the customer to bill first.".to_owned());
    }
    let number = InvoiceNumber::parse(&form.number)
        .map_err(|error| refuse("number", error.to_string()))
        .ok();
    let currency = Currency::parse(&form.currency)
        .map_err(|error| refuse("currency", error.to_string()))
        .ok();
    let date = |text: &str| {
        parse_date(text.trim())
            .map_err(|_| "Enter a real date as YYYY-MM-DD, for example 2026-12-01.".to_owned())
    };
    let issued_on = date(&form.issued_on)
        .map_err(|message| refuse("issued_on", message))
        .ok();
    let due_on = date(&form.due_on)
        .map_err(|message| refuse("due_on", message))
        .ok();
    if let (Some(issued_on), Some(due_on)) = (issued_on, due_on)
        && due_on < issued_on
    {
        refuse(
            "due_on",
            "The due date is before the issue date.".to_owned(),
        );
    }
    let memo = (!form.memo.trim().is_empty())
        .then(|| Memo::parse(&form.memo))
        .transpose()
        .map_err(|error| refuse("memo", error.to_string()))
        .ok()
        .flatten();
    let external_id = (!form.external_id.trim().is_empty())
        .then(|| ExternalId::parse(&form.external_id))
        .transpose()
        .map_err(|error| refuse("external_id", error.to_string()))
        .ok()
        .flatten();
    let mut lines = Vec::new();
    if let Some(currency) = currency {
        for (index, line) in form.lines.iter().enumerate() {
            if line.is_blank() {
                continue;
            }
            let field = |name: &str| format!("line{index}_{name}");
            let description = LineDescription::parse(&line.description)
                .map_err(|error| refuse(&field("description"), error.to_string()))
                .ok();
            let quantity = parse_quantity(&line.quantity)
                .map_err(|error| refuse(&field("quantity"), error.to_string()))
                .ok();
            let unit_price = Money::parse(&line.unit_price, currency, AmountSyntax::Typed)
                .map_err(|error| refuse(&field("unit_price"), error.to_string()))
                .ok();
            if let (Some(description), Some(quantity), Some(unit_price)) =
                (description, quantity, unit_price)
            {
                match LineItem::new(description, quantity, unit_price) {
                    Ok(item) => lines.push(item),
                    Err(error) => refuse(&field("quantity"), error.to_string()),
                }
            }
        }
    }
    // With lines the total is theirs (a total typed as well must agree); without, it is typed.
    let total = match currency {
        None => None,
        Some(currency) if !lines.is_empty() => match lines_total(&lines, currency) {
            Ok(sum) if form.total.trim().is_empty() => Some(sum),
            Ok(sum) => match Money::parse(&form.total, currency, AmountSyntax::Typed) {
                Ok(typed) if typed == sum => Some(sum),
                Ok(typed) => {
                    refuse(
                        "total",
                        format!(
                            "The lines add up to {sum}, not {typed}: correct one of them, or leave the total empty."
                        ),
                    );
                    None
                }
                Err(error) => {
                    refuse("total", error.to_string());
                    None
                }
            },
            Err(_) => {
                refuse(
                    "total",
                    "The lines add up to more than an invoice may total (999,999,999.99)."
                        .to_owned(),
                );
                None
            }
        },
        Some(_) if form.total.trim().is_empty() => {
            refuse(
                "total",
                "Enter the total, or the lines it is made of.".to_owned(),
            );
            None
        }
        Some(currency) => Money::parse(&form.total, currency, AmountSyntax::Typed)
            .map_err(|error| refuse("total", error.to_string()))
            .ok(),
    };
    match (customer, number, total, issued_on, due_on) {
        (Some(customer), Some(number), Some(total), Some(issued_on), Some(due_on))
            if refusals.is_empty() =>
        {
            Ok(crate::services::invoices::NewInvoice {
                customer,
                number,
                total,
                issued_on,
                due_on,
                memo,
                line_items: lines,
                external_id,
            })
        }
        _ => Err(refusals),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInvoiceView {
    pub frame: StaffFrame,
    pub form: InvoiceForm,
    /// The customer billed, once picked.
    pub customer: Option<CustomerChoice>,
    /// The name searched for, and the customers it found.
    pub find: String,
    pub found: Vec<CustomerChoice>,
    /// What was refused the last time the form was sent, by field.
    pub refused: Vec<FieldError>,
}

#[server(endpoint = "dashboard/page/invoice-new")]
pub async fn new_invoice_page(
    #[server(default)] form: InvoiceForm,
    #[server(default)] find: Option<String>,
    /// Set when the action sent the form back refused: check it again to say why.
    #[server(default)]
    refused: Option<String>,
) -> Result<DashboardState<NewInvoiceView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::CustomerId;
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::customers::{self, CustomerError};
    use crate::services::page::PageRequest;

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    staff.require_admin()?;
    let merchant = staff.merchant_id();
    let mut form = form;
    if form.currency.is_empty() {
        form.currency = staff.merchant.country.home_currency().code().to_owned();
    }
    if form.issued_on.is_empty() && form.due_on.is_empty() {
        let today = today();
        form.issued_on = today.to_string();
        form.due_on = (today + time::Duration::days(30)).to_string();
    }
    form.lines.resize_with(LINE_ROWS, LineForm::default);
    let customer = match CustomerId::parse(&form.customer_id) {
        Ok(id) => match customers::get(&staff.db, merchant, id).await {
            Ok(customer) => Some(CustomerChoice {
                id: customer.id.to_string(),
                name: customer.legal_name.to_string(),
            }),
            Err(CustomerError::NotFound) => return Ok(DashboardState::NotFound),
            Err(error) => return Err(unexpected("reading a customer", &error)),
        },
        Err(_) => None,
    };
    let find = find.unwrap_or_default().trim().to_owned();
    let found = if customer.is_none() && !find.is_empty() {
        customers::search_by_name(&staff.db, merchant, &find, &PageRequest::first(10))
            .await
            .map_err(|error| unexpected("finding customers by name", &error))?
            .items
            .into_iter()
            .map(|customer| CustomerChoice {
                id: customer.id.to_string(),
                name: customer.legal_name.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let refused = match refused.as_deref() {
        None => Vec::new(),
        Some(taken) => match parse_form(&form) {
            Err(refusals) => refusals,
            Ok(_) => taken_refusal(taken).into_iter().collect(),
        },
    };
    Ok(DashboardState::show(NewInvoiceView {
        frame: staff.frame(),
        form,
        customer,
        find,
        found,
        refused,
    }))
}

/// The refusal of a form that parsed but collided with another invoice, by the code the action
/// sent back (a code, not a message: the address bar is not the place for text to show).
#[cfg(feature = "ssr")]
fn taken_refusal(code: &str) -> Option<FieldError> {
    let (field, message) = match code {
        "number" => ("number", "Another invoice already has this number."),
        "external_id" => (
            "external_id",
            "Another invoice already has this id from your accounting software.",
        ),
        _ => return None,
    };
    Some(FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    })
}

/// Creates the invoice typed, then opens it; a refused form goes back to the page as typed.
#[server(endpoint = "dashboard/invoice-create")]
pub async fn create_invoice(form: InvoiceForm) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::services::invoices::{self, InvoiceError};

    let staff = guard::require_admin().await?;
    let back = |code: &str| {
        leptos_axum::redirect(&format!(
            "{}?{}&refused={code}",
            DashboardPage::NewInvoice.path(),
            form.query()
        ));
    };
    let invoice = match parse_form(&form) {
        Ok(invoice) => invoice,
        Err(_) => {
            back("form");
            return Ok(());
        }
    };
    match invoices::create(&staff.db, staff.merchant_id(), &invoice).await {
        Ok(created) => {
            leptos_axum::redirect(&DashboardPage::Invoice(created.invoice.id).path());
        }
        Err(InvoiceError::NumberTaken(_)) => back("number"),
        Err(InvoiceError::ExternalIdTaken(_)) => back("external_id"),
        Err(InvoiceError::CustomerNotFound) => {
            return Err(AppError::NotFound("There is no such customer.".to_owned()));
        }
        Err(error) => return Err(crate::error::unexpected("creating an invoice", &error)),
    }
    Ok(())
}

#[component]
pub fn DashboardNewInvoicePage() -> impl IntoView {
    let create = ServerAction::<CreateInvoice>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let form = InvoiceForm::from_query(|name| query.get(name));
    let load = new_invoice_page(form, query.get("find"), query.get("refused"));
    dashboard_page(load, move |view| {
        view! { <NewInvoice view create /> }.into_any()
    })
}

#[component]
fn NewInvoice(view: NewInvoiceView, create: ServerAction<CreateInvoice>) -> impl IntoView {
    let result = action_result(create);
    let frame = view.frame.clone();
    let body = match view.customer.clone() {
        None => view! { <FindCustomer view /> }.into_any(),
        Some(customer) => view! { <InvoiceFields view customer create result /> }.into_any(),
    };
    view! {
        <DashboardFrame frame section=Section::Invoices title="New invoice".to_owned()>
            <p>
                <a href=DashboardPage::Invoices.path()>"← All invoices"</a>
            </p>
            {body}
        </DashboardFrame>
    }
}

#[component]
fn FindCustomer(view: NewInvoiceView) -> impl IntoView {
    let searched = !view.find.is_empty();
    let results = view
        .found
        .into_iter()
        .map(|customer| {
            let href = format!(
                "{}?customer={}",
                DashboardPage::NewInvoice.path(),
                customer.id
            );
            view! {
                <li>
                    <a href=href>
                        "Bill " {customer.name}
                    </a>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let none_found = searched && results.is_empty();
    view! {
        <form method="get" action=DashboardPage::NewInvoice.path() class="filters" role="search">
            <div class="field">
                <label for="find">"Customer's name"</label>
                <input id="find" name="find" type="search" value=view.find autocomplete="off" />
            </div>
            <button type="submit" class="button button--secondary">"Find customer"</button>
        </form>
        {none_found.then(|| view! { <p class="muted" role="status">"No customer's name begins with that."</p> })}
        <ul class="customer-choices">{results}</ul>
    }
}

#[component]
fn InvoiceFields(
    view: NewInvoiceView,
    customer: CustomerChoice,
    create: ServerAction<CreateInvoice>,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let refused = view.refused.clone();
    let error_of = move |field: &str| {
        refused
            .iter()
            .find(|refusal| refusal.field == field)
            .map(|refusal| refusal.message.clone())
    };
    let form = view.form;
    let summary = (!view.refused.is_empty()).then(|| {
        view! {
            <p class="form__message" role="alert">
                "Some of the details need correcting: see the messages beside them."
            </p>
        }
    });
    let lines = form
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let name = |part: &str| format!("form[lines][{index}][{part}]");
            let id = |part: &str| format!("line{index}_{part}");
            view! {
                <fieldset class="line-row">
                    <legend>{format!("Line {}", index + 1)}</legend>
                    <TextField id=id("description") name=name("description") label="Description" value=line.description.clone() error=error_of(&id("description")) />
                    <TextField id=id("quantity") name=name("quantity") label="Quantity" mode="decimal" value=line.quantity.clone() error=error_of(&id("quantity")) />
                    <TextField id=id("unit_price") name=name("unit_price") label="Unit price" mode="decimal" value=line.unit_price.clone() error=error_of(&id("unit_price")) />
                </fieldset>
            }
        })
        .collect_view();
    let currencies = ["USD", "CAD"]
        .into_iter()
        .map(|code| {
            let selected = form.currency == code;
            view! { <option value=code selected=selected>{code}</option> }
        })
        .collect_view();
    let currency_error = error_of("currency");
    let currency_invalid = currency_error.is_some();
    view! {
        <p>
            "Billing " <strong>{customer.name}</strong> " · "
            <a href=DashboardPage::NewInvoice.path()>"Bill another customer"</a>
        </p>
        <ActionForm action=create attr:novalidate=true attr:class="form">
            <input type="hidden" name="form[customer_id]" value=customer.id />
            <FormMessage result />
            {summary}
            <TextField id="number" name="form[number]" label="Invoice number" value=form.number.clone() error=error_of("number") />
            <div class="field">
                <label for="currency">"Currency"</label>
                <select id="currency" name="form[currency]" aria-invalid=currency_invalid.to_string() aria-describedby="currency-error">
                    {currencies}
                </select>
                <p id="currency-error" class="field__error" role="alert">{currency_error}</p>
            </div>
            <TextField id="issued_on" name="form[issued_on]" label="Issued on" kind="date" value=form.issued_on.clone() error=error_of("issued_on") />
            <TextField id="due_on" name="form[due_on]" label="Due on" kind="date" value=form.due_on.clone() error=error_of("due_on") />
            {lines}
            <TextField id="total" name="form[total]" label="Total (leave empty to add up the lines)" mode="decimal" value=form.total.clone() error=error_of("total") />
            <TextField id="memo" name="form[memo]" label="Memo shown to the customer (optional)" value=form.memo.clone() error=error_of("memo") />
            <TextField id="external_id" name="form[external_id]" label="Id in your accounting software (optional)" value=form.external_id.clone() error=error_of("external_id") />
            <button type="submit" class="button">"Create invoice"</button>
        </ActionForm>
    }
}
