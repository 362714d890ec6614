//! Payments and their allocations to invoices.
//!
//! Exactly-once: a payment carries the idempotency key of the request that confirmed it, and
//! the database refuses a second payment with the same key. Never overpaid: the invoices a
//! payment pays are locked, their balances read and checked, and the allocations written in one
//! transaction, so of two payments racing for the last dollar of an invoice exactly one wins.

use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::{CustomerId, InvoiceId, MerchantId, PaymentId, PlanId};
use crate::domain::invoice::InvoiceStatus;
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::domain::reconciliation::Reconciliation;
use crate::domain::text::InvoiceNumber;
use crate::services::Database;
use crate::services::accounting;
use crate::services::clock::{day_start_text, now, timestamp_text};
use crate::services::customers;
use crate::services::database::{numbered_placeholders, optional_equality};
use crate::services::installment_plans;
use crate::services::invoices::{self, InvoiceError};
use crate::services::jobs::{self, Job, JobError, NewJob, Recipient};
use crate::services::page::{Cursor, Page, PageRequest};
use crate::services::payment_history;
use sqlx::AnyConnection;
use std::collections::BTreeSet;

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("no such payment")]
    NotFound,
    #[error("no such customer")]
    CustomerNotFound,
    #[error("the merchant does not accept {0:?}")]
    MethodNotEnabled(PaymentMethodKind),
    #[error("a payment must pay at least one invoice")]
    NoAllocations,
    #[error("invoice {0} appears twice in one payment")]
    DuplicateInvoice(InvoiceId),
    #[error("the allocations add up to {allocated}, not to the payment's {amount}")]
    AllocationsDoNotAddUp { amount: Money, allocated: Money },
    #[error("an allocation is in another currency than the payment")]
    CurrencyMismatch,
    #[error("no invoice {0} of this customer")]
    InvoiceNotFound(InvoiceId),
    #[error("invoice {number} is void")]
    InvoiceVoid {
        invoice: InvoiceId,
        number: InvoiceNumber,
    },
    #[error("invoice {number} owes {balance_due}; {attempted} would overpay it")]
    Overpays {
        invoice: InvoiceId,
        number: InvoiceNumber,
        balance_due: Money,
        attempted: Money,
    },
    #[error("the idempotency key was already used for a different payment")]
    IdempotencyKeyReused,
    #[error("a {from:?} payment cannot become {to:?}")]
    InvalidTransition {
        from: PaymentStatus,
        to: PaymentStatus,
    },
    #[error("a stored payment row is invalid: {0}")]
    CorruptRow(String),
    #[error("a payment's emails could not be queued")]
    Queue(#[from] JobError),
    #[error("payment storage failed")]
    Storage(#[from] sqlx::Error),
}

impl From<MoneyError> for PaymentError {
    fn from(error: MoneyError) -> Self {
        match error {
            MoneyError::CurrencyMismatch { .. } => Self::CurrencyMismatch,
            MoneyError::Overflow
            | MoneyError::Negative
            | MoneyError::TooPrecise
            | MoneyError::ExceedsBalances => Self::CorruptRow(error.to_string()),
        }
    }
}

impl From<InvoiceError> for PaymentError {
    fn from(error: InvoiceError) -> Self {
        match error {
            InvoiceError::Storage(error) => Self::Storage(error),
            other => Self::CorruptRow(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAllocation {
    pub invoice: InvoiceId,
    pub amount: Money,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub customer: CustomerId,
    pub method: PaymentMethodKind,
    pub amount: Money,
    pub allocations: Vec<NewAllocation>,
    pub idempotency_key: IdempotencyKey,
    pub processor_reference: Option<String>,
    pub details: PaymentDetails,
}

/// The installment a payment collects, and the part of it that is the plan's fee (its
/// allocations add up to the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallmentLink {
    pub plan: PlanId,
    pub position: u32,
    pub fee: Money,
}

/// Who confirmed a payment in the wizard, with what, and under which authorization. Empty
/// for payments recorded otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentDetails {
    pub payer_email: Option<String>,
    /// The card token or bank account id the processor is asked to charge.
    pub instrument: Option<String>,
    /// The instrument as shown, masked: `Visa •••• 4242`.
    pub instrument_label: Option<String>,
    pub authorization: Option<NewAuthorization>,
}

/// The authorization a customer agreed to: the exact text, and where from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthorization {
    pub text: String,
    pub client_address: String,
}

/// What a processor reported along with a status change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub processor_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub return_code: Option<String>,
    /// Why a card was declined, as the processor codes it (`insufficient_funds`).
    pub decline_code: Option<String>,
    pub settles_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentAllocation {
    pub invoice: InvoiceId,
    pub invoice_number: InvoiceNumber,
    pub amount: Money,
    /// What refunds gave back of `amount`: the invoice owes it again.
    pub refunded: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub customer: CustomerId,
    pub method: PaymentMethodKind,
    pub amount: Money,
    pub status: PaymentStatus,
    pub processor_reference: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub allocations: Vec<PaymentAllocation>,
    pub payer_email: Option<String>,
    pub instrument: Option<String>,
    pub instrument_label: Option<String>,
    pub failure_reason: Option<String>,
    pub return_code: Option<String>,
    /// When a bank debit settles (or comes back): `YYYY-MM-DD`.
    pub settles_on: Option<String>,
    /// The part of `amount` that is an installment plan's fee (zero otherwise).
    pub fee: Money,
    /// What refunds that went through gave back of `amount`.
    pub refunded: Money,
    /// What refunds hold of `amount` that the processor has not answered yet.
    pub refunding: Money,
    pub reconciliation: Reconciliation,
    /// Who marked it reconciled by hand (a dashboard user's address, or `API`), and when.
    pub reconciled_by: Option<String>,
    pub reconciled_at: Option<String>,
}

/// What recording a payment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new payment, pending.
    New(Payment),
    /// The same request came again with the same key: the first payment, untouched.
    Replayed(Payment),
}

impl Recorded {
    pub fn payment(&self) -> &Payment {
        match self {
            Self::New(payment) | Self::Replayed(payment) => payment,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    pub customer: Option<CustomerId>,
    pub status: Option<PaymentStatus>,
    pub method: Option<PaymentMethodKind>,
    pub reconciliation: Option<Reconciliation>,
    /// Recorded on or after this day (UTC).
    pub from: Option<time::Date>,
    /// Recorded on or before this day (UTC).
    pub to: Option<time::Date>,
    /// Newest first (the dashboard) rather than oldest first (the API).
    pub newest_first: bool,
}

impl PaymentFilter {
    /// The SQL conditions of the filters other than the customer, on placeholders `$first`
    /// onwards, in the order [`PaymentFilter::bind_rest`] binds them. An unset filter is a
    /// condition on its NULL bind, to keep the numbering.
    fn rest_conditions(&self, first: usize) -> String {
        [
            optional_equality("status", &format!("${first}"), self.status.is_some()),
            optional_equality("method", &format!("${}", first + 1), self.method.is_some()),
            optional_equality(
                "reconciliation",
                &format!("${}", first + 2),
                self.reconciliation.is_some(),
            ),
            optional_bound("created_at >=", first + 3, self.from.is_some()),
            optional_bound("created_at <", first + 4, self.to.is_some()),
        ]
        .join(" AND ")
    }

    fn bind_rest<'q, O>(
        &self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        query
            .bind(self.status.map(PaymentStatus::code))
            .bind(self.method.map(PaymentMethodKind::code))
            .bind(self.reconciliation.map(Reconciliation::code))
            .bind(self.from.map(day_start_text))
            .bind(self.to.and_then(|to| to.next_day()).map(day_start_text))
    }
}

/// `{comparison} $n` when the bound is set (a plain comparison the index range can use, which
/// `$n IS NULL OR ...` is not), and a condition on the NULL bind otherwise, as
/// [`optional_equality`] does.
fn optional_bound(comparison: &str, placeholder: usize, set: bool) -> String {
    if set {
        format!("{comparison} ${placeholder}")
    } else {
        format!("${placeholder} IS NULL")
    }
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    id: String,
    customer_id: String,
    method: String,
    amount_minor: i64,
    currency: String,
    status: String,
    processor_reference: Option<String>,
    created_at: String,
    updated_at: String,
    payer_email: Option<String>,
    instrument: Option<String>,
    instrument_label: Option<String>,
    failure_reason: Option<String>,
    return_code: Option<String>,
    settles_on: Option<String>,
    fee_minor: i64,
    refunded_minor: i64,
    refunding_minor: i64,
    reconciliation: String,
    reconciled_by: Option<String>,
    reconciled_at: Option<String>,
}

const PAYMENT_COLUMNS: &str = "id, customer_id, method, amount_minor, currency, status, processor_reference, \
     created_at, updated_at, payer_email, instrument, instrument_label, failure_reason, return_code, settles_on, \
     fee_minor, refunded_minor, refunding_minor, reconciliation, reconciled_by, reconciled_at";

/// Records a pending payment and its allocations, or returns the payment the same idempotency
/// key already recorded.
pub async fn record(
    db: &Database,
    merchant: MerchantId,
    payment: &NewPayment,
) -> Result<Recorded, PaymentError> {
    check_allocations(payment, None)?;
    if let Some(existing) = find_by_key(db, merchant, &payment.idempotency_key).await? {
        return replay(existing, payment);
    }
    check_method_enabled(db, merchant, payment.method).await?;
    if !customers::exists(db, merchant, payment.customer).await? {
        return Err(PaymentError::CustomerNotFound);
    }

    let id = PaymentId::new_random();
    let inserted = db
        .write({
            let payment = payment.clone();
            move |connection| Box::pin(insert_pending(connection, merchant, id, payment, None))
        })
        .await?;
    if inserted == Inserted::KeyTaken {
        // The same key won a race with this request: answer with what it recorded.
        let existing = find_by_key(db, merchant, &payment.idempotency_key)
            .await?
            .ok_or(PaymentError::IdempotencyKeyReused)?;
        return replay(existing, payment);
    }
    crate::services::crash_point::reached("confirm.after_payment_insert");
    Ok(Recorded::New(get(db, merchant, id).await?))
}

/// What [`insert_pending`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inserted {
    New,
    /// Another request with the same idempotency key recorded its payment first.
    KeyTaken,
}

/// The pending payment's rows, written on `connection` inside its transaction once the
/// balances allow them. An installment's payment names it in `installment`: the database then
/// refuses a second live payment of the same installment.
pub(crate) async fn insert_pending(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    id: PaymentId,
    payment: NewPayment,
    installment: Option<InstallmentLink>,
) -> Result<Inserted, PaymentError> {
    check_allocations(&payment, installment.map(|link| link.fee))?;
    // Lock in id order, so that two payments over the same invoices cannot deadlock.
    let mut by_invoice: Vec<&NewAllocation> = payment.allocations.iter().collect();
    by_invoice.sort_by_key(|allocation| allocation.invoice);
    for allocation in &by_invoice {
        sqlx::query("UPDATE invoices SET lock_version = lock_version + 1 WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(allocation.invoice.to_string())
            .execute(&mut *connection)
            .await?;
    }
    // A retry of this very request may have committed while this one waited for the locks: it
    // must get that payment back, not be told the invoice is now paid.
    let committed_meanwhile: Option<(String,)> =
        sqlx::query_as("SELECT id FROM payments WHERE merchant_id = $1 AND idempotency_key = $2")
            .bind(merchant.to_string())
            .bind(payment.idempotency_key.as_str())
            .fetch_optional(&mut *connection)
            .await?;
    if committed_meanwhile.is_some() {
        return Ok(Inserted::KeyTaken);
    }
    for allocation in &by_invoice {
        let invoice = invoices::standing_in(&mut *connection, merchant, allocation.invoice)
            .await?
            .filter(|invoice| invoice.customer == payment.customer)
            .ok_or(PaymentError::InvoiceNotFound(allocation.invoice))?;
        if invoice.standing.status == InvoiceStatus::Void {
            return Err(PaymentError::InvoiceVoid {
                invoice: invoice.id,
                number: invoice.number,
            });
        }
        if allocation
            .amount
            .try_cmp(&invoice.standing.balance_due)?
            .is_gt()
        {
            return Err(PaymentError::Overpays {
                invoice: invoice.id,
                number: invoice.number,
                balance_due: invoice.standing.balance_due,
                attempted: allocation.amount,
            });
        }
    }
    let created_at = timestamp_text(now());
    let inserted = sqlx::query(
        "INSERT INTO payments (id, merchant_id, customer_id, method, amount_minor, currency, status, processor_reference, \
         idempotency_key, created_at, updated_at, payer_email, instrument, instrument_label, \
         plan_id, installment_position, fee_minor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id.to_string())
    .bind(merchant.to_string())
    .bind(payment.customer.to_string())
    .bind(payment.method.code())
    .bind(payment.amount.minor_units())
    .bind(payment.amount.currency().code())
    .bind(PaymentStatus::Pending.code())
    .bind(payment.processor_reference.as_deref())
    .bind(payment.idempotency_key.as_str())
    .bind(&created_at)
    .bind(payment.details.payer_email.as_deref())
    .bind(payment.details.instrument.as_deref())
    .bind(payment.details.instrument_label.as_deref())
    .bind(installment.map(|link| link.plan.to_string()))
    .bind(installment.map(|link| i64::from(link.position)))
    .bind(installment.map_or(0, |link| link.fee.minor_units()))
    .execute(&mut *connection)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Ok(Inserted::KeyTaken);
        }
        Err(error) => return Err(error.into()),
    }
    for allocation in &payment.allocations {
        sqlx::query("INSERT INTO allocations (merchant_id, payment_id, invoice_id, amount_minor) VALUES ($1, $2, $3, $4)")
            .bind(merchant.to_string())
            .bind(id.to_string())
            .bind(allocation.invoice.to_string())
            .bind(allocation.amount.minor_units())
            .execute(&mut *connection)
            .await?;
    }
    payment_history::record(
        &mut *connection,
        merchant,
        id,
        PaymentStatus::Pending,
        None,
        &created_at,
    )
    .await?;
    if let Some(authorization) = &payment.details.authorization {
        sqlx::query(
            "INSERT INTO payment_authorizations (merchant_id, payment_id, text, agreed_at, client_address) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(merchant.to_string())
        .bind(id.to_string())
        .bind(&authorization.text)
        .bind(&created_at)
        .bind(&authorization.client_address)
        .execute(&mut *connection)
        .await?;
    }
    Ok(Inserted::New)
}

/// Why a payment failed or came back, as the processor said it: `R02: the account is closed`.
pub fn problem_text(return_code: Option<&str>, failure_reason: Option<&str>) -> Option<String> {
    match (return_code, failure_reason) {
        (Some(code), Some(reason)) => Some(format!("{code}: {reason}")),
        (Some(text), None) | (None, Some(text)) => Some(text.to_owned()),
        (None, None) => None,
    }
}

/// Whether a status change is told by email to the payer and to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announce {
    Nobody,
    /// A receipt, a failure or a return: one email job for each, queued with the change.
    PayerAndMerchant,
}

/// Moves a payment along its life cycle, as the processor reports it, telling nobody.
pub async fn set_status(
    db: &Database,
    merchant: MerchantId,
    id: PaymentId,
    next: PaymentStatus,
) -> Result<Payment, PaymentError> {
    transition(
        db,
        merchant,
        id,
        next,
        &Outcome::default(),
        Announce::Nobody,
    )
    .await
}

/// Moves a payment to `next` and records what the processor said with it (fields left `None`
/// keep their value). The emails `announce` asks for are queued in the same transaction, so a
/// status change is never left without them, nor they without it.
pub async fn transition(
    db: &Database,
    merchant: MerchantId,
    id: PaymentId,
    next: PaymentStatus,
    outcome: &Outcome,
    announce: Announce,
) -> Result<Payment, PaymentError> {
    let change = StatusChange {
        merchant,
        payment: id,
        next,
        outcome: outcome.clone(),
        announce,
    };
    db.write(move |connection| Box::pin(async move { change.write_on(connection).await }))
        .await?;
    get(db, merchant, id).await
}

/// A payment's move to `next`, as [`transition`] makes it, for a unit of work that writes
/// something else in the same transaction.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub merchant: MerchantId,
    pub payment: PaymentId,
    pub next: PaymentStatus,
    pub outcome: Outcome,
    pub announce: Announce,
}

