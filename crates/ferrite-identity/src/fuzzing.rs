//! Entry points for the fuzz targets in `fuzz/` (and for the tests below, which run them on
//! random input in every test run): each takes arbitrary bytes and must never panic.

use std::sync::OnceLock;

use axum::http::{HeaderMap, HeaderValue, header};

use crate::{
    http::{parse_form, token::client_credentials},
    jwt,
    keys::{Algorithm, KeyRing, SigningKey},
};

/// The token endpoint's body and `Authorization` header parsing. The first byte says how much
/// of the rest is the header.
pub fn token_form(data: &[u8]) {
    let (header_len, rest) = match data.split_first() {
        Some((len, rest)) => ((*len as usize).min(rest.len()), rest),
        None => (0, data),
    };
    let (authorization, body) = rest.split_at(header_len);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"));
    if let Ok(value) = HeaderValue::from_bytes(authorization) {
        headers.insert(header::AUTHORIZATION, value);
    }
    if let Ok(fields) = parse_form(&headers, body) {
        let _ = client_credentials(&headers, &fields);
    }
}

/// Access-token verification on arbitrary text, and on arbitrary parts joined as a JWT.
pub fn access_token(data: &[u8]) {
    static RING: OnceLock<KeyRing> = OnceLock::new();
    let ring = RING.get_or_init(|| KeyRing::new(vec![SigningKey::generate(Algorithm::ES256, chrono::Utc::now()).0]));
    let text = String::from_utf8_lossy(data);
    let _ = jwt::verify_access_token(ring, &text, "http://issuer", "http://issuer/graphql", 1_800_000_000);
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let parts: Vec<String> = data.splitn(3, |b| *b == b'|').map(|p| URL_SAFE_NO_PAD.encode(p)).collect();
    let _ = jwt::verify_access_token(ring, &parts.join("."), "http://issuer", "http://issuer/graphql", 1_800_000_000);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn token_form_parsing_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::token_form(&data);
        }

        #[test]
        fn access_token_verification_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            super::access_token(&data);
        }

        #[test]
        fn access_token_verification_never_panics_on_plausible_headers(
            header in r#"\{"alg":"(ES256|RS256|none|HS256)","typ":"at\+jwt","kid":"[a-zA-Z0-9]{0,16}"\}"#,
            payload in ".{0,64}",
        ) {
            let joined = format!("{header}|{payload}|sig");
            super::access_token(joined.as_bytes());
        }
    }
}
