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

/// The `next` check after sign-in: whatever it accepts must stay on this site when a browser
/// follows it (browsers drop tabs and newlines and read `\` as `/`), and fit in a header.
pub fn local_redirect(data: &[u8]) {
    let next = String::from_utf8_lossy(data);
    if let Some(path) = crate::http::redirect::local_redirect(&next) {
        assert!(HeaderValue::from_str(path).is_ok(), "{path:?} is no header value");
        let browser = path.replace(['\t', '\n', '\r'], "").replace('\\', "/");
        let resolved = url::Url::parse("https://site.example/a/").expect("a base").join(&browser);
        assert_eq!(resolved.ok().as_ref().and_then(|u| u.host_str()), Some("site.example"), "{path:?}");
    }
}

/// The client address behind trusted proxies, from arbitrary `Forwarded` and `X-Forwarded-For`
/// lines (split at newlines; the first byte says how many are `Forwarded`).
pub fn forwarded_for(data: &[u8]) {
    let Some((forwarded_lines, rest)) = data.split_first() else { return };
    let mut headers = HeaderMap::new();
    for (i, line) in rest.split(|b| *b == b'\n').enumerate() {
        let Ok(value) = HeaderValue::from_bytes(line) else { continue };
        let name = if i < usize::from(*forwarded_lines % 4) { header::FORWARDED.as_str() } else { "x-forwarded-for" };
        headers.append(header::HeaderName::from_static(name), value);
    }
    let trusted = ["10.0.0.0/8".parse().expect("a network"), "::1/128".parse().expect("a network")];
    let found = crate::http::resolve_client_ip(Some([10, 0, 0, 1].into()), &headers, &trusted);
    assert!(found.is_some());
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
        fn local_redirect_never_leaves_the_site(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            super::local_redirect(&data);
        }

        #[test]
        fn local_redirect_never_leaves_the_site_on_plausible_paths(next in "[/\\\\%a-fA-F0-9:.?#@ \t\r\n]{0,24}") {
            super::local_redirect(next.as_bytes());
        }

        #[test]
        fn forwarded_for_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
            super::forwarded_for(&data);
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
