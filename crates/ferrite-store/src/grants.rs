//! The state of OAuth grants: authorization codes, refresh-token families, revoked access tokens.

use chrono::{DateTime, Utc};
use ferrite_core::{AppId, UserId};

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    parse_id, time,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub app_id: AppId,
    pub user_id: UserId,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    pub nonce: Option<String>,
    pub auth_time: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub family_id: String,
    pub app_id: AppId,
    pub user_id: UserId,
    pub scope: String,
    pub auth_time: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// The token was live; it is now used and may be replaced by a new one in its family.
    Rotated(RefreshToken),
    /// The token had already been used: the caller revokes its family (`revoke_grant`).
    ReuseDetected { family_id: String },
    /// Unknown, expired or revoked.
    Invalid,
}

/// What presenting an authorization code came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeUse {
    /// The code had not been used; it is now, for the grant with the id given.
    Fresh(AuthorizationCode),
    /// The code had been used before, for this grant: the caller revokes it (RFC 6749 §4.1.2).
    Replayed {
        grant_id: String,
    },
    Unknown,
}

impl Store {
    pub async fn insert_authorization_code(&self, hash: &[u8], code: &AuthorizationCode) -> Result<(), StoreError> {
        let insert = sql(
            "INSERT INTO authorization_codes (code_hash, app_id, user_id, redirect_uri, scope, code_challenge, nonce,
                                              auth_time, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        );
        self.main
            .execute(
                insert
                    .bind(hash)
                    .bind(code.app_id.to_string())
                    .bind(code.user_id.to_string())
                    .bind(&code.redirect_uri)
                    .bind(&code.scope)
                    .bind(&code.code_challenge)
                    .bind(&code.nonce)
                    .bind(time::to_db(code.auth_time))
                    .bind(time::to_db(code.expires_at)),
            )
            .await?;
        Ok(())
    }

