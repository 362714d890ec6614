//! Access requests: a verified email address that is nobody's contact at a merchant asks to
//! pay as a new business. The merchant approves or declines; until then no invoice is shown.

use crate::domain::business::BusinessDetails;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{AccessRequestId, CustomerId, MerchantId};
use crate::domain::merchant::MerchantBranding;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::jobs::{self, Job, JobError, NewJob, OutgoingEmail};
use lettre::message::Mailbox;

#[derive(Debug, thiserror::Error)]
pub enum AccessRequestError {
    #[error("no such access request at this merchant")]
    NotFound,
    #[error("the access request was already {0}")]
    AlreadyDecided(String),
    #[error("no such customer at this merchant")]
    NoSuchCustomer,
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
    let mut transaction = db.begin_write().await?;
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

/// An access request waiting for the merchant, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingRequest {
    pub id: String,
    pub email: String,
    pub business_name: String,
    pub contact_name: String,
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
    pub created_at: String,
}

/// The merchant's pending requests, oldest first (who waited longest is answered first), at
/// most `limit`, through the (merchant, status, created_at, id) index.
pub async fn pending(
    db: &Database,
    merchant: MerchantId,
    limit: i64,
) -> Result<Vec<PendingRequest>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, business_name, contact_name, phone, address_line1, city, region, postal_code, country, created_at \
         FROM access_requests WHERE merchant_id = $1 AND status = 'pending' ORDER BY created_at, id LIMIT $2",
    )
    .bind(merchant.to_string())
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// Whose contact an approved address becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApproveInto {
    /// A new customer made from what the requester said about their business (so they skip
    /// step 3 when they sign in).
    NewCustomer,
    Existing(CustomerId),
}

/// Approves a pending request: in one transaction the address becomes a contact of the
/// customer, the request records who decided and when, and the requester's email saying they
/// can now pay is queued. Approving twice is refused (the first decision stands).
pub async fn approve(
    db: &Database,
    merchant: MerchantId,
    branding: &MerchantBranding,
    id: AccessRequestId,
    into: ApproveInto,
    decided_by: &str,
    billing_link: &str,
) -> Result<CustomerId, AccessRequestError> {
    let mut transaction = db.begin_write().await?;
    let request: Option<PendingRequest> = sqlx::query_as(
        "SELECT id, email, business_name, contact_name, phone, address_line1, city, region, postal_code, country, created_at \
         FROM access_requests WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(&mut *transaction)
    .await?;
    let request = request.ok_or(AccessRequestError::NotFound)?;
    let at = timestamp_text(now());
    let customer = match into {
        ApproveInto::Existing(customer) => {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT id FROM customers WHERE merchant_id = $1 AND id = $2")
                    .bind(merchant.to_string())
                    .bind(customer.to_string())
                    .fetch_optional(&mut *transaction)
                    .await?;
            found.ok_or(AccessRequestError::NoSuchCustomer)?;
            customer
        }
        ApproveInto::NewCustomer => {
            let customer = CustomerId::new_random();
            sqlx::query(
                "INSERT INTO customers (id, merchant_id, legal_name, country, created_at, business_name, contact_name, \
                 phone, address_line1, city, region, postal_code, address_country, profile_completed_at) \
                 VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $8, $9, $10, $11, $4, $5)",
            )
            .bind(customer.to_string())
            .bind(merchant.to_string())
            .bind(&request.business_name)
            .bind(&request.country)
            .bind(&at)
            .bind(&request.contact_name)
            .bind(&request.phone)
            .bind(&request.address_line1)
            .bind(&request.city)
            .bind(&request.region)
            .bind(&request.postal_code)
            .execute(&mut *transaction)
            .await?;
            customer
        }
    };
    // The status guard is in the UPDATE: of two admins approving at once, one decides.
    let decided = sqlx::query(
        "UPDATE access_requests SET status = 'approved', decided_at = $3, decided_by = $4, customer_id = $5 \
         WHERE merchant_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(&at)
    .bind(decided_by)
    .bind(customer.to_string())
    .execute(&mut *transaction)
    .await?;
    if decided.rows_affected() == 0 {
        // Given back first: the status is read on another connection.
        transaction.rollback().await?;
        return Err(AccessRequestError::AlreadyDecided(
            current_status(db, merchant, id).await?,
        ));
    }
    sqlx::query(
        "INSERT INTO customer_contacts (merchant_id, customer_id, email, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .bind(&request.email)
    .bind(&at)
    .execute(&mut *transaction)
    .await?;
    let welcome = approved_email(branding, &request.email, billing_link);
    jobs::enqueue(&mut transaction, NewJob::new(&Job::Email(welcome))?).await?;
    transaction.commit().await?;
    Ok(customer)
}

/// Refuses a pending request; the requester keeps seeing that it is with the merchant.
pub async fn refuse(
    db: &Database,
    merchant: MerchantId,
    id: AccessRequestId,
    decided_by: &str,
) -> Result<(), AccessRequestError> {
    let decided = sqlx::query(
        "UPDATE access_requests SET status = 'declined', decided_at = $3, decided_by = $4 \
         WHERE merchant_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(timestamp_text(now()))
    .bind(decided_by)
    .execute(db.writer())
    .await?;
    if decided.rows_affected() == 0 {
        return Err(AccessRequestError::AlreadyDecided(
            current_status(db, merchant, id).await?,
        ));
    }
    Ok(())
}

/// The status of a request that could not be decided, or `NotFound`.
async fn current_status(
    db: &Database,
    merchant: MerchantId,
    id: AccessRequestId,
) -> Result<String, AccessRequestError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT status FROM access_requests WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    row.map(|(status,)| status)
        .ok_or(AccessRequestError::NotFound)
}

/// The email telling an approved requester that they can now sign in and pay.
fn approved_email(merchant: &MerchantBranding, email: &str, billing_link: &str) -> OutgoingEmail {
    let name = &merchant.display_name;
    OutgoingEmail {
        sender_name: name.clone(),
        to: email.to_owned(),
        reply_to: merchant.support_email.clone(),
        subject: format!("You can now pay {name} online"),
        body: format!(
            "{name} approved your request: {email} can now see and pay your business's invoices.\n\n\
             Sign in with this address at {billing_link}\n"
        ),
        html_body: None,
        send_before: None,
    }
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
