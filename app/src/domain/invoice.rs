//! Invoices: what a customer owes, and how much of it is still due.
//!
//! An invoice's balance is never stored. It follows from the payments allocated to it (what
//! live payments cover, and how much of that has settled) and from the installments of active
//! plans still to be collected on it: those are scheduled, no longer owed.

use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::text::LineDescription;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Where an invoice stands, derived from its total and the payments allocated to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Nothing covers it yet.
    Open,
    /// Part of it is covered; the rest is still due.
    PartiallyPaid,
    /// Fully covered, but part of the cover is a bank payment that has not settled. Never call
    /// this paid: the payment can still fail.
    Processing,
    /// Fully covered, part of it by an installment plan's payments still to be collected.
    /// Not paid until they are collected and settled.
    Scheduled,
    /// Fully covered by settled money.
    Paid,
    /// Cancelled by the merchant; owes nothing.
    Void,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The status must be one of open, partially_paid, processing, scheduled, paid or void.")]
pub struct InvoiceStatusError;

impl InvoiceStatus {
    pub const ALL: [Self; 6] = [
        Self::Open,
        Self::PartiallyPaid,
        Self::Processing,
        Self::Scheduled,
        Self::Paid,
        Self::Void,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartiallyPaid => "partially_paid",
            Self::Processing => "processing",
            Self::Scheduled => "scheduled",
            Self::Paid => "paid",
            Self::Void => "void",
        }
    }

    /// As the dashboard shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::PartiallyPaid => "Partially paid",
            Self::Processing => "Processing",
            Self::Scheduled => "Scheduled",
            Self::Paid => "Paid",
            Self::Void => "Void",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvoiceStatusError> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or(InvoiceStatusError)
    }
}

/// The figures an invoice's standing follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceCover {
    pub total: Money,
    /// The sum of allocations from payments that still cover invoices (pending, processing,
    /// succeeded).
    pub covered: Money,
    /// The part of `covered` whose payments have succeeded.
    pub settled: Money,
    /// What installments of active plans, not collected yet, will pay on it.
    pub scheduled: Money,
    pub voided: bool,
}

/// What an invoice still owes, and how much of its cover is waiting to settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceStanding {
    pub status: InvoiceStatus,
    pub balance_due: Money,
    pub amount_processing: Money,
    pub amount_scheduled: Money,
}

impl InvoiceCover {
    /// Derives the standing. Fails only when the stored figures contradict each other (cover
    /// and schedule above the total, settled above cover, mixed currencies): a bug, never a
    /// customer error.
    pub fn standing(&self) -> Result<InvoiceStanding, MoneyError> {
        let spoken_for = self.covered.checked_add(self.scheduled)?;
        let balance_due = self.total.checked_sub(spoken_for)?;
        let amount_processing = self.covered.checked_sub(self.settled)?;
        let status = if self.voided {
            InvoiceStatus::Void
        } else if spoken_for.is_zero() {
            InvoiceStatus::Open
        } else if !balance_due.is_zero() {
            InvoiceStatus::PartiallyPaid
        } else if !self.scheduled.is_zero() {
            InvoiceStatus::Scheduled
        } else if !amount_processing.is_zero() {
            InvoiceStatus::Processing
        } else {
            InvoiceStatus::Paid
        };
        Ok(InvoiceStanding {
            status,
            balance_due: if self.voided {
                Money::zero(self.total.currency())
            } else {
                balance_due
            },
            amount_processing,
            amount_scheduled: self.scheduled,
        })
    }
}

/// One line of an invoice. Its amount is quantity × unit price, rounded half-up (away from
/// zero) to the cent, the way invoices are usually printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    pub description: LineDescription,
    pub quantity: Decimal,
    pub unit_price: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineItemError {
    #[error("A quantity must be more than 0.")]
    QuantityNotPositive,
    #[error("A quantity has at most 4 decimal places.")]
    QuantityTooPrecise,
    #[error("A quantity can be at most 1,000,000.")]
    QuantityTooLarge,
    #[error("A line's amount (quantity × unit price) can be at most 999,999,999.99.")]
    AmountTooLarge,
    #[error("A quantity must be a decimal number such as 1 or 2.5.")]
    QuantityNotANumber,
}

/// A quantity as typed: a plain decimal number (no exponent), surrounding spaces ignored. Its
/// range and precision are checked by [`LineItem::new`].
pub fn parse_quantity(text: &str) -> Result<Decimal, LineItemError> {
    let text = text.trim();
    if text.contains(['e', 'E']) {
        return Err(LineItemError::QuantityNotANumber);
    }
    text.parse::<Decimal>()
        .map_err(|_| LineItemError::QuantityNotANumber)
}

impl LineItem {
    const MAX_QUANTITY: i64 = 1_000_000;
    const QUANTITY_DIGITS: u32 = 4;

