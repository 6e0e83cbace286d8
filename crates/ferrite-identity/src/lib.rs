//! Identity: OAuth 2.0 and OpenID Connect for applications and the people they act for.
//!
//! `Identity` is the domain service (clients, grants, keys, sign-in); `http` is its thin edge: the
//! `/connect/*` endpoints, discovery, JWKS, and the sign-in and consent pages.
//!
//! Beside it, the two application services every edge calls: `Accounts` (people, organizations,
//! apps, invitations) and `Plans` (choose, allocate, settle, sweep).

mod accounts;
mod clients;
pub mod config;
mod error;
// The fuzz targets (`fuzz/`) enable `fuzzing`; its tests run on random input in every test run.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
mod introspection;
pub mod jwt;
pub mod keys;
pub mod password;
mod people;
mod plans;
mod rate;
mod requests;
pub mod secrets;
mod throttle;
mod tokens;

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, RwLock},
    time::Duration,
};

use ferrite_core::{Clock, app::App, plan::PlanCatalogue};
use ferrite_store::{SecretHashes, Store, StoreError};

pub use accounts::{Accounts, CreatedApp, INVITATION_LIFETIME, SignUp};
pub use config::TokenConfig;
pub use error::{AccountError, OAuthError};
pub use jwt::{AccessClaims, TokenError};
pub use keys::Algorithm;
pub use people::SignInError;
pub use plans::{PlanError, Plans};
pub use rate::RateLimited;
pub use tokens::{AuthorizationRequest, AuthorizeError, TokenRequest, TokenResponse, pkce_verifies};

use crate::{
    keys::KeyRing,
    secrets::SecretHasher,
    throttle::{Bound, Throttle},
};

/// The accounts and plans services on `identity`'s store and clock, as the server, the command
/// line and the tests wire them.
pub fn services(identity: &Arc<Identity>, catalogue: PlanCatalogue) -> (Arc<Accounts>, Arc<Plans>) {
    let plans = Arc::new(Plans::new(identity.store.clone(), identity.clock.clone(), catalogue));
    identity.rates.use_plans(plans.clone());
    let accounts = Accounts::new(identity.store.clone(), identity.clock.clone(), identity.clone(), plans.clone());
    (Arc::new(accounts), plans)
}

/// The identity service. One per process; cheap to share behind an `Arc`.
pub struct Identity {
    store: Store,
    clock: Arc<dyn Clock>,
    config: TokenConfig,
    issuer: String,
    audience: String,
    hasher: SecretHasher,
    /// Signs CSRF tokens (see `http::csrf`).
    csrf_key: aws_lc_rs::hmac::Key,
    keys: RwLock<Arc<KeyRing>>,
    revoked: RwLock<Arc<Revoked>>,
    /// Apps by client id, as the token endpoint authenticates them: a store round trip per token
    /// costs more than signing it. Emptied on every refresh, so a change made on another node
    /// applies within `cache_refresh`; a change made here drops its entry at once.
    clients: RwLock<HashMap<String, Arc<(App, SecretHashes)>>>,
    /// Failed client authentications and sign-ins, per minute.
    failures: Throttle,
    /// Access tokens whose signature checked out, with their claims and the key ring that checked
    /// them (a new ring checks again): a signature check costs more than the rest of a small
    /// answer, and a client sends one token many times. Times and revocation are checked on
    /// every use.
    verified: quick_cache::sync::Cache<String, (Arc<KeyRing>, AccessClaims)>,
    /// Requests per app, day and outcome, not yet written to the store.
    requests: requests::RequestTally,
    /// Each app's request-rate limit and its GCRA cell (see `rate`).
    rates: rate::RateLimits,
}

/// Access tokens [`Identity::verified`] holds; a few hundred bytes each.
const VERIFIED_TOKENS: usize = 10_000;

/// What this node knows has been revoked: access-token ids, grants, and client ids of deleted apps.
#[derive(Default, Clone)]
struct Revoked {
    jtis: HashSet<String>,
    grants: HashSet<String>,
    clients: HashSet<String>,
}

