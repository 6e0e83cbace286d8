//! Signing keys: generated here, kept in the store as PKCS#8, parsed once per node and held in
//! memory (parsing an RSA key costs more than signing with it).

use std::sync::Arc;

use aws_lc_rs::{
    encoding::AsDer,
    rsa::KeySize,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ferrite_store::StoredKey;
use jsonwebtoken::DecodingKey;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The JWS algorithms Ferrite signs with. RS256 by default: every client library verifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Algorithm {
    #[default]
    RS256,
    ES256,
    EdDSA,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA].into_iter().find(|alg| alg.as_str() == name)
    }

    pub(crate) fn jwt(self) -> jsonwebtoken::Algorithm {
        match self {
            Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
            Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
            Algorithm::EdDSA => jsonwebtoken::Algorithm::EdDSA,
        }
    }
}

impl std::str::FromStr for Algorithm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::parse(s).ok_or_else(|| format!("`{s}` is not RS256, ES256 or EdDSA"))
    }
}

enum Signer {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

pub struct SigningKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    signer: Signer,
    /// The public half as a JWK, for the JWKS document.
    pub jwk: Value,
    pub(crate) decoding: DecodingKey,
}

#[derive(Debug, thiserror::Error)]
#[error("signing key {kid}: {reason}")]
pub struct KeyError {
    kid: String,
    reason: String,
}

impl SigningKey {
    /// A new key pair and its stored form.
    pub fn generate(algorithm: Algorithm, now: DateTime<Utc>) -> (SigningKey, StoredKey) {
        let private_der = match algorithm {
            Algorithm::RS256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
                pair.as_der().expect("PKCS#8 encoding").as_ref().to_vec()
            }
            Algorithm::ES256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("EC key generation");
                pair.to_pkcs8v1().expect("PKCS#8 encoding").as_ref().to_vec()
            }
            Algorithm::EdDSA => {
                let pair = Ed25519KeyPair::generate().expect("Ed25519 key generation");
                AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).expect("PKCS#8 encoding").as_ref().to_vec()
            }
        };
        let stored = StoredKey {
            kid: crate::secrets::random_token()[..16].to_owned(),
            algorithm: algorithm.as_str().to_owned(),
            private_der,
            created_at: now,
            retired_at: None,
        };
        let key = SigningKey::from_stored(&stored).expect("a key just generated parses");
        (key, stored)
    }

    pub fn from_stored(stored: &StoredKey) -> Result<SigningKey, KeyError> {
        let fail = |reason: String| KeyError { kid: stored.kid.clone(), reason };
        let algorithm = Algorithm::parse(&stored.algorithm)
            .ok_or_else(|| fail(format!("unknown algorithm {}", stored.algorithm)))?;
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let (signer, jwk, decoding) = match algorithm {
            Algorithm::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(&stored.private_der).map_err(|e| fail(e.to_string()))?;
                let public = pair.public_key();
                let n = b64(public.modulus().big_endian_without_leading_zero());
                let e = b64(public.exponent().big_endian_without_leading_zero());
                let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|e| fail(e.to_string()))?;
                (Signer::Rsa(pair), json!({"kty": "RSA", "n": n, "e": e}), decoding)
            }
            Algorithm::ES256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &stored.private_der)
                    .map_err(|e| fail(e.to_string()))?;
                // Uncompressed point: 0x04 || x || y.
                let point = pair.public_key().as_ref();
                let (x, y) = (b64(&point[1..33]), b64(&point[33..65]));
                let decoding = DecodingKey::from_ec_components(&x, &y).map_err(|e| fail(e.to_string()))?;
                (Signer::Ecdsa(pair), json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}), decoding)
            }
            Algorithm::EdDSA => {
                let pair = Ed25519KeyPair::from_pkcs8(&stored.private_der).map_err(|e| fail(e.to_string()))?;
                let x = b64(pair.public_key().as_ref());
                let decoding = DecodingKey::from_ed_components(&x).map_err(|e| fail(e.to_string()))?;
                (Signer::Ed25519(pair), json!({"kty": "OKP", "crv": "Ed25519", "x": x}), decoding)
            }
        };
        let mut jwk = jwk;
        jwk["kid"] = json!(stored.kid);
        jwk["use"] = json!("sig");
        jwk["alg"] = json!(algorithm.as_str());
        Ok(SigningKey {
            kid: stored.kid.clone(),
            algorithm,
            created_at: stored.created_at,
            retired_at: stored.retired_at,
            signer,
            jwk,
            decoding,
        })
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match &self.signer {
            Signer::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature).expect("RSA signing");
                signature
            }
            Signer::Ecdsa(pair) => pair.sign(&rng, message).expect("ECDSA signing").as_ref().to_vec(),
            Signer::Ed25519(pair) => pair.sign(message).as_ref().to_vec(),
        }
    }
}

/// The keys a node knows: the one that signs, and every key whose tokens may still be live.
pub struct KeyRing {
    keys: Vec<Arc<SigningKey>>,
}

impl KeyRing {
    /// `keys` newest first, as the store returns them.
    pub fn new(keys: Vec<SigningKey>) -> Self {
        Self::from_shared(keys.into_iter().map(Arc::new).collect())
    }

    pub fn from_shared(keys: Vec<Arc<SigningKey>>) -> Self {
        Self { keys }
    }

    /// The newest active key, if there is one.
    pub fn current(&self) -> Option<&Arc<SigningKey>> {
        self.keys.iter().find(|key| key.retired_at.is_none())
    }

    pub fn find(&self, kid: &str) -> Option<&Arc<SigningKey>> {
        self.keys.iter().find(|key| key.kid == kid)
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(|key| key.jwk.clone()).collect::<Vec<_>>() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_through_its_stored_form() {
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            let (key, stored) = SigningKey::generate(alg, Utc::now());
            let reloaded = SigningKey::from_stored(&stored).unwrap();
            assert_eq!(reloaded.jwk, key.jwk);
            assert_eq!(key.jwk["alg"], alg.as_str());
            assert!(key.jwk.get("d").is_none(), "no private part in the JWK");
            assert!(!format!("{stored:?}").contains("private_der"));
        }
    }
}
