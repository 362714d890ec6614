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
}

impl EmailAddress {
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let address = text.trim().to_lowercase();
        if address.is_empty() {
            return Err(EmailError::Empty);
        }
        if address.len() > 254 {
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
        if local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(if local.len() > 64 {
                EmailError::TooLong
            } else {
                EmailError::MisplacedDot
            });
        }
        if let Some(bad) = domain
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
        {
            return Err(EmailError::InvalidCharacter(bad));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        let top_level = labels.last().copied().unwrap_or_default();
        let labels_ok = labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
        if labels.len() < 2
            || !labels_ok
            || top_level.len() < 2
            || top_level.bytes().all(|b| b.is_ascii_digit())
        {
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
            ("ana@-acme.com", EmailError::IncompleteDomain),
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
}
