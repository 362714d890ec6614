//! Whether a payment is recorded in the merchant's books. Without an accounting connection a
//! bookkeeper marks payments reconciled by hand; with one, the connection's own states follow
//! the payment there (`queued`, `synced`, `failed`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconciliation {
    /// Not in the books yet: what a bookkeeper works through.
    Unreconciled,
    /// Recorded by hand; the payment keeps who marked it and when.
    Reconciled,
    /// Waiting to be written to the accounting software.
    Queued,
    /// Written to the accounting software.
    Synced,
    /// The accounting software refused it.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The reconciliation state must be one of unreconciled, reconciled, queued, synced or failed."
)]
pub struct ReconciliationError;

impl Reconciliation {
    pub const ALL: [Self; 5] = [
        Self::Unreconciled,
        Self::Reconciled,
        Self::Queued,
        Self::Synced,
        Self::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Unreconciled => "unreconciled",
            Self::Reconciled => "reconciled",
            Self::Queued => "queued",
            Self::Synced => "synced",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ReconciliationError> {
        Self::ALL
            .into_iter()
            .find(|state| state.code() == code)
            .ok_or(ReconciliationError)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unreconciled => "Not reconciled",
            Self::Reconciled => "Reconciled by hand",
            Self::Queued => "Queued for accounting",
            Self::Synced => "In accounting",
            Self::Failed => "Accounting sync failed",
        }
    }

    /// Whether a person may mark it reconciled, or unreconciled, by hand. The states an
    /// accounting connection owns are left to it.
    pub fn is_manual(self) -> bool {
        match self {
            Self::Unreconciled | Self::Reconciled => true,
            Self::Queued | Self::Synced | Self::Failed => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_codes() {
        for state in Reconciliation::ALL {
            assert_eq!(Reconciliation::parse(state.code()), Ok(state));
        }
        assert_eq!(Reconciliation::parse("done"), Err(ReconciliationError));
    }

    #[test]
    fn only_the_manual_states_may_be_set_by_hand() {
        assert!(Reconciliation::Unreconciled.is_manual());
        assert!(Reconciliation::Reconciled.is_manual());
        assert!(!Reconciliation::Synced.is_manual());
    }
}
