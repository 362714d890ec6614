//! Installment plans: made at a confirm together with their first payment, collected on
//! schedule by the worker, each installment an ordinary payment of the plan's instrument.
//!
//! Exactly once: a collection is claimed by writing its pending payment in the same
//! transaction that marks the installment `collecting` (on PostgreSQL the installment rows are
//! taken `FOR UPDATE SKIP LOCKED`, so two instances claim different ones; SQLite has one
//! writer). The payment's idempotency key names the plan, the installment and the attempt, the
//! processor is called keyed by the payment, and the database holds at most one live payment
//! per installment. A crash after the claim leaves a pending payment, which the stale-payment
//! job drives on; a crash after the charge leaves what the processor did, which the same job
//! looks up.

use crate::domain::calendar::BankCalendar;
use crate::domain::checkout::{Instrument, SelectedInvoice};
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::{CustomerId, InvoiceId, MerchantId, PaymentId, PlanId};
use crate::domain::installment_agreement::notice_days;
use crate::domain::installment_plan::{
    AfterFailure, CollectionFailure, InstallmentStatus, PlanStatus, after_failure, split,
};
use crate::domain::installments::Schedule;
use crate::domain::merchant::Country;
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::services::clock::{date_text, now, parse_date, timestamp_text};
use crate::services::database::{numbered_placeholders, optional_equality};
use crate::services::invoices;
use crate::services::jobs::{self, InstallmentNotice, Job, JobError, NewJob};
use crate::services::page::{Cursor, Page, PageRequest};
use crate::services::payments::{
    self, InstallmentLink, NewAllocation, NewAuthorization, NewPayment, PaymentDetails,
    PaymentError,
};
use crate::services::{Backend, Database};
use sqlx::AnyConnection;
use time::Date;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("no such plan")]
    NotFound,
    #[error("the plan's invoices and amounts do not add up: {0}")]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Job(#[from] JobError),
    #[error("a stored plan row is invalid: {0}")]
    CorruptRow(String),
    #[error("plan storage failed")]
    Storage(#[from] sqlx::Error),
}

/// A plan to make at a confirm.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub customer: CustomerId,
    pub payer_email: String,
    /// The rail every installment is collected on: card, ACH or PAD.
    pub method: PaymentMethodKind,
    pub instrument: Instrument,
    pub schedule: Schedule,
    /// What the plan pays on each invoice, in the order its installments pay them.
    pub invoices: Vec<SelectedInvoice>,
    /// The confirm's key: the plan's, and its first payment's.
    pub key: IdempotencyKey,
    pub agreement: NewAuthorization,
}

/// A plan made (or found again by its key) and the payment of its first installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MadePlan {
    pub plan: PlanId,
    pub first_payment: PaymentId,
}

/// Makes the plan with its first installment's payment (pending, to be driven like any
/// confirmed payment), or finds the one its key made. The invoices' balances are checked in
/// the same transaction: a plan never schedules more than an invoice owes.
pub async fn make(
    db: &Database,
    merchant: MerchantId,
    plan: &NewPlan,
) -> Result<MadePlan, PlanError> {
    if let Some(made) = find_by_key(db, merchant, &plan.key).await? {
        return Ok(made);
    }
    let shares: Vec<Money> = plan.invoices.iter().map(|invoice| invoice.amount).collect();
    let splits = split(&plan.schedule, &shares)?;
    let made = MadePlan {
        plan: PlanId::new_random(),
        first_payment: PaymentId::new_random(),
    };
    let written = db
        .write({
            let plan = plan.clone();
            move |connection| {
                Box::pin(async move { insert(connection, merchant, made, &plan, &splits).await })
            }
        })
        .await;
    match written {
        Ok(()) => Ok(made),
        // The same confirm, sent twice at once: the first made the plan.
        Err(PlanError::Storage(sqlx::Error::Database(error))) if error.is_unique_violation() => {
            find_by_key(db, merchant, &plan.key)
                .await?
                .ok_or(PlanError::NotFound)
        }
        Err(error) => Err(error),
    }
}

async fn find_by_key(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
) -> Result<Option<MadePlan>, PlanError> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT pl.id, n.payment_id FROM installment_plans pl \
         JOIN installments n ON n.plan_id = pl.id AND n.position = 0 \
         WHERE pl.merchant_id = $1 AND pl.idempotency_key = $2",
    )
    .bind(merchant.to_string())
    .bind(key.as_str())
    .fetch_optional(db.pool())
    .await?;
    row.map(|(plan, payment)| {
        Ok(MadePlan {
            plan: PlanId::parse(&plan).map_err(|error| corrupt("id", &error))?,
            first_payment: payment
                .as_deref()
                .map(PaymentId::parse)
                .transpose()
                .map_err(|error| corrupt("payment_id", &error))?
                .ok_or_else(|| corrupt("payment_id", &"missing"))?,
        })
    })
    .transpose()
}

