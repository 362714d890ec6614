//! Money: an amount and its currency, held as `rust_decimal::Decimal`, never as a float.
//!
//! A `Money` is never negative and always carries exactly its currency's number of decimal
//! places, so two equal amounts compare equal and storing one as integer minor units (cents) is
//! exact. Every operation is checked: adding amounts of different currencies, overflowing, or
//! subtracting below zero is an error, never a silent wrong number.
//!
//! Rounding: nothing here rounds. Splits hand out whole cents, the leftover cents going to the
//! earliest parts, so the parts always add back to the whole (shown by the property tests below).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::num::NonZeroU32;

/// The currencies Portico settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "CAD")]
    Cad,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The currency must be USD or CAD.")]
pub struct CurrencyError;

impl Currency {
    /// How many decimal places an amount in this currency has (cents for both).
    pub fn minor_digits(self) -> u32 {
        match self {
            Self::Usd | Self::Cad => 2,
        }
    }

    /// The ISO 4217 code, as stored and as sent over the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Cad => "CAD",
        }
    }

    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        match code {
            "USD" => Ok(Self::Usd),
            "CAD" => Ok(Self::Cad),
            _ => Err(CurrencyError),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A non-negative amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

/// Why arithmetic on money was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("the amount is too large")]
    Overflow,
    #[error("the result would be negative")]
    Negative,
    #[error("the amount has more decimal places than its currency allows")]
    TooPrecise,
    #[error("the amount is more than the balances it is spread over")]
    ExceedsBalances,
}

/// Why a typed amount was refused. Each message tells the person what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Enter an amount, for example 1250.00.")]
    Empty,
    #[error("An amount cannot be negative.")]
    Negative,
    #[error("“{0}” cannot be part of an amount: use digits and one decimal point, as in 1250.50.")]
    InvalidCharacter(char),
    #[error("An amount has at most one decimal point.")]
    SeveralDecimalPoints,
    #[error("Put at least one digit before the decimal point, as in 0.50.")]
    NoDigitsBeforePoint,
    #[error("Put the cents after the decimal point, as in 1250.50, or leave the point out.")]
    NoDigitsAfterPoint,
    #[error("{currency} amounts have at most {digits} decimal places.")]
    TooManyDecimals { currency: Currency, digits: u32 },
    #[error("Commas separate thousands, as in 1,250.50; cents come after a point, not a comma.")]
    MisplacedComma,
    #[error("The amount must be more than 0.00.")]
    NotPositive,
    #[error("An amount cannot be more than {max}.", max = Money::MAX_TEXT)]
    TooLarge,
}

/// How strictly `Money::parse` reads its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountSyntax {
    /// The API's form: digits with an optional point and cents ("1250.00"). Nothing else.
    Plain,
    /// What a person types: surrounding spaces, a leading `$`, thousands commas in the right
    /// places ("$1,250.5").
    Typed,
}

