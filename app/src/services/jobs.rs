//! The outbox: every side effect that follows a state change is a job row, written by
//! [`enqueue`] on the connection of the transaction that makes the change, so that the change
//! and its side effects commit together or not at all.
//!
//! A worker takes due jobs with [`claim_due`]: each claim is a lease with a token, so that of
//! two workers (on one machine or several sharing PostgreSQL) only one runs a job, and a job
//! whose worker died is taken again when its lease runs out. A finished run reports with
//! [`complete`] or [`fail`], which only count for the lease they were given; failures back off
//! ([`crate::domain::backoff`]) until the last attempt dead-letters the job with its error.
//! Jobs are idempotent at their target (an email has a stable `Message-ID`, a processor call
//! is keyed by its payment), so a run repeated after a crash changes nothing twice.

use crate::domain::backoff::{AfterFailure, after_failure};
use crate::domain::ids::{JobId, MerchantId, PaymentId, PlanId, RefundId};
use crate::domain::payment::PaymentStatus;
use crate::services::clock::{now, timestamp_text};
use crate::services::database::numbered_placeholders;
use crate::services::keys::Keys;
use crate::services::{Backend, Database};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("no such job")]
    NotFound,
    #[error("job {0} is not dead, so it cannot be retried")]
    NotDead(JobId),
    #[error("a stored job is unreadable: {0}")]
    CorruptRow(String),
    #[error("a job's payload could not be sealed or opened")]
    Crypto,
    #[error("job storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Who a payment email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The customer who paid (the payment's payer email).
    Payer,
    /// The merchant's support address.
    Merchant,
}

/// What an installment email tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentNotice {
    /// To the customer, before a collection: 3 days for ACH and cards, the PAD notice period
    /// (10 days) for PAD.
    Reminder,
    /// To the customer: a collection failed for lack of funds and is tried again on a date.
    RetryScheduled,
    /// To the customer: the card or account was refused for good; another is needed.
    NeedsNewMethod,
    /// To the customer: the plan ended unpaid, what it had scheduled is owed again.
    Delinquent,
    /// To the merchant: one of its customers' plans became delinquent.
    DelinquentToMerchant,
    /// To the customer: the rest of the plan is collected from another card or account.
    MethodChanged,
}

/// An email written out when its cause happened.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// The name shown beside Portico's sending address: the merchant's, or "Portico".
    pub sender_name: String,
    /// An address, or a name and address (`"Northwind" <billing@northwind.example>`).
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// An HTML alternative to the plain text, for clients that show it.
    pub html_body: Option<String>,
    /// An email that is useless after this moment (a sign-in code's expiry) is not sent late.
    pub send_before: Option<String>,
}

