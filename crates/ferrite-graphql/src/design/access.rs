//! Who sees which design data. A token from the authorization-code flow acts for its person: it
//! sees the workspaces of every organization that person belongs to. A client-credentials token
//! acts for its app: it sees the workspaces of the app's own organization. Nothing else is
//! visible, and what is not visible answers exactly like what does not exist.

use ferrite_core::{OrgId, design::Workspace};
use ferrite_identity::AccessClaims;
use ferrite_store::{Store, StoreError};

/// The organizations whose design data `claims` may see, oldest first for a person.
pub async fn visible_orgs(store: &Store, claims: &AccessClaims) -> Result<Vec<OrgId>, StoreError> {
    if claims.is_for_person() {
        let Ok(user) = claims.sub.parse() else { return Ok(Vec::new()) };
        Ok(store.memberships_of(user).await?.into_iter().map(|(org, _)| org.id).collect())
    } else {
        match store.app_by_client_id(&claims.client_id).await {
            Ok((app, _)) => Ok(vec![app.org_id]),
            Err(StoreError::NotFound) => Ok(Vec::new()),
            Err(err) => Err(err),
        }
    }
}

/// The organization an upload is filed under: the app's that the token was issued to.
pub async fn uploading_org(store: &Store, claims: &AccessClaims) -> Result<Option<OrgId>, StoreError> {
    match store.app_by_client_id(&claims.client_id).await {
        Ok((app, _)) => Ok(Some(app.org_id)),
        Err(StoreError::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// The workspace a URL (or bare slug) names, if `claims` may see it.
pub async fn visible_workspace(
    store: &Store,
    claims: &AccessClaims,
    workspace_url: &str,
) -> Result<Option<Workspace>, StoreError> {
    let slug = ferrite_core::slug::slug_of_url(workspace_url);
    if slug.is_empty() {
        return Ok(None);
    }
    let workspace = match store.workspace_by_slug(slug).await {
        Ok(workspace) => workspace,
        Err(StoreError::NotFound) => return Ok(None),
        Err(err) => return Err(err),
    };
    let visible = visible_orgs(store, claims).await?;
    Ok(visible.contains(&workspace.org_id).then_some(workspace))
}
