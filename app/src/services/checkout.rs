//! Paying a checkout: the payment is recorded exactly once (its idempotency key, the balances
//! re-checked in its transaction), then the processor is asked to move the money, keyed by the
//! payment so that a retry never moves it twice. Bank debits are followed until they settle or
//! come back. The customer gets a receipt and the merchant a notification.

use crate::domain::checkout::{Checkout, Instrument};
use crate::domain::email::EmailAddress;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::{BankAccountId, CustomerId, MerchantId, PaymentId, PlanId};
use crate::domain::merchant::MerchantBranding;
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::services::Database;
use crate::services::bank_accounts::{self, BankAccountError};
use crate::services::clock::{date_for_people, date_text, parse_date};
use crate::services::crash_point;
use crate::services::installment_plans::{self, NewPlan};
use crate::services::jobs::{OutgoingEmail, Recipient};
use crate::services::keys::Keys;
use crate::services::merchants;
use crate::services::payments::{
    self, Announce, NewAllocation, NewAuthorization, NewPayment, Outcome, Payment, PaymentDetails,
    PaymentError, Recorded, StatusChange,
};
use crate::services::processors::{
    ChargeOutcome, DebitAccount, DebitResolution, DebitStarted, PaymentProcessor, Processor,
    ProcessorError, ProcessorRecord, ResolvedDebit,
};
use crate::services::saved_cards;
use crate::services::sessions::{SavedCheckout, SessionError, SessionId};

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("the checkout is missing its invoices, method or payment details")]
    Incomplete,
    /// The schedule step 8 showed no longer starts today (the review was left open past
    /// midnight) or no longer spreads the amounts chosen: it must be shown afresh.
    #[error("the installment schedule shown is out of date")]
    StaleSchedule,
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Processor(#[from] ProcessorError),
    #[error(transparent)]
    BankAccount(#[from] BankAccountError),
    #[error(transparent)]
    SavedCard(#[from] crate::services::saved_cards::SavedCardError),
    #[error("the confirm task stopped: {0}")]
    Interrupted(String),
    #[error("the merchant could not be read")]
    Merchant(#[from] merchants::MerchantError),
    #[error("the checkout could not be kept")]
    Session(#[from] SessionError),
    #[error(transparent)]
    Plan(#[from] installment_plans::PlanError),
}

/// What paying needs besides the database.
#[derive(Debug, Clone)]
pub struct PaymentServices {
    pub db: Database,
    pub processor: Processor,
    pub keys: Keys,
}

/// A confirm from step 8.
#[derive(Debug, Clone)]
pub struct Confirmation {
    /// The wizard session whose checkout this is: the payment's status change moves it on
    /// ([`Checkout::after_payment`]) in the same transaction.
    pub session: SessionId,
    pub merchant: MerchantId,
    pub customer: CustomerId,
    pub payer_email: EmailAddress,
    pub checkout: Checkout,
    pub key: IdempotencyKey,
    /// The authorization text exactly as step 8 showed it.
    pub authorization_text: String,
    pub client_address: String,
}

/// A confirmed payment as it stands afterwards.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub payment: Payment,
    /// Whether this confirm moved the session's checkout on with the payment's status change.
    /// It did not when the payment had been moved already (a replay, a double click): the
    /// caller then moves the checkout on itself.
    pub checkout_moved_on: bool,
}

/// Records the checkout's payment (or finds the one this key recorded) and has the processor
/// charge it. Returns the payment as it stands afterwards: succeeded or failed for a card,
/// processing for a bank debit.
///
/// The work runs in a task of its own: a browser that hangs up mid-way cannot leave a recorded
/// payment half done.
pub async fn confirm(
    services: &PaymentServices,
    confirmation: Confirmation,
) -> Result<Confirmed, ConfirmError> {
    let services = services.clone();
    tokio::spawn(async move { confirm_to_the_end(&services, confirmation).await })
        .await
        .map_err(|error| ConfirmError::Interrupted(error.to_string()))?
}

async fn confirm_to_the_end(
    services: &PaymentServices,
    confirmation: Confirmation,
) -> Result<Confirmed, ConfirmError> {
    let checkout = &confirmation.checkout;
    let (Some(method), Some(instrument), Ok(Some(total))) =
        (checkout.method, &checkout.instrument, checkout.total())
    else {
        return Err(ConfirmError::Incomplete);
    };
    let new = NewPayment {
        customer: confirmation.customer,
        method,
        amount: total,
        allocations: checkout
            .selection
            .iter()
            .map(|selected| NewAllocation {
                invoice: selected.invoice,
                amount: selected.amount,
            })
            .collect(),
        idempotency_key: confirmation.key,
        processor_reference: None,
        details: PaymentDetails {
            payer_email: Some(confirmation.payer_email.to_string()),
            instrument: Some(instrument.reference()),
            instrument_label: Some(instrument.label()),
            authorization: Some(NewAuthorization {
                text: confirmation.authorization_text,
                client_address: confirmation.client_address,
            }),
        },
    };
    if let Instrument::Bank { account_id, .. } = instrument
        && let Some(code) =
            bank_accounts::blocked_code(&services.db, confirmation.merchant, account_id).await?
    {
        // Closed since step 7: refused before any payment is recorded.
        return Err(BankAccountError::Blocked(code).into());
    }
    let payment = match checkout.plan {
        None => match payments::record(&services.db, confirmation.merchant, &new).await? {
            Recorded::New(payment) | Recorded::Replayed(payment) => payment,
        },
        Some(_) => {
            let schedule = checkout
                .review
                .as_ref()
                .and_then(|review| review.schedule.clone())
                .ok_or(ConfirmError::Incomplete)?;
            let today = services.processor.today().await?;
            let first_on = schedule.installments.first().map(|first| first.due_on);
            if schedule.principal != total || first_on != Some(today) {
                return Err(ConfirmError::StaleSchedule);
            }
            let plan = NewPlan {
                customer: confirmation.customer,
                payer_email: confirmation.payer_email.to_string(),
                method,
                instrument: instrument.clone(),
                schedule,
                invoices: checkout.selection.clone(),
                key: new.idempotency_key.clone(),
                agreement: new
                    .details
                    .authorization
                    .clone()
                    .ok_or(ConfirmError::Incomplete)?,
            };
            let made = installment_plans::make(&services.db, confirmation.merchant, &plan).await?;
            payments::get(&services.db, confirmation.merchant, made.first_payment).await?
        }
    };
    if payment.status != PaymentStatus::Pending {
        return Ok(Confirmed {
            payment,
            checkout_moved_on: false,
        });
    }
    // A replay of a payment still pending (its first request failed half way) drives it on:
    // every processor call is keyed by the payment, so nothing is charged twice.
    let session_checkout = (&confirmation.session, checkout);
    let driven = drive(
        services,
        confirmation.merchant,
        payment,
        Some(session_checkout),
    )
    .await?;
    if driven.moved
        && driven.payment.status == PaymentStatus::Succeeded
        && checkout.save_instrument
        && let Some(card @ Instrument::Card { .. }) = &checkout.instrument
        && let Err(error) = saved_cards::save(
            &services.db,
            confirmation.merchant,
            confirmation.customer,
            card,
        )
        .await
    {
        // The payment stands; only the convenience is lost.
        tracing::error!(error = %crate::error::Chain(&error), "saving a card after its charge");
    }
    Ok(Confirmed {
        payment: driven.payment,
        checkout_moved_on: driven.moved,
    })
}

/// What collecting the due installments did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CollectionReport {
    /// Installments whose payment was made (charged, or a debit started).
    pub collected: usize,
    /// Plans made delinquent because no new instrument came in time.
    pub delinquent: usize,
}

/// Claims the installments due on the processor's date and drives each one's payment like a
/// confirmed one: a card is charged, a bank debit started. A payment left pending (the
/// processor did not answer) is driven on by [`finish_stale_pending`].
pub async fn collect_due_installments(
    services: &PaymentServices,
) -> Result<CollectionReport, ConfirmError> {
    let today = services.processor.today().await?;
    let sweep = installment_plans::sweep_due(&services.db, today).await?;
    Ok(CollectionReport {
        collected: drive_claimed(services, &sweep.claimed).await?,
        delinquent: sweep.delinquent,
    })
}

/// Collects now what is due of `plan` alone (a plan just paid off, whose customer waits for
/// the receipt), through the same claim as the worker's; returns how many were collected.
pub async fn collect_plan_now(
    services: &PaymentServices,
    plan: PlanId,
) -> Result<usize, ConfirmError> {
    let today = services.processor.today().await?;
    let claimed = installment_plans::claim_due(&services.db, today, Some(plan)).await?;
    drive_claimed(services, &claimed).await
}

/// Drives each claimed installment's payment like a confirmed one; a payment that fails to
/// move on is left pending for [`finish_stale_pending`].
async fn drive_claimed(
    services: &PaymentServices,
    claimed: &[installment_plans::Claimed],
) -> Result<usize, ConfirmError> {
    let mut collected = 0;
    for claimed in claimed {
        let payment = payments::get(&services.db, claimed.merchant, claimed.payment).await?;
        match drive(services, claimed.merchant, payment, None).await {
            Ok(driven) if driven.moved => collected += 1,
            Ok(_) => {}
            Err(error) => {
                tracing::error!(error = %crate::error::Chain(&error), payment = %claimed.payment, "collecting an installment");
            }
        }
    }
    Ok(collected)
}

/// Decides what follows an installment's failed collection, on the processor's date.
pub async fn after_installment_failure(
    services: &PaymentServices,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<installment_plans::FailureDecision, ConfirmError> {
    let today = services.processor.today().await?;
    Ok(installment_plans::decide_after_failure(&services.db, merchant, payment, today).await?)
}

/// A payment pending for this long without reaching the processor is given up, once the
/// processor confirms that it holds nothing for it.
const PENDING_DEADLINE: time::Duration = time::Duration::hours(1);

/// Pending payments older than this are taken to belong to a confirm that stopped.
const STALE_AFTER: time::Duration = time::Duration::minutes(2);

/// What following up the stale pending payments did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StaleReport {
    /// Payments driven on, failed, or caught up with what the processor did.
    pub finished: usize,
    /// Payments still pending after their deadline whose fate the processor could not be
    /// asked about: they keep holding their invoices' balances until it answers.
    pub unresolved: Vec<(MerchantId, PaymentId)>,
}

/// Drives on the payments left `pending` by a confirm that never finished (a crash, a
/// processor that did not answer): each is charged or debited as its confirm would have, keyed
/// by the payment. One that still cannot be driven after [`PENDING_DEADLINE`] is looked up at
/// the processor by its key: what the processor did stands, and only a payment the processor
/// holds nothing for fails (its invoices owe the money again).
pub async fn finish_stale_pending(services: &PaymentServices) -> Result<StaleReport, ConfirmError> {
    let db = &services.db;
    let mut report = StaleReport::default();
    for (merchant, payment) in payments::stale_pending(db, STALE_AFTER).await? {
        let payment = payments::get(db, merchant, payment).await?;
        let driven = match drive(services, merchant, payment.clone(), None).await {
            Ok(driven) => driven,
            Err(error) if payments::is_older_than(&payment, PENDING_DEADLINE) => {
                tracing::error!(error = %crate::error::Chain(&error), payment = %payment.id, "a pending payment is past its deadline");
                match settle_by_lookup(services, merchant, &payment).await {
                    Ok(driven) => driven,
                    Err(error) => {
                        tracing::error!(error = %crate::error::Chain(&error), payment = %payment.id, "the processor could not be asked about a pending payment");
                        report.unresolved.push((merchant, payment.id));
                        continue;
                    }
                }
            }
            Err(error) => {
                tracing::error!(error = %crate::error::Chain(&error), payment = %payment.id, "finishing a pending payment");
                continue;
            }
        };
        if driven.moved {
            report.finished += 1;
        }
    }
    Ok(report)
}

/// Applies what the processor holds for a payment past its deadline: the charge or debit it
/// made, or, when it made none, the payment's failure.
async fn settle_by_lookup(
    services: &PaymentServices,
    merchant: MerchantId,
    payment: &Payment,
) -> Result<Driven, ConfirmError> {
    let (next, outcome) = match services
        .processor
        .lookup_payment(merchant, payment.id)
        .await?
    {
        ProcessorRecord::Charge(charge) => charge_result(charge),
        ProcessorRecord::Debit(started) => debit_result(started),
        ProcessorRecord::Unknown => (
            PaymentStatus::Failed,
            Outcome {
                failure_reason: Some("The payment could not be completed.".to_owned()),
                ..Outcome::default()
            },
        ),
    };
    apply(services, merchant, payment.id, next, &outcome, None).await
}

/// A payment after `drive`, and whether this call moved it.
struct Driven {
    payment: Payment,
    moved: bool,
}

/// A wizard session and the checkout its confirm paid, which the payment's status change moves
/// on.
type SessionCheckout<'a> = (&'a SessionId, &'a Checkout);

async fn drive(
    services: &PaymentServices,
    merchant: MerchantId,
    payment: Payment,
    session_checkout: Option<SessionCheckout<'_>>,
) -> Result<Driven, ConfirmError> {
    let db = &services.db;
    let instrument = payment.instrument.clone().ok_or(ConfirmError::Incomplete)?;
    let (next, outcome) = match payment.method {
        PaymentMethodKind::Card => charge_result(
            services
                .processor
                .charge_card(merchant, payment.id, &instrument, payment.amount)
                .await?,
        ),
        PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => {
            // A bank debit's instrument is the account's id: text that is none names no account.
            let account_id =
                BankAccountId::parse(&instrument).map_err(|_| BankAccountError::NotFound)?;
            match bank_accounts::blocked_code(db, merchant, &account_id).await? {
                // The bank reported the account closed after the payment was recorded: it is
                // never debited again.
                Some(code) => (
                    PaymentStatus::Failed,
                    Outcome {
                        failure_reason: Some(format!(
                            "The bank account can no longer be debited: the bank returned an earlier debit ({code})."
                        )),
                        ..Outcome::default()
                    },
                ),
                None => {
                    let (routing, account) =
                        bank_accounts::reveal(db, &services.keys, merchant, &account_id).await?;
                    debit_result(
                        services
                            .processor
                            .start_debit(
                                merchant,
                                payment.id,
                                payment.method,
                                &DebitAccount {
                                    routing: &routing,
                                    account: &account,
                                },
                                payment.amount,
                            )
                            .await?,
                    )
                }
            }
        }
    };
    crash_point::reached("confirm.after_processor_call");
    let driven = apply(
        services,
        merchant,
        payment.id,
        next,
        &outcome,
        session_checkout,
    )
    .await?;
    crash_point::reached("confirm.after_status_change");
    Ok(driven)
}

fn charge_result(charge: ChargeOutcome) -> (PaymentStatus, Outcome) {
    match charge {
        ChargeOutcome::Succeeded { reference } => (
            PaymentStatus::Succeeded,
            Outcome {
                processor_reference: Some(reference),
                ..Outcome::default()
            },
        ),
        ChargeOutcome::Declined {
            reference,
            reason,
            code,
        } => (
            PaymentStatus::Failed,
            Outcome {
                processor_reference: Some(reference),
                failure_reason: Some(reason),
                decline_code: Some(code),
                ..Outcome::default()
            },
        ),
    }
}

fn debit_result(started: DebitStarted) -> (PaymentStatus, Outcome) {
    (
        PaymentStatus::Processing,
        Outcome {
            processor_reference: Some(started.reference),
            settles_on: Some(date_text(started.settles_on)),
            ..Outcome::default()
        },
    )
}

/// Moves a pending payment to what the processor said, queuing the receipt (or failure) emails
/// with the change, and moving the wizard's checkout on in the same transaction when the
/// change comes from a confirm: one commit, where a separate save would wait for another.
async fn apply(
    services: &PaymentServices,
    merchant: MerchantId,
    payment: PaymentId,
    next: PaymentStatus,
    outcome: &Outcome,
    session_checkout: Option<SessionCheckout<'_>>,
) -> Result<Driven, ConfirmError> {
    let db = &services.db;
    let change = StatusChange {
        merchant,
        payment,
        next,
        outcome: outcome.clone(),
        announce: Announce::PayerAndMerchant,
    };
    let moved_on = session_checkout
        .map(|(session, checkout)| SavedCheckout::new(session, &checkout.after_payment(next)))
        .transpose()?;
    let written = db
        .write(move |connection| {
            Box::pin(async move {
                change.write_on(connection).await?;
                if let Some(saved) = &moved_on {
                    saved.write_on(connection).await?;
                }
                Ok::<(), PaymentError>(())
            })
        })
        .await;
    match written {
        Ok(()) => Ok(Driven {
            payment: payments::get(db, merchant, payment).await?,
            moved: true,
        }),
        // A concurrent replay of the same confirm got there first: its result stands.
        Err(PaymentError::InvalidTransition { .. }) => Ok(Driven {
            payment: payments::get(db, merchant, payment).await?,
            moved: false,
        }),
        Err(error) => Err(error.into()),
    }
}

/// What following the bank debits did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SettlementReport {
    pub settled: usize,
    pub returned: usize,
}

/// Applies the debits the processor reports as settled or returned: a settled one succeeds; a
/// returned one is marked with its code (its invoices owe the money again), an account closed
/// or unknown is blocked from reuse, and the customer and the merchant are told.
pub async fn apply_resolved_debits(
    services: &PaymentServices,
) -> Result<SettlementReport, ConfirmError> {
    let mut report = SettlementReport::default();
    for debit in services.processor.resolved_debits().await? {
        match apply_debit_result(services, &debit, &mut report).await {
            Ok(()) => services.processor.acknowledge_debit(debit.payment).await?,
            // Not acknowledged: the processor reports it again next time.
            Err(error) => {
                tracing::error!(error = %crate::error::Chain(&error), payment = %debit.payment, "applying a bank debit's result");
            }
        }
    }
    Ok(report)
}

async fn apply_debit_result(
    services: &PaymentServices,
    debit: &ResolvedDebit,
    report: &mut SettlementReport,
) -> Result<(), ConfirmError> {
    let db = &services.db;
    let mut payment = payments::get(db, debit.merchant, debit.payment).await?;
    if payment.status == PaymentStatus::Pending {
        // Its confirm stopped after the debit started: catch up to processing first.
        payment = drive(services, debit.merchant, payment, None)
            .await?
            .payment;
    }
    let (next, outcome, announce) = match debit.resolution {
        DebitResolution::Settled => (
            PaymentStatus::Succeeded,
            Outcome::default(),
            Announce::Nobody,
        ),
        DebitResolution::Returned(code) => (
            PaymentStatus::Returned,
            Outcome {
                return_code: Some(code.code().to_owned()),
                failure_reason: Some(format!(
                    "The bank returned the debit: {}.",
                    code.description()
                )),
                ..Outcome::default()
            },
            Announce::PayerAndMerchant,
        ),
    };
    // Before the status: blocking is idempotent, so a result redelivered after a failure here
    // blocks the account then.
    if let DebitResolution::Returned(code) = debit.resolution
        && code.blocks_account()
        // Text that is no account's id names nothing to block.
        && let Some(account) = payment
            .instrument
            .as_deref()
            .and_then(|text| BankAccountId::parse(text).ok())
    {
        bank_accounts::block(db, debit.merchant, &account, code.code()).await?;
    }
    if payment.status == next {
        // Applied already (by another instance, or before an acknowledgement was lost).
        return Ok(());
    }
    match payments::transition(db, debit.merchant, debit.payment, next, &outcome, announce).await {
        Ok(_) => crash_point::reached("settlement.after_status_change"),
        Err(PaymentError::InvalidTransition { from, .. }) if from == next => return Ok(()),
        Err(error) => return Err(error.into()),
    }
    match debit.resolution {
        DebitResolution::Settled => report.settled += 1,
        DebitResolution::Returned(_) => report.returned += 1,
    }
    Ok(())
}

/// What a payment's emails say about where the money is, as of `status`.
fn status_sentence(payment: &Payment, status: PaymentStatus) -> String {
    let settles = payment
        .settles_on
        .as_deref()
        .and_then(|text| parse_date(text).ok())
        .map(date_for_people)
        .unwrap_or_default();
    match status {
        PaymentStatus::Succeeded => "Status: succeeded. The payment is complete.".to_owned(),
        PaymentStatus::Processing => {
            format!("Status: processing. The bank debit is expected to settle on {settles}.")
        }
        PaymentStatus::Failed => format!(
            "Status: failed. {}",
            payment.failure_reason.as_deref().unwrap_or_default()
        ),
        PaymentStatus::Returned => format!(
            "Status: returned ({}). {} The invoices are open again.",
            payment.return_code.as_deref().unwrap_or_default(),
            payment.failure_reason.as_deref().unwrap_or_default()
        ),
        PaymentStatus::Pending | PaymentStatus::Refunded => {
            format!("Status: {}.", status.code())
        }
    }
}

/// The email that tells `recipient` of the payment's change to `announces`: the receipt,
/// failure or return notice for the payer, the matching notification for the merchant's
/// support address. `None` when there is nobody to send it to (no payer email, no support
/// address).
pub async fn payment_email(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
    announces: PaymentStatus,
    recipient: Recipient,
) -> Result<Option<OutgoingEmail>, ConfirmError> {
    let payment = payments::get(db, merchant, payment).await?;
    let Some(branding) = merchant_branding(db, merchant).await? else {
        return Err(PaymentError::NotFound.into());
    };
    let invoices: String = payment
        .allocations
        .iter()
        .map(|allocation| {
            format!(
                "  Invoice {}: {}\n",
                allocation.invoice_number, allocation.amount
            )
        })
        .collect();
    let body = format!(
        "Confirmation number: {id}\nAmount: {amount}\nPaid with: {label}\n{status}\n\nInvoices:\n{invoices}",
        id = payment.id,
        amount = payment.amount,
        label = payment.instrument_label.as_deref().unwrap_or_default(),
        status = status_sentence(&payment, announces),
    );
    let (customer_subject, merchant_subject) = match announces {
        PaymentStatus::Returned => (
            format!("Your payment to {} was returned", branding.display_name),
            format!("Payment returned: {}", payment.amount),
        ),
        PaymentStatus::Failed => (
            format!(
                "Your payment to {} did not go through",
                branding.display_name
            ),
            format!("Payment failed: {}", payment.amount),
        ),
        PaymentStatus::Pending
        | PaymentStatus::Processing
        | PaymentStatus::Succeeded
        | PaymentStatus::Refunded => (
            format!("Receipt for your payment to {}", branding.display_name),
            format!("Payment received: {}", payment.amount),
        ),
    };
    Ok(match recipient {
        Recipient::Payer => addressed(&branding, &payment, recipient, customer_subject, body),
        Recipient::Merchant => {
            let body = format!(
                "{body}\nPaid by: {}\n",
                payment.payer_email.as_deref().unwrap_or_default()
            );
            addressed(&branding, &payment, recipient, merchant_subject, body)
        }
    })
}

/// An email about `payment` to one side: to the payer from the merchant's name, answered by
/// its support address; to the merchant's support address from Portico, answered by the
/// payer. `None` when that side has no address.
pub(crate) fn addressed(
    branding: &MerchantBranding,
    payment: &Payment,
    recipient: Recipient,
    subject: String,
    body: String,
) -> Option<OutgoingEmail> {
    let (sender_name, to, reply_to) = match recipient {
        Recipient::Payer => (
            branding.display_name.clone(),
            payment.payer_email.clone()?,
            branding.support_email.clone(),
        ),
        Recipient::Merchant => (
            "Portico".to_owned(),
            branding.support_email.clone()?,
            payment.payer_email.clone(),
        ),
    };
    Some(OutgoingEmail {
        sender_name,
        to,
        reply_to,
        subject,
        body,
        html_body: None,
        send_before: None,
    })
}

pub(crate) async fn merchant_branding(
    db: &Database,
    merchant: MerchantId,
) -> Result<Option<MerchantBranding>, ConfirmError> {
    let Some(slug) = merchants::slug_of(db, merchant).await? else {
        return Ok(None);
    };
    Ok(merchants::find(db, &slug)
        .await?
        .map(|(_, branding)| branding))
}

/// The instrument's holder type, for the ACH entry class and the PAD category.
pub fn holder_of(instrument: &Instrument) -> Option<crate::domain::bank::HolderType> {
    match instrument {
        Instrument::Bank { holder, .. } => Some(*holder),
        Instrument::Card { .. } => None,
    }
}