impl std::fmt::Debug for OutgoingEmail {
    // The body may carry a sign-in code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// What a job does. Matching on it is exhaustive: a new kind of job is a compile error in the
/// worker until it is handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Send an email written out in full.
    Email(OutgoingEmail),
    /// Send one of the emails a payment's status change calls for (a receipt, a failure, a
    /// return), written from the payment when it is sent.
    PaymentEmail {
        merchant: MerchantId,
        payment: PaymentId,
        /// The status the email tells of (the payment may have moved on since).
        announces: PaymentStatus,
        recipient: Recipient,
    },
    /// Recurring: drive on the payments whose confirm stopped half way.
    FinishStalePayments,
    /// Recurring: apply the bank debits the processor reports settled or returned.
    FollowBankDebits,
    /// Recurring: delete what nobody can use any more (old sessions and codes, finished jobs,
    /// old outbox files, old idempotency records).
    Housekeeping,
    /// Recurring: claim the installments due on the processor's date and collect them.
    CollectInstallments,
    /// Recurring: refresh the tokens of accounting connections nothing used for a while, so
    /// that their refresh tokens do not expire unused (Xero's after 60 days).
    KeepAccountingConnections,
    /// Send one of the emails an installment calls for, written from the plan when it is sent.
    InstallmentEmail {
        merchant: MerchantId,
        plan: PlanId,
        position: u32,
        notice: InstallmentNotice,
    },
    /// Decide what follows the failed collection of an installment (a retry, a wait for
    /// another instrument, or a delinquent plan), on the processor's date.
    InstallmentFailed {
        merchant: MerchantId,
        payment: PaymentId,
    },
    /// Ask the processor for a refund its request stopped waiting for, and apply the answer
    /// (nothing, when the request did it already).
    FinishRefund {
        merchant: MerchantId,
        refund: RefundId,
    },
    /// Send one of the emails a refund that went through calls for, written when it is sent.
    RefundEmail {
        merchant: MerchantId,
        refund: RefundId,
        recipient: Recipient,
    },
    /// Record a payment that succeeded in the merchant's accounting software, against the
    /// invoices it paid.
    RecordPayment {
        merchant: MerchantId,
        payment: PaymentId,
    },
    /// Take back there a recorded payment that was returned or refunded.
    ReversePayment {
        merchant: MerchantId,
        payment: PaymentId,
    },
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Email(_) => "email",
            Self::PaymentEmail { .. } => "payment_email",
            Self::FinishStalePayments => "finish_stale_payments",
            Self::FollowBankDebits => "follow_bank_debits",
            Self::Housekeeping => "housekeeping",
            Self::CollectInstallments => "collect_installments",
            Self::KeepAccountingConnections => "keep_accounting_connections",
            Self::InstallmentEmail { .. } => "installment_email",
            Self::InstallmentFailed { .. } => "installment_failed",
            Self::FinishRefund { .. } => "finish_refund",
            Self::RefundEmail { .. } => "refund_email",
            Self::RecordPayment { .. } => "record_payment",
            Self::ReversePayment { .. } => "reverse_payment",
        }
    }

    fn merchant(&self) -> Option<MerchantId> {
        match self {
            Self::PaymentEmail { merchant, .. }
            | Self::InstallmentFailed { merchant, .. }
            | Self::InstallmentEmail { merchant, .. }
            | Self::FinishRefund { merchant, .. }
            | Self::RefundEmail { merchant, .. }
            | Self::RecordPayment { merchant, .. }
            | Self::ReversePayment { merchant, .. } => Some(*merchant),
            Self::Email(_)
            | Self::FinishStalePayments
            | Self::FollowBankDebits
            | Self::Housekeeping
            | Self::CollectInstallments
            | Self::KeepAccountingConnections => None,
        }
    }
}

/// The jobs that run for ever, each as one row that is queued again after every run: its
/// fixed id (so that every instance seeds the same row) and how often it runs.
pub const RECURRING: [(Job, u128, Duration); 5] = [
    (Job::FinishStalePayments, 1, Duration::minutes(1)),
    (Job::FollowBankDebits, 2, Duration::minutes(1)),
    (Job::Housekeeping, 3, Duration::hours(1)),
    (Job::CollectInstallments, 4, Duration::minutes(1)),
    (Job::KeepAccountingConnections, 5, Duration::hours(6)),
];

fn recurring_id(number: u128) -> JobId {
    JobId::from_bytes(number.to_be_bytes())
}

/// How often a job recurs, or `None` for a job that runs to completion once.
pub fn recurrence(job: &Job) -> Option<Duration> {
    RECURRING
        .iter()
        .find(|(recurring, ..)| recurring == job)
        .map(|(_, _, period)| *period)
}

/// A job ready to be written: [`NewJob::new`] for one whose payload may be read by whoever can
/// read the database, [`NewJob::sealed`] for one that carries a secret.
#[derive(Debug)]
pub struct NewJob {
    id: JobId,
    kind: &'static str,
    merchant: Option<MerchantId>,
    payload: String,
    run_at: OffsetDateTime,
}

const SEALED_PREFIX: &str = "sealed:";

