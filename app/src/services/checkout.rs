//! Paying a checkout: the payment is recorded exactly once (its idempotency key, the balances
//! re-checked in its transaction), then the processor is asked to move the money, keyed by the
//! payment so that a retry never moves it twice. Bank debits are followed until they settle or
//! come back. The customer gets a receipt and the merchant a notification.

use crate::domain::checkout::{Checkout, Instrument};
use crate::domain::email::EmailAddress;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::{CustomerId, MerchantId};
use crate::domain::merchant::MerchantBranding;
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::services::Database;
use crate::services::bank_accounts::{self, BankAccountError};
use crate::services::clock::{date_for_people, date_text, parse_date};
use crate::services::keys::Keys;
use crate::services::mail::{MailError, MailFrom, Mailer};
use crate::services::merchants;
use crate::services::payments::{
    self, NewAllocation, NewAuthorization, NewPayment, Outcome, Payment, PaymentDetails,
    PaymentError, Recorded,
};
use crate::services::processors::{
    ChargeOutcome, DebitAccount, DebitResolution, PaymentProcessor, Processor, ProcessorError,
    ResolvedDebit,
};
use crate::services::saved_cards;
use lettre::Message;
use lettre::message::Mailbox;

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("the checkout is missing its invoices, method or payment details")]
    Incomplete,
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
}

/// What paying needs besides the database.
#[derive(Debug, Clone)]
pub struct PaymentServices {
    pub db: Database,
    pub processor: Processor,
    pub keys: Keys,
    pub mailer: Mailer,
    pub from: MailFrom,
}

/// A confirm from step 8.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub merchant: MerchantId,
    pub branding: MerchantBranding,
    pub customer: CustomerId,
    pub payer_email: EmailAddress,
    pub checkout: Checkout,
    pub key: IdempotencyKey,
    /// The authorization text exactly as step 8 showed it.
    pub authorization_text: String,
    pub client_address: String,
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
) -> Result<Payment, ConfirmError> {
    let services = services.clone();
    tokio::spawn(async move { confirm_to_the_end(&services, confirmation).await })
        .await
        .map_err(|error| ConfirmError::Interrupted(error.to_string()))?
}

async fn confirm_to_the_end(
    services: &PaymentServices,
    confirmation: Confirmation,
) -> Result<Payment, ConfirmError> {
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
            instrument: Some(instrument.reference().to_owned()),
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
    let recorded = payments::record(&services.db, confirmation.merchant, &new).await?;
    let payment = match recorded {
        Recorded::New(payment) | Recorded::Replayed(payment) => payment,
    };
    if payment.status != PaymentStatus::Pending {
        return Ok(payment);
    }
    // A replay of a payment still pending (its first request failed half way) drives it on:
    // every processor call is keyed by the payment, so nothing is charged twice.
    let driven = drive(services, confirmation.merchant, payment).await?;
    if driven.moved {
        if driven.payment.status == PaymentStatus::Succeeded
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
            tracing::error!(%error, "saving a card after its charge");
        }
        // After the answer, not before it: the payment stands whether or not mail goes out.
        let (services, branding, sent) = (
            services.clone(),
            confirmation.branding,
            driven.payment.clone(),
        );
        tokio::spawn(async move { send_payment_emails(&services, &branding, &sent).await });
    }
    Ok(driven.payment)
}

/// A payment pending for this long without reaching the processor is given up: it fails and
/// its invoices owe the money again.
const PENDING_DEADLINE: time::Duration = time::Duration::hours(1);

