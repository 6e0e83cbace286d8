//! Signed-in sessions. Only a hash of the cookie's token is stored.

use chrono::{DateTime, Utc};
use ferrite_core::UserId;

use crate::{Store, StoreError, dispatch, parse_id, time};

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.to_string())
        .bind(time::to_db(now))
        .bind(time::to_db(expires_at))
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The person signed in with this session, if it has not expired.
    pub async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> Result<UserId, StoreError> {
        let user: String = dispatch!(self, pool => sqlx::query_scalar(
            "SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(time::to_db(now))
        .fetch_one(pool)
        .await)?;
        parse_id(&user)
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}