impl NewJob {
    pub fn new(job: &Job) -> Result<Self, JobError> {
        Ok(Self {
            id: JobId::new_random(),
            kind: job.kind(),
            merchant: job.merchant(),
            payload: serde_json::to_string(job)
                .map_err(|error| JobError::CorruptRow(error.to_string()))?,
            run_at: now(),
        })
    }

    /// The payload encrypted and bound to this job's id (a payload copied to another row does
    /// not open).
    pub fn sealed(job: &Job, keys: &Keys) -> Result<Self, JobError> {
        let mut new = Self::new(job)?;
        let sealed = keys
            .encrypt(SEAL_PURPOSE, &new.id.to_string(), new.payload.as_bytes())
            .map_err(|_| JobError::Crypto)?;
        new.payload = format!("{SEALED_PREFIX}{sealed}");
        Ok(new)
    }

    /// Runs no earlier than `at`: a follow-up that only matters if what queued it stops.
    pub fn not_before(mut self, at: OffsetDateTime) -> Self {
        self.run_at = at;
        self
    }

    pub fn id(&self) -> JobId {
        self.id
    }
}

/// What sealed payloads are encrypted for; each is bound to its job's id as well.
const SEAL_PURPOSE: &str = "job-payload";

/// Writes `job` on `connection`: pass the transaction of the change that causes it.
pub async fn enqueue(connection: &mut AnyConnection, job: NewJob) -> Result<JobId, JobError> {
    let at = timestamp_text(now());
    sqlx::query(
        "INSERT INTO jobs (id, kind, merchant_id, payload, status, attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $6)",
    )
    .bind(job.id.to_string())
    .bind(job.kind)
    .bind(job.merchant.map(|merchant| merchant.to_string()))
    .bind(&job.payload)
    .bind(timestamp_text(job.run_at))
    .bind(&at)
    .execute(connection)
    .await?;
    Ok(job.id)
}

/// Makes sure every recurring job has its row; safe to call from every instance at start.
pub async fn seed_recurring(db: &Database) -> Result<(), JobError> {
    let at = timestamp_text(now());
    for (job, number, _) in &RECURRING {
        let payload =
            serde_json::to_string(job).map_err(|error| JobError::CorruptRow(error.to_string()))?;
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, status, attempts, run_at, created_at, updated_at) \
             VALUES ($1, $2, $3, 'queued', 0, $4, $4, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(recurring_id(*number).to_string())
        .bind(job.kind())
        .bind(payload)
        .bind(&at)
        .execute(db.writer())
        .await?;
    }
    Ok(())
}

/// Proof of holding a job's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseToken(String);

/// A job this worker holds the lease of.
#[derive(Debug)]
pub struct ClaimedJob {
    pub id: JobId,
    /// This run's number: 1 for the first.
    pub attempt: i64,
    pub job: Job,
    lease: LeaseToken,
}

impl ClaimedJob {
    pub fn lease(&self) -> &LeaseToken {
        &self.lease
    }
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    payload: String,
    attempts: i64,
}

/// Takes up to `limit` jobs that are due (queued for now or earlier, or running under a lease
/// that ran out) and holds them for `lease`.
pub async fn claim_due(
    db: &Database,
    keys: &Keys,
    limit: i64,
    lease: Duration,
) -> Result<Vec<ClaimedJob>, JobError> {
    let at = now();
    let token = uuid::Uuid::new_v4().to_string();
    // PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
    // SQLite: its single writer makes the UPDATE atomic on its own.
    let skip_locked = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let rows: Vec<ClaimedRow> = sqlx::query_as(&format!(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = $2, lease_token = $3, updated_at = $1 \
         WHERE id IN (SELECT id FROM jobs \
           WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND lease_until <= $1) \
           ORDER BY run_at LIMIT $4 {skip_locked}) \
         RETURNING id, payload, attempts"
    ))
    .bind(timestamp_text(at))
    .bind(timestamp_text(at + lease))
    .bind(&token)
    .bind(limit)
    .fetch_all(db.writer())
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        let id = JobId::parse(&row.id).map_err(|error| JobError::CorruptRow(error.to_string()))?;
        let lease = LeaseToken(token.clone());
        match open_payload(keys, id, &row.payload) {
            Ok(job) => claimed.push(ClaimedJob {
                id,
                attempt: row.attempts,
                job,
                lease,
            }),
            // Nothing can ever run it: straight to the dead letters, where a person sees why.
            Err(error) => {
                tracing::error!(job = %id, %error, "a job's payload is unreadable");
                dead_letter(db, id, &lease, &error.to_string()).await?;
            }
        }
    }
    Ok(claimed)
}

