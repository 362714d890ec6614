//! Card details as customers type them in step 7, checked as they are typed (Luhn, brand,
//! length, expiry). They exist only on their way to the processor's tokenizer: `Debug` never
//! shows a card number or a security code, and nothing here can be stored.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
}

impl CardBrand {
    pub fn name(self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
        }
    }

    /// The brand a number's first digits announce, if any (known from the first digit or two,
    /// so the form can show it while the customer types).
    pub fn from_prefix(digits: &str) -> Option<Self> {
        let prefix = |len: usize| digits.get(..len).and_then(|p| p.parse::<u32>().ok());
        if digits.starts_with('4') {
            Some(Self::Visa)
        } else if matches!(prefix(2), Some(34 | 37)) {
            Some(Self::Amex)
        } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
            Some(Self::Mastercard)
        } else if digits.starts_with("6011")
            || digits.starts_with("65")
            || matches!(prefix(3), Some(644..=649))
        {
            Some(Self::Discover)
        } else {
            None
        }
    }

    fn lengths(self) -> &'static [usize] {
        match self {
            Self::Visa => &[13, 16, 19],
            Self::Mastercard => &[16],
            Self::Amex => &[15],
            Self::Discover => &[16, 17, 18, 19],
        }
    }

    /// Digits in the security code: four on the front of an Amex card, three on the back of
    /// the others.
    pub fn security_code_digits(self) -> usize {
        match self {
            Self::Amex => 4,
            Self::Visa | Self::Mastercard | Self::Discover => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("Enter the card number.")]
    Empty,
    #[error("A card number has digits only.")]
    NotDigits,
    #[error(
        "We accept Visa, Mastercard, American Express and Discover; this number is none of them."
    )]
    UnknownBrand,
    #[error("A {brand} card number has {lengths} digits.", brand = .0.name(), lengths = lengths_text(*.0))]
    Length(CardBrand),
    #[error("This card number has a typo: check the digits.")]
    Checksum,
    #[error("Enter the expiry date as MM/YY, for example 04/29.")]
    ExpiryFormat,
    #[error("The expiry month is between 01 and 12.")]
    ExpiryMonth,
    #[error("The expiry year is this century's, as printed on the card: for example 04/29.")]
    ExpiryYear,
    #[error("This card has expired.")]
    Expired,
    #[error("The security code is the {0} digits on the card.")]
    SecurityCode(usize),
}

fn lengths_text(brand: CardBrand) -> String {
    let lengths: Vec<String> = brand.lengths().iter().map(ToString::to_string).collect();
    match lengths.as_slice() {
        [only] => only.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// A card number that passed the brand, length and Luhn checks.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

impl CardNumber {
    pub fn parse(text: &str) -> Result<Self, CardError> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(CardError::Empty);
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::NotDigits);
        }
        let brand = CardBrand::from_prefix(&digits).ok_or(CardError::UnknownBrand)?;
        if !brand.lengths().contains(&digits.len()) {
            return Err(CardError::Length(brand));
        }
        if !luhn_valid(&digits) {
            return Err(CardError::Checksum);
        }
        Ok(Self { digits, brand })
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn last_four(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// The digits, for the processor's tokenizer only.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} …{})", self.brand.name(), self.last_four())
    }
}

/// The Luhn check every card number carries in its last digit. Text with anything but ASCII
/// digits in it fails the check.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (index, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let digit = u32::from(byte - b'0');
        sum += if index % 2 == 1 {
            let doubled = digit * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            digit
        };
    }
    sum.is_multiple_of(10)
}

/// A card's expiry month, as MM/YY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Expiry {
    pub month: u8,
    /// The full year, e.g. 2029.
    pub year: u16,
}

