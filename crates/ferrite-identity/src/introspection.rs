//! Introspection (RFC 7662) and revocation (RFC 7009). The caller is an authenticated client; it
//! learns about tokens of its own organization only, and revokes tokens issued to itself only.

use ferrite_core::app::App;
use ferrite_store::StoreError;
use serde_json::{Value, json};

use crate::{Identity, secrets};

impl Identity {
    pub async fn introspect(&self, caller: &App, token: &str) -> Result<Value, StoreError> {
        let inactive = json!({ "active": false });
        if let Ok(claims) = self.verify_access_token(token) {
            if !self.client_in_org(&claims.client_id, caller).await? {
                return Ok(inactive);
            }
            return Ok(json!({
                "active": true,
                "token_type": "Bearer",
                "scope": claims.scope,
                "client_id": claims.client_id,
                "sub": claims.sub,
                "aud": claims.aud,
                "iss": claims.iss,
                "exp": claims.exp,
                "iat": claims.iat,
                "jti": claims.jti,
            }));
        }
        match self.store.live_refresh_token(&secrets::sha256(token), self.clock.now()).await {
            Ok(refresh) => {
                let app = match self.store.app_by_id(refresh.app_id).await {
                    Ok(app) if app.org_id == caller.org_id => app,
                    Ok(_) | Err(StoreError::NotFound) => return Ok(inactive),
                    Err(err) => return Err(err),
                };
                Ok(json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "scope": refresh.scope,
                    "client_id": app.client_id,
                    "sub": refresh.user_id.to_string(),
                    "iss": self.issuer,
                    "exp": refresh.expires_at.timestamp(),
                }))
            }
            Err(StoreError::NotFound) => Ok(inactive),
            Err(err) => Err(err),
        }
    }

    /// Revokes an access or refresh token issued to `caller`. Unknown tokens, and tokens of other
    /// clients, are left alone without saying so (RFC 7009 §2.2: the answer is 200 either way).
    pub async fn revoke(&self, caller: &App, token: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        if let Ok(claims) = self.verify_access_token(token) {
            if claims.client_id == caller.client_id {
                let expires = chrono::DateTime::from_timestamp(claims.exp, 0).unwrap_or(now);
                self.store.revoke_access_token(&claims.jti, expires, now).await?;
                self.note_revoked(|revoked| {
                    revoked.jtis.insert(claims.jti.clone());
                });
                tracing::info!(app_id = %caller.id, jti = %claims.jti, "access token revoked");
            }
            return Ok(());
        }
        match self.store.live_refresh_token(&secrets::sha256(token), now).await {
            Ok(refresh) if refresh.app_id == caller.id => {
                self.revoke_grant(&refresh.family_id).await?;
                tracing::info!(app_id = %caller.id, "refresh token revoked");
                Ok(())
            }
            Ok(_) | Err(StoreError::NotFound) => Ok(()),
            Err(err) => Err(err),
        }
    }

    async fn client_in_org(&self, client_id: &str, caller: &App) -> Result<bool, StoreError> {
        if client_id == caller.client_id {
            return Ok(true);
        }
        match self.store.app_by_client_id(client_id).await {
            Ok((app, _)) => Ok(app.org_id == caller.org_id),
            Err(StoreError::NotFound) => Ok(false),
            Err(err) => Err(err),
        }
    }
}