impl StatusChange {
    pub async fn write_on(&self, connection: &mut AnyConnection) -> Result<(), PaymentError> {
        let Self {
            merchant,
            payment: id,
            next,
            ref outcome,
            announce,
        } = *self;
        // Only from a status that may become `next`, in the UPDATE itself: of two reports
        // racing, the second finds the status changed and is refused.
        let from: Vec<&str> = PaymentStatus::ALL
            .into_iter()
            .filter(|status| status.can_become(next))
            .map(PaymentStatus::code)
            .collect();
        let sql = format!(
            "UPDATE payments SET status = $3, updated_at = $4, \
             processor_reference = COALESCE($5, processor_reference), failure_reason = COALESCE($6, failure_reason), \
             return_code = COALESCE($7, return_code), settles_on = COALESCE($8, settles_on), \
             decline_code = COALESCE($9, decline_code) \
             WHERE merchant_id = $1 AND id = $2 AND status IN ({})",
            numbered_placeholders(10, from.len().max(1)),
        );
        let at = timestamp_text(now());
        let mut updated = sqlx::query(&sql)
            .bind(merchant.to_string())
            .bind(id.to_string())
            .bind(next.code())
            .bind(&at)
            .bind(outcome.processor_reference.as_deref())
            .bind(outcome.failure_reason.as_deref())
            .bind(outcome.return_code.as_deref())
            .bind(outcome.settles_on.as_deref())
            .bind(outcome.decline_code.as_deref());
        if from.is_empty() {
            // Nothing may become `next`: a placeholder no status equals.
            updated = updated.bind("");
        }
        for status in &from {
            updated = updated.bind(*status);
        }
        let updated = updated.execute(&mut *connection).await?;
        if updated.rows_affected() == 0 {
            let (status,): (String,) =
                sqlx::query_as("SELECT status FROM payments WHERE merchant_id = $1 AND id = $2")
                    .bind(merchant.to_string())
                    .bind(id.to_string())
                    .fetch_optional(&mut *connection)
                    .await?
                    .ok_or(PaymentError::NotFound)?;
            return Err(PaymentError::InvalidTransition {
                from: PaymentStatus::parse(&status).map_err(|error| corrupt("status", &error))?,
                to: next,
            });
        }
        let detail = problem_text(
            outcome.return_code.as_deref(),
            outcome.failure_reason.as_deref(),
        );
        payment_history::record(&mut *connection, merchant, id, next, detail.as_deref(), &at)
            .await?;
        installment_plans::follow_payment(&mut *connection, merchant, id, next).await?;
        accounting::records::follow_payment(&mut *connection, merchant, id, next).await?;
        match announce {
            Announce::Nobody => {}
            Announce::PayerAndMerchant => {
                for recipient in [Recipient::Payer, Recipient::Merchant] {
                    let email = Job::PaymentEmail {
                        merchant,
                        payment: id,
                        announces: next,
                        recipient,
                    };
                    jobs::enqueue(&mut *connection, NewJob::new(&email)?).await?;
                }
            }
        }
        Ok(())
    }
}

