//! Invoices and what they still owe. The balance is never stored: every read derives it from
//! the allocations of payments that still cover the invoice (see `domain::invoice`).

use crate::domain::ids::{CustomerId, InvoiceId, MerchantId, PaymentId};
use crate::domain::installment_plan::{InstallmentStatus, PlanStatus};
use crate::domain::invoice::{InvoiceCover, InvoiceStanding, InvoiceStatus, LineItem, lines_total};
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::PaymentStatus;
use crate::domain::text::{ExternalId, InvoiceNumber, LineDescription, Memo};
use crate::services::Database;
use crate::services::clock::{date_text, now, parse_date, timestamp_text};
use crate::services::customers;
use crate::services::database::{numbered_placeholders, optional_equality};
use crate::services::invoice_history::{self, Actor, InvoiceChange};
use crate::services::page::{Cursor, Page, PageRequest};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::LazyLock;
use time::Date;

#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error("no such invoice")]
    NotFound,
    #[error("no such customer")]
    CustomerNotFound,
    #[error("invoice number {0} is already used")]
    NumberTaken(InvoiceNumber),
    #[error("another invoice already has the external id {0}")]
    ExternalIdTaken(ExternalId),
    #[error("the due date {due_on} is before the issue date {issued_on}")]
    DueBeforeIssued { issued_on: Date, due_on: Date },
    #[error("the line items add up to {lines} but the total is {total}")]
    LinesDoNotAddUp { lines: Money, total: Money },
    #[error("the line items add up to more than any invoice may total")]
    LinesTooLarge,
    #[error("the line items and the total are in different currencies")]
    LineCurrency,
    #[error("the invoice has payments that still cover it ({covered})")]
    HasLivePayments { covered: Money },
    #[error("a stored invoice row is invalid: {0}")]
    CorruptRow(String),
    #[error("invoice storage failed")]
    Storage(#[from] sqlx::Error),
}

impl From<MoneyError> for InvoiceError {
    fn from(error: MoneyError) -> Self {
        Self::CorruptRow(error.to_string())
    }
}

#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub customer: CustomerId,
    pub number: InvoiceNumber,
    pub total: Money,
    pub issued_on: Date,
    pub due_on: Date,
    pub memo: Option<Memo>,
    pub line_items: Vec<LineItem>,
    pub external_id: Option<ExternalId>,
}

/// An invoice with its derived standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub id: InvoiceId,
    pub customer: CustomerId,
    pub number: InvoiceNumber,
    pub total: Money,
    pub standing: InvoiceStanding,
    pub issued_on: Date,
    pub due_on: Date,
    pub memo: Option<Memo>,
    pub external_id: Option<ExternalId>,
    pub voided_at: Option<String>,
    pub created_at: String,
    /// Which generation of invoice links is valid (see `invoice_links`).
    pub link_version: i64,
}

impl Invoice {
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// Past its due date with something still owed.
    pub fn is_overdue(&self, today: Date) -> bool {
        self.due_on < today && !self.standing.balance_due.is_zero()
    }
}

/// One payment's share of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceAllocation {
    pub payment: PaymentId,
    pub amount: Money,
    /// What refunds of the payment gave back of `amount`: owed again.
    pub refunded: Money,
    pub payment_status: PaymentStatus,
    /// When the payment was made.
    pub payment_created_at: String,
}

/// An invoice with its lines and the payments allocated to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDetail {
    pub invoice: Invoice,
    pub line_items: Vec<LineItem>,
    pub allocations: Vec<InvoiceAllocation>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    pub customer: Option<CustomerId>,
    pub status: Option<InvoiceStatus>,
    /// Only invoices that still owe something or wait for a payment to settle.
    pub outstanding_only: bool,
    /// Only invoices whose number contains this text (any case).
    pub number_contains: Option<String>,
    /// Only invoices whose number or customer's name contains this text (any case).
    pub number_or_customer_contains: Option<String>,
    /// Only invoices past their due date on this day with something still owed.
    pub overdue_on: Option<Date>,
    /// Newest first (the dashboard) rather than oldest first (the API, the wizard).
    pub newest_first: bool,
}

