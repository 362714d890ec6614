//! An invoice's history as the dashboard tells it: when it was created, each payment on it and
//! where that payment stands, and what staff or the API did to it (voided it, revoked its
//! links), who and when. The changes are recorded in the transaction that makes them, so the
//! history never misses one that happened nor shows one that did not.

use crate::domain::ids::{InvoiceId, MerchantId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::invoices::InvoiceError;
use sqlx::AnyConnection;

/// A change made to an invoice by someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceChange {
    Voided,
    LinkRevoked,
}

impl InvoiceChange {
    pub const ALL: [Self; 2] = [Self::Voided, Self::LinkRevoked];

    pub fn code(self) -> &'static str {
        match self {
            Self::Voided => "voided",
            Self::LinkRevoked => "link_revoked",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|change| change.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Voided => "Voided",
            Self::LinkRevoked => "Payment links revoked",
        }
    }
}

/// Who made a change: a staff member by address, or the channel it came through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn staff(email: &str) -> Self {
        Self(email.to_owned())
    }

    pub fn api() -> Self {
        Self("the API".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceEvent {
    pub change: InvoiceChange,
    pub actor: String,
    pub at: String,
}

/// Records `change` inside the caller's transaction.
pub(crate) async fn record(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    invoice: InvoiceId,
    change: InvoiceChange,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invoice_events (id, merchant_id, invoice_id, kind, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(merchant.to_string())
    .bind(invoice.to_string())
    .bind(change.code())
    .bind(actor.as_str())
    .bind(timestamp_text(now()))
    .execute(connection)
    .await?;
    Ok(())
}

/// The recorded changes of one of the merchant's invoices, oldest first.
pub async fn changes_of(
    db: &Database,
    merchant: MerchantId,
    invoice: InvoiceId,
) -> Result<Vec<InvoiceEvent>, InvoiceError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, actor, at FROM invoice_events WHERE merchant_id = $1 AND invoice_id = $2 \
         ORDER BY at, id",
    )
    .bind(merchant.to_string())
    .bind(invoice.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(kind, actor, at)| {
            let change = InvoiceChange::parse(&kind)
                .ok_or_else(|| InvoiceError::CorruptRow(format!("invoice event kind {kind}")))?;
            Ok(InvoiceEvent { change, actor, at })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_reads_back_from_its_code() {
        for change in InvoiceChange::ALL {
            assert_eq!(InvoiceChange::parse(change.code()), Some(change));
        }
        assert_eq!(InvoiceChange::parse("created"), None);
    }
}
