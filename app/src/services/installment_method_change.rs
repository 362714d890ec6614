//! Changing the card or account a plan's future installments are collected from. The change,
//! the authorization the customer gave for it and the email that confirms it are one
//! transaction; an installment that was waiting for a new method is scheduled again on it.

use crate::domain::checkout::Instrument;
use crate::domain::ids::{CustomerId, MerchantId, PlanId};
use crate::domain::installment_plan::{InstallmentStatus, PlanStatus};
use crate::domain::payment::PaymentMethodKind;
use crate::services::Database;
use crate::services::clock::{date_text, now, parse_date, timestamp_text};
use crate::services::installment_plans::{PlanError, customer_plan, notify};
use crate::services::jobs::InstallmentNotice;
use crate::services::payments::NewAuthorization;
use time::Date;

/// Why a plan's method cannot be changed; each is said to the customer as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MethodChangeRefusal {
    #[error("This installment plan is not yours, or no longer exists.")]
    NotFound,
    #[error("This installment plan has ended: nothing is left to collect.")]
    NotActive,
}

/// A new card or account for the rest of a plan, and the authorization for it.
#[derive(Debug, Clone)]
pub struct MethodChange {
    pub method: PaymentMethodKind,
    pub instrument: Instrument,
    pub authorization: NewAuthorization,
}

/// Collects every installment of `customer`'s active plan still to come from the new
/// instrument. Installments awaiting a method are scheduled again, on their date or on `today`
/// if it passed; reminders already sent are sent again, naming the new instrument.
pub async fn change_method(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    plan: PlanId,
    change: MethodChange,
    today: Date,
) -> Result<Result<(), MethodChangeRefusal>, PlanError> {
    db.write(move |connection| {
        Box::pin(async move {
            let Some((status, _, previous_label)) =
                customer_plan(connection, merchant, customer, plan).await?
            else {
                return Ok(Err(MethodChangeRefusal::NotFound));
            };
            if status != PlanStatus::Active {
                return Ok(Err(MethodChangeRefusal::NotActive));
            }
            let stamp = timestamp_text(now());
            let label = change.instrument.label();
            sqlx::query(
                "UPDATE installment_plans SET method = $1, instrument = $2, instrument_label = $3, \
                 updated_at = $4 WHERE merchant_id = $5 AND id = $6",
            )
            .bind(change.method.code())
            .bind(change.instrument.reference())
            .bind(&label)
            .bind(&stamp)
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .execute(&mut *connection)
            .await?;
            sqlx::query(
                "INSERT INTO installment_plan_method_changes (id, merchant_id, plan_id, method, \
                 instrument_label, previous_label, authorization_text, client_address, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .bind(change.method.code())
            .bind(&label)
            .bind(&previous_label)
            .bind(&change.authorization.text)
            .bind(&change.authorization.client_address)
            .bind(&stamp)
            .execute(&mut *connection)
            .await?;
            let waiting: Vec<(i64, String)> = sqlx::query_as(
                "SELECT position, due_on FROM installments \
                 WHERE merchant_id = $1 AND plan_id = $2 AND status = $3",
            )
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .bind(InstallmentStatus::AwaitingMethod.code())
            .fetch_all(&mut *connection)
            .await?;
            for (position, due_on) in waiting {
                let due_on = parse_date(&due_on)
                    .map_err(|error| PlanError::CorruptRow(format!("due_on: {error}")))?;
                sqlx::query(
                    "UPDATE installments SET status = $1, next_attempt_on = $2, updated_at = $3 \
                     WHERE plan_id = $4 AND position = $5",
                )
                .bind(InstallmentStatus::Scheduled.code())
                .bind(date_text(due_on.max(today)))
                .bind(&stamp)
                .bind(plan.to_string())
                .bind(position)
                .execute(&mut *connection)
                .await?;
            }
            sqlx::query(
                "UPDATE installments SET reminded_on = NULL \
                 WHERE merchant_id = $1 AND plan_id = $2 AND status = $3",
            )
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .bind(InstallmentStatus::Scheduled.code())
            .execute(&mut *connection)
            .await?;
            let next: Option<(i64,)> = sqlx::query_as(
                "SELECT position FROM installments WHERE merchant_id = $1 AND plan_id = $2 \
                 AND status = $3 ORDER BY position LIMIT 1",
            )
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .bind(InstallmentStatus::Scheduled.code())
            .fetch_optional(&mut *connection)
            .await?;
            if let Some((position,)) = next {
                let position = u32::try_from(position)
                    .map_err(|error| PlanError::CorruptRow(format!("position: {error}")))?;
                notify(
                    connection,
                    merchant,
                    plan,
                    position,
                    &[InstallmentNotice::MethodChanged],
                )
                .await?;
            }
            Ok(Ok(()))
        })
    })
    .await
}
