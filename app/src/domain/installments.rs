//! Pay in installments: the terms a merchant offers and the schedule a plan collects on.
//!
//! An installment plan is not a way to pay but a schedule of payments, each collected from the
//! card or bank account the customer chose, as an ordinary payment of that instrument.
//!
//! The promises of a schedule (shown by the property tests below):
//! - its amounts add up exactly to its total (the amount plus the fee); where the total does not
//!   divide evenly, the earliest payments are one cent more than the later ones;
//! - it has the term's number of payments, the first collected at confirmation (today);
//! - every later payment falls on a business day of the merchant's bank calendar, in order, and
//!   the last one no later than the term's last day: a weekend or holiday moves a payment to the
//!   next business day, or, for the last payment when that would pass the term, to the one
//!   before.
//!
//! Rounding: the fee is the amount times the term's percentage, rounded to the cent, half away
//! from zero (12.345 becomes 12.35). Nothing else rounds.

use crate::domain::calendar::BankCalendar;
use crate::domain::money::{Currency, Money, MoneyError};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::num::NonZeroU32;
use time::{Date, Duration};

/// How long a plan runs, from the first payment (today) to the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct TermDays(u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A term is 30, 60, 90, 120 or 150 days.")]
pub struct TermDaysError;

impl TermDays {
    pub const ALL: [u16; 5] = [30, 60, 90, 120, 150];

    pub fn parse(days: u16) -> Result<Self, TermDaysError> {
        if Self::ALL.contains(&days) {
            Ok(Self(days))
        } else {
            Err(TermDaysError)
        }
    }

    pub fn days(self) -> u16 {
        self.0
    }

    /// The payments a term has unless the merchant says otherwise: one every 30 days, the
    /// first today (30 days → 2, 150 days → 6).
    pub fn default_payments(self) -> u8 {
        // At most 150 / 30 + 1 = 6, so the cast cannot truncate.
        (self.0 / 30 + 1) as u8
    }

    /// The most payments a term may have: they must be at least 15 days apart on average, so
    /// that moving one off a weekend or holiday can never bring it to or past the next.
    pub fn max_payments(self) -> u8 {
        (self.0 / 15 + 1) as u8
    }
}

impl TryFrom<u16> for TermDays {
    type Error = TermDaysError;
    fn try_from(days: u16) -> Result<Self, Self::Error> {
        Self::parse(days)
    }
}

impl From<TermDays> for u16 {
    fn from(days: TermDays) -> Self {
        days.0
    }
}

impl fmt::Display for TermDays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} days", self.0)
    }
}

/// A fee as a percentage of the amount a plan spreads: 0 to 25, at most two decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct FeePercent(Decimal);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FeePercentError {
    #[error("A fee is a percentage from 0 to 25.")]
    OutOfRange,
    #[error("A fee has at most two decimal places, as in 2.75.")]
    TooPrecise,
    #[error("Write a fee as a percentage with digits and at most one point, as in 2.75.")]
    Syntax,
}

impl FeePercent {
    pub const MAX: Decimal = Decimal::from_parts(25, 0, 0, false, 0);

    pub fn zero() -> Self {
        Self(Decimal::ZERO)
    }

    pub fn parse(percent: Decimal) -> Result<Self, FeePercentError> {
        if percent.is_sign_negative() && !percent.is_zero() || percent > Self::MAX {
            return Err(FeePercentError::OutOfRange);
        }
        let percent = percent.normalize();
        if percent.scale() > 2 {
            return Err(FeePercentError::TooPrecise);
        }
        Ok(Self(percent))
    }

