//! The dashboard's browser sessions, kept apart from the customers' (their own table, cookie
//! and timeouts): a row per session and a random token in the cookie of which only the SHA-256
//! is stored, as in `sessions`.

use crate::domain::email::EmailAddress;
use crate::domain::ids::MerchantUserId;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::sessions::{SessionError, new_token, token_hash};
use crate::services::sign_in::{Audience, CodeSession};
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

/// A dashboard nobody has used for this long signs out: longer than a customer's, since a
/// bookkeeper works through lists, shorter than a working day.
pub const STAFF_IDLE_TIMEOUT: Duration = Duration::hours(2);

/// However busy, a dashboard session ends this long after sign-in.
pub const STAFF_ABSOLUTE_LIFETIME: Duration = Duration::hours(12);

const LAST_SEEN_RESOLUTION: Duration = Duration::minutes(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    pub id: String,
    /// Where the latest code went, until it is typed.
    pub pending_email: Option<EmailAddress>,
    /// The address as last typed into the sign-in form.
    pub typed_email: String,
    /// The address a code proved, while its owner picks a merchant.
    pub verified_email: Option<EmailAddress>,
    /// Signed in: the user (and so the merchant) the session works as.
    pub user: Option<MerchantUserId>,
}

impl StaffSession {
    pub fn code_session(&self) -> CodeSession<'_> {
        CodeSession {
            id: &self.id,
            audience: Audience::Staff,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StaffSessionRow {
    id: String,
    pending_email: Option<String>,
    typed_email: Option<String>,
    verified_email: Option<String>,
    user_id: Option<String>,
    last_seen_at: String,
}

/// A new, signed-out session and the token for its cookie.
pub async fn start(db: &Database) -> Result<(StaffSession, SecretString), SessionError> {
    let token = new_token()?;
    let id = uuid::Uuid::new_v4().to_string();
    let at = timestamp_text(now());
    sqlx::query(
        "INSERT INTO staff_sessions (id, token_hash, created_at, last_seen_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(&id)
    .bind(token_hash(token.expose_secret()))
    .bind(at)
    .execute(db.writer())
    .await?;
    Ok((
        StaffSession {
            id,
            pending_email: None,
            typed_email: String::new(),
            verified_email: None,
            user: None,
        },
        token,
    ))
}

/// The live session a cookie's token names, marked as just used.
pub async fn find(db: &Database, token: &str) -> Result<Option<StaffSession>, SessionError> {
    let at = now();
    let row: Option<StaffSessionRow> = sqlx::query_as(
        "SELECT id, pending_email, typed_email, verified_email, user_id, last_seen_at FROM staff_sessions \
         WHERE token_hash = $1 AND ended_at IS NULL AND last_seen_at > $2 AND created_at > $3",
    )
    .bind(token_hash(token))
    .bind(timestamp_text(at - STAFF_IDLE_TIMEOUT))
    .bind(timestamp_text(at - STAFF_ABSOLUTE_LIFETIME))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.last_seen_at < timestamp_text(at - LAST_SEEN_RESOLUTION) {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $2 WHERE id = $1")
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
    Ok(Some(StaffSession {
        pending_email: email(row.pending_email, "pending_email")?,
        typed_email: row.typed_email.unwrap_or_default(),
        verified_email: email(row.verified_email, "verified_email")?,
        user: row
            .user_id
            .map(|id| MerchantUserId::parse(&id).map_err(|error| corrupt("user_id", &error)))
            .transpose()?,
        id: row.id,
    }))
}

/// Keeps what was typed into the sign-in form (cut to what an address can be).
pub async fn keep_typed_email(
    db: &Database,
    session: &StaffSession,
    typed: &str,
) -> Result<(), SessionError> {
    sqlx::query("UPDATE staff_sessions SET typed_email = $2 WHERE id = $1")
        .bind(&session.id)
        .bind(typed.chars().take(320).collect::<String>())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The user a cookie's token is signed in as, if any: for the routes outside the pages (the
/// CSV export), which have no Leptos context.
pub async fn signed_in_user(
    db: &Database,
    token: &str,
) -> Result<Option<crate::services::merchant_users::MerchantUser>, SessionError> {
    let Some(user) = find(db, token).await?.and_then(|session| session.user) else {
        return Ok(None);
    };
    crate::services::merchant_users::by_id(db, user)
        .await
        .map_err(|error| SessionError::CorruptRow(error.to_string()))
}

/// A code went to `email`: the session waits for it and is signed in as nobody.
pub async fn await_code(
    db: &Database,
    session: &StaffSession,
    email: &EmailAddress,
) -> Result<(), SessionError> {
    sqlx::query(
        "UPDATE staff_sessions SET pending_email = $2, verified_email = NULL, user_id = NULL WHERE id = $1",
    )
    .bind(&session.id)
    .bind(email.as_str())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The code proved `email`: the session works as `user` when the address has exactly one,
/// and otherwise waits for its owner to pick one. A new token either way, in the same
/// statement: a token seen before sign-in never names a signed-in session.
#[must_use = "the session's old token no longer works: the cookie needs the new one"]
pub async fn sign_in(
    db: &Database,
    session: &StaffSession,
    email: &EmailAddress,
    user: Option<MerchantUserId>,
) -> Result<SecretString, SessionError> {
    let token = new_token()?;
    sqlx::query(
        "UPDATE staff_sessions SET pending_email = NULL, verified_email = $2, user_id = $3, token_hash = $4 WHERE id = $1",
    )
    .bind(&session.id)
    .bind(email.as_str())
    .bind(user.map(|user| user.to_string()))
    .bind(token_hash(token.expose_secret()))
    .execute(db.writer())
    .await?;
    Ok(token)
}

/// The session now works as `user` (one of its verified address's; the caller checks).
pub async fn choose_user(
    db: &Database,
    session: &StaffSession,
    user: MerchantUserId,
) -> Result<(), SessionError> {
    sqlx::query("UPDATE staff_sessions SET user_id = $2 WHERE id = $1")
        .bind(&session.id)
        .bind(user.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Signs out.
pub async fn end(db: &Database, session: &StaffSession) -> Result<(), SessionError> {
    sqlx::query("UPDATE staff_sessions SET ended_at = $2 WHERE id = $1")
        .bind(&session.id)
        .bind(timestamp_text(now()))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Deletes sessions idle for a day and their codes.
pub async fn purge_stale(db: &Database) -> Result<u64, SessionError> {
    let cutoff = timestamp_text(now() - Duration::days(1));
    let codes = sqlx::query(
        "DELETE FROM staff_sign_in_codes WHERE created_at < $1 OR session_id IN (SELECT id FROM staff_sessions WHERE last_seen_at < $1)",
    )
    .bind(&cutoff)
    .execute(db.writer())
    .await?;
    let sessions = sqlx::query("DELETE FROM staff_sessions WHERE last_seen_at < $1")
        .bind(&cutoff)
        .execute(db.writer())
        .await?;
    Ok(codes.rows_affected() + sessions.rows_affected())
}