/// Every invoice of merchant `$1` with its cover figures and status. The status CASE is the SQL
/// form of `InvoiceCover::standing` (an integration test checks that both agree) so that lists
/// can filter and paginate by status in the database.
static INVOICES_WITH_STATUS: LazyLock<String> = LazyLock::new(|| {
    let covering = status_list(PaymentStatus::covers_invoices);
    let settled = status_list(PaymentStatus::is_settled);
    let scheduled = scheduled_minor_of("i.id");
    format!(
        "SELECT * FROM ( \
           SELECT covered.*, CASE \
             WHEN voided_at IS NOT NULL THEN 'void' \
             WHEN covered_minor + scheduled_minor = 0 THEN 'open' \
             WHEN covered_minor + scheduled_minor < total_minor THEN 'partially_paid' \
             WHEN scheduled_minor > 0 THEN 'scheduled' \
             WHEN settled_minor < total_minor THEN 'processing' \
             ELSE 'paid' END AS status \
           FROM ( \
             SELECT i.id, i.customer_id, i.number, i.currency, i.total_minor, i.issued_on, i.due_on, \
                    i.memo, i.external_id, i.voided_at, i.created_at, i.link_version, \
                    COALESCE((SELECT CAST(SUM(a.amount_minor - a.refunded_minor) AS BIGINT) FROM allocations a \
                              JOIN payments p ON p.id = a.payment_id \
                              WHERE a.invoice_id = i.id AND p.status IN ({covering})), 0) AS covered_minor, \
                    COALESCE((SELECT CAST(SUM(a.amount_minor - a.refunded_minor) AS BIGINT) FROM allocations a \
                              JOIN payments p ON p.id = a.payment_id \
                              WHERE a.invoice_id = i.id AND p.status IN ({settled})), 0) AS settled_minor, \
                    {scheduled} AS scheduled_minor \
             FROM invoices i WHERE i.merchant_id = $1 \
           ) AS covered \
         ) AS invoice"
    )
});

/// What the installments of active plans still to be collected will pay on the invoice whose
/// id is the SQL expression `invoice`: no longer owed, not paid either.
fn scheduled_minor_of(invoice: &str) -> String {
    format!(
        "COALESCE((SELECT CAST(SUM(ia.amount_minor) AS BIGINT) FROM installment_allocations ia \
           JOIN installments n ON n.plan_id = ia.plan_id AND n.position = ia.position \
           JOIN installment_plans pl ON pl.id = ia.plan_id \
           WHERE ia.invoice_id = {invoice} AND pl.status IN ({plans}) AND n.status IN ({installments})), 0)",
        plans = code_list(&PlanStatus::ALL, |status| status
            .holds_its_schedule()
            .then_some(status.code())),
        installments = code_list(&InstallmentStatus::ALL, |status| status
            .still_to_collect()
            .then_some(status.code())),
    )
}

