//! Signing keys and server-wide secrets.

use chrono::{DateTime, Utc};

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    time,
};

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

/// A signing key's row as stored.
#[derive(sqlx::FromRow)]
struct KeyRow {
    kid: String,
    algorithm: String,
    private_der: Vec<u8>,
    created_at: i64,
    retired_at: Option<i64>,
}

impl Store {
    /// Adds a key that signs from now on, retiring every other key, in one transaction.
    pub async fn rotate_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        let at = time::to_db(key.created_at);
        let mut tx = self.main.begin().await?;
        tx.execute(sql("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(at)).await?;
        let insert = sql("INSERT INTO signing_keys (kid, algorithm, private_der, created_at) VALUES ($1, $2, $3, $4)");
        tx.execute(insert.bind(&key.kid).bind(&key.algorithm).bind(&key.private_der).bind(at)).await?;
        tx.commit().await
    }

    /// Keys that sign or may still have unexpired tokens: active ones, and those retired after
    /// `retired_after`. Newest first.
    pub async fn published_signing_keys(&self, retired_after: DateTime<Utc>) -> Result<Vec<StoredKey>, StoreError> {
        let query = sql("SELECT kid, algorithm, private_der, created_at, retired_at FROM signing_keys
                         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid");
        let rows: Vec<KeyRow> = self.main.fetch_all(query.bind(time::to_db(retired_after))).await?;
        Ok(rows
            .into_iter()
            .map(|row| StoredKey {
                kid: row.kid,
                algorithm: row.algorithm,
                private_der: row.private_der,
                created_at: time::from_db(row.created_at),
                retired_at: row.retired_at.map(time::from_db),
            })
            .collect())
    }

    /// The server secret called `name`; the first caller's `candidate` wins on every node.
    pub async fn server_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        let offer = sql("INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        self.main.execute(offer.bind(name).bind(candidate)).await?;
        self.main.scalar(sql("SELECT value FROM server_secrets WHERE name = $1").bind(name)).await
    }
}