    /// Reads a percentage as the API writes it: digits, optionally a point and one or two
    /// more (`2.75`), from 0 to 25. No sign, spaces or exponent.
    pub fn parse_text(text: &str) -> Result<Self, FeePercentError> {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        let shaped = (1..=2).contains(&whole.len())
            && digits(whole)
            && (!text.contains('.') || (1..=2).contains(&fraction.len()))
            && digits(fraction);
        if !shaped {
            return Err(FeePercentError::Syntax);
        }
        let percent: Decimal = text.parse().map_err(|_| FeePercentError::Syntax)?;
        Self::parse(percent)
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    /// The percentage as the API writes it, with two decimals: `2.50`.
    pub fn to_plain_string(self) -> String {
        let mut scaled = self.0;
        scaled.rescale(2);
        scaled.to_string()
    }

    /// The fee on `amount`, rounded to the cent, half away from zero.
    pub fn of(self, amount: Money) -> Result<Money, MoneyError> {
        let exact = amount
            .amount()
            .checked_mul(self.0)
            .and_then(|product| product.checked_div(Decimal::ONE_HUNDRED))
            .ok_or(MoneyError::Overflow)?;
        let rounded = exact.round_dp_with_strategy(
            amount.currency().minor_digits(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        Money::from_decimal(rounded, amount.currency())
    }
}

impl TryFrom<Decimal> for FeePercent {
    type Error = FeePercentError;
    fn try_from(percent: Decimal) -> Result<Self, Self::Error> {
        Self::parse(percent)
    }
}

impl From<FeePercent> for Decimal {
    fn from(percent: FeePercent) -> Self {
        percent.0
    }
}

impl fmt::Display for FeePercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// One term a merchant offers: how long, in how many payments, at what fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanTerm {
    days: TermDays,
    payments: u8,
    fee_percent: FeePercent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A {days}-day term has 2 to {max} payments.", days = days.days())]
pub struct PaymentsError {
    pub days: TermDays,
    pub max: u8,
}

impl PlanTerm {
    pub fn new(
        days: TermDays,
        payments: u8,
        fee_percent: FeePercent,
    ) -> Result<Self, PaymentsError> {
        let max = days.max_payments();
        if !(2..=max).contains(&payments) {
            return Err(PaymentsError { days, max });
        }
        Ok(Self {
            days,
            payments,
            fee_percent,
        })
    }

    /// The term with its default number of payments and no fee.
    pub fn standard(days: TermDays) -> Self {
        Self {
            days,
            payments: days.default_payments(),
            fee_percent: FeePercent::zero(),
        }
    }

    pub fn days(&self) -> TermDays {
        self.days
    }

    pub fn payments(&self) -> u8 {
        self.payments
    }

    pub fn fee_percent(&self) -> FeePercent {
        self.fee_percent
    }

    /// How the term is named where a customer chooses it: `90 days, 4 payments`.
    pub fn label(&self) -> String {
        format!("{}, {} payments", self.days, self.payments)
    }

    /// The days after the first payment on which each payment is due before any is moved off
    /// a weekend or holiday: evenly spread, the last on the term's last day.
    fn nominal_offsets(&self) -> impl Iterator<Item = i64> {
        let days = i64::from(self.days.days());
        let gaps = i64::from(self.payments) - 1;
        (0..=gaps).map(move |index| index * days / gaps)
    }
}

/// Why a term as written (see [`PlanTerm::parse_text`]) was refused, by the part refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    #[error(transparent)]
    Days(#[from] TermDaysError),
    #[error(transparent)]
    Payments(#[from] PaymentsError),
    #[error(transparent)]
    FeePercent(#[from] FeePercentError),
}

impl TermError {
    /// The part of the term refused, as the API's JSON and the dashboard's form name it.
    pub fn part(&self) -> &'static str {
        match self {
            Self::Days(_) => "days",
            Self::Payments(_) => "payments",
            Self::FeePercent(_) => "fee_percent",
        }
    }
}

impl PlanTerm {
    /// A term as a merchant writes one, in the API's JSON or the dashboard's form: its length
    /// in days; its number of payments, the length's default when left out; its fee as a
    /// percentage ([`FeePercent::parse_text`]), none when left out. A count is a whole number,
    /// written `90` or `90.0` (JSON Schema calls `90.0` an integer too). The parts are checked
    /// in that order, and the first refused is the error.
    pub fn parse_text(
        days: &str,
        payments: Option<&str>,
        fee_percent: Option<&str>,
    ) -> Result<Self, TermError> {
        let days = whole_number::<u16>(days)
            .ok_or(TermDaysError)
            .and_then(TermDays::parse)?;
        let fee = fee_percent.map_or(Ok(FeePercent::zero()), FeePercent::parse_text)?;
        let payments = match payments {
            None => days.default_payments(),
            Some(text) => whole_number::<u8>(text).ok_or(PaymentsError {
                days,
                max: days.max_payments(),
            })?,
        };
        Ok(Self::new(days, payments, fee)?)
    }
}

/// A whole number written with digits, optionally followed by a point and zeros (`90.0`), that
/// fits `T`. No sign, spaces or exponent.
fn whole_number<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let whole = match text.split_once('.') {
        Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => text,
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    T::try_from(whole.parse::<u64>().ok()?).ok()
}

/// What a merchant offers in installments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentSettings {
    enabled: bool,
    /// The smallest amount a plan may spread, in minor units (cents) of the checkout's currency.
    minimum_amount_minor: i64,
    /// By length, each length once.
    terms: Vec<PlanTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("The minimum amount must be at least 1.00 and at most 999,999,999.99.")]
    Minimum,
    #[error("The {0} term is listed twice; list each term once.")]
    DuplicateTerm(TermDays),
    #[error("Offer at least one term, or turn installments off.")]
    NoTerms,
}

impl InstallmentSettings {
    /// 100.00: below it, installments are not offered unless the merchant says otherwise.
    pub const DEFAULT_MINIMUM_MINOR: i64 = 10_000;

    pub fn new(
        enabled: bool,
        minimum_amount_minor: i64,
        mut terms: Vec<PlanTerm>,
    ) -> Result<Self, SettingsError> {
        if !(100..=Money::MAX_MINOR_UNITS).contains(&minimum_amount_minor) {
            return Err(SettingsError::Minimum);
        }
        terms.sort_by_key(PlanTerm::days);
        if let Some(pair) = terms.windows(2).find(|pair| pair[0].days == pair[1].days) {
            return Err(SettingsError::DuplicateTerm(pair[0].days));
        }
        if enabled && terms.is_empty() {
            return Err(SettingsError::NoTerms);
        }
        Ok(Self {
            enabled,
            minimum_amount_minor,
            terms,
        })
    }

    /// Every term with its default payments, no fee, from 100.00.
    pub fn standard(enabled: bool) -> Self {
        Self {
            enabled,
            minimum_amount_minor: Self::DEFAULT_MINIMUM_MINOR,
            terms: TermDays::ALL
                .into_iter()
                .filter_map(|days| TermDays::parse(days).ok())
                .map(PlanTerm::standard)
                .collect(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn minimum_amount_minor(&self) -> i64 {
        self.minimum_amount_minor
    }

    pub fn minimum_amount(&self, currency: Currency) -> Money {
        Money::from_minor_units(self.minimum_amount_minor, currency)
            .unwrap_or_else(|_| Money::zero(currency))
    }

    pub fn terms(&self) -> &[PlanTerm] {
        &self.terms
    }

    pub fn term(&self, days: TermDays) -> Option<&PlanTerm> {
        self.terms.iter().find(|term| term.days == days)
    }

    /// Whether a checkout of `amount` may be paid in installments.
    pub fn offered_for(&self, amount: Money) -> bool {
        self.enabled && !self.terms.is_empty() && amount.minor_units() >= self.minimum_amount_minor
    }
}

/// One payment of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledInstallment {
    pub due_on: Date,
    pub amount: Money,
    /// The date it was moved from, and the holiday (or "a weekend") that moved it.
    pub moved_from: Option<(Date, String)>,
}

/// What a plan will collect, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub term: PlanTerm,
    /// What the plan pays toward the invoices.
    pub principal: Money,
    pub fee: Money,
    /// The principal and the fee: what the installments add up to.
    pub total: Money,
    pub installments: Vec<ScheduledInstallment>,
}

impl Schedule {
    /// The schedule of `term` for `principal`, starting `today` (when the first payment is
    /// collected), its later dates kept to the business days of `calendar`.
    pub fn build(
        principal: Money,
        term: &PlanTerm,
        today: Date,
        calendar: BankCalendar,
    ) -> Result<Self, MoneyError> {
        let fee = term.fee_percent.of(principal)?;
        let total = principal.checked_add(fee)?;
        let parts = NonZeroU32::new(u32::from(term.payments)).ok_or(MoneyError::Overflow)?;
        let last_day = add_days(today, i64::from(term.days.days()));
        let installments = term
            .nominal_offsets()
            .zip(total.split(parts))
            .map(|(offset, amount)| {
                let nominal = add_days(today, offset);
                let due_on = if offset == 0 {
                    today
                } else {
                    let after = calendar.on_or_after(nominal);
                    if after > last_day {
                        calendar.on_or_before(nominal)
                    } else {
                        after
                    }
                };
                let moved_from = (due_on != nominal).then(|| {
                    let reason = calendar.holiday_on(nominal).unwrap_or("a weekend");
                    (nominal, reason.to_owned())
                });
                ScheduledInstallment {
                    due_on,
                    amount,
                    moved_from,
                }
            })
            .collect();
        Ok(Self {
            term: *term,
            principal,
            fee,
            total,
            installments,
        })
    }

    /// What is collected at confirmation.
    pub fn first_amount(&self) -> Money {
        self.installments
            .first()
            .map_or(self.total, |installment| installment.amount)
    }
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(Duration::days(days)).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::AmountSyntax;
    use proptest::prelude::*;
    use time::macros::date;

    fn usd(text: &str) -> Money {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap()
    }

    fn days(days: u16) -> TermDays {
        TermDays::parse(days).unwrap()
    }

    fn percent(text: &str) -> FeePercent {
        FeePercent::parse(text.parse().unwrap()).unwrap()
    }

    #[test]
    fn the_default_payments_are_one_every_thirty_days() {
        let defaults: Vec<u8> = TermDays::ALL
            .into_iter()
            .map(|d| days(d).default_payments())
            .collect();
        assert_eq!(defaults, [2, 3, 4, 5, 6]);
        assert_eq!(TermDays::parse(45), Err(TermDaysError));
    }

    #[test]
    fn a_written_term_takes_the_default_payments_and_no_fee_when_they_are_left_out() {
        assert_eq!(
            PlanTerm::parse_text("90", None, None),
            Ok(PlanTerm::standard(days(90)))
        );
        let written = PlanTerm::parse_text("90.0", Some("3.00"), Some("2.5")).unwrap();
        assert_eq!(
            (written.days(), written.payments(), written.fee_percent()),
            (days(90), 3, percent("2.5"))
        );
    }

    #[test]
    fn a_written_term_is_refused_by_its_first_wrong_part() {
        let part = |days, payments, fee| {
            PlanTerm::parse_text(days, payments, fee)
                .unwrap_err()
                .part()
        };
        for wrong_days in [
            "45",
            "",
            "-30",
            "30.5",
            "30.",
            "3e1",
            " 30",
            "99999999999999999999",
        ] {
            assert_eq!(
                part(wrong_days, Some("x"), Some("x")),
                "days",
                "{wrong_days:?}"
            );
        }
        assert_eq!(part("30", Some("x"), Some("30")), "fee_percent");
        for wrong_payments in ["4", "1", "2.5", "", "two", "300"] {
            assert_eq!(
                part("30", Some(wrong_payments), None),
                "payments",
                "{wrong_payments:?}"
            );
        }
        assert_eq!(
            PlanTerm::parse_text("30", Some("4"), None)
                .unwrap_err()
                .to_string(),
            "A 30-day term has 2 to 3 payments."
        );
    }

    #[test]
    fn a_term_has_two_payments_at_least_and_fifteen_days_between_them_on_average() {
        assert!(PlanTerm::new(days(30), 3, FeePercent::zero()).is_ok());
        assert_eq!(
            PlanTerm::new(days(30), 4, FeePercent::zero())
                .unwrap_err()
                .to_string(),
            "A 30-day term has 2 to 3 payments."
        );
        assert!(PlanTerm::new(days(90), 1, FeePercent::zero()).is_err());
    }

    #[test]
    fn fees_are_percentages_up_to_25_with_two_decimals() {
        assert_eq!(percent("2.50").value().to_string(), "2.5");
        assert_eq!(
            FeePercent::parse("25.01".parse().unwrap()),
            Err(FeePercentError::OutOfRange)
        );
        assert_eq!(
            FeePercent::parse("-1".parse().unwrap()),
            Err(FeePercentError::OutOfRange)
        );
        assert_eq!(
            FeePercent::parse("1.125".parse().unwrap()),
            Err(FeePercentError::TooPrecise)
        );
    }

    #[test]
    fn a_fee_reads_from_plain_text_only() {
        assert_eq!(
            FeePercent::parse_text("2.75").unwrap().to_plain_string(),
            "2.75"
        );
        assert_eq!(
            FeePercent::parse_text("0").unwrap().to_plain_string(),
            "0.00"
        );
        assert_eq!(
            FeePercent::parse_text("25.00").unwrap().to_plain_string(),
            "25.00"
        );
        assert_eq!(
            FeePercent::parse_text("25.01"),
            Err(FeePercentError::OutOfRange)
        );
        for text in [
            "", "2.", ".5", "2.755", "+2", "-1", "1e1", " 2", "100", "2,5",
        ] {
            assert_eq!(
                FeePercent::parse_text(text),
                Err(FeePercentError::Syntax),
                "{text}"
            );
        }
    }

    #[test]
    fn the_fee_is_rounded_half_away_from_zero_to_the_cent() {
        // 2.5% of 4.50 is 0.1125 → 0.11; 1.5% of 0.50 is 0.0075 → 0.01; 3% of 0.50 is 0.015,
        // exactly half a cent → 0.02.
        assert_eq!(percent("2.5").of(usd("4.50")), Ok(usd("0.11")));
        assert_eq!(percent("1.5").of(usd("0.50")), Ok(usd("0.01")));
        assert_eq!(percent("3").of(usd("0.50")), Ok(usd("0.02")));
        assert_eq!(
            FeePercent::zero().of(usd("900.00")),
            Ok(Money::zero(Currency::Usd))
        );
    }

    #[test]
    fn a_90_day_plan_of_900_collects_225_today_and_every_30_days() {
        // Wednesday Dec 2, 2026; Jan 1 and Mar 2, 2027 are business days, Jan 31 a Sunday.
        let schedule = Schedule::build(
            usd("900.00"),
            &PlanTerm::standard(days(90)),
            date!(2026 - 12 - 02),
            BankCalendar::UsFederalReserve,
        )
        .unwrap();
        let dates: Vec<Date> = schedule.installments.iter().map(|i| i.due_on).collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 12 - 02),
                // Jan 1 is New Year's Day.
                date!(2027 - 01 - 04),
                // Jan 31 is a Sunday.
                date!(2027 - 02 - 01),
                date!(2027 - 03 - 02),
            ]
        );
        assert_eq!(
            schedule.installments[1].moved_from,
            Some((date!(2027 - 01 - 01), "New Year's Day".to_owned()))
        );
        assert_eq!(
            schedule.installments[2].moved_from,
            Some((date!(2027 - 01 - 31), "a weekend".to_owned()))
        );
        assert!(
            schedule
                .installments
                .iter()
                .all(|i| i.amount == usd("225.00"))
        );
        assert_eq!(schedule.first_amount(), usd("225.00"));
        assert_eq!(schedule.total, usd("900.00"));
    }

