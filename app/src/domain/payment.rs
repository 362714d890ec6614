//! Payments: their status life cycle and the ways a customer can pay.

use crate::domain::merchant::Country;
use serde::{Deserialize, Serialize};

/// Where a payment is in its life. Bank payments wait in `processing` for days until they
/// settle; a settled bank payment can still come back `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Processing,
    Succeeded,
    Failed,
    Returned,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The status must be one of pending, processing, succeeded, failed, returned or refunded.")]
pub struct PaymentStatusError;

impl PaymentStatus {
    pub const ALL: [Self; 6] = [
        Self::Pending,
        Self::Processing,
        Self::Succeeded,
        Self::Failed,
        Self::Returned,
        Self::Refunded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Returned => "returned",
            Self::Refunded => "refunded",
        }
    }

    /// How the dashboard names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Processing => "Processing",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Returned => "Returned",
            Self::Refunded => "Refunded",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PaymentStatusError> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or(PaymentStatusError)
    }

    /// Whether the money of a payment in this status still covers the invoices it was
    /// allocated to. A failed, returned or refunded payment covers nothing: the invoice owes it
    /// again.
    pub fn covers_invoices(self) -> bool {
        match self {
            Self::Pending | Self::Processing | Self::Succeeded => true,
            Self::Failed | Self::Returned | Self::Refunded => false,
        }
    }

    /// Whether the money has arrived (only then may an invoice be called paid).
    pub fn is_settled(self) -> bool {
        match self {
            Self::Succeeded => true,
            Self::Pending | Self::Processing | Self::Failed | Self::Returned | Self::Refunded => {
                false
            }
        }
    }

    /// Whether the payment belongs in the merchant's books, so that a bookkeeper reconciles it:
    /// money that arrived, and a payment refunded since (its refund is booked against it).
    pub fn is_booked(self) -> bool {
        match self {
            Self::Succeeded | Self::Refunded => true,
            Self::Pending | Self::Processing | Self::Failed | Self::Returned => false,
        }
    }

    /// The moves a processor can report. Cards go from pending straight to succeeded; bank
    /// payments pass through processing, where the bank may return them instead of settling
    /// them; only money that arrived can be returned or refunded afterwards.
    pub fn can_become(self, next: Self) -> bool {
        match self {
            Self::Pending => matches!(next, Self::Processing | Self::Succeeded | Self::Failed),
            Self::Processing => matches!(next, Self::Succeeded | Self::Failed | Self::Returned),
            Self::Succeeded => matches!(next, Self::Returned | Self::Refunded),
            Self::Failed | Self::Returned | Self::Refunded => false,
        }
    }
}

/// The ways a merchant can let its customers pay: each is a rail money moves on. Paying in
/// installments is not one of them: a plan is a schedule of payments of one of these
/// (`domain::installments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethodKind {
    /// A debit from a US bank account over the ACH network.
    UsAch,
    /// A pre-authorized debit from a Canadian bank account.
    CaPad,
    /// An electronic funds transfer from a Canadian bank account.
    CaEft,
    /// A credit or debit card.
    Card,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The payment method must be one of us_ach, ca_pad, ca_eft or card.")]
pub struct PaymentMethodKindError;

impl PaymentMethodKind {
    pub const ALL: [Self; 4] = [Self::UsAch, Self::CaPad, Self::CaEft, Self::Card];

    pub fn code(self) -> &'static str {
        match self {
            Self::UsAch => "us_ach",
            Self::CaPad => "ca_pad",
            Self::CaEft => "ca_eft",
            Self::Card => "card",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PaymentMethodKindError> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or(PaymentMethodKindError)
    }

    /// Bank rails exist in one country; cards work in both.
    pub fn available_in(self, country: Country) -> bool {
        match self {
            Self::UsAch => country == Country::UnitedStates,
            Self::CaPad | Self::CaEft => country == Country::Canada,
            Self::Card => true,
        }
    }

    /// What a merchant in `country` offers until it says otherwise.
    pub fn defaults_for(country: Country) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|kind| kind.available_in(country))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_round_trip_for_every_status_and_method() {
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.code()), Ok(status));
        }
        for kind in PaymentMethodKind::ALL {
            assert_eq!(PaymentMethodKind::parse(kind.code()), Ok(kind));
        }
        assert!(PaymentStatus::parse("paid").is_err());
    }

    #[test]
    fn only_live_payments_cover_invoices_and_only_succeeded_ones_are_settled() {
        let covering: Vec<_> = PaymentStatus::ALL
            .into_iter()
            .filter(|s| s.covers_invoices())
            .collect();
        assert_eq!(
            covering,
            [
                PaymentStatus::Pending,
                PaymentStatus::Processing,
                PaymentStatus::Succeeded
            ]
        );
        let settled: Vec<_> = PaymentStatus::ALL
            .into_iter()
            .filter(|s| s.is_settled())
            .collect();
        assert_eq!(settled, [PaymentStatus::Succeeded]);
    }

    #[test]
    fn finished_payments_never_change_and_unsettled_bank_debits_can_be_returned() {
        for next in PaymentStatus::ALL {
            assert!(!PaymentStatus::Failed.can_become(next));
            assert!(!PaymentStatus::Refunded.can_become(next));
            assert!(!PaymentStatus::Returned.can_become(next));
        }
        assert!(PaymentStatus::Processing.can_become(PaymentStatus::Returned));
        assert!(!PaymentStatus::Processing.can_become(PaymentStatus::Refunded));
        assert!(PaymentStatus::Succeeded.can_become(PaymentStatus::Returned));
        assert!(!PaymentStatus::Succeeded.can_become(PaymentStatus::Pending));
    }

    #[test]
    fn bank_rails_follow_the_merchants_country() {
        assert_eq!(
            PaymentMethodKind::defaults_for(Country::UnitedStates),
            [PaymentMethodKind::UsAch, PaymentMethodKind::Card]
        );
        assert_eq!(
            PaymentMethodKind::defaults_for(Country::Canada),
            [
                PaymentMethodKind::CaPad,
                PaymentMethodKind::CaEft,
                PaymentMethodKind::Card
            ]
        );
    }

    // Every refusal here reaches an API client as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    proptest! {
        #[test]
        fn a_payment_status_never_panics_reads_only_its_codes_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[a-z_]{0,12}",
                "[ A-Z]?(pending|processing|succeeded|failed|returned|refunded|paid)[ s]?",
            ],
        ) {
            // `codes_round_trip_for_every_status_and_method` reads every code; this shows
            // nothing else is read.
            match PaymentStatus::parse(&text) {
                Ok(status) => prop_assert_eq!(status.code(), text.as_str()),
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
                }
            }
        }

        #[test]
        fn a_payment_method_kind_never_panics_reads_only_its_codes_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[a-z_]{0,14}",
                "[ A-Z]?(us_ach|ca_pad|ca_eft|card|installments|ach)[ s]?",
            ],
        ) {
            match PaymentMethodKind::parse(&text) {
                Ok(kind) => prop_assert_eq!(kind.code(), text.as_str()),
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
                }
            }
        }
    }
}
