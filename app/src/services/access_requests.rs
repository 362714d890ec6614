//! Access requests: a verified email address that is nobody's contact at a merchant asks to
//! pay as a new business. The merchant approves or declines; until then no invoice is shown.

use crate::domain::business::BusinessDetails;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{AccessRequestId, MerchantId};
use crate::domain::merchant::MerchantBranding;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::jobs::{self, Job, JobError, NewJob, OutgoingEmail};
use lettre::message::Mailbox;

#[derive(Debug, thiserror::Error)]
pub enum AccessRequestError {
    #[error("the merchant's notification could not be queued")]
    Queue(#[from] JobError),
    #[error("access request storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Records the request, or returns the one this address already made. A new request queues
/// the merchant's notification (at its support address) in the same transaction; without a
/// support address the request waits in the database.
pub async fn request(
    db: &Database,
    merchant: MerchantId,
    branding: &MerchantBranding,
    email: &EmailAddress,
    details: &BusinessDetails,
) -> Result<AccessRequestId, AccessRequestError> {
    let id = AccessRequestId::new_random();
    let mut transaction = db.writer().begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO access_requests (id, merchant_id, email, business_name, contact_name, phone, address_line1, city, \
         region, postal_code, country, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)",
    )
    .bind(id.to_string())
    .bind(merchant.to_string())
    .bind(email.as_str())
    .bind(details.business_name.as_str())
    .bind(details.contact_name.as_str())
    .bind(details.phone.as_str())
    .bind(details.address_line1.as_str())
    .bind(details.city.as_str())
    .bind(details.region.code())
    .bind(details.postal_code.as_str())
    .bind(details.country.code())
    .bind(timestamp_text(now()))
    .execute(&mut *transaction)
    .await;
    match inserted {
        Ok(_) => {
            if let Some(notification) = notification(branding, email, details) {
                jobs::enqueue(&mut transaction, NewJob::new(&Job::Email(notification))?).await?;
            }
            transaction.commit().await?;
            Ok(id)
        }
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            drop(transaction);
            Ok(exists(db, merchant, email)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?)
        }
        Err(error) => Err(error.into()),
    }
}

/// Whether this address already asked this merchant for access.
pub async fn exists(
    db: &Database,
    merchant: MerchantId,
    email: &EmailAddress,
) -> Result<Option<AccessRequestId>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM access_requests WHERE merchant_id = $1 AND email = $2")
            .bind(merchant.to_string())
            .bind(email.as_str())
            .fetch_optional(db.pool())
            .await?;
    row.map(|(id,)| {
        AccessRequestId::parse(&id).map_err(|error| sqlx::Error::Decode(Box::new(error)))
    })
    .transpose()
}

/// The email telling the merchant that someone asks for access, with what they said about
/// their business; `None` when the merchant has no support address.
fn notification(
    merchant: &MerchantBranding,
    email: &EmailAddress,
    details: &BusinessDetails,
) -> Option<OutgoingEmail> {
    let support = merchant.support_email.as_deref()?.parse().ok()?;
    let body = format!(
        "{email} verified their email address at your Portico billing link and asks to pay as a new business:\n\n\
         Business name: {business}\nContact: {contact}\nPhone: {phone}\nAddress: {line1}, {city}, {region} {postal}, {country}\n\n\
         They see no invoices until you add {email} as a contact of one of your customers.\n",
        business = details.business_name,
        contact = details.contact_name,
        phone = details.phone,
        line1 = details.address_line1,
        city = details.city,
        region = details.region.code(),
        postal = details.postal_code.as_str(),
        country = details.country.code(),
    );
    Some(OutgoingEmail {
        sender_name: "Portico".to_owned(),
        to: Mailbox::new(Some(merchant.display_name.clone()), support).to_string(),
        reply_to: Some(email.as_str().to_owned()),
        subject: format!("Access request from {}", details.business_name),
        body,
        html_body: None,
        send_before: None,
    })
}
