//! A live installment plan: where it and each of its installments stand, how each installment
//! splits into fee and invoices, and what happens after a collection fails.
//!
//! Each installment is collected as an ordinary payment of the plan's instrument, so a payment's
//! allocations must say which invoices it pays. The split is fixed when the plan is made:
//! the fee is spread over the installments like the total (`Money::split`: the earliest take
//! the odd cents), and what is left of each installment pays the plan's invoices in their order,
//! each in full before the next. Every row adds up to its installment and every column to its
//! invoice's share (shown by the property tests below).
//!
//! Failures: an insufficient-funds decline or an R01 return is retried up to [`RETRIES`] times,
//! [`RETRY_INTERVAL_DAYS`] days apart; a hard decline or a closed or missing account (R02, R03)
//! is not retried on the same instrument: the customer has until the retries would have run out
//! to give another one. After that the plan is delinquent and what it had scheduled is owed
//! again.

use crate::domain::calendar::BankCalendar;
use crate::domain::installments::Schedule;
use crate::domain::money::{Money, MoneyError};
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;
use time::{Date, Duration};

/// Retries after a soft failure, and how far apart.
pub const RETRIES: u32 = 2;
pub const RETRY_INTERVAL_DAYS: i64 = 3;

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Collecting on schedule.
    Active,
    /// Every installment collected.
    Completed,
    /// A collection failed for the last time: what the plan had scheduled is owed again.
    Delinquent,
    /// Ended before its schedule ran out (paid off early, or by the merchant).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The status must be one of active, completed, delinquent or cancelled.")]
pub struct PlanStatusError;

impl PlanStatus {
    pub const ALL: [Self; 4] = [
        Self::Active,
        Self::Completed,
        Self::Delinquent,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Delinquent => "delinquent",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Result<Self, PlanStatusError> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or(PlanStatusError)
    }

    /// Whether the plan still holds the amounts it scheduled (no other route may pay them).
    pub fn holds_its_schedule(self) -> bool {
        match self {
            Self::Active => true,
            Self::Completed | Self::Delinquent | Self::Cancelled => false,
        }
    }
}

/// Where one installment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentStatus {
    /// Waiting for its date (its first, or a retry's).
    Scheduled,
    /// A payment of it is under way (a card charge being made, a bank debit not yet settled).
    Collecting,
    /// Its payment succeeded.
    Collected,
    /// Its instrument was refused for good; waiting for the customer to give another.
    AwaitingMethod,
    /// Given up: the plan is delinquent.
    Failed,
    /// Not collected because the plan ended first.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The status must be one of scheduled, collecting, collected, awaiting_method, failed or cancelled."
)]
pub struct InstallmentStatusError;

impl InstallmentStatus {
    pub const ALL: [Self; 6] = [
        Self::Scheduled,
        Self::Collecting,
        Self::Collected,
        Self::AwaitingMethod,
        Self::Failed,
        Self::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Collecting => "collecting",
            Self::Collected => "collected",
            Self::AwaitingMethod => "awaiting_method",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether it is still to be collected: what it will pay is scheduled on its invoices
    /// (while its plan is active). One being collected is covered by its payment instead.
    pub fn still_to_collect(self) -> bool {
        match self {
            Self::Scheduled | Self::AwaitingMethod => true,
            Self::Collecting | Self::Collected | Self::Failed | Self::Cancelled => false,
        }
    }

    pub fn parse(code: &str) -> Result<Self, InstallmentStatusError> {
        Self::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or(InstallmentStatusError)
    }
}

/// How one installment's money divides: the fee part, and what it pays on each invoice of the
/// plan (in the plan's order; zero where it pays nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallmentSplit {
    pub amount: Money,
    pub fee: Money,
    pub toward_invoices: Vec<Money>,
}

