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
    /// Identifies one refund of (part of) a card payment.
    RefundId
);
entity_id!(
    /// Identifies one installment plan: a schedule of payments of one instrument.
    PlanId
);
entity_id!(
    /// Identifies one request for access from an address that is nobody's contact yet.
    AccessRequestId
);
entity_id!(
    /// Identifies one person of a merchant's staff who may open its dashboard.
    MerchantUserId
);
entity_id!(
    /// Identifies one merchant API key (not the key itself, which is secret).
    ApiKeyId
);
entity_id!(
    /// Identifies one job of the outbox: a side effect waiting to run, running, done or dead.
    JobId
);
entity_id!(
    /// Identifies one merchant's connection to its accounting software.
    AccountingConnectionId
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
    use proptest::prelude::*;
    use std::fmt::{Debug, Display};

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

    // Each id type comes from one macro but is a type of its own, so each goes through the
    // same property: refused with a reason, or read back as the same id from its text.
    fn check_entity_id<T: Display + Debug + PartialEq>(
        text: &str,
        parse: fn(&str) -> Result<T, uuid::Error>,
    ) -> Result<(), TestCaseError> {
        match parse(text) {
            Ok(id) => prop_assert_eq!(parse(&id.to_string()), Ok(id)),
            Err(error) => {
                // `uuid` words each refusal as "invalid …: expected …, found …".
                let message = error.to_string();
                prop_assert!(
                    message.starts_with("invalid ") && message.contains("found"),
                    "{:?} was refused as a {} with {:?}",
                    text,
                    std::any::type_name::<T>(),
                    message
                );
            }
        }
        Ok(())
    }

    fn check_every_entity_id(text: &str) -> Result<(), TestCaseError> {
        check_entity_id(text, MerchantId::parse)?;
        check_entity_id(text, CustomerId::parse)?;
        check_entity_id(text, InvoiceId::parse)?;
        check_entity_id(text, PaymentId::parse)?;
        check_entity_id(text, AccessRequestId::parse)?;
        check_entity_id(text, ApiKeyId::parse)?;
        check_entity_id(text, JobId::parse)
    }

    // The forms `uuid` reads: what Portico prints, and what a client may send instead.
    fn check_uuid_forms<T: Display + Debug + PartialEq + Copy>(
        bytes: [u8; 16],
        parse: fn(&str) -> Result<T, uuid::Error>,
        from_bytes: fn([u8; 16]) -> T,
    ) -> Result<(), TestCaseError> {
        let uuid = uuid::Uuid::from_bytes(bytes);
        let id = from_bytes(bytes);
        for text in [
            id.to_string(),
            uuid.simple().to_string(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
            uuid.hyphenated().to_string().to_uppercase(),
        ] {
            prop_assert_eq!(parse(&text), Ok(id), "{:?}", text);
        }
        prop_assert_eq!(id.to_string(), uuid.hyphenated().to_string());
        Ok(())
    }

    fn check_prefixed_id<T: Display + Debug + PartialEq>(
        text: &str,
        parse: fn(&str) -> Result<T, PrefixedIdError>,
        prefix: &'static str,
    ) -> Result<(), TestCaseError> {
        match parse(text) {
            // Only the printed form is read, so what was read is what prints.
            Ok(id) => prop_assert_eq!(id.to_string(), text),
            Err(error) => {
                let message = error.to_string();
                prop_assert_eq!(error, PrefixedIdError { prefix });
                prop_assert!(
                    message.contains(prefix) && message.contains("32 hex digits"),
                    "{:?} was refused with {:?}",
                    text,
                    message
                );
            }
        }
        Ok(())
    }

    fn check_every_prefixed_id(text: &str) -> Result<(), TestCaseError> {
        check_prefixed_id(text, BankAccountId::parse, BankAccountId::PREFIX)?;
        check_prefixed_id(text, SavedCardId::parse, SavedCardId::PREFIX)
    }

    proptest! {
        #[test]
        fn an_entity_id_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[0-9a-fA-F-]{0,40}",
                "(urn:uuid:|\\{)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\\}?",
                "[0-9a-f-]{30,40}[g-zé\u{a0}]?",
                "[{]?[0-9a-f]{1,10}(-[0-9a-f]{1,14}){0,5}[}]?",
            ],
        ) {
            check_every_entity_id(&text)?;
        }

        #[test]
        fn an_entity_id_reads_back_from_every_form_of_its_uuid(bytes in any::<[u8; 16]>()) {
            check_uuid_forms(bytes, MerchantId::parse, MerchantId::from_bytes)?;
            check_uuid_forms(bytes, CustomerId::parse, CustomerId::from_bytes)?;
            check_uuid_forms(bytes, InvoiceId::parse, InvoiceId::from_bytes)?;
            check_uuid_forms(bytes, PaymentId::parse, PaymentId::from_bytes)?;
            check_uuid_forms(bytes, AccessRequestId::parse, AccessRequestId::from_bytes)?;
            check_uuid_forms(bytes, ApiKeyId::parse, ApiKeyId::from_bytes)?;
            check_uuid_forms(bytes, JobId::parse, JobId::from_bytes)?;
            prop_assert_eq!(InvoiceId::from_bytes(bytes).to_bytes(), bytes);
        }

        #[test]
        fn a_prefixed_id_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "(ba_|card_|BA_|ba|card-)?[0-9a-fA-F-]{0,40}",
                "(ba_|card_)[0-9a-f]{31,33}",
                "(ba_|card_)[0-9a-f]{30}[0-9a-fA-Fé-]{2}",
            ],
        ) {
            check_every_prefixed_id(&text)?;
        }

        #[test]
        fn a_prefixed_id_reads_back_from_its_text(bytes in any::<[u8; 16]>()) {
            let uuid = uuid::Uuid::from_bytes(bytes);
            let account = BankAccountId(uuid);
            prop_assert_eq!(account.to_string(), format!("ba_{}", uuid.simple()));
            prop_assert_eq!(BankAccountId::parse(&account.to_string()), Ok(account));
            let card = SavedCardId(uuid);
            prop_assert_eq!(card.to_string(), format!("card_{}", uuid.simple()));
            prop_assert_eq!(SavedCardId::parse(&card.to_string()), Ok(card));
        }
    }
}
