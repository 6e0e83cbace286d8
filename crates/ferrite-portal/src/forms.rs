//! Reading submitted forms (the errors shown next to their fields are `field_errors`).

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header,
};

use crate::error::PortalError;

/// An `application/x-www-form-urlencoded` body as name/value pairs, in order. A list rather than
/// a struct because some fields repeat (checkboxes) and some must be noticed when present
/// (a `scopes` field sent to the edit form).
#[derive(Debug, Default)]
pub struct FormData(Vec<(String, String)>);

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = PortalError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = || PortalError::BadRequest("The form could not be read. Go back and try again.".into());
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        {
            return Err(unreadable());
        }
        let body = Bytes::from_request(request, state).await.map_err(|_| unreadable())?;
        let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
        // No text people type contains one, and PostgreSQL refuses them in text columns.
        if fields.iter().any(|(name, value)| name.contains('\0') || value.contains('\0')) {
            return Err(PortalError::Unprocessable(
                "The form contains a NUL character (\\0), which no field may contain. Remove it and try again.".into(),
            ));
        }
        Ok(FormData(fields))
    }
}

impl FormData {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Pairs whose name starts with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0.iter().filter_map(move |(n, v)| n.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }

    pub fn csrf_token(&self) -> Option<&str> {
        Some(self.get(ferrite_identity::http::csrf::CSRF_FIELD)).filter(|v| !v.is_empty())
    }
}