async fn insert(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    made: MadePlan,
    plan: &NewPlan,
    splits: &[crate::domain::installment_plan::InstallmentSplit],
) -> Result<(), PlanError> {
    let mut by_invoice: Vec<&SelectedInvoice> = plan.invoices.iter().collect();
    by_invoice.sort_by_key(|invoice| invoice.invoice);
    for invoice in &by_invoice {
        sqlx::query(
            "UPDATE invoices SET lock_version = lock_version + 1 WHERE merchant_id = $1 AND id = $2",
        )
        .bind(merchant.to_string())
        .bind(invoice.invoice.to_string())
        .execute(&mut *connection)
        .await?;
    }
    for selected in &by_invoice {
        let invoice = invoices::standing_in(&mut *connection, merchant, selected.invoice)
            .await
            .map_err(PaymentError::from)?
            .filter(|invoice| invoice.customer == plan.customer)
            .ok_or(PaymentError::InvoiceNotFound(selected.invoice))?;
        if selected
            .amount
            .try_cmp(&invoice.standing.balance_due)?
            .is_gt()
        {
            return Err(PaymentError::Overpays {
                invoice: invoice.id,
                number: invoice.number,
                balance_due: invoice.standing.balance_due,
                attempted: selected.amount,
            }
            .into());
        }
    }
    let at = timestamp_text(now());
    let schedule = &plan.schedule;
    let term = schedule.term;
    sqlx::query(
        "INSERT INTO installment_plans (id, merchant_id, customer_id, status, method, instrument, \
         instrument_label, payer_email, currency, principal_minor, fee_minor, total_minor, term_days, \
         fee_basis_points, idempotency_key, agreement_text, agreed_at, client_address, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $17, $17)",
    )
    .bind(made.plan.to_string())
    .bind(merchant.to_string())
    .bind(plan.customer.to_string())
    .bind(PlanStatus::Active.code())
    .bind(plan.method.code())
    .bind(plan.instrument.reference())
    .bind(plan.instrument.label())
    .bind(&plan.payer_email)
    .bind(schedule.total.currency().code())
    .bind(schedule.principal.minor_units())
    .bind(schedule.fee.minor_units())
    .bind(schedule.total.minor_units())
    .bind(i64::from(term.days().days()))
    .bind(basis_points(&term))
    .bind(plan.key.as_str())
    .bind(&plan.agreement.text)
    .bind(&at)
    .bind(&plan.agreement.client_address)
    .execute(&mut *connection)
    .await?;
    for (position, invoice) in plan.invoices.iter().enumerate() {
        sqlx::query(
            "INSERT INTO installment_plan_invoices (merchant_id, plan_id, invoice_id, position, share_minor) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(merchant.to_string())
        .bind(made.plan.to_string())
        .bind(invoice.invoice.to_string())
        .bind(position as i64)
        .bind(invoice.amount.minor_units())
        .execute(&mut *connection)
        .await?;
    }
    for (position, (installment, part)) in schedule.installments.iter().zip(splits).enumerate() {
        let first = position == 0;
        sqlx::query(
            "INSERT INTO installments (merchant_id, plan_id, position, due_on, amount_minor, fee_minor, \
             status, next_attempt_on, attempts, payment_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(merchant.to_string())
        .bind(made.plan.to_string())
        .bind(position as i64)
        .bind(date_text(installment.due_on))
        .bind(part.amount.minor_units())
        .bind(part.fee.minor_units())
        .bind(if first {
            InstallmentStatus::Collecting.code()
        } else {
            InstallmentStatus::Scheduled.code()
        })
        .bind((!first).then(|| date_text(installment.due_on)))
        .bind(i64::from(first))
        .bind(first.then(|| made.first_payment.to_string()))
        .bind(&at)
        .execute(&mut *connection)
        .await?;
        for (invoice, amount) in plan.invoices.iter().zip(&part.toward_invoices) {
            if amount.is_zero() {
                continue;
            }
            sqlx::query(
                "INSERT INTO installment_allocations (merchant_id, plan_id, position, invoice_id, amount_minor) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(merchant.to_string())
            .bind(made.plan.to_string())
            .bind(position as i64)
            .bind(invoice.invoice.to_string())
            .bind(amount.minor_units())
            .execute(&mut *connection)
            .await?;
        }
    }
    let first = splits.first().ok_or(MoneyError::Overflow)?;
    let payment = NewPayment {
        customer: plan.customer,
        method: plan.method,
        amount: first.amount,
        allocations: allocations_of(&plan.invoices, &first.toward_invoices),
        idempotency_key: plan.key.clone(),
        processor_reference: None,
        details: PaymentDetails {
            payer_email: Some(plan.payer_email.clone()),
            instrument: Some(plan.instrument.reference()),
            instrument_label: Some(plan.instrument.label()),
            authorization: Some(plan.agreement.clone()),
        },
    };
    let link = InstallmentLink {
        plan: made.plan,
        position: 0,
        fee: first.fee,
    };
    payments::insert_pending(
        connection,
        merchant,
        made.first_payment,
        payment,
        Some(link),
    )
    .await?;
    Ok(())
}

fn allocations_of(invoices: &[SelectedInvoice], amounts: &[Money]) -> Vec<NewAllocation> {
    invoices
        .iter()
        .zip(amounts)
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(invoice, amount)| NewAllocation {
            invoice: invoice.invoice,
            amount: *amount,
        })
        .collect()
}

fn basis_points(term: &crate::domain::installments::PlanTerm) -> i64 {
    let mut scaled = term.fee_percent().value();
    scaled.rescale(2);
    i64::try_from(scaled.mantissa()).unwrap_or(i64::MAX)
}

/// Follows a payment's status change into its installment and plan, in the transaction of the
/// change ([`payments::StatusChange`]): a collected installment, and a plan with all of them
/// collected, complete; a failed or returned one is scheduled again undecided (what it would
/// pay stays scheduled, not owed) and a job decides, on the processor's date, whether it is
/// retried, waits for another instrument or makes the plan delinquent.
pub async fn follow_payment(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    payment: PaymentId,
    next: PaymentStatus,
) -> Result<(), PaymentError> {
    let link: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT plan_id, installment_position FROM payments WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    let Some((Some(plan), Some(position))) = link else {
        return Ok(());
    };
    let at = timestamp_text(now());
    match next {
        PaymentStatus::Succeeded => {
            sqlx::query(
                "UPDATE installments SET status = $1, updated_at = $2 \
                 WHERE merchant_id = $3 AND plan_id = $4 AND position = $5 AND payment_id = $6",
            )
            .bind(InstallmentStatus::Collected.code())
            .bind(&at)
            .bind(merchant.to_string())
            .bind(&plan)
            .bind(position)
            .bind(payment.to_string())
            .execute(&mut *connection)
            .await?;
            sqlx::query(
                "UPDATE installment_plans SET status = $1, updated_at = $2 \
                 WHERE merchant_id = $3 AND id = $4 AND status = $5 AND NOT EXISTS ( \
                   SELECT 1 FROM installments WHERE plan_id = $4 AND status <> $6)",
            )
            .bind(PlanStatus::Completed.code())
            .bind(&at)
            .bind(merchant.to_string())
            .bind(&plan)
            .bind(PlanStatus::Active.code())
            .bind(InstallmentStatus::Collected.code())
            .execute(&mut *connection)
            .await?;
        }
        PaymentStatus::Failed | PaymentStatus::Returned => {
            let reopened = sqlx::query(
                "UPDATE installments SET status = $1, next_attempt_on = NULL, updated_at = $2 \
                 WHERE merchant_id = $3 AND plan_id = $4 AND position = $5 AND payment_id = $6 \
                 AND status IN ($7, $8)",
            )
            .bind(InstallmentStatus::Scheduled.code())
            .bind(&at)
            .bind(merchant.to_string())
            .bind(&plan)
            .bind(position)
            .bind(payment.to_string())
            .bind(InstallmentStatus::Collecting.code())
            .bind(InstallmentStatus::Collected.code())
            .execute(&mut *connection)
            .await?;
            if reopened.rows_affected() > 0 {
                // A bank debit returned after the plan completed: the plan is live again.
                sqlx::query(
                    "UPDATE installment_plans SET status = $1, updated_at = $2 \
                     WHERE merchant_id = $3 AND id = $4 AND status = $5",
                )
                .bind(PlanStatus::Active.code())
                .bind(&at)
                .bind(merchant.to_string())
                .bind(&plan)
                .bind(PlanStatus::Completed.code())
                .execute(&mut *connection)
                .await?;
                let decide = Job::InstallmentFailed { merchant, payment };
                jobs::enqueue(&mut *connection, NewJob::new(&decide)?).await?;
            }
        }
        PaymentStatus::Pending | PaymentStatus::Processing | PaymentStatus::Refunded => {}
    }
    Ok(())
}

/// What became of a failed installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureDecision {
    RetryOn(Date),
    AwaitMethodUntil(Date),
    Delinquent,
    /// Decided already (the job ran before), or the installment has moved on.
    Nothing,
}

/// Decides, on `today`, what follows the failure of `payment`'s installment and writes it in
/// one transaction. Safe to run twice: only an installment still undecided with this payment
/// as its latest attempt changes.
pub async fn decide_after_failure(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
    today: Date,
) -> Result<FailureDecision, PlanError> {
    type Row = (String, i64, i64, Option<String>, Option<String>, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT n.plan_id, n.position, n.retries_used, p.return_code, p.decline_code, m.country \
         FROM installments n JOIN payments p ON p.id = n.payment_id \
         JOIN merchants m ON m.id = n.merchant_id \
         WHERE n.merchant_id = $1 AND n.payment_id = $2 AND n.status = $3 AND n.next_attempt_on IS NULL",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .bind(InstallmentStatus::Scheduled.code())
    .fetch_optional(db.pool())
    .await?;
    let Some((plan, position, retries_used, return_code, decline_code, country)) = row else {
        return Ok(FailureDecision::Nothing);
    };
    let failure = match (return_code.as_deref(), decline_code.as_deref()) {
        (Some(code), _) => CollectionFailure::of_return_code(code),
        (None, Some("insufficient_funds")) => CollectionFailure::InsufficientFunds,
        (None, _) => CollectionFailure::InstrumentRefused,
    };
    let calendar =
        BankCalendar::of(Country::parse(&country).map_err(|error| corrupt("country", &error))?);
    let retries_used = u32::try_from(retries_used).unwrap_or(u32::MAX);
    let decision = after_failure(failure, retries_used, today, calendar);
    let written = db
        .write(move |connection| {
            Box::pin(async move {
                write_decision(connection, merchant, &plan, position, payment, decision).await
            })
        })
        .await?;
    Ok(if written {
        match decision {
            AfterFailure::RetryOn(date) => FailureDecision::RetryOn(date),
            AfterFailure::AwaitMethodUntil(date) => FailureDecision::AwaitMethodUntil(date),
            AfterFailure::Delinquent => FailureDecision::Delinquent,
        }
    } else {
        FailureDecision::Nothing
    })
}

async fn write_decision(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    plan: &str,
    position: i64,
    payment: PaymentId,
    decision: AfterFailure,
) -> Result<bool, PlanError> {
    let at = timestamp_text(now());
    let (status, next_attempt_on, retry) = match decision {
        AfterFailure::RetryOn(date) => (InstallmentStatus::Scheduled, Some(date), 1),
        AfterFailure::AwaitMethodUntil(date) => (InstallmentStatus::AwaitingMethod, Some(date), 0),
        AfterFailure::Delinquent => (InstallmentStatus::Failed, None, 0),
    };
    let updated = sqlx::query(
        "UPDATE installments SET status = $1, next_attempt_on = $2, retries_used = retries_used + $3, \
         updated_at = $4 WHERE merchant_id = $5 AND plan_id = $6 AND position = $7 AND payment_id = $8 \
         AND status = $9 AND next_attempt_on IS NULL",
    )
    .bind(status.code())
    .bind(next_attempt_on.map(date_text))
    .bind(retry)
    .bind(&at)
    .bind(merchant.to_string())
    .bind(plan)
    .bind(position)
    .bind(payment.to_string())
    .bind(InstallmentStatus::Scheduled.code())
    .execute(&mut *connection)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    let plan_id = PlanId::parse(plan).map_err(|error| corrupt("plan_id", &error))?;
    let position = u32::try_from(position).map_err(|error| corrupt("position", &error))?;
    match decision {
        AfterFailure::RetryOn(_) => {
            notify(
                connection,
                merchant,
                plan_id,
                position,
                &[InstallmentNotice::RetryScheduled],
            )
            .await?;
        }
        AfterFailure::AwaitMethodUntil(_) => {
            notify(
                connection,
                merchant,
                plan_id,
                position,
                &[InstallmentNotice::NeedsNewMethod],
            )
            .await?;
        }
        AfterFailure::Delinquent => {
            mark_delinquent(connection, merchant, plan, &at).await?;
            notify(connection, merchant, plan_id, position, &DELINQUENT).await?;
        }
    }
    Ok(true)
}

/// Who is told when a plan becomes delinquent.
const DELINQUENT: [InstallmentNotice; 2] = [
    InstallmentNotice::Delinquent,
    InstallmentNotice::DelinquentToMerchant,
];

/// Queues the emails `notices` about installment `position` of `plan` (in the caller's
/// transaction).
pub(crate) async fn notify(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    plan: PlanId,
    position: u32,
    notices: &[InstallmentNotice],
) -> Result<(), PlanError> {
    for notice in notices {
        let email = Job::InstallmentEmail {
            merchant,
            plan,
            position,
            notice: *notice,
        };
        jobs::enqueue(&mut *connection, NewJob::new(&email)?).await?;
    }
    Ok(())
}

/// Queues the reminder (or PAD pre-debit notice) of every installment due within its notice
/// period of `today` that has had none, and marks it reminded, in one transaction.
async fn remind_due(connection: &mut AnyConnection, today: Date) -> Result<usize, PlanError> {
    let within = |method| date_text(today + time::Duration::days(notice_days(method)));
    let due: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT n.merchant_id, n.plan_id, n.position FROM installments n \
         JOIN installment_plans pl ON pl.id = n.plan_id \
         WHERE n.status = $1 AND pl.status = $2 AND n.reminded_on IS NULL AND n.next_attempt_on > $3 \
         AND n.next_attempt_on <= CASE WHEN pl.method = $4 THEN $5 ELSE $6 END",
    )
    .bind(InstallmentStatus::Scheduled.code())
    .bind(PlanStatus::Active.code())
    .bind(date_text(today))
    .bind(PaymentMethodKind::CaPad.code())
    .bind(within(PaymentMethodKind::CaPad))
    .bind(within(PaymentMethodKind::Card))
    .fetch_all(&mut *connection)
    .await?;
    for (merchant, plan, position) in &due {
        sqlx::query(
            "UPDATE installments SET reminded_on = $1 WHERE plan_id = $2 AND position = $3",
        )
        .bind(date_text(today))
        .bind(plan)
        .bind(position)
        .execute(&mut *connection)
        .await?;
        notify(
            connection,
            MerchantId::parse(merchant).map_err(|error| corrupt("merchant_id", &error))?,
            PlanId::parse(plan).map_err(|error| corrupt("plan_id", &error))?,
            u32::try_from(*position).map_err(|error| corrupt("position", &error))?,
            &[InstallmentNotice::Reminder],
        )
        .await?;
    }
    Ok(due.len())
}

/// The address a plan's emails go to: the contact who agreed to it.
pub async fn payer_email(
    db: &Database,
    merchant: MerchantId,
    plan: PlanId,
) -> Result<String, PlanError> {
    let (email,): (String,) = sqlx::query_as(
        "SELECT payer_email FROM installment_plans WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(plan.to_string())
    .fetch_optional(db.pool())
    .await?
    .ok_or(PlanError::NotFound)?;
    Ok(email)
}

/// The plan is given up: what it had still to collect is owed again.
async fn mark_delinquent(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    plan: &str,
    at: &str,
) -> Result<(), PlanError> {
    sqlx::query(
        "UPDATE installments SET status = $1, next_attempt_on = NULL, updated_at = $2 \
         WHERE merchant_id = $3 AND plan_id = $4 AND status IN ($5, $6)",
    )
    .bind(InstallmentStatus::Cancelled.code())
    .bind(at)
    .bind(merchant.to_string())
    .bind(plan)
    .bind(InstallmentStatus::Scheduled.code())
    .bind(InstallmentStatus::AwaitingMethod.code())
    .execute(&mut *connection)
    .await?;
    sqlx::query(
        "UPDATE installment_plans SET status = $1, updated_at = $2 \
         WHERE merchant_id = $3 AND id = $4 AND status = $5",
    )
    .bind(PlanStatus::Delinquent.code())
    .bind(at)
    .bind(merchant.to_string())
    .bind(plan)
    .bind(PlanStatus::Active.code())
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// An installment claimed for collection: its payment is written, pending, and waits to be
/// driven through the processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub merchant: MerchantId,
    pub payment: PaymentId,
}

/// What one sweep of due installments did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub claimed: Vec<Claimed>,
    /// Plans made delinquent because no new instrument came in time.
    pub delinquent: usize,
    /// Reminders (and PAD notices) queued.
    pub reminded: usize,
}

/// At most this many installments are claimed in one transaction.
const CLAIM_BATCH: i64 = 100;

/// Claims every installment due on or before `today` (its pending payment written in the
/// claim's transaction) and makes delinquent the plans whose wait for a new instrument ran
/// out. The caller drives the claimed payments.
pub async fn sweep_due(db: &Database, today: Date) -> Result<SweepReport, PlanError> {
    let mut report = SweepReport {
        claimed: claim_due(db, today, None).await?,
        ..SweepReport::default()
    };
    report.delinquent = db
        .write(move |connection| Box::pin(async move { expire_waits(connection, today).await }))
        .await?;
    report.reminded = db
        .write(move |connection| Box::pin(async move { remind_due(connection, today).await }))
        .await?;
    Ok(report)
}

/// Claims the installments due on or before `today`, of every plan or of `only` (a plan paid
/// off now, whose customer waits for its receipt), a batch per transaction.
pub async fn claim_due(
    db: &Database,
    today: Date,
    only: Option<PlanId>,
) -> Result<Vec<Claimed>, PlanError> {
    let mut claimed = Vec::new();
    loop {
        let backend = db.backend();
        let batch = db
            .write(move |connection| {
                Box::pin(async move { claim_batch(connection, backend, today, only).await })
            })
            .await?;
        let done = batch.len() < CLAIM_BATCH as usize;
        claimed.extend(batch);
        if done {
            return Ok(claimed);
        }
    }
}

type DueRow = (
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
);

async fn claim_batch(
    connection: &mut AnyConnection,
    backend: Backend,
    today: Date,
    only: Option<PlanId>,
) -> Result<Vec<Claimed>, PlanError> {
    let plan_condition = optional_equality("n.plan_id", "$4", only.is_some());
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE OF n SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let due: Vec<DueRow> = sqlx::query_as(&format!(
        "SELECT n.merchant_id, n.plan_id, n.position, n.amount_minor, n.fee_minor, n.attempts, \
         pl.customer_id, pl.method, pl.instrument, pl.instrument_label, pl.payer_email, pl.currency \
         FROM installments n JOIN installment_plans pl ON pl.id = n.plan_id \
         WHERE n.status = $1 AND n.next_attempt_on <= $2 AND pl.status = $3 AND {plan_condition} \
         ORDER BY n.next_attempt_on, n.plan_id, n.position LIMIT {CLAIM_BATCH}{lock}"
    ))
    .bind(InstallmentStatus::Scheduled.code())
    .bind(date_text(today))
    .bind(PlanStatus::Active.code())
    .bind(only.map(|plan| plan.to_string()))
    .fetch_all(&mut *connection)
    .await?;
    let mut claimed = Vec::with_capacity(due.len());
    let at = timestamp_text(now());
    for row in due {
        let (
            merchant,
            plan,
            position,
            amount,
            fee,
            attempts,
            customer,
            method,
            instrument,
            label,
            email,
            currency,
        ) = row;
        let merchant_id =
            MerchantId::parse(&merchant).map_err(|error| corrupt("merchant_id", &error))?;
        let plan_id = PlanId::parse(&plan).map_err(|error| corrupt("plan_id", &error))?;
        let currency = Currency::parse(&currency).map_err(|error| corrupt("currency", &error))?;
        let attempt = attempts + 1;
        let payment = PaymentId::new_random();
        // The installment stops being scheduled first, so that its own payment finds the
        // invoices' balances free for it.
        sqlx::query(
            "UPDATE installments SET status = $1, attempts = $2, payment_id = $3, updated_at = $4 \
             WHERE plan_id = $5 AND position = $6 AND status = $7",
        )
        .bind(InstallmentStatus::Collecting.code())
        .bind(attempt)
        .bind(payment.to_string())
        .bind(&at)
        .bind(&plan)
        .bind(position)
        .bind(InstallmentStatus::Scheduled.code())
        .execute(&mut *connection)
        .await?;
        let parts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT invoice_id, amount_minor FROM installment_allocations \
             WHERE plan_id = $1 AND position = $2 ORDER BY invoice_id",
        )
        .bind(&plan)
        .bind(position)
        .fetch_all(&mut *connection)
        .await?;
        let allocations = parts
            .into_iter()
            .map(|(invoice, minor)| {
                Ok(NewAllocation {
                    invoice: InvoiceId::parse(&invoice)
                        .map_err(|error| corrupt("invoice_id", &error))?,
                    amount: Money::from_minor_units(minor, currency)?,
                })
            })
            .collect::<Result<Vec<_>, PlanError>>()?;
        let key = IdempotencyKey::parse(&format!("plan_{plan}_{position}_{attempt}"))
            .map_err(|error| corrupt("idempotency key", &error))?;
        let new = NewPayment {
            customer: CustomerId::parse(&customer)
                .map_err(|error| corrupt("customer_id", &error))?,
            method: PaymentMethodKind::parse(&method).map_err(|error| corrupt("method", &error))?,
            amount: Money::from_minor_units(amount, currency)?,
            allocations,
            idempotency_key: key,
            processor_reference: None,
            details: PaymentDetails {
                payer_email: Some(email),
                instrument: Some(instrument),
                instrument_label: Some(label),
                authorization: None,
            },
        };
        let link = InstallmentLink {
            plan: plan_id,
            position: u32::try_from(position).map_err(|error| corrupt("position", &error))?,
            fee: Money::from_minor_units(fee, currency)?,
        };
        payments::insert_pending(&mut *connection, merchant_id, payment, new, Some(link)).await?;
        claimed.push(Claimed {
            merchant: merchant_id,
            payment,
        });
    }
    Ok(claimed)
}

