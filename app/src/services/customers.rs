//! Customers: the businesses that owe a merchant money, and the email addresses allowed to pay
//! for them. Every query names the merchant; no function reads across merchants.

use crate::domain::business::{BusinessDetails, BusinessForm};
use crate::domain::email::EmailAddress;
use crate::domain::ids::{CustomerId, MerchantId};
use crate::domain::merchant::Country;
use crate::domain::text::{ExternalId, LegalName};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::database::numbered_placeholders;
use crate::services::page::{Cursor, Page, PageRequest};

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error("no such customer")]
    NotFound,
    #[error("another customer already has the external id {0}")]
    ExternalIdTaken(ExternalId),
    #[error("{0} is not a contact of this customer")]
    ContactNotFound(EmailAddress),
    #[error("a customer keeps at least one contact email")]
    LastContact,
    #[error("a stored customer row is invalid: {0}")]
    CorruptRow(String),
    #[error("customer storage failed")]
    Storage(#[from] sqlx::Error),
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub legal_name: LegalName,
    pub country: Country,
    pub contact: EmailAddress,
    pub external_id: Option<ExternalId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub legal_name: LegalName,
    pub country: Country,
    pub contacts: Vec<EmailAddress>,
    pub profile_completed: bool,
    pub external_id: Option<ExternalId>,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: String,
    legal_name: String,
    country: String,
    external_id: Option<String>,
    profile_completed_at: Option<String>,
    created_at: String,
}

const CUSTOMER_COLUMNS: &str =
    "id, legal_name, country, external_id, profile_completed_at, created_at";

pub async fn create(
    db: &Database,
    merchant: MerchantId,
    customer: &NewCustomer,
) -> Result<Customer, CustomerError> {
    let id = CustomerId::new_random();
    let created_at = timestamp_text(now());
    let mut transaction = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO customers (id, merchant_id, legal_name, country, external_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(merchant.to_string())
    .bind(customer.legal_name.as_str())
    .bind(customer.country.code())
    .bind(customer.external_id.as_ref().map(ExternalId::as_str))
    .bind(&created_at)
    .execute(&mut *transaction)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            let taken = customer.external_id.clone();
            return Err(taken.map_or(
                CustomerError::Storage(sqlx::Error::Database(error)),
                CustomerError::ExternalIdTaken,
            ));
        }
        Err(error) => return Err(error.into()),
    }
    sqlx::query("INSERT INTO customer_contacts (merchant_id, customer_id, email, created_at) VALUES ($1, $2, $3, $4)")
        .bind(merchant.to_string())
        .bind(id.to_string())
        .bind(customer.contact.as_str())
        .bind(&created_at)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(Customer {
        id,
        legal_name: customer.legal_name.clone(),
        country: customer.country,
        contacts: vec![customer.contact.clone()],
        profile_completed: false,
        external_id: customer.external_id.clone(),
        created_at,
    })
}

/// Whether the merchant has this customer.
pub async fn exists(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
) -> Result<bool, sqlx::Error> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM customers WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

pub async fn get(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
) -> Result<Customer, CustomerError> {
    let row: Option<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE merchant_id = $1 AND id = $2"
    ))
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or(CustomerError::NotFound)?;
    let mut customers = with_contacts(db, merchant, vec![row]).await?;
    customers.pop().ok_or(CustomerError::NotFound)
}

