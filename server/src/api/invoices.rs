//! `/api/v1/invoices`: what customers owe, with balances derived from their payments.

use crate::api::customers::parse_customer_id;
use crate::api::document;
use crate::api::extract::{ApiJson, ApiMerchant, ApiQuery};
use crate::api::problem::{Problem, ProblemType};
use crate::api::{customer_filter, filter, page_request};
use app::domain::ids::{InvoiceId, MerchantId};
use app::domain::invoice::{InvoiceStatus, LineItem, parse_quantity};
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::public_url::PublicUrl;
use app::domain::text::{ExternalId, InvoiceNumber, LineDescription, Memo};
use app::services::Database;
use app::services::clock::{date_text, parse_date, today};
use app::services::invoice_history::Actor;
use app::services::invoice_links;
use app::services::invoices::{
    self, Invoice, InvoiceDetail, InvoiceError, InvoiceFilter, NewInvoice,
};
use app::services::keys::Keys;
use app::services::merchants;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// An invoice to create. Amounts are decimal strings; dates are `YYYY-MM-DD`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvoiceBody {
    /// The customer billed: one of yours.
    #[schema(value_type = document::Id)]
    pub customer_id: String,
    /// No other invoice of yours may have it.
    #[schema(value_type = document::InvoiceNumber)]
    pub number: String,
    /// The currency of every amount of the invoice.
    #[schema(value_type = document::CurrencyCode)]
    pub currency: String,
    /// The amount owed.
    #[schema(value_type = document::Amount)]
    pub total: String,
    /// A calendar date, `YYYY-MM-DD`.
    #[schema(format = Date, example = "2026-11-01")]
    pub issued_on: String,
    /// A calendar date, `YYYY-MM-DD`, no earlier than `issued_on`.
    #[schema(format = Date, example = "2026-12-01")]
    pub due_on: String,
    /// Shown to the customer.
    #[schema(value_type = Option<document::Memo>)]
    pub memo: Option<String>,
    /// When given and not empty, the line amounts must add up to `total`.
    pub line_items: Option<Vec<NewLineItemBody>>,
    /// The invoice's id in your accounting software; no other invoice of yours may have it.
    #[schema(value_type = Option<document::ExternalId>)]
    pub external_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLineItemBody {
    /// What the line is for.
    #[schema(value_type = document::LineDescription)]
    pub description: String,
    /// Quantity × unit price, rounded half-up to the cent, is the line's amount, which can be at
    /// most 999999999.99.
    #[schema(value_type = document::Quantity)]
    pub quantity: String,
    /// In the invoice's currency.
    #[schema(value_type = document::Amount)]
    pub unit_price: String,
}

/// An invoice as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummaryBody {
    pub id: String,
    pub customer_id: String,
    pub number: String,
    #[schema(value_type = document::CurrencyCode)]
    pub currency: String,
    #[schema(example = "1250.00")]
    pub total: String,
    /// What is still owed: the total less every payment that has not failed, been returned or
    /// been refunded, and less what an active installment plan has scheduled.
    #[schema(example = "250.00")]
    pub balance_due: String,
    /// The part of the total covered by payments that have not settled yet.
    #[schema(example = "0.00")]
    pub amount_processing: String,
    /// The part that an active installment plan will collect: neither owed nor paid yet.
    #[schema(example = "0.00")]
    pub amount_scheduled: String,
    #[schema(value_type = document::InvoiceStatus)]
    pub status: String,
    /// Past its due date with something still owed.
    pub overdue: bool,
    #[schema(format = Date)]
    pub issued_on: String,
    #[schema(format = Date)]
    pub due_on: String,
    pub memo: Option<String>,
    pub external_id: Option<String>,
    pub voided_at: Option<String>,
    pub created_at: String,
}