impl Expiry {
    /// Reads `MM/YY` (also `MM/YYYY`, `MMYY`, spaces around the slash), refusing a card that
    /// expired before `current` (year, month).
    pub fn parse(text: &str, current: (u16, u8)) -> Result<Self, CardError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        // Digits and one slash only, so that the byte positions below are characters.
        if !compact.bytes().all(|b| b.is_ascii_digit() || b == b'/') {
            return Err(CardError::ExpiryFormat);
        }
        let (month, year) = match compact.split_once('/') {
            Some(parts) => parts,
            None if compact.len() == 4 => compact.split_at(2),
            None => return Err(CardError::ExpiryFormat),
        };
        if month.is_empty() || month.len() > 2 || !(year.len() == 2 || year.len() == 4) {
            return Err(CardError::ExpiryFormat);
        }
        let month: u8 = month.parse().map_err(|_| CardError::ExpiryFormat)?;
        let four_digits = year.len() == 4;
        let year: u16 = year.parse().map_err(|_| CardError::ExpiryFormat)?;
        let year = if four_digits { year } else { 2000 + year };
        if !(1..=12).contains(&month) {
            return Err(CardError::ExpiryMonth);
        }
        // MM/YY is all a card prints: a four-digit year must be one those two digits stand for.
        if !(2000..=2099).contains(&year) {
            return Err(CardError::ExpiryYear);
        }
        // A card is good through the last day of its expiry month.
        if (year, month) < current {
            return Err(CardError::Expired);
        }
        Ok(Self { month, year })
    }

    /// `MM/YY`, as printed on the card.
    pub fn as_text(&self) -> String {
        format!("{:02}/{:02}", self.month, self.year % 100)
    }
}

/// The security code (CVC): checked for shape, handed to the tokenizer, never kept.
#[derive(Clone, PartialEq, Eq)]
pub struct SecurityCode(String);