/// Plans whose installment waited for a new instrument past its date: delinquent.
async fn expire_waits(connection: &mut AnyConnection, today: Date) -> Result<usize, PlanError> {
    let expired: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT merchant_id, plan_id, position FROM installments \
         WHERE status = $1 AND next_attempt_on < $2",
    )
    .bind(InstallmentStatus::AwaitingMethod.code())
    .bind(date_text(today))
    .fetch_all(&mut *connection)
    .await?;
    let at = timestamp_text(now());
    for (merchant, plan, position) in &expired {
        let merchant =
            MerchantId::parse(merchant).map_err(|error| corrupt("merchant_id", &error))?;
        sqlx::query(
            "UPDATE installments SET status = $1, next_attempt_on = NULL, updated_at = $2 \
             WHERE plan_id = $3 AND position = $4 AND status = $5",
        )
        .bind(InstallmentStatus::Failed.code())
        .bind(&at)
        .bind(plan)
        .bind(position)
        .bind(InstallmentStatus::AwaitingMethod.code())
        .execute(&mut *connection)
        .await?;
        mark_delinquent(connection, merchant, plan, &at).await?;
        let plan = PlanId::parse(plan).map_err(|error| corrupt("plan_id", &error))?;
        let position = u32::try_from(*position).map_err(|error| corrupt("position", &error))?;
        notify(connection, merchant, plan, position, &DELINQUENT).await?;
    }
    Ok(expired.len())
}