pub async fn get(
    db: &Database,
    merchant: MerchantId,
    id: PaymentId,
) -> Result<Payment, PaymentError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = $1 AND id = $2"
    ))
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or(PaymentError::NotFound)?;
    let mut payments = with_allocations(db, merchant, vec![row]).await?;
    payments.pop().ok_or(PaymentError::NotFound)
}

/// The latest of `merchant`'s payments that reached `status` on or after `since` (UTC), by
/// when they changed, at most `limit`: a bank debit comes back days after it was made.
pub async fn latest_in_status(
    db: &Database,
    merchant: MerchantId,
    status: PaymentStatus,
    since: time::Date,
    limit: u32,
) -> Result<Vec<Payment>, PaymentError> {
    let rows: Vec<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = $1 AND status = $2 AND updated_at >= $3 \
         ORDER BY updated_at DESC, id DESC LIMIT $4"
    ))
    .bind(merchant.to_string())
    .bind(status.code())
    .bind(day_start_text(since))
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    with_allocations(db, merchant, rows).await
}

pub async fn list(
    db: &Database,
    merchant: MerchantId,
    filter: &PaymentFilter,
    page: &PageRequest,
) -> Result<Page<Payment>, PaymentError> {
    let (after_created, after_id) = page.after_binds();
    // Through the (merchant, customer, created_at, id) or (merchant, reconciliation,
    // created_at, id) index when one of those filters is set, (merchant, created_at, id)
    // otherwise: a page costs the same whether there are ten rows or a hundred thousand.
    let customer_condition = optional_equality("customer_id", "$2", filter.customer.is_some());
    let sql = format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = $1 \
         AND {customer_condition} AND {} AND {} \
         ORDER BY created_at {order}, id {order} LIMIT $10",
        filter.rest_conditions(3),
        if filter.newest_first {
            page.before_condition("$8", "$9")
        } else {
            page.after_condition("$8", "$9")
        },
        order = if filter.newest_first { "DESC" } else { "ASC" },
    );
    let query = sqlx::query_as::<_, PaymentRow>(&sql)
        .bind(merchant.to_string())
        .bind(filter.customer.map(|customer| customer.to_string()));
    let rows: Vec<PaymentRow> = filter
        .bind_rest(query)
        .bind(after_created)
        .bind(after_id)
        .bind(page.fetch_limit())
        .fetch_all(db.pool())
        .await?;
    let payments = with_allocations(db, merchant, rows).await?;
    Ok(Page::from_rows(payments, page, |payment| Cursor {
        created_at: payment.created_at.clone(),
        id: payment.id.to_string(),
    }))
}

