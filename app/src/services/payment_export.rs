//! The CSV export of a merchant's payments for a bookkeeper who records them by hand: one row
//! per invoice allocation, oldest first, with what an accountant needs to book it. Written a
//! page of payments at a time, so that 100,000 rows never sit in memory at once.

use crate::domain::ids::{InvoiceId, MerchantId, PaymentId};
use crate::services::Database;
use crate::services::customers::{self, CustomerError};
use crate::services::database::numbered_placeholders;
use crate::services::page::{Cursor, PageRequest};
use crate::services::payments::{self, PaymentError, PaymentFilter};
use crate::services::refunds::RefundStatus;
use std::collections::HashMap;

/// The first line of every export.
pub const HEADER: &str = "date,confirmation_number,customer,invoice_number,external_invoice_id,\
amount_allocated,currency,method,status,settlement_date,fee,reconciliation,amount_refunded,refunded_on\r\n";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Payments(#[from] PaymentError),
    #[error(transparent)]
    Customers(#[from] CustomerError),
    #[error("export storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Where an export stands between two chunks.
#[derive(Debug, Clone)]
pub struct ExportPosition {
    pub after: Option<Cursor>,
    pub finished: bool,
}

impl ExportPosition {
    pub fn start() -> Self {
        Self {
            after: None,
            finished: false,
        }
    }
}

/// The rows of the next page of payments after `position` (oldest first), and the position
/// after them. An installment fee is on the first row of its payment only, so that a column
/// sum counts it once.
pub async fn next_chunk(
    db: &Database,
    merchant: MerchantId,
    filter: &PaymentFilter,
    position: &ExportPosition,
) -> Result<(String, ExportPosition), ExportError> {
    let filter = PaymentFilter {
        newest_first: false,
        ..filter.clone()
    };
    let page = PageRequest {
        limit: PageRequest::MAX_LIMIT,
        after: position.after.clone(),
    };
    let found = payments::list(db, merchant, &filter, &page).await?;
    let customer_ids: Vec<_> = found.items.iter().map(|payment| payment.customer).collect();
    let names = customers::names_of(db, merchant, &customer_ids).await?;
    let invoice_ids: Vec<InvoiceId> = found
        .items
        .iter()
        .flat_map(|payment| {
            payment
                .allocations
                .iter()
                .map(|allocation| allocation.invoice)
        })
        .collect();
    let external = external_ids(db, merchant, &invoice_ids).await?;
    let refunded: Vec<PaymentId> = found
        .items
        .iter()
        .filter(|payment| !payment.refunded.is_zero())
        .map(|payment| payment.id)
        .collect();
    let refund_days = last_refund_days(db, merchant, &refunded).await?;
    let mut chunk = String::new();
    for payment in &found.items {
        for (index, allocation) in payment.allocations.iter().enumerate() {
            let fee = if index == 0 {
                payment.fee.to_plain_string()
            } else {
                "0.00".to_owned()
            };
            let fields = [
                payment.created_at.chars().take(10).collect::<String>(),
                payment.id.to_string(),
                names.get(&payment.customer).cloned().unwrap_or_default(),
                allocation.invoice_number.to_string(),
                external
                    .get(&allocation.invoice)
                    .cloned()
                    .unwrap_or_default(),
                allocation.amount.to_plain_string(),
                payment.amount.currency().code().to_owned(),
                payment.method.code().to_owned(),
                payment.status.code().to_owned(),
                payment.settles_on.clone().unwrap_or_default(),
                fee,
                payment.reconciliation.code().to_owned(),
                allocation.refunded.to_plain_string(),
                refund_days
                    .get(&(payment.id, allocation.invoice))
                    .cloned()
                    .unwrap_or_default(),
            ];
            let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
            chunk.push_str(&line.join(","));
            chunk.push_str("\r\n");
        }
    }
    let next = ExportPosition {
        finished: found.next.is_none(),
        after: found.next,
    };
    Ok((chunk, next))
}

/// The accounting software's ids of `invoices`, where they have one.
async fn external_ids(
    db: &Database,
    merchant: MerchantId,
    invoices: &[InvoiceId],
) -> Result<HashMap<InvoiceId, String>, ExportError> {
    let mut distinct = invoices.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, external_id FROM invoices WHERE merchant_id = $1 AND external_id IS NOT NULL AND id IN ({})",
        numbered_placeholders(2, distinct.len())
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(merchant.to_string());
    for id in &distinct {
        query = query.bind(id.to_string());
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .filter_map(|(id, external)| InvoiceId::parse(&id).ok().map(|id| (id, external)))
        .collect())
}

/// The day the last refund that went through gave back of each allocation of `payments`.
async fn last_refund_days(
    db: &Database,
    merchant: MerchantId,
    payments: &[PaymentId],
) -> Result<HashMap<(PaymentId, InvoiceId), String>, ExportError> {
    if payments.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT ra.payment_id, ra.invoice_id, MAX(r.updated_at) FROM refund_allocations ra \
         JOIN refunds r ON r.id = ra.refund_id \
         WHERE ra.merchant_id = $1 AND r.status = $2 AND ra.payment_id IN ({}) \
         GROUP BY ra.payment_id, ra.invoice_id",
        numbered_placeholders(3, payments.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, String)>(&sql)
        .bind(merchant.to_string())
        .bind(RefundStatus::Succeeded.code());
    for id in payments {
        query = query.bind(id.to_string());
    }
    Ok(query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .filter_map(|(payment, invoice, at)| {
            let key = (
                PaymentId::parse(&payment).ok()?,
                InvoiceId::parse(&invoice).ok()?,
            );
            Some((key, at.chars().take(10).collect()))
        })
        .collect())
}

/// A field as RFC 4180 writes it: quoted when it holds a comma, quote or line break. A field
/// a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`: a
/// customer's name is typed by the customer.
fn csv_field(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_are_left_alone() {
        assert_eq!(csv_field("INV-1001"), "INV-1001");
        assert_eq!(csv_field("1250.00"), "1250.00");
    }

    #[test]
    fn commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("Globex, Inc."), "\"Globex, Inc.\"");
        assert_eq!(csv_field("The \"Best\" Ltd"), "\"The \"\"Best\"\" Ltd\"");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn the_header_names_fourteen_columns() {
        assert_eq!(HEADER.trim_end().split(',').count(), 14);
    }
}
