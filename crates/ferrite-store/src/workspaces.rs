//! Design workspaces. Every organization gets a default one in the transaction that creates it;
//! its URL slug comes from the organization's name (`acme`, or `acme-2` when taken).

use ferrite_core::{
    OrgId, WorkspaceId,
    design::Workspace,
    slug::{slug_choice, workspace_slug},
};

use crate::{Store, StoreError, dispatch, parse_id, time};

/// Tries this many numbered slugs before falling back to one made unique by the workspace's id.
const SLUG_TRIES: u32 = 20;

/// The slugs to try for a workspace named `name`, in order: `acme`, `acme-2`, …, then one made
/// unique by the workspace's id.
pub(crate) fn slug_choices(id: WorkspaceId, name: &str) -> impl Iterator<Item = String> {
    let base = workspace_slug(name);
    let fallback = format!("{base}-{}", &id.0.simple().to_string()[24..]);
    (1..=SLUG_TRIES).map(move |n| slug_choice(&base, n)).chain(std::iter::once(fallback))
}

/// Inside a transaction on `$tx` (either backend): inserts organization `$org`'s default workspace
/// named `$name`, taking the first free slug. A macro so that each backend's body is compiled natively.
macro_rules! insert_default_workspace {
    ($tx:ident, $org:expr, $name:expr, $at:expr) => {{
        let id = ferrite_core::WorkspaceId::new();
        let mut inserted = false;
        for slug in $crate::workspaces::slug_choices(id, $name) {
            // DO NOTHING rather than an error: on PostgreSQL an error would abort the transaction.
            let done = sqlx::query(
                "INSERT INTO workspaces (id, org_id, slug, name, description, is_default, created_at)
                 VALUES ($1, $2, $3, $4, '', TRUE, $5) ON CONFLICT DO NOTHING",
            )
            .bind(id.to_string())
            .bind($org.to_string())
            .bind(slug)
            .bind($name)
            .bind($at)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if done == 1 {
                inserted = true;
                break;
            }
        }
        if !inserted {
            return Err(StoreError::Database("no free workspace slug".into()));
        }
    }};
}
pub(crate) use insert_default_workspace;

type WorkspaceRow = (String, String, String, String, String, bool, i64);
const WORKSPACE_COLUMNS: &str = "id, org_id, slug, name, description, is_default, created_at";

fn workspace(
    (id, org_id, slug, name, description, is_default, created_at): WorkspaceRow,
) -> Result<Workspace, StoreError> {
    Ok(Workspace {
        id: parse_id(&id)?,
        org_id: parse_id(&org_id)?,
        slug,
        name,
        description,
        is_default,
        created_at: time::from_db(created_at),
    })
}

impl Store {
    /// The workspaces of these organizations: by organization in the order given, default first.
    pub async fn workspaces_of_orgs(&self, orgs: &[OrgId]) -> Result<Vec<Workspace>, StoreError> {
        let mut all = Vec::new();
        for org in orgs {
            let sql = format!(
                "SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE org_id = $1 ORDER BY is_default DESC, created_at, id"
            );
            let rows: Vec<WorkspaceRow> =
                dispatch!(self, pool => sqlx::query_as(&sql).bind(org.to_string()).fetch_all(pool).await)?;
            for row in rows {
                all.push(workspace(row)?);
            }
        }
        Ok(all)
    }

    /// The workspace whose URL ends with `slug`. Callers check that the asker may see it.
    pub async fn workspace_by_slug(&self, slug: &str) -> Result<Workspace, StoreError> {
        let sql = format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE slug = $1");
        let row: WorkspaceRow = dispatch!(self, pool => sqlx::query_as(&sql).bind(slug).fetch_one(pool).await)?;
        workspace(row)
    }

    pub async fn workspace_by_id(&self, id: WorkspaceId) -> Result<Workspace, StoreError> {
        let sql = format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1");
        let row: WorkspaceRow =
            dispatch!(self, pool => sqlx::query_as(&sql).bind(id.to_string()).fetch_one(pool).await)?;
        workspace(row)
    }

    /// The organization's default workspace.
    pub async fn default_workspace(&self, org: OrgId) -> Result<Workspace, StoreError> {
        let sql = format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE org_id = $1 AND is_default");
        let row: WorkspaceRow =
            dispatch!(self, pool => sqlx::query_as(&sql).bind(org.to_string()).fetch_one(pool).await)?;
        workspace(row)
    }
}
