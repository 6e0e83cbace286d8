//! Signing keys and server-wide secrets.

use chrono::{DateTime, Utc};

use crate::{Store, StoreError, dispatch, time};

/// A signing key as stored: PKCS#8 private key and its algorithm name (`RS256`, `ES256`, `EdDSA`).
#[derive(Clone)]
pub struct StoredKey {
    pub kid: String,
    pub algorithm: String,
    pub private_der: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey").field("kid", &self.kid).field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl Store {
    /// Adds a key that signs from now on, retiring every other key, in one transaction.
    pub async fn rotate_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
                .bind(time::to_db(key.created_at))
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO signing_keys (kid, algorithm, private_der, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&key.kid)
                .bind(&key.algorithm)
                .bind(&key.private_der)
                .bind(time::to_db(key.created_at))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Keys that sign or may still have unexpired tokens: active ones, and those retired after
    /// `retired_after`. Newest first.
    pub async fn published_signing_keys(&self, retired_after: DateTime<Utc>) -> Result<Vec<StoredKey>, StoreError> {
        type Row = (String, String, Vec<u8>, i64, Option<i64>);
        let rows: Vec<Row> = dispatch!(self, pool => sqlx::query_as(
            "SELECT kid, algorithm, private_der, created_at, retired_at FROM signing_keys
             WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid",
        )
        .bind(time::to_db(retired_after))
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(kid, algorithm, private_der, created_at, retired_at)| StoredKey {
                kid,
                algorithm,
                private_der,
                created_at: time::from_db(created_at),
                retired_at: retired_at.map(time::from_db),
            })
            .collect())
    }

    /// The server secret called `name`; the first caller's `candidate` wins on every node.
    pub async fn server_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        dispatch!(self, pool => sqlx::query("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(name)
            .bind(candidate)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(dispatch!(self, pool => sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await)?)
    }
}
