//! Errors as Nexar clients expect them: a message and an `extensions.code` they can switch on.

use async_graphql::{Error, ErrorExtensions};

pub const TOKEN_INVALID_MESSAGE: &str = "Token validation failed. Please provide a valid access token.";

pub fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// A root field needs a scope the token does not carry.
pub fn missing_scope(scope: ferrite_core::scope::Scope) -> Error {
    coded(format!("This query needs the `{scope}` scope, which the access token does not carry."), "AuthMissingScope")
}

/// An argument out of its bounds, with Nexar's exact wording where Nexar has one.
pub fn bad_argument(message: impl Into<String>) -> Error {
    coded(message, "BadArgument")
}

/// Something failed inside; the detail goes to the log, never to the client.
pub fn internal(err: impl std::fmt::Display) -> Error {
    tracing::error!(error = %err, "a resolver failed");
    coded("Internal error. Please try again later.", "InternalError")
}
