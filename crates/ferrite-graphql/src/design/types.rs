//! The design types, named and shaped as in Nexar's schema (a subset of their fields). Objects
//! are resolved lazily: a project reads its variants, a variant its BOM, only when asked.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject};
use ferrite_core::design::Workspace;
use ferrite_store::{BomItemRecord, ProjectRecord, VariantRecord};

use super::services;
use crate::{errors::internal, scalars::DateTimeScalar};

/// Where clients reach this server's design API and files endpoint.
#[derive(SimpleObject, Clone)]
pub struct DesWorkspaceLocation {
    pub name: String,
    pub api_service_url: String,
    pub files_service_url: String,
}

#[derive(SimpleObject)]
pub struct DesWorkspaceInfo {
    pub workspace_id: async_graphql::ID,
    pub name: String,
    /// `{public URL}/workspaces/{slug}`: what `desProjects(workspaceUrl:)` and
    /// `desUploadProject(input: {workspaceUrl})` take (the slug alone works too).
    pub url: String,
    pub auth_id: String,
    pub description: Option<String>,
    /// The caller's default: the default workspace of their first organization.
    pub is_default: bool,
    pub location: DesWorkspaceLocation,
}

pub fn workspace_url(public_url: &str, workspace: &Workspace) -> String {
    format!("{public_url}/workspaces/{}", workspace.slug)
}

pub fn location(public_url: &str) -> DesWorkspaceLocation {
    DesWorkspaceLocation {
        name: "Ferrite".into(),
        api_service_url: format!("{public_url}/graphql"),
        files_service_url: format!("{public_url}/files"),
    }
}

#[derive(Clone)]
pub struct DesProject {
    pub record: ProjectRecord,
    pub workspace_url: String,
}

#[derive(SimpleObject)]
pub struct DesProjectParameter {
    pub name: String,
    pub value: String,
}

#[Object]
impl DesProject {
    /// The node identifier for this project (used by `desProjectById`).
    async fn id(&self) -> async_graphql::ID {
        self.record.id.to_string().into()
    }

    /// The reference identifier for this project (the same id).
    async fn project_id(&self) -> String {
        self.record.id.to_string()
    }

    async fn name(&self) -> &str {
        &self.record.name
    }

    async fn description(&self) -> Option<&str> {
        Some(self.record.description.as_str()).filter(|d| !d.is_empty())
    }

    /// The project's page in the portal.
    async fn url(&self) -> String {
        format!("{}/projects/{}", self.workspace_url, self.record.id)
    }

    async fn workspace_url(&self) -> &str {
        &self.workspace_url
    }

    async fn created_at(&self) -> DateTimeScalar {
        DateTimeScalar(self.record.created_at)
    }

    async fn updated_at(&self) -> DateTimeScalar {
        DateTimeScalar(self.record.updated_at)
    }

    /// What the design file said about the design, and where it came from.
    async fn parameters(&self, ctx: &Context<'_>, names: Option<Vec<String>>) -> Result<Vec<DesProjectParameter>> {
        let all = services(ctx).identity.store().project_parameters(self.record.id).await.map_err(internal)?;
        Ok(all
            .into_iter()
            .filter(|(name, _)| names.as_ref().is_none_or(|wanted| wanted.contains(name)))
            .map(|(name, value)| DesProjectParameter { name, value })
            .collect())
    }

    async fn design(&self) -> DesDesign {
        DesDesign { project: self.record.id }
    }
}

pub struct DesDesign {
    project: ferrite_core::ProjectId,
}

#[Object]
impl DesDesign {
    /// The design's variants: one, `[No Variations]`, for an uploaded file.
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<DesWipVariant>> {
        let variants = services(ctx).identity.store().design_variants(self.project).await.map_err(internal)?;
        Ok(variants.into_iter().map(|record| DesWipVariant { record }).collect())
    }
}

pub struct DesWipVariant {
    record: VariantRecord,
}

#[Object]
impl DesWipVariant {
    async fn name(&self) -> &str {
        &self.record.name
    }

    async fn bom(&self) -> DesBom {
        DesBom { variant_id: self.record.id.clone() }
    }
}

pub struct DesBom {
    variant_id: String,
}

