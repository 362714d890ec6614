//! Payments recorded in the merchant's accounting software. When a payment succeeds (a card)
//! or settles (a bank debit) at a merchant with a connection, [`follow_payment`] marks it
//! `queued` and queues its [`Job::RecordPayment`] in the transaction of the status change;
//! the worker's [`record`] writes it there against the invoices it paid and marks it `synced`.
//! A return or a refund queues [`Job::ReversePayment`] the same way, and [`reverse`] takes it
//! back there.
//!
//! Exactly once: each invoice's record is a row keyed by (payment, invoice) (written as soon
//! as the provider answers), so a retry never sends what is recorded already; the moment
//! between the provider's commit and that row is covered by the provider's idempotency: Xero's
//! `Idempotency-Key`, QuickBooks' `requestid`, both made from the payment's id, so that a retry
//! after a timeout, a crash or on another instance is answered with the first result.

use crate::domain::accounting::{AccountingProvider, ConnectionState};
use crate::domain::ids::{InvoiceId, MerchantId, PaymentId};
use crate::domain::payment::PaymentStatus;
use crate::domain::reconciliation::Reconciliation;
use crate::services::accounting::AccountingError;
use crate::services::accounting::connections::{self, Connection};
use crate::services::accounting::connector::Connector;
use crate::services::accounting::tokens::{self, Context};
use crate::services::accounting::{quickbooks, xero};
use crate::services::clock::{now, timestamp_text};
use crate::services::database::numbered_placeholders;
use crate::services::jobs::{self, Job, NewJob};
use crate::services::payments::{self, Payment};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// What became of a record or a reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// Written there (or found written already).
    Done,
    /// Nothing to do: the payment did not succeed after all, or the merchant disconnected.
    Nothing,
    /// The connection needs an admin to connect again; the payment stays `queued` and is
    /// queued again when they do.
    Waiting,
    /// The provider refused for good (an invoice not there, a closed period): the payment is
    /// `failed` with this message, for a person to look at and Retry.
    Refused(String),
}

/// Why a record should be tried again later.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Rate-limited: not before this many seconds.
    #[error("rate-limited by the accounting software")]
    SlowDown(Option<u64>, #[source] AccountingError),
    #[error(transparent)]
    Accounting(#[from] AccountingError),
    #[error("payment storage failed")]
    Payment(#[from] payments::PaymentError),
    #[error("a record job could not be queued")]
    Job(#[from] jobs::JobError),
    /// A reversal waits for the record it takes back.
    #[error("the payment's record is still on its way to the accounting software")]
    RecordPending,
    #[error("accounting record storage failed")]
    Storage(#[from] sqlx::Error),
}

/// On the connection of `payment`'s status change to `next`: what its accounting needs.
pub async fn follow_payment(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    payment: PaymentId,
    next: PaymentStatus,
) -> Result<(), jobs::JobError> {
    match next {
        PaymentStatus::Succeeded => {
            let connected: Option<(String,)> =
                sqlx::query_as("SELECT id FROM accounting_connections WHERE merchant_id = $1")
                    .bind(merchant.to_string())
                    .fetch_optional(&mut *connection)
                    .await?;
            if connected.is_none() {
                return Ok(());
            }
            let queued = sqlx::query(
                "UPDATE payments SET reconciliation = 'queued' \
                 WHERE merchant_id = $1 AND id = $2 AND reconciliation = 'unreconciled'",
            )
            .bind(merchant.to_string())
            .bind(payment.to_string())
            .execute(&mut *connection)
            .await?;
            if queued.rows_affected() == 0 {
                return Ok(());
            }
            queue_record(connection, merchant, payment).await
        }
        PaymentStatus::Returned | PaymentStatus::Refunded => {
            let recorded: Option<(String,)> = sqlx::query_as(
                "SELECT reconciliation FROM payments WHERE merchant_id = $1 AND id = $2 \
                 AND reconciliation IN ('queued', 'synced', 'failed')",
            )
            .bind(merchant.to_string())
            .bind(payment.to_string())
            .fetch_optional(&mut *connection)
            .await?;
            if recorded.is_none() {
                return Ok(());
            }
            let job = NewJob::new(&Job::ReversePayment { merchant, payment })?;
            jobs::enqueue(connection, job).await?;
            Ok(())
        }
        PaymentStatus::Pending | PaymentStatus::Processing | PaymentStatus::Failed => Ok(()),
    }
}

/// The invoices' ids in the accounting software, by Portico's invoice id (the merchant's).
async fn external_ids(
    context: Context<'_>,
    merchant: MerchantId,
    invoices: &[InvoiceId],
) -> Result<HashMap<InvoiceId, Option<String>>, RecordError> {
    let sql = format!(
        "SELECT id, external_id FROM invoices WHERE merchant_id = $1 AND id IN ({})",
        numbered_placeholders(2, invoices.len().max(1))
    );
    let mut query = sqlx::query_as::<_, (String, Option<String>)>(&sql).bind(merchant.to_string());
    for invoice in invoices {
        query = query.bind(invoice.to_string());
    }
    let rows = query.fetch_all(context.db.pool()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, external)| Some((InvoiceId::parse(&id).ok()?, external)))
        .collect())
}

/// One invoice's record of a payment there.
struct Record {
    external_id: String,
    reversed: bool,
    /// The provider and tenant it was recorded in.
    books: (String, String),
}

/// The invoices of `payment` recorded there already.
async fn recorded(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<HashMap<InvoiceId, Record>, RecordError> {
    let rows: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT invoice_id, external_id, reversed_at, provider, tenant_id FROM accounting_records \
         WHERE merchant_id = $1 AND payment_id = $2",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_all(context.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(invoice, external_id, reversed, provider, tenant)| {
            Some((
                InvoiceId::parse(&invoice).ok()?,
                Record {
                    external_id,
                    reversed: reversed.is_some(),
                    books: (provider, tenant),
                },
            ))
        })
        .collect())
}