    pub fn new(
        description: LineDescription,
        quantity: Decimal,
        unit_price: Money,
    ) -> Result<Self, LineItemError> {
        if quantity <= Decimal::ZERO {
            return Err(LineItemError::QuantityNotPositive);
        }
        if quantity.normalize().scale() > Self::QUANTITY_DIGITS {
            return Err(LineItemError::QuantityTooPrecise);
        }
        if quantity > Decimal::from(Self::MAX_QUANTITY) {
            return Err(LineItemError::QuantityTooLarge);
        }
        let currency = unit_price.currency();
        let exact = quantity
            .checked_mul(unit_price.amount())
            .ok_or(LineItemError::AmountTooLarge)?;
        let rounded = exact.round_dp_with_strategy(
            currency.minor_digits(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        let amount = Money::from_decimal(rounded, currency)
            .ok()
            .filter(Money::is_within_limit)
            .ok_or(LineItemError::AmountTooLarge)?;
        Ok(Self {
            description,
            quantity: quantity.normalize(),
            unit_price,
            amount,
        })
    }
}

/// The sum of the lines, to compare with the invoice's total.
pub fn lines_total(lines: &[LineItem], currency: Currency) -> Result<Money, MoneyError> {
    Money::sum(lines.iter().map(|line| line.amount), currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_plain_decimals() {
        assert_eq!(parse_quantity(" 2.5 "), Ok(Decimal::new(25, 1)));
        assert_eq!(
            parse_quantity("1e3"),
            Err(LineItemError::QuantityNotANumber)
        );
        assert_eq!(
            parse_quantity("two"),
            Err(LineItemError::QuantityNotANumber)
        );
    }
    use crate::domain::money::AmountSyntax;
    use proptest::prelude::*;

    fn usd(text: &str) -> Money {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap_or(Money::zero(Currency::Usd))
    }

    fn cover(total: &str, covered: &str, settled: &str) -> InvoiceCover {
        InvoiceCover {
            total: usd(total),
            covered: usd(covered),
            settled: usd(settled),
            scheduled: Money::zero(Currency::Usd),
            voided: false,
        }
    }

    #[test]
    fn an_invoice_nothing_covers_is_open_for_its_total() {
        let standing = cover("100", "0", "0").standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::Open);
        assert_eq!(standing.balance_due, usd("100"));
    }

    #[test]
    fn a_partly_covered_invoice_stays_outstanding_for_the_rest() {
        let standing = cover("100", "40", "40").standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::PartiallyPaid);
        assert_eq!(standing.balance_due, usd("60"));
    }

    #[test]
    fn an_invoice_covered_by_an_unsettled_bank_payment_is_processing_not_paid() {
        let standing = cover("100", "100", "30").standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::Processing);
        assert!(standing.balance_due.is_zero());
        assert_eq!(standing.amount_processing, usd("70"));
    }

    #[test]
    fn an_invoice_covered_by_settled_money_is_paid() {
        let standing = cover("100", "100", "100").standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::Paid);
    }

    #[test]
    fn what_an_active_plan_will_collect_is_scheduled_not_owed_and_never_paid() {
        let covered_by_a_plan = InvoiceCover {
            scheduled: usd("75"),
            ..cover("100", "25", "25")
        };
        let standing = covered_by_a_plan.standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::Scheduled);
        assert!(standing.balance_due.is_zero());
        assert_eq!(standing.amount_scheduled, usd("75"));
        let partly = InvoiceCover {
            scheduled: usd("50"),
            ..cover("100", "0", "0")
        };
        let standing = partly.standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::PartiallyPaid);
        assert_eq!(standing.balance_due, usd("50"));
        let overbooked = InvoiceCover {
            scheduled: usd("80"),
            ..cover("100", "25", "25")
        };
        assert!(overbooked.standing().is_err());
    }

    #[test]
    fn a_void_invoice_owes_nothing() {
        let mut voided = cover("100", "0", "0");
        voided.voided = true;
        let standing = voided.standing().unwrap();
        assert_eq!(standing.status, InvoiceStatus::Void);
        assert!(standing.balance_due.is_zero());
    }

    #[test]
    fn contradictory_figures_are_an_error_not_a_status() {
        assert!(cover("100", "120", "0").standing().is_err());
        assert!(cover("100", "50", "60").standing().is_err());
    }

    #[test]
    fn line_amounts_round_half_up_to_the_cent() {
        let description = LineDescription::parse("Support hours").unwrap();
        let line = LineItem::new(description.clone(), Decimal::new(15, 1), usd("0.05")).unwrap();
        assert_eq!(line.amount, usd("0.08"));
        let line = LineItem::new(description, Decimal::new(3, 0), usd("33.33")).unwrap();
        assert_eq!(line.amount, usd("99.99"));
    }

    #[test]
    fn bad_quantities_are_refused() {
        let description = LineDescription::parse("Licence").unwrap();
        let price = usd("10");
        assert_eq!(
            LineItem::new(description.clone(), Decimal::ZERO, price),
            Err(LineItemError::QuantityNotPositive)
        );
        assert_eq!(
            LineItem::new(description.clone(), Decimal::new(1, 5), price),
            Err(LineItemError::QuantityTooPrecise)
        );
        assert_eq!(
            LineItem::new(description.clone(), Decimal::from(1_000_001), price),
            Err(LineItemError::QuantityTooLarge)
        );
        let dear = usd("999999999.99");
        assert_eq!(
            LineItem::new(description, Decimal::from(2), dear),
            Err(LineItemError::AmountTooLarge)
        );
    }

    #[test]
    fn status_codes_round_trip() {
        for status in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(status.code()), Ok(status));
        }
    }

    proptest! {
        #[test]
        fn an_invoice_status_never_panics_reads_only_its_codes_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[a-z_]{0,16}",
                "[ A-Z]?(open|partially_paid|processing|scheduled|paid|void)[ s]?",
            ],
        ) {
            // `status_codes_round_trip` reads every code; this shows nothing else is read.
            match InvoiceStatus::parse(&text) {
                Ok(status) => prop_assert_eq!(status.code(), text.as_str()),
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(
                        message.contains(' ') && message.ends_with('.'),
                        "{:?} was refused with {:?}", text, message
                    );
                }
            }
        }
    }
}