    #[test]
    fn odd_cents_go_to_the_earliest_payments_and_the_fee_is_spread_with_the_amount() {
        let term = PlanTerm::new(days(60), 3, percent("1")).unwrap();
        let schedule = Schedule::build(
            usd("100.00"),
            &term,
            date!(2026 - 12 - 02),
            BankCalendar::UsFederalReserve,
        )
        .unwrap();
        assert_eq!(schedule.fee, usd("1.00"));
        assert_eq!(schedule.total, usd("101.00"));
        let amounts: Vec<Money> = schedule.installments.iter().map(|i| i.amount).collect();
        assert_eq!(amounts, [usd("33.67"), usd("33.67"), usd("33.66")]);
    }

    #[test]
    fn a_last_payment_that_a_holiday_would_push_past_the_term_comes_a_business_day_early() {
        // 30 days from Saturday Nov 28, 2026 is Monday Dec 28: Boxing Day observed in Canada,
        // and Tuesday 29 is past the term.
        let schedule = Schedule::build(
            usd("200.00"),
            &PlanTerm::standard(days(30)),
            date!(2026 - 11 - 28),
            BankCalendar::CanadianStatutory,
        )
        .unwrap();
        assert_eq!(schedule.installments[1].due_on, date!(2026 - 12 - 24));
    }