/// The codes `code` gives, as an SQL list: `'active'`.
fn code_list<T: Copy>(all: &[T], code: impl Fn(T) -> Option<&'static str>) -> String {
    all.iter()
        .filter_map(|value| code(*value))
        .map(|code| format!("'{code}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The codes of the payment statuses that pass `keep`, as an SQL list: `'pending', 'processing'`.
fn status_list(keep: fn(PaymentStatus) -> bool) -> String {
    PaymentStatus::ALL
        .into_iter()
        .filter(|status| keep(*status))
        .map(|status| format!("'{}'", status.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: String,
    customer_id: String,
    number: String,
    currency: String,
    total_minor: i64,
    issued_on: String,
    due_on: String,
    memo: Option<String>,
    external_id: Option<String>,
    voided_at: Option<String>,
    created_at: String,
    link_version: i64,
    covered_minor: i64,
    settled_minor: i64,
    scheduled_minor: i64,
    status: String,
}

pub async fn create(
    db: &Database,
    merchant: MerchantId,
    invoice: &NewInvoice,
) -> Result<InvoiceDetail, InvoiceError> {
    if invoice.due_on < invoice.issued_on {
        return Err(InvoiceError::DueBeforeIssued {
            issued_on: invoice.issued_on,
            due_on: invoice.due_on,
        });
    }
    let currency = invoice.total.currency();
    if !invoice.line_items.is_empty() {
        if invoice
            .line_items
            .iter()
            .any(|line| line.amount.currency() != currency)
        {
            return Err(InvoiceError::LineCurrency);
        }
        let lines =
            lines_total(&invoice.line_items, currency).map_err(|_| InvoiceError::LinesTooLarge)?;
        if lines != invoice.total {
            return Err(InvoiceError::LinesDoNotAddUp {
                lines,
                total: invoice.total,
            });
        }
    }
    if !customers::exists(db, merchant, invoice.customer).await? {
        return Err(InvoiceError::CustomerNotFound);
    }
    let id = InvoiceId::new_random();
    let mut transaction = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO invoices (id, merchant_id, customer_id, number, currency, total_minor, issued_on, due_on, memo, external_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id.to_string())
    .bind(merchant.to_string())
    .bind(invoice.customer.to_string())
    .bind(invoice.number.as_str())
    .bind(currency.code())
    .bind(invoice.total.minor_units())
    .bind(date_text(invoice.issued_on))
    .bind(date_text(invoice.due_on))
    .bind(invoice.memo.as_ref().map(Memo::as_str))
    .bind(invoice.external_id.as_ref().map(ExternalId::as_str))
    .bind(timestamp_text(now()))
    .execute(&mut *transaction)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            // Give the connection (and SQLite's write lock) back before asking why.
            drop(transaction);
            return Err(taken_by(db, merchant, invoice).await?);
        }
        Err(error) => return Err(error.into()),
    }
    for (position, line) in invoice.line_items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO invoice_line_items (invoice_id, position, description, quantity, unit_price_minor, amount_minor) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(line.description.as_str())
        .bind(line.quantity.to_string())
        .bind(line.unit_price.minor_units())
        .bind(line.amount.minor_units())
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    get(db, merchant, id).await
}

/// Which unique value a refused insert collided with.
async fn taken_by(
    db: &Database,
    merchant: MerchantId,
    invoice: &NewInvoice,
) -> Result<InvoiceError, InvoiceError> {
    let number_taken: Option<(String,)> =
        sqlx::query_as("SELECT id FROM invoices WHERE merchant_id = $1 AND number = $2")
            .bind(merchant.to_string())
            .bind(invoice.number.as_str())
            .fetch_optional(db.pool())
            .await?;
    Ok(match (&number_taken, &invoice.external_id) {
        (None, Some(external_id)) => InvoiceError::ExternalIdTaken(external_id.clone()),
        _ => InvoiceError::NumberTaken(invoice.number.clone()),
    })
}

pub async fn get(
    db: &Database,
    merchant: MerchantId,
    id: InvoiceId,
) -> Result<InvoiceDetail, InvoiceError> {
    let row: Option<InvoiceRow> =
        sqlx::query_as(&format!("{} WHERE id = $2", *INVOICES_WITH_STATUS))
            .bind(merchant.to_string())
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    let invoice = invoice_from_row(row.ok_or(InvoiceError::NotFound)?)?;
    let currency = invoice.currency();
    let lines: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT description, quantity, unit_price_minor, amount_minor FROM invoice_line_items \
         WHERE invoice_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let line_items = lines
        .into_iter()
        .map(|(description, quantity, unit_price, amount)| {
            Ok(LineItem {
                description: LineDescription::parse(&description)
                    .map_err(|error| corrupt("description", &error))?,
                quantity: Decimal::from_str(&quantity)
                    .map_err(|error| corrupt("quantity", &error))?,
                unit_price: Money::from_minor_units(unit_price, currency)?,
                amount: Money::from_minor_units(amount, currency)?,
            })
        })
        .collect::<Result<Vec<_>, InvoiceError>>()?;
    let allocations: Vec<(String, i64, i64, String, String)> = sqlx::query_as(
        "SELECT a.payment_id, a.amount_minor, a.refunded_minor, p.status, p.created_at FROM allocations a JOIN payments p ON p.id = a.payment_id \
         WHERE a.merchant_id = $1 AND a.invoice_id = $2 ORDER BY p.created_at, p.id",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let allocations = allocations
        .into_iter()
        .map(|(payment, amount, refunded, status, payment_created_at)| {
            Ok(InvoiceAllocation {
                payment_created_at,
                payment: PaymentId::parse(&payment)
                    .map_err(|error| corrupt("payment_id", &error))?,
                amount: Money::from_minor_units(amount, currency)?,
                refunded: Money::from_minor_units(refunded, currency)?,
                payment_status: PaymentStatus::parse(&status)
                    .map_err(|error| corrupt("status", &error))?,
            })
        })
        .collect::<Result<Vec<_>, InvoiceError>>()?;
    Ok(InvoiceDetail {
        invoice,
        line_items,
        allocations,
    })
}

pub async fn list(
    db: &Database,
    merchant: MerchantId,
    filter: &InvoiceFilter,
    page: &PageRequest,
) -> Result<Page<Invoice>, InvoiceError> {
    let (after_created, after_id) = page.after_binds();
    // Through the (merchant, customer, created_at, id) index: a page costs the same whether
    // the customer has ten rows or ten thousand.
    let customer_condition = optional_equality("customer_id", "$2", filter.customer.is_some());
    let (seek, order) = if filter.newest_first {
        (page.before_condition("$4", "$5"), "DESC")
    } else {
        (page.after_condition("$4", "$5"), "ASC")
    };
    let rows: Vec<InvoiceRow> = sqlx::query_as(&format!(
        "{} WHERE {customer_condition} AND ($3 IS NULL OR status = $3) AND {seek} \
         AND ($7 = 0 OR status IN ('open', 'partially_paid', 'processing')) \
         AND ($8 IS NULL OR LOWER(number) LIKE $8 ESCAPE '\\') \
         AND ($9 IS NULL OR LOWER(number) LIKE $9 ESCAPE '\\' OR customer_id IN ( \
               SELECT c.id FROM customers c WHERE c.merchant_id = $1 \
               AND LOWER(c.legal_name) LIKE $9 ESCAPE '\\')) \
         AND ($10 IS NULL OR (due_on < $10 AND status IN ('open', 'partially_paid'))) \
         ORDER BY created_at {order}, id {order} LIMIT $6",
        *INVOICES_WITH_STATUS,
    ))
    .bind(merchant.to_string())
    .bind(filter.customer.map(|customer| customer.to_string()))
    .bind(filter.status.map(InvoiceStatus::code))
    .bind(after_created)
    .bind(after_id)
    .bind(page.fetch_limit())
    .bind(i64::from(filter.outstanding_only))
    .bind(filter.number_contains.as_deref().map(contains_pattern))
    .bind(
        filter
            .number_or_customer_contains
            .as_deref()
            .map(contains_pattern),
    )
    .bind(filter.overdue_on.map(date_text))
    .fetch_all(db.pool())
    .await?;
    let invoices = rows
        .into_iter()
        .map(invoice_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(invoices, page, |invoice| Cursor {
        created_at: invoice.created_at.clone(),
        id: invoice.id.to_string(),
    }))
}

/// A LIKE pattern matching text that contains `text`, any case, its own `%`, `_` and `\`
/// taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// What a customer owes across all their outstanding invoices, one amount per currency.
pub async fn outstanding_totals(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
) -> Result<Vec<Money>, InvoiceError> {
    outstanding_by_currency(db, merchant, Some(customer)).await
}

/// What all of a merchant's customers owe, one amount per currency (the dashboard's overview).
pub async fn merchant_outstanding_totals(
    db: &Database,
    merchant: MerchantId,
) -> Result<Vec<Money>, InvoiceError> {
    outstanding_by_currency(db, merchant, None).await
}

/// Each invoice owes its total less what covers it and what active plans have scheduled on it,
/// never less than zero, so across all non-void invoices the sum of balances is the sum of
/// totals less the sum of cover and schedule: a sum over a covering index, a sum over the
/// payments and one over the active plans, instead of the per-invoice derivation a list needs.
async fn outstanding_by_currency(
    db: &Database,
    merchant: MerchantId,
    customer: Option<CustomerId>,
) -> Result<Vec<Money>, InvoiceError> {
    let one = customer.is_some();
    // Driven from the payments (a payment only pays its own customer's invoices), so the cost
    // follows the payments, not the invoices.
    let cover_by_currency = format!(
        "SELECT i.currency, CAST(SUM(a.amount_minor - a.refunded_minor) AS BIGINT) FROM payments p \
         JOIN allocations a ON a.payment_id = p.id JOIN invoices i ON i.id = a.invoice_id \
         WHERE p.merchant_id = $1 AND {} AND p.status IN ({}) \
         AND i.voided_at IS NULL GROUP BY i.currency",
        optional_equality("p.customer_id", "$2", one),
        status_list(PaymentStatus::covers_invoices)
    );
    let scheduled_by_currency = format!(
        "SELECT pl.currency, CAST(SUM(ia.amount_minor) AS BIGINT) FROM installment_plans pl \
         JOIN installments n ON n.plan_id = pl.id \
         JOIN installment_allocations ia ON ia.plan_id = n.plan_id AND ia.position = n.position \
         JOIN invoices i ON i.id = ia.invoice_id \
         WHERE pl.merchant_id = $1 AND {} AND pl.status IN ({}) AND n.status IN ({}) \
         AND i.voided_at IS NULL GROUP BY pl.currency",
        optional_equality("pl.customer_id", "$2", one),
        code_list(&PlanStatus::ALL, |status| status
            .holds_its_schedule()
            .then_some(status.code())),
        code_list(&InstallmentStatus::ALL, |status| status
            .still_to_collect()
            .then_some(status.code())),
    );
    let totals_by_currency = format!(
        "SELECT currency, CAST(SUM(total_minor) AS BIGINT) FROM invoices \
         WHERE merchant_id = $1 AND {} AND voided_at IS NULL GROUP BY currency ORDER BY currency",
        optional_equality("customer_id", "$2", one),
    );
    let customer = customer.map(|customer| customer.to_string());
    let sums = |sql: String| {
        let customer = customer.clone();
        async move {
            sqlx::query_as::<_, (String, i64)>(&sql)
                .bind(merchant.to_string())
                .bind(customer)
                .fetch_all(db.pool())
                .await
        }
    };
    let totals = sums(totals_by_currency).await?;
    let cover = sums(cover_by_currency).await?;
    let scheduled = sums(scheduled_by_currency).await?;
    let minor_in = |sums: &[(String, i64)], code: &str| {
        sums.iter()
            .find(|(summed_code, _)| summed_code == code)
            .map_or(0, |(_, minor)| *minor)
    };
    let mut owed = Vec::new();
    for (code, total) in totals {
        let currency = Currency::parse(&code).map_err(|error| corrupt("currency", &error))?;
        let spoken_for = minor_in(&cover, &code) + minor_in(&scheduled, &code);
        let balance = Money::from_minor_units(total, currency)?
            .checked_sub(Money::from_minor_units(spoken_for, currency)?)?;
        if !balance.is_zero() {
            owed.push(balance);
        }
    }
    Ok(owed)
}

/// What the merchant's invoices past their due date on `today` still owe, one amount per
/// currency (what is covered by payments on their way, or scheduled, is not owed).
pub async fn overdue_totals(
    db: &Database,
    merchant: MerchantId,
    today: Date,
) -> Result<Vec<Money>, InvoiceError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT currency, CAST(SUM(total_minor - covered_minor - scheduled_minor) AS BIGINT) \
         FROM ({}) AS owed WHERE status IN ('open', 'partially_paid') AND due_on < $2 \
         GROUP BY currency ORDER BY currency",
        *INVOICES_WITH_STATUS
    ))
    .bind(merchant.to_string())
    .bind(date_text(today))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .filter(|(_, minor)| *minor != 0)
        .map(|(code, minor)| {
            let currency = Currency::parse(&code).map_err(|error| corrupt("currency", &error))?;
            Ok(Money::from_minor_units(minor, currency)?)
        })
        .collect()
}

/// The line items of several invoices in one query, in their order on each invoice.
pub async fn line_items_of(
    db: &Database,
    merchant: MerchantId,
    invoices: &[Invoice],
) -> Result<Vec<(InvoiceId, LineItem)>, InvoiceError> {
    if invoices.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = numbered_placeholders(2, invoices.len());
    let sql = format!(
        "SELECT li.invoice_id, li.description, li.quantity, li.unit_price_minor, li.amount_minor \
         FROM invoice_line_items li JOIN invoices i ON i.id = li.invoice_id \
         WHERE i.merchant_id = $1 AND li.invoice_id IN ({placeholders}) ORDER BY li.invoice_id, li.position"
    );
    let mut query =
        sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql).bind(merchant.to_string());
    for invoice in invoices {
        query = query.bind(invoice.id.to_string());
    }
    let rows = query.fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(|(invoice_id, description, quantity, unit_price, amount)| {
            let id =
                InvoiceId::parse(&invoice_id).map_err(|error| corrupt("invoice_id", &error))?;
            let currency = invoices
                .iter()
                .find(|invoice| invoice.id == id)
                .map(Invoice::currency)
                .ok_or_else(|| {
                    InvoiceError::CorruptRow("a line of an invoice not asked for".to_owned())
                })?;
            Ok((
                id,
                LineItem {
                    description: LineDescription::parse(&description)
                        .map_err(|error| corrupt("description", &error))?,
                    quantity: Decimal::from_str(&quantity)
                        .map_err(|error| corrupt("quantity", &error))?,
                    unit_price: Money::from_minor_units(unit_price, currency)?,
                    amount: Money::from_minor_units(amount, currency)?,
                },
            ))
        })
        .collect()
}

