//! Merchant API keys. A key is shown once, when it is issued; only its SHA-256 is stored, so a
//! copy of the database does not let anyone call the API.

use crate::domain::ids::{ApiKeyId, MerchantId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

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

pub async fn issue(db: &Database, merchant: MerchantId) -> Result<IssuedApiKey, ApiKeyError> {
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
        .execute(db.writer())
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

/// Revokes a key at once; requests carrying it fail from the next one on.
pub async fn revoke(db: &Database, id: ApiKeyId) -> Result<(), ApiKeyError> {
    let revoked =
        sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id.to_string())
            .bind(timestamp_text(now()))
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
