//! Organizations: creating and switching, members and their removal, invitations (made by
//! owners, accepted by the invited person after signing in or up).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use ferrite_core::{
    OrgId, UserId,
    org::{Role, normalize_email, validate_name},
};
use ferrite_identity::{
    AccountError,
    http::{csrf, current_user},
};
use serde::Deserialize;

use crate::{
    error::{PortalError, internal},
    field_errors::{FieldErrors, problem},
    forms::FormData,
    member::{Member, SignedIn, org_cookie},
    state::Portal,
    views::{self, InvitationPage, InvitationRow, MemberRow, MembersPage, MessagePage, NewOrgPage, render},
};

pub async fn new_form(signed_in: SignedIn) -> Response {
    let page = NewOrgPage {
        csrf: signed_in.csrf.clone(),
        email: signed_in.user.email.clone(),
        name: String::new(),
        errors: FieldErrors::default(),
    };
    (signed_in.jar, render(&page, StatusCode::OK)).into_response()
}

pub async fn create(
    State(portal): State<Portal>,
    signed_in: SignedIn,
    form: FormData,
) -> Result<Response, PortalError> {
    signed_in.check_csrf(&form)?;
    let name = match validate_name("name", form.get("name")) {
        Ok(name) => name,
        Err(err) => {
            let mut errors = FieldErrors::default();
            errors.add("name", problem(&err));
            let page = NewOrgPage {
                csrf: signed_in.csrf.clone(),
                email: signed_in.user.email.clone(),
                name: form.get("name").to_owned(),
                errors,
            };
            return Ok((signed_in.jar, render(&page, StatusCode::UNPROCESSABLE_ENTITY)).into_response());
        }
    };
    let org = portal.accounts.create_org(&name, signed_in.user.id).await.map_err(internal)?;
    let jar = signed_in.jar.add(org_cookie(org.id, portal.secure_cookies()));
    Ok((jar, Redirect::to("/apps")).into_response())
}

