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
}
