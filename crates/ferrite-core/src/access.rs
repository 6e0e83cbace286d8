//! Who sees an organization's data (its workspaces, projects and apps). A person — a portal
//! session, or a token from the authorization-code flow acting for them — sees every organization
//! they belong to. An app acting for itself (client credentials) sees its own organization only.
//! Nothing else is visible, and what is not visible answers exactly like what does not exist.

use crate::{OrgId, UserId, org::Organization};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Person(UserId),
    /// An app by its OAuth client id; an unknown one sees nothing.
    App(String),
    /// A caller that names no one this server knows.
    Nobody,
}

/// The organizations a viewer sees, a person's oldest first (the store finds them:
/// `Store::visible_orgs`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visible(Vec<Organization>);

impl Visible {
    /// A person's: the organizations they are a member of.
    pub fn person(memberships: impl IntoIterator<Item = Organization>) -> Self {
        Visible(memberships.into_iter().collect())
    }

    /// An app's: its own organization (none for an app that does not exist).
    pub fn app(own: Option<Organization>) -> Self {
        Visible(own.into_iter().collect())
    }

    /// Whether data of `org` may be shown.
    pub fn sees(&self, org: OrgId) -> bool {
        self.0.iter().any(|o| o.id == org)
    }

    pub fn orgs(&self) -> &[Organization] {
        &self.0
    }

    pub fn ids(&self) -> Vec<OrgId> {
        self.0.iter().map(|o| o.id).collect()
    }

    pub fn into_orgs(self) -> Vec<Organization> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn org(name: &str) -> Organization {
        Organization { id: OrgId::new(), name: name.into(), created_at: Utc::now() }
    }

    #[test]
    fn a_viewer_sees_only_the_organizations_found_for_it() {
        let (acme, bolt) = (org("Acme"), org("Bolt"));
        let person = Visible::person([acme.clone(), bolt.clone()]);
        assert!(person.sees(acme.id) && person.sees(bolt.id));
        let app = Visible::app(Some(acme.clone()));
        assert!(app.sees(acme.id) && !app.sees(bolt.id));
        assert!(!Visible::app(None).sees(acme.id));
        assert_eq!(person.ids(), [acme.id, bolt.id]);
    }
}
