//! The address customers reach Portico at, from `PUBLIC_URL`: the base of every link Portico
//! writes into an email, a memo field or a page.

use crate::domain::merchant::MerchantSlug;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublicUrlError {
    #[error("PUBLIC_URL must start with http:// or https://, for example https://pay.example.com")]
    Scheme,
    #[error("PUBLIC_URL must name a host, for example https://pay.example.com")]
    Host,
    #[error("PUBLIC_URL must not carry a query (?...) or a fragment (#...)")]
    QueryOrFragment,
}

impl PublicUrl {
    pub fn parse(text: &str) -> Result<Self, PublicUrlError> {
        let text = text.trim();
        let (scheme, rest) = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| Some((scheme, text.strip_prefix(scheme)?)))
            .ok_or(PublicUrlError::Scheme)?;
        let rest = rest.trim_end_matches('/');
        if rest.contains(['?', '#']) {
            return Err(PublicUrlError::QueryOrFragment);
        }
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(PublicUrlError::Host);
        }
        Ok(Self(format!("{scheme}{rest}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The merchant's billing link, where its customers start paying.
    pub fn billing_link(&self, slug: &MerchantSlug) -> String {
        format!("{}/pay/{slug}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn billing_links_join_without_a_double_slash() {
        let slug = MerchantSlug::parse("northwind").unwrap();
        for base in ["https://pay.example.com", "https://pay.example.com/"] {
            let url = PublicUrl::parse(base).unwrap();
            assert_eq!(
                url.billing_link(&slug),
                "https://pay.example.com/pay/northwind"
            );
        }
    }

    #[test]
    fn a_base_path_is_kept() {
        let url = PublicUrl::parse("https://example.com/billing").unwrap();
        let slug = MerchantSlug::parse("acme").unwrap();
        assert_eq!(
            url.billing_link(&slug),
            "https://example.com/billing/pay/acme"
        );
    }

    #[test]
    fn malformed_public_urls_are_rejected_with_their_reason() {
        assert_eq!(
            PublicUrl::parse("pay.example.com"),
            Err(PublicUrlError::Scheme)
        );
        assert_eq!(PublicUrl::parse("ftp://x"), Err(PublicUrlError::Scheme));
        assert_eq!(PublicUrl::parse("https://"), Err(PublicUrlError::Host));
        assert_eq!(
            PublicUrl::parse("https://x.com/?a=1"),
            Err(PublicUrlError::QueryOrFragment)
        );
    }

    // What a hand-written PUBLIC_URL looks like: a host, maybe a port and a base path, maybe a
    // trailing slash, maybe stray spaces from the environment file.
    fn a_valid_public_url() -> impl Strategy<Value = (String, String)> {
        (
            proptest::sample::select(vec!["https://", "http://"]),
            "[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?(\\.[a-z0-9]{1,12}){0,3}(:[0-9]{2,5})?",
            "(/[a-zA-Z0-9._~-]{1,10}){0,3}",
            "/{0,2}",
            "[ \t]{0,2}",
        )
            .prop_map(|(scheme, host, path, slashes, padding)| {
                let normalised = format!("{scheme}{host}{path}");
                (
                    format!("{padding}{normalised}{slashes}{padding}"),
                    normalised,
                )
            })
    }

    proptest! {
        #[test]
        fn a_public_url_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[ \t]{0,2}(https?:/{0,3})?[a-z. :/?#\u{a0}\u{3000}]{0,30}",
                "(https?|ftp)://[^/?#]{0,5}([/?#].{0,10})?",
                ".{0,5000}",
            ],
        ) {
            if let Err(error) = PublicUrl::parse(&text) {
                let message = error.to_string();
                prop_assert!(
                    message.starts_with("PUBLIC_URL must "),
                    "{:?} was refused with {:?}", text, message
                );
            }
        }

        #[test]
        fn a_valid_public_url_reads_back_as_itself_without_trailing_slashes(
            (text, normalised) in a_valid_public_url(),
        ) {
            let url = PublicUrl::parse(&text);
            prop_assert_eq!(url.as_ref().map(PublicUrl::as_str), Ok(normalised.as_str()));
            let url = url.unwrap();
            prop_assert_eq!(PublicUrl::parse(url.as_str()), Ok(url));
        }
    }
}