/// An invoice with its lines and the payments allocated to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceBody {
    #[serde(flatten)]
    pub summary: InvoiceSummaryBody,
    /// A link that opens this merchant's billing link with this invoice preselected after
    /// sign-in: for invoice emails and accounting memo fields. It works until 30 days after the
    /// due date, unless revoked.
    pub payment_link: String,
    pub line_items: Vec<LineItemBody>,
    pub allocations: Vec<InvoiceAllocationBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineItemBody {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    /// Quantity × unit price, rounded half-up to the cent.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceAllocationBody {
    pub payment_id: String,
    pub amount: String,
    /// What refunds of the payment gave back of `amount`: owed again.
    #[schema(example = "0.00")]
    pub amount_refunded: String,
    #[schema(value_type = document::PaymentStatus)]
    pub payment_status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    pub data: Vec<InvoiceSummaryBody>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvoiceListQuery {
    /// Only this customer's invoices.
    #[param(value_type = Option<document::Id>)]
    pub customer_id: Option<String>,
    /// Only invoices in this status.
    #[param(value_type = Option<document::InvoiceStatus>)]
    pub status: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<document::Cursor>)]
    pub cursor: Option<String>,
}

fn summary(invoice: Invoice, today: Date) -> InvoiceSummaryBody {
    InvoiceSummaryBody {
        overdue: invoice.is_overdue(today),
        id: invoice.id.to_string(),
        customer_id: invoice.customer.to_string(),
        number: invoice.number.into(),
        currency: invoice.total.currency().code().to_owned(),
        total: invoice.total.to_plain_string(),
        balance_due: invoice.standing.balance_due.to_plain_string(),
        amount_processing: invoice.standing.amount_processing.to_plain_string(),
        amount_scheduled: invoice.standing.amount_scheduled.to_plain_string(),
        status: invoice.standing.status.code().to_owned(),
        issued_on: date_text(invoice.issued_on),
        due_on: date_text(invoice.due_on),
        memo: invoice.memo.map(String::from),
        external_id: invoice.external_id.map(String::from),
        voided_at: invoice.voided_at,
        created_at: invoice.created_at,
    }
}

/// The API's answer for one invoice, with its payment link.
async fn invoice_body(
    db: &Database,
    keys: &Keys,
    public_url: &PublicUrl,
    merchant: MerchantId,
    invoice: InvoiceDetail,
) -> Result<InvoiceBody, Problem> {
    let slug = merchants::slug_of(db, merchant)
        .await
        .map_err(|error| Problem::internal("reading a merchant's slug", &error))?
        .ok_or_else(|| Problem::not_found("merchant"))?;
    let link = invoice_links::link(
        keys,
        public_url,
        &slug,
        invoice.invoice.id,
        invoice.invoice.link_version,
    );
    Ok(detail(invoice, link))
}

fn detail(invoice: InvoiceDetail, payment_link: String) -> InvoiceBody {
    InvoiceBody {
        payment_link,
        summary: summary(invoice.invoice, today()),
        line_items: invoice
            .line_items
            .into_iter()
            .map(|line| LineItemBody {
                description: line.description.into(),
                quantity: line.quantity.to_string(),
                unit_price: line.unit_price.to_plain_string(),
                amount: line.amount.to_plain_string(),
            })
            .collect(),
        allocations: invoice
            .allocations
            .into_iter()
            .map(|allocation| InvoiceAllocationBody {
                payment_id: allocation.payment.to_string(),
                amount: allocation.amount.to_plain_string(),
                amount_refunded: allocation.refunded.to_plain_string(),
                payment_status: allocation.payment_status.code().to_owned(),
            })
            .collect(),
    }
}