    #[test]
    fn settings_refuse_a_term_twice_and_a_minimum_below_one_dollar() {
        let term = PlanTerm::standard(days(30));
        assert_eq!(
            InstallmentSettings::new(true, 10_000, vec![term, term]),
            Err(SettingsError::DuplicateTerm(days(30)))
        );
        assert_eq!(
            InstallmentSettings::new(true, 99, vec![term]),
            Err(SettingsError::Minimum)
        );
        assert_eq!(
            InstallmentSettings::new(true, 10_000, vec![]),
            Err(SettingsError::NoTerms)
        );
        assert!(InstallmentSettings::new(false, 10_000, vec![]).is_ok());
    }

    #[test]
    fn installments_are_offered_from_the_minimum_when_enabled() {
        let settings = InstallmentSettings::standard(true);
        assert!(settings.offered_for(usd("100.00")));
        assert!(!settings.offered_for(usd("99.99")));
        assert!(!InstallmentSettings::standard(false).offered_for(usd("1000.00")));
        assert_eq!(
            settings
                .terms()
                .iter()
                .map(PlanTerm::label)
                .collect::<Vec<_>>(),
            [
                "30 days, 2 payments",
                "60 days, 3 payments",
                "90 days, 4 payments",
                "120 days, 5 payments",
                "150 days, 6 payments"
            ]
        );
    }

