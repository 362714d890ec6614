//! Connecting and disconnecting, as the dashboard's settings ask: send the admin to the
//! provider's consent page, finish the authorization that comes back (in the same browser
//! session only), choose the deposit account, and take the connection back (revoking the
//! tokens at the provider).

use crate::domain::accounting::AccountingProvider;
use crate::domain::ids::MerchantId;
use crate::services::accounting::AccountingError;
use crate::services::accounting::connections::{self, Connection, NewConnection};
use crate::services::accounting::connector::{Connector, DepositAccount};
use crate::services::accounting::tokens::{self, Context, redirect_url};
use crate::services::accounting::{oauth, records};
use secrecy::SecretString;

/// Starts an authorization for `provider` in staff session `session_id`; answers the address
/// to send the admin to.
pub async fn start(
    context: Context<'_>,
    session_id: &str,
    merchant: MerchantId,
    provider: AccountingProvider,
) -> Result<String, AccountingError> {
    if let Some(existing) = connections::of_merchant(context.db, merchant).await?
        && existing.provider != provider
    {
        return Err(AccountingError::OtherProviderConnected(existing.provider));
    }
    let connector = Connector::of(context.apps, provider)?;
    let authorization = oauth::authorization(connector.app(), &redirect_url(context.public_url))?;
    connections::hold_authorization(
        context.db,
        context.keys,
        session_id,
        merchant,
        provider,
        &authorization.state,
        authorization.pkce_verifier.as_ref(),
    )
    .await?;
    Ok(authorization.url)
}

/// What the provider sent back to the callback.
pub struct Callback {
    pub state: SecretString,
    pub code: Option<String>,
    /// Set when the admin declined, or the provider refused (`access_denied`, ...).
    pub error: Option<String>,
    /// QuickBooks' company.
    pub realm_id: Option<String>,
}

/// Finishes the authorization `callback` answers, for the staff member `by` of `merchant` in
/// session `session_id`: the code is exchanged, the books it opens are found, and the
/// connection is stored.
pub async fn finish(
    context: Context<'_>,
    session_id: &str,
    merchant: MerchantId,
    by: &str,
    callback: Callback,
) -> Result<Connection, AccountingError> {
    let taken =
        connections::take_authorization(context.db, context.keys, session_id, &callback.state)
            .await?;
    if taken.merchant != merchant {
        return Err(AccountingError::UnknownAuthorization);
    }
    if let Some(error) = callback.error {
        return Err(AccountingError::AuthorizationRefused(error));
    }
    let code = callback
        .code
        .filter(|code| !code.is_empty())
        .ok_or_else(|| AccountingError::AuthorizationRefused("no code came back".to_owned()))?;
    let connector = Connector::of(context.apps, taken.provider)?;
    let tokens = oauth::exchange(
        context.apps,
        connector.app(),
        &redirect_url(context.public_url),
        &code,
        taken.pkce_verifier,
    )
    .await?;
    let tenant = connector
        .tenant(&tokens.access, callback.realm_id.as_deref())
        .await?;
    let connection = connections::save(
        context.db,
        context.keys,
        NewConnection {
            merchant,
            provider: taken.provider,
            tenant_id: &tenant.id,
            tenant_name: &tenant.name,
            provider_connection_id: tenant.connection_id.as_deref(),
            tokens: &tokens,
            connected_by: by,
        },
    )
    .await?;
    // Payments that waited while the connection needed making again.
    if let Err(error) = records::requeue_waiting(context, merchant).await {
        tracing::error!(error = %crate::error::Chain(&error), "queueing the payments that waited for a connection");
    }
    Ok(connection)
}

/// The accounts `connection`'s payments may be deposited to.
pub async fn deposit_accounts(
    context: Context<'_>,
    connection: &Connection,
) -> Result<Vec<DepositAccount>, AccountingError> {
    let connector = Connector::of(context.apps, connection.provider)?;
    let access = tokens::access_token(context, connection).await?;
    connector
        .deposit_accounts(&access, &connection.tenant_id)
        .await
}

/// Sets the deposit account of `merchant`'s connection to `account_id`, which must be one of
/// its bank accounts; an empty id goes back to the provider's default where it has one.
pub async fn choose_deposit_account(
    context: Context<'_>,
    merchant: MerchantId,
    account_id: &str,
) -> Result<Option<DepositAccount>, AccountingError> {
    let connection = connections::of_merchant(context.db, merchant)
        .await?
        .ok_or(AccountingError::NotConnected)?;
    let connector = Connector::of(context.apps, connection.provider)?;
    if account_id.is_empty() && connector.default_deposit().is_some() {
        connections::set_deposit_account(context.db, merchant, None).await?;
        return Ok(None);
    }
    let account = deposit_accounts(context, &connection)
        .await?
        .into_iter()
        .find(|account| account.id == account_id)
        .ok_or(AccountingError::UnknownAccount)?;
    connections::set_deposit_account(context.db, merchant, Some((&account.id, &account.name)))
        .await?;
    Ok(Some(account))
}

/// Takes `merchant`'s connection back: the tokens are revoked at the provider (a provider
/// that does not answer keeps the connection, to be disconnected again), then the connection
/// is removed. A provider this deployment has no credentials for any more, or tokens that no
/// longer open, cannot be revoked from here: the connection is removed all the same (logged),
/// so that a merchant is never stuck with it.
pub async fn disconnect(context: Context<'_>, merchant: MerchantId) -> Result<(), AccountingError> {
    let connection = connections::of_merchant(context.db, merchant)
        .await?
        .ok_or(AccountingError::NotConnected)?;
    match (
        Connector::of(context.apps, connection.provider),
        connection.tokens(context.keys),
    ) {
        (Ok(connector), Ok((access, refresh))) => {
            connector
                .disconnect(
                    &access,
                    &refresh,
                    connection.provider_connection_id.as_deref(),
                )
                .await?;
        }
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(
                error = %crate::error::Chain(&error),
                provider = connection.provider.code(),
                "disconnecting without revoking: revoke Portico's access at the provider by hand"
            );
        }
    }
    connections::delete(context.db, merchant).await
}
