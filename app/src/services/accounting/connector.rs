//! The interface both providers implement: what connecting needs of them (whose books the
//! tokens open, the accounts payments may be deposited to) and taking the connection back.
//! Matching on [`Connector`] is exhaustive, so a third provider is a compile error wherever it
//! must be handled.

use crate::domain::accounting::AccountingProvider;
use crate::services::accounting::apps::{AccountingApps, ProviderApp};
use crate::services::accounting::{AccountingError, quickbooks, xero};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

/// The books a connection writes to: a Xero organisation or a QuickBooks company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    /// Xero's id of this tenant's connection (deleted on disconnect).
    pub connection_id: Option<String>,
}

/// An account a payment can be deposited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositAccount {
    pub id: String,
    pub name: String,
}

/// One provider's API, for one deployment's registration.
pub enum Connector<'a> {
    QuickBooks(quickbooks::QuickBooks<'a>),
    Xero(xero::Xero<'a>),
}

impl<'a> Connector<'a> {
    /// The connector for `provider`, or why there is none.
    pub fn of(
        apps: &'a AccountingApps,
        provider: AccountingProvider,
    ) -> Result<Self, AccountingError> {
        let app = apps
            .app(provider)
            .ok_or(AccountingError::NotConfigured(provider))?;
        Ok(match provider {
            AccountingProvider::QuickBooks => {
                Self::QuickBooks(quickbooks::QuickBooks { apps, app })
            }
            AccountingProvider::Xero => Self::Xero(xero::Xero { apps, app }),
        })
    }

    pub fn app(&self) -> &ProviderApp {
        match self {
            Self::QuickBooks(quickbooks) => quickbooks.app,
            Self::Xero(xero) => xero.app,
        }
    }

    /// Whose books `access` opens. QuickBooks names its company (realm) in the callback;
    /// Xero lists the tenants an authorization connected.
    pub async fn tenant(
        &self,
        access: &SecretString,
        callback_realm: Option<&str>,
    ) -> Result<Tenant, AccountingError> {
        match self {
            Self::QuickBooks(quickbooks) => quickbooks.company(access, callback_realm).await,
            Self::Xero(xero) => xero.tenant(access).await,
        }
    }

    /// The accounts of `tenant` that payments can be deposited to.
    pub async fn deposit_accounts(
        &self,
        access: &SecretString,
        tenant: &str,
    ) -> Result<Vec<DepositAccount>, AccountingError> {
        match self {
            Self::QuickBooks(quickbooks) => quickbooks.bank_accounts(access, tenant).await,
            Self::Xero(xero) => xero.bank_accounts(access, tenant).await,
        }
    }

    /// Where payments go when the merchant chose no account: QuickBooks' Undeposited Funds;
    /// Xero has no default, so an account must be chosen.
    pub fn default_deposit(&self) -> Option<&'static str> {
        match self {
            Self::QuickBooks(_) => Some("Undeposited Funds"),
            Self::Xero(_) => None,
        }
    }

    /// Takes Portico's access back: Xero's tenant connection is deleted, and the refresh
    /// token (with every access token it made) revoked.
    pub async fn disconnect(
        &self,
        access: &SecretString,
        refresh: &SecretString,
        provider_connection_id: Option<&str>,
    ) -> Result<(), AccountingError> {
        match self {
            Self::QuickBooks(quickbooks) => quickbooks.revoke(refresh).await,
            Self::Xero(xero) => {
                if let Some(connection) = provider_connection_id {
                    xero.delete_connection(access, connection).await?;
                }
                xero.revoke(refresh).await
            }
        }
    }
}

/// Sends `request` and reads its JSON answer. A status that is not a success is a refusal
/// carrying what `message_of` finds in the body (each provider words its errors its own way).
pub(crate) async fn call<T: DeserializeOwned>(
    provider: AccountingProvider,
    request: reqwest::RequestBuilder,
    message_of: fn(&serde_json::Value) -> Option<String>,
) -> Result<T, AccountingError> {
    let response = request
        .send()
        .await
        .map_err(|error| AccountingError::Unreachable(provider, error))?;
    let status = response.status();
    if status.as_u16() == 429 {
        return Err(AccountingError::RateLimited {
            provider,
            retry_after: response
                .headers()
                .get("retry-after")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse().ok()),
        });
    }
    let body = response
        .bytes()
        .await
        .map_err(|error| AccountingError::Unreachable(provider, error))?;
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    if !status.is_success() {
        return Err(AccountingError::Refused {
            provider,
            status: status.as_u16(),
            message: json
                .as_ref()
                .and_then(message_of)
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("no reason").to_owned()),
        });
    }
    let json = json.ok_or_else(|| AccountingError::Unreadable {
        provider,
        detail: format!("a {status} answer that is not JSON"),
    })?;
    // QuickBooks can answer 200 with a fault in the body.
    if let Some(message) = message_of(&json) {
        return Err(AccountingError::Refused {
            provider,
            status: status.as_u16(),
            message,
        });
    }
    serde_json::from_value(json).map_err(|error| AccountingError::Unreadable {
        provider,
        detail: error.to_string(),
    })
}

/// `amount` as the JSON number both providers take (Xero types it `double`, QuickBooks
/// `decimal`): written from its decimal text, and refused when the number would not read back
/// as exactly that amount.
pub(crate) fn json_amount(
    provider: AccountingProvider,
    amount: &crate::domain::money::Money,
) -> Result<serde_json::Value, AccountingError> {
    let text = amount.to_plain_string();
    let number = text
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .filter(|number| {
            number.to_string().parse::<rust_decimal::Decimal>().ok() == Some(amount.amount())
        })
        .ok_or_else(|| AccountingError::Unreadable {
            provider,
            detail: format!("{text} cannot be sent exactly as a JSON number"),
        })?;
    Ok(serde_json::Value::Number(number))
}

/// Sends `request` for its status alone (revocations, deletions).
pub(crate) async fn send(
    provider: AccountingProvider,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::StatusCode, AccountingError> {
    request
        .send()
        .await
        .map(|response| response.status())
        .map_err(|error| AccountingError::Unreachable(provider, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::{Currency, Money};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn amounts_are_sent_as_exactly_the_number_they_are(minor in 1_i64..10_000_000_000_000) {
            let amount = Money::from_minor_units(minor, Currency::Usd).unwrap();
            let json = json_amount(AccountingProvider::Xero, &amount).unwrap();
            let read: rust_decimal::Decimal = json.to_string().parse().unwrap();
            prop_assert_eq!(read, amount.amount());
        }
    }
}
