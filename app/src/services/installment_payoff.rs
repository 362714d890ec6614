//! Paying off the rest of a plan early: every installment still scheduled becomes due today,
//! so the worker's ordinary collection (claimed once, charged once, allocated as agreed) takes
//! it from the plan's instrument, and the plan completes as any plan does.

use crate::domain::ids::{CustomerId, MerchantId, PlanId};
use crate::domain::installment_plan::{InstallmentStatus, PlanStatus};
use crate::domain::money::Money;
use crate::services::Database;
use crate::services::clock::{date_text, now, timestamp_text};
use crate::services::installment_plans::{PlanError, customer_plan};
use time::Date;

/// Why a plan cannot be paid off now; each is said to the customer as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayOffRefusal {
    #[error("This installment plan is not yours, or no longer exists.")]
    NotFound,
    #[error("This installment plan has ended: there is nothing left to pay off.")]
    NotActive,
    #[error(
        "Your card or bank account was refused for this plan: change the payment method first."
    )]
    AwaitingMethod,
    #[error("Nothing is left to pay off: every installment is collected or under way.")]
    NothingLeft,
    #[error("The amount left is now {left}: check it and pay off again.")]
    AmountChanged { left: Money },
}

/// Makes every scheduled installment of `customer`'s active plan due on `today`, provided
/// what they add up to is still `expected` (what the page showed); returns that amount. The
/// caller then collects what is due.
pub async fn pay_off(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    plan: PlanId,
    expected: Money,
    today: Date,
) -> Result<Result<Money, PayOffRefusal>, PlanError> {
    db.write(move |connection| {
        Box::pin(async move {
            let Some((status, currency, _)) =
                customer_plan(connection, merchant, customer, plan).await?
            else {
                return Ok(Err(PayOffRefusal::NotFound));
            };
            if status != PlanStatus::Active {
                return Ok(Err(PayOffRefusal::NotActive));
            }
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT status, amount_minor FROM installments \
                 WHERE merchant_id = $1 AND plan_id = $2",
            )
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .fetch_all(&mut *connection)
            .await?;
            if rows
                .iter()
                .any(|(status, _)| status == InstallmentStatus::AwaitingMethod.code())
            {
                return Ok(Err(PayOffRefusal::AwaitingMethod));
            }
            let left_minor: i64 = rows
                .iter()
                .filter(|(status, _)| status == InstallmentStatus::Scheduled.code())
                .map(|(_, amount)| amount)
                .sum();
            if left_minor == 0 {
                return Ok(Err(PayOffRefusal::NothingLeft));
            }
            let left = Money::from_minor_units(left_minor, currency)?;
            if left != expected {
                return Ok(Err(PayOffRefusal::AmountChanged { left }));
            }
            sqlx::query(
                "UPDATE installments SET next_attempt_on = $1, updated_at = $2 \
                 WHERE merchant_id = $3 AND plan_id = $4 AND status = $5",
            )
            .bind(date_text(today))
            .bind(timestamp_text(now()))
            .bind(merchant.to_string())
            .bind(plan.to_string())
            .bind(InstallmentStatus::Scheduled.code())
            .execute(&mut *connection)
            .await?;
            Ok(Ok(left))
        })
    })
    .await
}
