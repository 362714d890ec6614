//! Connections to the merchant's accounting software: QuickBooks Online (Accounting API v3)
//! and Xero (Accounting API 2.0), spoken over their real REST APIs.
//!
//! - [`apps`]: Portico's registration with each provider (client credentials and endpoints,
//!   from the environment), and the HTTP client every call goes through.
//! - [`connector`]: the interface both providers implement ([`connector::Connector`]), with
//!   [`xero`] and [`quickbooks`] behind it.
//! - [`oauth`]: the OAuth 2.0 authorization-code flow (state, PKCE, exchange, refresh).
//! - [`connections`]: the stored connections and authorizations under way (tokens encrypted).
//! - [`link`]: connecting, choosing the deposit account, disconnecting: what the dashboard's
//!   settings call.
//! - [`records`]: each succeeded payment recorded there against its invoices (an outbox job
//!   queued with the status change), and reversed when it is returned or refunded.
//! - [`tokens`]: a working access token for a connection, refreshed once (leased) before it
//!   expires; a refused refresh marks the connection `needs_reconnect` and tells the merchant.
//!
//! The facts each provider is built to, with their sources, are in `docs/accounting-apis.md`.

pub mod apps;
pub mod connections;
pub mod connector;
pub mod link;
pub mod oauth;
pub mod quickbooks;
pub mod records;
pub mod tokens;
pub mod xero;

use crate::domain::accounting::AccountingProvider;

#[derive(Debug, thiserror::Error)]
pub enum AccountingError {
    /// Portico has no client credentials for this provider.
    #[error("{} is not configured: set {}", .0.label(), apps::credential_variables(*.0))]
    NotConfigured(AccountingProvider),
    /// The provider answered with a refusal; `message` is what it said.
    #[error("{provider} refused ({status}): {message}", provider = .provider.label())]
    Refused {
        provider: AccountingProvider,
        status: u16,
        message: String,
    },
    /// The provider asks Portico to slow down (429), for `retry_after` seconds when it says.
    #[error("{provider} is rate-limiting Portico", provider = .provider.label())]
    RateLimited {
        provider: AccountingProvider,
        retry_after: Option<u64>,
    },
    /// The provider did not answer (a timeout, a refused connection): it may have acted.
    #[error("{} did not answer", .0.label())]
    Unreachable(AccountingProvider, #[source] reqwest::Error),
    /// The provider answered something that is not what its API describes.
    #[error("{provider} answered something unreadable: {detail}", provider = .provider.label())]
    Unreadable {
        provider: AccountingProvider,
        detail: String,
    },
    /// The refresh token was refused: an admin must connect again.
    #[error("the connection to {} must be made again", .0.label())]
    NeedsReconnect(AccountingProvider),
    /// The account chosen is not one of the connection's bank accounts (any more).
    #[error("no such bank account in the connected books")]
    UnknownAccount,
    /// The merchant has no connection (any more).
    #[error("no accounting connection")]
    NotConnected,
    /// The authorization came back to another session, too late, or twice.
    #[error("the authorization is unknown, expired or used")]
    UnknownAuthorization,
    /// The person refused, or the provider refused to authorize.
    #[error("the authorization was refused: {0}")]
    AuthorizationRefused(String),
    /// A connection to the other provider exists: one set of books at a time.
    #[error("connected to {} already", .0.label())]
    OtherProviderConnected(AccountingProvider),
    #[error("the merchant's email could not be queued")]
    Job(#[from] crate::services::jobs::JobError),
    #[error("a stored token could not be sealed or opened")]
    Crypto,
    #[error("accounting storage failed")]
    Storage(#[from] sqlx::Error),
}
