//! JSON Web Tokens: access tokens (RFC 9068, `typ: at+jwt`) and ID tokens.
//! Signing is ours (with keys parsed once, see `keys.rs`); verification goes through `jsonwebtoken`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use ferrite_core::scope::Scope;
use jsonwebtoken::Validation;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::keys::{KeyRing, SigningKey};

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// Claims of a Ferrite access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The person for authorization-code tokens; the client id for client-credentials tokens.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub client_id: String,
    /// Space-separated, as in OAuth.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The grant (authorization code and its refresh-token family) a person's token belongs to:
    /// revoking the grant revokes the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_id: Option<String>,
}

impl AccessClaims {
    pub fn has_scope(&self, scope: Scope) -> bool {
        self.scope.split(' ').any(|s| s == scope.as_str())
    }

    /// True when the token acts for a person (authorization code), not only for its client.
    pub fn is_for_person(&self) -> bool {
        self.sub != self.client_id
    }
}

/// Why a token was refused: the API answers `AuthExpiredToken` for one and `AuthInvalidToken` for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is invalid")]
    Invalid,
    #[error("the token has expired")]
    Expired,
}

pub fn encode(key: &SigningKey, typ: &str, claims: &impl Serialize) -> String {
    let header = json!({ "alg": key.algorithm.as_str(), "typ": typ, "kid": key.kid });
    let mut token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).expect("header serializes"));
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize")));
    let signature = key.sign(token.as_bytes());
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    token
}

/// Longest token we try to parse; anything longer is not one of ours.
const MAX_TOKEN_LEN: usize = 4096;

/// Checks signature, key, algorithm, type, issuer and audience, then expiry against `now`.
pub fn verify_access_token(
    ring: &KeyRing,
    token: &str,
    issuer: &str,
    audience: &str,
    now: i64,
) -> Result<AccessClaims, TokenError> {
    let claims = verify_signature(ring, token, issuer, audience)?;
    check_times(&claims, now)?;
    Ok(claims)
}

/// Checks signature, key, algorithm, type, issuer and audience, not the times: a token that
/// passes was signed by this server, expired or not.
pub fn verify_signature(ring: &KeyRing, token: &str, issuer: &str, audience: &str) -> Result<AccessClaims, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Invalid);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
    if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
        return Err(TokenError::Invalid);
    }
    let key = header.kid.as_deref().and_then(|kid| ring.find(kid)).ok_or(TokenError::Invalid)?;
    if header.alg != key.algorithm.jwt() {
        return Err(TokenError::Invalid);
    }
    let mut validation = Validation::new(key.algorithm.jwt());
    // Expiry is judged against the injected clock (`check_times`), after the signature is known good.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|_| TokenError::Invalid)
}

/// Whether a token whose signature is good is in force at `now`: issued (a minute's skew
/// allowed) and not expired.
pub(crate) fn check_times(claims: &AccessClaims, now: i64) -> Result<(), TokenError> {
    if claims.iat > now + 60 {
        return Err(TokenError::Invalid);
    }
    if claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::keys::Algorithm;

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            iss: "http://issuer".into(),
            sub: "client".into(),
            aud: "http://issuer/graphql".into(),
            exp: now + 100,
            iat: now,
            jti: "j1".into(),
            client_id: "client".into(),
            scope: "supply.domain".into(),
            auth_time: None,
            grant_id: None,
        }
    }

    fn verify(ring: &KeyRing, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        verify_access_token(ring, token, "http://issuer", "http://issuer/graphql", now)
    }

    #[test]
    fn tokens_verify_under_every_algorithm_until_they_expire() {
        let now = 1_800_000_000;
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            let (key, _) = SigningKey::generate(alg, Utc::now());
            let token = encode(&key, ACCESS_TOKEN_TYPE, &claims(now));
            let ring = KeyRing::new(vec![key]);
            assert_eq!(verify(&ring, &token, now).unwrap(), claims(now), "{alg:?}");
            assert_eq!(verify(&ring, &token, now + 100), Err(TokenError::Expired));
        }
    }

    #[test]
    fn forged_foreign_and_malformed_tokens_are_invalid() {
        let now = 1_800_000_000;
        let (key, _) = SigningKey::generate(Algorithm::ES256, Utc::now());
        let (other, _) = SigningKey::generate(Algorithm::ES256, Utc::now());
        let ring = KeyRing::new(vec![key]);
        let token = encode(ring.current().unwrap(), ACCESS_TOKEN_TYPE, &claims(now));

        // Signed by a key the ring does not hold.
        assert_eq!(verify(&ring, &encode(&other, ACCESS_TOKEN_TYPE, &claims(now)), now), Err(TokenError::Invalid));
        // A payload changed after signing.
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut tampered = claims(now);
        tampered.scope = "supply.domain design.domain".into();
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered).unwrap());
        parts[1] = &payload;
        assert_eq!(verify(&ring, &parts.join("."), now), Err(TokenError::Invalid));
        // Another issuer, another audience, another token type.
        let mut foreign = claims(now);
        foreign.iss = "http://elsewhere".into();
        assert_eq!(
            verify(&ring, &encode(ring.current().unwrap(), ACCESS_TOKEN_TYPE, &foreign), now),
            Err(TokenError::Invalid)
        );
        let mut foreign = claims(now);
        foreign.aud = "someone-else".into();
        assert_eq!(
            verify(&ring, &encode(ring.current().unwrap(), ACCESS_TOKEN_TYPE, &foreign), now),
            Err(TokenError::Invalid)
        );
        assert_eq!(verify(&ring, &encode(ring.current().unwrap(), "JWT", &claims(now)), now), Err(TokenError::Invalid));
        // The `none` algorithm and garbage.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(now)).unwrap())
        );
        for bad in [none.as_str(), "", "a.b.c", "not a token", &"x".repeat(10_000)] {
            assert_eq!(verify(&ring, bad, now), Err(TokenError::Invalid), "{bad:.40}");
        }
    }
}
