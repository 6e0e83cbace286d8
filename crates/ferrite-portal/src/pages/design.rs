//! Design data in the portal: the organization's workspaces and a workspace's projects with the
//! form that makes one of a design file (a project's own page is `bom`).
//!
//! Workspaces are reached through the `Member`: one of an organization the person belongs to, or
//! "not found", like anything that does not exist.

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Multipart, Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use ferrite_core::design::Workspace;
use ferrite_design::project::{CreateError, Upload, create_project};
use ferrite_identity::http::csrf;
use ferrite_store::ProjectPage;

use crate::{
    error::{PortalError, internal},
    member::Member,
    state::Portal,
    views::{Shell, datetime},
};

#[derive(Template)]
#[template(path = "workspaces.html")]
pub struct WorkspacesPage {
    pub shell: Shell,
    pub workspaces: Vec<WorkspaceRow>,
}

pub struct WorkspaceRow {
    pub slug: String,
    pub name: String,
    pub is_default: bool,
    pub projects: i64,
}

#[derive(Template)]
#[template(path = "workspace.html")]
pub struct WorkspacePage {
    pub shell: Shell,
    pub slug: String,
    pub name: String,
    pub projects: Vec<ProjectRow>,
    pub more: bool,
    /// A refused upload: why, and what was typed.
    pub error: Option<String>,
    pub project_name: String,
    pub description: String,
    pub notice: Option<&'static str>,
}

pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created: String,
}

/// The workspace at `slug`, if it is one of the person's organizations'.
pub async fn workspace(portal: &Portal, member: &Member, slug: &str) -> Result<Workspace, PortalError> {
    let workspace = portal.store().workspace_by_slug(slug).await?;
    if member.visible().sees(workspace.org_id) { Ok(workspace) } else { Err(PortalError::NotFound) }
}

pub async fn list(State(portal): State<Portal>, member: Member) -> Result<Response, PortalError> {
    let store = portal.store();
    let mut workspaces = Vec::new();
    for w in store.workspaces_of_orgs(&[member.org.id]).await? {
        let projects = store.count_projects(w.id, None, None).await?;
        workspaces.push(WorkspaceRow { slug: w.slug, name: w.name, is_default: w.is_default, projects });
    }
    Ok(member.page(&WorkspacesPage { shell: member.shell("designs"), workspaces }))
}

/// Projects shown on a workspace's page (the newest).
const PROJECTS_SHOWN: i64 = 200;

async fn workspace_page(
    portal: &Portal,
    member: &Member,
    workspace: &Workspace,
    error: Option<String>,
    project_name: String,
    description: String,
) -> Result<WorkspacePage, PortalError> {
    let page = ProjectPage { limit: PROJECTS_SHOWN + 1, from_end: true, ..Default::default() };
    let mut records = portal.store().projects_of_workspace(workspace.id, page).await?;
    let more = records.len() as i64 > PROJECTS_SHOWN;
    if more {
        records.remove(0);
    }
    records.reverse();
    let projects = records
        .into_iter()
        .map(|p| ProjectRow {
            id: p.id.to_string(),
            name: p.name,
            description: p.description,
            created: datetime(p.created_at),
        })
        .collect();
    Ok(WorkspacePage {
        shell: member.shell("designs"),
        slug: workspace.slug.clone(),
        name: workspace.name.clone(),
        projects,
        more,
        error,
        project_name,
        description,
        notice: None,
    })
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PortalError> {
    let workspace = workspace(&portal, &member, &slug).await?;
    let mut page = workspace_page(&portal, &member, &workspace, None, String::new(), String::new()).await?;
    page.notice = query.contains_key("deleted").then_some("The project was deleted.");
    Ok(member.page(&page))
}

/// A design file form as sent (multipart: `csrf_token`, `name`, `description`, `file`), its
/// CSRF token checked.
pub struct DesignForm {
    pub name: String,
    pub description: String,
    /// The file's name and bytes; `None` when no file (or an empty one) was chosen.
    pub file: Option<(String, Vec<u8>)>,
}

impl DesignForm {
    pub async fn read(
        member: &Member,
        form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    ) -> Result<DesignForm, PortalError> {
        let unreadable = || PortalError::BadRequest("The form could not be read. Go back and try again.".into());
        let mut form = form.map_err(|_| unreadable())?;
        let mut token = String::new();
        let mut read = DesignForm { name: String::new(), description: String::new(), file: None };
        while let Some(field) = form.next_field().await.map_err(|err| {
            if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                PortalError::BadRequest(format!(
                    "The file is larger than the limit of {} MiB.",
                    ferrite_design::limits::MAX_FILE_BYTES / (1024 * 1024)
                ))
            } else {
                unreadable()
            }
        })? {
            let field_name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(|_| unreadable())?;
            match field_name.as_str() {
                csrf::CSRF_FIELD => token = String::from_utf8_lossy(&bytes).into_owned(),
                "name" => read.name = String::from_utf8_lossy(&bytes).into_owned(),
                "description" => read.description = String::from_utf8_lossy(&bytes).into_owned(),
                "file" if !bytes.is_empty() => {
                    read.file = Some((file_name.unwrap_or_else(|| "upload".into()), bytes.to_vec()))
                }
                _ => {}
            }
        }
        if !csrf::matches(&member.csrf, Some(&token)) {
            return Err(PortalError::Csrf);
        }
        Ok(read)
    }
}

/// Why a design file was refused, as a sentence for the form; `Err` when the store failed.
pub fn refusal(err: CreateError) -> Result<String, PortalError> {
    match err {
        CreateError::Invalid(why) => Ok(capitalized(&why)),
        err @ CreateError::Parse(_) => Ok(capitalized(&err.to_string())),
        CreateError::Store(err) => Err(internal(err)),
    }
}

/// The upload form: makes a project and shows it, or shows the form again with the reason —
/// naming the line at fault for a bad file.
pub async fn upload(
    State(portal): State<Portal>,
    member: Member,
    Path(slug): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PortalError> {
    let DesignForm { name, description, file } = DesignForm::read(&member, form).await?;
    let workspace = workspace(&portal, &member, &slug).await?;
    let refuse = |why: String, name: String, description: String| async {
        let page = workspace_page(&portal, &member, &workspace, Some(why), name, description).await?;
        Ok::<_, PortalError>(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let Some((file_name, bytes)) = file else {
        return refuse("Choose a design file to upload.".into(), name, description).await;
    };
    let upload = Upload {
        workspace: workspace.id,
        name: name.clone(),
        description: description.clone(),
        created_by: member.user.id.to_string(),
        file_name,
        bytes,
        file: None,
    };
    match create_project(portal.store(), upload, portal.now()).await {
        Ok(project) => {
            Ok(Redirect::to(&format!("/workspaces/{}/projects/{}", workspace.slug, project.id)).into_response())
        }
        Err(err) => refuse(refusal(err)?, name, description).await,
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
