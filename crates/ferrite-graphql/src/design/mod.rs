//! The `des*` root fields (scope `design.domain`): workspaces, projects made from uploaded design
//! files, and their BOMs; and `POST /files/upload`, where those files arrive. Who sees what is
//! `access`'s rule: a person's organizations, or the app's own.

mod access;
mod types;
pub mod upload;

use std::sync::Arc;

use async_graphql::{Context, Object, Result};
use ferrite_core::{DesignFileId, ProjectId, scope::Scope};
use ferrite_design::project::{CreateError, Upload, create_project};
use ferrite_store::{ProjectPage, StoreError};

pub use access::visible_orgs;
use types::{
    DesProject, DesProjectConnection, DesUploadProjectInput, DesUploadProjectPayload, DesWorkspaceInfo, PageInfo,
    location, workspace_url,
};

use crate::{
    Caller, Services,
    errors::{bad_argument, coded, internal},
};

fn services<'a>(ctx: &'a Context<'_>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

/// Projects per page when the client does not say, and at most.
const DEFAULT_PAGE: i32 = 10;
const MAX_PAGE: i32 = 100;

fn not_found(what: impl Into<String>) -> async_graphql::Error {
    coded(what, "NotFound")
}

fn workspace_not_found(url: &str) -> async_graphql::Error {
    not_found(format!("There is no workspace `{url}` that this token may see. `desWorkspaceInfos` lists them."))
}

#[derive(Default)]
pub struct DesignQuery;

#[Object]
impl DesignQuery {
    /// The workspaces the caller sees: a person's organizations' (for a token acting for a
    /// person), or the app's organization's (client credentials).
    async fn des_workspace_infos(&self, ctx: &Context<'_>) -> Result<Vec<DesWorkspaceInfo>> {
        let caller = Caller::require(ctx, Scope::DesignDomain)?;
        let services = services(ctx);
        let store = services.identity.store();
        let orgs = visible_orgs(store, &caller.claims).await.map_err(internal)?.ids();
        let workspaces = store.workspaces_of_orgs(&orgs).await.map_err(internal)?;
        let first_default = workspaces.iter().position(|w| w.is_default);
        Ok(workspaces
            .into_iter()
            .enumerate()
            .map(|(i, w)| DesWorkspaceInfo {
                workspace_id: w.id.to_string().into(),
                url: workspace_url(&services.public_url, &w),
                auth_id: w.id.to_string(),
                description: Some(w.description.clone()).filter(|d| !d.is_empty()),
                is_default: Some(i) == first_default,
                location: location(&services.public_url),
                name: w.name,
            })
            .collect())
    }

