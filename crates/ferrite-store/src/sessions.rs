//! Signed-in sessions. Only a hash of the cookie's token is stored.

use chrono::{DateTime, Utc};
use ferrite_core::UserId;

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    parse_id, time,
};

impl Store {
    pub async fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let insert = sql("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)");
        self.main
            .execute(
                insert.bind(token_hash).bind(user.to_string()).bind(time::to_db(now)).bind(time::to_db(expires_at)),
            )
            .await?;
        Ok(())
    }

    /// The person signed in with this session, if it has not expired.
    pub async fn session_user(&self, token_hash: &[u8], now: DateTime<Utc>) -> Result<UserId, StoreError> {
        let query = sql("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2");
        let user: String = self.main.scalar(query.bind(token_hash).bind(time::to_db(now))).await?;
        parse_id(&user)
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        self.main.execute(sql("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
        Ok(())
    }
}