    /// Consumes a code for the grant `grant_id`, atomically: it can be redeemed once only. A used
    /// code is kept (until `purge_expired_grants`) so that a replay names the grant it started.
    pub async fn take_authorization_code(
        &self,
        hash: &[u8],
        grant_id: &str,
        now: DateTime<Utc>,
    ) -> Result<CodeUse, StoreError> {
        let take =
            sql("UPDATE authorization_codes SET used_at = $2, grant_id = $3 WHERE code_hash = $1 AND used_at IS NULL
             RETURNING app_id, user_id, redirect_uri, scope, code_challenge, nonce, auth_time, expires_at");
        let taken: Option<CodeRow> =
            self.main.fetch_optional(take.bind(hash).bind(time::to_db(now)).bind(grant_id)).await?;
        let Some(code) = taken else {
            let replay = sql("SELECT grant_id FROM authorization_codes WHERE code_hash = $1 AND used_at IS NOT NULL");
            let replayed: Option<Option<String>> = self.main.optional_scalar(replay.bind(hash)).await?;
            return Ok(match replayed.flatten() {
                Some(grant_id) => CodeUse::Replayed { grant_id },
                None => CodeUse::Unknown,
            });
        };
        Ok(CodeUse::Fresh(AuthorizationCode {
            app_id: parse_id(&code.app_id)?,
            user_id: parse_id(&code.user_id)?,
            redirect_uri: code.redirect_uri,
            scope: code.scope,
            code_challenge: code.code_challenge,
            nonce: code.nonce,
            auth_time: time::from_db(code.auth_time),
            expires_at: time::from_db(code.expires_at),
        }))
    }

    pub async fn insert_refresh_token(
        &self,
        hash: &[u8],
        token: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let insert = sql(
            "INSERT INTO refresh_tokens (token_hash, family_id, app_id, user_id, scope, auth_time, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        );
        self.main
            .execute(
                insert
                    .bind(hash)
                    .bind(&token.family_id)
                    .bind(token.app_id.to_string())
                    .bind(token.user_id.to_string())
                    .bind(&token.scope)
                    .bind(time::to_db(token.auth_time))
                    .bind(time::to_db(now))
                    .bind(time::to_db(token.expires_at)),
            )
            .await?;
        Ok(())
    }

    /// Marks a refresh token used, atomically: of two concurrent uses only one rotates; a use of an
    /// already-used token is reported with its family. Tokens of revoked grants are invalid, also
    /// one inserted while its grant was being revoked.
    pub async fn use_refresh_token(
        &self,
        hash: &[u8],
        app: AppId,
        now: DateTime<Utc>,
    ) -> Result<RefreshUse, StoreError> {
        let rotate = sql("UPDATE refresh_tokens SET used_at = $2
             WHERE token_hash = $1 AND app_id = $3 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
               AND family_id NOT IN (SELECT grant_id FROM revoked_grants)
             RETURNING family_id, app_id, user_id, scope, auth_time, expires_at");
        let rotated: Option<RefreshRow> =
            self.main.fetch_optional(rotate.bind(hash).bind(time::to_db(now)).bind(app.to_string())).await?;
        if let Some(row) = rotated {
            return Ok(RefreshUse::Rotated(row.into_token()?));
        }
        let used =
            sql("SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND app_id = $2 AND used_at IS NOT NULL");
        let used_family: Option<String> = self.main.optional_scalar(used.bind(hash).bind(app.to_string())).await?;
        Ok(match used_family {
            Some(family_id) => RefreshUse::ReuseDetected { family_id },
            None => RefreshUse::Invalid,
        })
    }

    /// The refresh token with this hash, if it is live (for introspection and revocation).
    pub async fn live_refresh_token(&self, hash: &[u8], now: DateTime<Utc>) -> Result<RefreshToken, StoreError> {
        let live = sql("SELECT family_id, app_id, user_id, scope, auth_time, expires_at FROM refresh_tokens
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2
               AND family_id NOT IN (SELECT grant_id FROM revoked_grants)");
        self.main.fetch_one::<RefreshRow>(live.bind(hash).bind(time::to_db(now))).await?.into_token()
    }

    /// Revokes a grant: its refresh tokens, and its access tokens until `until` (when the last of
    /// them expires).
    pub async fn revoke_grant(
        &self,
        grant_id: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // The grant first: from then on no refresh token of the family is accepted, also one
        // inserted after the update below.
        let revoke = sql(
            "INSERT INTO revoked_grants (grant_id, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        );
        self.main.execute(revoke.bind(grant_id).bind(time::to_db(until)).bind(time::to_db(now))).await?;
        let tokens = sql("UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL");
        self.main.execute(tokens.bind(grant_id).bind(time::to_db(now))).await?;
        Ok(())
    }

    /// Ids of grants revoked whose access tokens may not all have expired at `now`.
    pub async fn revoked_grants(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.main.scalars(sql("SELECT grant_id FROM revoked_grants WHERE expires_at > $1").bind(time::to_db(now))).await
    }

    /// Records an access token as revoked until it would have expired anyway.
    pub async fn revoke_access_token(
        &self,
        jti: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let revoke =
            sql("INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        self.main.execute(revoke.bind(jti).bind(time::to_db(expires_at)).bind(time::to_db(now))).await?;
        Ok(())
    }

    /// Ids of access tokens revoked and not yet expired at `now`.
    pub async fn revoked_access_tokens(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.main.scalars(sql("SELECT jti FROM revoked_tokens WHERE expires_at > $1").bind(time::to_db(now))).await
    }

    /// Forgets grant state that can no longer matter: expired codes, tokens and revocations, and
    /// codes used before `used_codes_before` (once the tokens they gave have expired, a replay has
    /// nothing left to revoke).
    pub async fn purge_expired_grants(
        &self,
        now: DateTime<Utc>,
        used_codes_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = time::to_db(now);
        for text in [
            "DELETE FROM authorization_codes WHERE expires_at <= $1 AND used_at IS NULL",
            "DELETE FROM refresh_tokens WHERE expires_at <= $1",
            "DELETE FROM revoked_tokens WHERE expires_at <= $1",
            "DELETE FROM revoked_grants WHERE expires_at <= $1",
            "DELETE FROM sessions WHERE expires_at <= $1",
        ] {
            self.main.execute(sql(text).bind(at)).await?;
        }
        let used = sql("DELETE FROM authorization_codes WHERE used_at <= $1");
        self.main.execute(used.bind(time::to_db(used_codes_before))).await?;
        Ok(())
    }
}

/// An authorization code's row as taken.
#[derive(sqlx::FromRow)]
struct CodeRow {
    app_id: String,
    user_id: String,
    redirect_uri: String,
    scope: String,
    code_challenge: String,
    nonce: Option<String>,
    auth_time: i64,
    expires_at: i64,
}

/// A refresh token's row as stored.
#[derive(sqlx::FromRow)]
struct RefreshRow {
    family_id: String,
    app_id: String,
    user_id: String,
    scope: String,
    auth_time: i64,
    expires_at: i64,
}

impl RefreshRow {
    fn into_token(self) -> Result<RefreshToken, StoreError> {
        Ok(RefreshToken {
            family_id: self.family_id,
            app_id: parse_id(&self.app_id)?,
            user_id: parse_id(&self.user_id)?,
            scope: self.scope,
            auth_time: time::from_db(self.auth_time),
            expires_at: time::from_db(self.expires_at),
        })
    }
}