    fn any_term() -> impl Strategy<Value = PlanTerm> {
        (
            prop::sample::select(TermDays::ALL.to_vec()),
            0u8..=10,
            0u32..=2500,
        )
            .prop_map(|(days, extra, fee_basis_points)| {
                let days = TermDays::parse(days).unwrap();
                let payments = 2 + extra % (days.max_payments() - 1);
                let fee = FeePercent::parse(Decimal::new(i64::from(fee_basis_points), 2)).unwrap();
                PlanTerm::new(days, payments, fee).unwrap()
            })
    }

    fn any_calendar() -> impl Strategy<Value = BankCalendar> {
        prop_oneof![
            Just(BankCalendar::UsFederalReserve),
            Just(BankCalendar::CanadianStatutory)
        ]
    }

    proptest! {
        #[test]
        fn every_schedule_adds_up_has_its_payments_and_keeps_to_business_days_within_the_term(
            term in any_term(),
            minor in 10_000i64..=9_000_000_000,
            currency in prop_oneof![Just(Currency::Usd), Just(Currency::Cad)],
            year in 2026i32..2040,
            ordinal in 1u16..=365,
            calendar in any_calendar(),
        ) {
            let today = Date::from_ordinal_date(year, ordinal).unwrap();
            let principal = Money::from_minor_units(minor, currency).unwrap();
            let schedule = Schedule::build(principal, &term, today, calendar).unwrap();
            prop_assert_eq!(schedule.installments.len(), usize::from(term.payments()));
            let sum = Money::sum(schedule.installments.iter().map(|i| i.amount), currency).unwrap();
            prop_assert_eq!(sum, schedule.total);
            prop_assert_eq!(principal.checked_add(schedule.fee).unwrap(), schedule.total);
            prop_assert_eq!(schedule.installments[0].due_on, today);
            let last_day = add_days(today, i64::from(term.days().days()));
            let mut previous = today;
            for (index, installment) in schedule.installments.iter().enumerate().skip(1) {
                prop_assert!(calendar.is_business_day(installment.due_on), "{:?}", installment);
                prop_assert!(installment.due_on > previous, "payment {} is not after the one before", index);
                prop_assert!(installment.due_on <= last_day);
                previous = installment.due_on;
            }
            let amounts: Vec<i64> = schedule.installments.iter().map(|i| i.amount.minor_units()).collect();
            prop_assert!(amounts.windows(2).all(|pair| pair[0] >= pair[1] && pair[0] - pair[1] <= 1), "{:?}", amounts);
        }
    }
}
