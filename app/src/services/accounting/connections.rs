//! The stored side of accounting connections: one connection per merchant (its tokens
//! encrypted, bound to the row), and the authorizations under way (their `state` kept only as
//! a hash, bound to the staff session that started them, used once).

use crate::domain::accounting::{AccountingProvider, ConnectionState};
use crate::domain::ids::{AccountingConnectionId, MerchantId};
use crate::services::Database;
use crate::services::accounting::AccountingError;
use crate::services::accounting::oauth::Tokens;
use crate::services::clock::{now, timestamp_text};
use crate::services::keys::Keys;
use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyConnection;
use time::Duration;

/// How long an admin has to come back from the provider's consent page.
pub const AUTHORIZATION_WINDOW: Duration = Duration::minutes(15);

const STATE_PURPOSE: &str = "accounting-state";
const VERIFIER_PURPOSE: &str = "accounting-pkce-verifier";
const ACCESS_PURPOSE: &str = "accounting-access-token";
const REFRESH_PURPOSE: &str = "accounting-refresh-token";

/// A merchant's connection, its tokens still sealed (see [`Connection::tokens`]).
#[derive(Debug, Clone)]
pub struct Connection {
    pub id: AccountingConnectionId,
    pub merchant: MerchantId,
    pub provider: AccountingProvider,
    pub state: ConnectionState,
    /// Xero's tenant id or QuickBooks' realm id.
    pub tenant_id: String,
    pub tenant_name: String,
    pub provider_connection_id: Option<String>,
    pub access_expires_at: String,
    pub deposit_account_id: Option<String>,
    pub deposit_account_name: Option<String>,
    pub connected_by: String,
    pub created_at: String,
    sealed_access: String,
    sealed_refresh: String,
}

impl Connection {
    /// Treats the access token as expiring, so that the next [`access_token`] refreshes
    /// (the refresh itself still takes the lease, and checks the row still holds this
    /// connection's refresh token).
    ///
    /// [`access_token`]: crate::services::accounting::tokens::access_token
    pub fn force_refresh(&mut self) {
        self.access_expires_at = String::new();
    }

    /// The tokens, opened.
    pub fn tokens(&self, keys: &Keys) -> Result<(SecretString, SecretString), AccountingError> {
        let open = |purpose: &str, sealed: &str| {
            keys.decrypt(purpose, &self.id.to_string(), sealed)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map(SecretString::from)
                .ok_or(AccountingError::Crypto)
        };
        Ok((
            open(ACCESS_PURPOSE, &self.sealed_access)?,
            open(REFRESH_PURPOSE, &self.sealed_refresh)?,
        ))
    }
}

/// What a finished authorization connects.
pub struct NewConnection<'a> {
    pub merchant: MerchantId,
    pub provider: AccountingProvider,
    pub tenant_id: &'a str,
    pub tenant_name: &'a str,
    pub provider_connection_id: Option<&'a str>,
    pub tokens: &'a Tokens,
    pub connected_by: &'a str,
}

const COLUMNS: &str = "id, merchant_id, provider, state, tenant_id, tenant_name, \
     provider_connection_id, access_expires_at, deposit_account_id, deposit_account_name, \
     connected_by, created_at, access_token, refresh_token";

type Row = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn connection_of(row: Row) -> Result<Connection, AccountingError> {
    let corrupt = |what: &str| AccountingError::Storage(sqlx::Error::Decode(what.into()));
    Ok(Connection {
        id: AccountingConnectionId::parse(&row.0).map_err(|_| corrupt("connection id"))?,
        merchant: MerchantId::parse(&row.1).map_err(|_| corrupt("merchant id"))?,
        provider: AccountingProvider::parse(&row.2).map_err(|_| corrupt("provider"))?,
        state: ConnectionState::parse(&row.3).map_err(|_| corrupt("connection state"))?,
        tenant_id: row.4,
        tenant_name: row.5,
        provider_connection_id: row.6,
        access_expires_at: row.7,
        deposit_account_id: row.8,
        deposit_account_name: row.9,
        connected_by: row.10,
        created_at: row.11,
        sealed_access: row.12,
        sealed_refresh: row.13,
    })
}

/// `merchant`'s connection, if it has one.
pub async fn of_merchant(
    db: &Database,
    merchant: MerchantId,
) -> Result<Option<Connection>, AccountingError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounting_connections WHERE merchant_id = $1"
    ))
    .bind(merchant.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.map(connection_of).transpose()
}

fn state_hash(keys: &Keys, state: &SecretString) -> String {
    hex::encode(keys.sign(STATE_PURPOSE, state.expose_secret().as_bytes()))
}