impl Identity {
    /// Loads (or creates) the server's secrets and signing key, and fills the caches.
    /// `issuer` is the public URL; a trailing slash is dropped.
    pub async fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        config: TokenConfig,
        issuer: &str,
    ) -> Result<Arc<Identity>, StoreError> {
        let hmac_key = store.server_secret("client-secret-hmac", &secrets::random_bytes::<32>()).await?;
        let csrf_key = store.server_secret("csrf-hmac", &secrets::random_bytes::<32>()).await?;
        let issuer = issuer.trim_end_matches('/').to_owned();
        let identity = Identity {
            audience: format!("{issuer}/graphql"),
            issuer,
            hasher: SecretHasher::new(&hmac_key),
            csrf_key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &csrf_key),
            keys: RwLock::new(Arc::new(KeyRing::new(Vec::new()))),
            revoked: RwLock::default(),
            clients: RwLock::default(),
            failures: Throttle::new(Duration::from_secs(60)),
            verified: quick_cache::sync::Cache::new(VERIFIED_TOKENS),
            requests: requests::RequestTally::default(),
            rates: rate::RateLimits::default(),
            store,
            clock,
            config,
        };
        identity.refresh().await?;
        let current = identity.key_ring().current().map(|key| key.algorithm);
        if current != Some(identity.config.algorithm) {
            identity.rotate_key(identity.config.algorithm).await?;
        }
        Ok(Arc::new(identity))
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The `aud` of access tokens: the GraphQL API.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    pub(crate) fn csrf_key(&self) -> &aws_lc_rs::hmac::Key {
        &self.csrf_key
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    fn key_ring(&self) -> Arc<KeyRing> {
        self.keys.read().expect("key ring lock").clone()
    }

    /// The published keys as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        self.key_ring().jwks()
    }

    /// Adds a new signing key for `algorithm` and retires the others; they stay published until
    /// the tokens they signed have expired.
    pub async fn rotate_key(&self, algorithm: Algorithm) -> Result<String, StoreError> {
        let (key, stored) = keys::SigningKey::generate(algorithm, self.clock.now());
        self.store.rotate_signing_key(&stored).await?;
        self.refresh().await?;
        tracing::info!(kid = %key.kid, algorithm = algorithm.as_str(), "signing key rotated");
        Ok(key.kid)
    }

    /// Re-reads keys, revoked tokens, deleted apps and (lazily) plans' rate limits from the store (other nodes may have changed them).
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let live_since = self.live_since();
        let stored = self.store.published_signing_keys(live_since).await?;
        let known = self.key_ring();
        let keys = stored
            .iter()
            .filter_map(|stored| match known.find(&stored.kid) {
                // Parsed keys are reused: parsing RSA keys is expensive. Retirement may have changed.
                Some(key) if key.retired_at == stored.retired_at => Some(Arc::clone(key)),
                _ => match keys::SigningKey::from_stored(stored) {
                    Ok(key) => Some(Arc::new(key)),
                    Err(err) => {
                        tracing::error!(error = %err, "a stored signing key does not parse; it is ignored");
                        None
                    }
                },
            })
            .collect();
        *self.keys.write().expect("key ring lock") = Arc::new(KeyRing::from_shared(keys));

        let revoked = Revoked {
            jtis: self.store.revoked_access_tokens(now).await?.into_iter().collect(),
            grants: self.store.revoked_grants(now).await?.into_iter().collect(),
            clients: self.store.deleted_clients_since(live_since).await?.into_iter().collect(),
        };
        *self.revoked.write().expect("revocation lock") = Arc::new(revoked);
        self.clients.write().expect("client cache lock").clear();
        self.rates.forget_plans();
        Ok(())
    }

    /// How often [`Identity::refresh`] runs, so that revocations and deletions made on other nodes
    /// take effect within seconds (`tokens.cache_refresh`).
    pub fn refresh_every(&self) -> std::time::Duration {
        self.config.cache_refresh
    }

    /// Deletes grants that expired at `now` (now and then: they are refused by their expiry anyway).
    pub async fn purge_expired_grants(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
        self.store.purge_expired_grants(now, self.live_since()).await
    }

    /// Verifies an access token: signature, issuer and audience (once per token and key ring,
    /// see [`Identity::verified`]), times, then the revocation and deleted-app caches.
    /// Synchronous and allocation-light: it runs on every request.
    pub fn verify_access_token(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.check_access_token(token).map_err(|(error, _)| error)
    }

    /// [`Identity::verify_access_token`] for the API's requests: a token this server signed that
    /// is refused (expired, revoked, its app deleted) also counts as an auth refusal of its app.
    pub fn verify_api_token(&self, token: &str) -> Result<AccessClaims, TokenError> {
        self.check_access_token(token).map_err(|(error, signed_for)| {
            if let Some(client_id) = signed_for {
                self.count_auth_refusal(&client_id);
            }
            error
        })
    }

    /// The token's claims, or why it is refused with the client id it was signed for when its
    /// signature is good (only then is the client id the server's own word).
    fn check_access_token(&self, token: &str) -> Result<AccessClaims, (TokenError, Option<String>)> {
        let ring = self.key_ring();
        let claims = match self.verified.get(token) {
            Some((checked_by, claims)) if Arc::ptr_eq(&checked_by, &ring) => claims,
            _ => {
                let claims =
                    jwt::verify_signature(&ring, token, &self.issuer, &self.audience).map_err(|error| (error, None))?;
                self.verified.insert(token.to_owned(), (ring, claims.clone()));
                claims
            }
        };
        let refused = |error| Err((error, Some(claims.client_id.clone())));
        if let Err(error) = jwt::check_times(&claims, self.clock.now().timestamp()) {
            return refused(error);
        }
        let revoked = self.revoked.read().expect("revocation lock");
        if revoked.jtis.contains(&claims.jti)
            || revoked.clients.contains(&claims.client_id)
            || claims.grant_id.as_ref().is_some_and(|grant| revoked.grants.contains(grant))
        {
            return refused(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// What a failed attempt at `subject` (`client:…` or `email:…`) from `ip` counts against: the
    /// pair, so that an attacker's failures lock out only the attacker; and, with a higher bound,
    /// the subject from everywhere and the address for every subject, so that spreading an attack
    /// over many addresses or many subjects does not help either.
    fn failure_bounds(&self, subject: &str, ip: &str) -> [Bound; 3] {
        let (pair, global) = (self.config.max_failures_per_minute, self.config.max_global_failures_per_minute);
        [(format!("{subject}|ip:{ip}"), pair), (subject.to_owned(), global), (format!("ip:{ip}"), global)]
    }

    /// Applies a revocation made on this node at once, without waiting for the next refresh.
    fn note_revoked(&self, change: impl FnOnce(&mut Revoked)) {
        let mut guard = self.revoked.write().expect("revocation lock");
        let mut next = Revoked::clone(&guard);
        change(&mut next);
        *guard = Arc::new(next);
    }

    /// Revokes a grant — its refresh tokens and its access tokens — here at once, elsewhere at
    /// the next refresh.
    async fn revoke_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        // A minute more, for tokens of the grant issued while this runs.
        let lifetime = chrono::Duration::from_std(self.config.access_token_lifetime).unwrap_or_default();
        let until = now + lifetime + chrono::Duration::minutes(1);
        self.store.revoke_grant(grant_id, until, now).await?;
        self.note_revoked(|revoked| {
            revoked.grants.insert(grant_id.to_owned());
        });
        tracing::info!(grant_id, "grant revoked");
        Ok(())
    }

    /// Tokens issued before this have expired.
    fn live_since(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now() - chrono::Duration::from_std(self.config.access_token_lifetime).unwrap_or_default()
    }
}