pub async fn switch(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let wanted: OrgId = form.get("org").parse().map_err(|_| PortalError::NotFound)?;
    // Only to an organization the person is a member of.
    if !member.orgs.iter().any(|(org, _)| org.id == wanted) {
        return Err(PortalError::NotFound);
    }
    let jar = member.jar.clone().add(org_cookie(wanted, portal.secure_cookies()));
    Ok((jar, Redirect::to("/apps")).into_response())
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

async fn members_page(portal: &Portal, member: &Member) -> Result<MembersPage, PortalError> {
    let members = portal
        .accounts
        .members_of(member.org.id)
        .await?
        .into_iter()
        .map(|(user, role)| MemberRow {
            user_id: user.id.to_string(),
            is_self: user.id == member.user.id,
            email: user.email,
            role: role.as_str(),
        })
        .collect();
    let invitations = if member.is_owner() {
        portal
            .accounts
            .pending_invitations(member.org.id)
            .await?
            .into_iter()
            .map(|inv| InvitationRow {
                id: inv.id,
                email: inv.email,
                role: inv.role.as_str(),
                expires: views::datetime(inv.expires_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(MembersPage {
        shell: member.shell("organization"),
        is_owner: member.is_owner(),
        members,
        invitations,
        link: None,
        email: String::new(),
        errors: FieldErrors::default(),
        notice: None,
    })
}

pub async fn members(
    State(portal): State<Portal>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, PortalError> {
    let mut page = members_page(&portal, &member).await?;
    page.notice = match done.done.as_deref() {
        Some("removed") => Some("The member was removed.".to_owned()),
        Some("revoked") => Some("The invitation was revoked.".to_owned()),
        Some("role") => Some("The role was changed.".to_owned()),
        _ => None,
    };
    Ok(member.page(&page))
}

pub async fn invite(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    member.require_owner()?;
    let mut page = members_page(&portal, &member).await?;
    let email = form.get("email").trim().to_owned();
    let role = if form.get("role") == "owner" { Role::Owner } else { Role::Member };
    match normalize_email(&email) {
        Ok(key) if page.members.iter().any(|m| m.email.eq_ignore_ascii_case(&key)) => {
            page.errors.add("email", format!("{email} is already a member."));
        }
        Ok(_) => {}
        Err(err) => page.errors.add("email", problem(&err)),
    }
    if !page.errors.is_empty() {
        page.email = email;
        return Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let token = portal.accounts.invite(member.org.id, member.user.id, &email, role).await?;
    let mut page = members_page(&portal, &member).await?;
    page.link = Some(format!("{}/invitations/{token}", portal.identity.issuer()));
    Ok(member.page(&page))
}

pub async fn revoke_invitation(
    State(portal): State<Portal>,
    member: Member,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    member.require_owner()?;
    portal.accounts.revoke_invitation(member.org.id, &id).await?;
    Ok(Redirect::to("/organization?done=revoked").into_response())
}

/// An owner makes a member an owner, or an owner (themselves too) a member.
pub async fn change_role(
    State(portal): State<Portal>,
    member: Member,
    Path(user): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    let user = owners_form_about(&member, &form, &user)?;
    let role = match form.get("role") {
        "owner" => Role::Owner,
        "member" => Role::Member,
        _ => return Err(PortalError::Unprocessable("Choose the role: owner or member.".into())),
    };
    match portal.accounts.change_role(member.org.id, user, role).await {
        Ok(()) => Ok(Redirect::to("/organization?done=role").into_response()),
        Err(AccountError::LastOwner) => Err(last_owner()),
        Err(err) => Err(err.into()),
    }
}

/// An owner's form about the member whose id the URL holds: its CSRF token checked, the id read.
fn owners_form_about(member: &Member, form: &FormData, user: &str) -> Result<UserId, PortalError> {
    member.check_csrf(form)?;
    member.require_owner()?;
    user.parse().map_err(|_| PortalError::NotFound)
}

fn last_owner() -> PortalError {
    PortalError::Forbidden("An organization needs an owner: make someone else an owner before the last one leaves.")
}

pub async fn remove_member(
    State(portal): State<Portal>,
    member: Member,
    Path(user): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    let user = owners_form_about(&member, &form, &user)?;
    match portal.accounts.remove_member(member.org.id, user).await {
        Ok(()) if user == member.user.id => Ok(Redirect::to("/apps").into_response()),
        Ok(()) => Ok(Redirect::to("/organization?done=removed").into_response()),
        Err(AccountError::LastOwner) => Err(last_owner()),
        Err(err) => Err(err.into()),
    }
}

fn invalid_invitation() -> Response {
    MessagePage {
        title: "This invitation is not valid".to_owned(),
        message:
            "It may have been used already, revoked, or it has expired. Ask the organization's owner for a new one."
                .to_owned(),
        reference: None,
    }
    .render_with(StatusCode::NOT_FOUND)
}

pub async fn invitation(
    State(portal): State<Portal>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PortalError> {
    let (invitation, org) = match portal.accounts.invitation(&token).await {
        Ok(found) => found,
        Err(AccountError::NotFound) => return Ok(invalid_invitation()),
        Err(err) => return Err(err.into()),
    };
    let user = current_user(&portal.identity, &jar).await;
    let (jar, csrf) = csrf::token(&portal.identity, jar);
    let matches = user.as_ref().is_some_and(|u| u.email.eq_ignore_ascii_case(&invitation.email));
    let page = InvitationPage {
        csrf,
        token,
        org_name: org.name,
        role: invitation.role.as_str(),
        email: invitation.email,
        signed_in_as: user.map(|u| u.email),
        matches,
    };
    Ok((jar, render(&page, StatusCode::OK)).into_response())
}

pub async fn accept_invitation(
    State(portal): State<Portal>,
    signed_in: SignedIn,
    Path(token): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    signed_in.check_csrf(&form)?;
    match portal.accounts.accept_invitation(&token, &signed_in.user).await {
        Ok(org) => {
            let jar = signed_in.jar.add(org_cookie(org, portal.secure_cookies()));
            Ok((jar, Redirect::to("/apps")).into_response())
        }
        Err(AccountError::NotFound) => Ok(invalid_invitation()),
        Err(err) => Err(err.into()),
    }
}