/// The legal names of `ids` at `merchant`, in one query (a page of payments names its
/// customers); ids of other merchants are left out.
pub async fn names_of(
    db: &Database,
    merchant: MerchantId,
    ids: &[CustomerId],
) -> Result<std::collections::HashMap<CustomerId, String>, CustomerError> {
    let mut distinct = ids.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let sql = format!(
        "SELECT id, legal_name FROM customers WHERE merchant_id = $1 AND id IN ({})",
        crate::services::database::numbered_placeholders(2, distinct.len())
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(merchant.to_string());
    for id in &distinct {
        query = query.bind(id.to_string());
    }
    query
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .map(|(id, name)| {
            CustomerId::parse(&id)
                .map(|id| (id, name))
                .map_err(|error| CustomerError::CorruptRow(format!("id: {error}")))
        })
        .collect()
}

pub async fn list(
    db: &Database,
    merchant: MerchantId,
    page: &PageRequest,
) -> Result<Page<Customer>, CustomerError> {
    let (after_created, after_id) = page.after_binds();
    let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE merchant_id = $1 AND {} \
         ORDER BY created_at, id LIMIT $4",
        page.after_condition("$2", "$3"),
    ))
    .bind(merchant.to_string())
    .bind(after_created)
    .bind(after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    let customers = with_contacts(db, merchant, rows).await?;
    Ok(Page::from_rows(customers, page, |customer| Cursor {
        created_at: customer.created_at.clone(),
        id: customer.id.to_string(),
    }))
}

/// The merchant's customers whose legal name starts with `prefix` (any case), a page at a
/// time in the list's order.
pub async fn search_by_name(
    db: &Database,
    merchant: MerchantId,
    prefix: &str,
    page: &PageRequest,
) -> Result<Page<Customer>, CustomerError> {
    let (after_created, after_id) = page.after_binds();
    let escaped = prefix
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE merchant_id = $1 \
         AND LOWER(legal_name) LIKE $2 ESCAPE '\\' AND {} ORDER BY created_at, id LIMIT $5",
        page.after_condition("$3", "$4"),
    ))
    .bind(merchant.to_string())
    .bind(format!("{escaped}%"))
    .bind(after_created)
    .bind(after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    let customers = with_contacts(db, merchant, rows).await?;
    Ok(Page::from_rows(customers, page, |customer| Cursor {
        created_at: customer.created_at.clone(),
        id: customer.id.to_string(),
    }))
}

/// Adds a contact email; adding one the customer already has changes nothing.
pub async fn add_contact(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
    email: &EmailAddress,
) -> Result<Customer, CustomerError> {
    get(db, merchant, id).await?;
    let inserted = sqlx::query(
        "INSERT INTO customer_contacts (merchant_id, customer_id, email, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(email.as_str())
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {}
        Err(error) => return Err(error.into()),
    }
    get(db, merchant, id).await
}