/// The authorization a payment was confirmed under, as the customer saw it: (text, when,
/// from which address). Payments recorded otherwise (the API) have none.
pub async fn authorization_of(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Option<(String, String, String)>, PaymentError> {
    Ok(sqlx::query_as(
        "SELECT text, agreed_at, client_address FROM payment_authorizations WHERE merchant_id = $1 AND payment_id = $2",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_optional(db.pool())
    .await?)
}

/// Whether `payment` was recorded longer than `age` ago.
pub fn is_older_than(payment: &Payment, age: time::Duration) -> bool {
    payment.created_at < timestamp_text(now() - age)
}

/// Payments of every merchant still `pending` after `age`: confirms that never finished.
pub async fn stale_pending(
    db: &Database,
    age: time::Duration,
) -> Result<Vec<(MerchantId, PaymentId)>, PaymentError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT merchant_id, id FROM payments WHERE status = $1 AND instrument IS NOT NULL \
         AND created_at < $2 ORDER BY created_at LIMIT 100",
    )
    .bind(PaymentStatus::Pending.code())
    .bind(timestamp_text(now() - age))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(merchant, id)| {
            Ok((
                MerchantId::parse(&merchant).map_err(|error| corrupt("merchant_id", &error))?,
                PaymentId::parse(&id).map_err(|error| corrupt("id", &error))?,
            ))
        })
        .collect()
}

