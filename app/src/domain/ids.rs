//! One id type per entity, so that a customer's id can never be passed where an invoice's is
//! expected. All are random UUIDs, stored as text and sent over the API as strings.

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
}
