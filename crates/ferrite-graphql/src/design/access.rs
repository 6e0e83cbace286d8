//! Who a token acts for, and so which organizations' data it sees (the rule is
//! `ferrite_core::access`'s): a token from the authorization-code flow acts for its person, a
//! client-credentials token for its app.

use ferrite_core::{
    OrgId,
    access::{Viewer, Visible},
    design::Workspace,
};
use ferrite_identity::AccessClaims;
use ferrite_store::{Store, StoreError};

/// Who `claims` act for.
pub fn viewer(claims: &AccessClaims) -> Viewer {
    if claims.is_for_person() {
        claims.sub.parse().map_or(Viewer::Nobody, Viewer::Person)
    } else {
        Viewer::App(claims.client_id.clone())
    }
}

/// The organizations whose data `claims` may see, oldest first for a person.
pub async fn visible_orgs(store: &Store, claims: &AccessClaims) -> Result<Visible, StoreError> {
    store.visible_orgs(&viewer(claims)).await
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
    Ok(visible.sees(workspace.org_id).then_some(workspace))
}
