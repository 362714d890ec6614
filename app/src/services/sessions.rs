//! Browser sessions of the payment wizard: a database row per session, so that any server
//! instance can serve any request, and a random token in the cookie of which only the SHA-256
//! is stored.

use crate::domain::business::BusinessForm;
use crate::domain::checkout::Checkout;
use crate::domain::email::EmailAddress;
use crate::domain::ids::{AccessRequestId, CustomerId, InvoiceId, MerchantId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use time::Duration;

/// A session nobody has used for this long is over.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);

/// A session is over this long after it started, however busy: a token that leaked (a shared
/// computer, a copied cookie) cannot be kept alive for ever by using it.
pub const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);

/// How stale a session's last-seen time may get before a request refreshes it.
const LAST_SEEN_RESOLUTION: Duration = Duration::minutes(1);

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("the system random number generator failed")]
    Random(#[from] getrandom::Error),
    #[error("a stored session row is invalid: {0}")]
    CorruptRow(String),
    #[error("session storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Identifies a session row (never sent to the browser; the cookie carries a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the customer typed into the forms, given back when a form is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub email: String,
    pub business: BusinessForm,
}

impl Draft {
    /// The draft with every field cut to `max` characters.
    fn bounded(&self, max: usize) -> Self {
        let cut = |text: &String| text.chars().take(max).collect::<String>();
        let business = &self.business;
        Self {
            email: cut(&self.email),
            business: BusinessForm {
                business_name: cut(&business.business_name),
                contact_name: cut(&business.contact_name),
                phone: cut(&business.phone),
                address_line1: cut(&business.address_line1),
                city: cut(&business.city),
                region: cut(&business.region),
                postal_code: cut(&business.postal_code),
                country: cut(&business.country),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub merchant: MerchantId,
    pub pending_email: Option<EmailAddress>,
    pub verified_email: Option<EmailAddress>,
    pub customer: Option<CustomerId>,
    pub access_request: Option<AccessRequestId>,
    pub preselected_invoice: Option<InvoiceId>,
    pub draft: Draft,
    /// Steps 5 to 7's choices so far.
    pub checkout: Checkout,
}

impl Session {
    /// The session as the sign-in codes know it.
    pub fn code_session(&self) -> crate::services::sign_in::CodeSession<'_> {
        crate::services::sign_in::CodeSession {
            id: self.id.as_str(),
            audience: crate::services::sign_in::Audience::Customers(self.merchant),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    merchant_id: String,
    pending_email: Option<String>,
    verified_email: Option<String>,
    customer_id: Option<String>,
    access_request_id: Option<String>,
    preselected_invoice_id: Option<String>,
    draft: Option<String>,
    checkout: Option<String>,
    last_seen_at: String,
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_token() -> Result<SecretString, SessionError> {
    let mut random = [0_u8; 32];
    getrandom::fill(&mut random)?;
    Ok(SecretString::from(hex::encode(random)))
}

/// Opens a new session for a visit to `merchant`'s billing link; returns it and the token for
/// the cookie.
pub async fn start(
    db: &Database,
    merchant: MerchantId,
) -> Result<(Session, SecretString), SessionError> {
    let token = new_token()?;
    let id = SessionId(uuid::Uuid::new_v4().to_string());
    let at = timestamp_text(now());
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, merchant_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id.as_str())
    .bind(token_hash(token.expose_secret()))
    .bind(merchant.to_string())
    .bind(at)
    .execute(db.writer())
    .await?;
    let session = Session {
        id,
        merchant,
        pending_email: None,
        verified_email: None,
        customer: None,
        access_request: None,
        preselected_invoice: None,
        draft: Draft::default(),
        checkout: Checkout::default(),
    };
    Ok((session, token))
}

const SESSION_COLUMNS: &str = "id, merchant_id, pending_email, verified_email, customer_id, \
     access_request_id, preselected_invoice_id, draft, checkout, last_seen_at";

/// The live session a cookie's token names, marked as just used; `None` when it is unknown,
/// ended, idle for longer than [`IDLE_TIMEOUT`] or older than [`ABSOLUTE_LIFETIME`].
pub async fn find(db: &Database, token: &str) -> Result<Option<Session>, SessionError> {
    find_where("token_hash", &token_hash(token), db).await
}

/// The live session with this id, as `find` reads it.
pub async fn find_by_id(db: &Database, id: &SessionId) -> Result<Option<Session>, SessionError> {
    find_where("id", id.as_str(), db).await
}

async fn find_where(
    column: &'static str,
    value: &str,
    db: &Database,
) -> Result<Option<Session>, SessionError> {
    let at = now();
    let row: Option<SessionRow> = sqlx::query_as(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions \
         WHERE {column} = $1 AND ended_at IS NULL AND last_seen_at > $2 AND created_at > $3"
    ))
    .bind(value)
    .bind(timestamp_text(at - IDLE_TIMEOUT))
    .bind(timestamp_text(at - ABSOLUTE_LIFETIME))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    // The idle timeout counts in minutes: a session seen within the last one is not written
    // again, which spares SQLite's single writer a write on most requests.
    if row.last_seen_at < timestamp_text(at - LAST_SEEN_RESOLUTION) {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
            .bind(&row.id)
            .bind(timestamp_text(at))
            .execute(db.writer())
            .await?;
    }
    let corrupt = |column: &str, error: &dyn std::fmt::Display| {
        SessionError::CorruptRow(format!("{column}: {error}"))
    };
    let email = |text: Option<String>, column: &str| {
        text.map(|text| EmailAddress::parse(&text).map_err(|error| corrupt(column, &error)))
            .transpose()
    };
    Ok(Some(Session {
        merchant: MerchantId::parse(&row.merchant_id)
            .map_err(|error| corrupt("merchant_id", &error))?,
        pending_email: email(row.pending_email, "pending_email")?,
        verified_email: email(row.verified_email, "verified_email")?,
        customer: row
            .customer_id
            .map(|id| CustomerId::parse(&id).map_err(|error| corrupt("customer_id", &error)))
            .transpose()?,
        access_request: row
            .access_request_id
            .map(|id| {
                AccessRequestId::parse(&id).map_err(|error| corrupt("access_request_id", &error))
            })
            .transpose()?,
        preselected_invoice: row
            .preselected_invoice_id
            .map(|id| {
                InvoiceId::parse(&id).map_err(|error| corrupt("preselected_invoice_id", &error))
            })
            .transpose()?,
        draft: row
            .draft
            .map(|json| serde_json::from_str(&json).map_err(|error| corrupt("draft", &error)))
            .transpose()?
            .unwrap_or_default(),
        checkout: row
            .checkout
            .map(|json| serde_json::from_str(&json).map_err(|error| corrupt("checkout", &error)))
            .transpose()?
            .unwrap_or_default(),
        id: SessionId(row.id),
    }))
}

pub async fn save_draft(
    db: &Database,
    session: &SessionId,
    draft: &Draft,
) -> Result<(), SessionError> {
    // Kept to what a form field plausibly holds: the draft is for giving typing back, and an
    // anonymous visitor must not be able to park megabytes in it.
    let json = serde_json::to_string(&draft.bounded(500))
        .map_err(|error| SessionError::CorruptRow(error.to_string()))?;
    sqlx::query("UPDATE sessions SET draft = $2 WHERE id = $1")
        .bind(session.as_str())
        .bind(json)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Keeps steps 5 to 7's choices. The checkout holds no card or account numbers; its typed
/// fields are bounded as the draft's are.
pub async fn save_checkout(
    db: &Database,
    session: &SessionId,
    checkout: &Checkout,
) -> Result<(), SessionError> {
    let saved = SavedCheckout::new(session, checkout)?;
    // On the confirm path: it shares a commit with the writes around it (`Database::write`).
    db.write(move |connection| Box::pin(async move { saved.write_on(connection).await }))
        .await
        .map_err(SessionError::from)
}

/// A session's checkout ready to be written, inside a unit of work that also does something
/// else (the confirm's status change ends the checkout in the same transaction).
#[derive(Debug, Clone)]
pub struct SavedCheckout {
    session: String,
    json: String,
}

impl SavedCheckout {
    pub fn new(session: &SessionId, checkout: &Checkout) -> Result<Self, SessionError> {
        let mut bounded = checkout.clone();
        let cut = |text: &mut String| *text = text.chars().take(100).collect();
        bounded.typed_amounts.truncate(200);
        for typed in &mut bounded.typed_amounts {
            cut(&mut typed.invoice);
            cut(&mut typed.amount);
        }
        for text in [
            &mut bounded.bank_draft.routing_number,
            &mut bounded.bank_draft.institution_number,
            &mut bounded.bank_draft.transit_number,
            &mut bounded.bank_draft.account_type,
            &mut bounded.bank_draft.holder_type,
            &mut bounded.bank_draft.bank_username,
            &mut bounded.card_draft.expiry,
            &mut bounded.card_draft.name,
            &mut bounded.card_draft.postal_code,
        ] {
            cut(text);
        }
        let json = serde_json::to_string(&bounded)
            .map_err(|error| SessionError::CorruptRow(error.to_string()))?;
        Ok(Self {
            session: session.as_str().to_owned(),
            json,
        })
    }

    pub async fn write_on(&self, connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE sessions SET checkout = $2 WHERE id = $1")
            .bind(&self.session)
            .bind(&self.json)
            .execute(connection)
            .await
            .map(drop)
    }
}

/// A code was sent to `email`: the session waits for it (step 2), and is no longer signed in
/// as anyone else.
pub async fn await_code(
    db: &Database,
    session: &SessionId,
    email: &EmailAddress,
) -> Result<(), SessionError> {
    sqlx::query(
        "UPDATE sessions SET pending_email = $2, verified_email = NULL, customer_id = NULL, \
         access_request_id = NULL, checkout = NULL WHERE id = $1",
    )
    .bind(session.as_str())
    .bind(email.as_str())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The code for `email` was right: the session is signed in as that address, for `customer`
/// when exactly one is known, and gets a new token for the cookie. Both in one statement: a
/// token seen before sign-in never names a signed-in session, even when the rotation would
/// otherwise have failed after the sign-in.
#[must_use = "the session's old token no longer works: the cookie needs the new one"]
pub async fn sign_in(
    db: &Database,
    session: &SessionId,
    email: &EmailAddress,
    customer: Option<CustomerId>,
) -> Result<SecretString, SessionError> {
    let token = new_token()?;
    sqlx::query(
        "UPDATE sessions SET pending_email = NULL, verified_email = $2, customer_id = $3, checkout = NULL, \
         token_hash = $4 WHERE id = $1",
    )
    .bind(session.as_str())
    .bind(email.as_str())
    .bind(customer.map(|customer| customer.to_string()))
    .bind(token_hash(token.expose_secret()))
    .execute(db.writer())
    .await?;
    Ok(token)
}

pub async fn choose_customer(
    db: &Database,
    session: &SessionId,
    customer: CustomerId,
) -> Result<(), SessionError> {
    sqlx::query("UPDATE sessions SET customer_id = $2, checkout = NULL WHERE id = $1")
        .bind(session.as_str())
        .bind(customer.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The session's customer no longer has its address as a contact.
pub async fn forget_customer(db: &Database, session: &SessionId) -> Result<(), SessionError> {
    sqlx::query("UPDATE sessions SET customer_id = NULL, checkout = NULL WHERE id = $1")
        .bind(session.as_str())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Deletes sessions idle for a day and codes older than a day: nothing needs them any more.
pub async fn purge_stale(db: &Database) -> Result<u64, SessionError> {
    let cutoff = timestamp_text(now() - Duration::days(1));
    let codes = sqlx::query(
        "DELETE FROM sign_in_codes WHERE created_at < $1 OR session_id IN (SELECT id FROM sessions WHERE last_seen_at < $1)",
    )
    .bind(&cutoff)
    .execute(db.writer())
    .await?;
    let sessions = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
        .bind(&cutoff)
        .execute(db.writer())
        .await?;
    Ok(codes.rows_affected() + sessions.rows_affected())
}

pub async fn record_access_request(
    db: &Database,
    session: &SessionId,
    request: AccessRequestId,
) -> Result<(), SessionError> {
    sqlx::query("UPDATE sessions SET access_request_id = $2 WHERE id = $1")
        .bind(session.as_str())
        .bind(request.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn preselect_invoice(
    db: &Database,
    session: &SessionId,
    invoice: InvoiceId,
) -> Result<(), SessionError> {
    sqlx::query("UPDATE sessions SET preselected_invoice_id = $2 WHERE id = $1")
        .bind(session.as_str())
        .bind(invoice.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Signs out: the session is over, whatever its cookie says.
pub async fn end(db: &Database, session: &SessionId) -> Result<(), SessionError> {
    sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id = $1")
        .bind(session.as_str())
        .bind(timestamp_text(now()))
        .execute(db.writer())
        .await?;
    Ok(())
}
