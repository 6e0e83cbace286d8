use std::time::Duration;

use ferrite_core::DomainError;
use ferrite_store::{PlanError, StoreError};

/// An OAuth error, as RFC 6749 §5.2 names them. The HTTP edge turns each into its status and body.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(String),
    /// Unknown client or wrong secret. Deliberately says no more.
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(String),
    #[error("unauthorized_client: {0}")]
    UnauthorizedClient(String),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    /// Too many failed attempts from this client or address.
    #[error("too many failed attempts; retry after {0:?}")]
    Throttled(Duration),
    /// Over the app's request-rate limit (see `rate`).
    #[error("rate limited; retry after {:?}", .0.retry_after)]
    RateLimited(crate::RateLimited),
    #[error("server_error: {0}")]
    Server(#[from] StoreError),
}

impl OAuthError {
    /// The `error` code of the response body.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            // RFC 6749 registers no "slow down" code for the token endpoint; this one (§4.1.2.1)
            // is the registry's word for "try later", which OAuth clients already handle, and the
            // description and headers say the rest.
            OAuthError::Throttled(_) | OAuthError::RateLimited(_) => "temporarily_unavailable",
            OAuthError::Server(_) => "server_error",
        }
    }

    /// The `error_description`, safe to show the client (store errors are not described).
    pub fn description(&self) -> Option<String> {
        match self {
            OAuthError::InvalidRequest(d)
            | OAuthError::InvalidGrant(d)
            | OAuthError::UnauthorizedClient(d)
            | OAuthError::InvalidScope(d) => Some(d.clone()),
            OAuthError::InvalidClient => Some("client authentication failed".into()),
            OAuthError::UnsupportedGrantType => {
                Some("supported: client_credentials, authorization_code, refresh_token".into())
            }
            OAuthError::Throttled(after) => {
                Some(format!("too many failed attempts; retry after {} s", after.as_secs()))
            }
            OAuthError::RateLimited(limited) => Some(limited.message()),
            OAuthError::Server(_) => None,
        }
    }
}

/// Why the accounts service did not do something: its one error type.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(#[from] DomainError),
    #[error("an account with this email already exists")]
    EmailTaken,
    /// Too many sign-ups from this address.
    #[error("too many sign-ups from this address; retry after {} s", .0.as_secs())]
    Throttled(Duration),
    /// Absent — or, asked for within an organization, another organization's.
    #[error("not found")]
    NotFound,
    /// An organization always has an owner.
    #[error("the last owner of an organization cannot leave it")]
    LastOwner,
    /// An app's parts could not be taken from the organization's plan.
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => AccountError::NotFound,
            other => AccountError::Store(other),
        }
    }
}
