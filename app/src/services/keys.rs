//! The server's secret key, used to sign what Portico hands out (invoice links) and to hash
//! what it must be able to check but never read back (one-time codes).

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Keys(Arc<SecretBox<[u8; 32]>>);

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    pub fn new(secret: &[u8; 32]) -> Self {
        Self(Arc::new(SecretBox::new(Box::new(*secret))))
    }

    fn mac(&self, purpose: &str, message: &[u8]) -> HmacSha256 {
        // `new_from_slice` accepts keys of any length; 32 bytes always fit.
        let mut mac =
            HmacSha256::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length");
        // The purpose separates uses: a tag made for one can never pass as another's.
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac
    }

    /// HMAC-SHA256 of `message` for `purpose`.
    pub fn sign(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        self.mac(purpose, message).finalize().into_bytes().into()
    }

    /// Whether `tag` (a whole tag, or its first 16 bytes or more) is `message`'s, compared in
    /// constant time.
    pub fn verify(&self, purpose: &str, message: &[u8], tag: &[u8]) -> bool {
        tag.len() >= 16
            && self
                .mac(purpose, message)
                .verify_truncated_left(tag)
                .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_verifies_only_for_its_purpose_and_message() {
        let keys = Keys::new(&[7; 32]);
        let tag = keys.sign("invoice-link", b"abc");
        assert!(keys.verify("invoice-link", b"abc", &tag));
        assert!(keys.verify("invoice-link", b"abc", &tag[..16]));
        assert!(!keys.verify("invoice-link", b"abd", &tag));
        assert!(!keys.verify("sign-in-code", b"abc", &tag));
        assert!(!keys.verify("invoice-link", b"abc", &tag[..8]));
        assert!(!Keys::new(&[8; 32]).verify("invoice-link", b"abc", &tag));
    }
}
