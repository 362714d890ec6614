//! The server's secret key, used to sign what Portico hands out (invoice links), to hash what
//! it must be able to check but never read back (one-time codes), and to encrypt what it must
//! keep but never show (bank account numbers).

use hmac::{Hmac, Mac};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
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

    /// Encrypts `plaintext` with AES-256-GCM under a key derived for `purpose`, bound to `row`
    /// (the id of the row that stores it): the result opens only for the same purpose and row,
    /// so a ciphertext copied into another row is refused. It is [`CURRENT_VERSION`] and `:`,
    /// then hex of a random 96-bit nonce followed by the ciphertext and its tag.
    pub fn encrypt(
        &self,
        purpose: &str,
        row: &str,
        plaintext: &[u8],
    ) -> Result<String, CryptoError> {
        let sealed = self.seal(purpose, &bound_aad(purpose, row), plaintext)?;
        Ok(format!("{CURRENT_VERSION}:{sealed}"))
    }

    /// Reads what `encrypt` wrote for the same `purpose` and `row`, and the unversioned form
    /// written before ciphertexts were bound to their row (bound to the purpose only), so that
    /// existing databases keep working. Fails on anything altered.
    pub fn decrypt(&self, purpose: &str, row: &str, text: &str) -> Result<Vec<u8>, CryptoError> {
        match text.split_once(':') {
            Some((CURRENT_VERSION, sealed)) => self.open(purpose, &bound_aad(purpose, row), sealed),
            Some(_) => Err(CryptoError),
            None => self.open(purpose, purpose.as_bytes(), text),
        }
    }

    fn seal(&self, purpose: &str, aad: &[u8], plaintext: &[u8]) -> Result<String, CryptoError> {
        let key = self.aead_key(purpose);
        let mut nonce = [0_u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|_| CryptoError)?;
        let mut sealed = plaintext.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut sealed,
        )
        .map_err(|_| CryptoError)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(hex::encode(out))
    }

    fn open(&self, purpose: &str, aad: &[u8], text: &str) -> Result<Vec<u8>, CryptoError> {
        let bytes = hex::decode(text).map_err(|_| CryptoError)?;
        if bytes.len() < NONCE_LEN {
            return Err(CryptoError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError)?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .aead_key(purpose)
            .open_in_place(nonce, Aad::from(aad), &mut sealed)
            .map_err(|_| CryptoError)?;
        Ok(plain.to_vec())
    }

    fn aead_key(&self, purpose: &str) -> LessSafeKey {
        let key = self.sign("encryption-key", purpose.as_bytes());
        // A 32-byte key is exactly what AES-256 takes.
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).expect("AES-256 takes 32 bytes"))
    }
}

/// The prefix of ciphertexts `encrypt` writes now. A new key or scheme gets a new version,
/// and `decrypt` keeps reading the old ones until every row has been rewritten.
pub const CURRENT_VERSION: &str = "v1";

/// The associated data of a versioned ciphertext: the version too, so that a ciphertext with
/// its prefix cut off is not read as the unversioned form.
fn bound_aad(purpose: &str, row: &str) -> Vec<u8> {
    format!("{CURRENT_VERSION}\0{purpose}\0{row}").into_bytes()
}

/// Encryption or decryption failed (a tampered or foreign ciphertext, or no randomness).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("encryption or decryption failed")]
pub struct CryptoError;

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

    #[test]
    fn encrypted_text_opens_only_with_its_key_purpose_and_row() {
        let keys = Keys::new(&[7; 32]);
        let sealed = keys
            .encrypt("bank-account", "ba_1", b"000123456789")
            .unwrap();
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains(&hex::encode(b"000123456789")));
        assert_ne!(
            sealed,
            keys.encrypt("bank-account", "ba_1", b"000123456789")
                .unwrap()
        );
        assert_eq!(
            keys.decrypt("bank-account", "ba_1", &sealed).unwrap(),
            b"000123456789"
        );
        assert!(keys.decrypt("other", "ba_1", &sealed).is_err());
        assert!(
            Keys::new(&[8; 32])
                .decrypt("bank-account", "ba_1", &sealed)
                .is_err()
        );
        let mut tampered = sealed.clone();
        tampered.replace_range(30..31, if &sealed[30..31] == "0" { "1" } else { "0" });
        assert!(keys.decrypt("bank-account", "ba_1", &tampered).is_err());
    }

    #[test]
    fn a_ciphertext_copied_to_another_row_does_not_open() {
        let keys = Keys::new(&[7; 32]);
        let sealed = keys
            .encrypt("bank-account", "ba_1", b"000123456789")
            .unwrap();
        assert!(keys.decrypt("bank-account", "ba_2", &sealed).is_err());
        // Nor with its version cut off, read as the old, unbound form.
        let unversioned = sealed.trim_start_matches("v1:");
        assert!(keys.decrypt("bank-account", "ba_1", unversioned).is_err());
        assert!(
            keys.decrypt("bank-account", "ba_1", &format!("v2:{unversioned}"))
                .is_err()
        );
    }

    #[test]
    fn ciphertexts_written_before_versions_still_open() {
        let keys = Keys::new(&[7; 32]);
        // What `encrypt` wrote before: no version, the purpose alone as associated data.
        let old = keys
            .seal("bank-account", b"bank-account", b"000123456789")
            .unwrap();
        assert!(!old.contains(':'));
        assert_eq!(
            keys.decrypt("bank-account", "ba_1", &old).unwrap(),
            b"000123456789"
        );
        assert!(keys.decrypt("other", "ba_1", &old).is_err());
    }
}
