//! Idempotency keys: what a client sends so that retrying a request cannot do its work twice.

use std::fmt;

/// 1 to 255 visible ASCII characters (a UUID is typical).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdempotencyKeyError {
    #[error("An idempotency key cannot be empty.")]
    Empty,
    #[error("An idempotency key can be at most 255 characters long.")]
    TooLong,
    #[error("An idempotency key may only hold visible ASCII characters (a UUID is a good choice).")]
    InvalidCharacter,
}

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<Self, IdempotencyKeyError> {
        if text.is_empty() {
            return Err(IdempotencyKeyError::Empty);
        }
        if text.len() > 255 {
            return Err(IdempotencyKeyError::TooLong);
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(IdempotencyKeyError::InvalidCharacter);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for IdempotencyKey {
    type Error = IdempotencyKeyError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<IdempotencyKey> for String {
    fn from(key: IdempotencyKey) -> Self {
        key.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uuids_and_similar_keys_are_accepted() {
        assert!(IdempotencyKey::parse("0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11").is_ok());
        assert!(IdempotencyKey::parse("order:1042/retry-2").is_ok());
    }

    #[test]
    fn empty_long_or_invisible_keys_are_refused() {
        assert_eq!(IdempotencyKey::parse(""), Err(IdempotencyKeyError::Empty));
        assert_eq!(
            IdempotencyKey::parse(&"k".repeat(256)),
            Err(IdempotencyKeyError::TooLong)
        );
        assert_eq!(
            IdempotencyKey::parse("a b"),
            Err(IdempotencyKeyError::InvalidCharacter)
        );
        assert_eq!(
            IdempotencyKey::parse("clé"),
            Err(IdempotencyKeyError::InvalidCharacter)
        );
    }

    // Every refusal here reaches an API client as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    proptest! {
        #[test]
        fn an_idempotency_key_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                proptest::collection::vec(any::<char>(), 0..40)
                    .prop_map(|chars| chars.into_iter().collect::<String>()),
                "[!-~ \t]{0,40}",
                "[!-~]{250,260}",
                "[0-9a-f-]{10,36}[é\u{a0}\\x7f]",
            ],
        ) {
            if let Err(error) = IdempotencyKey::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_idempotency_key_reads_back_as_itself(text in "[!-~]{1,255}") {
            let key = IdempotencyKey::parse(&text);
            prop_assert_eq!(key.as_ref().map(IdempotencyKey::as_str), Ok(text.as_str()));
            let key = key.unwrap();
            prop_assert_eq!(IdempotencyKey::parse(&key.to_string()), Ok(key));
        }
    }

    proptest! {
        // Long inputs are slow to generate; a few cases still reach far past the limit.
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn a_long_idempotency_key_never_panics_and_refusals_are_specific(text in ".{0,5000}") {
            if let Err(error) = IdempotencyKey::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }
    }
}
