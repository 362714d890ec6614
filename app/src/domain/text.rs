//! Short free text that people type and other people read: names, invoice numbers, memos.
//! Trimmed, never empty, bounded, and free of control characters (which would let one value
//! fake a line in an email or a log).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("Enter {what}.")]
    Empty { what: &'static str },
    #[error("{what} can be at most {max} characters long.", what = capitalise(what))]
    TooLong { what: &'static str, max: usize },
    #[error("{what} cannot contain line breaks, tabs or other control characters.", what = capitalise(what))]
    ControlCharacter { what: &'static str },
}

fn capitalise(what: &str) -> String {
    let mut chars = what.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Trims `text` and checks it against the rules above. `what` names the value in messages
/// ("a legal name").
fn checked(
    text: &str,
    what: &'static str,
    max: usize,
    allow_newlines: bool,
) -> Result<String, TextError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty { what });
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { what, max });
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r')))
    {
        return Err(TextError::ControlCharacter { what });
    }
    Ok(trimmed.to_owned())
}

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $newlines:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(text: &str) -> Result<Self, TextError> {
                checked(text, $what, $max, $newlines).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A business's legal name, as it appears on invoices.
    LegalName, "a legal name", 200, false
);
bounded_text!(
    /// The name a merchant goes by with its customers: on its billing link, in its emails.
    DisplayName, "a display name", 100, false
);
bounded_text!(
    /// An invoice number as the merchant's accounting software wrote it ("INV-1042").
    InvoiceNumber, "an invoice number", 64, false
);
bounded_text!(
    /// The id a record has in the merchant's accounting software (QuickBooks, Xero).
    ExternalId, "an external id", 128, false
);
bounded_text!(
    /// A note on an invoice, shown to the customer; may span several lines.
    Memo, "a memo", 2000, true
);
bounded_text!(
    /// What one line of an invoice is for.
    LineDescription, "a line item description", 500, false
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_trimmed() {
        assert_eq!(
            LegalName::parse("  Acme Corp  ").unwrap().as_str(),
            "Acme Corp"
        );
    }

    #[test]
    fn blank_text_is_refused_with_what_was_expected() {
        let error = InvoiceNumber::parse("   ").unwrap_err();
        assert_eq!(error.to_string(), "Enter an invoice number.");
    }

    #[test]
    fn long_text_is_refused_with_the_limit() {
        let error = InvoiceNumber::parse(&"9".repeat(65)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "An invoice number can be at most 64 characters long."
        );
        assert!(InvoiceNumber::parse(&"9".repeat(64)).is_ok());
    }

    #[test]
    fn control_characters_are_refused_but_memos_may_span_lines() {
        assert!(matches!(
            LegalName::parse("Acme\nBcc: x@y.z"),
            Err(TextError::ControlCharacter { .. })
        ));
        assert!(Memo::parse("Thanks!\nPO 4471").is_ok());
        assert!(Memo::parse("bell\u{7}").is_err());
    }

    // The five types share `checked` but not their limits or their names in messages, so each
    // goes through the same property: refused with a sentence, or kept trimmed and stable.
    fn check_text<T: fmt::Display + fmt::Debug + PartialEq>(
        text: &str,
        parse: fn(&str) -> Result<T, TextError>,
    ) -> Result<(), TestCaseError> {
        match parse(text) {
            Ok(value) => {
                prop_assert_eq!(value.to_string(), text.trim());
                prop_assert_eq!(parse(&value.to_string()), Ok(value));
            }
            Err(error) => {
                let message = error.to_string();
                prop_assert!(
                    message.contains(' ') && message.ends_with('.'),
                    "{:?} was refused as a {} with {:?}",
                    text,
                    std::any::type_name::<T>(),
                    message
                );
            }
        }
        Ok(())
    }

    fn check_every_kind_of_text(text: &str) -> Result<(), TestCaseError> {
        check_text(text, LegalName::parse)?;
        check_text(text, InvoiceNumber::parse)?;
        check_text(text, ExternalId::parse)?;
        check_text(text, Memo::parse)?;
        check_text(text, LineDescription::parse)
    }

    // `any::<String>()` never makes control characters, and they are what `checked` must catch.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(any::<char>(), 0..40)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
            "[ \t\r\n\u{a0}\u{2028}\u{3000}]{0,3}[a-zA-Z0-9 é\\x07\\x1b\\x{85}\\x{200b}]{0,8}[ \t\r\n]{0,3}",
        ]
    }

    proptest! {
        #[test]
        fn text_of_every_kind_never_panics_and_refusals_are_specific(
            text in prop_oneof![any_text(), "[a-zé ]{60,70}", "[a-z]{120,135}"],
        ) {
            check_every_kind_of_text(&text)?;
        }

        #[test]
        fn printable_text_reads_back_as_itself(
            text in "[^\\p{C}\\s]([^\\p{C}]{0,30}[^\\p{C}\\s])?",
        ) {
            prop_assert_eq!(LegalName::parse(&text).map(String::from), Ok(text.clone()));
            prop_assert_eq!(InvoiceNumber::parse(&text).map(String::from), Ok(text.clone()));
            prop_assert_eq!(ExternalId::parse(&text).map(String::from), Ok(text.clone()));
            prop_assert_eq!(Memo::parse(&text).map(String::from), Ok(text.clone()));
            prop_assert_eq!(LineDescription::parse(&text).map(String::from), Ok(text.clone()));
            check_every_kind_of_text(&text)?;
        }

        #[test]
        fn a_memo_keeps_its_line_breaks_where_other_text_refuses_them(
            text in "[a-zA-Z0-9]([a-zA-Z0-9 .]{0,10}\r?\n){1,5}[a-zA-Z0-9]",
        ) {
            prop_assert_eq!(Memo::parse(&text).map(String::from), Ok(text.clone()));
            prop_assert_eq!(
                LegalName::parse(&text),
                Err(TextError::ControlCharacter { what: "a legal name" })
            );
        }
    }

    proptest! {
        // Long inputs are slow to generate; a few cases still reach past every limit.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn long_text_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                ".{0,5000}",
                "[a-z]{195,205}",
                "[a-z ]{495,505}",
                "[a-z\n]{1995,2005}",
            ],
        ) {
            check_every_kind_of_text(&text)?;
        }
    }
}
