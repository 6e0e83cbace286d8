//! Design workspaces. Every organization gets a default one in the transaction that creates it;
//! its URL slug comes from the organization's name (`acme`, or `acme-2` when taken).

use ferrite_core::{
    OrgId, WorkspaceId,
    design::Workspace,
    slug::{slug_choice, workspace_slug},
};

use crate::{
    Store, StoreError,
    db::{Execute, Tx, sql},
    parse_id, time,
};

/// Tries this many numbered slugs before falling back to one made unique by the workspace's id.
const SLUG_TRIES: u32 = 20;

/// The slugs to try for a workspace named `name`, in order: `acme`, `acme-2`, …, then one made
/// unique by the workspace's id.
fn slug_choices(id: WorkspaceId, name: &str) -> impl Iterator<Item = String> {
    let base = workspace_slug(name);
    let fallback = format!("{base}-{}", &id.0.simple().to_string()[24..]);
    (1..=SLUG_TRIES).map(move |n| slug_choice(&base, n)).chain(std::iter::once(fallback))
}

/// Inserts organization `org`'s default workspace named `name` inside the caller's transaction,
/// taking the first free slug.
pub(crate) async fn insert_default_workspace(tx: &mut Tx, org: OrgId, name: &str, at: i64) -> Result<(), StoreError> {
    let id = WorkspaceId::new();
    for slug in slug_choices(id, name) {
        // DO NOTHING rather than an error: on PostgreSQL an error would abort the transaction.
        let insert = sql("INSERT INTO workspaces (id, org_id, slug, name, description, is_default, created_at)
                          VALUES ($1, $2, $3, $4, '', TRUE, $5) ON CONFLICT DO NOTHING");
        if tx.execute(insert.bind(id.to_string()).bind(org.to_string()).bind(slug).bind(name).bind(at)).await? == 1 {
            return Ok(());
        }
    }
    Err(StoreError::Database("no free workspace slug".into()))
}

/// A workspace's row as stored.
#[derive(sqlx::FromRow)]
struct WorkspaceRow {
    id: String,
    org_id: String,
    slug: String,
    name: String,
    description: String,
    is_default: bool,
    created_at: i64,
}

const WORKSPACE_COLUMNS: &str = "id, org_id, slug, name, description, is_default, created_at";

impl WorkspaceRow {
    fn into_workspace(self) -> Result<Workspace, StoreError> {
        Ok(Workspace {
            id: parse_id(&self.id)?,
            org_id: parse_id(&self.org_id)?,
            slug: self.slug,
            name: self.name,
            description: self.description,
            is_default: self.is_default,
            created_at: time::from_db(self.created_at),
        })
    }
}

impl Store {
    /// The workspaces of these organizations: by organization in the order given, default first.
    pub async fn workspaces_of_orgs(&self, orgs: &[OrgId]) -> Result<Vec<Workspace>, StoreError> {
        let mut all = Vec::new();
        for org in orgs {
            let query = sql(format!(
                "SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE org_id = $1 ORDER BY is_default DESC, created_at, id"
            ));
            for row in self.main.fetch_all::<WorkspaceRow>(query.bind(org.to_string())).await? {
                all.push(row.into_workspace()?);
            }
        }
        Ok(all)
    }

    /// The workspace whose URL ends with `slug`. Callers check that the asker may see it.
    pub async fn workspace_by_slug(&self, slug: &str) -> Result<Workspace, StoreError> {
        self.workspace_where("slug = $1", slug.to_owned()).await
    }

    pub async fn workspace_by_id(&self, id: WorkspaceId) -> Result<Workspace, StoreError> {
        self.workspace_where("id = $1", id.to_string()).await
    }

    /// The organization's default workspace.
    pub async fn default_workspace(&self, org: OrgId) -> Result<Workspace, StoreError> {
        self.workspace_where("org_id = $1 AND is_default", org.to_string()).await
    }

    async fn workspace_where(&self, condition: &'static str, value: String) -> Result<Workspace, StoreError> {
        let query = sql(format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE {condition}"));
        self.main.fetch_one::<WorkspaceRow>(query.bind(value)).await?.into_workspace()
    }
}
