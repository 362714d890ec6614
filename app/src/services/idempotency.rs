//! Idempotent requests: the first response to a POST carrying an `Idempotency-Key` is stored
//! and given again to every retry with the same key and the same request.

use crate::domain::idempotency::IdempotencyKey;
use crate::domain::ids::MerchantId;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use time::Duration;

/// A claim left without a response this long is taken to belong to a request that died with
/// its server, and may be taken over.
const ABANDONED_AFTER: Duration = Duration::minutes(5);

/// Proof of holding a claim: when it was made. `complete` and `release` only touch the claim
/// they were given, so a slow request whose claim was taken over cannot overwrite the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimToken(String);

/// What the caller should do with a request that carries a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: do the work, then `complete` (or `release` if it failed on our side).
    Fresh(ClaimToken),
    /// Done before: answer with this.
    Replay { status: u16, body: String },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still being worked on.
    InFlight,
}

pub async fn claim(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
    request_fingerprint: &str,
) -> Result<Claim, sqlx::Error> {
    // A claim released between our insert and our read leaves nothing to read: try again.
    for _ in 0..3 {
        let claimed_at = timestamp_text(now());
        let inserted = sqlx::query(
            "INSERT INTO idempotent_requests (merchant_id, idempotency_key, request_fingerprint, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(merchant.to_string())
        .bind(key.as_str())
        .bind(request_fingerprint)
        .bind(&claimed_at)
        .execute(db.writer())
        .await;
        match inserted {
            Ok(_) => return Ok(Claim::Fresh(ClaimToken(claimed_at))),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {}
            Err(error) => return Err(error),
        }
        let existing: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT request_fingerprint, response_status, response_body FROM idempotent_requests \
             WHERE merchant_id = $1 AND idempotency_key = $2",
        )
        .bind(merchant.to_string())
        .bind(key.as_str())
        .fetch_optional(db.pool())
        .await?;
        let Some((fingerprint, status, body)) = existing else {
            continue;
        };
        if fingerprint != request_fingerprint {
            return Ok(Claim::Mismatch);
        }
        if let (Some(status), Some(body)) =
            (status.and_then(|status| u16::try_from(status).ok()), body)
        {
            return Ok(Claim::Replay { status, body });
        }
        let cutoff = timestamp_text(now() - ABANDONED_AFTER);
        let taken_over = sqlx::query(
            "UPDATE idempotent_requests SET created_at = $3 \
             WHERE merchant_id = $1 AND idempotency_key = $2 AND response_status IS NULL AND created_at < $4",
        )
        .bind(merchant.to_string())
        .bind(key.as_str())
        .bind(&claimed_at)
        .bind(cutoff)
        .execute(db.writer())
        .await?;
        return Ok(if taken_over.rows_affected() == 1 {
            Claim::Fresh(ClaimToken(claimed_at))
        } else {
            Claim::InFlight
        });
    }
    Ok(Claim::InFlight)
}

/// Stores the response to give every retry.
pub async fn complete(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
    token: &ClaimToken,
    status: u16,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotent_requests SET response_status = $3, response_body = $4 \
         WHERE merchant_id = $1 AND idempotency_key = $2 AND created_at = $5 AND response_status IS NULL",
    )
    .bind(merchant.to_string())
    .bind(key.as_str())
    .bind(i64::from(status))
    .bind(body)
    .bind(&token.0)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// How long a key is remembered: a retry later than this is a new request.
pub const KEYS_KEPT_FOR: Duration = Duration::hours(24);

/// Deletes the records of requests older than [`KEYS_KEPT_FOR`]; returns how many.
pub async fn purge_expired(db: &Database) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM idempotent_requests WHERE created_at < $1")
        .bind(timestamp_text(now() - KEYS_KEPT_FOR))
        .execute(db.writer())
        .await?;
    Ok(deleted.rows_affected())
}

/// Forgets a claim whose request failed on our side, so that a retry does the work afresh.
pub async fn release(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
    token: &ClaimToken,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM idempotent_requests \
         WHERE merchant_id = $1 AND idempotency_key = $2 AND created_at = $3 AND response_status IS NULL",
    )
    .bind(merchant.to_string())
    .bind(key.as_str())
    .bind(&token.0)
    .execute(db.writer())
    .await?;
    Ok(())
}
