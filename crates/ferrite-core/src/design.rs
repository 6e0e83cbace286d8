//! Design data's domain: workspaces (their slugs are `crate::slug`'s).

use chrono::{DateTime, Utc};

use crate::{OrgId, WorkspaceId};

/// A workspace: an organization's container of projects. Every organization has a default one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub org_id: OrgId,
    /// Unique across the server: the last segment of the workspace's URL.
    pub slug: String,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}
