//! The grants: client credentials, authorization code with PKCE, refresh tokens with rotation;
//! and the authorization request that precedes a code.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ferrite_core::{
    UserId,
    app::App,
    scope::{Scope, format_scopes, grant_scopes},
};
use ferrite_store::{AuthorizationCode, CodeUse, RefreshToken, RefreshUse, StoreError};
use serde::Serialize;
use serde_json::json;

use crate::{
    AccessClaims, Identity, OAuthError,
    jwt::{self, ACCESS_TOKEN_TYPE},
    secrets,
};

/// How long an authorization code may wait to be redeemed.
const CODE_LIFETIME: chrono::Duration = chrono::Duration::minutes(5);

/// What a person granted an app: the scopes, the grant's id (which its refresh-token family and
/// access tokens carry, so that they are revoked with it), and when they signed in.
#[derive(Clone, Copy)]
struct Grant<'a> {
    scopes: &'a BTreeSet<Scope>,
    id: &'a str,
    auth_time: DateTime<Utc>,
}

/// A token request's parameters, after client authentication.
#[derive(Debug, Default, Clone)]
pub struct TokenRequest {
    pub grant_type: String,
    pub scope: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// The parameters of `GET /connect/authorize`.
#[derive(Debug, Default, Clone, serde::Deserialize, Serialize)]
pub struct AuthorizationRequest {
    #[serde(default)]
    pub response_type: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub redirect_uri: String,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub nonce: Option<String>,
}

/// Why an authorization request cannot go on.
#[derive(Debug)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted: say so on a page, never redirect (RFC 6749 §4.1.2.1).
    Page(String),
    /// Tell the client, at its redirect URI (`error`, `error_description`).
    Redirect { code: &'static str, description: String },
}

impl Identity {
    pub async fn token(&self, client: &App, request: &TokenRequest) -> Result<TokenResponse, OAuthError> {
        let response = match request.grant_type.as_str() {
            "client_credentials" => self.client_credentials(client, request.scope.as_deref()),
            "authorization_code" => self.redeem_code(client, request).await,
            "refresh_token" => self.redeem_refresh_token(client, request).await,
            "" => Err(OAuthError::InvalidRequest("grant_type is required".into())),
            _ => Err(OAuthError::UnsupportedGrantType),
        }?;
        metrics::counter!("oauth_tokens_issued_total", "grant_type" => request.grant_type.clone()).increment(1);
        Ok(response)
    }

    fn client_credentials(&self, client: &App, scope: Option<&str>) -> Result<TokenResponse, OAuthError> {
        let allowed = client.scopes.client_credentials_scopes();
        let scopes = grant_scopes(scope, &allowed, &client.scopes.api_scopes())
            .map_err(|err| OAuthError::InvalidScope(err.to_string()))?;
        let (access_token, _) = self.access_token(client, &client.client_id, &scopes, None, None);
        Ok(self.response(access_token, &scopes, None, None))
    }

    async fn redeem_code(&self, client: &App, request: &TokenRequest) -> Result<TokenResponse, OAuthError> {
        let required = |value: &Option<String>, name: &str| {
            value.clone().ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
        };
        let code = required(&request.code, "code")?;
        let redirect_uri = required(&request.redirect_uri, "redirect_uri")?;
        let verifier = required(&request.code_verifier, "code_verifier (PKCE)")?;
        let grant_id = uuid::Uuid::new_v4().to_string();
        let grant =
            match self.store.take_authorization_code(&secrets::sha256(&code), &grant_id, self.clock.now()).await? {
                CodeUse::Fresh(grant) => grant,
                CodeUse::Replayed { grant_id } => {
                    // Someone else may hold the code (RFC 6749 §4.1.2): what it gave is revoked.
                    tracing::warn!(app_id = %client.id, "authorization code replayed; its grant is revoked");
                    self.revoke_grant(&grant_id).await?;
                    return Err(OAuthError::InvalidGrant("code already used; the tokens it gave are revoked".into()));
                }
                CodeUse::Unknown => return Err(OAuthError::InvalidGrant("unknown or already used code".into())),
            };
        let now = self.clock.now();
        if grant.app_id != client.id || grant.expires_at <= now || grant.redirect_uri != redirect_uri {
            return Err(OAuthError::InvalidGrant(
                "the code was not issued for this client and redirect_uri, or it expired".into(),
            ));
        }
        if !pkce_verifies(&verifier, &grant.code_challenge) {
            return Err(OAuthError::InvalidGrant("code_verifier does not match the code_challenge".into()));
        }
        let scopes = parse_stored_scopes(&grant.scope)?;
        let grant_ref = Grant { scopes: &scopes, id: &grant_id, auth_time: grant.auth_time };
        self.person_tokens(client, grant.user_id, &scopes, grant_ref, grant.nonce.as_deref()).await
    }

