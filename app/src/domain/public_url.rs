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
}
