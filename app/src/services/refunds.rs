//! Refunds of card payments, in full or in part, through the processor.
//!
//! Exactly-once, in three steps. First one transaction holds the amount on the payment (the
//! database refuses a hold that would pass what was paid), records the refund under the
//! request's idempotency key with the invoices it makes owe again, and queues the job that
//! finishes it. Then the processor is asked, keyed by the refund. Then one transaction applies
//! its answer: the invoices owe again, a payment refunded whole becomes `refunded`, and both
//! sides' emails are queued. A crash between the steps leaves a pending refund that its job
//! finishes; asking the processor twice refunds once.
//!
//! A partial refund gives back the invoices' shares last paid first (the payment's last invoice
//! by due date, then the one before), then an installment plan's fee: the parts add up to the
//! refund exactly.

use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::{InvoiceId, MerchantId, PaymentId, RefundId};
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::domain::reconciliation::Reconciliation;
use crate::services::Database;
use crate::services::checkout::{self, PaymentServices};
use crate::services::clock::{now, timestamp_text};
use crate::services::crash_point;
use crate::services::jobs::{self, Job, JobError, NewJob, OutgoingEmail, Recipient};
use crate::services::payments::{self, Announce, Outcome, PaymentError, StatusChange};
use crate::services::processors::{PaymentProcessor, ProcessorError, RefundOutcome};
use sqlx::AnyConnection;

