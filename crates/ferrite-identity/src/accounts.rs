//! The accounts service: people, organizations and their members, apps and their credentials,
//! invitations. The one caller of the store's methods for these, so that every rule about them
//! (validation, the evaluation allowance, secrets hashed under the server key, caches dropped when
//! an app changes) is applied on every path — the portal's, the API's and the command line's.

use std::{sync::Arc, time::Duration};

use ferrite_core::{
    AppId, Clock, DomainError, OrgId, UserId,
    app::{App, validate_redirect_uri},
    org::{Organization, Role, User, normalize_email, validate_name},
    scope::AppScopes,
};
use ferrite_store::{Invitation, NewApp, NewInvitation, Store, StoreError};

use crate::{AccountError, Identity, Plans, password, secrets, throttle::Throttle};

/// How long an invitation link works.
pub const INVITATION_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// Largest app description accepted.
const MAX_DESCRIPTION: usize = 1000;

/// What a sign-up came to. A person signing up is told the same in both cases, so that nobody
/// learns which emails have accounts.
#[derive(Debug)]
pub enum SignUp {
    /// The person, and their organization (none when they signed up to accept an invitation).
    Created(User, Option<Organization>),
    /// The email already has an account, which is left exactly as it was.
    EmailTaken,
}

/// An app just created (or whose secret was just regenerated), with the secret in clear: the only
/// moment it is known.
#[derive(Debug, Clone)]
pub struct CreatedApp {
    pub app: App,
    pub client_secret: String,
}

pub struct Accounts {
    store: Store,
    clock: Arc<dyn Clock>,
    /// Client secrets are hashed under its server key, and the apps changed here leave its caches.
    identity: Arc<Identity>,
    /// The evaluation allowance, and apps created with parts of the plan.
    plans: Arc<Plans>,
    /// Sign-ups, per hour.
    sign_ups: Throttle,
}

impl Accounts {
    pub fn new(store: Store, clock: Arc<dyn Clock>, identity: Arc<Identity>, plans: Arc<Plans>) -> Self {
        Self { store, clock, identity, plans, sign_ups: Throttle::new(Duration::from_secs(3600)) }
    }

    pub async fn create_user(&self, email: &str, password: &str) -> Result<User, AccountError> {
        let key = normalize_email(email)?;
        password::validate_password(password, email)?;
        let hash = password::hash_password(password);
        match self.store.create_user(email.trim(), &key, &hash, self.clock.now()).await {
            Ok(user) => Ok(user),
            Err(StoreError::Conflict) => Err(AccountError::EmailTaken),
            Err(err) => Err(err.into()),
        }
    }