    /// A workspace's projects, oldest first, as a Relay connection (`first`/`after` forward,
    /// `last`/`before` backward; at most 100 a page).
    async fn des_projects(
        &self,
        ctx: &Context<'_>,
        workspace_url: String,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<DesProjectConnection>> {
        let caller = Caller::require(ctx, Scope::DesignDomain)?;
        let services = services(ctx);
        let store = services.identity.store();
        let Some(workspace) =
            access::visible_workspace(store, &caller.claims, &workspace_url).await.map_err(internal)?
        else {
            return Err(workspace_not_found(&workspace_url));
        };
        let cursor = |name: &str, value: Option<String>| -> Result<Option<ProjectId>> {
            value
                .map(|v| v.parse().map_err(|_| bad_argument(format!("`{name}` is not a cursor of this connection"))))
                .transpose()
        };
        let (after, before) = (cursor("after", after)?, cursor("before", before)?);
        let count = |name: &str, n: Option<i32>| -> Result<Option<i32>> {
            match n {
                Some(n) if !(0..=MAX_PAGE).contains(&n) => {
                    Err(bad_argument(format!("{name} must be between 0 and {MAX_PAGE}")))
                }
                n => Ok(n),
            }
        };
        let (first, last) = (count("first", first)?, count("last", last)?);
        let from_end = last.is_some() && first.is_none();
        let limit = if from_end { last.unwrap_or(DEFAULT_PAGE) } else { first.unwrap_or(DEFAULT_PAGE) };
        let page = ProjectPage { after, before, limit: i64::from(limit) + 1, from_end };
        let mut records = store.projects_of_workspace(workspace.id, page).await.map_err(internal)?;
        let more = records.len() > limit as usize;
        if more {
            if from_end {
                records.remove(0);
            } else {
                records.truncate(limit as usize);
            }
        }
        let total = store.count_projects(workspace.id, None, None).await.map_err(internal)?;
        let url = types::workspace_url(&services.public_url, &workspace);
        let projects: Vec<(String, DesProject)> = records
            .into_iter()
            .map(|record| (record.id.to_string(), DesProject { record, workspace_url: url.clone() }))
            .collect();
        let page_info = PageInfo {
            has_next_page: if from_end { before.is_some() } else { more },
            has_previous_page: if from_end { more } else { after.is_some() },
            start_cursor: projects.first().map(|(c, _)| c.clone()),
            end_cursor: projects.last().map(|(c, _)| c.clone()),
        };
        Ok(Some(DesProjectConnection { page_info, projects, total_count: total.min(i64::from(i32::MAX)) as i32 }))
    }

    /// One project the caller may see; null for any other id.
    async fn des_project_by_id(&self, ctx: &Context<'_>, id: async_graphql::ID) -> Result<Option<DesProject>> {
        let caller = Caller::require(ctx, Scope::DesignDomain)?;
        let services = services(ctx);
        let store = services.identity.store();
        let Ok(id) = id.parse::<ProjectId>() else { return Ok(None) };
        let record = match store.project_by_id(id).await {
            Ok(record) => record,
            Err(StoreError::NotFound) => return Ok(None),
            Err(err) => return Err(internal(err)),
        };
        let workspace = store.workspace_by_id(record.workspace_id).await.map_err(internal)?;
        let visible = visible_orgs(store, &caller.claims).await.map_err(internal)?;
        if !visible.sees(workspace.org_id) {
            return Ok(None);
        }
        Ok(Some(DesProject { workspace_url: workspace_url(&services.public_url, &workspace), record }))
    }
}

#[derive(Default)]
pub struct DesignMutation;

#[Object]
impl DesignMutation {
    /// Makes a project of a file uploaded to `POST /files/upload` (KiCad netlist/BOM XML, or a
    /// CSV/TSV BOM). The project is made whole or not at all; the file is used up by it.
    async fn des_upload_project(
        &self,
        ctx: &Context<'_>,
        input: DesUploadProjectInput,
    ) -> Result<DesUploadProjectPayload> {
        let caller = Caller::require(ctx, Scope::DesignDomain)?;
        let services = services(ctx);
        let store = services.identity.store();
        let claims = &caller.claims;
        let now = services.identity.now();
        let no_file = || {
            not_found(format!(
                "There is no uploaded file `{}` (files expire an hour after upload and make one project).",
                input.file_id
            ))
        };
        let file_id: DesignFileId = input.file_id.parse().map_err(|_| no_file())?;
        let (file, bytes) = match store.design_file(file_id, now).await {
            Ok(found) => found,
            Err(StoreError::NotFound) => return Err(no_file()),
            Err(err) => return Err(internal(err)),
        };
        // Files are private to whoever uploaded them, through the app they used.
        if file.uploader != claims.sub || file.client_id != claims.client_id {
            return Err(no_file());
        }
        let Some(workspace) = access::visible_workspace(store, claims, &input.workspace_url).await.map_err(internal)?
        else {
            return Err(workspace_not_found(&input.workspace_url));
        };
        let upload = Upload {
            workspace: workspace.id,
            name: input.name,
            description: input.description.unwrap_or_default(),
            created_by: claims.sub.clone(),
            file_name: file.name,
            bytes,
            file: Some(file_id),
        };
        match create_project(store, upload, now).await {
            Ok(project) => {
                Ok(DesUploadProjectPayload { project_id: project.id.to_string().into(), errors: Vec::new() })
            }
            Err(CreateError::Invalid(why)) => Err(bad_argument(why)),
            Err(CreateError::Parse(err)) => {
                Err(coded(format!("The design file could not be read: {err}"), "DesignFileInvalid"))
            }
            Err(CreateError::Store(StoreError::NotFound)) => Err(no_file()),
            Err(CreateError::Store(err)) => Err(internal(err)),
        }
    }
}
