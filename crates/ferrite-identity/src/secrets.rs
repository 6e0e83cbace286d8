//! Random tokens and the hashes they are kept as.
//!
//! Client secrets, codes, refresh tokens and session tokens are 256-bit random values, so a fast
//! hash is right for them (a password hash would only cost time): client secrets get HMAC-SHA256
//! under a server key, so a stolen database alone cannot test guesses; the others get SHA-256.

use aws_lc_rs::{constant_time, digest, hmac, rand::SecureRandom};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// 256 random bits, base64url without padding (43 characters).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::SystemRandom::new().fill(&mut bytes).expect("the system random generator works");
    bytes
}

pub fn sha256(value: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, value.as_bytes()).as_ref().to_vec()
}

pub fn base64url_sha256(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, value.as_bytes()))
}

/// Compares without leaking where two values first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// Keyed hash for client secrets.
pub struct SecretHasher(hmac::Key);

impl SecretHasher {
    pub fn new(key: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, key))
    }

    pub fn hash(&self, secret: &str) -> Vec<u8> {
        hmac::sign(&self.0, secret.as_bytes()).as_ref().to_vec()
    }

    pub fn verify(&self, secret: &str, hash: &[u8]) -> bool {
        hmac::verify(&self.0, secret.as_bytes(), hash).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, random_token());
    }

    #[test]
    fn secret_hashes_depend_on_the_server_key() {
        let hasher = SecretHasher::new(b"server key one");
        let hash = hasher.hash("s3cret");
        assert!(hasher.verify("s3cret", &hash));
        assert!(!hasher.verify("s3creT", &hash));
        assert!(!SecretHasher::new(b"server key two").verify("s3cret", &hash));
        assert!(!hash.windows(6).any(|w| w == b"s3cret"));
    }
}