fn problem(error: InvoiceError) -> Problem {
    match error {
        InvoiceError::NotFound => Problem::not_found("invoice"),
        InvoiceError::CustomerNotFound => Problem::about(
            ProblemType::NotFound,
            "customer_id",
            "There is no customer with this id.",
        ),
        InvoiceError::NumberTaken(number) => Problem::about(
            ProblemType::Conflict,
            "number",
            format!("Invoice number “{number}” is already used by another invoice."),
        ),
        InvoiceError::ExternalIdTaken(id) => Problem::about(
            ProblemType::Conflict,
            "external_id",
            format!("Another invoice already has the external id “{id}”."),
        ),
        InvoiceError::DueBeforeIssued { issued_on, due_on } => Problem::invalid(
            "due_on",
            format!(
                "The due date {} is before the issue date {}.",
                date_text(due_on),
                date_text(issued_on)
            ),
        ),
        InvoiceError::LinesDoNotAddUp { lines, total } => Problem::invalid(
            "line_items",
            format!(
                "The line items add up to {} but the total is {}.",
                lines.to_plain_string(),
                total.to_plain_string()
            ),
        ),
        InvoiceError::LinesTooLarge => Problem::invalid(
            "line_items",
            "The line items add up to more than an invoice may total (999,999,999.99).",
        ),
        InvoiceError::LineCurrency => Problem::invalid(
            "line_items",
            "Line items must be in the invoice's currency.",
        ),
        InvoiceError::HasLivePayments { covered } => Problem::conflict(format!(
            "Payments still cover {} of this invoice; an invoice with live payments cannot be voided.",
            covered.to_plain_string()
        )),
        error @ (InvoiceError::CorruptRow(_) | InvoiceError::Storage(_)) => {
            Problem::internal("invoice request", &error)
        }
    }
}

fn parse_invoice_id(text: &str) -> Result<InvoiceId, Problem> {
    InvoiceId::parse(text).map_err(|_| Problem::not_found("invoice"))
}

fn parse_iso_date(text: &str, field: &str) -> Result<Date, Problem> {
    parse_date(text).map_err(|_| {
        Problem::invalid(
            field,
            "A date must be a real calendar date written YYYY-MM-DD, such as 2026-12-01.",
        )
    })
}

fn parse_amount(text: &str, currency: Currency, field: &str) -> Result<Money, Problem> {
    Money::parse(text, currency, AmountSyntax::Plain)
        .map_err(|error| Problem::invalid(field, error))
}

fn parse_new_invoice(body: NewInvoiceBody) -> Result<NewInvoice, Problem> {
    let currency =
        Currency::parse(&body.currency).map_err(|error| Problem::invalid("currency", error))?;
    let line_items = body
        .line_items
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(index, line)| {
            let field = |name: &str| format!("line_items[{index}].{name}");
            let description = LineDescription::parse(&line.description)
                .map_err(|error| Problem::invalid(field("description"), error))?;
            let quantity = parse_quantity(&line.quantity)
                .map_err(|error| Problem::invalid(field("quantity"), error))?;
            let unit_price = parse_amount(&line.unit_price, currency, &field("unit_price"))?;
            LineItem::new(description, quantity, unit_price)
                .map_err(|error| Problem::invalid(field("quantity"), error))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewInvoice {
        customer: parse_customer_id(&body.customer_id)
            .map_err(|_| Problem::invalid("customer_id", "A customer id is a UUID."))?,
        number: InvoiceNumber::parse(&body.number)
            .map_err(|error| Problem::invalid("number", error))?,
        total: parse_amount(&body.total, currency, "total")?,
        issued_on: parse_iso_date(&body.issued_on, "issued_on")?,
        due_on: parse_iso_date(&body.due_on, "due_on")?,
        memo: body
            .memo
            .as_deref()
            .map(Memo::parse)
            .transpose()
            .map_err(|error| Problem::invalid("memo", error))?,
        line_items,
        external_id: body
            .external_id
            .as_deref()
            .map(ExternalId::parse)
            .transpose()
            .map_err(|error| Problem::invalid("external_id", error))?,
    })
}

