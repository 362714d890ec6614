//! Signing in to a billing link: the one-time code a customer types, and where in the wizard
//! they may be.

use std::fmt;

/// The six digits of a one-time code, as the customer typed or pasted them ("123 456" and
/// "123-456" are read as 123456).
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("Enter the 6-digit code from the email.")]
    Empty,
    #[error("The code is 6 digits; check that you typed all of them.")]
    WrongLength,
    #[error("The code has digits only.")]
    NotDigits,
}

impl OneTimeCode {
    pub const DIGITS: usize = 6;

    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(CodeError::Empty);
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::NotDigits);
        }
        if compact.len() != Self::DIGITS {
            return Err(CodeError::WrongLength);
        }
        Ok(Self(compact))
    }

    /// A code from a number below 1,000,000, zero-padded.
    pub fn from_number(number: u32) -> Self {
        Self(format!("{:06}", number % 1_000_000))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// Never printed by accident: a code in a log is a code anyone with the log can use.
impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(******)")
    }
}

/// The eight steps of the payment wizard.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum WizardStep {
    Email = 1,
    Code = 2,
    Business = 3,
    Invoices = 4,
    Amounts = 5,
    Method = 6,
    Details = 7,
    Review = 8,
}

impl WizardStep {
    pub const COUNT: u8 = 8;

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Email => "Your email address",
            Self::Code => "Check your email",
            Self::Business => "Your business",
            Self::Invoices => "Your invoices",
            Self::Amounts => "What to pay",
            Self::Method => "Payment method",
            Self::Details => "Payment details",
            Self::Review => "Review and pay",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pasted_codes_with_spaces_or_a_dash_are_read() {
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().digits(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().digits(), "123456");
    }

    #[test]
    fn each_kind_of_bad_code_gets_its_own_message() {
        assert_eq!(OneTimeCode::parse(""), Err(CodeError::Empty));
        assert_eq!(OneTimeCode::parse("12345"), Err(CodeError::WrongLength));
        assert_eq!(OneTimeCode::parse("1234567"), Err(CodeError::WrongLength));
        assert_eq!(OneTimeCode::parse("12a456"), Err(CodeError::NotDigits));
    }

    #[test]
    fn codes_are_zero_padded_and_never_printed() {
        let code = OneTimeCode::from_number(42);
        assert_eq!(code.digits(), "000042");
        assert_eq!(format!("{code:?}"), "OneTimeCode(******)");
    }

    proptest! {
        #[test]
        fn a_one_time_code_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[0-9 -]{0,12}",
                "[0-9a-zO\t\u{a0}\u{2013}-]{0,10}",
                "[0-9]{7,400}",
            ],
        ) {
            if let Err(error) = OneTimeCode::parse(&text) {
                let message = error.to_string();
                prop_assert!(
                    message.contains(' ') && message.ends_with('.'),
                    "{:?} was refused with {:?}", text, message
                );
            }
        }

        #[test]
        fn a_code_reads_back_as_its_six_digits_however_it_was_spaced(
            number in 0_u32..1_000_000,
            separator in proptest::sample::select(vec!["", " ", "-", " - ", "\t"]),
        ) {
            let code = OneTimeCode::from_number(number);
            let (left, right) = code.digits().split_at(3);
            let typed = OneTimeCode::parse(&format!(" {left}{separator}{right} "));
            prop_assert_eq!(typed, Ok(code.clone()));
            prop_assert_eq!(OneTimeCode::parse(code.digits()), Ok(code));
        }
    }
}