impl SecurityCode {
    pub fn parse(text: &str, brand: CardBrand) -> Result<Self, CardError> {
        let digits = text.trim();
        let expected = brand.security_code_digits();
        if digits.len() != expected || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardError::SecurityCode(expected));
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn expose_digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCode(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn test_cards_of_each_brand_are_accepted_with_spaces() {
        let cases = [
            ("4242 4242 4242 4242", CardBrand::Visa),
            ("5555 5555 5555 4444", CardBrand::Mastercard),
            ("2223 0031 2200 3222", CardBrand::Mastercard),
            ("3782 822463 10005", CardBrand::Amex),
            ("6011 1111 1111 1117", CardBrand::Discover),
        ];
        for (number, brand) in cases {
            let card = CardNumber::parse(number).unwrap();
            assert_eq!(card.brand(), brand, "{number}");
        }
    }

    #[test]
    fn each_kind_of_bad_number_gets_its_own_message() {
        assert_eq!(CardNumber::parse(""), Err(CardError::Empty));
        assert_eq!(
            CardNumber::parse("4242-4242-4242-424x"),
            Err(CardError::NotDigits)
        );
        assert_eq!(
            CardNumber::parse("9999 9999 9999 9999"),
            Err(CardError::UnknownBrand)
        );
        assert_eq!(
            CardNumber::parse("4242 4242 4242 424"),
            Err(CardError::Length(CardBrand::Visa))
        );
        assert_eq!(
            CardNumber::parse("4242 4242 4242 4241"),
            Err(CardError::Checksum)
        );
        assert_eq!(
            CardError::Length(CardBrand::Visa).to_string(),
            "A Visa card number has 13, 16 or 19 digits."
        );
    }

    #[test]
    fn card_numbers_and_codes_never_print() {
        let card = CardNumber::parse("4242424242424242").unwrap();
        assert_eq!(format!("{card:?}"), "CardNumber(Visa …4242)");
        let code = SecurityCode::parse("123", CardBrand::Visa).unwrap();
        assert_eq!(format!("{code:?}"), "SecurityCode(***)");
    }

    #[test]
    fn expiry_dates_are_read_in_the_usual_forms_and_expired_cards_refused() {
        let now = (2026, 11);
        assert_eq!(
            Expiry::parse("04/29", now),
            Ok(Expiry {
                month: 4,
                year: 2029
            })
        );
        assert_eq!(
            Expiry::parse("0429", now),
            Ok(Expiry {
                month: 4,
                year: 2029
            })
        );
        assert_eq!(
            Expiry::parse("4 / 2029", now),
            Ok(Expiry {
                month: 4,
                year: 2029
            })
        );
        assert_eq!(
            Expiry::parse("11/26", now).map(|e| e.as_text()),
            Ok("11/26".to_owned())
        );
        assert_eq!(Expiry::parse("10/26", now), Err(CardError::Expired));
        assert_eq!(Expiry::parse("13/29", now), Err(CardError::ExpiryMonth));
        assert_eq!(
            Expiry::parse("April 2029", now),
            Err(CardError::ExpiryFormat)
        );
    }

    #[test]
    fn amex_security_codes_have_four_digits() {
        assert!(SecurityCode::parse("1234", CardBrand::Amex).is_ok());
        assert_eq!(
            SecurityCode::parse("123", CardBrand::Amex),
            Err(CardError::SecurityCode(4))
        );
        assert_eq!(
            SecurityCode::parse("12a", CardBrand::Visa),
            Err(CardError::SecurityCode(3))
        );
    }

    #[test]
    fn the_luhn_check_fails_text_that_is_not_digits_without_panicking() {
        for text in ["4242 4242 4242 4242", "4242-4242", "42a2", "+0", "٤٢٤٢"] {
            assert!(!luhn_valid(text), "{text}");
        }
    }

    #[test]
    fn the_luhn_check_catches_a_single_changed_digit() {
        let valid = "4242424242424242";
        assert!(luhn_valid(valid));
        for position in 0..valid.len() {
            let mut digits: Vec<u8> = valid.bytes().collect();
            digits[position] = if digits[position] == b'9' {
                b'0'
            } else {
                digits[position] + 1
            };
            assert!(
                !luhn_valid(std::str::from_utf8(&digits).unwrap()),
                "position {position}"
            );
        }
    }

    #[test]
    fn a_four_digit_expiry_year_outside_this_century_is_refused_as_such() {
        let now = (2026, 11);
        for text in ["04/9999", "04/0029", "04/2100", "12/1999"] {
            assert_eq!(
                Expiry::parse(text, now),
                Err(CardError::ExpiryYear),
                "{text}"
            );
        }
        let far = Expiry::parse("04/2099", now).unwrap();
        assert_eq!(
            Expiry::parse(&far.as_text(), now),
            Ok(far),
            "what is kept reads back the same"
        );
    }

    #[test]
    fn an_expiry_with_letters_is_refused_not_split_inside_a_character() {
        assert_eq!(
            Expiry::parse("1é1", (2026, 11)),
            Err(CardError::ExpiryFormat)
        );
        assert_eq!(
            Expiry::parse("ab/cd", (2026, 11)),
            Err(CardError::ExpiryFormat)
        );
        assert_eq!(
            Expiry::parse("1230", (2026, 11)).map(|e| e.as_text()),
            Ok("12/30".to_owned())
        );
    }

    // Every refusal here is shown to a customer as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    fn any_brand() -> impl Strategy<Value = CardBrand> {
        proptest::sample::select(vec![
            CardBrand::Visa,
            CardBrand::Mastercard,
            CardBrand::Amex,
            CardBrand::Discover,
        ])
    }