/// Keeps an authorization under way for `session_id`, to be finished by [`take_authorization`].
pub async fn hold_authorization(
    db: &Database,
    keys: &Keys,
    session_id: &str,
    merchant: MerchantId,
    provider: AccountingProvider,
    state: &SecretString,
    pkce_verifier: Option<&SecretString>,
) -> Result<(), AccountingError> {
    let hash = state_hash(keys, state);
    let verifier = pkce_verifier
        .map(|verifier| {
            keys.encrypt(VERIFIER_PURPOSE, &hash, verifier.expose_secret().as_bytes())
                .map_err(|_| AccountingError::Crypto)
        })
        .transpose()?;
    sqlx::query(
        "INSERT INTO accounting_authorizations \
         (state_hash, session_id, merchant_id, provider, pkce_verifier, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&hash)
    .bind(session_id)
    .bind(merchant.to_string())
    .bind(provider.code())
    .bind(verifier)
    .bind(timestamp_text(now() + AUTHORIZATION_WINDOW))
    .execute(db.writer())
    .await?;
    Ok(())
}

/// An authorization come back, taken for finishing.
pub struct TakenAuthorization {
    pub merchant: MerchantId,
    pub provider: AccountingProvider,
    pub pkce_verifier: Option<SecretString>,
}

/// Removes and answers the authorization `state` names, if `session_id` started it and it has
/// not expired: a `state` works once, and only in the browser that was sent away with it.
pub async fn take_authorization(
    db: &Database,
    keys: &Keys,
    session_id: &str,
    state: &SecretString,
) -> Result<TakenAuthorization, AccountingError> {
    let hash = state_hash(keys, state);
    let row: Option<(String, String, Option<String>, String)> = sqlx::query_as(
        "DELETE FROM accounting_authorizations WHERE state_hash = $1 AND session_id = $2 \
         RETURNING merchant_id, provider, pkce_verifier, expires_at",
    )
    .bind(&hash)
    .bind(session_id)
    .fetch_optional(db.writer())
    .await?;
    let Some((merchant, provider, verifier, expires_at)) = row else {
        return Err(AccountingError::UnknownAuthorization);
    };
    if expires_at < timestamp_text(now()) {
        return Err(AccountingError::UnknownAuthorization);
    }
    let pkce_verifier = verifier
        .map(|sealed| {
            keys.decrypt(VERIFIER_PURPOSE, &hash, &sealed)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .map(SecretString::from)
                .ok_or(AccountingError::Crypto)
        })
        .transpose()?;
    Ok(TakenAuthorization {
        merchant: MerchantId::parse(&merchant).map_err(|_| AccountingError::Crypto)?,
        provider: AccountingProvider::parse(&provider).map_err(|_| AccountingError::Crypto)?,
        pkce_verifier,
    })
}

/// Deletes the authorizations nobody came back from.
pub async fn purge_expired_authorizations(db: &Database) -> Result<u64, AccountingError> {
    Ok(
        sqlx::query("DELETE FROM accounting_authorizations WHERE expires_at < $1")
            .bind(timestamp_text(now()))
            .execute(db.writer())
            .await?
            .rows_affected(),
    )
}

fn seal(
    keys: &Keys,
    id: AccountingConnectionId,
    tokens: &Tokens,
) -> Result<(String, String), AccountingError> {
    let row = id.to_string();
    let seal = |purpose: &str, token: &SecretString| {
        keys.encrypt(purpose, &row, token.expose_secret().as_bytes())
            .map_err(|_| AccountingError::Crypto)
    };
    Ok((
        seal(ACCESS_PURPOSE, &tokens.access)?,
        seal(REFRESH_PURPOSE, &tokens.refresh)?,
    ))
}

/// Stores a finished authorization: a new connection, or new tokens (and tenant) for the
/// merchant's connection to the same provider, which is connected again. A connection to the
/// other provider refuses it.
pub async fn save(
    db: &Database,
    keys: &Keys,
    new: NewConnection<'_>,
) -> Result<Connection, AccountingError> {
    let mut transaction = db.begin_write().await?;
    let existing: Option<(String, String)> =
        sqlx::query_as("SELECT id, provider FROM accounting_connections WHERE merchant_id = $1")
            .bind(new.merchant.to_string())
            .fetch_optional(&mut *transaction)
            .await?;
    let at = timestamp_text(now());
    let expires_at = timestamp_text(new.tokens.access_expires_at);
    match existing {
        Some((_, provider)) if provider != new.provider.code() => {
            let other =
                AccountingProvider::parse(&provider).map_err(|_| AccountingError::Crypto)?;
            return Err(AccountingError::OtherProviderConnected(other));
        }
        Some((id, _)) => {
            let id = AccountingConnectionId::parse(&id).map_err(|_| AccountingError::Crypto)?;
            let (access, refresh) = seal(keys, id, new.tokens)?;
            // Another company or organisation than before keeps no deposit account of the old.
            sqlx::query(
                "UPDATE accounting_connections SET state = 'connected', \
                 deposit_account_id = CASE WHEN tenant_id = $2 THEN deposit_account_id END, \
                 deposit_account_name = CASE WHEN tenant_id = $2 THEN deposit_account_name END, \
                 tenant_id = $2, tenant_name = $3, provider_connection_id = $4, \
                 access_token = $5, refresh_token = $6, access_expires_at = $7, \
                 refresh_lease_until = NULL, connected_by = $8, updated_at = $9 WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(new.tenant_id)
            .bind(new.tenant_name)
            .bind(new.provider_connection_id)
            .bind(access)
            .bind(refresh)
            .bind(&expires_at)
            .bind(new.connected_by)
            .bind(&at)
            .execute(&mut *transaction)
            .await?;
        }
        None => {
            let id = AccountingConnectionId::new_random();
            let (access, refresh) = seal(keys, id, new.tokens)?;
            sqlx::query(
                "INSERT INTO accounting_connections (id, merchant_id, provider, state, tenant_id, \
                 tenant_name, provider_connection_id, access_token, refresh_token, \
                 access_expires_at, connected_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'connected', $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(id.to_string())
            .bind(new.merchant.to_string())
            .bind(new.provider.code())
            .bind(new.tenant_id)
            .bind(new.tenant_name)
            .bind(new.provider_connection_id)
            .bind(access)
            .bind(refresh)
            .bind(&expires_at)
            .bind(new.connected_by)
            .bind(&at)
            .execute(&mut *transaction)
            .await?;
        }
    }
    transaction.commit().await?;
    of_merchant(db, new.merchant)
        .await?
        .ok_or(AccountingError::NotConnected)
}

/// Takes the lease on refreshing `connection`'s tokens for `lease`; `false` when another
/// caller holds it, or has refreshed since `connection` was read (its refresh token is not
/// the stored one any more: refreshing with it would be refused, as rotated away).
pub async fn lease_refresh(
    db: &Database,
    connection: &Connection,
    lease: Duration,
) -> Result<bool, AccountingError> {
    let at = now();
    let taken = sqlx::query(
        "UPDATE accounting_connections SET refresh_lease_until = $2 WHERE id = $1 \
         AND state = 'connected' AND refresh_token = $4 \
         AND (refresh_lease_until IS NULL OR refresh_lease_until < $3)",
    )
    .bind(connection.id.to_string())
    .bind(timestamp_text(at + lease))
    .bind(timestamp_text(at))
    .bind(&connection.sealed_refresh)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Stores refreshed tokens and gives the lease back, if the connection still holds the
/// refresh token that was leased (an admin who connected again meanwhile keeps their new
/// tokens).
pub async fn store_refreshed(
    db: &Database,
    keys: &Keys,
    leased: &Connection,
    tokens: &Tokens,
) -> Result<(), AccountingError> {
    let (access, refresh) = seal(keys, leased.id, tokens)?;
    sqlx::query(
        "UPDATE accounting_connections SET access_token = $2, refresh_token = $3, \
         access_expires_at = $4, refresh_lease_until = NULL, updated_at = $5 \
         WHERE id = $1 AND refresh_token = $6",
    )
    .bind(leased.id.to_string())
    .bind(access)
    .bind(refresh)
    .bind(timestamp_text(tokens.access_expires_at))
    .bind(timestamp_text(now()))
    .bind(&leased.sealed_refresh)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Gives the refresh lease back without new tokens (the provider did not answer).
pub async fn release_refresh(
    db: &Database,
    connection: AccountingConnectionId,
) -> Result<(), AccountingError> {
    sqlx::query("UPDATE accounting_connections SET refresh_lease_until = NULL WHERE id = $1")
        .bind(connection.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Marks a connection whose refresh token was refused, on the connection of the transaction
/// that also queues the merchant's email; answers whether it was connected with that token
/// until now (so that the merchant is told once, and a connection made again meanwhile is
/// left alone).
pub async fn mark_needs_reconnect(
    connection: &mut AnyConnection,
    refused: &Connection,
) -> Result<bool, AccountingError> {
    let changed = sqlx::query(
        "UPDATE accounting_connections SET state = 'needs_reconnect', \
         refresh_lease_until = NULL, updated_at = $2 \
         WHERE id = $1 AND state = 'connected' AND refresh_token = $3",
    )
    .bind(refused.id.to_string())
    .bind(timestamp_text(now()))
    .bind(&refused.sealed_refresh)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// Sets the account `merchant`'s payments are deposited to (`None`: the provider's default).
pub async fn set_deposit_account(
    db: &Database,
    merchant: MerchantId,
    account: Option<(&str, &str)>,
) -> Result<(), AccountingError> {
    let changed = sqlx::query(
        "UPDATE accounting_connections SET deposit_account_id = $2, deposit_account_name = $3, \
         updated_at = $4 WHERE merchant_id = $1",
    )
    .bind(merchant.to_string())
    .bind(account.map(|(id, _)| id))
    .bind(account.map(|(_, name)| name))
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AccountingError::NotConnected);
    }
    Ok(())
}

/// Removes `merchant`'s connection.
pub async fn delete(db: &Database, merchant: MerchantId) -> Result<(), AccountingError> {
    sqlx::query("DELETE FROM accounting_connections WHERE merchant_id = $1")
        .bind(merchant.to_string())
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Whether `expires_at` (a stored timestamp) falls within `margin` of now.
pub fn expires_within(expires_at: &str, margin: Duration) -> bool {
    expires_at <= timestamp_text(now() + margin).as_str()
}
