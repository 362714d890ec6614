//! Manual reconciliation: a bookkeeper marks payments as recorded in the merchant's books (or
//! takes the mark back). Payments an accounting connection follows (`queued`, `synced`,
//! `failed`) are left to it.

use crate::domain::ids::{MerchantId, PaymentId};
use crate::domain::payment::PaymentStatus;
use crate::domain::reconciliation::Reconciliation;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::database::numbered_placeholders;

/// At most this many payments are marked by one request (a page of the list).
pub const MAX_SELECTION: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("no such payment at this merchant")]
    NotFound,
    #[error("the payment is {}: its accounting connection keeps it", .0.code())]
    Automatic(Reconciliation),
    /// Only money that arrived is recorded in the books: a pending, failed or returned
    /// payment is not marked reconciled (a refunded one is, with its refund).
    #[error("the payment is {}, not succeeded or refunded", .0.code())]
    NotSettled(PaymentStatus),
    #[error("too many payments at once")]
    TooMany,
    #[error("reconciliation storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Which way a mark goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Reconciled,
    Unreconciled,
}

/// Marks `payments` of `merchant`; `by` is who did it (kept with a `reconciled` mark).
/// Payments already so are left as they were (a reconciled payment keeps its first who and
/// when), so marking twice is harmless. Returns how many changed. Any id that is not the
/// merchant's, whose state an accounting connection owns, or (marking reconciled) that has
/// not succeeded, refuses the whole request.
pub async fn mark(
    db: &Database,
    merchant: MerchantId,
    payments: &[PaymentId],
    mark: Mark,
    by: &str,
) -> Result<u64, ReconcileError> {
    if payments.len() > MAX_SELECTION {
        return Err(ReconcileError::TooMany);
    }
    if payments.is_empty() {
        return Ok(0);
    }
    let placeholders = numbered_placeholders(2, payments.len());
    let sql = format!(
        "SELECT id, reconciliation, status FROM payments WHERE merchant_id = $1 AND id IN ({placeholders})"
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql).bind(merchant.to_string());
    for payment in payments {
        query = query.bind(payment.to_string());
    }
    let found = query.fetch_all(db.pool()).await?;
    let mut distinct: Vec<String> = payments.iter().map(ToString::to_string).collect();
    distinct.sort();
    distinct.dedup();
    if found.len() != distinct.len() {
        return Err(ReconcileError::NotFound);
    }
    if let Some(automatic) = found
        .iter()
        .filter_map(|(_, state, _)| Reconciliation::parse(state).ok())
        .find(|state| !state.is_manual())
    {
        return Err(ReconcileError::Automatic(automatic));
    }
    if mark == Mark::Reconciled
        && let Some(unsettled) = found
            .iter()
            .filter_map(|(_, _, status)| PaymentStatus::parse(status).ok())
            .find(|status| !status.is_booked())
    {
        return Err(ReconcileError::NotSettled(unsettled));
    }
    let (to, from) = match mark {
        Mark::Reconciled => (Reconciliation::Reconciled, Reconciliation::Unreconciled),
        Mark::Unreconciled => (Reconciliation::Unreconciled, Reconciliation::Reconciled),
    };
    let (who, when) = match mark {
        Mark::Reconciled => (Some(by.to_owned()), Some(timestamp_text(now()))),
        Mark::Unreconciled => (None, None),
    };
    // The state guard is in the UPDATE: a connection that took a payment over meanwhile
    // keeps it.
    let placeholders = numbered_placeholders(6, distinct.len());
    let sql = format!(
        "UPDATE payments SET reconciliation = $2, reconciled_by = $3, reconciled_at = $4 \
         WHERE merchant_id = $1 AND reconciliation = $5 AND id IN ({placeholders})"
    );
    let mut update = sqlx::query(&sql)
        .bind(merchant.to_string())
        .bind(to.code())
        .bind(who)
        .bind(when)
        .bind(from.code());
    for id in &distinct {
        update = update.bind(id.clone());
    }
    Ok(update.execute(db.writer()).await?.rows_affected())
}
