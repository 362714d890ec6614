//! Access requests: a verified email address that is nobody's contact at a merchant asks to
//! pay as a new business. The merchant approves or declines; until then no invoice is shown.

use crate::domain::business::BusinessDetails;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{AccessRequestId, MerchantId};
use crate::domain::merchant::MerchantBranding;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::mail::{MailError, MailFrom, Mailer};
use lettre::Message;
use lettre::message::Mailbox;

/// Records the request, or returns the one this address already made.
pub async fn request(
    db: &Database,
    merchant: MerchantId,
    email: &EmailAddress,
    details: &BusinessDetails,
) -> Result<AccessRequestId, sqlx::Error> {
    let id = AccessRequestId::new_random();
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
    .execute(db.pool())
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            exists(db, merchant, email)
                .await?
                .ok_or(sqlx::Error::RowNotFound)
        }
        Err(error) => Err(error),
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

/// Tells the merchant (at its support address) that someone asks for access, with what they
/// said about their business. Without a support address the request waits in the database.
pub async fn notify_merchant(
    mailer: &Mailer,
    from: &MailFrom,
    merchant: &MerchantBranding,
    email: &EmailAddress,
    details: &BusinessDetails,
) -> Result<(), NotifyError> {
    let Some(support) = merchant.support_email.as_deref() else {
        return Ok(());
    };
    let text = format!(
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
    let message = Message::builder()
        .from(Mailbox::new(
            Some("Portico".to_owned()),
            from.0.email.clone(),
        ))
        .to(Mailbox::new(
            Some(merchant.display_name.clone()),
            support.parse()?,
        ))
        .reply_to(Mailbox::new(None, email.as_str().parse()?))
        .subject(format!("Access request from {}", details.business_name))
        .body(text)?;
    mailer.send(message).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("an address cannot be written in an email header")]
    Address(#[from] lettre::address::AddressError),
    #[error("the notification could not be built")]
    Message(#[from] lettre::error::Error),
    #[error("the notification could not be sent")]
    Mail(#[from] MailError),
}