/// The payment methods a merchant offers.
pub async fn enabled_methods(
    db: &Database,
    merchant: MerchantId,
) -> Result<Vec<PaymentMethodKind>, PaymentError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT method FROM merchant_payment_methods WHERE merchant_id = $1")
            .bind(merchant.to_string())
            .fetch_all(db.pool())
            .await?;
    let mut methods = rows
        .into_iter()
        .map(|(code,)| {
            PaymentMethodKind::parse(&code)
                .map_err(|error| PaymentError::CorruptRow(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    methods.sort();
    Ok(methods)
}

async fn check_method_enabled(
    db: &Database,
    merchant: MerchantId,
    method: PaymentMethodKind,
) -> Result<(), PaymentError> {
    if enabled_methods(db, merchant).await?.contains(&method) {
        Ok(())
    } else {
        Err(PaymentError::MethodNotEnabled(method))
    }
}

/// The checks that need no database: something to pay, each invoice once, one currency, and
/// parts that add up to the whole (less an installment's `fee`, which pays no invoice).
fn check_allocations(payment: &NewPayment, fee: Option<Money>) -> Result<(), PaymentError> {
    if payment.allocations.is_empty() {
        return Err(PaymentError::NoAllocations);
    }
    let mut seen = BTreeSet::new();
    for allocation in &payment.allocations {
        if !seen.insert(allocation.invoice) {
            return Err(PaymentError::DuplicateInvoice(allocation.invoice));
        }
        if allocation.amount.currency() != payment.amount.currency() {
            return Err(PaymentError::CurrencyMismatch);
        }
    }
    let allocated = Money::sum(
        payment
            .allocations
            .iter()
            .map(|allocation| allocation.amount),
        payment.amount.currency(),
    )?;
    let toward_invoices = match fee {
        Some(fee) => payment.amount.checked_sub(fee)?,
        None => payment.amount,
    };
    if allocated != toward_invoices {
        return Err(PaymentError::AllocationsDoNotAddUp {
            amount: payment.amount,
            allocated,
        });
    }
    Ok(())
}

/// The payment a confirm with `key` recorded, if any.
pub async fn find_by_key(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
) -> Result<Option<Payment>, PaymentError> {
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = $1 AND idempotency_key = $2"
    ))
    .bind(merchant.to_string())
    .bind(key.as_str())
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(row) => Ok(with_allocations(db, merchant, vec![row]).await?.pop()),
        None => Ok(None),
    }
}

