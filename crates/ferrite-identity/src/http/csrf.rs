//! CSRF protection for forms. Every form carries a token that is an HMAC, under a server key, of
//! what binds the browser: its session cookie once signed in, before that a random pre-session
//! cookie (for sign-in and sign-up). A POST is accepted only when the token matches the HMAC of
//! the cookie it came with. A page on another site cannot read the token; and whoever can plant
//! a cookie in the browser (a sibling subdomain, a plain-HTTP response) still cannot make a token
//! for it without the key — as they could when the token was the cookie's value itself.

use aws_lc_rs::hmac;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use super::{SESSION_COOKIE, secure_cookies};
use crate::{Identity, secrets};

/// The pre-session cookie: a random value that binds forms shown before sign-in.
pub const CSRF_COOKIE: &str = "ferrite_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// The token to put in a form, and the jar with a new pre-session cookie if one was needed.
pub fn token(identity: &Identity, jar: CookieJar) -> (CookieJar, String) {
    if let Some(token) = expected(identity, &jar) {
        return (jar, token);
    }
    let pre_session = secrets::random_token();
    let cookie = Cookie::build((CSRF_COOKIE, pre_session))
        .path("/")
        .http_only(true)
        .secure(secure_cookies(identity))
        .same_site(SameSite::Lax)
        .build();
    let jar = jar.add(cookie);
    let token = expected(identity, &jar).expect("the pre-session cookie was just added");
    (jar, token)
}

/// True when the submitted token is the one for the cookies it came with.
pub fn verify(identity: &Identity, jar: &CookieJar, submitted: Option<&str>) -> bool {
    expected(identity, jar).is_some_and(|token| matches(&token, submitted))
}

/// True when `submitted` is `expected` (a token from [`token`] for the same cookies).
pub fn matches(expected: &str, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|submitted| secrets::constant_time_eq(expected.as_bytes(), submitted.as_bytes()))
}

/// The token for this browser's cookies: bound to the session if there is a session cookie
/// (whether or not the session is still live: the handler checks that), else to the
/// pre-session cookie.
fn expected(identity: &Identity, jar: &CookieJar) -> Option<String> {
    let cookie = |name| jar.get(name).map(|c| c.value()).filter(|v| !v.is_empty());
    let (purpose, binding) = match cookie(SESSION_COOKIE) {
        Some(session) => ("session", session),
        None => ("pre-session", cookie(CSRF_COOKIE).filter(|v| v.len() == 43)?),
    };
    let message = format!("csrf\0{purpose}\0{binding}");
    Some(URL_SAFE_NO_PAD.encode(hmac::sign(identity.csrf_key(), message.as_bytes())))
}