/// The status, currency and instrument label of `customer`'s plan `plan`, read inside a write
/// unit that goes on to change it; `None` when the plan is not the customer's.
pub(crate) async fn customer_plan(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    customer: CustomerId,
    plan: PlanId,
) -> Result<Option<(PlanStatus, Currency, String)>, PlanError> {
    let found: Option<(String, String, String)> = sqlx::query_as(
        "SELECT status, currency, instrument_label FROM installment_plans \
         WHERE merchant_id = $1 AND customer_id = $2 AND id = $3",
    )
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .bind(plan.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    found
        .map(|(status, currency, label)| {
            Ok((
                PlanStatus::parse(&status).map_err(|error| corrupt("status", &error))?,
                Currency::parse(&currency).map_err(|error| corrupt("currency", &error))?,
                label,
            ))
        })
        .transpose()
}

/// One installment as the API and the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installment {
    pub position: u32,
    pub due_on: Date,
    pub amount: Money,
    pub fee: Money,
    pub status: InstallmentStatus,
    pub next_attempt_on: Option<Date>,
    pub payment: Option<PaymentId>,
}

/// A plan with its installments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub customer: CustomerId,
    pub status: PlanStatus,
    pub method: PaymentMethodKind,
    pub instrument_label: String,
    pub principal: Money,
    pub fee: Money,
    pub total: Money,
    pub term_days: u16,
    pub invoices: Vec<(InvoiceId, Money)>,
    pub installments: Vec<Installment>,
    pub created_at: String,
}