impl Money {
    /// The largest amount Portico accepts for one invoice, line or payment, in cents.
    pub const MAX_MINOR_UNITS: i64 = 99_999_999_999;
    const MAX_INTEGER_DIGITS: usize = 9;
    const MAX_TEXT: &'static str = "999,999,999.99";

    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: Decimal::new(0, currency.minor_digits()),
            currency,
        }
    }

    /// Reads a positive amount of `currency` from text.
    pub fn parse(
        text: &str,
        currency: Currency,
        syntax: AmountSyntax,
    ) -> Result<Self, AmountError> {
        let money = Self::parse_allowing_zero(text, currency, syntax)?;
        if money.is_zero() {
            return Err(AmountError::NotPositive);
        }
        Ok(money)
    }

    fn parse_allowing_zero(
        text: &str,
        currency: Currency,
        syntax: AmountSyntax,
    ) -> Result<Self, AmountError> {
        let digits = match syntax {
            AmountSyntax::Plain => text,
            AmountSyntax::Typed => {
                let trimmed = text.trim();
                trimmed.strip_prefix('$').unwrap_or(trimmed).trim_start()
            }
        };
        if digits.is_empty() {
            return Err(AmountError::Empty);
        }
        if digits.starts_with('-') {
            return Err(AmountError::Negative);
        }
        if let Some(bad) = digits.chars().find(|c| {
            !(c.is_ascii_digit() || *c == '.' || (*c == ',' && syntax == AmountSyntax::Typed))
        }) {
            return Err(AmountError::InvalidCharacter(bad));
        }
        let (integer, fraction) = match digits.split_once('.') {
            Some((_, rest)) if rest.contains('.') => return Err(AmountError::SeveralDecimalPoints),
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (digits, None),
        };
        if fraction.is_some_and(|fraction| fraction.contains(',')) {
            return Err(AmountError::MisplacedComma);
        }
        let integer = ungroup_thousands(integer)?;
        if integer.is_empty() {
            return Err(AmountError::NoDigitsBeforePoint);
        }
        let fraction = fraction.unwrap_or("");
        if digits.ends_with('.') {
            return Err(AmountError::NoDigitsAfterPoint);
        }
        let allowed = currency.minor_digits();
        if fraction.len() > allowed as usize {
            return Err(AmountError::TooManyDecimals {
                currency,
                digits: allowed,
            });
        }
        let integer = integer.trim_start_matches('0');
        if integer.len() > Self::MAX_INTEGER_DIGITS {
            return Err(AmountError::TooLarge);
        }
        // At most 9 + 2 digits: the mantissa always fits an i64.
        let padded = format!("{integer}{fraction:0<width$}", width = allowed as usize);
        let mantissa: i64 = padded.parse().unwrap_or(0);
        Ok(Self {
            amount: Decimal::new(mantissa, allowed),
            currency,
        })
    }

    /// An amount from a decimal of at most the currency's decimal places.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative);
        }
        let digits = currency.minor_digits();
        if amount.scale() > digits && amount.normalize().scale() > digits {
            return Err(MoneyError::TooPrecise);
        }
        let mut amount = amount.normalize();
        amount.rescale(digits);
        // Every amount must fit in i64 cents, the form it is stored in.
        if i64::try_from(amount.mantissa()).is_err() {
            return Err(MoneyError::Overflow);
        }
        Ok(Self { amount, currency })
    }

    /// An amount from integer minor units (cents), the form it is stored in.
    pub fn from_minor_units(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(Self {
            amount: Decimal::new(minor, currency.minor_digits()),
            currency,
        })
    }

    /// The amount in integer minor units (cents): exact, because the scale is fixed.
    pub fn minor_units(&self) -> i64 {
        // Every constructor checks that the cents fit an i64, so this never saturates.
        i64::try_from(self.amount.mantissa()).unwrap_or(i64::MAX)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is within what Portico accepts for one invoice, line or payment.
    pub fn is_within_limit(&self) -> bool {
        self.minor_units() <= Self::MAX_MINOR_UNITS
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor_units()
            .checked_add(other.minor_units())
            .ok_or(MoneyError::Overflow)?;
        Self::from_minor_units(minor, self.currency)
    }

    /// `self - other`, refused when it would go below zero.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor_units()
            .checked_sub(other.minor_units())
            .ok_or(MoneyError::Overflow)?;
        Self::from_minor_units(minor, self.currency)
    }

    /// Compares two amounts of the same currency.
    pub fn try_cmp(&self, other: &Self) -> Result<Ordering, MoneyError> {
        self.same_currency(*other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// The smaller of two amounts of the same currency.
    pub fn try_min(self, other: Self) -> Result<Self, MoneyError> {
        Ok(match self.try_cmp(&other)? {
            Ordering::Greater => other,
            Ordering::Less | Ordering::Equal => self,
        })
    }

    /// Adds up amounts of one currency; the sum of nothing is zero.
    pub fn sum(
        amounts: impl IntoIterator<Item = Self>,
        currency: Currency,
    ) -> Result<Self, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Self::zero(currency), Self::checked_add)
    }

    /// Splits into `parts` amounts that differ by at most one cent and add back to `self`
    /// exactly: whole cents each, the leftover cents going one each to the earliest parts.
    pub fn split(self, parts: NonZeroU32) -> Vec<Self> {
        let total = self.minor_units();
        let count = i64::from(parts.get());
        let (base, leftover) = (total / count, total % count);
        (0..count)
            .map(|index| Self {
                amount: Decimal::new(
                    base + i64::from(index < leftover),
                    self.currency.minor_digits(),
                ),
                currency: self.currency,
            })
            .collect()
    }

    /// Spreads `self` over `balances` in their order, paying each in full before the next, as
    /// when a customer pays part of several invoices oldest first. The parts add back to `self`
    /// and none exceeds its balance; an amount larger than all balances together is refused.
    pub fn allocate_in_order(self, balances: &[Self]) -> Result<Vec<Self>, MoneyError> {
        let mut remaining = self;
        let mut parts = Vec::with_capacity(balances.len());
        for balance in balances {
            let part = remaining.try_min(*balance)?;
            remaining = remaining.checked_sub(part)?;
            parts.push(part);
        }
        if remaining.is_zero() {
            Ok(parts)
        } else {
            Err(MoneyError::ExceedsBalances)
        }
    }

    /// The amount as the API writes it: `1250.00`.
    pub fn to_plain_string(&self) -> String {
        self.amount.to_string()
    }

    /// The amount with thousands separators, as people read it: `1,250.00`.
    pub fn to_grouped_string(&self) -> String {
        let plain = self.to_plain_string();
        let (integer, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        let mut grouped = String::with_capacity(plain.len() + integer.len() / 3);
        for (index, digit) in integer.chars().enumerate() {
            if index > 0 && (integer.len() - index) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if !fraction.is_empty() {
            grouped.push('.');
            grouped.push_str(fraction);
        }
        grouped
    }

    fn same_currency(&self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

/// Removes thousands commas after checking that they sit every three digits.
fn ungroup_thousands(integer: &str) -> Result<String, AmountError> {
    if !integer.contains(',') {
        return Ok(integer.to_owned());
    }
    let mut groups = integer.split(',');
    let first = groups.next().unwrap_or_default();
    if first.is_empty() || first.len() > 3 {
        return Err(AmountError::MisplacedComma);
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return Err(AmountError::MisplacedComma);
        }
        digits.push_str(group);
    }
    Ok(digits)
}

/// "1,250.00 USD".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_grouped_string(), self.currency)
    }
}