fn open_payload(keys: &Keys, id: JobId, payload: &str) -> Result<Job, JobError> {
    let json = match payload.strip_prefix(SEALED_PREFIX) {
        Some(sealed) => keys
            .decrypt(SEAL_PURPOSE, &id.to_string(), sealed)
            .map_err(|_| JobError::Crypto)?,
        None => payload.as_bytes().to_vec(),
    };
    serde_json::from_slice(&json).map_err(|error| JobError::CorruptRow(error.to_string()))
}

/// What a run's report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// Recorded.
    Recorded,
    /// The lease had run out and another worker holds the job now: this report changed nothing.
    LeaseLost,
}

/// The run succeeded: the job is done (a sealed one forgets its payload), or, for a recurring
/// job, queued for its next run.
pub async fn complete(db: &Database, claimed: &ClaimedJob) -> Result<Reported, JobError> {
    let at = now();
    let done = match recurrence(&claimed.job) {
        Some(period) => sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $3, lease_until = NULL, lease_token = NULL, \
             last_error = NULL, updated_at = $4 WHERE id = $1 AND lease_token = $2 AND status = 'running'",
        )
        .bind(claimed.id.to_string())
        .bind(&claimed.lease.0)
        .bind(timestamp_text(at + period))
        .bind(timestamp_text(at)),
        None => sqlx::query(
            "UPDATE jobs SET status = 'done', lease_until = NULL, lease_token = NULL, updated_at = $3, finished_at = $3, \
             payload = CASE WHEN payload LIKE 'sealed:%' THEN '' ELSE payload END \
             WHERE id = $1 AND lease_token = $2 AND status = 'running'",
        )
        .bind(claimed.id.to_string())
        .bind(&claimed.lease.0)
        .bind(timestamp_text(at)),
    };
    reported(done.execute(db.writer()).await?.rows_affected())
}

/// [`complete`] for every job of `claimed`, the one-off jobs in one statement (a worker
/// finishing a batch of emails writes once, not once per email). Returns how many were
/// recorded; the rest had lost their lease.
pub async fn complete_all(db: &Database, claimed: &[ClaimedJob]) -> Result<usize, JobError> {
    let mut recorded = 0;
    let (recurring, once): (Vec<&ClaimedJob>, Vec<&ClaimedJob>) = claimed
        .iter()
        .partition(|job| recurrence(&job.job).is_some());
    for job in recurring {
        if complete(db, job).await? == Reported::Recorded {
            recorded += 1;
        }
    }
    // One statement per lease: a batch shares its claim's token.
    let mut leases: Vec<&LeaseToken> = once.iter().map(|job| &job.lease).collect();
    leases.sort_by(|a, b| a.0.cmp(&b.0));
    leases.dedup();
    for lease in leases {
        let ids: Vec<String> = once
            .iter()
            .filter(|job| &job.lease == lease)
            .map(|job| job.id.to_string())
            .collect();
        let at = timestamp_text(now());
        let sql = format!(
            "UPDATE jobs SET status = 'done', lease_until = NULL, lease_token = NULL, updated_at = $2, finished_at = $2, \
             payload = CASE WHEN payload LIKE 'sealed:%' THEN '' ELSE payload END \
             WHERE lease_token = $1 AND status = 'running' AND id IN ({})",
            numbered_placeholders(3, ids.len()),
        );
        let mut query = sqlx::query(&sql).bind(&lease.0).bind(&at);
        for id in &ids {
            query = query.bind(id);
        }
        let done = query.execute(db.writer()).await?.rows_affected();
        recorded += usize::try_from(done).unwrap_or(usize::MAX);
    }
    Ok(recorded)
}