/// One plan of `merchant`, with its installments; another merchant's is not found.
pub async fn get(db: &Database, merchant: MerchantId, id: PlanId) -> Result<Plan, PlanError> {
    get_many(db, merchant, &[id])
        .await?
        .pop()
        .ok_or(PlanError::NotFound)
}

/// The plans of `merchant` among `ids`, in that order, each with its invoices and installments:
/// three queries whatever the number of plans (another merchant's are left out).
async fn get_many(
    db: &Database,
    merchant: MerchantId,
    ids: &[PlanId],
) -> Result<Vec<Plan>, PlanError> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        i64,
        String,
    );
    type InstallmentRow = (
        String,
        i64,
        String,
        i64,
        i64,
        String,
        Option<String>,
        Option<String>,
    );
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let among = numbered_placeholders(2, ids.len());
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let plans_sql = format!(
        "SELECT id, customer_id, status, method, instrument_label, currency, principal_minor, \
         fee_minor, total_minor, term_days, created_at FROM installment_plans \
         WHERE merchant_id = $1 AND id IN ({among})"
    );
    let mut plans = sqlx::query_as::<_, Row>(&plans_sql).bind(merchant.to_string());
    for id in &texts {
        plans = plans.bind(id);
    }
    let plans = plans.fetch_all(db.pool()).await?;
    let invoices_sql = format!(
        "SELECT plan_id, invoice_id, share_minor FROM installment_plan_invoices \
         WHERE merchant_id = $1 AND plan_id IN ({among}) ORDER BY plan_id, position"
    );
    let mut invoices =
        sqlx::query_as::<_, (String, String, i64)>(&invoices_sql).bind(merchant.to_string());
    for id in &texts {
        invoices = invoices.bind(id);
    }
    let invoices = invoices.fetch_all(db.pool()).await?;
    let installments_sql = format!(
        "SELECT plan_id, position, due_on, amount_minor, fee_minor, status, next_attempt_on, \
         payment_id FROM installments WHERE merchant_id = $1 AND plan_id IN ({among}) \
         ORDER BY plan_id, position"
    );
    let mut installments =
        sqlx::query_as::<_, InstallmentRow>(&installments_sql).bind(merchant.to_string());
    for id in &texts {
        installments = installments.bind(id);
    }
    let installments = installments.fetch_all(db.pool()).await?;
    let date = |text: &str| parse_date(text).map_err(|error| corrupt("date", &error));
    let mut found = Vec::with_capacity(plans.len());
    for (id, customer, status, method, label, currency, principal, fee, total, days, created_at) in
        plans
    {
        let currency = Currency::parse(&currency).map_err(|error| corrupt("currency", &error))?;
        found.push(Plan {
            id: PlanId::parse(&id).map_err(|error| corrupt("id", &error))?,
            customer: CustomerId::parse(&customer)
                .map_err(|error| corrupt("customer_id", &error))?,
            status: PlanStatus::parse(&status).map_err(|error| corrupt("status", &error))?,
            method: PaymentMethodKind::parse(&method).map_err(|error| corrupt("method", &error))?,
            instrument_label: label,
            principal: Money::from_minor_units(principal, currency)?,
            fee: Money::from_minor_units(fee, currency)?,
            total: Money::from_minor_units(total, currency)?,
            term_days: u16::try_from(days).map_err(|error| corrupt("term_days", &error))?,
            invoices: invoices
                .iter()
                .filter(|(plan, _, _)| *plan == id)
                .map(|(_, invoice, share)| {
                    Ok((
                        InvoiceId::parse(invoice).map_err(|error| corrupt("invoice_id", &error))?,
                        Money::from_minor_units(*share, currency)?,
                    ))
                })
                .collect::<Result<_, PlanError>>()?,
            installments: installments
                .iter()
                .filter(|row| row.0 == id)
                .map(
                    |(_, position, due_on, amount, fee, status, next, payment)| {
                        Ok(Installment {
                            position: u32::try_from(*position)
                                .map_err(|error| corrupt("position", &error))?,
                            due_on: date(due_on)?,
                            amount: Money::from_minor_units(*amount, currency)?,
                            fee: Money::from_minor_units(*fee, currency)?,
                            status: InstallmentStatus::parse(status)
                                .map_err(|error| corrupt("status", &error))?,
                            next_attempt_on: next.as_deref().map(date).transpose()?,
                            payment: payment
                                .as_deref()
                                .map(PaymentId::parse)
                                .transpose()
                                .map_err(|error| corrupt("payment_id", &error))?,
                        })
                    },
                )
                .collect::<Result<_, PlanError>>()?,
            created_at,
        });
    }
    found.sort_by_key(|plan| ids.iter().position(|id| *id == plan.id));
    Ok(found)
}

