//! A payment's status history: each status it reached, when, and why when it failed or came
//! back. Recorded by the payment's own writes (its creation and [`StatusChange`]), in their
//! transactions, so the history and the status can never disagree.
//!
//! [`StatusChange`]: crate::services::payments::StatusChange

use crate::domain::ids::{MerchantId, PaymentId};
use crate::domain::payment::PaymentStatus;
use crate::services::Database;
use sqlx::AnyConnection;

/// One status reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    pub status: PaymentStatus,
    pub detail: Option<String>,
    pub at: String,
}

/// Records that `payment` reached `status` at `at`, inside the caller's transaction.
pub(crate) async fn record(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    payment: PaymentId,
    status: PaymentStatus,
    detail: Option<&str>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_events (merchant_id, payment_id, status, detail, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .bind(status.code())
    .bind(detail)
    .bind(at)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// `merchant`'s payment's history, oldest first; another merchant's payment has none. A
/// payment changes status a handful of times, so it is read whole (capped all the same).
pub async fn of_payment(
    db: &Database,
    merchant: MerchantId,
    payment: PaymentId,
) -> Result<Vec<PaymentEvent>, sqlx::Error> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT status, detail, at FROM payment_events WHERE merchant_id = $1 AND payment_id = $2 \
         ORDER BY at, status LIMIT 100",
    )
    .bind(merchant.to_string())
    .bind(payment.to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(status, detail, at)| {
            Some(PaymentEvent {
                status: PaymentStatus::parse(&status).ok()?,
                detail,
                at,
            })
        })
        .collect())
}
