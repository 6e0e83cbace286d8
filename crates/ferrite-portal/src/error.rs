//! The portal's one error type: each variant becomes a page a person can act on. Internal errors
//! are logged with the request id and shown only as a generic message carrying that id.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use ferrite_identity::{AccountError, PlanError};
use ferrite_store::StoreError;

use crate::{middleware::request_id, views::MessagePage};

#[derive(Debug)]
pub enum PortalError {
    /// Absent — or another organization's, which is the same thing to the person asking.
    NotFound,
    Forbidden(&'static str),
    /// The form's CSRF token did not match the cookie's.
    Csrf,
    BadRequest(String),
    /// Well-formed but not acceptable, whatever the field (a NUL character, say).
    Unprocessable(String),
    Internal(String),
}

impl From<StoreError> for PortalError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => PortalError::NotFound,
            other => PortalError::Internal(other.to_string()),
        }
    }
}

impl From<AccountError> for PortalError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::NotFound => PortalError::NotFound,
            AccountError::Plan(err) => err.into(),
            other => PortalError::Internal(other.to_string()),
        }
    }
}

impl From<PlanError> for PortalError {
    fn from(err: PlanError) -> Self {
        match err {
            PlanError::Store(err) => err.into(),
            other => PortalError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let (status, title, message, reference) = match self {
            PortalError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here, or it belongs to an organization you are not a member of.".to_owned(),
                None,
            ),
            PortalError::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why.to_owned(), None),
            PortalError::Csrf => (
                StatusCode::FORBIDDEN,
                "The form expired",
                "The form could not be verified. Go back, reload the page and try again.".to_owned(),
                None,
            ),
            PortalError::BadRequest(why) => (StatusCode::BAD_REQUEST, "Something is wrong with the request", why, None),
            PortalError::Unprocessable(why) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Something is wrong with the form", why, None)
            }
            PortalError::Internal(err) => {
                let id = request_id();
                tracing::error!(request_id = %id, error = %err, "portal request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The server could not do this. Try again in a moment; if it keeps happening, give the operator the reference below.".to_owned(),
                    Some(id),
                )
            }
        };
        MessagePage { title: title.to_owned(), message, reference }.render_with(status)
    }
}

/// Turns any displayable failure into an internal error (logged, never shown).
pub fn internal(err: impl std::fmt::Display) -> PortalError {
    PortalError::Internal(err.to_string())
}
