//! Applications as OAuth clients: authentication, and the cache of the apps it authenticated.
//! (Registering, editing and deleting apps is `Accounts`'.)

use std::sync::Arc;

use ferrite_core::app::App;
use ferrite_store::{SecretHashes, StoreError};

use crate::{Identity, OAuthError};

impl Identity {
    /// Checks a client's credentials, throttling failures (see `failure_bounds`). A wrong secret
    /// for a known client id counts as an auth refusal of that app; an unknown id counts nowhere.
    pub async fn authenticate_client(&self, client_id: &str, secret: &str, ip: &str) -> Result<App, OAuthError> {
        let now = self.clock.now();
        let bounds = self.failure_bounds(&format!("client:{client_id}"), ip);
        self.failures.check(&bounds, now).map_err(OAuthError::Throttled)?;
        let found = match self.client(client_id).await {
            Ok(found) => Some(found),
            Err(StoreError::NotFound) => None,
            Err(err) => return Err(err.into()),
        };
        let authenticated = found.as_deref().filter(|(_, hashes)| {
            self.hasher.verify(secret, &hashes.current)
                || hashes
                    .previous
                    .as_ref()
                    .is_some_and(|(hash, until)| now < *until && self.hasher.verify(secret, hash))
        });
        match authenticated {
            Some((app, _)) => Ok(app.clone()),
            None => {
                if found.is_some() {
                    self.count_auth_refusal(client_id);
                }
                self.failures.count(&bounds, now);
                tracing::info!(client_id, ip, "client authentication failed");
                metrics::counter!("oauth_client_auth_failures_total").increment(1);
                Err(OAuthError::InvalidClient)
            }
        }
    }

    /// The app with this client id and its secret hashes, from the cache or the store.
    pub(crate) async fn client(&self, client_id: &str) -> Result<Arc<(App, SecretHashes)>, StoreError> {
        if let Some(hit) = self.clients.read().expect("client cache lock").get(client_id) {
            return Ok(Arc::clone(hit));
        }
        let found = Arc::new(self.store.app_by_client_id(client_id).await?);
        let mut cache = self.clients.write().expect("client cache lock");
        // Only apps that exist get here, but a bound costs nothing.
        if cache.len() >= MAX_CACHED_CLIENTS {
            cache.clear();
        }
        cache.insert(client_id.to_owned(), Arc::clone(&found));
        Ok(found)
    }

    /// Drops a changed app from the cache, so that the change applies here at once.
    pub(crate) fn forget_client(&self, client_id: &str) {
        self.clients.write().expect("client cache lock").remove(client_id);
    }

    /// A deleted app's tokens stop working here at once (elsewhere at the next refresh).
    pub(crate) fn forget_deleted_client(&self, client_id: &str) {
        self.forget_client(client_id);
        self.note_revoked(|revoked| {
            revoked.clients.insert(client_id.to_owned());
        });
    }
}

const MAX_CACHED_CLIENTS: usize = 100_000;