/// What recording a failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Queued again, after its back-off (or at its next period, for a recurring job).
    WillRetry,
    /// That was the last attempt: dead-lettered with the error.
    DeadLettered,
    /// The lease had run out; another worker holds the job, and this changed nothing.
    LeaseLost,
}

/// The run failed with `error`: the job runs again after its back-off, or is dead-lettered on
/// its last attempt. A recurring job never dies; it runs again at its next period, or sooner.
pub async fn fail(db: &Database, claimed: &ClaimedJob, error: &str) -> Result<Failed, JobError> {
    fail_after(db, claimed, error, Duration::ZERO).await
}

/// As [`fail`], waiting at least `at_least` before the next attempt (what a rate-limited
/// service's `Retry-After` asks).
pub async fn fail_after(
    db: &Database,
    claimed: &ClaimedJob,
    error: &str,
    at_least: Duration,
) -> Result<Failed, JobError> {
    let at = now();
    let retry_in = match (after_failure(claimed.attempt), recurrence(&claimed.job)) {
        (AfterFailure::RetryInSeconds(seconds), Some(period)) => {
            Duration::seconds(seconds).min(period)
        }
        (AfterFailure::DeadLetter, Some(period)) => period,
        (AfterFailure::RetryInSeconds(seconds), None) => Duration::seconds(seconds).max(at_least),
        (AfterFailure::DeadLetter, None) => {
            return Ok(
                match dead_letter(db, claimed.id, &claimed.lease, error).await? {
                    Reported::Recorded => Failed::DeadLettered,
                    Reported::LeaseLost => Failed::LeaseLost,
                },
            );
        }
    };
    let updated = sqlx::query(
        "UPDATE jobs SET status = 'queued', run_at = $3, lease_until = NULL, lease_token = NULL, last_error = $4, \
         updated_at = $5 WHERE id = $1 AND lease_token = $2 AND status = 'running'",
    )
    .bind(claimed.id.to_string())
    .bind(&claimed.lease.0)
    .bind(timestamp_text(at + retry_in))
    .bind(error)
    .bind(timestamp_text(at))
    .execute(db.writer())
    .await?;
    Ok(match reported(updated.rows_affected())? {
        Reported::Recorded => Failed::WillRetry,
        Reported::LeaseLost => Failed::LeaseLost,
    })
}

/// Stops a job for good with its last error; `portico jobs retry` can queue it again.
pub async fn dead_letter(
    db: &Database,
    id: JobId,
    lease: &LeaseToken,
    error: &str,
) -> Result<Reported, JobError> {
    let at = timestamp_text(now());
    let updated = sqlx::query(
        "UPDATE jobs SET status = 'dead', lease_until = NULL, lease_token = NULL, last_error = $3, updated_at = $4, \
         finished_at = $4 WHERE id = $1 AND lease_token = $2 AND status = 'running'",
    )
    .bind(id.to_string())
    .bind(&lease.0)
    .bind(error)
    .bind(&at)
    .execute(db.writer())
    .await?;
    reported(updated.rows_affected())
}

fn reported(rows: u64) -> Result<Reported, JobError> {
    Ok(if rows == 0 {
        Reported::LeaseLost
    } else {
        Reported::Recorded
    })
}

/// Queues a dead job again, from its first attempt.
pub async fn retry_dead(db: &Database, id: JobId) -> Result<(), JobError> {
    let at = timestamp_text(now());
    let updated = sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, finished_at = NULL, updated_at = $2 \
         WHERE id = $1 AND status = 'dead'",
    )
    .bind(id.to_string())
    .bind(&at)
    .execute(db.writer())
    .await?;
    if updated.rows_affected() == 1 {
        return Ok(());
    }
    let exists: Option<(String,)> = sqlx::query_as("SELECT status FROM jobs WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    match exists {
        Some(_) => Err(JobError::NotDead(id)),
        None => Err(JobError::NotFound),
    }
}