/// Splits every installment of `schedule` into fee and invoices, `shares` being what the plan
/// pays on each invoice (they add up to the schedule's principal).
pub fn split(schedule: &Schedule, shares: &[Money]) -> Result<Vec<InstallmentSplit>, MoneyError> {
    let currency = schedule.total.currency();
    if Money::sum(shares.iter().copied(), currency)? != schedule.principal {
        return Err(MoneyError::ExceedsBalances);
    }
    let count = u32::try_from(schedule.installments.len())
        .ok()
        .and_then(NonZeroU32::new)
        .ok_or(MoneyError::Overflow)?;
    let mut left: Vec<Money> = shares.to_vec();
    schedule
        .installments
        .iter()
        .zip(schedule.fee.split(count))
        .map(|(installment, fee)| {
            let toward = installment.amount.checked_sub(fee)?;
            let toward_invoices = toward.allocate_in_order(&left)?;
            for (remaining, paid) in left.iter_mut().zip(&toward_invoices) {
                *remaining = remaining.checked_sub(*paid)?;
            }
            Ok(InstallmentSplit {
                amount: installment.amount,
                fee,
                toward_invoices,
            })
        })
        .collect()
}

/// Why a collection failed, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionFailure {
    /// Not enough money this time (a card's insufficient-funds decline, an R01 return): worth
    /// trying the same instrument again.
    InsufficientFunds,
    /// The instrument will not work again (a hard decline, R02 account closed, R03 no account).
    InstrumentRefused,
}

impl CollectionFailure {
    /// The failure a bank return code means.
    pub fn of_return_code(code: &str) -> Self {
        if code == "R01" {
            Self::InsufficientFunds
        } else {
            Self::InstrumentRefused
        }
    }
}

/// What follows a failed collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try the same instrument again on this date.
    RetryOn(Date),
    /// Ask the customer for another instrument; without one by this date, the plan is
    /// delinquent.
    AwaitMethodUntil(Date),
    /// The plan is delinquent now.
    Delinquent,
}

/// What follows a failure of an installment that has been retried `retries_used` times, on
/// `today`. Retries land on business days of `calendar`.
pub fn after_failure(
    failure: CollectionFailure,
    retries_used: u32,
    today: Date,
    calendar: BankCalendar,
) -> AfterFailure {
    if retries_used >= RETRIES {
        return AfterFailure::Delinquent;
    }
    let retries_left = i64::from(RETRIES - retries_used);
    match failure {
        CollectionFailure::InsufficientFunds => {
            AfterFailure::RetryOn(calendar.on_or_after(days_after(today, RETRY_INTERVAL_DAYS)))
        }
        CollectionFailure::InstrumentRefused => {
            AfterFailure::AwaitMethodUntil(days_after(today, RETRY_INTERVAL_DAYS * retries_left))
        }
    }
}

