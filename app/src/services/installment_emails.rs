//! The emails an installment plan sends besides each payment's own receipt: the reminder (or
//! PAD pre-debit notice) before a collection, the retry after a short one, the request for
//! another card or account, and the end of a plan left unpaid. Each is a job queued with the
//! change that calls for it and written from the plan when it is sent.

use crate::domain::ids::{MerchantId, PlanId};
use crate::domain::installment_agreement::notice_days;
use crate::domain::installment_plan::RETRY_INTERVAL_DAYS;
use crate::domain::payment::PaymentMethodKind;
use crate::services::Database;
use crate::services::checkout::{ConfirmError, merchant_branding};
use crate::services::clock::date_for_people;
use crate::services::installment_plans::{self, PlanError};
use crate::services::jobs::{InstallmentNotice, OutgoingEmail};
use crate::services::payments::PaymentError;

/// The email `notice` calls for about installment `position` of `plan`, or `None` when there
/// is nobody to send it to (a merchant without a support address).
pub async fn installment_email(
    db: &Database,
    merchant: MerchantId,
    plan: PlanId,
    position: u32,
    notice: InstallmentNotice,
) -> Result<Option<OutgoingEmail>, ConfirmError> {
    let Some(branding) = merchant_branding(db, merchant).await? else {
        return Err(PaymentError::NotFound.into());
    };
    let plan = installment_plans::get(db, merchant, plan).await?;
    let installment = plan
        .installments
        .get(position as usize)
        .ok_or(PlanError::NotFound)?;
    let payer_email = installment_plans::payer_email(db, merchant, plan.id).await?;
    let merchant_name = &branding.display_name;
    let contact = branding
        .support_email
        .clone()
        .unwrap_or_else(|| merchant_name.clone());
    let left: Vec<String> = plan
        .installments
        .iter()
        .filter(|later| later.position >= position)
        .map(|later| format!("  {}: {}", date_for_people(later.due_on), later.amount))
        .collect();
    let due = date_for_people(installment.due_on);
    let (subject, body) = match notice {
        InstallmentNotice::Reminder => {
            let what = match plan.method {
                PaymentMethodKind::CaPad => "Pre-debit notice",
                PaymentMethodKind::UsAch | PaymentMethodKind::CaEft | PaymentMethodKind::Card => {
                    "Reminder"
                }
            };
            let date = installment.next_attempt_on.unwrap_or(installment.due_on);
            (
                format!(
                    "{what}: {} will be collected on {}",
                    installment.amount,
                    date_for_people(date)
                ),
                format!(
                    "{merchant_name} will collect installment {number} of {count} of your plan, \
                     {amount}, from {label} on {date} ({days} days' notice, as your agreement \
                     says).\n\nPayments still to come:\n{left}\n\nTo collect it from another \
                     card, sign in where you pay {merchant_name} and choose Change payment method \
                     under your installment plan; to cancel, write to {contact} at least 3 \
                     business days before.",
                    number = position + 1,
                    count = plan.installments.len(),
                    amount = installment.amount,
                    label = plan.instrument_label,
                    date = date_for_people(date),
                    days = notice_days(plan.method),
                    left = left.join("\n"),
                ),
            )
        }
        InstallmentNotice::RetryScheduled => {
            let retry = installment
                .next_attempt_on
                .map(date_for_people)
                .unwrap_or_else(|| due.clone());
            (
                format!(
                    "Your installment of {} did not go through",
                    installment.amount
                ),
                format!(
                    "The installment of {amount} due on {due} could not be collected from \
                     {label}: there were not enough funds. It will be tried again on {retry} \
                     (payments that fall short are tried up to 2 more times, {days} days \
                     apart). Please make sure the funds are there.",
                    amount = installment.amount,
                    label = plan.instrument_label,
                    days = RETRY_INTERVAL_DAYS,
                ),
            )
        }
        InstallmentNotice::NeedsNewMethod => {
            let until = installment
                .next_attempt_on
                .map(date_for_people)
                .unwrap_or_else(|| due.clone());
            (
                format!("Your installment plan with {merchant_name} needs another card or account"),
                format!(
                    "The installment of {amount} due on {due} could not be collected: \
                     {label} can no longer be used. To keep your plan, choose another \
                     card by {until}: open the link you pay {merchant_name} from, sign in, and \
                     choose Change payment method under your installment plan (or write to \
                     {contact}). Without one, \
                     the plan ends on that date and what it had still to collect is owed at \
                     once.",
                    amount = installment.amount,
                    label = plan.instrument_label,
                ),
            )
        }
        InstallmentNotice::Delinquent => (
            format!("Your installment plan with {merchant_name} has ended unpaid"),
            format!(
                "The installment of {amount} due on {due} could not be collected, so your plan \
                 has ended. What it had still to collect is owed again on your invoices; you \
                 can pay it from your billing link, or write to {contact}.",
                amount = installment.amount,
            ),
        ),
        InstallmentNotice::MethodChanged => (
            format!(
                "Your installment plan with {merchant_name} now uses {}",
                plan.instrument_label
            ),
            format!(
                "As you asked, the rest of your installment plan is collected from {label}.\n\n\
                 Payments still to come:\n{left}\n\nIf you did not make this change, write to \
                 {contact} at once.",
                label = plan.instrument_label,
                left = left.join("\n"),
            ),
        ),
        InstallmentNotice::DelinquentToMerchant => (
            format!("Installment plan delinquent: {}", installment.amount),
            format!(
                "A customer's installment plan ({total} over {days} days, from {label}) became \
                 delinquent: the installment of {amount} due on {due} could not be collected. \
                 What the plan had still to collect is owed again on its invoices.\n\nPlan: \
                 {id}",
                total = plan.total,
                days = plan.term_days,
                label = plan.instrument_label,
                amount = installment.amount,
                id = plan.id,
            ),
        ),
    };
    let to = match notice {
        InstallmentNotice::DelinquentToMerchant => branding.support_email.clone(),
        InstallmentNotice::Reminder
        | InstallmentNotice::RetryScheduled
        | InstallmentNotice::NeedsNewMethod
        | InstallmentNotice::Delinquent
        | InstallmentNotice::MethodChanged => Some(payer_email),
    };
    Ok(to.map(|to| OutgoingEmail {
        sender_name: match notice {
            InstallmentNotice::DelinquentToMerchant => "Portico".to_owned(),
            InstallmentNotice::Reminder
            | InstallmentNotice::RetryScheduled
            | InstallmentNotice::NeedsNewMethod
            | InstallmentNotice::Delinquent
            | InstallmentNotice::MethodChanged => merchant_name.clone(),
        },
        to,
        reply_to: branding.support_email.clone(),
        subject,
        body,
        html_body: None,
        send_before: None,
    }))
}