/// Deletes jobs that finished (done, not dead) before `age` ago; dead ones stay until a
/// person has looked at them.
pub async fn purge_done(db: &Database, age: Duration) -> Result<u64, JobError> {
    let deleted = sqlx::query("DELETE FROM jobs WHERE status = 'done' AND finished_at < $1")
        .bind(timestamp_text(now() - age))
        .execute(db.writer())
        .await?;
    Ok(deleted.rows_affected())
}

/// One job as `portico jobs` shows it (never its payload, which may be sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobSummary {
    pub id: String,
    pub kind: String,
    pub merchant_id: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub run_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// How many jobs stand in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

/// The jobs in `status` (newest first, at most `limit`), for a person to look at.
pub async fn list(db: &Database, status: &str, limit: i64) -> Result<Vec<JobSummary>, JobError> {
    let rows = sqlx::query_as(
        "SELECT id, kind, merchant_id, status, attempts, run_at, last_error, created_at, finished_at \
         FROM jobs WHERE status = $1 ORDER BY run_at DESC LIMIT $2",
    )
    .bind(status)
    .bind(limit)
    .fetch_all(db.writer())
    .await?;
    Ok(rows)
}

pub async fn counts(db: &Database) -> Result<JobCounts, JobError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(db.pool())
            .await?;
    let mut counts = JobCounts::default();
    for (status, count) in rows {
        match status.as_str() {
            "queued" => counts.queued = count,
            "running" => counts.running = count,
            "done" => counts.done = count,
            "dead" => counts.dead = count,
            other => return Err(JobError::CorruptRow(format!("status {other}"))),
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reads_back_as_written() {
        let job = Job::PaymentEmail {
            merchant: MerchantId::new_random(),
            payment: PaymentId::new_random(),
            announces: PaymentStatus::Returned,
            recipient: Recipient::Merchant,
        };
        let new = NewJob::new(&job).unwrap();
        let keys = Keys::new(&[3; 32]);
        assert_eq!(open_payload(&keys, new.id, &new.payload).unwrap(), job);
    }

    #[test]
    fn a_sealed_job_hides_its_secret_and_opens_only_in_its_own_row() {
        let keys = Keys::new(&[3; 32]);
        let job = Job::Email(OutgoingEmail {
            sender_name: "Northwind".to_owned(),
            to: "ap@customer.invalid".to_owned(),
            reply_to: None,
            subject: "Your sign-in code".to_owned(),
            body: "Your sign-in code to pay Northwind: 428913".to_owned(),
            html_body: None,
            send_before: None,
        });
        let sealed = NewJob::sealed(&job, &keys).unwrap();
        assert!(sealed.payload.starts_with(SEALED_PREFIX));
        assert!(!sealed.payload.contains("428913"));
        assert_eq!(
            open_payload(&keys, sealed.id, &sealed.payload).unwrap(),
            job
        );
        let other_row = JobId::new_random();
        assert!(matches!(
            open_payload(&keys, other_row, &sealed.payload),
            Err(JobError::Crypto)
        ));
        assert!(!format!("{job:?}").contains("428913"));
    }

    #[test]
    fn every_recurring_job_has_its_own_fixed_id() {
        let ids: std::collections::BTreeSet<JobId> = RECURRING
            .iter()
            .map(|(_, number, _)| recurring_id(*number))
            .collect();
        assert_eq!(ids.len(), RECURRING.len());
        assert_eq!(recurrence(&Job::Housekeeping), Some(Duration::hours(1)));
        assert_eq!(
            recurrence(&Job::Email(OutgoingEmail {
                sender_name: String::new(),
                to: String::new(),
                reply_to: None,
                subject: String::new(),
                body: String::new(),
                html_body: None,
                send_before: None,
            })),
            None
        );
    }
}