#[Object]
impl DesBom {
    /// The BOM's id (its variant's).
    async fn id(&self) -> async_graphql::ID {
        self.variant_id.clone().into()
    }

    /// Every item of the BOM, in designator order.
    async fn bom_items(&self, ctx: &Context<'_>) -> Result<Vec<DesBomItem>> {
        let items = services(ctx).identity.store().bom_items(&self.variant_id).await.map_err(internal)?;
        Ok(items.into_iter().map(|record| DesBomItem { record: Arc::new(record) }).collect())
    }
}

pub struct DesBomItem {
    record: Arc<BomItemRecord>,
}

#[Object]
impl DesBomItem {
    async fn quantity(&self) -> i32 {
        self.record.quantity.clamp(0, i64::from(i32::MAX)) as i32
    }

    async fn bom_item_instances(&self) -> Vec<DesBomItemInstance> {
        self.record
            .instances
            .iter()
            .map(|(designator, fitted)| DesBomItemInstance { designator: designator.clone(), is_fitted: *fitted })
            .collect()
    }

    async fn component(&self) -> DesComponent {
        DesComponent { record: self.record.clone() }
    }
}

#[derive(SimpleObject)]
pub struct DesBomItemInstance {
    pub designator: String,
    pub is_fitted: bool,
}

pub struct DesComponent {
    record: Arc<BomItemRecord>,
}

#[Object]
impl DesComponent {
    async fn id(&self) -> async_graphql::ID {
        self.record.id.clone().into()
    }

    async fn name(&self) -> &str {
        &self.record.name
    }

    async fn description(&self) -> &str {
        &self.record.description
    }

    /// The value, as Altium's "Comment" holds it.
    async fn comment(&self) -> &str {
        &self.record.value
    }

    /// The part choices, preferred first; the line's distributor codes go with the first.
    async fn manufacturer_parts(&self) -> Vec<DesManufacturerPart> {
        self.record
            .manufacturer_parts
            .iter()
            .enumerate()
            .map(|(priority, part)| DesManufacturerPart {
                company_name: part.company_name.clone(),
                part_number: part.part_number.clone(),
                octopart_id: part.supply_part_id.map(|id| id.to_string()),
                priority: priority as i32,
                supplier_parts: if priority == 0 {
                    self.record
                        .supplier_parts
                        .iter()
                        .map(|(seller, sku)| DesSupplierPart { company_name: seller.clone(), part_number: sku.clone() })
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct DesManufacturerPart {
    pub company_name: String,
    pub part_number: String,
    /// The supply part (`supParts(ids:)`) this MPN and manufacturer matched; null when none did.
    pub octopart_id: Option<String>,
    pub priority: i32,
    pub supplier_parts: Vec<DesSupplierPart>,
}

#[derive(SimpleObject)]
pub struct DesSupplierPart {
    pub company_name: String,
    pub part_number: String,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct DesProjectEdge {
    pub cursor: String,
    pub node: DesProject,
}

pub struct DesProjectConnection {
    pub page_info: PageInfo,
    pub projects: Vec<(String, DesProject)>,
    pub total_count: i32,
}

#[Object]
impl DesProjectConnection {
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }

    async fn edges(&self) -> Vec<DesProjectEdge> {
        self.projects.iter().map(|(cursor, p)| DesProjectEdge { cursor: cursor.clone(), node: p.clone() }).collect()
    }

    async fn nodes(&self) -> Vec<DesProject> {
        self.projects.iter().map(|(_, p)| p.clone()).collect()
    }

    async fn total_count(&self) -> i32 {
        self.total_count
    }
}

#[derive(async_graphql::InputObject)]
pub struct DesUploadProjectInput {
    /// The workspace's URL as `desWorkspaceInfos` gives it (or its last segment).
    pub workspace_url: String,
    /// The id `POST /files/upload` answered with.
    pub file_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Accepted for compatibility; workspaces here have no folders.
    pub folder_path: Option<String>,
}

#[derive(SimpleObject)]
pub struct DesPayloadError {
    pub message: String,
}

#[derive(SimpleObject)]
pub struct DesUploadProjectPayload {
    pub project_id: async_graphql::ID,
    /// Always empty: a project that cannot be made is a GraphQL error naming why.
    pub errors: Vec<DesPayloadError>,
}
