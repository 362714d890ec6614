//! The accounting software a merchant may connect, and what a connection's state means.

use serde::{Deserialize, Serialize};

/// The accounting software Portico writes payments to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountingProvider {
    QuickBooks,
    Xero,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The accounting software must be quickbooks or xero.")]
pub struct AccountingProviderError;

impl AccountingProvider {
    pub const ALL: [Self; 2] = [Self::QuickBooks, Self::Xero];

    pub fn code(self) -> &'static str {
        match self {
            Self::QuickBooks => "quickbooks",
            Self::Xero => "xero",
        }
    }

    pub fn parse(code: &str) -> Result<Self, AccountingProviderError> {
        Self::ALL
            .into_iter()
            .find(|provider| provider.code() == code)
            .ok_or(AccountingProviderError)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::QuickBooks => "QuickBooks Online",
            Self::Xero => "Xero",
        }
    }

    /// What the provider calls the books a connection writes to.
    pub fn tenant_word(self) -> &'static str {
        match self {
            Self::QuickBooks => "company",
            Self::Xero => "organisation",
        }
    }
}

/// Whether a connection can write to the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connected,
    /// The provider refused the refresh token (revoked, expired or rotated away): nothing is
    /// written until an admin connects again. Nothing is lost meanwhile: the writes wait.
    NeedsReconnect,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The connection state must be connected or needs_reconnect.")]
pub struct ConnectionStateError;

impl ConnectionState {
    pub const ALL: [Self; 2] = [Self::Connected, Self::NeedsReconnect];

    pub fn code(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::NeedsReconnect => "needs_reconnect",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ConnectionStateError> {
        Self::ALL
            .into_iter()
            .find(|state| state.code() == code)
            .ok_or(ConnectionStateError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_and_states_round_trip_through_their_codes() {
        for provider in AccountingProvider::ALL {
            assert_eq!(AccountingProvider::parse(provider.code()), Ok(provider));
        }
        for state in ConnectionState::ALL {
            assert_eq!(ConnectionState::parse(state.code()), Ok(state));
        }
        assert!(AccountingProvider::parse("sage").is_err());
        assert!(ConnectionState::parse("").is_err());
    }
}