/// The first payment when the repeated request asks for the same thing; a refusal when the key
/// is being reused for something else.
fn replay(existing: Payment, request: &NewPayment) -> Result<Recorded, PaymentError> {
    let mut asked: Vec<(InvoiceId, Money)> = request
        .allocations
        .iter()
        .map(|allocation| (allocation.invoice, allocation.amount))
        .collect();
    let mut recorded: Vec<(InvoiceId, Money)> = existing
        .allocations
        .iter()
        .map(|allocation| (allocation.invoice, allocation.amount))
        .collect();
    asked.sort_by_key(|(invoice, _)| *invoice);
    recorded.sort_by_key(|(invoice, _)| *invoice);
    let same = existing.customer == request.customer
        && existing.method == request.method
        && existing.amount == request.amount
        && asked == recorded;
    if same {
        Ok(Recorded::Replayed(existing))
    } else {
        Err(PaymentError::IdempotencyKeyReused)
    }
}

async fn with_allocations(
    db: &Database,
    merchant: MerchantId,
    rows: Vec<PaymentRow>,
) -> Result<Vec<Payment>, PaymentError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = numbered_placeholders(2, rows.len());
    let sql = format!(
        "SELECT a.payment_id, a.invoice_id, i.number, a.amount_minor, a.refunded_minor FROM allocations a \
         JOIN invoices i ON i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.payment_id IN ({placeholders}) ORDER BY i.due_on, i.number"
    );
    let mut query =
        sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql).bind(merchant.to_string());
    for row in &rows {
        query = query.bind(row.id.clone());
    }
    let allocations = query.fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(|row| {
            let currency =
                Currency::parse(&row.currency).map_err(|error| corrupt("currency", &error))?;
            let mine = allocations
                .iter()
                .filter(|(payment_id, ..)| *payment_id == row.id)
                .map(|(_, invoice, number, amount, refunded)| {
                    Ok(PaymentAllocation {
                        invoice: InvoiceId::parse(invoice)
                            .map_err(|error| corrupt("invoice_id", &error))?,
                        invoice_number: InvoiceNumber::parse(number)
                            .map_err(|error| corrupt("number", &error))?,
                        amount: Money::from_minor_units(*amount, currency)?,
                        refunded: Money::from_minor_units(*refunded, currency)?,
                    })
                })
                .collect::<Result<Vec<_>, PaymentError>>()?;
            Ok(Payment {
                id: PaymentId::parse(&row.id).map_err(|error| corrupt("id", &error))?,
                customer: CustomerId::parse(&row.customer_id)
                    .map_err(|error| corrupt("customer_id", &error))?,
                method: PaymentMethodKind::parse(&row.method)
                    .map_err(|error| corrupt("method", &error))?,
                amount: Money::from_minor_units(row.amount_minor, currency)?,
                status: PaymentStatus::parse(&row.status)
                    .map_err(|error| corrupt("status", &error))?,
                processor_reference: row.processor_reference,
                created_at: row.created_at,
                updated_at: row.updated_at,
                allocations: mine,
                payer_email: row.payer_email,
                instrument: row.instrument,
                instrument_label: row.instrument_label,
                failure_reason: row.failure_reason,
                return_code: row.return_code,
                settles_on: row.settles_on,
                fee: Money::from_minor_units(row.fee_minor, currency)?,
                refunded: Money::from_minor_units(row.refunded_minor, currency)?,
                refunding: Money::from_minor_units(row.refunding_minor, currency)?,
                reconciliation: Reconciliation::parse(&row.reconciliation)
                    .map_err(|error| corrupt("reconciliation", &error))?,
                reconciled_by: row.reconciled_by,
                reconciled_at: row.reconciled_at,
            })
        })
        .collect()
}

fn corrupt(column: &str, error: &dyn std::fmt::Display) -> PaymentError {
    PaymentError::CorruptRow(format!("{column}: {error}"))
}
