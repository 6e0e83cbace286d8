//! Applications as OAuth clients: registration, secrets, deletion, authentication.

use ferrite_core::{
    AppId, OrgId,
    app::{App, validate_redirect_uri},
    org::validate_name,
    plan::PlanCatalogue,
    scope::AppScopes,
};
use std::sync::Arc;

use ferrite_store::{NewApp, PlanError, SecretHashes, StoreError};

use crate::{AccountError, Identity, OAuthError, secrets};

/// An app just created (or whose secret was just regenerated), with the secret in clear: the only
/// moment it is known.
#[derive(Debug, Clone)]
pub struct CreatedApp {
    pub app: App,
    pub client_secret: String,
}

/// Largest description accepted.
const MAX_DESCRIPTION: usize = 1000;

impl Identity {
    /// A new app's row: validated fields, fresh client id, hashed fresh secret.
    pub(crate) fn new_app(
        &self,
        name: &str,
        description: &str,
        scopes: AppScopes,
        redirect_uris: &[String],
    ) -> Result<(NewApp, String), AccountError> {
        let (name, description, redirect_uris) = editable_fields(name, description, redirect_uris)?;
        let secret = secrets::random_token();
        let new = NewApp {
            name,
            description,
            scopes,
            client_id: uuid::Uuid::new_v4().to_string(),
            secret_hash: self.hasher.hash(&secret),
            redirect_uris,
            is_evaluation: false,
            part_limit: 0,
        };
        Ok((new, secret))
    }

    pub async fn create_app(
        &self,
        org: OrgId,
        name: &str,
        description: &str,
        scopes: AppScopes,
        redirect_uris: &[String],
        part_limit: i64,
    ) -> Result<CreatedApp, AccountError> {
        let (mut new, client_secret) = self.new_app(name, description, scopes, redirect_uris)?;
        new.part_limit = part_limit;
        let app = self.store.create_app(org, &new, self.clock.now()).await?;
        tracing::info!(app_id = %app.id, org_id = %org, "app created");
        Ok(CreatedApp { app, client_secret })
    }

    /// Registers an app with `part_limit` parts taken from the organization's plan, atomically:
    /// when they are not unallocated the app is not created and the error says by how much.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_app_within_plan(
        &self,
        org: OrgId,
        name: &str,
        description: &str,
        scopes: AppScopes,
        redirect_uris: &[String],
        part_limit: i64,
        plans: &PlanCatalogue,
    ) -> Result<CreatedApp, AccountError> {
        let (mut new, client_secret) = self.new_app(name, description, scopes, redirect_uris)?;
        new.part_limit = part_limit;
        let app = match self.store.create_app_within_plan(org, &new, plans, self.clock.now()).await {
            Ok(app) => app,
            Err(PlanError::Allocation(err)) => return Err(err.into()),
            Err(PlanError::UnknownPlan(plan)) => {
                return Err(ferrite_core::DomainError::invalid("plan", format!("`{plan}` is unknown")).into());
            }
            Err(PlanError::Store(err)) => return Err(err.into()),
        };
        tracing::info!(app_id = %app.id, org_id = %org, part_limit, "app created");
        Ok(CreatedApp { app, client_secret })
    }

    /// Edits what may be edited. Scopes are not among them.
    pub async fn update_app(
        &self,
        id: AppId,
        name: &str,
        description: &str,
        redirect_uris: &[String],
    ) -> Result<App, AccountError> {
        let (name, description, redirect_uris) = editable_fields(name, description, redirect_uris)?;
        let app = self.store.update_app(id, &name, &description, &redirect_uris).await?;
        self.forget_client(&app.client_id);
        Ok(app)
    }

    /// A new secret; the previous one keeps working for the configured overlap.
    pub async fn regenerate_secret(&self, id: AppId) -> Result<CreatedApp, StoreError> {
        let secret = secrets::random_token();
        let overlap = chrono::Duration::from_std(self.config.secret_overlap).unwrap_or_default();
        self.store.replace_secret(id, &self.hasher.hash(&secret), self.clock.now() + overlap).await?;
        tracing::info!(app_id = %id, "client secret regenerated");
        let app = self.store.app_by_id(id).await?;
        self.forget_client(&app.client_id);
        Ok(CreatedApp { app, client_secret: secret })
    }

    /// Deletes an app; its tokens stop working at once here and within `cache_refresh` elsewhere.
    pub async fn delete_app(&self, id: AppId) -> Result<(), StoreError> {
        let app = self.store.app_by_id(id).await?;
        self.store.delete_app(id, self.clock.now()).await?;
        self.forget_client(&app.client_id);
        self.note_revoked(|revoked| {
            revoked.clients.insert(app.client_id.clone());
        });
        tracing::info!(app_id = %id, "app deleted");
        Ok(())
    }

    /// Checks a client's credentials, throttling failures (see `failure_bounds`).
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
                self.failures.count(&bounds, now);
                tracing::info!(client_id, ip, "client authentication failed");
                metrics::counter!("oauth_client_auth_failures_total").increment(1);
                Err(OAuthError::InvalidClient)
            }
        }
    }

    /// The app with this client id and its secret hashes, from the cache or the store.
    async fn client(&self, client_id: &str) -> Result<Arc<(App, SecretHashes)>, StoreError> {
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

    fn forget_client(&self, client_id: &str) {
        self.clients.write().expect("client cache lock").remove(client_id);
    }
}

const MAX_CACHED_CLIENTS: usize = 100_000;

/// The fields people may set and later edit, validated: name, description, redirect URIs.
fn editable_fields(
    name: &str,
    description: &str,
    redirect_uris: &[String],
) -> Result<(String, String, Vec<String>), ferrite_core::DomainError> {
    let redirect_uris = redirect_uris.iter().map(|uri| validate_redirect_uri(uri)).collect::<Result<Vec<_>, _>>()?;
    Ok((validate_name("name", name)?, validate_description(description)?, redirect_uris))
}

fn validate_description(description: &str) -> Result<String, ferrite_core::DomainError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ferrite_core::DomainError::invalid(
            "description",
            format!("must be at most {MAX_DESCRIPTION} characters"),
        ));
    }
    Ok(description.to_owned())
}