/// Which plans to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanFilter {
    pub customer: Option<CustomerId>,
    pub status: Option<PlanStatus>,
}

/// A page of `merchant`'s plans, oldest first, by seek on (created_at, id) through the
/// merchant's or the customer's index.
pub async fn list(
    db: &Database,
    merchant: MerchantId,
    filter: &PlanFilter,
    page: &PageRequest,
) -> Result<Page<Plan>, PlanError> {
    let (after_created, after_id) = page.after_binds();
    let customer_condition = optional_equality("customer_id", "$2", filter.customer.is_some());
    let ids: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT id FROM installment_plans WHERE merchant_id = $1 AND {customer_condition} \
         AND ($3 IS NULL OR status = $3) AND {} ORDER BY created_at, id LIMIT $6",
        page.after_condition("$4", "$5"),
    ))
    .bind(merchant.to_string())
    .bind(filter.customer.map(|customer| customer.to_string()))
    .bind(filter.status.map(PlanStatus::code))
    .bind(after_created)
    .bind(after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    let ids = ids
        .iter()
        .map(|(id,)| PlanId::parse(id).map_err(|error| corrupt("id", &error)))
        .collect::<Result<Vec<_>, _>>()?;
    let plans = get_many(db, merchant, &ids).await?;
    Ok(Page::from_rows(plans, page, |plan| Cursor {
        created_at: plan.created_at.clone(),
        id: plan.id.to_string(),
    }))
}

/// The plan `payment` collects an installment of, with the installment's position.
pub async fn plan_of_payment(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Option<(Plan, u32)>, PlanError> {
    let row: Option<(Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT plan_id, installment_position FROM payments WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_optional(db.pool())
    .await?;
    let Some((Some(plan), Some(position))) = row else {
        return Ok(None);
    };
    let plan = PlanId::parse(&plan).map_err(|error| corrupt("plan_id", &error))?;
    let position = u32::try_from(position).map_err(|error| corrupt("position", &error))?;
    Ok(Some((get(db, merchant, plan).await?, position)))
}

fn corrupt(column: &str, error: &dyn std::fmt::Display) -> PlanError {
    PlanError::CorruptRow(format!("{column}: {error}"))
}