/// How long a refund's own attempt has before its job takes over: the job only matters when
/// the request that asked died half way.
const FINISHED_BY_JOB_AFTER: time::Duration = time::Duration::minutes(2);

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("no such payment")]
    NotFound,
    #[error("only card payments are refunded through Portico; this one is {0:?}")]
    NotCard(PaymentMethodKind),
    #[error("a {0:?} payment cannot be refunded")]
    NotSucceeded(PaymentStatus),
    #[error("the refund is in another currency than the payment")]
    CurrencyMismatch,
    #[error("at most {refundable} of this payment can still be refunded")]
    ExceedsRefundable { refundable: Money },
    #[error("the idempotency key was already used for a different refund")]
    IdempotencyKeyReused,
    #[error("a stored refund row is invalid: {0}")]
    CorruptRow(String),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Processor(#[from] ProcessorError),
    #[error("a refund's jobs could not be queued")]
    Queue(#[from] JobError),
    #[error("refund storage failed")]
    Storage(#[from] sqlx::Error),
}

impl From<MoneyError> for RefundError {
    fn from(error: MoneyError) -> Self {
        match error {
            MoneyError::CurrencyMismatch { .. } => Self::CurrencyMismatch,
            other => Self::CorruptRow(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    /// Asked of the processor; its answer is not applied yet.
    Pending,
    Succeeded,
    /// The processor refused it; nothing was given back.
    Failed,
}

impl RefundStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Succeeded, Self::Failed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Waiting for the processor",
            Self::Succeeded => "Refunded",
            Self::Failed => "Refused",
        }
    }
}

/// A refund asked by a staff member or through the API.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    pub payment: PaymentId,
    pub amount: Money,
    pub key: IdempotencyKey,
    /// Who asked: a staff member's address, or the API.
    pub requested_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: RefundId,
    pub payment: PaymentId,
    pub amount: Money,
    pub status: RefundStatus,
    pub requested_by: String,
    pub processor_reference: Option<String>,
    /// Why the processor refused it.
    pub failure_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What `payment` can still be refunded: what it paid less what was refunded or is being
/// refunded. Zero for a payment that cannot be refunded at all (not a card, not succeeded).
pub fn refundable(payment: &payments::Payment) -> Result<Money, MoneyError> {
    let refundable_kind = match payment.method {
        PaymentMethodKind::Card => true,
        // A bank debit is given back by the merchant's own transfer, not through the processor.
        PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => false,
    };
    if !refundable_kind || payment.status != PaymentStatus::Succeeded {
        return Ok(Money::zero(payment.amount.currency()));
    }
    payment
        .amount
        .checked_sub(payment.refunded)?
        .checked_sub(payment.refunding)
}

/// Refunds `request.amount` of a payment of `merchant` and answers with the refund as it
/// stands: succeeded, failed (the processor refused it), or pending (the processor did not
/// answer; its job asks again). The same key again answers with the same refund.
pub async fn refund(
    services: &PaymentServices,
    merchant: MerchantId,
    request: RefundRequest,
) -> Result<Refund, RefundError> {
    let id = begin(&services.db, merchant, request).await?;
    crash_point::reached("refund.after_hold");
    match finish(services, merchant, id).await {
        Ok(refund) => Ok(refund),
        // Still pending: the processor did not answer, and the job asks again later.
        Err(RefundError::Processor(error)) => {
            tracing::warn!(%error, refund = %id, "the processor did not answer a refund");
            get(&services.db, merchant, id).await
        }
        Err(error) => Err(error),
    }
}

/// Step one: the hold, the refund and its job, in one transaction; or the refund the same key
/// recorded before.
async fn begin(
    db: &Database,
    merchant: MerchantId,
    request: RefundRequest,
) -> Result<RefundId, RefundError> {
    let key = request.key.clone();
    let begun = db
        .write(move |connection| {
            Box::pin(async move { begin_on(connection, merchant, &request).await })
        })
        .await;
    match begun {
        // PostgreSQL: the same request twice at once; the second waited for the first's hold,
        // then found its key taken. Its own writes are gone: it is the first one's replay.
        Err(RefundError::Storage(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            find_by_key(db, merchant, &key)
                .await?
                .map(|refund| refund.id)
                .ok_or(RefundError::IdempotencyKeyReused)
        }
        begun => begun,
    }
}

async fn begin_on(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    request: &RefundRequest,
) -> Result<RefundId, RefundError> {
    let earlier: Option<(String, String, i64, String)> = sqlx::query_as(
        "SELECT id, payment_id, amount_minor, currency FROM refunds WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(merchant.to_string())
    .bind(request.key.as_str())
    .fetch_optional(&mut *connection)
    .await?;
    if let Some((id, payment, amount, currency)) = earlier {
        let same = payment == request.payment.to_string()
            && amount == request.amount.minor_units()
            && currency == request.amount.currency().code();
        if !same {
            return Err(RefundError::IdempotencyKeyReused);
        }
        return RefundId::parse(&id).map_err(|error| corrupt("id", &error));
    }
    // The hold, guarded in the UPDATE itself (and by the table's CHECK): of two refunds racing
    // for the same money, the second finds nothing left and is refused.
    let held = sqlx::query(
        "UPDATE payments SET refunding_minor = refunding_minor + $3 \
         WHERE merchant_id = $1 AND id = $2 AND method = $4 AND status = $5 AND currency = $6 \
         AND refunded_minor + refunding_minor + $3 <= amount_minor",
    )
    .bind(merchant.to_string())
    .bind(request.payment.to_string())
    .bind(request.amount.minor_units())
    .bind(PaymentMethodKind::Card.code())
    .bind(PaymentStatus::Succeeded.code())
    .bind(request.amount.currency().code())
    .execute(&mut *connection)
    .await?;
    if held.rows_affected() == 0 {
        return Err(why_not_held(connection, merchant, request).await?);
    }
    let shares = invoice_shares(connection, merchant, request.payment, request.amount).await?;
    let id = RefundId::new_random();
    let at = timestamp_text(now());
    sqlx::query(
        "INSERT INTO refunds (id, merchant_id, payment_id, amount_minor, currency, status, idempotency_key, \
         requested_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id.to_string())
    .bind(merchant.to_string())
    .bind(request.payment.to_string())
    .bind(request.amount.minor_units())
    .bind(request.amount.currency().code())
    .bind(RefundStatus::Pending.code())
    .bind(request.key.as_str())
    .bind(&request.requested_by)
    .bind(&at)
    .execute(&mut *connection)
    .await?;
    for (invoice, share) in shares {
        sqlx::query(
            "INSERT INTO refund_allocations (merchant_id, refund_id, payment_id, invoice_id, amount_minor) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(merchant.to_string())
        .bind(id.to_string())
        .bind(request.payment.to_string())
        .bind(invoice.to_string())
        .bind(share.minor_units())
        .execute(&mut *connection)
        .await?;
    }
    let job = NewJob::new(&Job::FinishRefund {
        merchant,
        refund: id,
    })?
    .not_before(now() + FINISHED_BY_JOB_AFTER);
    jobs::enqueue(&mut *connection, job).await?;
    Ok(id)
}

/// Why the hold was refused, read inside the same transaction.
async fn why_not_held(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    request: &RefundRequest,
) -> Result<RefundError, RefundError> {
    let row: Option<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT method, status, currency, amount_minor, refunded_minor, refunding_minor FROM payments \
         WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(request.payment.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    let Some((method, status, currency, amount, refunded, refunding)) = row else {
        return Ok(RefundError::NotFound);
    };
    let method = PaymentMethodKind::parse(&method).map_err(|error| corrupt("method", &error))?;
    let status = PaymentStatus::parse(&status).map_err(|error| corrupt("status", &error))?;
    let currency = Currency::parse(&currency).map_err(|error| corrupt("currency", &error))?;
    Ok(if method != PaymentMethodKind::Card {
        RefundError::NotCard(method)
    } else if status != PaymentStatus::Succeeded {
        RefundError::NotSucceeded(status)
    } else if currency != request.amount.currency() {
        RefundError::CurrencyMismatch
    } else {
        RefundError::ExceedsRefundable {
            refundable: Money::from_minor_units(amount - refunded - refunding, currency)?,
        }
    })
}

/// The invoices `amount` of the payment gives back, last paid first: each allocation less what
/// refunds gave back of it or hold on it. What is left beyond them is the plan's fee.
async fn invoice_shares(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    payment: PaymentId,
    amount: Money,
) -> Result<Vec<(InvoiceId, Money)>, RefundError> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT a.invoice_id, a.amount_minor, a.refunded_minor, \
           COALESCE((SELECT CAST(SUM(ra.amount_minor) AS BIGINT) FROM refund_allocations ra \
             JOIN refunds r ON r.id = ra.refund_id \
             WHERE ra.payment_id = a.payment_id AND ra.invoice_id = a.invoice_id AND r.status = $3), 0) \
         FROM allocations a JOIN invoices i ON i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.payment_id = $2 ORDER BY i.due_on DESC, i.number DESC",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .bind(RefundStatus::Pending.code())
    .fetch_all(&mut *connection)
    .await?;
    let currency = amount.currency();
    let mut invoices = Vec::with_capacity(rows.len());
    let mut left = Vec::with_capacity(rows.len());
    for (invoice, allocated, refunded, held) in rows {
        invoices.push(InvoiceId::parse(&invoice).map_err(|error| corrupt("invoice_id", &error))?);
        left.push(Money::from_minor_units(
            allocated - refunded - held,
            currency,
        )?);
    }
    let all_left = Money::sum(left.iter().copied(), currency)?;
    let for_invoices = amount.try_min(all_left)?;
    let shares = for_invoices.allocate_in_order(&left)?;
    Ok(invoices
        .into_iter()
        .zip(shares)
        .filter(|(_, share)| !share.is_zero())
        .collect())
}

/// Steps two and three for a refund of `merchant`: asks the processor (again, if it was asked
/// before) and applies its answer. A refund no longer pending is answered as it stands.
pub async fn finish(
    services: &PaymentServices,
    merchant: MerchantId,
    id: RefundId,
) -> Result<Refund, RefundError> {
    let refund = get(&services.db, merchant, id).await?;
    if refund.status != RefundStatus::Pending {
        return Ok(refund);
    }
    let outcome = services
        .processor
        .refund_charge(merchant, refund.payment, id, refund.amount)
        .await?;
    crash_point::reached("refund.after_processor_call");
    let applied = refund.clone();
    services
        .db
        .write(move |connection| {
            Box::pin(async move { apply_on(connection, merchant, &applied, &outcome).await })
        })
        .await?;
    get(&services.db, merchant, id).await
}

/// Step three: the processor's answer, applied once (a second answer finds the refund no
/// longer pending and changes nothing).
async fn apply_on(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    refund: &Refund,
    outcome: &RefundOutcome,
) -> Result<(), RefundError> {
    let at = timestamp_text(now());
    let (status, reference, reason) = match outcome {
        RefundOutcome::Succeeded { reference } => {
            (RefundStatus::Succeeded, Some(reference.as_str()), None)
        }
        RefundOutcome::Refused { reason } => (RefundStatus::Failed, None, Some(reason.as_str())),
    };
    let answered = sqlx::query(
        "UPDATE refunds SET status = $3, processor_reference = $4, failure_reason = $5, updated_at = $6 \
         WHERE merchant_id = $1 AND id = $2 AND status = $7",
    )
    .bind(merchant.to_string())
    .bind(refund.id.to_string())
    .bind(status.code())
    .bind(reference)
    .bind(reason)
    .bind(&at)
    .bind(RefundStatus::Pending.code())
    .execute(&mut *connection)
    .await?;
    if answered.rows_affected() == 0 {
        return Ok(());
    }
    let given_back = match status {
        RefundStatus::Succeeded => refund.amount.minor_units(),
        RefundStatus::Pending | RefundStatus::Failed => 0,
    };
    // A payment reconciled by hand goes back on the bookkeeper's list: the refund is booked too.
    sqlx::query(
        "UPDATE payments SET refunding_minor = refunding_minor - $3, refunded_minor = refunded_minor + $4, \
         updated_at = $5, \
         reconciliation = CASE WHEN $4 > 0 AND reconciliation = $6 THEN $7 ELSE reconciliation END, \
         reconciled_by = CASE WHEN $4 > 0 AND reconciliation = $6 THEN NULL ELSE reconciled_by END, \
         reconciled_at = CASE WHEN $4 > 0 AND reconciliation = $6 THEN NULL ELSE reconciled_at END \
         WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(refund.payment.to_string())
    .bind(refund.amount.minor_units())
    .bind(given_back)
    .bind(&at)
    .bind(Reconciliation::Reconciled.code())
    .bind(Reconciliation::Unreconciled.code())
    .execute(&mut *connection)
    .await?;
    if status != RefundStatus::Succeeded {
        return Ok(());
    }
    sqlx::query(
        "UPDATE allocations SET refunded_minor = refunded_minor + \
           (SELECT ra.amount_minor FROM refund_allocations ra \
            WHERE ra.refund_id = $3 AND ra.payment_id = allocations.payment_id AND ra.invoice_id = allocations.invoice_id) \
         WHERE merchant_id = $1 AND payment_id = $2 AND invoice_id IN \
           (SELECT invoice_id FROM refund_allocations WHERE refund_id = $3)",
    )
    .bind(merchant.to_string())
    .bind(refund.payment.to_string())
    .bind(refund.id.to_string())
    .execute(&mut *connection)
    .await?;
    let (amount, refunded): (i64, i64) = sqlx::query_as(
        "SELECT amount_minor, refunded_minor FROM payments WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(refund.payment.to_string())
    .fetch_one(&mut *connection)
    .await?;
    if refunded == amount {
        StatusChange {
            merchant,
            payment: refund.payment,
            next: PaymentStatus::Refunded,
            outcome: Outcome::default(),
            announce: Announce::Nobody,
        }
        .write_on(connection)
        .await?;
    }
    for recipient in [Recipient::Payer, Recipient::Merchant] {
        let email = Job::RefundEmail {
            merchant,
            refund: refund.id,
            recipient,
        };
        jobs::enqueue(&mut *connection, NewJob::new(&email)?).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RefundRow {
    id: String,
    payment_id: String,
    amount_minor: i64,
    currency: String,
    status: String,
    requested_by: String,
    processor_reference: Option<String>,
    failure_reason: Option<String>,
    created_at: String,
    updated_at: String,
}

const REFUND_COLUMNS: &str = "id, payment_id, amount_minor, currency, status, requested_by, \
     processor_reference, failure_reason, created_at, updated_at";

impl TryFrom<RefundRow> for Refund {
    type Error = RefundError;

    fn try_from(row: RefundRow) -> Result<Self, RefundError> {
        let currency =
            Currency::parse(&row.currency).map_err(|error| corrupt("currency", &error))?;
        Ok(Self {
            id: RefundId::parse(&row.id).map_err(|error| corrupt("id", &error))?,
            payment: PaymentId::parse(&row.payment_id)
                .map_err(|error| corrupt("payment_id", &error))?,
            amount: Money::from_minor_units(row.amount_minor, currency)?,
            status: RefundStatus::parse(&row.status)
                .ok_or_else(|| RefundError::CorruptRow(format!("status: {}", row.status)))?,
            requested_by: row.requested_by,
            processor_reference: row.processor_reference,
            failure_reason: row.failure_reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The refund `key` asked for, if it was asked.
pub async fn find_by_key(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
) -> Result<Option<Refund>, RefundError> {
    let row: Option<RefundRow> = sqlx::query_as(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = $1 AND idempotency_key = $2"
    ))
    .bind(merchant.to_string())
    .bind(key.as_str())
    .fetch_optional(db.pool())
    .await?;
    row.map(Refund::try_from).transpose()
}

/// One of `merchant`'s refunds; another merchant's is not found.
pub async fn get(db: &Database, merchant: MerchantId, id: RefundId) -> Result<Refund, RefundError> {
    let row: Option<RefundRow> = sqlx::query_as(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = $1 AND id = $2"
    ))
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.ok_or(RefundError::NotFound)?.try_into()
}

/// The refunds of one of `merchant`'s payments, oldest first. A payment is refunded a few
/// times at most, so they are read whole (capped all the same).
pub async fn of_payment(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Vec<Refund>, RefundError> {
    let rows: Vec<RefundRow> = sqlx::query_as(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = $1 AND payment_id = $2 \
         ORDER BY created_at, id LIMIT 100"
    ))
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(Refund::try_from).collect()
}

/// The oldest of `merchant`'s refunds still waiting for the processor's answer, at most
/// `limit`: each holds money its payment cannot refund again until the processor answers.
pub async fn waiting(
    db: &Database,
    merchant: MerchantId,
    limit: u32,
) -> Result<Vec<Refund>, RefundError> {
    let rows: Vec<RefundRow> = sqlx::query_as(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = $1 AND status = $2 \
         ORDER BY updated_at, id LIMIT $3"
    ))
    .bind(merchant.to_string())
    .bind(RefundStatus::Pending.code())
    .bind(i64::from(limit))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(Refund::try_from).collect()
}

/// What a refund that went through gave back of one invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRefund {
    pub payment: PaymentId,
    pub amount: Money,
    /// When the processor's answer was applied.
    pub at: String,
}

/// The refunds that made one of `merchant`'s invoices owe again, oldest first.
pub async fn of_invoice(
    db: &Database,
    merchant: MerchantId,
    invoice: InvoiceId,
) -> Result<Vec<InvoiceRefund>, RefundError> {
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT r.payment_id, ra.amount_minor, r.currency, r.updated_at FROM refund_allocations ra \
         JOIN refunds r ON r.id = ra.refund_id \
         WHERE ra.merchant_id = $1 AND ra.invoice_id = $2 AND r.status = $3 \
         ORDER BY r.updated_at, r.id LIMIT 100",
    )
    .bind(merchant.to_string())
    .bind(invoice.to_string())
    .bind(RefundStatus::Succeeded.code())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(payment, amount, currency, at)| {
            let currency =
                Currency::parse(&currency).map_err(|error| corrupt("currency", &error))?;
            Ok(InvoiceRefund {
                payment: PaymentId::parse(&payment)
                    .map_err(|error| corrupt("payment_id", &error))?,
                amount: Money::from_minor_units(amount, currency)?,
                at,
            })
        })
        .collect()
}

/// The email a refund that went through calls for, to the payer or to the merchant; `None`
/// when there is nobody to send it to or the refund did not go through.
pub async fn refund_email(
    db: &Database,
    merchant: MerchantId,
    id: RefundId,
    recipient: Recipient,
) -> Result<Option<OutgoingEmail>, RefundError> {
    let refund = get(db, merchant, id).await?;
    if refund.status != RefundStatus::Succeeded {
        return Ok(None);
    }
    let payment = payments::get(db, merchant, refund.payment).await?;
    let Some(branding) = checkout::merchant_branding(db, merchant)
        .await
        .map_err(|error| RefundError::CorruptRow(error.to_string()))?
    else {
        return Err(RefundError::NotFound);
    };
    let shares: Vec<(String, i64)> = sqlx::query_as(
        "SELECT i.number, ra.amount_minor FROM refund_allocations ra JOIN invoices i ON i.id = ra.invoice_id \
         WHERE ra.merchant_id = $1 AND ra.refund_id = $2 ORDER BY i.due_on, i.number",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut owed_again = String::new();
    for (number, minor) in shares {
        let share = Money::from_minor_units(minor, refund.amount.currency())?;
        owed_again.push_str(&format!("  Invoice {number}: {share}\n"));
    }
    let body = format!(
        "Refund: {amount}\nOf payment: {payment_id} ({paid}, {label})\n\n\
         Invoices it paid that owe this again:\n{owed_again}",
        amount = refund.amount,
        payment_id = payment.id,
        paid = payment.amount,
        label = payment.instrument_label.as_deref().unwrap_or("card"),
    );
    let (subject, body) = match recipient {
        Recipient::Payer => (
            format!(
                "{} refunded {} to your card",
                branding.display_name, refund.amount
            ),
            format!(
                "{} refunded {} of your payment to your card. Banks take 5 to 10 business days to show it.\n\n{body}",
                branding.display_name, refund.amount
            ),
        ),
        Recipient::Merchant => (
            format!("Refund issued: {}", refund.amount),
            format!(
                "{body}\nAsked by: {}\nPaid by: {}\n",
                refund.requested_by,
                payment
                    .payer_email
                    .as_deref()
                    .unwrap_or("(recorded through the API)")
            ),
        ),
    };
    Ok(checkout::addressed(
        &branding, &payment, recipient, subject, body,
    ))
}

fn corrupt(column: &str, error: &dyn std::fmt::Display) -> RefundError {
    RefundError::CorruptRow(format!("{column}: {error}"))
}
