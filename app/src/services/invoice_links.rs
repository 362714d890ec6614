//! Invoice links, `/pay/{slug}/i/{token}`: a signed token naming one invoice, preselecting it
//! after sign-in. A link works until 30 days after the invoice's due date, and every link of
//! an invoice can be revoked at once (its link version is bumped).

use crate::domain::ids::{InvoiceId, MerchantId};
use crate::domain::merchant::MerchantSlug;
use crate::domain::public_url::PublicUrl;
use crate::services::Database;
use crate::services::clock::{parse_date, today};
use crate::services::invoice_history::{self, Actor, InvoiceChange};
use crate::services::keys::Keys;
use time::{Date, Duration};

const LINK_PURPOSE: &str = "invoice-link";
/// How long after its due date an invoice link keeps working.
pub const GRACE_AFTER_DUE: Duration = Duration::days(30);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link is not one Portico made")]
    Invalid,
    #[error("the link was revoked")]
    Revoked,
    #[error("the link expired")]
    Expired,
    #[error("invoice link storage failed")]
    Storage(#[from] sqlx::Error),
}

/// The token: the invoice id and link version, then the first 16 bytes of their HMAC, in hex.
pub fn token(keys: &Keys, invoice: InvoiceId, version: i64) -> String {
    let message = message(invoice, version);
    let tag = keys.sign(LINK_PURPOSE, &message);
    format!("{}{}", hex::encode(&message), hex::encode(&tag[..16]))
}

pub fn link(
    keys: &Keys,
    public_url: &PublicUrl,
    slug: &MerchantSlug,
    invoice: InvoiceId,
    version: i64,
) -> String {
    format!(
        "{}/i/{}",
        public_url.billing_link(slug),
        token(keys, invoice, version)
    )
}

/// The invoice a token names, if the merchant has it and the link is still good.
pub async fn resolve(
    db: &Database,
    keys: &Keys,
    merchant: MerchantId,
    token: &str,
) -> Result<InvoiceId, LinkError> {
    let bytes = hex::decode(token).map_err(|_| LinkError::Invalid)?;
    if bytes.len() != 16 + 8 + 16 {
        return Err(LinkError::Invalid);
    }
    let (message, tag) = bytes.split_at(24);
    if !keys.verify(LINK_PURPOSE, message, tag) {
        return Err(LinkError::Invalid);
    }
    let invoice = InvoiceId::from_bytes(message[..16].try_into().map_err(|_| LinkError::Invalid)?);
    let version = i64::from_be_bytes(message[16..24].try_into().map_err(|_| LinkError::Invalid)?);
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT link_version, due_on, voided_at FROM invoices WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(invoice.to_string())
    .fetch_optional(db.pool())
    .await?;
    let (current, due_on, voided_at) = row.ok_or(LinkError::Invalid)?;
    if current != version || voided_at.is_some() {
        return Err(LinkError::Revoked);
    }
    let due_on = parse_date(&due_on).map_err(|_| LinkError::Invalid)?;
    if today() > last_day(due_on) {
        return Err(LinkError::Expired);
    }
    Ok(invoice)
}

/// Revokes every link made so far for the invoice, recording who did; `false` when the
/// merchant has no such invoice.
pub async fn revoke(
    db: &Database,
    merchant: MerchantId,
    invoice: InvoiceId,
    actor: &Actor,
) -> Result<bool, sqlx::Error> {
    let mut transaction = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE invoices SET link_version = link_version + 1 WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(invoice.to_string())
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    invoice_history::record(
        &mut transaction,
        merchant,
        invoice,
        InvoiceChange::LinkRevoked,
        actor,
    )
    .await?;
    transaction.commit().await?;
    Ok(true)
}

/// The last day a link to an invoice due on `due_on` works. Dates end at 9999-12-31: for an
/// invoice due in its last 30 days the link works until then rather than overflowing.
fn last_day(due_on: Date) -> Date {
    due_on.checked_add(GRACE_AFTER_DUE).unwrap_or(Date::MAX)
}

fn message(invoice: InvoiceId, version: i64) -> Vec<u8> {
    let mut message = Vec::with_capacity(24);
    message.extend_from_slice(&invoice.to_bytes());
    message.extend_from_slice(&version.to_be_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_link_works_until_30_days_after_the_due_date() {
        assert_eq!(last_day(date!(2026 - 12 - 01)), date!(2026 - 12 - 31));
    }

    #[test]
    fn a_link_to_an_invoice_due_at_the_end_of_dates_works_until_then() {
        assert_eq!(last_day(date!(9999 - 12 - 31)), Date::MAX);
        assert_eq!(last_day(date!(9999 - 12 - 15)), Date::MAX);
    }
}