/// Drives on the payments left `pending` by a confirm that never finished (a crash, a
/// processor that did not answer): each is charged or debited as its confirm would have, keyed
/// by the payment, and its emails are sent. One that still cannot be driven after
/// [`PENDING_DEADLINE`] fails. Returns how many moved on.
pub async fn finish_stale_pending(services: &PaymentServices) -> Result<usize, ConfirmError> {
    let db = &services.db;
    let mut finished = 0;
    for (merchant, payment) in payments::stale_pending(db, time::Duration::minutes(2)).await? {
        let payment = payments::get(db, merchant, payment).await?;
        let driven = match drive(services, merchant, payment.clone()).await {
            Ok(driven) => driven,
            Err(error) if payments::is_older_than(&payment, PENDING_DEADLINE) => {
                tracing::error!(%error, payment = %payment.id, "giving up a pending payment");
                let outcome = Outcome {
                    failure_reason: Some("The payment could not be completed.".to_owned()),
                    ..Outcome::default()
                };
                match payments::transition(
                    db,
                    merchant,
                    payment.id,
                    PaymentStatus::Failed,
                    &outcome,
                )
                .await
                {
                    Ok(failed) => Driven {
                        payment: failed,
                        moved: true,
                    },
                    Err(error) => {
                        tracing::error!(%error, "failing a pending payment");
                        continue;
                    }
                }
            }
            Err(error) => {
                tracing::error!(%error, payment = %payment.id, "finishing a pending payment");
                continue;
            }
        };
        if driven.moved {
            finished += 1;
            if let Some(branding) = merchant_branding(db, merchant).await {
                send_payment_emails(services, &branding, &driven.payment).await;
            }
        }
    }
    Ok(finished)
}

/// A payment after `drive`, and whether this call moved it (and so owes its emails).
struct Driven {
    payment: Payment,
    moved: bool,
}

async fn drive(
    services: &PaymentServices,
    merchant: MerchantId,
    payment: Payment,
) -> Result<Driven, ConfirmError> {
    let db = &services.db;
    let instrument = payment.instrument.clone().ok_or(ConfirmError::Incomplete)?;
    let (next, outcome) = match payment.method {
        PaymentMethodKind::Card => {
            match services
                .processor
                .charge_card(merchant, payment.id, &instrument, payment.amount)
                .await?
            {
                ChargeOutcome::Succeeded { reference } => (
                    PaymentStatus::Succeeded,
                    Outcome {
                        processor_reference: Some(reference),
                        ..Outcome::default()
                    },
                ),
                ChargeOutcome::Declined { reference, reason } => (
                    PaymentStatus::Failed,
                    Outcome {
                        processor_reference: Some(reference),
                        failure_reason: Some(reason),
                        ..Outcome::default()
                    },
                ),
            }
        }
        PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => {
            let (routing, account) =
                bank_accounts::reveal(db, &services.keys, merchant, &instrument).await?;
            let started = services
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
                .await?;
            (
                PaymentStatus::Processing,
                Outcome {
                    processor_reference: Some(started.reference),
                    settles_on: Some(date_text(started.settles_on)),
                    ..Outcome::default()
                },
            )
        }
        PaymentMethodKind::Installments => {
            return Err(ProcessorError::UnsupportedMethod(payment.method).into());
        }
    };
    match payments::transition(db, merchant, payment.id, next, &outcome).await {
        Ok(payment) => Ok(Driven {
            payment,
            moved: true,
        }),
        // A concurrent replay of the same confirm got there first: its result stands.
        Err(PaymentError::InvalidTransition { .. }) => Ok(Driven {
            payment: payments::get(db, merchant, payment.id).await?,
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
                tracing::error!(%error, payment = %debit.payment, "applying a bank debit's result");
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
        payment = drive(services, debit.merchant, payment).await?.payment;
    }
    let (next, outcome) = match debit.resolution {
        DebitResolution::Settled => (PaymentStatus::Succeeded, Outcome::default()),
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
        ),
    };
    // Before the status: blocking is idempotent, so a result redelivered after a failure here
    // blocks the account then.
    if let DebitResolution::Returned(code) = debit.resolution
        && code.blocks_account()
        && let Some(account) = &payment.instrument
    {
        bank_accounts::block(db, debit.merchant, account, code.code()).await?;
    }
    if payment.status == next {
        // Applied already (by another instance, or before an acknowledgement was lost).
        return Ok(());
    }
    let payment =
        match payments::transition(db, debit.merchant, debit.payment, next, &outcome).await {
            Ok(payment) => payment,
            Err(PaymentError::InvalidTransition { from, .. }) if from == next => return Ok(()),
            Err(error) => return Err(error.into()),
        };
    match debit.resolution {
        DebitResolution::Settled => report.settled += 1,
        DebitResolution::Returned(_) => {
            report.returned += 1;
            match merchant_branding(db, debit.merchant).await {
                Some(branding) => send_payment_emails(services, &branding, &payment).await,
                None => {
                    tracing::error!(merchant = %debit.merchant, "a returned payment's merchant is unknown")
                }
            }
        }
    }
    Ok(())
}

async fn merchant_branding(db: &Database, merchant: MerchantId) -> Option<MerchantBranding> {
    let slug = merchants::slug_of(db, merchant).await.ok()??;
    merchants::find(db, &slug)
        .await
        .ok()?
        .map(|(_, branding)| branding)
}

/// What a payment's emails say about where the money is.
fn status_sentence(payment: &Payment) -> String {
    let settles = payment
        .settles_on
        .as_deref()
        .and_then(|text| parse_date(text).ok())
        .map(date_for_people)
        .unwrap_or_default();
    match payment.status {
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
            format!("Status: {}.", payment.status.code())
        }
    }
}

