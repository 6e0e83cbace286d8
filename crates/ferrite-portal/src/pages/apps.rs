//! Apps: the list, Create App, the details page (credentials, edit, regenerate) and deletion.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::Cookie;
use ferrite_core::AppId;
use ferrite_core::{
    DomainError,
    app::{App, validate_redirect_uri},
    org::validate_name,
    plan::{Period, thousands},
    scope::{AppScope, AppScopes},
};
use ferrite_identity::{AccountError, CreatedApp};
use serde::Deserialize;

use crate::{
    error::{PortalError, internal},
    field_errors::{FieldErrors, problem},
    forms::FormData,
    member::Member,
    state::Portal,
    views::{self, AppPage, AppRow, AppView, DeletePage, EditForm, NewAppPage},
};

const MAX_DESCRIPTION: usize = 1000;

#[derive(Deserialize, Default)]
pub struct Notices {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
    #[serde(default)]
    regenerated: Option<String>,
}

/// Carries a new secret to the details page for one showing. The form's answer is a redirect (so
/// that reloading shows the page again instead of creating another app or secret); the secret
/// rides along in a cookie scoped to that page, lives five minutes at most, and is deleted by the
/// page that shows it.
pub const SECRET_COOKIE: &str = "ferrite_new_secret";

fn secret_path(app: AppId) -> String {
    format!("/apps/{app}")
}

fn show_secret_once(portal: &Portal, member: &Member, created: &CreatedApp, what: &str) -> Response {
    let cookie = secret_carrier(portal, &created.client_secret, &secret_path(created.app.id));
    let target = format!("/apps/{}?{what}=1", created.app.id);
    (member.jar.clone().add(cookie), Redirect::to(&target)).into_response()
}

/// The cookie that carries `secret` to the page at `path` for one showing.
pub fn secret_carrier(portal: &Portal, secret: &str, path: &str) -> Cookie<'static> {
    let secure = if portal.secure_cookies() { "; Secure" } else { "" };
    Cookie::parse(format!("{SECRET_COOKIE}={secret}; Path={path}; Max-Age=300; HttpOnly; SameSite=Strict{secure}"))
        .expect("a secret is a valid cookie value")
}

/// The secret a page was sent to show, if it carries one.
pub fn one_time_secret(member: &Member) -> Option<String> {
    member.jar.get(SECRET_COOKIE).map(|c| c.value().to_owned()).filter(|v| looks_like_secret(v))
}

