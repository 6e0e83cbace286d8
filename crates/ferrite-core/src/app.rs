//! Registered applications.

use chrono::{DateTime, Utc};

use crate::{AppId, OrgId, scope::AppScopes};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub id: AppId,
    pub org_id: OrgId,
    pub name: String,
    pub description: String,
    /// Fixed at creation: no operation changes them.
    pub scopes: AppScopes,
    /// Public OAuth client identifier.
    pub client_id: String,
    pub redirect_uris: Vec<String>,
    /// The organization's evaluation app, whose allowance cannot be redistributed.
    pub is_evaluation: bool,
    pub part_limit: i64,
    pub created_at: DateTime<Utc>,
}

/// Checks a redirect URI as registered: absolute http(s), no fragment (RFC 6749 §3.1.2).
pub fn validate_redirect_uri(uri: &str) -> Result<String, crate::DomainError> {
    let uri = uri.trim();
    let scheme_ok = uri.starts_with("https://") || uri.starts_with("http://");
    if !scheme_ok || uri.contains('#') || uri.len() > 2000 || uri.chars().any(char::is_whitespace) {
        return Err(crate::DomainError::invalid(
            "redirect URI",
            format!("`{uri}` must be an absolute http(s) URL without a fragment"),
        ));
    }
    Ok(uri.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_must_be_absolute_without_fragment() {
        assert!(validate_redirect_uri("http://127.0.0.1:8000/callback").is_ok());
        assert!(validate_redirect_uri("https://app.example.com/cb?x=1").is_ok());
        for bad in ["/callback", "javascript:alert(1)", "https://a.example/cb#frag", "ftp://x/y", "https://a b/"] {
            assert!(validate_redirect_uri(bad).is_err(), "{bad}");
        }
    }
}