    /// Creates an account and its organization for someone signing up from `ip` — or only the
    /// account when they sign up to accept `invitation` (a valid one, for this email): they join
    /// the inviting organization on accepting it, and get no organization of their own to leave.
    /// Sign-ups are throttled per address (`max_sign_ups_per_hour`), taken emails included, which
    /// take as long as new ones (the password is hashed either way).
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        org_name: &str,
        invitation: Option<&str>,
        ip: &str,
    ) -> Result<SignUp, AccountError> {
        let now = self.clock.now();
        let bounds = [(format!("ip:{ip}"), self.identity.config().max_sign_ups_per_hour)];
        self.sign_ups.check(&bounds, now).map_err(AccountError::Throttled)?;
        let created = self.create_user(email, password).await;
        if !matches!(created, Err(AccountError::Invalid(_))) {
            self.sign_ups.count(&bounds, now);
        }
        match created {
            Ok(user) => {
                let invited = match invitation {
                    Some(token) => self.invitation(token).await.ok().is_some_and(|(invitation, _)| {
                        normalize_email(&invitation.email).ok() == normalize_email(&user.email).ok()
                    }),
                    None => false,
                };
                let org = if invited { None } else { Some(self.create_org(org_name, user.id).await?) };
                Ok(SignUp::Created(user, org))
            }
            Err(AccountError::EmailTaken) => {
                tracing::info!(ip, "sign-up for an email that has an account; nothing changed");
                Ok(SignUp::EmailTaken)
            }
            Err(err) => Err(err),
        }
    }

    /// Everyone who can sign in, by email.
    pub async fn users(&self) -> Result<Vec<User>, AccountError> {
        Ok(self.store.all_users().await?)
    }

    pub async fn user(&self, id: UserId) -> Result<User, AccountError> {
        Ok(self.store.user_by_id(id).await?)
    }

    /// Makes a person an operator (a server administrator) or no longer one. Nothing grants
    /// anything for it yet: the admin console, which will, comes later.
    pub async fn set_operator(&self, user: UserId, is_operator: bool) -> Result<(), AccountError> {
        self.store.set_operator(user, is_operator).await?;
        tracing::info!(user_id = %user, is_operator, "operator flag changed");
        Ok(())
    }

    /// The person with this email (compared without case).
    pub async fn user_by_email(&self, email: &str) -> Result<User, AccountError> {
        Ok(self.store.user_by_email(&normalize_email(email)?).await?.0)
    }

    /// Creates an organization owned by `owner`, with its evaluation app holding the catalogue's
    /// evaluation allowance, in one transaction.
    pub async fn create_org(&self, name: &str, owner: UserId) -> Result<Organization, AccountError> {
        let name = validate_name("name", name)?;
        let supply: AppScopes = "supply".parse().expect("a valid scope list");
        let (mut evaluation, _secret) = self.new_app("Evaluation", "Default evaluation app", supply, &[])?;
        evaluation.is_evaluation = true;
        let allowance = self.plans.catalogue().evaluation().parts_per_month;
        let org = self.store.create_org(&name, owner, &[evaluation], allowance, self.clock.now()).await?;
        tracing::info!(org_id = %org.id, "organization created");
        Ok(org)
    }

    pub async fn org(&self, id: OrgId) -> Result<Organization, AccountError> {
        Ok(self.store.org_by_id(id).await?)
    }

    /// Every organization, oldest first.
    pub async fn orgs(&self) -> Result<Vec<Organization>, AccountError> {
        Ok(self.store.all_orgs().await?)
    }

    /// Organizations with exactly this name (names are not unique; ids are).
    pub async fn orgs_named(&self, name: &str) -> Result<Vec<Organization>, AccountError> {
        Ok(self.store.orgs_named(name).await?)
    }

    /// The organizations a person belongs to, with their role in each, oldest first.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<(Organization, Role)>, AccountError> {
        Ok(self.store.memberships_of(user).await?)
    }

    /// The organization's members with their roles, owners first, then by email.
    pub async fn members_of(&self, org: OrgId) -> Result<Vec<(User, Role)>, AccountError> {
        Ok(self.store.members_of(org).await?)
    }

    /// Makes a member an owner or a member; refused for the last owner's own demotion.
    pub async fn change_role(&self, org: OrgId, user: UserId, role: Role) -> Result<(), AccountError> {
        match self.store.change_role(org, user, role).await {
            Ok(()) => {
                tracing::info!(org_id = %org, user_id = %user, role = role.as_str(), "member's role changed");
                Ok(())
            }
            Err(StoreError::Conflict) => Err(AccountError::LastOwner),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes a person from an organization; refused for its last owner.
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<(), AccountError> {
        match self.store.remove_member(org, user).await {
            Err(StoreError::Conflict) => Err(AccountError::LastOwner),
            other => Ok(other?),
        }
    }

    /// Invites `email` to `org` with `role`; returns the token of the link, known only now.
    pub async fn invite(
        &self,
        org: OrgId,
        invited_by: UserId,
        email: &str,
        role: Role,
    ) -> Result<String, AccountError> {
        let email = email.trim();
        let email_key = normalize_email(email)?;
        let token = secrets::random_token();
        let now = self.clock.now();
        let new = NewInvitation {
            org,
            email,
            email_key: &email_key,
            role,
            invited_by,
            token_hash: &secrets::sha256(&token),
            expires_at: now + INVITATION_LIFETIME,
        };
        self.store.create_invitation(&new, now).await?;
        tracing::info!(org_id = %org, "invitation created");
        Ok(token)
    }

    /// The organization's invitations not yet accepted nor expired.
    pub async fn pending_invitations(&self, org: OrgId) -> Result<Vec<Invitation>, AccountError> {
        Ok(self.store.pending_invitations(org, self.clock.now()).await?)
    }

    pub async fn revoke_invitation(&self, org: OrgId, id: &str) -> Result<(), AccountError> {
        Ok(self.store.revoke_invitation(org, id).await?)
    }

    /// The live invitation a link's token stands for, and the organization it is to.
    pub async fn invitation(&self, token: &str) -> Result<(Invitation, Organization), AccountError> {
        Ok(self.store.invitation_by_token(&secrets::sha256(token), self.clock.now()).await?)
    }

    /// Uses the invitation for `user`, who must have the invited email; returns the organization.
    pub async fn accept_invitation(&self, token: &str, user: &User) -> Result<OrgId, AccountError> {
        let email_key = normalize_email(&user.email)?;
        let org = self.store.accept_invitation(&secrets::sha256(token), user.id, &email_key, self.clock.now()).await?;
        tracing::info!(org_id = %org, user_id = %user.id, "invitation accepted");
        Ok(org)
    }

    pub async fn app(&self, id: AppId) -> Result<App, AccountError> {
        Ok(self.store.app_by_id(id).await?)
    }

    /// The app with this client id.
    pub async fn app_by_client_id(&self, client_id: &str) -> Result<App, AccountError> {
        Ok(self.store.app_by_client_id(client_id).await?.0)
    }

    /// One of the organization's apps; `NotFound` for any other organization's.
    pub async fn app_of_org(&self, org: OrgId, id: AppId) -> Result<App, AccountError> {
        Ok(self.store.app_of_org(org, id).await?)
    }

    pub async fn apps_of_org(&self, org: OrgId) -> Result<Vec<App>, AccountError> {
        Ok(self.store.apps_of_org(org).await?)
    }

    /// Registers an app with `part_limit` parts taken from the organization's plan, atomically:
    /// when they are not unallocated the app is not created and the error says by how much.
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
        let app = self.plans.create_app(org, &new).await?;
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
        self.identity.forget_client(&app.client_id);
        Ok(app)
    }

    /// A new secret; the previous one keeps working for the configured overlap.
    pub async fn regenerate_secret(&self, id: AppId) -> Result<CreatedApp, AccountError> {
        let secret = secrets::random_token();
        let overlap = chrono::Duration::from_std(self.identity.config().secret_overlap).unwrap_or_default();
        self.store.replace_secret(id, &self.identity.hasher.hash(&secret), self.clock.now() + overlap).await?;
        tracing::info!(app_id = %id, "client secret regenerated");
        let app = self.store.app_by_id(id).await?;
        self.identity.forget_client(&app.client_id);
        Ok(CreatedApp { app, client_secret: secret })
    }

    /// Deletes an app; its tokens stop working at once here and within `cache_refresh` elsewhere.
    pub async fn delete_app(&self, id: AppId) -> Result<(), AccountError> {
        let app = self.store.app_by_id(id).await?;
        self.store.delete_app(id, self.clock.now()).await?;
        self.identity.forget_deleted_client(&app.client_id);
        tracing::info!(app_id = %id, "app deleted");
        Ok(())
    }

    /// A new app's row: validated fields, fresh client id, hashed fresh secret; no parts.
    fn new_app(
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
            secret_hash: self.identity.hasher.hash(&secret),
            redirect_uris,
            is_evaluation: false,
            part_limit: 0,
        };
        Ok((new, secret))
    }
}

/// The fields people may set and later edit, validated: name, description, redirect URIs.
fn editable_fields(
    name: &str,
    description: &str,
    redirect_uris: &[String],
) -> Result<(String, String, Vec<String>), DomainError> {
    let redirect_uris = redirect_uris.iter().map(|uri| validate_redirect_uri(uri)).collect::<Result<Vec<_>, _>>()?;
    Ok((validate_name("name", name)?, validate_description(description)?, redirect_uris))
}

fn validate_description(description: &str) -> Result<String, DomainError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(DomainError::invalid("description", format!("must be at most {MAX_DESCRIPTION} characters")));
    }
    Ok(description.to_owned())
}