/// A secret as `secrets::random_token` makes them: 43 base64url characters.
fn looks_like_secret(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn scopes_label(scopes: &AppScopes) -> String {
    let names: Vec<_> = scopes
        .iter()
        .map(|s| match s {
            AppScope::Supply => "Supply",
            AppScope::Design => "Design",
        })
        .collect();
    names.join(", ")
}

/// The period an app's usage counts in, as words: "November 2026, resets on 1 December 2026".
pub fn period_words(period: &Period) -> String {
    match (period.starts_at(), period.resets_at()) {
        (Some(start), Some(reset)) => {
            format!("{}, resets on {} at 00:00 UTC", start.format("%B %Y"), views::date(reset))
        }
        _ => "lifetime allowance, never resets".to_owned(),
    }
}

pub async fn list(
    State(portal): State<Portal>,
    member: Member,
    Query(notices): Query<Notices>,
) -> Result<Response, PortalError> {
    let now = portal.now();
    let usage = portal.store().org_usage(member.org.id, &Period::month_of(now).key()).await?;
    let apps = member
        .apps()
        .await?
        .into_iter()
        .map(|app| {
            let used = usage.get(&app.id).copied().unwrap_or(0);
            AppRow {
                id: app.id.to_string(),
                name: app.name.clone(),
                scopes: scopes_label(&app.scopes),
                client_id: app.client_id.clone(),
                supply: app.scopes.contains(AppScope::Supply),
                is_evaluation: app.is_evaluation,
                used: thousands(used),
                limit: thousands(app.part_limit),
                percent: views::percent(used, app.part_limit),
            }
        })
        .collect();
    let notice = notices.deleted.map(|_| "The app was deleted.".to_owned());
    Ok(member.page(&views::AppsPage { shell: member.shell("apps"), apps, notice }))
}

pub async fn new_form(member: Member) -> Response {
    member.page(&NewAppPage {
        shell: member.shell("apps"),
        name: String::new(),
        description: String::new(),
        supply: true,
        design: false,
        redirect_uris: String::new(),
        errors: FieldErrors::default(),
    })
}

/// The fields both Create App and the edit form take, validated, with errors by field.
struct AppFields {
    name: String,
    description: String,
    redirect_uris: Vec<String>,
}

fn read_fields(form: &FormData, allow_redirects: bool, errors: &mut FieldErrors) -> AppFields {
    let name = match validate_name("name", form.get("name")) {
        Ok(name) => name,
        Err(err) => {
            errors.add("name", problem(&err));
            String::new()
        }
    };
    let description = form.get("description").trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION {
        errors.add("description", format!("The description must be at most {MAX_DESCRIPTION} characters."));
    }
    let mut redirect_uris = Vec::new();
    for line in form.get("redirect_uris").lines().map(str::trim).filter(|l| !l.is_empty()) {
        match validate_redirect_uri(line) {
            Ok(uri) => redirect_uris.push(uri),
            Err(err) => errors.add("redirect_uris", problem(&err)),
        }
    }
    if !allow_redirects && !redirect_uris.is_empty() {
        errors
            .add("redirect_uris", "Redirect URIs are only for Design apps: choose the Design scope or leave them out.");
    }
    AppFields { name, description, redirect_uris }
}

/// A domain error from identity, as a field error.
fn field_error(err: &DomainError, errors: &mut FieldErrors) {
    let DomainError::Invalid { field, .. } = err;
    let field = match *field {
        "redirect URI" => "redirect_uris",
        "description" => "description",
        "scopes" => "scopes",
        _ => "name",
    };
    errors.add(field, problem(err));
}

pub async fn create(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let chosen = form.all("scopes");
    let (supply, design) = (chosen.contains(&"supply"), chosen.contains(&"design"));
    let mut errors = FieldErrors::default();
    let fields = read_fields(&form, design, &mut errors);
    let scopes = chosen.iter().map(|s| s.parse::<AppScope>()).collect::<Result<Vec<_>, _>>().and_then(AppScopes::new);
    if scopes.is_err() {
        errors.add("scopes", "Choose Supply, Design or both.");
    }
    if let (true, Ok(scopes)) = (errors.is_empty(), &scopes) {
        let result = portal
            .accounts
            .create_app(member.org.id, &fields.name, &fields.description, scopes.clone(), &fields.redirect_uris, 0)
            .await;
        match result {
            Ok(created) => return Ok(show_secret_once(&portal, &member, &created, "created")),
            Err(AccountError::Invalid(err)) => field_error(&err, &mut errors),
            Err(err) => return Err(internal(err)),
        }
    }
    let page = NewAppPage {
        shell: member.shell("apps"),
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        supply,
        design,
        redirect_uris: form.get("redirect_uris").to_owned(),
        errors,
    };
    Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
}

/// The details page of `app`; `secret` only right after it was made.
async fn app_page(
    portal: &Portal,
    member: &Member,
    app: &App,
    secret: Option<String>,
    secret_note: Option<String>,
) -> Result<AppPage, PortalError> {
    let period = Period::for_app(app.is_evaluation, portal.now());
    let used = portal.store().part_usage(app.id, &period.key()).await?;
    Ok(AppPage {
        shell: member.shell("apps"),
        app: AppView {
            id: app.id.to_string(),
            name: app.name.clone(),
            description: app.description.clone(),
            scopes: scopes_label(&app.scopes),
            client_id: app.client_id.clone(),
            created: views::datetime(app.created_at),
            supply: app.scopes.contains(AppScope::Supply),
            design: app.scopes.contains(AppScope::Design),
            is_evaluation: app.is_evaluation,
            limit: thousands(app.part_limit),
            no_parts: app.scopes.contains(AppScope::Supply) && app.part_limit == 0,
            used: thousands(used),
            percent: views::percent(used, app.part_limit),
            period: period_words(&period),
            warning: views::limit_banner(used, app.part_limit, period.resets_at())
                .filter(|_| app.scopes.contains(AppScope::Supply)),
        },
        secret,
        secret_note,
        overlap: views::duration(portal.identity.config().secret_overlap),
        notice: None,
        error: None,
        form: EditForm {
            name: app.name.clone(),
            description: app.description.clone(),
            redirect_uris: app.redirect_uris.join("\n"),
        },
        errors: FieldErrors::default(),
    })
}

pub async fn details(
    State(portal): State<Portal>,
    member: Member,
    Path(id): Path<String>,
    Query(notices): Query<Notices>,
) -> Result<Response, PortalError> {
    let app = member.app(&id).await?;
    let secret = one_time_secret(&member);
    let note = match (&secret, notices.regenerated) {
        (Some(_), Some(_)) => {
            let overlap = portal.identity.config().secret_overlap;
            Some(format!("The previous secret keeps working for {}, then stops.", views::duration(overlap)))
        }
        _ => None,
    };
    let mut page = app_page(&portal, &member, &app, secret, note).await?;
    page.notice = notices.saved.map(|_| "Saved.".to_owned());
    let jar = member.jar.clone().remove(Cookie::build(SECRET_COOKIE).path(secret_path(app.id)));
    Ok((jar, views::render(&page, StatusCode::OK)).into_response())
}

pub async fn edit(
    State(portal): State<Portal>,
    member: Member,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let app = member.app(&id).await?;
    let mut page = app_page(&portal, &member, &app, None, None).await?;
    page.form = EditForm {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        redirect_uris: form.get("redirect_uris").to_owned(),
    };
    // Scopes are fixed at creation: the form has no such field, and a request that sends one is
    // refused whole rather than half-applied.
    if form.has("scopes") {
        page.error = Some(
            "Scopes cannot be changed: they are fixed when an app is created. Nothing was saved. \
             To use other scopes, create a new app."
                .to_owned(),
        );
        return Ok(member.page_with(&page, StatusCode::BAD_REQUEST));
    }
    let design = app.scopes.contains(AppScope::Design);
    let mut errors = FieldErrors::default();
    let fields = read_fields(&form, design, &mut errors);
    if errors.is_empty() {
        match portal.accounts.update_app(app.id, &fields.name, &fields.description, &fields.redirect_uris).await {
            Ok(_) => return Ok(Redirect::to(&format!("/apps/{}?saved=1", app.id)).into_response()),
            Err(AccountError::Invalid(err)) => field_error(&err, &mut errors),
            Err(err) => return Err(internal(err)),
        }
    }
    page.errors = errors;
    Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
}

pub async fn regenerate(
    State(portal): State<Portal>,
    member: Member,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let app = member.app(&id).await?;
    let renewed = portal.accounts.regenerate_secret(app.id).await?;
    Ok(show_secret_once(&portal, &member, &renewed, "regenerated"))
}

pub async fn confirm_delete(member: Member, Path(id): Path<String>) -> Result<Response, PortalError> {
    let app = member.app(&id).await?;
    if app.is_evaluation {
        return Err(evaluation_stays());
    }
    Ok(member.page(&DeletePage { shell: member.shell("apps"), id: app.id.to_string(), name: app.name }))
}

pub async fn delete(
    State(portal): State<Portal>,
    member: Member,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    let app = member.app(&id).await?;
    if app.is_evaluation {
        return Err(evaluation_stays());
    }
    if form.get("confirm") != "yes" {
        return Ok(Redirect::to(&format!("/apps/{}/delete", app.id)).into_response());
    }
    portal.accounts.delete_app(app.id).await?;
    Ok(Redirect::to("/apps?deleted=1").into_response())
}

fn evaluation_stays() -> PortalError {
    PortalError::Forbidden("The evaluation app holds the organization's evaluation allowance and cannot be deleted.")
}
