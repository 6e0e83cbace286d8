//! The HTTP edge of identity: parse, call `Identity`, map the answer. No decisions are made here.

mod authorize;
mod client_ip;
pub mod csrf;
mod discovery;
mod pages;
pub mod redirect;
mod revocation;
mod signin;
pub(crate) mod token;
mod userinfo;

use std::sync::Arc;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderMap, HeaderValue, header},
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
};

pub use client_ip::{client_ip, resolve as resolve_client_ip};
pub use signin::{SESSION_COOKIE, current_user, secure_cookies};

use crate::Identity;

/// Form bodies at the OAuth endpoints are small; anything bigger is refused.
const MAX_FORM_BYTES: usize = 16 * 1024;

pub fn routes(identity: Arc<Identity>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::openid_configuration))
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route("/connect/token", post(token::token))
        .route("/connect/introspect", post(revocation::introspect))
        .route("/connect/revocation", post(revocation::revoke))
        .route("/connect/userinfo", get(userinfo::userinfo).post(userinfo::userinfo))
        .route("/connect/authorize", get(authorize::show).post(authorize::decide))
        .route("/signin", get(signin::show).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route("/assets/ferrite.css", get(pages::stylesheet))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(middleware::from_fn(security_headers))
        .with_state(identity)
}

/// The pages here (sign-in, consent) only need their stylesheet; no script runs on them.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

async fn security_headers(request: axum::extract::Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut(), PAGE_CSP);
    response
}

/// What every response of identity and the portal carries: no framing by any other page (the
/// consent page's Allow button must not be clickjacked), no content sniffing, no URL in the
/// `Referer` sent to other sites. `csp` is used unless the handler set a policy of its own; every
/// policy must say `frame-ancestors 'none'`.
pub fn add_security_headers(headers: &mut HeaderMap, csp: &'static str) {
    debug_assert!(csp.contains("frame-ancestors 'none'"));
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(csp));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
}

/// Parses an `application/x-www-form-urlencoded` body. A parameter sent twice is an error
/// (RFC 6749 §3.2); unknown parameters are ignored.
pub fn parse_form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err("the body must be application/x-www-form-urlencoded".into());
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if fields.iter().any(|(seen, _)| *seen == name) {
            return Err(format!("parameter `{name}` is repeated"));
        }
        if name.contains('\0') || value.contains('\0') {
            return Err(format!("parameter `{}` contains a NUL character", name.replace('\0', "\\0")));
        }
        fields.push((name.into_owned(), value.into_owned()));
    }
    Ok(fields)
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/x-www-form-urlencoded; charset=UTF-8"));
        headers
    }

    #[test]
    fn forms_parse_strictly() {
        let fields = parse_form(&form_headers(), b"grant_type=client_credentials&scope=a+b&x=%2F").unwrap();
        assert_eq!(field(&fields, "scope"), Some("a b"));
        assert_eq!(field(&fields, "x"), Some("/"));
        assert_eq!(field(&fields, "missing"), None);
        assert!(parse_form(&form_headers(), b"a=1&a=2").unwrap_err().contains("repeated"));
        assert!(parse_form(&form_headers(), b"client_id=a%00b").unwrap_err().contains("`client_id` contains a NUL"));
        assert!(parse_form(&HeaderMap::new(), b"a=1").is_err());
        // Bytes that are not UTF-8 are replaced, never a panic.
        assert!(parse_form(&form_headers(), b"a=%FF%FE&b=\xff").is_ok());
    }
}
