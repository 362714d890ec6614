//! One id type per entity, so that a customer's id can never be passed where an invoice's is
//! expected. All are random UUIDs, stored as text and sent over the API as strings: most as the
//! UUID itself, the bank accounts' and saved cards' with a prefix naming their kind (`ba_…`,
//! `card_…`).

/// Declares an id type: a UUID newtype that parses, prints and (de)serialises as its string.
macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            #[cfg(feature = "ssr")]
            pub fn new_random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            pub fn parse(text: &str) -> Result<Self, uuid::Error> {
                uuid::Uuid::parse_str(text).map(Self)
            }

            /// The 16 bytes of the UUID, for compact signed tokens.
            pub fn to_bytes(self) -> [u8; 16] {
                *self.0.as_bytes()
            }

            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Uuid::from_bytes(bytes))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }
    };
}

/// Declares an id type whose text is a prefix naming its kind and the UUID's 32 lowercase hex
/// digits (`ba_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11`). It parses, prints and (de)serialises as that
/// text only: these ids had that form before they had a type, and rows, sessions' checkouts
/// and payments keep it (a bank account's number is even encrypted bound to it).
macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// What every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            #[cfg(feature = "ssr")]
            pub fn new_random() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            pub fn parse(text: &str) -> Result<Self, PrefixedIdError> {
                text.strip_prefix($prefix)
                    .filter(|hex| {
                        hex.len() == 32
                            && hex.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
                    })
                    .and_then(|hex| uuid::Uuid::parse_str(hex).ok())
                    .map(Self)
                    .ok_or(PrefixedIdError { prefix: $prefix })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}{}", $prefix, self.0.simple())
            }
        }

        impl std::str::FromStr for $name {
            type Err = PrefixedIdError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A text that is not an id of the kind asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id of the form {prefix} and 32 hex digits")]
pub struct PrefixedIdError {
    prefix: &'static str,
}

entity_id!(
    /// Identifies one merchant (one tenant). Every other row belongs to exactly one.
    MerchantId
);
entity_id!(
    /// Identifies a business that owes a merchant money.
    CustomerId
);
entity_id!(
    /// Identifies one invoice.
    InvoiceId
);
entity_id!(
    /// Identifies one payment, which may pay several invoices.
    PaymentId
);
entity_id!(
    /// Identifies one request for access from an address that is nobody's contact yet.
    AccessRequestId
);
entity_id!(
    /// Identifies one merchant API key (not the key itself, which is secret).
    ApiKeyId
);
entity_id!(
    /// Identifies one job of the outbox: a side effect waiting to run, running, done or dead.
    JobId
);
prefixed_id!(
    /// Identifies one bank account a customer gave (not the account number, which is secret).
    BankAccountId,
    "ba_"
);
prefixed_id!(
    /// Identifies one card a customer saved for next time (not the processor's token).
    SavedCardId,
    "card_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_and_parse_as_their_uuid() {
        let text = "0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11";
        assert_eq!(InvoiceId::parse(text).unwrap().to_string(), text);
        assert_eq!(
            serde_json::to_string(&CustomerId::parse(text).unwrap()).unwrap(),
            format!("\"{text}\"")
        );
    }

    #[test]
    fn ids_that_are_not_uuids_are_rejected() {
        assert!(PaymentId::parse("42").is_err());
        assert!(serde_json::from_str::<InvoiceId>("\"inv_1\"").is_err());
    }

    #[test]
    fn prefixed_ids_print_parse_and_serialise_as_their_prefixed_text() {
        let text = "ba_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11";
        let id = BankAccountId::parse(text).unwrap();
        assert_eq!(id.to_string(), text);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{text}\""));
        assert_eq!(
            serde_json::from_str::<BankAccountId>(&format!("\"{text}\"")).unwrap(),
            id
        );
        let card = "card_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11";
        assert_eq!(SavedCardId::parse(card).unwrap().to_string(), card);
    }

    #[test]
    fn prefixed_ids_of_another_kind_or_form_are_rejected() {
        let hex = "0b6f5c1e8d8a4f0e9a553f0c2b7d9e11";
        assert!(BankAccountId::parse(hex).is_err(), "no prefix");
        assert!(
            BankAccountId::parse(&format!("card_{hex}")).is_err(),
            "a card's"
        );
        assert!(
            SavedCardId::parse(&format!("ba_{hex}")).is_err(),
            "an account's"
        );
        assert!(BankAccountId::parse("ba_0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11").is_err());
        assert!(BankAccountId::parse(&format!("ba_{}", hex.to_uppercase())).is_err());
        assert!(BankAccountId::parse("ba_1").is_err());
        assert!(SavedCardId::parse("card_someone_else").is_err());
        assert!(serde_json::from_str::<BankAccountId>("\"ba_1\"").is_err());
    }
}
