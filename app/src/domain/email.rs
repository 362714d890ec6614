//! Email addresses: who may pay for a customer, and where one-time codes go.

use std::fmt;

/// A syntactically valid email address, trimmed and lower-cased so that the same mailbox is
/// always the same value (`Ana@Acme.com` and `ana@acme.com` sign in to the same customers).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("An email address can be at most 254 characters long.")]
    TooLong,
    #[error("An email address needs one @, as in name@company.com.")]
    MissingAt,
    #[error("An email address has only one @.")]
    SeveralAts,
    #[error("Put the mailbox name before the @, as in name@company.com.")]
    EmptyLocalPart,
    #[error("Put the domain after the @, as in name@company.com.")]
    EmptyDomain,
    #[error("“{0}” cannot be part of an email address.")]
    InvalidCharacter(char),
    #[error("An email address cannot start or end its name with a dot, or have two dots in a row.")]
    MisplacedDot,
    #[error("The domain after the @ looks incomplete: it needs a dot, as in company.com.")]
    IncompleteDomain,
    #[error("The name before the @ can be at most 64 characters long.")]
    LocalPartTooLong,
    #[error("The domain after the @ cannot start with a dot or have two dots in a row.")]
    MisplacedDomainDot,
    #[error("Each part of the domain between dots can be at most 63 characters long.")]
    DomainLabelTooLong,
    #[error("A part of the domain cannot start or end with a hyphen.")]
    MisplacedHyphen,
}

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let address = text.trim().to_lowercase();
        if address.is_empty() {
            return Err(EmailError::Empty);
        }
        if address.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = match address.split_once('@') {
            None => return Err(EmailError::MissingAt),
            Some((_, domain)) if domain.contains('@') => return Err(EmailError::SeveralAts),
            Some(parts) => parts,
        };
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        if domain.is_empty() {
            return Err(EmailError::EmptyDomain);
        }
        const LOCAL_SYMBOLS: &str = ".!#$%&'*+/=?^_`{|}~-";
        if let Some(bad) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || LOCAL_SYMBOLS.contains(*c)))
        {
            return Err(EmailError::InvalidCharacter(bad));
        }
        if local.len() > 64 {
            return Err(EmailError::LocalPartTooLong);
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(EmailError::MisplacedDot);
        }
        if let Some(bad) = domain
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
        {
            return Err(EmailError::InvalidCharacter(bad));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let top_level = labels.last().copied().unwrap_or_default();
        // "ana@acme" and "ana@acme." are addresses not yet typed to the end.
        if labels.len() < 2 || top_level.is_empty() {
            return Err(EmailError::IncompleteDomain);
        }
        if labels.iter().any(|label| label.is_empty()) {
            return Err(EmailError::MisplacedDomainDot);
        }
        if labels.iter().any(|label| label.len() > 63) {
            return Err(EmailError::DomainLabelTooLong);
        }
        if labels
            .iter()
            .any(|label| label.starts_with('-') || label.ends_with('-'))
        {
            return Err(EmailError::MisplacedHyphen);
        }
        if top_level.len() < 2 || top_level.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EmailError::IncompleteDomain);
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<EmailAddress> for String {
    fn from(address: EmailAddress) -> Self {
        address.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            EmailAddress::parse("  Ana.Lopez@Acme.COM ")
                .unwrap()
                .as_str(),
            "ana.lopez@acme.com"
        );
        assert!(EmailAddress::parse("ap+invoices@sub.example.co.uk").is_ok());
    }

    #[test]
    fn each_kind_of_bad_address_gets_its_own_message() {
        let cases = [
            ("", EmailError::Empty),
            ("ana.acme.com", EmailError::MissingAt),
            ("ana@@acme.com", EmailError::SeveralAts),
            ("@acme.com", EmailError::EmptyLocalPart),
            ("ana@", EmailError::EmptyDomain),
            ("ana lopez@acme.com", EmailError::InvalidCharacter(' ')),
            ("ana@acme_co.com", EmailError::InvalidCharacter('_')),
            (".ana@acme.com", EmailError::MisplacedDot),
            ("ana..l@acme.com", EmailError::MisplacedDot),
            ("ana@acme", EmailError::IncompleteDomain),
            ("ana@acme.", EmailError::IncompleteDomain),
            ("ana@-acme.com", EmailError::MisplacedHyphen),
            ("ana@acme.c", EmailError::IncompleteDomain),
        ];
        for (text, expected) in cases {
            assert_eq!(EmailAddress::parse(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn overlong_addresses_are_refused() {
        let long = format!("{}@acme.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn each_refusal_of_a_part_names_that_part() {
        let cases = [
            (
                format!("{}@acme.com", "a".repeat(65)),
                EmailError::LocalPartTooLong,
            ),
            ("ana@acme..com".to_owned(), EmailError::MisplacedDomainDot),
            ("ana@.acme.com".to_owned(), EmailError::MisplacedDomainDot),
            ("ana@acme.com.".to_owned(), EmailError::IncompleteDomain),
            (
                format!("ana@{}.com", "a".repeat(64)),
                EmailError::DomainLabelTooLong,
            ),
            ("ana@-acme.com".to_owned(), EmailError::MisplacedHyphen),
            ("ana@acme-.com".to_owned(), EmailError::MisplacedHyphen),
            ("ana@acme".to_owned(), EmailError::IncompleteDomain),
            ("ana@acme.c".to_owned(), EmailError::IncompleteDomain),
            ("ana@10.0.0.1".to_owned(), EmailError::IncompleteDomain),
        ];
        for (text, expected) in cases {
            assert_eq!(EmailAddress::parse(&text), Err(expected), "{text}");
        }
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        // 139 characters, 269 bytes: refused for its "é", not for a length it does not have.
        let text = format!("{}@acme.com", "é".repeat(130));
        assert_eq!(
            EmailAddress::parse(&text),
            Err(EmailError::InvalidCharacter('é'))
        );
    }

    // Every refusal here is shown to a customer as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    // Addresses as people type them: any case, sometimes with stray spaces around.
    fn a_valid_address() -> impl Strategy<Value = String> {
        (
            "[ \t]{0,2}",
            "[a-zA-Z0-9_+-]{1,12}(\\.[a-zA-Z0-9!#$%&'*/=?^`{|}~+_-]{1,12}){0,2}",
            "([a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?\\.){1,3}[a-zA-Z]{2,6}",
        )
            .prop_map(|(padding, local, domain)| format!("{padding}{local}@{domain}{padding}"))
    }

    proptest! {
        #[test]
        fn an_email_address_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                proptest::collection::vec(any::<char>(), 0..40)
                    .prop_map(|chars| chars.into_iter().collect::<String>()),
                "[a-zA-Z0-9._+ -]{0,12}@{0,3}[a-zA-Z0-9._ -]{0,12}",
                "[a-z.]{0,70}@[a-z0-9.-]{0,70}",
                "\\PC{0,10}@\\PC{0,10}",
            ],
        ) {
            if let Err(error) = EmailAddress::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_address_reads_back_trimmed_and_lower_cased(text in a_valid_address()) {
            let address = EmailAddress::parse(&text);
            let expected = text.trim().to_lowercase();
            prop_assert_eq!(address.as_ref().map(EmailAddress::as_str), Ok(expected.as_str()));
            let address = address.unwrap();
            prop_assert_eq!(EmailAddress::parse(&address.to_string()), Ok(address));
        }
    }

    proptest! {
        // Long inputs are slow to generate; a few cases still reach past the 254-byte limit.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn a_long_email_address_never_panics_and_refusals_are_specific(
            text in prop_oneof![".{0,5000}", "[a-z]{50,70}@[a-z]{180,200}\\.com"],
        ) {
            if let Err(error) = EmailAddress::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }
    }
}