/// Crosses the wire as `{"amount": "1250.00", "currency": "USD"}`: a string, so that no JSON
/// reader turns it into a float.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyWire {
    amount: String,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        MoneyWire {
            amount: self.to_plain_string(),
            currency: self.currency,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = MoneyWire::deserialize(deserializer)?;
        Self::parse_allowing_zero(&wire.amount, wire.currency, AmountSyntax::Plain)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(text: &str) -> Money {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap()
    }

    fn typed(text: &str) -> Result<Money, AmountError> {
        Money::parse(text, Currency::Usd, AmountSyntax::Typed)
    }

    fn plain(text: &str) -> Result<Money, AmountError> {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain)
    }

    #[test]
    fn plain_amounts_are_read_exactly() {
        assert_eq!(usd("1250.50").minor_units(), 125_050);
        assert_eq!(usd("1250.5").minor_units(), 125_050);
        assert_eq!(usd("1250").minor_units(), 125_000);
        assert_eq!(usd("0.01").minor_units(), 1);
        assert_eq!(usd("1250.5").to_plain_string(), "1250.50");
    }

    #[test]
    fn typed_amounts_may_carry_a_dollar_sign_spaces_and_thousands_commas() {
        assert_eq!(typed(" $1,250.5 ").unwrap(), usd("1250.50"));
        assert_eq!(typed("1,234,567.89").unwrap(), usd("1234567.89"));
        assert_eq!(typed("999").unwrap(), usd("999"));
    }

    #[test]
    fn plain_syntax_refuses_what_only_people_write() {
        assert_eq!(plain("1,250.00"), Err(AmountError::InvalidCharacter(',')));
        assert_eq!(plain("$5"), Err(AmountError::InvalidCharacter('$')));
        assert_eq!(plain(" 5"), Err(AmountError::InvalidCharacter(' ')));
        assert_eq!(plain("1e3"), Err(AmountError::InvalidCharacter('e')));
    }

    #[test]
    fn each_kind_of_bad_amount_gets_its_own_message() {
        assert_eq!(typed(""), Err(AmountError::Empty));
        assert_eq!(typed("  $ "), Err(AmountError::Empty));
        assert_eq!(typed("-5"), Err(AmountError::Negative));
        assert_eq!(typed("12.3.4"), Err(AmountError::SeveralDecimalPoints));
        assert_eq!(typed(".50"), Err(AmountError::NoDigitsBeforePoint));
        assert_eq!(typed("12."), Err(AmountError::NoDigitsAfterPoint));
        assert_eq!(
            typed("1250.505"),
            Err(AmountError::TooManyDecimals {
                currency: Currency::Usd,
                digits: 2
            })
        );
        assert_eq!(typed("1250,50"), Err(AmountError::MisplacedComma));
        assert_eq!(typed("12,50.00"), Err(AmountError::MisplacedComma));
        assert_eq!(typed(",250"), Err(AmountError::MisplacedComma));
        assert_eq!(typed("1.250,00"), Err(AmountError::MisplacedComma));
        assert_eq!(typed("0.00"), Err(AmountError::NotPositive));
        assert_eq!(typed("1000000000"), Err(AmountError::TooLarge));
        assert_eq!(typed("12a"), Err(AmountError::InvalidCharacter('a')));
        assert!(typed("999,999,999.99").is_ok());
    }

    #[test]
    fn messages_say_what_to_change() {
        assert_eq!(
            AmountError::TooManyDecimals {
                currency: Currency::Cad,
                digits: 2
            }
            .to_string(),
            "CAD amounts have at most 2 decimal places."
        );
        assert_eq!(
            AmountError::InvalidCharacter('x').to_string(),
            "“x” cannot be part of an amount: use digits and one decimal point, as in 1250.50."
        );
    }

    #[test]
    fn amounts_of_different_currencies_never_combine() {
        let cad = Money::parse("5", Currency::Cad, AmountSyntax::Plain).unwrap();
        let mismatch = Err(MoneyError::CurrencyMismatch {
            left: Currency::Usd,
            right: Currency::Cad,
        });
        assert_eq!(usd("5").checked_add(cad), mismatch);
        assert_eq!(usd("5").checked_sub(cad), mismatch);
        assert!(usd("5").try_cmp(&cad).is_err());
    }

    #[test]
    fn subtraction_below_zero_is_refused() {
        assert_eq!(usd("5").checked_sub(usd("5.01")), Err(MoneyError::Negative));
        assert!(usd("5").checked_sub(usd("5")).unwrap().is_zero());
    }

    #[test]
    fn decimals_with_too_many_places_are_refused_but_trailing_zeros_are_fine() {
        assert_eq!(
            Money::from_decimal(Decimal::new(12345, 3), Currency::Usd),
            Err(MoneyError::TooPrecise)
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(12340, 3), Currency::Usd).unwrap(),
            usd("12.34")
        );
        assert_eq!(
            Money::from_decimal(Decimal::new(-1, 0), Currency::Usd),
            Err(MoneyError::Negative)
        );
    }

    #[test]
    fn grouped_strings_put_commas_every_three_digits() {
        assert_eq!(usd("1234567.5").to_grouped_string(), "1,234,567.50");
        assert_eq!(usd("123").to_grouped_string(), "123.00");
        assert_eq!(usd("1000").to_string(), "1,000.00 USD");
    }

    #[test]
    fn a_split_hands_leftover_cents_to_the_earliest_parts() {
        let parts = usd("100").split(NonZeroU32::new(3).unwrap());
        let texts: Vec<_> = parts.iter().map(Money::to_plain_string).collect();
        assert_eq!(texts, ["33.34", "33.33", "33.33"]);
    }

    #[test]
    fn allocation_pays_each_balance_in_full_before_the_next() {
        let parts = usd("150")
            .allocate_in_order(&[usd("100"), usd("80"), usd("20")])
            .unwrap();
        let texts: Vec<_> = parts.iter().map(Money::to_plain_string).collect();
        assert_eq!(texts, ["100.00", "50.00", "0.00"]);
        assert!(
            usd("201")
                .allocate_in_order(&[usd("100"), usd("100")])
                .is_err()
        );
    }

    #[test]
    fn money_crosses_the_wire_as_a_string_amount_and_a_currency() {
        let json = serde_json::to_string(&usd("1250.5")).unwrap();
        assert_eq!(json, r#"{"amount":"1250.50","currency":"USD"}"#);
        assert_eq!(
            serde_json::from_str::<Money>(&json).unwrap(),
            usd("1250.50")
        );
        assert!(
            serde_json::from_str::<Money>(r#"{"amount":"0.00","currency":"CAD"}"#)
                .unwrap()
                .is_zero()
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount":1250.5,"currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"-1","currency":"USD"}"#).is_err());
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop_oneof![Just(Currency::Usd), Just(Currency::Cad)]
    }

    proptest! {
        #[test]
        fn splits_always_add_back_to_the_whole(
            minor in 0_i64..=99_999_999_999,
            parts in 1_u32..=60,
            currency in any_currency(),
        ) {
            let whole = Money::from_minor_units(minor, currency).unwrap();
            let pieces = whole.split(NonZeroU32::new(parts).unwrap());
            prop_assert_eq!(pieces.len(), parts as usize);
            prop_assert_eq!(Money::sum(pieces.iter().copied(), currency).unwrap(), whole);
            let smallest = pieces.iter().map(Money::minor_units).min().unwrap();
            let largest = pieces.iter().map(Money::minor_units).max().unwrap();
            prop_assert!(largest - smallest <= 1);
        }

        #[test]
        fn allocations_add_back_to_the_payment_and_never_exceed_a_balance(
            (balances, paid_minor) in proptest::collection::vec(1_i64..=10_000_000, 1..12)
                .prop_flat_map(|balances| {
                    let owed: i64 = balances.iter().sum();
                    (Just(balances), 0..=owed)
                }),
        ) {
            let balances: Vec<Money> = balances
                .into_iter()
                .map(|minor| Money::from_minor_units(minor, Currency::Usd).unwrap())
                .collect();
            let paid = Money::from_minor_units(paid_minor, Currency::Usd).unwrap();
            let parts = paid.allocate_in_order(&balances).unwrap();
            prop_assert_eq!(Money::sum(parts.iter().copied(), Currency::Usd).unwrap(), paid);
            for (part, balance) in parts.iter().zip(&balances) {
                prop_assert!(part.try_cmp(balance).unwrap() != Ordering::Greater);
            }
        }

        #[test]
        fn typed_grouped_amounts_read_back_as_the_same_money(minor in 1_i64..=99_999_999_999) {
            let money = Money::from_minor_units(minor, Currency::Cad).unwrap();
            let typed = Money::parse(&money.to_grouped_string(), Currency::Cad, AmountSyntax::Typed);
            prop_assert_eq!(typed, Ok(money));
            let plain = Money::parse(&money.to_plain_string(), Currency::Cad, AmountSyntax::Plain);
            prop_assert_eq!(plain, Ok(money));
        }

        #[test]
        fn parsing_never_panics_on_any_text(text in ".{0,40}") {
            let _ = Money::parse(&text, Currency::Usd, AmountSyntax::Typed);
            let _ = Money::parse(&text, Currency::Usd, AmountSyntax::Plain);
        }

        #[test]
        fn an_amount_never_panics_is_within_the_limit_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[0-9.,$ -]{0,30}",
                "[ $]{0,2}[0-9]{20,400}(\\.[0-9]{0,4})?",
                "0{10,400}[1-9][0-9]{0,8}(\\.[0-9]{1,2})?",
                "[0-9]{1,4}(,[0-9]{1,4}){0,5}(\\.[0-9,]{0,3})?",
                "[0-9]{1,6}[.,]?[0-9]{0,3}[a-zé€\u{a0}\u{2009}٣]",
            ],
            currency in any_currency(),
        ) {
            for syntax in [AmountSyntax::Plain, AmountSyntax::Typed] {
                match Money::parse(&text, currency, syntax) {
                    Ok(money) => {
                        prop_assert!(!money.is_zero() && money.is_within_limit(), "{:?}", text);
                        prop_assert_eq!(money.currency(), currency);
                    }
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

        #[test]
        fn a_currency_never_panics_reads_only_its_codes_and_refusals_are_specific(
            text in prop_oneof![any::<String>(), "[A-Za-z ]{0,4}"],
        ) {
            match Currency::parse(&text) {
                Ok(currency) => prop_assert_eq!(currency.code(), text.as_str()),
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(
                        message.contains(' ') && message.ends_with('.'),
                        "{:?} was refused with {:?}", text, message
                    );
                }
            }
        }

        #[test]
        fn a_currency_reads_back_from_its_code(currency in any_currency()) {
            prop_assert_eq!(Currency::parse(currency.code()), Ok(currency));
            prop_assert_eq!(Currency::parse(&currency.to_string()), Ok(currency));
        }
    }
}
