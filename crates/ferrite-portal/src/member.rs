//! Who is asking: [`SignedIn`] (a live session) and [`Member`] (a live session *and* the
//! organization being worked in, of which the person is a member). Handlers that touch an
//! organization's data take a `Member`; it is resolved before they run and is the only way they
//! reach apps, so another organization's data cannot be reached by guessing ids.

use askama::Template;
use axum::{
    extract::FromRequestParts,
    http::{Method, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use ferrite_core::{
    AppId, OrgId,
    access::Visible,
    app::App,
    org::{Organization, Role, User},
};
use ferrite_identity::http::{csrf, current_user};

use crate::{
    error::PortalError,
    forms::FormData,
    state::Portal,
    views::{OrgChoice, Shell},
};

/// The organization a person last chose to work in. Only a preference: it is honoured only if
/// they are a member.
pub const ORG_COOKIE: &str = "ferrite_org";

/// A person with a live session.
pub struct SignedIn {
    pub user: User,
    pub jar: CookieJar,
    pub csrf: String,
}

impl FromRequestParts<Portal> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(user) = current_user(&portal.identity, &jar).await else {
            return Err(to_sign_in(parts));
        };
        let (jar, csrf) = csrf::token(&portal.identity, jar);
        Ok(SignedIn { user, jar, csrf })
    }
}

impl SignedIn {
    pub fn check_csrf(&self, form: &FormData) -> Result<(), PortalError> {
        check_token(&self.csrf, form.csrf_token())
    }
}

/// `csrf` is the token for this request's cookies (see `csrf::token`).
pub fn check_token(csrf: &str, submitted: Option<&str>) -> Result<(), PortalError> {
    if csrf::matches(csrf, submitted) { Ok(()) } else { Err(PortalError::Csrf) }
}

/// Where a signed-out person goes: sign-in, and back here afterwards (for a page; a form's
/// target cannot be revisited with GET, so after a form they land on the portal's home).
fn to_sign_in(parts: &Parts) -> Response {
    let next = if parts.method == Method::GET {
        parts.uri.path_and_query().map_or("/apps", |pq| pq.as_str()).to_owned()
    } else {
        "/apps".to_owned()
    };
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/signin?next={next}")).into_response()
}

/// A signed-in person working in one of their organizations.
pub struct Member {
    pub user: User,
    pub org: Organization,
    pub role: Role,
    pub orgs: Vec<(Organization, Role)>,
    pub jar: CookieJar,
    pub csrf: String,
    portal: Portal,
}

impl FromRequestParts<Portal> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, portal: &Portal) -> Result<Self, Self::Rejection> {
        let SignedIn { user, jar, csrf } = SignedIn::from_request_parts(parts, portal).await?;
        let orgs = portal.accounts.memberships_of(user.id).await.map_err(|e| PortalError::from(e).into_response())?;
        let wanted: Option<OrgId> = jar.get(ORG_COOKIE).and_then(|c| c.value().parse().ok());
        let chosen = orgs.iter().find(|(org, _)| Some(org.id) == wanted).or_else(|| orgs.first()).cloned();
        let Some((org, role)) = chosen else {
            // Not in any organization (removed from the last one): make one first.
            return Err(Redirect::to("/orgs/new").into_response());
        };
        Ok(Member { user, org, role, orgs, jar, csrf, portal: portal.clone() })
    }
}

impl Member {
    /// The organizations whose data this person sees (`ferrite_core::access`): all of theirs,
    /// not only the one being worked in.
    pub fn visible(&self) -> Visible {
        Visible::person(self.orgs.iter().map(|(org, _)| org.clone()))
    }

    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    pub fn require_owner(&self) -> Result<(), PortalError> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(PortalError::Forbidden("Only the organization's owners can do this. Ask an owner."))
        }
    }

    pub fn check_csrf(&self, form: &FormData) -> Result<(), PortalError> {
        check_token(&self.csrf, form.csrf_token())
    }

    /// One of this organization's apps, by the id in a URL or form. Anything else is `NotFound`.
    pub async fn app(&self, id: &str) -> Result<App, PortalError> {
        let id: AppId = id.parse().map_err(|_| PortalError::NotFound)?;
        Ok(self.portal.accounts.app_of_org(self.org.id, id).await?)
    }

    pub async fn apps(&self) -> Result<Vec<App>, PortalError> {
        Ok(self.portal.accounts.apps_of_org(self.org.id).await?)
    }

    /// What the page frame shows: who is signed in, where, and the navigation.
    pub fn shell(&self, active: &'static str) -> Shell {
        Shell {
            email: self.user.email.clone(),
            org_name: self.org.name.clone(),
            role: self.role.as_str(),
            orgs: self
                .orgs
                .iter()
                .map(|(org, _)| OrgChoice {
                    id: org.id.to_string(),
                    name: org.name.clone(),
                    current: org.id == self.org.id,
                })
                .collect(),
            csrf: self.csrf.clone(),
            active,
        }
    }

    /// Renders a page, carrying the cookies (a new CSRF cookie, say) along.
    pub fn page(&self, page: &impl Template) -> Response {
        (self.jar.clone(), crate::views::render(page, axum::http::StatusCode::OK)).into_response()
    }

    pub fn page_with(&self, page: &impl Template, status: axum::http::StatusCode) -> Response {
        (self.jar.clone(), crate::views::render(page, status)).into_response()
    }
}

/// The cookie that makes `org` the organization a person works in.
pub fn org_cookie(org: OrgId, secure: bool) -> Cookie<'static> {
    Cookie::build((ORG_COOKIE, org.to_string()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
}