    fn digits(count: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::char::range('0', '9'), count)
            .prop_map(|digits| digits.into_iter().collect::<String>())
    }

    // Worked out apart from `luhn_valid`, so that the round trip does not trust the code it
    // checks: from the right, every second digit of the payload is doubled.
    fn luhn_check_digit(payload: &str) -> char {
        let sum: u32 = payload
            .bytes()
            .rev()
            .enumerate()
            .map(|(index, byte)| {
                let digit = u32::from(byte - b'0');
                if index % 2 == 0 {
                    (digit * 2) / 10 + (digit * 2) % 10
                } else {
                    digit
                }
            })
            .sum();
        char::from_digit((10 - sum % 10) % 10, 10).unwrap()
    }

    // A number each brand issues: one of its prefixes, one of its lengths, a correct check digit.
    fn a_valid_card_number() -> impl Strategy<Value = (String, CardBrand)> {
        let prefix = prop_oneof![
            Just((CardBrand::Visa, 4_u32)),
            prop_oneof![Just(34_u32), Just(37_u32)].prop_map(|p| (CardBrand::Amex, p)),
            prop_oneof![51_u32..=55, 2221_u32..=2720].prop_map(|p| (CardBrand::Mastercard, p)),
            prop_oneof![Just(6011_u32), Just(65_u32), 644_u32..=649]
                .prop_map(|p| (CardBrand::Discover, p)),
        ];
        (prefix, any::<proptest::sample::Index>()).prop_flat_map(|((brand, prefix), pick)| {
            let prefix = prefix.to_string();
            let length = *pick.get(brand.lengths());
            digits(length - prefix.len() - 1).prop_map(move |body| {
                let payload = format!("{prefix}{body}");
                let check = luhn_check_digit(&payload);
                (format!("{payload}{check}"), brand)
            })
        })
    }

    proptest! {
        #[test]
        fn a_card_number_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[0-9 -]{0,25}",
                "[2-6][0-9]{10,20}",
                "[0-9]{20,400}",
                "[0-9 ]{0,8}[a-zO٣\u{a0}\u{2013}][0-9 ]{0,8}",
            ],
        ) {
            if let Err(error) = CardNumber::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_card_number_reads_back_with_its_brand_however_it_is_grouped(
            (number, brand) in a_valid_card_number(),
            separator in proptest::sample::select(vec!["", " ", "-", "  "]),
        ) {
            let grouped = number
                .as_bytes()
                .chunks(4)
                .map(|group| std::str::from_utf8(group).unwrap())
                .collect::<Vec<_>>()
                .join(separator);
            let card = CardNumber::parse(&grouped);
            prop_assert_eq!(card.as_ref().map(CardNumber::brand), Ok(brand));
            let card = card.unwrap();
            prop_assert_eq!(card.expose_digits(), number.as_str());
            prop_assert_eq!(card.last_four(), &number[number.len() - 4..]);
            prop_assert_eq!(CardNumber::parse(card.expose_digits()), Ok(card));
        }

        #[test]
        fn an_expiry_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[0-9 /]{0,8}",
                "[0-9]{0,3} ?/ ?[0-9]{0,6}",
                "[0-9]{1,2}/[0-9/é]{1,5}",
            ],
            current in (any::<u16>(), any::<u8>()),
        ) {
            if let Err(error) = Expiry::parse(&text, current) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_expiry_reads_back_in_every_form_until_the_month_after_it(
            month in 1_u8..=12,
            year in 2000_u16..=2099,
            today in (2000_u16..=2099, 1_u8..=12),
        ) {
            // `as_text` writes two digits of the year, so only this century reads back.
            let current = today.min((year, month));
            let expiry = Expiry { month, year };
            let short = year % 100;
            for text in [
                expiry.as_text(),
                format!("{month}/{year}"),
                format!("{month:02}{short:02}"),
                format!(" {month:02} / {short:02} "),
            ] {
                prop_assert_eq!(Expiry::parse(&text, current), Ok(expiry), "{:?}", text);
            }
            let next_month = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            prop_assert_eq!(
                Expiry::parse(&expiry.as_text(), next_month),
                Err(CardError::Expired)
            );
        }

        #[test]
        fn a_security_code_never_panics_and_refusals_are_specific(
            text in prop_oneof![any::<String>(), "[0-9 ]{0,6}", "[0-9]{2,4}[a-z٣]?"],
            brand in any_brand(),
        ) {
            if let Err(error) = SecurityCode::parse(&text, brand) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_security_code_reads_back_as_its_digits(
            (brand, code) in any_brand()
                .prop_flat_map(|brand| (Just(brand), digits(brand.security_code_digits()))),
        ) {
            let parsed = SecurityCode::parse(&format!(" {code} "), brand);
            prop_assert_eq!(parsed.as_ref().map(SecurityCode::expose_digits), Ok(code.as_str()));
            let parsed = parsed.unwrap();
            prop_assert_eq!(SecurityCode::parse(parsed.expose_digits(), brand), Ok(parsed));
        }
    }
}