/// Voids an invoice nothing covers, recording who did. Voiding a void invoice changes nothing.
pub async fn void(
    db: &Database,
    merchant: MerchantId,
    id: InvoiceId,
    actor: &Actor,
) -> Result<InvoiceDetail, InvoiceError> {
    let mut transaction = db.begin_write().await?;
    // The same lock allocations take: no payment can be allocated between the check and the void.
    let locked = sqlx::query(
        "UPDATE invoices SET lock_version = lock_version + 1 WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .execute(&mut *transaction)
    .await?;
    if locked.rows_affected() == 0 {
        return Err(InvoiceError::NotFound);
    }
    let row: InvoiceRow = sqlx::query_as(&format!("{} WHERE id = $2", *INVOICES_WITH_STATUS))
        .bind(merchant.to_string())
        .bind(id.to_string())
        .fetch_one(&mut *transaction)
        .await?;
    let invoice = invoice_from_row(row)?;
    if invoice.voided_at.is_none() {
        let covered = invoice.total.checked_sub(invoice.standing.balance_due)?;
        if !covered.is_zero() {
            return Err(InvoiceError::HasLivePayments { covered });
        }
        sqlx::query("UPDATE invoices SET voided_at = $3 WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(id.to_string())
            .bind(timestamp_text(now()))
            .execute(&mut *transaction)
            .await?;
        invoice_history::record(&mut transaction, merchant, id, InvoiceChange::Voided, actor)
            .await?;
    }
    transaction.commit().await?;
    get(db, merchant, id).await
}

/// Reads the standing of invoices inside a caller's transaction (for allocations).
pub(crate) async fn standing_in(
    connection: &mut sqlx::AnyConnection,
    merchant: MerchantId,
    id: InvoiceId,
) -> Result<Option<Invoice>, InvoiceError> {
    let row: Option<InvoiceRow> =
        sqlx::query_as(&format!("{} WHERE id = $2", *INVOICES_WITH_STATUS))
            .bind(merchant.to_string())
            .bind(id.to_string())
            .fetch_optional(connection)
            .await?;
    row.map(invoice_from_row).transpose()
}

fn invoice_from_row(row: InvoiceRow) -> Result<Invoice, InvoiceError> {
    let currency = Currency::parse(&row.currency).map_err(|error| corrupt("currency", &error))?;
    let cover = InvoiceCover {
        total: Money::from_minor_units(row.total_minor, currency)?,
        covered: Money::from_minor_units(row.covered_minor, currency)?,
        settled: Money::from_minor_units(row.settled_minor, currency)?,
        scheduled: Money::from_minor_units(row.scheduled_minor, currency)?,
        voided: row.voided_at.is_some(),
    };
    let standing = cover.standing()?;
    if standing.status.code() != row.status {
        return Err(InvoiceError::CorruptRow(format!(
            "the database says {} but the rules say {}",
            row.status,
            standing.status.code()
        )));
    }
    Ok(Invoice {
        id: InvoiceId::parse(&row.id).map_err(|error| corrupt("id", &error))?,
        customer: CustomerId::parse(&row.customer_id)
            .map_err(|error| corrupt("customer_id", &error))?,
        number: InvoiceNumber::parse(&row.number).map_err(|error| corrupt("number", &error))?,
        total: cover.total,
        standing,
        issued_on: parse_date(&row.issued_on).map_err(|error| corrupt("issued_on", &error))?,
        due_on: parse_date(&row.due_on).map_err(|error| corrupt("due_on", &error))?,
        memo: row
            .memo
            .as_deref()
            .map(Memo::parse)
            .transpose()
            .map_err(|error| corrupt("memo", &error))?,
        external_id: row
            .external_id
            .as_deref()
            .map(ExternalId::parse)
            .transpose()
            .map_err(|error| corrupt("external_id", &error))?,
        voided_at: row.voided_at,
        created_at: row.created_at,
        link_version: row.link_version,
    })
}

fn corrupt(column: &str, error: &dyn std::fmt::Display) -> InvoiceError {
    InvoiceError::CorruptRow(format!("{column}: {error}"))
}
