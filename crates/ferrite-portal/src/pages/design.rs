//! Design data in the portal: the organization's workspaces, a workspace's projects with the
//! form that makes one of a design file, and a project's BOM as a table — each line's match in
//! the catalogue, its stock, and its unit price at the line's quantity.
//!
//! Workspaces are reached through the `Member`: one of an organization the person belongs to, or
//! "not found", like anything that does not exist.

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use ferrite_core::{ProjectId, design::Workspace, slug::part_page};
use ferrite_design::project::{CreateError, Upload, create_project};
use ferrite_identity::http::csrf;
use ferrite_store::ProjectPage;
use ferrite_supply::pricing::best_quote;

use super::name;
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
}

pub struct ProjectRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "project.html")]
pub struct ProjectPageView {
    pub shell: Shell,
    pub slug: String,
    pub workspace: String,
    pub name: String,
    pub description: String,
    pub created: String,
    pub parameters: Vec<(String, String)>,
    pub lines: Vec<BomLine>,
    pub matched: usize,
}

pub struct BomLine {
    pub designators: String,
    pub quantity: i64,
    pub name: String,
    pub description: String,
    pub manufacturer: String,
    pub mpn: String,
    /// The matched part's page.
    pub part_page: Option<String>,
    /// `matched`, `unmatched` or `no-mpn`: a CSS class and the test's handle.
    pub status: &'static str,
    pub status_text: &'static str,
    pub stock: String,
    pub price: String,
    pub seller: String,
}

/// The workspace at `slug`, if it is one of the person's organizations'.
async fn workspace(portal: &Portal, member: &Member, slug: &str) -> Result<Workspace, PortalError> {
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
    })
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Path(slug): Path<String>,
) -> Result<Response, PortalError> {
    let workspace = workspace(&portal, &member, &slug).await?;
    let page = workspace_page(&portal, &member, &workspace, None, String::new(), String::new()).await?;
    Ok(member.page(&page))
}

/// The upload form (multipart: `csrf_token`, `name`, `description`, `file`): makes a project and
/// shows it, or shows the form again with the reason — naming the line at fault for a bad file.
pub async fn upload(
    State(portal): State<Portal>,
    member: Member,
    Path(slug): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PortalError> {
    let unreadable = || PortalError::BadRequest("The form could not be read. Go back and try again.".into());
    let mut form = form.map_err(|_| unreadable())?;
    let (mut token, mut name, mut description) = (String::new(), String::new(), String::new());
    let mut file: Option<(String, Vec<u8>)> = None;
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
            "name" => name = String::from_utf8_lossy(&bytes).into_owned(),
            "description" => description = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = Some((file_name.unwrap_or_else(|| "upload".into()), bytes.to_vec())),
            _ => {}
        }
    }
    if !csrf::matches(&member.csrf, Some(&token)) {
        return Err(PortalError::Csrf);
    }
    let workspace = workspace(&portal, &member, &slug).await?;
    let refuse = |why: String, name: String, description: String| async {
        let page = workspace_page(&portal, &member, &workspace, Some(why), name, description).await?;
        Ok::<_, PortalError>(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let Some((file_name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
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
        Err(CreateError::Invalid(why)) => refuse(capitalized(&why), name, description).await,
        Err(err @ CreateError::Parse(_)) => refuse(capitalized(&err.to_string()), name, description).await,
        Err(CreateError::Store(err)) => Err(internal(err)),
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

pub async fn project(
    State(portal): State<Portal>,
    member: Member,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PortalError> {
    let workspace = workspace(&portal, &member, &slug).await?;
    let id: ProjectId = id.parse().map_err(|_| PortalError::NotFound)?;
    let store = portal.store();
    let project = store.project_by_id(id).await?;
    if project.workspace_id != workspace.id {
        return Err(PortalError::NotFound);
    }
    let variant = store.design_variants(id).await?.into_iter().next();
    let items = match &variant {
        Some(v) => store.bom_items(&v.id).await?,
        None => Vec::new(),
    };
    let part_ids: Vec<i64> =
        items.iter().filter_map(|i| i.manufacturer_parts.iter().find_map(|p| p.supply_part_id)).collect();
    // Through the API's catalogue and its cache of parts, so the page and the API price alike.
    let catalogue = &portal.catalogue;
    let parts: HashMap<i64, _> =
        catalogue.parts(&part_ids).await?.into_iter().map(|view| (view.part.id, view)).collect();
    let dictionary = catalogue.dictionary();
    let mut matched = 0;
    let lines = items
        .into_iter()
        .map(|item| {
            let first = item.manufacturer_parts.first();
            let linked = item.manufacturer_parts.iter().find_map(|p| p.supply_part_id);
            let (status, status_text) = match (first, linked) {
                (_, Some(_)) => ("matched", "Matched"),
                (Some(_), None) => ("unmatched", "Not in catalogue"),
                (None, None) => ("no-mpn", "No MPN"),
            };
            matched += usize::from(linked.is_some());
            let part = linked.and_then(|id| parts.get(&id));
            let quote = part.and_then(|p| best_quote(&p.offers, item.quantity, &catalogue.rates()));
            BomLine {
                designators: item.instances.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>().join(", "),
                quantity: item.quantity,
                name: item.name.clone(),
                description: item.description.clone(),
                manufacturer: first.map(|p| p.company_name.clone()).unwrap_or_default(),
                mpn: first.map(|p| p.part_number.clone()).unwrap_or_default(),
                part_page: part.map(|p| {
                    part_page(&p.part.mpn, name(&dictionary.manufacturers, p.part.manufacturer_id), p.part.id)
                }),
                status,
                status_text,
                stock: linked.map(|_| ferrite_core::plan::thousands(part.map_or(0, |p| p.stock()))).unwrap_or_default(),
                price: quote.as_ref().map(|q| format!("{:.4} {}", q.unit_price, q.currency)).unwrap_or_default(),
                seller: quote
                    .and_then(|q| dictionary.sellers.get(&q.seller_id))
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let parameters = store.project_parameters(id).await?;
    Ok(member.page(&ProjectPageView {
        shell: member.shell("designs"),
        slug: workspace.slug,
        workspace: workspace.name,
        name: project.name,
        description: project.description,
        created: datetime(project.created_at),
        parameters,
        lines,
        matched,
    }))
}