/// Create an invoice for a customer.
#[utoipa::path(
    post, path = "/api/v1/invoices", tag = "invoices",
    request_body = NewInvoiceBody,
    responses(
        (status = 201, description = "The invoice was created", body = InvoiceBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 415, response = document::UnsupportedMediaType),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn create_invoice(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    State(keys): State<Keys>,
    State(public_url): State<PublicUrl>,
    ApiJson(body): ApiJson<NewInvoiceBody>,
) -> Result<(StatusCode, Json<InvoiceBody>), Problem> {
    let invoice = parse_new_invoice(body)?;
    let created = invoices::create(&db, merchant, &invoice)
        .await
        .map_err(problem)?;
    let body = invoice_body(&db, &keys, &public_url, merchant, created).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// List invoices, oldest first, optionally for one customer or in one status.
#[utoipa::path(
    get, path = "/api/v1/invoices", tag = "invoices",
    params(InvoiceListQuery),
    responses(
        (status = 200, description = "A page of invoices", body = InvoiceList),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn list_invoices(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiQuery(query): ApiQuery<InvoiceListQuery>,
) -> Result<Json<InvoiceList>, Problem> {
    let filter = InvoiceFilter {
        number_contains: None,
        customer: customer_filter(query.customer_id.as_deref())?,
        status: filter(query.status.as_deref(), "status", InvoiceStatus::parse)?,
        ..InvoiceFilter::default()
    };
    let page = page_request(query.limit.as_deref(), query.cursor.as_deref())?;
    let found = invoices::list(&db, merchant, &filter, &page)
        .await
        .map_err(problem)?;
    let today = today();
    Ok(Json(InvoiceList {
        data: found
            .items
            .into_iter()
            .map(|invoice| summary(invoice, today))
            .collect(),
        next_cursor: found.next.map(|cursor| cursor.encode()),
    }))
}

/// Read one invoice with its balance, lines and allocations.
#[utoipa::path(
    get, path = "/api/v1/invoices/{id}", tag = "invoices",
    params(("id" = document::Id, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice", body = InvoiceBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_invoice(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    State(keys): State<Keys>,
    State(public_url): State<PublicUrl>,
    Path(id): Path<String>,
) -> Result<Json<InvoiceBody>, Problem> {
    let id = parse_invoice_id(&id)?;
    let invoice = invoices::get(&db, merchant, id).await.map_err(problem)?;
    Ok(Json(
        invoice_body(&db, &keys, &public_url, merchant, invoice).await?,
    ))
}

/// Void an invoice that no live payment covers. Voiding a void invoice changes nothing.
#[utoipa::path(
    post, path = "/api/v1/invoices/{id}/void", tag = "invoices",
    params(("id" = document::Id, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The void invoice", body = InvoiceBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn void_invoice(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    State(keys): State<Keys>,
    State(public_url): State<PublicUrl>,
    Path(id): Path<String>,
) -> Result<Json<InvoiceBody>, Problem> {
    let id = parse_invoice_id(&id)?;
    let invoice = invoices::void(&db, merchant, id, &Actor::api())
        .await
        .map_err(problem)?;
    Ok(Json(
        invoice_body(&db, &keys, &public_url, merchant, invoice).await?,
    ))
}

/// Withdraw every payment link made so far for an invoice; the answer carries the new one.
#[utoipa::path(
    post, path = "/api/v1/invoices/{id}/payment-link/revoke", tag = "invoices",
    params(("id" = document::Id, Path, description = "The invoice's id")),
    responses(
        (status = 200, description = "The invoice with its new payment link", body = InvoiceBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn revoke_payment_link(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    State(keys): State<Keys>,
    State(public_url): State<PublicUrl>,
    Path(id): Path<String>,
) -> Result<Json<InvoiceBody>, Problem> {
    let id = parse_invoice_id(&id)?;
    let revoked = invoice_links::revoke(&db, merchant, id, &Actor::api())
        .await
        .map_err(|error| Problem::internal("revoking an invoice's links", &error))?;
    if !revoked {
        return Err(Problem::not_found("invoice"));
    }
    let invoice = invoices::get(&db, merchant, id).await.map_err(problem)?;
    Ok(Json(
        invoice_body(&db, &keys, &public_url, merchant, invoice).await?,
    ))
}
