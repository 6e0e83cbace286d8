//! People: accounts, organizations (each with its evaluation app), sign-in sessions.

use std::time::Duration;

use ferrite_core::{
    UserId,
    org::{Organization, User, normalize_email, validate_name},
    scope::AppScopes,
};
use ferrite_store::StoreError;

use crate::{AccountError, Identity, password, secrets};

/// The evaluation allowance every organization starts with (Nexar: 1,000 parts, lifetime).
pub const EVALUATION_PARTS: i64 = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("the email or password is wrong")]
    Invalid,
    #[error("too many failed sign-ins; retry after {} s", .0.as_secs())]
    Throttled(Duration),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What a sign-up came to. A person signing up is told the same in both cases, so that nobody
/// learns which emails have accounts.
#[derive(Debug)]
pub enum SignUp {
    Created(User),
    /// The email already has an account, which is left exactly as it was.
    EmailTaken,
}

impl Identity {
    pub async fn create_user(&self, email: &str, password: &str) -> Result<User, AccountError> {
        let key = normalize_email(email)?;
        password::validate_password(password, email)?;
        let hash = password::hash_password(password);
        match self.store.create_user(email.trim(), &key, &hash, self.clock.now()).await {
            Ok(user) => Ok(user),
            Err(StoreError::Conflict) => Err(AccountError::EmailTaken),
            Err(err) => Err(err.into()),
        }
    }

    /// Creates an account for someone signing up from `ip`. Sign-ups are throttled per address
    /// (`max_sign_ups_per_hour`), taken emails included, which take as long as new ones (the
    /// password is hashed either way).
    pub async fn sign_up(&self, email: &str, password: &str, ip: &str) -> Result<SignUp, AccountError> {
        let now = self.clock.now();
        let bounds = [(format!("ip:{ip}"), self.config.max_sign_ups_per_hour)];
        self.sign_ups.check(&bounds, now).map_err(AccountError::Throttled)?;
        let created = self.create_user(email, password).await;
        if !matches!(created, Err(AccountError::Invalid(_))) {
            self.sign_ups.count(&bounds, now);
        }
        match created {
            Ok(user) => Ok(SignUp::Created(user)),
            Err(AccountError::EmailTaken) => {
                tracing::info!(ip, "sign-up for an email that has an account; nothing changed");
                Ok(SignUp::EmailTaken)
            }
            Err(err) => Err(err),
        }
    }

    /// Creates an organization owned by `owner`, with its evaluation app, in one transaction.
    pub async fn create_org(&self, name: &str, owner: UserId) -> Result<Organization, AccountError> {
        let name = validate_name("name", name)?;
        let supply: AppScopes = "supply".parse().expect("a valid scope list");
        let (mut evaluation, _secret) = self.new_app("Evaluation", "Default evaluation app", supply, &[])?;
        evaluation.is_evaluation = true;
        evaluation.part_limit = EVALUATION_PARTS;
        let org = self.store.create_org(&name, owner, &[evaluation], self.clock.now()).await?;
        tracing::info!(org_id = %org.id, "organization created");
        Ok(org)
    }

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
