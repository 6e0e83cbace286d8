//! CSRF protection for forms: the double-submit pattern. A random token lives in an HttpOnly,
//! SameSite=Lax cookie and in a hidden field of every form; a POST is accepted only when both
//! are present and equal, which a page on another site cannot arrange.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::secrets;

pub const CSRF_COOKIE: &str = "ferrite_csrf";
pub const CSRF_FIELD: &str = "csrf_token";

/// The token to put in a form: the browser's existing one, or a new one added to the jar.
pub fn token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 43) {
        return (jar, existing);
    }
    let token = secrets::random_token();
    let cookie = Cookie::build((CSRF_COOKIE, token.clone()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), token)
}

/// True when the submitted field matches the cookie.
pub fn verify(jar: &CookieJar, submitted: Option<&str>) -> bool {
    match (jar.get(CSRF_COOKIE), submitted) {
        (Some(cookie), Some(submitted)) if !submitted.is_empty() => {
            secrets::constant_time_eq(cookie.value().as_bytes(), submitted.as_bytes())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_token_must_match_its_cookie() {
        let (jar, token) = token(CookieJar::new(), false);
        assert!(verify(&jar, Some(&token)));
        assert!(!verify(&jar, Some("forged")));
        assert!(!verify(&jar, None));
        assert!(!verify(&CookieJar::new(), Some(&token)));
        let (again, same) = super::token(jar, false);
        assert_eq!(same, token, "an existing token is kept");
        assert!(verify(&again, Some(&token)));
    }
}
