//! A working access token for a connection. Access tokens live half an hour (Xero) or an hour
//! (QuickBooks); one that expires within [`REFRESH_MARGIN`] is refreshed first. Both providers
//! rotate the refresh token on every refresh, so two refreshes at once would break the chain:
//! the refresh is leased to one caller ([`connections::lease_refresh`]) and the others wait for
//! its result. A refused refresh marks the connection `needs_reconnect` and emails the
//! merchant's admins, in one transaction, once.

use crate::domain::accounting::{AccountingProvider, ConnectionState};
use crate::domain::public_url::PublicUrl;
use crate::services::Database;
use crate::services::accounting::AccountingError;
use crate::services::accounting::apps::AccountingApps;
use crate::services::accounting::connections::{self, Connection};
use crate::services::accounting::oauth;
use crate::services::jobs::{self, Job, NewJob, OutgoingEmail};
use crate::services::keys::Keys;
use secrecy::SecretString;
use time::Duration;

/// An access token this close to expiry is refreshed before it is used.
pub const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// How long one caller may hold a refresh: a provider that has not answered by then is
/// treated as not having answered.
const REFRESH_LEASE: Duration = Duration::seconds(45);

/// How often a caller waiting for another's refresh looks again.
const WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// What working with a connection needs.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub db: &'a Database,
    pub keys: &'a Keys,
    pub apps: &'a AccountingApps,
    pub public_url: &'a PublicUrl,
}

/// Where each provider sends the admin back after consent: one address, registered with
/// both (the authorization's `state` says which provider it was).
pub fn redirect_url(public_url: &PublicUrl) -> String {
    format!(
        "{}/dashboard/settings/accounting/callback",
        public_url.as_str().trim_end_matches('/')
    )
}

/// A connection nothing refreshed for this long is refreshed by [`keep_fresh`]: well inside
/// the providers' idle limits (Xero 60 days, QuickBooks 100).
pub const IDLE_REFRESH: Duration = Duration::days(7);

/// Refreshes the connections nothing used for [`IDLE_REFRESH`] (at most 10 a run, well inside
/// a job's time: a refresh cut off between the provider's answer and its storing would lose
/// the rotated token); answers
/// how many were refreshed. One that fails is logged and left for the next run (a refused
/// refresh token marks it `needs_reconnect` and tells the merchant, as any refresh does).
pub async fn keep_fresh(context: Context<'_>) -> Result<usize, AccountingError> {
    let idle: Vec<(String,)> = sqlx::query_as(
        "SELECT merchant_id FROM accounting_connections WHERE state = 'connected' \
         AND updated_at < $1 ORDER BY updated_at LIMIT 10",
    )
    .bind(crate::services::clock::timestamp_text(
        crate::services::clock::now() - IDLE_REFRESH,
    ))
    .fetch_all(context.db.pool())
    .await?;
    let mut refreshed = 0;
    for (merchant,) in idle {
        let Ok(merchant) = crate::domain::ids::MerchantId::parse(&merchant) else {
            continue;
        };
        let Some(mut connection) = connections::of_merchant(context.db, merchant).await? else {
            continue;
        };
        // Its access token may still work: refresh all the same, which is the point.
        connection.force_refresh();
        match access_token(context, &connection).await {
            Ok(_) => refreshed += 1,
            Err(error) => {
                tracing::warn!(error = %crate::error::Chain(&error), %merchant, "keeping an accounting connection fresh");
            }
        }
    }
    Ok(refreshed)
}

/// An access token for `connection` that works for at least [`REFRESH_MARGIN`].
pub async fn access_token(
    context: Context<'_>,
    connection: &Connection,
) -> Result<SecretString, AccountingError> {
    let mut connection = connection.clone();
    // Another caller holding the lease refreshes meanwhile: wait as long as its lease runs.
    let rounds = REFRESH_LEASE.whole_milliseconds() / WAIT.as_millis() as i128 + 1;
    for _ in 0..rounds {
        if connection.state == ConnectionState::NeedsReconnect {
            return Err(AccountingError::NeedsReconnect(connection.provider));
        }
        let (access, refresh) = connection.tokens(context.keys)?;
        if !connections::expires_within(&connection.access_expires_at, REFRESH_MARGIN) {
            return Ok(access);
        }
        if connections::lease_refresh(context.db, &connection, REFRESH_LEASE).await? {
            return refresh_leased(context, &connection, &refresh).await;
        }
        tokio::time::sleep(WAIT).await;
        connection = connections::of_merchant(context.db, connection.merchant)
            .await?
            .ok_or(AccountingError::NotConnected)?;
    }
    Err(AccountingError::Unreadable {
        provider: connection.provider,
        detail: "another refresh of the tokens did not finish".to_owned(),
    })
}

async fn refresh_leased(
    context: Context<'_>,
    connection: &Connection,
    refresh: &SecretString,
) -> Result<SecretString, AccountingError> {
    let app = context
        .apps
        .app(connection.provider)
        .ok_or(AccountingError::NotConfigured(connection.provider))?;
    let redirect = redirect_url(context.public_url);
    match oauth::refresh(context.apps, app, &redirect, refresh).await {
        Ok(tokens) => {
            connections::store_refreshed(context.db, context.keys, connection, &tokens).await?;
            Ok(tokens.access)
        }
        Err(AccountingError::NeedsReconnect(provider)) => {
            refused_access(context, connection).await?;
            Err(AccountingError::NeedsReconnect(provider))
        }
        Err(error) => {
            connections::release_refresh(context.db, connection.id).await?;
            Err(error)
        }
    }
}

/// Marks `connection` as needing a new authorization (its refresh token, or the books
/// themselves, refused Portico) and, the first time, emails every admin of its merchant, in
/// one transaction.
pub async fn refused_access(
    context: Context<'_>,
    connection: &Connection,
) -> Result<(), AccountingError> {
    let admins: Vec<(String,)> = sqlx::query_as(
        "SELECT email FROM merchant_users WHERE merchant_id = $1 AND role = 'admin' \
         ORDER BY created_at, id LIMIT 50",
    )
    .bind(connection.merchant.to_string())
    .fetch_all(context.db.pool())
    .await?;
    let settings = format!(
        "{}/dashboard/settings/accounting",
        context.public_url.as_str().trim_end_matches('/')
    );
    let emails = admins
        .into_iter()
        .map(|(email,)| {
            reconnect_email(
                connection.provider,
                &connection.tenant_name,
                &email,
                &settings,
            )
        })
        .collect::<Vec<_>>();
    let refused = connection.clone();
    let keys = context.keys.clone();
    context
        .db
        .write(move |transaction| {
            Box::pin(async move {
                if connections::mark_needs_reconnect(transaction, &refused).await? {
                    for email in &emails {
                        let job = NewJob::sealed(&Job::Email(email.clone()), &keys)?;
                        jobs::enqueue(transaction, job).await?;
                    }
                }
                Ok::<_, AccountingError>(())
            })
        })
        .await
}

fn reconnect_email(
    provider: AccountingProvider,
    tenant: &str,
    to: &str,
    settings: &str,
) -> OutgoingEmail {
    let label = provider.label();
    OutgoingEmail {
        sender_name: "Portico".to_owned(),
        to: to.to_owned(),
        reply_to: None,
        subject: format!("Connect {label} to Portico again"),
        body: format!(
            "{label} no longer accepts Portico's access to {tenant} (it was revoked in {label}, \
             or went unused too long).\n\n\
             Payments go on being taken, and nothing is lost: each waits to be recorded in \
             {label} until an admin connects it again at {settings}\n"
        ),
        html_body: None,
        send_before: None,
    }
}