    async fn redeem_refresh_token(&self, client: &App, request: &TokenRequest) -> Result<TokenResponse, OAuthError> {
        let presented = request
            .refresh_token
            .as_deref()
            .ok_or_else(|| OAuthError::InvalidRequest("refresh_token is required".into()))?;
        let token = match self.store.use_refresh_token(&secrets::sha256(presented), client.id, self.clock.now()).await?
        {
            RefreshUse::Rotated(token) => token,
            RefreshUse::ReuseDetected { family_id } => {
                tracing::warn!(app_id = %client.id, "refresh token reused; its family is revoked");
                self.revoke_grant(&family_id).await?;
                return Err(OAuthError::InvalidGrant("refresh token already used; the grant is revoked".into()));
            }
            RefreshUse::Invalid => {
                return Err(OAuthError::InvalidGrant("unknown, expired or revoked refresh token".into()));
            }
        };
        let granted = parse_stored_scopes(&token.scope)?;
        // A refresh may narrow the scope, never widen it; the new refresh token keeps the grant's scope.
        let scopes = grant_scopes(request.scope.as_deref(), &granted, &granted)
            .map_err(|err| OAuthError::InvalidScope(err.to_string()))?;
        let grant = Grant { scopes: &granted, id: &token.family_id, auth_time: token.auth_time };
        self.person_tokens(client, token.user_id, &scopes, grant, None).await
    }

    /// Tokens that act for a person: an access token for `scopes`, an ID token for `openid`, and,
    /// when the grant includes `offline_access`, a refresh token for the whole grant.
    async fn person_tokens(
        &self,
        client: &App,
        user: UserId,
        scopes: &BTreeSet<Scope>,
        grant: Grant<'_>,
        nonce: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let (access_token, exp) =
            self.access_token(client, &user.to_string(), scopes, Some(grant.auth_time), Some(grant.id));
        let id_token = if scopes.contains(&Scope::OpenId) {
            Some(self.id_token(client, user, scopes, grant.auth_time, nonce, exp).await?)
        } else {
            None
        };
        let refresh_token = if grant.scopes.contains(&Scope::OfflineAccess) {
            Some(self.new_refresh_token(client, user, grant.scopes, grant.auth_time, grant.id).await?)
        } else {
            None
        };
        Ok(self.response(access_token, scopes, refresh_token, id_token))
    }

    async fn new_refresh_token(
        &self,
        client: &App,
        user: UserId,
        scopes: &BTreeSet<Scope>,
        auth_time: DateTime<Utc>,
        family: &str,
    ) -> Result<String, StoreError> {
        let now = self.clock.now();
        let token = secrets::random_token();
        let record = RefreshToken {
            family_id: family.to_owned(),
            app_id: client.id,
            user_id: user,
            scope: format_scopes(scopes),
            auth_time,
            expires_at: now + chrono::Duration::from_std(self.config.refresh_token_lifetime).unwrap_or_default(),
        };
        self.store.insert_refresh_token(&secrets::sha256(&token), &record, now).await?;
        Ok(token)
    }

    /// Signs an access token; returns it with its expiry (seconds since the epoch).
    fn access_token(
        &self,
        client: &App,
        subject: &str,
        scopes: &BTreeSet<Scope>,
        auth_time: Option<DateTime<Utc>>,
        grant_id: Option<&str>,
    ) -> (String, i64) {
        let now = self.clock.now().timestamp();
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: subject.to_owned(),
            aud: self.audience.clone(),
            exp: now + self.config.access_token_lifetime.as_secs() as i64,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            client_id: client.client_id.clone(),
            scope: format_scopes(scopes),
            auth_time: auth_time.map(|t| t.timestamp()),
            grant_id: grant_id.map(str::to_owned),
        };
        let ring = self.key_ring();
        let key = ring.current().expect("a signing key exists once Identity has started");
        (jwt::encode(key, ACCESS_TOKEN_TYPE, &claims), claims.exp)
    }

