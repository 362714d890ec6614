//! The one worker that runs the outbox ([`app::services::jobs`]): every email, every processor
//! follow-up and the housekeeping. Any number of server instances run it side by side; the
//! leases keep each job to one of them at a time.
//!
//! [`Worker::run_due`] runs what is due now and returns: the background loop calls it every
//! half second, and tests and the admin CLI call it directly instead of waiting.

use app::domain::ids::JobId;
use app::domain::public_url::PublicUrl;
use app::error::Chain;
use app::services::accounting::apps::AccountingApps;
use app::services::checkout::{self, PaymentServices};
use app::services::jobs::{self, ClaimedJob, Failed, Job, JobError, OutgoingEmail, Reported};
use app::services::mail::{MailFrom, Mailer, OUTBOX_KEEPS};
use app::services::{
    Database, accounting, clock, crash_point, idempotency, installment_emails, refunds, sessions,
    staff_sessions,
};
use serde::Serialize;
use std::future::Future;
use std::time::Duration as StdDuration;
use time::Duration;

/// Jobs claimed at once; they run side by side.
const BATCH: i64 = 16;
/// How long a claim holds: longer than [`JOB_TIMEOUT`], so a live worker never loses a job
/// it is running; a dead worker's jobs are taken again after this.
const LEASE: Duration = Duration::minutes(2);
/// A run that takes longer is abandoned and counted as a failure.
const JOB_TIMEOUT: StdDuration = StdDuration::from_secs(30);
/// How often the background loop looks for due jobs.
const POLL: StdDuration = StdDuration::from_millis(500);
/// Finished jobs are kept this long for `portico jobs --status done`.
const DONE_JOBS_KEPT_FOR: Duration = Duration::days(7);

/// Everything the jobs reach: the database, the processor and the mail.
#[derive(Debug, Clone)]
pub struct Worker {
    pub payments: PaymentServices,
    pub mailer: Mailer,
    pub from: MailFrom,
    pub accounting: AccountingApps,
    pub public_url: PublicUrl,
}

/// What one [`Worker::run_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub done: usize,
    /// Failed and queued again after their back-off.
    pub retried: usize,
    /// Failed for good: in the dead letters with their error.
    pub dead: usize,
}

/// Why a run did not succeed.
enum Failure {
    /// Worth another attempt (a mail server that did not answer, a database that was busy).
    Retry(String),
    /// No attempt can succeed (an email that can no longer be built or is too late to send).
    Permanent(String),
    /// Worth another attempt, not sooner than this (a rate-limited service's `Retry-After`).
    RetryAfter(String, Duration),
}

impl Failure {
    fn retry(error: &dyn std::error::Error) -> Self {
        Self::Retry(Chain(error).to_string())
    }
}

/// A record that failed: tried again, not sooner than a rate limit asks.
fn accounting_failure(error: accounting::records::RecordError) -> Failure {
    match &error {
        accounting::records::RecordError::SlowDown(seconds, _) => Failure::RetryAfter(
            Chain(&error).to_string(),
            Duration::seconds(i64::try_from(seconds.unwrap_or(60)).unwrap_or(60).min(3600)),
        ),
        _ => Failure::retry(&error),
    }
}

impl Worker {
    fn db(&self) -> &Database {
        &self.payments.db
    }

