//! People signing in: passwords checked (and failures throttled), sessions opened and closed.
//! (Accounts themselves are `Accounts`'.)

use std::time::Duration;

use ferrite_core::org::{User, normalize_email};
use ferrite_store::StoreError;

use crate::{Identity, password, secrets};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the email or password is wrong")]
    Invalid,
    #[error("too many failed sign-ins; retry after {} s", .0.as_secs())]
    Throttled(Duration),
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl Identity {
    /// Checks an email and password; on success opens a session and returns its token (for the
    /// cookie). Failures are throttled (see `failure_bounds`).
    pub async fn sign_in(&self, email: &str, password: &str, ip: &str) -> Result<(User, String), SignInError> {
        let now = self.clock.now();
        let email_key = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
        let bounds = self.failure_bounds(&format!("email:{email_key}"), ip);
        self.failures.check(&bounds, now).map_err(SignInError::Throttled)?;
        let found = match self.store.user_by_email(&email_key).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(err) => return Err(err.into()),
        };
        let password_ok = password::verify_password(password, found.as_ref().map(|(_, hash)| hash.as_str()));
        let Some((user, _)) = found.filter(|_| password_ok) else {
            self.failures.count(&bounds, now);
            tracing::info!(ip, "sign-in failed");
            return Err(SignInError::Invalid);
        };
        let token = secrets::random_token();
        let expires = now + chrono::Duration::from_std(self.config.session_lifetime).unwrap_or_default();
        self.store.create_session(&secrets::sha256(&token), user.id, now, expires).await?;
        tracing::info!(user_id = %user.id, "signed in");
        Ok((user, token))
    }

    /// The person a session cookie belongs to, if the session is live.
    pub async fn session_user(&self, token: &str) -> Result<Option<User>, StoreError> {
        match self.store.session_user(&secrets::sha256(token), self.clock.now()).await {
            Ok(id) => Ok(Some(self.store.user_by_id(id).await?)),
            Err(StoreError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub async fn sign_out(&self, token: &str) -> Result<(), StoreError> {
        self.store.delete_session(&secrets::sha256(token)).await
    }
}