    async fn id_token(
        &self,
        client: &App,
        user: UserId,
        scopes: &BTreeSet<Scope>,
        auth_time: DateTime<Utc>,
        nonce: Option<&str>,
        exp: i64,
    ) -> Result<String, StoreError> {
        let person = self.store.user_by_id(user).await?;
        let mut claims = json!({
            "iss": self.issuer,
            "sub": user.to_string(),
            "aud": client.client_id,
            "iat": self.clock.now().timestamp(),
            "exp": exp,
            "auth_time": auth_time.timestamp(),
        });
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        if scopes.contains(&Scope::Email) {
            claims["email"] = json!(person.email);
            claims["email_verified"] = json!(false);
        }
        if scopes.contains(&Scope::Profile) {
            claims["preferred_username"] = json!(person.email);
        }
        let ring = self.key_ring();
        Ok(jwt::encode(ring.current().expect("a signing key exists"), "JWT", &claims))
    }

    fn response(
        &self,
        access_token: String,
        scopes: &BTreeSet<Scope>,
        refresh_token: Option<String>,
        id_token: Option<String>,
    ) -> TokenResponse {
        TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in: self.config.access_token_lifetime.as_secs(),
            scope: format_scopes(scopes),
            refresh_token,
            id_token,
        }
    }

    /// Validates an authorization request: first the client and redirect URI (failures shown as a
    /// page), then everything else (failures sent back to the client).
    pub async fn check_authorization(
        &self,
        request: &AuthorizationRequest,
    ) -> Result<(App, BTreeSet<Scope>), AuthorizeError> {
        let app = match self.store.app_by_client_id(&request.client_id).await {
            Ok((app, _)) => app,
            Err(StoreError::NotFound) => return Err(AuthorizeError::Page("This application is unknown.".into())),
            Err(err) => {
                tracing::error!(error = %err, "authorization request could not be checked");
                return Err(AuthorizeError::Page("The request could not be checked. Try again later.".into()));
            }
        };
        if !app.redirect_uris.iter().any(|uri| uri == &request.redirect_uri) {
            return Err(AuthorizeError::Page(
                "The redirect URI is not registered for this application, so you are not sent back to it.".into(),
            ));
        }
        let redirect = |code, description: &str| AuthorizeError::Redirect { code, description: description.to_owned() };
        if request.response_type != "code" {
            return Err(redirect("unsupported_response_type", "only response_type=code is supported"));
        }
        match (request.code_challenge.as_deref(), request.code_challenge_method.as_deref()) {
            (Some(challenge), Some("S256")) if is_pkce_challenge(challenge) => {}
            (Some(_), Some("S256")) => return Err(redirect("invalid_request", "code_challenge is malformed")),
            (Some(_), _) => return Err(redirect("invalid_request", "code_challenge_method must be S256")),
            (None, _) => return Err(redirect("invalid_request", "PKCE is required: send code_challenge with S256")),
        }
        let allowed = app.scopes.person_scopes();
        let scopes = grant_scopes(request.scope.as_deref(), &allowed, &app.scopes.api_scopes())
            .map_err(|err| redirect("invalid_scope", &err.to_string()))?;
        Ok((app, scopes))
    }

    /// Issues a code after the person consented to `scopes` for `app`.
    pub async fn issue_code(
        &self,
        app: &App,
        user: UserId,
        request: &AuthorizationRequest,
        scopes: &BTreeSet<Scope>,
        auth_time: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let code = secrets::random_token();
        let record = AuthorizationCode {
            app_id: app.id,
            user_id: user,
            redirect_uri: request.redirect_uri.clone(),
            scope: format_scopes(scopes),
            code_challenge: request.code_challenge.clone().unwrap_or_default(),
            nonce: request.nonce.clone(),
            auth_time,
            expires_at: self.clock.now() + CODE_LIFETIME,
        };
        self.store.insert_authorization_code(&secrets::sha256(&code), &record).await?;
        Ok(code)
    }
}

fn parse_stored_scopes(scope: &str) -> Result<BTreeSet<Scope>, OAuthError> {
    ferrite_core::scope::parse_scope_param(scope)
        .map_err(|_| OAuthError::Server(StoreError::Database(format!("stored scope `{scope}` does not parse"))))
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters. A base64url SHA-256 challenge is 43 of them.
fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn is_pkce_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && is_pkce_value(challenge)
}

/// RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge.
pub fn pkce_verifies(verifier: &str, challenge: &str) -> bool {
    is_pkce_value(verifier)
        && secrets::constant_time_eq(secrets::base64url_sha256(verifier).as_bytes(), challenge.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_verifies(verifier, challenge));
        assert!(!pkce_verifies("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK", challenge));
        assert!(!pkce_verifies("short", challenge), "a verifier must be at least 43 characters");
        assert!(is_pkce_challenge(challenge));
        assert!(!is_pkce_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c!"));
    }
}