/// Removes a contact email. The last one stays: a customer nobody can sign in for could never
/// pay.
pub async fn remove_contact(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
    email: &EmailAddress,
) -> Result<Customer, CustomerError> {
    let customer = get(db, merchant, id).await?;
    if !customer.contacts.contains(email) {
        return Err(CustomerError::ContactNotFound(email.clone()));
    }
    // Taking the customer's row lock first serialises removals, so two racing for the last two
    // contacts cannot both succeed.
    let mut transaction = db.begin_write().await?;
    sqlx::query("UPDATE customers SET legal_name = legal_name WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.to_string())
        .bind(id.to_string())
        .execute(&mut *transaction)
        .await?;
    let (remaining,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM customer_contacts WHERE merchant_id = $1 AND customer_id = $2",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_one(&mut *transaction)
    .await?;
    if remaining <= 1 {
        return Err(CustomerError::LastContact);
    }
    sqlx::query(
        "DELETE FROM customer_contacts WHERE merchant_id = $1 AND customer_id = $2 AND email = $3",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(email.as_str())
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    get(db, merchant, id).await
}

/// The customers of `merchant` that `email` may pay for.
pub async fn find_by_contact(
    db: &Database,
    merchant: MerchantId,
    email: &EmailAddress,
) -> Result<Vec<Customer>, CustomerError> {
    let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
        "SELECT {CUSTOMER_COLUMNS} FROM customers WHERE merchant_id = $1 AND id IN \
         (SELECT customer_id FROM customer_contacts WHERE merchant_id = $1 AND email = $2) \
         ORDER BY legal_name, id"
    ))
    .bind(merchant.to_string())
    .bind(email.as_str())
    .fetch_all(db.pool())
    .await?;
    with_contacts(db, merchant, rows).await
}

/// Step 3's form filled with what is on file for the customer (its legal name and country at
/// least; the rest once a contact has completed it).
pub async fn profile_form(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
) -> Result<BusinessForm, CustomerError> {
    type ProfileRow = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<ProfileRow> = sqlx::query_as(
        "SELECT COALESCE(business_name, legal_name), COALESCE(address_country, country), contact_name, phone, \
         address_line1, city, region, postal_code FROM customers WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    let (business_name, country, contact_name, phone, address_line1, city, region, postal_code) =
        row.ok_or(CustomerError::NotFound)?;
    Ok(BusinessForm {
        business_name,
        country,
        contact_name: contact_name.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        address_line1: address_line1.unwrap_or_default(),
        city: city.unwrap_or_default(),
        region: region.unwrap_or_default(),
        postal_code: postal_code.unwrap_or_default(),
    })
}

/// Stores step 3's details on the customer, beside the legal name and country the merchant
/// set (a contact cannot rename the business being invoiced); later visits skip the step.
pub async fn complete_profile(
    db: &Database,
    merchant: MerchantId,
    id: CustomerId,
    details: &BusinessDetails,
) -> Result<(), CustomerError> {
    let updated = sqlx::query(
        "UPDATE customers SET business_name = $3, contact_name = $4, phone = $5, address_line1 = $6, city = $7, \
         region = $8, postal_code = $9, address_country = $10, profile_completed_at = $11 \
         WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(details.business_name.as_str())
    .bind(details.contact_name.as_str())
    .bind(details.phone.as_str())
    .bind(details.address_line1.as_str())
    .bind(details.city.as_str())
    .bind(details.region.code())
    .bind(details.postal_code.as_str())
    .bind(details.country.code())
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await?;
    if updated.rows_affected() == 0 {
        return Err(CustomerError::NotFound);
    }
    Ok(())
}

/// Reads the contacts of `rows` in one query and builds the customers.
async fn with_contacts(
    db: &Database,
    merchant: MerchantId,
    rows: Vec<CustomerRow>,
) -> Result<Vec<Customer>, CustomerError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = numbered_placeholders(2, rows.len());
    let sql = format!(
        "SELECT customer_id, email FROM customer_contacts WHERE merchant_id = $1 AND customer_id IN ({placeholders}) \
         ORDER BY created_at, email"
    );
    let mut query = sqlx::query_as::<_, (String, String)>(&sql).bind(merchant.to_string());
    for row in &rows {
        query = query.bind(row.id.clone());
    }
    let contacts = query.fetch_all(db.pool()).await?;
    rows.into_iter()
        .map(|row| {
            let emails = contacts
                .iter()
                .filter(|(customer_id, _)| *customer_id == row.id)
                .map(|(_, email)| {
                    EmailAddress::parse(email).map_err(|error| corrupt("email", &error))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Customer {
                id: CustomerId::parse(&row.id).map_err(|error| corrupt("id", &error))?,
                legal_name: LegalName::parse(&row.legal_name)
                    .map_err(|error| corrupt("legal_name", &error))?,
                country: Country::parse(&row.country)
                    .map_err(|error| corrupt("country", &error))?,
                contacts: emails,
                profile_completed: row.profile_completed_at.is_some(),
                external_id: row
                    .external_id
                    .as_deref()
                    .map(ExternalId::parse)
                    .transpose()
                    .map_err(|error| corrupt("external_id", &error))?,
                created_at: row.created_at,
            })
        })
        .collect()
}

fn corrupt(column: &str, error: &dyn std::fmt::Display) -> CustomerError {
    CustomerError::CorruptRow(format!("{column}: {error}"))
}
