//! The organizations a viewer sees, found by the rule of `ferrite_core::access`.

use ferrite_core::access::{Viewer, Visible};

use crate::{Store, StoreError};

impl Store {
    /// A person's organizations (oldest first), an app's own, or none.
    pub async fn visible_orgs(&self, viewer: &Viewer) -> Result<Visible, StoreError> {
        match viewer {
            Viewer::Person(user) => {
                Ok(Visible::person(self.memberships_of(*user).await?.into_iter().map(|(org, _)| org)))
            }
            Viewer::App(client_id) => match self.app_by_client_id(client_id).await {
                Ok((app, _)) => Ok(Visible::app(Some(self.org_by_id(app.org_id).await?))),
                Err(StoreError::NotFound) => Ok(Visible::app(None)),
                Err(err) => Err(err),
            },
            Viewer::Nobody => Ok(Visible::default()),
        }
    }
}
