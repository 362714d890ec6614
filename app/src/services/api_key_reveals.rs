//! The one showing of an API key issued in the dashboard. The dashboard's forms are plain
//! posts answered by a redirect, so the key has to outlive the post that issued it: it is held
//! encrypted (bound to the staff session that issued it), for that session only, and deleted
//! by the page that shows it. A key never shown within [`REVEAL_WINDOW`] is never shown: the
//! admin revokes it and issues another.

use crate::domain::ids::{ApiKeyId, MerchantId};
use crate::services::Database;
use crate::services::api_keys::{self, ApiKeyError};
use crate::services::clock::{now, timestamp_text};
use crate::services::keys::Keys;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

/// How long an issued key waits to be shown.
pub const REVEAL_WINDOW: Duration = Duration::minutes(15);

const PURPOSE: &str = "api-key-reveal";

#[derive(Debug, thiserror::Error)]
pub enum RevealError {
    #[error(transparent)]
    Key(#[from] ApiKeyError),
    #[error("a held API key could not be sealed or opened")]
    Crypto,
    #[error("API key reveal storage failed")]
    Storage(#[from] sqlx::Error),
}

/// A key to show once, with the id it is listed under.
pub struct Reveal {
    pub id: ApiKeyId,
    pub secret: SecretString,
}

/// Issues a key for `merchant` and holds it for staff session `session_id` to be shown once,
/// in one transaction: no key exists that its issuer was never given the chance to copy. A
/// second key issued before the first was shown replaces it.
pub async fn issue(
    db: &Database,
    keys: &Keys,
    merchant: MerchantId,
    session_id: &str,
) -> Result<ApiKeyId, RevealError> {
    let mut transaction = db.begin_write().await?;
    let issued = api_keys::issue_in(&mut transaction, merchant).await?;
    let sealed = keys
        .encrypt(
            PURPOSE,
            session_id,
            issued.secret.expose_secret().as_bytes(),
        )
        .map_err(|_| RevealError::Crypto)?;
    sqlx::query(
        "INSERT INTO api_key_reveals (session_id, api_key_id, secret_encrypted, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET \
         api_key_id = excluded.api_key_id, secret_encrypted = excluded.secret_encrypted, \
         created_at = excluded.created_at",
    )
    .bind(session_id)
    .bind(issued.id.to_string())
    .bind(sealed)
    .bind(timestamp_text(now()))
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(issued.id)
}

/// The key held for `session_id`, removed as it is read, if it was issued within the window.
pub async fn take(
    db: &Database,
    keys: &Keys,
    session_id: &str,
) -> Result<Option<Reveal>, RevealError> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "DELETE FROM api_key_reveals WHERE session_id = $1 \
         RETURNING api_key_id, secret_encrypted, created_at",
    )
    .bind(session_id)
    .fetch_optional(db.writer())
    .await?;
    let Some((id, sealed, created_at)) = row else {
        return Ok(None);
    };
    if created_at < timestamp_text(now() - REVEAL_WINDOW) {
        return Ok(None);
    }
    let id = ApiKeyId::parse(&id).map_err(|_| RevealError::Crypto)?;
    let secret = keys
        .decrypt(PURPOSE, session_id, &sealed)
        .ok()
        .and_then(|plain| String::from_utf8(plain).ok())
        .ok_or(RevealError::Crypto)?;
    Ok(Some(Reveal {
        id,
        secret: SecretString::from(secret),
    }))
}