/// The receipt (or return notice) for the payer, and the matching notification for the
/// merchant's support address. Failures are logged: the payment stands either way.
async fn send_payment_emails(
    services: &PaymentServices,
    branding: &MerchantBranding,
    payment: &Payment,
) {
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
        status = status_sentence(payment),
    );
    let (customer_subject, merchant_subject) = match payment.status {
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
        _ => (
            format!("Receipt for your payment to {}", branding.display_name),
            format!("Payment received: {}", payment.amount),
        ),
    };
    if let Some(payer) = &payment.payer_email
        && let Err(error) = send(
            services,
            &branding.display_name,
            payer,
            branding.support_email.as_deref(),
            &customer_subject,
            &body,
        )
        .await
    {
        tracing::error!(%error, payment = %payment.id, "sending a payment email to the customer");
    }
    if let Some(support) = &branding.support_email {
        let merchant_body = format!(
            "{body}\nPaid by: {}\n",
            payment.payer_email.as_deref().unwrap_or_default()
        );
        if let Err(error) = send(
            services,
            "Portico",
            support,
            payment.payer_email.as_deref(),
            &merchant_subject,
            &merchant_body,
        )
        .await
        {
            tracing::error!(%error, payment = %payment.id, "sending a payment email to the merchant");
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum SendError {
    #[error("an address cannot be written in an email header")]
    Address(#[from] lettre::address::AddressError),
    #[error("the email could not be built")]
    Message(#[from] lettre::error::Error),
    #[error(transparent)]
    Mail(#[from] MailError),
}

async fn send(
    services: &PaymentServices,
    sender_name: &str,
    to: &str,
    reply_to: Option<&str>,
    subject: &str,
    body: &str,
) -> Result<(), SendError> {
    let mut message = Message::builder()
        .from(Mailbox::new(
            Some(sender_name.to_owned()),
            services.from.0.email.clone(),
        ))
        .to(Mailbox::new(None, to.parse()?))
        .subject(subject);
    if let Some(reply_to) = reply_to {
        message = message.reply_to(Mailbox::new(None, reply_to.parse()?));
    }
    services.mailer.send(message.body(body.to_owned())?).await?;
    Ok(())
}

/// The instrument's holder type, for the ACH entry class and the PAD category.
pub fn holder_of(instrument: &Instrument) -> Option<crate::domain::bank::HolderType> {
    match instrument {
        Instrument::Bank { holder, .. } => Some(*holder),
        Instrument::Card { .. } => None,
    }
}
