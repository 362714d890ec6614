//! The dashboard's overview of a merchant's money: what is owed, overdue, on its way and
//! collected this month, per currency, and the payments that need someone's attention.

use crate::domain::ids::MerchantId;
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::PaymentStatus;
use crate::domain::reconciliation::Reconciliation;
use crate::services::Database;
use crate::services::clock::{date_text, day_start_text};
use crate::services::invoices::{self, InvoiceError};
use crate::services::payments::{self, Payment, PaymentError};
use crate::services::refunds::{self, Refund, RefundError, RefundStatus};
use time::Date;

/// How far back a failed or returned payment is still shown as needing attention.
pub const ATTENTION_DAYS: i64 = 30;

/// How many failed and how many returned payments the overview lists.
const ATTENTION_SHOWN: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum OverviewError {
    #[error(transparent)]
    Invoices(#[from] InvoiceError),
    #[error(transparent)]
    Payments(#[from] PaymentError),
    #[error(transparent)]
    Refunds(#[from] RefundError),
    #[error("a stored amount is invalid: {0}")]
    CorruptRow(String),
    #[error("overview storage failed")]
    Storage(#[from] sqlx::Error),
}

impl From<MoneyError> for OverviewError {
    fn from(error: MoneyError) -> Self {
        Self::CorruptRow(error.to_string())
    }
}

/// The figures of one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyFigures {
    pub currency: Currency,
    /// What open invoices still owe (less what payments on their way and plans cover).
    pub outstanding: Money,
    /// Of it, what invoices past their due date owe.
    pub overdue: Money,
    /// Bank debits and payments not yet settled.
    pub processing: Money,
    /// Payments settled since the first of this month (UTC), before refunds.
    pub collected_this_month: Money,
    /// What refunds gave back since the first of this month, of payments of any month.
    pub refunded_this_month: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// One entry per currency the merchant has seen, in code order.
    pub figures: Vec<CurrencyFigures>,
    /// Succeeded payments nobody has recorded in the books yet.
    pub unreconciled: i64,
    /// Payments the connected accounting software refused for good: a person must look.
    pub accounting_failed: i64,
    /// Payments that failed or came back in the last [`ATTENTION_DAYS`] days, latest first.
    pub failed: Vec<Payment>,
    pub returned: Vec<Payment>,
    /// Refunds the processor has not answered yet, the oldest first.
    pub waiting_refunds: Vec<Refund>,
    /// More refunds are waiting than are listed.
    pub more_waiting_refunds: bool,
}

pub async fn of(
    db: &Database,
    merchant: MerchantId,
    today: Date,
) -> Result<Overview, OverviewError> {
    let outstanding = invoices::merchant_outstanding_totals(db, merchant).await?;
    let overdue = invoices::overdue_totals(db, merchant, today).await?;
    let processing =
        payment_sums(db, merchant, "status IN ('pending', 'processing')", None).await?;
    let month_start = today.replace_day(1).unwrap_or(today);
    // A settled bank debit counts on its settlement day, a card payment on the day it was made;
    // one refunded since counts all the same, and its refund on the day it went through.
    let collected = payment_sums(
        db,
        merchant,
        "status IN ('succeeded', 'refunded') AND COALESCE(settles_on, SUBSTR(created_at, 1, 10)) >= $2",
        Some(date_text(month_start)),
    )
    .await?;
    let refunded = refund_sums(db, merchant, month_start).await?;

    let mut currencies: Vec<Currency> =
        [&outstanding, &overdue, &processing, &collected, &refunded]
            .into_iter()
            .flatten()
            .map(Money::currency)
            .collect();
    currencies.sort_by_key(|currency| currency.code());
    currencies.dedup();
    let amount_in = |sums: &[Money], currency: Currency| {
        sums.iter()
            .copied()
            .find(|money| money.currency() == currency)
            .unwrap_or_else(|| Money::zero(currency))
    };
    let figures = currencies
        .into_iter()
        .map(|currency| CurrencyFigures {
            currency,
            outstanding: amount_in(&outstanding, currency),
            overdue: amount_in(&overdue, currency),
            processing: amount_in(&processing, currency),
            collected_this_month: amount_in(&collected, currency),
            refunded_this_month: amount_in(&refunded, currency),
        })
        .collect();

    let (unreconciled,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payments WHERE merchant_id = $1 AND reconciliation = $2 AND status IN ('succeeded', 'refunded')",
    )
    .bind(merchant.to_string())
    .bind(Reconciliation::Unreconciled.code())
    .fetch_one(db.pool())
    .await?;
    let (accounting_failed,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payments WHERE merchant_id = $1 AND reconciliation = $2",
    )
    .bind(merchant.to_string())
    .bind(Reconciliation::Failed.code())
    .fetch_one(db.pool())
    .await?;
    let since = today - time::Duration::days(ATTENTION_DAYS);
    let mut waiting_refunds = refunds::waiting(db, merchant, ATTENTION_SHOWN + 1).await?;
    let more_waiting_refunds = waiting_refunds.len() > ATTENTION_SHOWN as usize;
    waiting_refunds.truncate(ATTENTION_SHOWN as usize);
    Ok(Overview {
        figures,
        unreconciled,
        accounting_failed,
        failed: recent(db, merchant, PaymentStatus::Failed, since).await?,
        returned: recent(db, merchant, PaymentStatus::Returned, since).await?,
        waiting_refunds,
        more_waiting_refunds,
    })
}

/// What the merchant's payments matching `condition` (which may use `$2`) brought in, per
/// currency.
async fn payment_sums(
    db: &Database,
    merchant: MerchantId,
    condition: &str,
    second: Option<String>,
) -> Result<Vec<Money>, OverviewError> {
    let sql = format!(
        "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM payments \
         WHERE merchant_id = $1 AND {condition} GROUP BY currency ORDER BY currency"
    );
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(merchant.to_string());
    if let Some(second) = second {
        query = query.bind(second);
    }
    sums(query.fetch_all(db.pool()).await?)
}

/// What the merchant's refunds that went through on or after `since` gave back, per currency.
async fn refund_sums(
    db: &Database,
    merchant: MerchantId,
    since: Date,
) -> Result<Vec<Money>, OverviewError> {
    let rows = sqlx::query_as::<_, (String, i64)>(
        "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM refunds \
         WHERE merchant_id = $1 AND status = $2 AND updated_at >= $3 GROUP BY currency ORDER BY currency",
    )
    .bind(merchant.to_string())
    .bind(RefundStatus::Succeeded.code())
    .bind(day_start_text(since))
    .fetch_all(db.pool())
    .await?;
    sums(rows)
}

fn sums(rows: Vec<(String, i64)>) -> Result<Vec<Money>, OverviewError> {
    rows.into_iter()
        .map(|(code, minor)| {
            let currency = Currency::parse(&code)
                .map_err(|error| OverviewError::CorruptRow(format!("currency: {error}")))?;
            Ok(Money::from_minor_units(minor, currency)?)
        })
        .collect()
}

async fn recent(
    db: &Database,
    merchant: MerchantId,
    status: PaymentStatus,
    since: Date,
) -> Result<Vec<Payment>, OverviewError> {
    Ok(payments::latest_in_status(db, merchant, status, since, ATTENTION_SHOWN).await?)
}