fn days_after(date: Date, days: i64) -> Date {
    date.checked_add(Duration::days(days)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::installments::{FeePercent, PlanTerm, TermDays};
    use crate::domain::money::{AmountSyntax, Currency};
    use proptest::prelude::*;
    use time::macros::date;

    fn usd(text: &str) -> Money {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap()
    }

    fn schedule(principal: Money, days: u16, fee: &str) -> Schedule {
        let term = PlanTerm::new(
            TermDays::parse(days).unwrap(),
            TermDays::parse(days).unwrap().default_payments(),
            FeePercent::parse_text(fee).unwrap(),
        )
        .unwrap();
        Schedule::build(
            principal,
            &term,
            date!(2026 - 12 - 02),
            BankCalendar::UsFederalReserve,
        )
        .unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for status in PlanStatus::ALL {
            assert_eq!(PlanStatus::parse(status.code()), Ok(status));
        }
        for status in InstallmentStatus::ALL {
            assert_eq!(InstallmentStatus::parse(status.code()), Ok(status));
        }
        assert!(PlanStatus::parse("paid").is_err());
        assert!(PlanStatus::Active.holds_its_schedule());
        assert!(!PlanStatus::Delinquent.holds_its_schedule());
    }

    #[test]
    fn installments_pay_the_invoices_in_order_after_their_fee_part() {
        // 900.00 over 90 days at 2%: fee 18.00, total 918.00, four payments of 229.50, each
        // with 4.50 of fee and 225.00 toward the invoices.
        let plan = schedule(usd("900.00"), 90, "2");
        let parts = split(&plan, &[usd("300.00"), usd("600.00")]).unwrap();
        assert!(parts.iter().all(|part| part.fee == usd("4.50")));
        assert_eq!(
            parts[0].toward_invoices,
            [usd("225.00"), Money::zero(Currency::Usd)]
        );
        assert_eq!(parts[1].toward_invoices, [usd("75.00"), usd("150.00")]);
        assert_eq!(
            parts[3].toward_invoices,
            [Money::zero(Currency::Usd), usd("225.00")]
        );
    }

    #[test]
    fn shares_that_do_not_add_up_to_the_principal_are_refused() {
        let plan = schedule(usd("900.00"), 90, "0");
        assert!(split(&plan, &[usd("300.00")]).is_err());
    }

    #[test]
    fn an_insufficient_funds_failure_is_retried_twice_three_days_apart_on_business_days() {
        let calendar = BankCalendar::UsFederalReserve;
        let failure = CollectionFailure::of_return_code("R01");
        // Wednesday Dec 23, 2026: three days on is Saturday 26, so the retry is Monday 28.
        assert_eq!(
            after_failure(failure, 0, date!(2026 - 12 - 23), calendar),
            AfterFailure::RetryOn(date!(2026 - 12 - 28))
        );
        assert_eq!(
            after_failure(failure, 1, date!(2026 - 12 - 02), calendar),
            AfterFailure::RetryOn(date!(2026 - 12 - 07))
        );
        assert_eq!(
            after_failure(failure, 2, date!(2026 - 12 - 02), calendar),
            AfterFailure::Delinquent
        );
    }

    #[test]
    fn a_refused_instrument_waits_for_another_as_long_as_the_retries_would_have_run() {
        let calendar = BankCalendar::CanadianStatutory;
        for code in ["R02", "R03"] {
            let failure = CollectionFailure::of_return_code(code);
            assert_eq!(failure, CollectionFailure::InstrumentRefused);
            assert_eq!(
                after_failure(failure, 0, date!(2026 - 12 - 02), calendar),
                AfterFailure::AwaitMethodUntil(date!(2026 - 12 - 08))
            );
            assert_eq!(
                after_failure(failure, 2, date!(2026 - 12 - 02), calendar),
                AfterFailure::Delinquent
            );
        }
    }

    proptest! {
        #[test]
        fn every_split_adds_up_by_installment_and_by_invoice(
            days in prop::sample::select(TermDays::ALL.to_vec()),
            fee_basis_points in 0i64..=2500,
            shares in prop::collection::vec(1i64..=5_000_000, 1..6),
        ) {
            let shares: Vec<Money> = shares
                .into_iter()
                .map(|minor| Money::from_minor_units(minor, Currency::Usd).unwrap())
                .collect();
            let principal = Money::sum(shares.iter().copied(), Currency::Usd).unwrap();
            prop_assume!(principal.minor_units() >= 100);
            let fee = rust_decimal::Decimal::new(fee_basis_points, 2).to_string();
            let plan = schedule(principal, days, &fee);
            let parts = split(&plan, &shares).unwrap();
            prop_assert_eq!(parts.len(), plan.installments.len());
            let fees = Money::sum(parts.iter().map(|part| part.fee), Currency::Usd).unwrap();
            prop_assert_eq!(fees, plan.fee);
            for part in &parts {
                let toward = Money::sum(part.toward_invoices.iter().copied(), Currency::Usd).unwrap();
                prop_assert_eq!(toward.checked_add(part.fee).unwrap(), part.amount);
            }
            for (index, share) in shares.iter().enumerate() {
                let paid = Money::sum(parts.iter().map(|part| part.toward_invoices[index]), Currency::Usd).unwrap();
                prop_assert_eq!(paid, *share);
            }
        }
    }
}