    fn accounting(&self) -> accounting::tokens::Context<'_> {
        accounting::tokens::Context {
            db: &self.payments.db,
            keys: &self.payments.keys,
            apps: &self.accounting,
            public_url: &self.public_url,
        }
    }

    /// Runs every job that is due now, batch after batch, until none is; a job that fails is
    /// queued again for later and does not run twice in one call.
    pub async fn run_due(&self) -> Result<RunReport, JobError> {
        let mut report = RunReport::default();
        loop {
            let claimed = jobs::claim_due(self.db(), &self.payments.keys, BATCH, LEASE).await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            crash_point::reached("worker.after_claim");
            let mut running = tokio::task::JoinSet::new();
            for job in claimed {
                let worker = self.clone();
                running.spawn(async move { worker.run_one(job).await });
            }
            let mut succeeded = Vec::new();
            while let Some(finished) = running.join_next().await {
                match finished {
                    Ok(Ok(Outcome::Succeeded(job))) => succeeded.push(*job),
                    Ok(Ok(Outcome::Retried)) => report.retried += 1,
                    Ok(Ok(Outcome::Dead)) => report.dead += 1,
                    Ok(Ok(Outcome::LeaseLost)) => {}
                    Ok(Err(error)) => {
                        tracing::error!(error = %Chain(&error), "recording a job's result");
                    }
                    // Its lease runs out and another attempt takes it.
                    Err(error) => tracing::error!(%error, "a job's task panicked"),
                }
            }
            crash_point::reached("worker.before_complete");
            let done = jobs::complete_all(self.db(), &succeeded).await?;
            if done < succeeded.len() {
                tracing::warn!(
                    lost = succeeded.len() - done,
                    "jobs whose lease ran out before they finished"
                );
            }
            report.done += done;
        }
    }

    /// Runs due jobs every [`POLL`] until `stop` completes, then lets the batch in hand finish.
    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            if let Err(error) = self.run_due().await {
                tracing::error!(error = %Chain(&error), "running due jobs");
            }
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = &mut stop => return,
            }
        }
    }

    async fn run_one(&self, claimed: ClaimedJob) -> Result<Outcome, JobError> {
        let id = claimed.id;
        let result = match tokio::time::timeout(JOB_TIMEOUT, self.perform(&claimed)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Retry(format!(
                "did not finish within {} seconds",
                JOB_TIMEOUT.as_secs()
            ))),
        };
        let outcome = match result {
            Ok(()) => Outcome::Succeeded(Box::new(claimed)),
            Err(Failure::Retry(error)) => {
                tracing::warn!(job = %claimed.id, kind = claimed.job.kind(), attempt = claimed.attempt, %error, "a job failed");
                match jobs::fail(self.db(), &claimed, &error).await? {
                    Failed::WillRetry => Outcome::Retried,
                    Failed::DeadLettered => Outcome::Dead,
                    Failed::LeaseLost => Outcome::LeaseLost,
                }
            }
            Err(Failure::RetryAfter(error, wait)) => {
                tracing::warn!(job = %claimed.id, kind = claimed.job.kind(), attempt = claimed.attempt, %error, "a job was asked to wait");
                match jobs::fail_after(self.db(), &claimed, &error, wait).await? {
                    Failed::WillRetry => Outcome::Retried,
                    Failed::DeadLettered => Outcome::Dead,
                    Failed::LeaseLost => Outcome::LeaseLost,
                }
            }
            Err(Failure::Permanent(error)) => {
                tracing::error!(job = %claimed.id, kind = claimed.job.kind(), %error, "a job cannot succeed");
                match jobs::dead_letter(self.db(), claimed.id, claimed.lease(), &error).await? {
                    Reported::Recorded => Outcome::Dead,
                    Reported::LeaseLost => Outcome::LeaseLost,
                }
            }
        };
        if matches!(outcome, Outcome::LeaseLost) {
            tracing::warn!(job = %id, "a job's lease ran out before it finished");
        }
        Ok(outcome)
    }

    async fn perform(&self, claimed: &ClaimedJob) -> Result<(), Failure> {
        match &claimed.job {
            Job::Email(email) => self.send(claimed.id, email).await,
            Job::PaymentEmail {
                merchant,
                payment,
                announces,
                recipient,
            } => {
                let email =
                    checkout::payment_email(self.db(), *merchant, *payment, *announces, *recipient)
                        .await
                        .map_err(|error| Failure::retry(&error))?;
                match email {
                    Some(email) => self.send(claimed.id, &email).await,
                    None => Ok(()),
                }
            }
            Job::FinishStalePayments => {
                let report = checkout::finish_stale_pending(&self.payments)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                if report.finished > 0 {
                    tracing::warn!(
                        finished = report.finished,
                        "finished payments whose confirm had stopped"
                    );
                }
                if report.unresolved.is_empty() {
                    Ok(())
                } else {
                    // Shown by `portico jobs`: these need a person if the processor stays away.
                    let payments: Vec<String> = report
                        .unresolved
                        .iter()
                        .map(|(_, payment)| payment.to_string())
                        .collect();
                    Err(Failure::Retry(format!(
                        "pending past their deadline, the processor unreachable: {}",
                        payments.join(", ")
                    )))
                }
            }
            Job::FollowBankDebits => {
                let report = checkout::apply_resolved_debits(&self.payments)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                if report.settled + report.returned > 0 {
                    tracing::info!(
                        settled = report.settled,
                        returned = report.returned,
                        "bank debits resolved"
                    );
                }
                Ok(())
            }
            Job::Housekeeping => self.housekeeping().await,
            Job::KeepAccountingConnections => {
                let refreshed = accounting::tokens::keep_fresh(self.accounting())
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                if refreshed > 0 {
                    tracing::info!(refreshed, "refreshed idle accounting connections");
                }
                Ok(())
            }
            Job::RecordPayment { merchant, payment } => {
                let recorded =
                    accounting::records::record(self.accounting(), *merchant, *payment).await;
                match recorded {
                    Ok(accounting::records::Finished::Refused(message)) => {
                        tracing::warn!(%payment, %message, "the accounting software refused a payment");
                        Ok(())
                    }
                    Ok(_) => Ok(()),
                    Err(error) if claimed.attempt >= app::domain::backoff::MAX_ATTEMPTS => {
                        let message = format!(
                            "The accounting software could not be reached after {} attempts ({}). Retry once it answers again.",
                            claimed.attempt,
                            Chain(&error)
                        );
                        accounting::records::give_up(
                            self.accounting(),
                            *merchant,
                            *payment,
                            &message,
                        )
                        .await
                        .map_err(|error| Failure::retry(&error))?;
                        Err(Failure::Permanent(message))
                    }
                    Err(error) => Err(accounting_failure(error)),
                }
            }
            Job::ReversePayment { merchant, payment } => {
                let finished = accounting::records::reverse(self.accounting(), *merchant, *payment)
                    .await
                    .map_err(accounting_failure)?;
                match finished {
                    accounting::records::Finished::Refused(message) => {
                        Err(Failure::Permanent(format!(
                            "the accounting software refused to take the payment back: {message}"
                        )))
                    }
                    _ => Ok(()),
                }
            }
            Job::CollectInstallments => {
                let report = checkout::collect_due_installments(&self.payments)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                if report.collected + report.delinquent > 0 {
                    tracing::info!(
                        collected = report.collected,
                        delinquent = report.delinquent,
                        "installments collected"
                    );
                }
                Ok(())
            }
            Job::InstallmentEmail {
                merchant,
                plan,
                position,
                notice,
            } => {
                let email = installment_emails::installment_email(
                    self.db(),
                    *merchant,
                    *plan,
                    *position,
                    *notice,
                )
                .await
                .map_err(|error| Failure::retry(&error))?;
                match email {
                    Some(email) => self.send(claimed.id, &email).await,
                    None => Ok(()),
                }
            }
            Job::InstallmentFailed { merchant, payment } => {
                checkout::after_installment_failure(&self.payments, *merchant, *payment)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                Ok(())
            }
            Job::FinishRefund { merchant, refund } => {
                refunds::finish(&self.payments, *merchant, *refund)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                Ok(())
            }
            Job::RefundEmail {
                merchant,
                refund,
                recipient,
            } => {
                let email = refunds::refund_email(self.db(), *merchant, *refund, *recipient)
                    .await
                    .map_err(|error| Failure::retry(&error))?;
                match email {
                    Some(email) => self.send(claimed.id, &email).await,
                    None => Ok(()),
                }
            }
        }
    }

    async fn send(&self, id: JobId, email: &OutgoingEmail) -> Result<(), Failure> {
        if let Some(deadline) = &email.send_before
            && clock::timestamp_text(clock::now()) > *deadline
        {
            return Err(Failure::Permanent(
                "not sent: it was no use any more (a sign-in code that expired first)".to_owned(),
            ));
        }
        let message = self
            .from
            .message(id, email)
            .map_err(|error| Failure::Permanent(Chain(&error).to_string()))?;
        // The one place an email leaves Portico: clippy.toml refuses `Mailer::send` elsewhere.
        #[allow(clippy::disallowed_methods)]
        let sent = self.mailer.send(message).await;
        sent.map_err(|error| Failure::retry(&error))?;
        crash_point::reached("worker.after_send");
        Ok(())
    }

    async fn housekeeping(&self) -> Result<(), Failure> {
        let db = self.db();
        let sessions = sessions::purge_stale(db)
            .await
            .map_err(|error| Failure::retry(&error))?
            + staff_sessions::purge_stale(db)
                .await
                .map_err(|error| Failure::retry(&error))?
            + accounting::connections::purge_expired_authorizations(db)
                .await
                .map_err(|error| Failure::retry(&error))?;
        let keys = idempotency::purge_expired(db)
            .await
            .map_err(|error| Failure::retry(&error))?;
        let jobs = jobs::purge_done(db, DONE_JOBS_KEPT_FOR)
            .await
            .map_err(|error| Failure::retry(&error))?;
        let emails = self
            .mailer
            .purge_outbox(OUTBOX_KEEPS)
            .await
            .map_err(|error| Failure::retry(&error))?;
        if sessions + keys + jobs + emails > 0 {
            tracing::info!(
                sessions_codes_and_authorizations = sessions,
                idempotency_keys = keys,
                finished_jobs = jobs,
                outbox_files = emails,
                "housekeeping deleted what nobody can use any more"
            );
        }
        Ok(())
    }
}

/// What became of one claimed job.
enum Outcome {
    /// To be recorded done with the rest of its batch.
    Succeeded(Box<ClaimedJob>),
    Retried,
    Dead,
    /// Its lease ran out mid-run and another worker took it over: it is theirs to report.
    LeaseLost,
}