async fn keep_record(
    context: Context<'_>,
    connection: &Connection,
    payment: PaymentId,
    invoice: InvoiceId,
    external_id: &str,
) -> Result<(), RecordError> {
    sqlx::query(
        "INSERT INTO accounting_records \
         (merchant_id, payment_id, invoice_id, provider, tenant_id, external_id, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (payment_id, invoice_id) DO NOTHING",
    )
    .bind(connection.merchant.to_string())
    .bind(payment.to_string())
    .bind(invoice.to_string())
    .bind(connection.provider.code())
    .bind(&connection.tenant_id)
    .bind(external_id)
    .bind(timestamp_text(now()))
    .execute(context.db.writer())
    .await?;
    Ok(())
}

/// Sets `payment`'s reconciliation state (from any state an accounting connection owns) and
/// its failure message, in one transaction.
async fn settle_state(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
    state: Reconciliation,
    failure: Option<&str>,
) -> Result<(), RecordError> {
    let mut transaction = context.db.begin_write().await?;
    sqlx::query(
        "UPDATE payments SET reconciliation = $3 WHERE merchant_id = $1 AND id = $2 \
         AND reconciliation IN ('queued', 'synced', 'failed')",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .bind(state.code())
    .execute(&mut *transaction)
    .await?;
    sqlx::query("DELETE FROM accounting_failures WHERE payment_id = $1")
        .bind(payment.to_string())
        .execute(&mut *transaction)
        .await?;
    if let Some(message) = failure {
        sqlx::query(
            "INSERT INTO accounting_failures (payment_id, merchant_id, message, failed_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(payment.to_string())
        .bind(merchant.to_string())
        .bind(message)
        .bind(timestamp_text(now()))
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Whether a refusal will come again however often it is tried: the provider read the request
/// and said no (a validation fault, an invoice it does not have, a closed period).
fn refusal_is_final(error: &AccountingError) -> Option<String> {
    match error {
        // A 200 carrying a fault is QuickBooks refusing the body.
        AccountingError::Refused {
            status, message, ..
        } if *status == 200 || ((400..500).contains(status) && ![401, 403, 408].contains(status)) => {
            Some(message.clone())
        }
        AccountingError::UnknownAccount => Some(
            "The deposit account is not one of the books' bank accounts any more: choose another in Settings, Accounting.".to_owned(),
        ),
        _ => None,
    }
}

/// Turns a failed call into what the job does next: refused for good, or tried again.
async fn after_error(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
    error: AccountingError,
) -> Result<Finished, RecordError> {
    if let Some(message) = refusal_is_final(&error) {
        settle_state(
            context,
            merchant,
            payment,
            Reconciliation::Failed,
            Some(&message),
        )
        .await?;
        return Ok(Finished::Refused(message));
    }
    match error {
        AccountingError::NeedsReconnect(_) => Ok(Finished::Waiting),
        AccountingError::Refused { status: 403, .. } => {
            // The books no longer let Portico in (Xero: the organisation was disconnected
            // there): the connection must be made again; the payment waits for it.
            if let Some(connection) = connections::of_merchant(context.db, merchant).await? {
                tokens::refused_access(context, &connection).await?;
            }
            Ok(Finished::Waiting)
        }
        AccountingError::RateLimited { retry_after, .. } => {
            Err(RecordError::SlowDown(retry_after, error))
        }
        AccountingError::Refused { status: 401, .. } => {
            // The access token stopped working before its time (revoked and reissued): the
            // next attempt refreshes first.
            sqlx::query(
                "UPDATE accounting_connections SET access_expires_at = $2 WHERE merchant_id = $1",
            )
            .bind(merchant.to_string())
            .bind(timestamp_text(now()))
            .execute(context.db.writer())
            .await?;
            Err(error.into())
        }
        other => Err(other.into()),
    }
}

/// Records `payment` of `merchant` in its accounting software.
pub async fn record(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Finished, RecordError> {
    let payment = payments::get(context.db, merchant, payment).await?;
    // A payment queued when it succeeded is recorded even if it was returned or refunded
    // since: an earlier attempt may have been written there already (its answer lost), and
    // its reversal, queued with the return, waits for this record and then takes it back.
    if payment.reconciliation != Reconciliation::Queued {
        return Ok(Finished::Nothing);
    }
    let Some(connection) = connections::of_merchant(context.db, merchant).await? else {
        settle_state(
            context,
            merchant,
            payment.id,
            Reconciliation::Unreconciled,
            None,
        )
        .await?;
        return Ok(Finished::Nothing);
    };
    if connection.state == ConnectionState::NeedsReconnect {
        return Ok(Finished::Waiting);
    }
    match write(context, &connection, &payment).await {
        Ok(()) => {
            settle_state(context, merchant, payment.id, Reconciliation::Synced, None).await?;
            Ok(Finished::Done)
        }
        Err(RecordError::Accounting(error)) => {
            after_error(context, merchant, payment.id, error).await
        }
        Err(other) => Err(other),
    }
}

/// How many times a person retried `payment` after a refusal: part of its idempotency keys,
/// since the providers answer a repeated key with the first (refused) answer.
async fn retry_round(context: Context<'_>, payment: PaymentId) -> Result<i64, RecordError> {
    let (round,): (i64,) = sqlx::query_as("SELECT accounting_round FROM payments WHERE id = $1")
        .bind(payment.to_string())
        .fetch_one(context.db.pool())
        .await?;
    Ok(round)
}

/// `key` for retry round `round` (the first round's keys are the plain ones). At most 50
/// characters for a payment id's 36, as QuickBooks' `requestid` allows.
fn with_round(key: String, round: i64) -> String {
    match round {
        0 => key,
        round => format!("{key}-r{round}"),
    }
}

/// Refuses, before anything is sent, a payment the books cannot take: an invoice that is not
/// in them (created in Portico, never imported), or no account to deposit to.
fn unrecordable(
    connection: &Connection,
    connector: &Connector<'_>,
    payment: &Payment,
    externals: &HashMap<InvoiceId, Option<String>>,
) -> Option<String> {
    let label = connection.provider.label();
    if let Some(missing) = payment.allocations.iter().find(|allocation| {
        externals
            .get(&allocation.invoice)
            .cloned()
            .flatten()
            .is_none()
    }) {
        return Some(format!(
            "Invoice {} is not in {label} (it has no {label} id): record this payment there by hand.",
            missing.invoice_number
        ));
    }
    if connection.deposit_account_id.is_none() && connector.default_deposit().is_none() {
        return Some(format!(
            "No account is chosen for payments to be deposited to in {label}: choose one in Settings, Accounting, then Retry."
        ));
    }
    None
}

async fn write(
    context: Context<'_>,
    connection: &Connection,
    payment: &Payment,
) -> Result<(), RecordError> {
    let connector = Connector::of(context.apps, connection.provider)?;
    let invoices: Vec<InvoiceId> = payment
        .allocations
        .iter()
        .map(|allocation| allocation.invoice)
        .collect();
    let externals = external_ids(context, connection.merchant, &invoices).await?;
    if let Some(message) = unrecordable(connection, &connector, payment, &externals) {
        return Err(AccountingError::Refused {
            provider: connection.provider,
            status: 422,
            message,
        }
        .into());
    }
    let done = recorded(context, connection.merchant, payment.id).await?;
    let round = retry_round(context, payment.id).await?;
    let access = tokens::access_token(context, connection).await?;
    let date: String = payment.updated_at.chars().take(10).collect();
    let external = |invoice: &InvoiceId| {
        externals
            .get(invoice)
            .cloned()
            .flatten()
            .unwrap_or_default()
    };
    match &connector {
        Connector::Xero(xero) => {
            let account = connection.deposit_account_id.clone().unwrap_or_default();
            let reference = format!("Portico {}", payment.id);
            for allocation in &payment.allocations {
                if done.contains_key(&allocation.invoice) {
                    continue;
                }
                let key = with_round(format!("{}-{}", payment.id, allocation.invoice), round);
                let invoice_id = external(&allocation.invoice);
                let recorded = xero
                    .record_invoice_payment(
                        &access,
                        &connection.tenant_id,
                        &xero::InvoicePayment {
                            idempotency_key: &key,
                            invoice_id: &invoice_id,
                            account_id: &account,
                            date: &date,
                            amount: &allocation.amount,
                            reference: &reference,
                        },
                    )
                    .await?;
                keep_record(
                    context,
                    connection,
                    payment.id,
                    allocation.invoice,
                    &recorded,
                )
                .await?;
            }
        }
        Connector::QuickBooks(quickbooks) => {
            if !done.is_empty() {
                return Ok(());
            }
            let externals: Vec<String> = payment
                .allocations
                .iter()
                .map(|allocation| external(&allocation.invoice))
                .collect();
            let total = payment
                .allocations
                .iter()
                .try_fold(
                    crate::domain::money::Money::zero(payment.amount.currency()),
                    |sum, allocation| sum.checked_add(allocation.amount),
                )
                .map_err(|error| AccountingError::Unreadable {
                    provider: AccountingProvider::QuickBooks,
                    detail: error.to_string(),
                })?;
            let request_id = with_round(payment.id.to_string(), round);
            let note = format!("Portico payment {}", payment.id);
            let recorded = quickbooks
                .create_payment(
                    &access,
                    &connection.tenant_id,
                    &quickbooks::CompanyPayment {
                        request_id: &request_id,
                        lines: externals
                            .iter()
                            .zip(&payment.allocations)
                            .map(|(external, allocation)| (external.as_str(), &allocation.amount))
                            .collect(),
                        total: &total,
                        date: &date,
                        deposit_account: connection.deposit_account_id.as_deref(),
                        note: &note,
                    },
                )
                .await?;
            for allocation in &payment.allocations {
                keep_record(
                    context,
                    connection,
                    payment.id,
                    allocation.invoice,
                    &recorded,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Takes `payment` back in the accounting software where it was recorded (returned or
/// refunded): each record deleted (Xero) or voided (QuickBooks), once.
pub async fn reverse(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Finished, RecordError> {
    let state: Option<(String,)> =
        sqlx::query_as("SELECT reconciliation FROM payments WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(payment.to_string())
            .fetch_optional(context.db.pool())
            .await?;
    if state.is_some_and(|(state,)| state == Reconciliation::Queued.code()) {
        // Its record may be on its way there (or written with its answer lost): take it
        // back once it is known.
        return Err(RecordError::RecordPending);
    }
    let records = recorded(context, merchant, payment).await?;
    let Some(connection) = connections::of_merchant(context.db, merchant).await? else {
        return Ok(Finished::Nothing);
    };
    let books = (
        connection.provider.code().to_owned(),
        connection.tenant_id.clone(),
    );
    if records
        .values()
        .any(|record| !record.reversed && record.books != books)
    {
        return Ok(Finished::Refused(format!(
            "It was recorded in other books than the {} connected now: take it back there by hand.",
            connection.provider.label()
        )));
    }
    let pending: Vec<(InvoiceId, String)> = records
        .into_iter()
        .filter(|(_, record)| !record.reversed)
        .map(|(invoice, record)| (invoice, record.external_id))
        .collect();
    if pending.is_empty() {
        return Ok(Finished::Nothing);
    }
    if connection.state == ConnectionState::NeedsReconnect {
        return Ok(Finished::Waiting);
    }
    let connector = Connector::of(context.apps, connection.provider)?;
    let access = match tokens::access_token(context, &connection).await {
        Ok(access) => access,
        Err(error) => return after_reverse_error(error),
    };
    let mut voided: Vec<String> = Vec::new();
    for (invoice, external) in &pending {
        let result = match &connector {
            Connector::Xero(xero) => {
                let key = format!("{payment}-{invoice}-delete");
                xero.delete_payment(&access, &connection.tenant_id, &key, external)
                    .await
            }
            // One QuickBooks Payment covers every invoice: voided once.
            Connector::QuickBooks(_) if voided.contains(external) => Ok(()),
            Connector::QuickBooks(quickbooks) => {
                let request_id = format!("{payment}-void");
                quickbooks
                    .void_payment(&access, &connection.tenant_id, &request_id, external)
                    .await
            }
        };
        if let Err(error) = result {
            return after_reverse_error(error);
        }
        voided.push(external.clone());
        sqlx::query(
            "UPDATE accounting_records SET reversed_at = $4 WHERE merchant_id = $1 AND payment_id = $2 AND invoice_id = $3",
        )
        .bind(merchant.to_string())
        .bind(payment.to_string())
        .bind(invoice.to_string())
        .bind(timestamp_text(now()))
        .execute(context.db.writer())
        .await?;
    }
    Ok(Finished::Done)
}

fn after_reverse_error(error: AccountingError) -> Result<Finished, RecordError> {
    if let Some(message) = refusal_is_final(&error) {
        return Ok(Finished::Refused(message));
    }
    match error {
        AccountingError::NeedsReconnect(_) => Ok(Finished::Waiting),
        AccountingError::RateLimited { retry_after, .. } => {
            Err(RecordError::SlowDown(retry_after, error))
        }
        other => Err(other.into()),
    }
}

/// Queues `payment` again after a refusal a person dealt with (**Retry**); `false` when it
/// is not `failed` (any more).
pub async fn retry(
    db: &crate::services::Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<bool, RecordError> {
    db.write(move |connection| {
        Box::pin(async move {
            let queued = sqlx::query(
                "UPDATE payments SET reconciliation = 'queued', accounting_round = accounting_round + 1 \
                 WHERE merchant_id = $1 AND id = $2 AND reconciliation = 'failed'",
            )
            .bind(merchant.to_string())
            .bind(payment.to_string())
            .execute(&mut *connection)
            .await?;
            if queued.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM accounting_failures WHERE payment_id = $1")
                .bind(payment.to_string())
                .execute(&mut *connection)
                .await?;
            queue_record(connection, merchant, payment).await?;
            Ok::<_, RecordError>(true)
        })
    })
    .await
}

async fn queue_record(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<(), jobs::JobError> {
    let job = NewJob::new(&Job::RecordPayment { merchant, payment })?;
    jobs::enqueue(connection, job).await?;
    Ok(())
}

/// The provider's message for a payment it refused, if it did.
pub async fn failure_of(
    db: &crate::services::Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT message FROM accounting_failures WHERE merchant_id = $1 AND payment_id = $2",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(message,)| message))
}

/// What the accounting software holds of each of `payments` (the merchant's): the
/// provider's ids of its standing records, and the refusal of a `failed` one. Payments with
/// neither are left out.
pub async fn accounting_of(
    db: &crate::services::Database,
    merchant: MerchantId,
    payments: &[PaymentId],
) -> Result<HashMap<PaymentId, (Vec<String>, Option<String>)>, sqlx::Error> {
    let mut found: HashMap<PaymentId, (Vec<String>, Option<String>)> = HashMap::new();
    if payments.is_empty() {
        return Ok(found);
    }
    let placeholders = numbered_placeholders(2, payments.len());
    let records_sql = format!(
        "SELECT payment_id, external_id FROM accounting_records WHERE merchant_id = $1 \
         AND reversed_at IS NULL AND payment_id IN ({placeholders}) ORDER BY recorded_at, invoice_id"
    );
    let mut records =
        sqlx::query_as::<_, (String, String)>(&records_sql).bind(merchant.to_string());
    for payment in payments {
        records = records.bind(payment.to_string());
    }
    for (payment, external) in records.fetch_all(db.pool()).await? {
        let Ok(payment) = PaymentId::parse(&payment) else {
            continue;
        };
        let ids = &mut found.entry(payment).or_default().0;
        if !ids.contains(&external) {
            ids.push(external);
        }
    }
    let failures_sql = format!(
        "SELECT payment_id, message FROM accounting_failures WHERE merchant_id = $1 \
         AND payment_id IN ({placeholders})"
    );
    let mut failures =
        sqlx::query_as::<_, (String, String)>(&failures_sql).bind(merchant.to_string());
    for payment in payments {
        failures = failures.bind(payment.to_string());
    }
    for (payment, message) in failures.fetch_all(db.pool()).await? {
        if let Ok(payment) = PaymentId::parse(&payment) {
            found.entry(payment).or_default().1 = Some(message);
        }
    }
    Ok(found)
}

/// What `payment` is in the accounting software: the provider's id of each record, and
/// whether it was taken back.
pub async fn records_of(
    db: &crate::services::Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Vec<(AccountingProvider, String, bool)>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT provider, external_id, reversed_at FROM accounting_records \
         WHERE merchant_id = $1 AND payment_id = $2 ORDER BY recorded_at, invoice_id",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut records: Vec<(AccountingProvider, String, bool)> = Vec::new();
    for (provider, external, reversed) in rows {
        let Ok(provider) = AccountingProvider::parse(&provider) else {
            continue;
        };
        // One QuickBooks Payment covers several invoices: listed once.
        if !records.iter().any(|(_, known, _)| *known == external) {
            records.push((provider, external, reversed.is_some()));
        }
    }
    Ok(records)
}

/// Queues again what waited while `merchant`'s connection needed making again: the records of
/// `queued` payments, and the reversals of payments returned or refunded since they were
/// recorded. Answers how many jobs were queued.
pub async fn requeue_waiting(
    context: Context<'_>,
    merchant: MerchantId,
) -> Result<usize, RecordError> {
    let ids = |rows: Vec<(String,)>| -> Vec<PaymentId> {
        rows.into_iter()
            .filter_map(|(id,)| PaymentId::parse(&id).ok())
            .collect()
    };
    let records = ids(sqlx::query_as(
        "SELECT id FROM payments WHERE merchant_id = $1 AND reconciliation = 'queued'",
    )
    .bind(merchant.to_string())
    .fetch_all(context.db.pool())
    .await?);
    let reversals = ids(sqlx::query_as(
        "SELECT DISTINCT p.id FROM payments p JOIN accounting_records r \
         ON r.merchant_id = p.merchant_id AND r.payment_id = p.id \
         WHERE p.merchant_id = $1 AND p.status IN ('returned', 'refunded') AND r.reversed_at IS NULL",
    )
    .bind(merchant.to_string())
    .fetch_all(context.db.pool())
    .await?);
    let count = records.len() + reversals.len();
    if count == 0 {
        return Ok(0);
    }
    context
        .db
        .write(move |connection| {
            Box::pin(async move {
                for payment in records {
                    queue_record(&mut *connection, merchant, payment).await?;
                }
                for payment in reversals {
                    let job = NewJob::new(&Job::ReversePayment { merchant, payment })?;
                    jobs::enqueue(&mut *connection, job).await?;
                }
                Ok::<_, RecordError>(())
            })
        })
        .await?;
    Ok(count)
}

/// Stops trying to record `payment` after the last attempt the outbox makes: it is `failed`
/// with `message`, on the overview and with Retry, instead of `queued` for ever.
pub async fn give_up(
    context: Context<'_>,
    merchant: MerchantId,
    payment: PaymentId,
    message: &str,
) -> Result<(), RecordError> {
    settle_state(
        context,
        merchant,
        payment,
        Reconciliation::Failed,
        Some(message),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16) -> AccountingError {
        AccountingError::Refused {
            provider: AccountingProvider::Xero,
            status,
            message: "Payment amount exceeds the amount outstanding on this document".to_owned(),
        }
    }

    #[test]
    fn a_provider_that_read_the_request_and_said_no_is_not_asked_again() {
        for status in [400, 404, 409, 422] {
            assert!(refusal_is_final(&refused(status)).is_some(), "{status}");
        }
        assert!(refusal_is_final(&AccountingError::UnknownAccount).is_some());
    }

    #[test]
    fn an_expired_token_a_timeout_a_rate_limit_or_a_server_error_is_tried_again() {
        for status in [401, 408, 500, 502, 503, 504] {
            assert!(refusal_is_final(&refused(status)).is_none(), "{status}");
        }
        let slow = AccountingError::RateLimited {
            provider: AccountingProvider::QuickBooks,
            retry_after: Some(42),
        };
        assert!(refusal_is_final(&slow).is_none());
        assert!(
            refusal_is_final(&AccountingError::NeedsReconnect(AccountingProvider::Xero)).is_none()
        );
    }
}
