//! Merchant API keys. A key is shown once, when it is issued; only its SHA-256 is stored, so a
//! copy of the database does not let anyone call the API.

use crate::domain::ids::{ApiKeyId, MerchantId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

/// Every key starts with this, so that secret scanners and people recognise one.
const KEY_PREFIX: &str = "portico_sk_";

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("no such API key")]
    NotFound,
    #[error("the system random number generator failed")]
    Random(#[from] getrandom::Error),
    #[error("API key storage failed")]
    Storage(#[from] sqlx::Error),
}

/// A freshly issued key: the only moment the secret exists outside the caller's hands.
pub struct IssuedApiKey {
    pub id: ApiKeyId,
    pub secret: SecretString,
}

/// A key as its merchant's settings list it: never the key, only its hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeySummary {
    pub id: ApiKeyId,
    /// `portico_sk_…` and the key's last four characters.
    pub hint: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

pub async fn issue(db: &Database, merchant: MerchantId) -> Result<IssuedApiKey, ApiKeyError> {
    let mut connection = db.writer().acquire().await?;
    issue_in(&mut connection, merchant).await
}

/// Issues a key as part of the caller's transaction (so that what shows it is written with it).
pub async fn issue_in(
    connection: &mut AnyConnection,
    merchant: MerchantId,
) -> Result<IssuedApiKey, ApiKeyError> {
    let mut random = [0_u8; 32];
    getrandom::fill(&mut random)?;
    let secret = format!("{KEY_PREFIX}{}", hex::encode(random));
    let id = ApiKeyId::new_random();
    sqlx::query("INSERT INTO api_keys (id, merchant_id, token_hash, hint, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.to_string())
        .bind(merchant.to_string())
        .bind(fingerprint(&secret))
        .bind(format!("{KEY_PREFIX}…{}", &secret[secret.len() - 4..]))
        .bind(timestamp_text(now()))
        .execute(&mut *connection)
        .await?;
    Ok(IssuedApiKey {
        id,
        secret: SecretString::from(secret),
    })
}

/// The merchant a presented key belongs to, or `None` for an unknown or revoked key.
pub async fn authenticate(
    db: &Database,
    presented: &SecretString,
) -> Result<Option<MerchantId>, ApiKeyError> {
    let presented = presented.expose_secret();
    if !presented.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT merchant_id FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(fingerprint(presented))
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(merchant,)| MerchantId::parse(&merchant).ok()))
}

/// `merchant`'s keys, newest first, revoked ones too (so that the settings show when each
/// stopped working). A merchant keeps a handful; the list is capped so that a runaway script
/// issuing keys cannot make it huge.
pub async fn list(db: &Database, merchant: MerchantId) -> Result<Vec<ApiKeySummary>, ApiKeyError> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, hint, created_at, revoked_at FROM api_keys WHERE merchant_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 200",
    )
    .bind(merchant.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, hint, created_at, revoked_at)| {
            Ok(ApiKeySummary {
                id: ApiKeyId::parse(&id).map_err(|_| ApiKeyError::NotFound)?,
                hint,
                created_at,
                revoked_at,
            })
        })
        .collect()
}

/// Revokes one of `merchant`'s keys at once; requests carrying it fail from the next one on.
/// Another merchant's key, or one already revoked, is `NotFound`.
pub async fn revoke(db: &Database, merchant: MerchantId, id: ApiKeyId) -> Result<(), ApiKeyError> {
    revoke_where(db, id, Some(merchant)).await
}

/// Revokes any merchant's key: the operator's command, which works across merchants.
pub async fn revoke_any(db: &Database, id: ApiKeyId) -> Result<(), ApiKeyError> {
    revoke_where(db, id, None).await
}

async fn revoke_where(
    db: &Database,
    id: ApiKeyId,
    merchant: Option<MerchantId>,
) -> Result<(), ApiKeyError> {
    let revoked = sqlx::query(
        "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
         AND ($3 IS NULL OR merchant_id = $3)",
    )
    .bind(id.to_string())
    .bind(timestamp_text(now()))
    .bind(merchant.map(|merchant| merchant.to_string()))
    .execute(db.writer())
    .await?;
    if revoked.rows_affected() == 0 {
        return Err(ApiKeyError::NotFound);
    }
    Ok(())
}

/// A key's stored form. A plain hash suffices: keys carry 256 random bits, so there is nothing
/// to guess, and a lookup by hash leaks no timing about the key.
fn fingerprint(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_sha256_hex() {
        assert_eq!(
            fingerprint("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
