//! Design projects: a project, its parameters, its design's variants and each variant's BOM, all
//! written in one transaction (a project is stored whole or not at all) and read back in parts.

use chrono::{DateTime, Utc};
use ferrite_core::{DesignFileId, ProjectId, WorkspaceId};
use uuid::Uuid;

use crate::{
    Store, StoreError,
    backend::Backend,
    db::{Execute, Tx, sql},
    parse_id, time,
};

/// A manufacturer's part on a BOM line, with the supply part it matched (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManufacturerPartRecord {
    pub company_name: String,
    pub part_number: String,
    pub supply_part_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewBomItem {
    pub name: String,
    pub description: String,
    pub value: String,
    pub footprint: String,
    pub quantity: i64,
    /// (designator, fitted)
    pub instances: Vec<(String, bool)>,
    /// (seller, sku)
    pub supplier_parts: Vec<(String, String)>,
    pub manufacturer_parts: Vec<ManufacturerPartRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVariant {
    pub name: String,
    pub items: Vec<NewBomItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub description: String,
    /// The project's first design.
    pub design: NewRevision,
    /// The uploaded file the project is made of: deleted in the same transaction, and the
    /// project is refused (`NotFound`) when it is gone — used already, or expired.
    pub from_file: Option<DesignFileId>,
}

/// A design of a project: its first, or one uploaded anew. It replaces the project's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevision {
    /// A person's id, or the client id of an app acting for itself.
    pub created_by: String,
    /// The name of the file it was made of.
    pub source_file: String,
    pub parameters: Vec<(String, String)>,
    pub variants: Vec<NewVariant>,
}

/// One of a project's designs, in upload order from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub number: i64,
    pub source_file: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RevisionRow {
    number: i64,
    source_file: String,
    created_by: String,
    created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    pub id: ProjectId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub description: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VariantRecord {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BomItemRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    pub value: String,
    pub footprint: String,
    pub quantity: i64,
    pub instances: Vec<(String, bool)>,
    pub supplier_parts: Vec<(String, String)>,
    pub manufacturer_parts: Vec<ManufacturerPartRecord>,
}

/// Which page of a workspace's projects (oldest first): `limit` after `after`, or — `from_end` —
/// the last `limit` before `before`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectPage {
    pub after: Option<ProjectId>,
    pub before: Option<ProjectId>,
    pub limit: i64,
    pub from_end: bool,
}

/// A project's row as stored.
#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: String,
    workspace_id: String,
    name: String,
    description: String,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

const PROJECT_COLUMNS: &str = "id, workspace_id, name, description, created_by, created_at, updated_at";

impl ProjectRow {
    fn into_record(self) -> Result<ProjectRecord, StoreError> {
        Ok(ProjectRecord {
            id: parse_id(&self.id)?,
            workspace_id: parse_id(&self.workspace_id)?,
            name: self.name,
            description: self.description,
            created_by: self.created_by,
            created_at: time::from_db(self.created_at),
            updated_at: time::from_db(self.updated_at),
        })
    }
}

/// A BOM item's row as stored (designators and supplier parts as JSON).
#[derive(sqlx::FromRow)]
struct BomItemRow {
    id: String,
    name: String,
    description: String,
    value: String,
    footprint: String,
    quantity: i64,
    instances: String,
    supplier_parts: String,
}

/// A manufacturer part's row, with the item it belongs to.
#[derive(sqlx::FromRow)]
struct ManufacturerPartRow {
    item_id: String,
    company_name: String,
    part_number: String,
    supply_part_id: Option<i64>,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(format!("stored {what} is not valid JSON: {e}")))
}

/// A variant and its BOM, inside the project's transaction.
async fn insert_variant(
    tx: &mut Tx,
    project: ProjectId,
    revision: i64,
    position: i64,
    variant: &NewVariant,
) -> Result<(), StoreError> {
    let variant_id = Uuid::now_v7().to_string();
    let insert =
        sql("INSERT INTO design_variants (id, project_id, revision, position, name) VALUES ($1, $2, $3, $4, $5)");
    tx.execute(insert.bind(&variant_id).bind(project.to_string()).bind(revision).bind(position).bind(&variant.name))
        .await?;
    for (position, item) in variant.items.iter().enumerate() {
        let item_id = Uuid::now_v7().to_string();
        let insert =
            sql("INSERT INTO bom_items (id, variant_id, position, name, description, value, footprint, quantity,
                                    instances, supplier_parts)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
        tx.execute(
            insert
                .bind(&item_id)
                .bind(&variant_id)
                .bind(position as i64)
                .bind(&item.name)
                .bind(&item.description)
                .bind(&item.value)
                .bind(&item.footprint)
                .bind(item.quantity)
                .bind(json(&item.instances))
                .bind(json(&item.supplier_parts)),
        )
        .await?;
        for (position, part) in item.manufacturer_parts.iter().enumerate() {
            let insert =
                sql("INSERT INTO bom_manufacturer_parts (item_id, position, company_name, part_number, supply_part_id)
                 VALUES ($1, $2, $3, $4, $5)");
            tx.execute(
                insert
                    .bind(&item_id)
                    .bind(position as i64)
                    .bind(&part.company_name)
                    .bind(&part.part_number)
                    .bind(part.supply_part_id),
            )
            .await?;
        }
    }
    Ok(())
}

/// Writes a project's revision `number` — its row, its variants (positions from `first_position`)
/// with their BOMs — and makes its parameters the project's, inside the caller's transaction.
async fn insert_revision(
    tx: &mut Tx,
    project: ProjectId,
    number: i64,
    first_position: i64,
    revision: &NewRevision,
    at: i64,
) -> Result<(), StoreError> {
    let insert = sql("INSERT INTO design_revisions (project_id, number, source_file, created_by, created_at)
                      VALUES ($1, $2, $3, $4, $5)");
    tx.execute(
        insert.bind(project.to_string()).bind(number).bind(&revision.source_file).bind(&revision.created_by).bind(at),
    )
    .await?;
    tx.execute(sql("DELETE FROM project_parameters WHERE project_id = $1").bind(project.to_string())).await?;
    for (name, value) in &revision.parameters {
        let insert = sql("INSERT INTO project_parameters (project_id, name, value) VALUES ($1, $2, $3)");
        tx.execute(insert.bind(project.to_string()).bind(name).bind(value)).await?;
    }
    for (position, variant) in (first_position..).zip(&revision.variants) {
        insert_variant(tx, project, number, position, variant).await?;
    }
    Ok(())
}

impl Store {
    /// Stores a project whole, using up the file it was made of (`from_file`): a file makes one
    /// project, also when two requests race for it. On PostgreSQL the file is deleted in the
    /// project's transaction. On SQLite files are in a database file of their own: the file is
    /// claimed first (one request wins it), then the project stored, then the file deleted — or
    /// its claim released when the project could not be stored. A claim that cannot be settled
    /// (the process killed, a full disk) keeps the file from making a project until it expires.
    pub async fn create_project(&self, new: &NewProject, now: DateTime<Utc>) -> Result<ProjectRecord, StoreError> {
        let claimed = match (self.uploads.backend(), new.from_file) {
            (Backend::Sqlite, Some(file)) => {
                self.claim_sqlite_design_file(file, now).await?;
                Some(file)
            }
            _ => None,
        };
        let stored = self.insert_project(new, claimed.is_none(), now).await;
        if let Some(file) = claimed
            && let Err(err) = self.settle_sqlite_claim(file, stored.is_ok()).await
        {
            tracing::warn!(%file, used = stored.is_ok(), error = %err, "an uploaded file's claim could not be settled; it stays claimed until it expires");
        }
        stored
    }

    /// The project's rows in one transaction; with `use_file`, the file it was made of is deleted
    /// in it (same database) or the transaction fails with `NotFound`.
    async fn insert_project(
        &self,
        new: &NewProject,
        use_file: bool,
        now: DateTime<Utc>,
    ) -> Result<ProjectRecord, StoreError> {
        let id = ProjectId::new();
        let at = time::to_db(now);
        let mut tx = self.main.begin().await?;
        if let Some(file) = new.from_file.filter(|_| use_file) {
            let use_up = sql("DELETE FROM design_files WHERE id = $1 AND expires_at > $2");
            if tx.execute(use_up.bind(file.to_string()).bind(at)).await? == 0 {
                return Err(StoreError::NotFound);
            }
        }
        let insert =
            sql("INSERT INTO projects (id, workspace_id, name, description, created_by, created_at, updated_at)
                          VALUES ($1, $2, $3, $4, $5, $6, $6)");
        tx.execute(
            insert
                .bind(id.to_string())
                .bind(new.workspace_id.to_string())
                .bind(&new.name)
                .bind(&new.description)
                .bind(&new.design.created_by)
                .bind(at),
        )
        .await?;
        insert_revision(&mut tx, id, 1, 0, &new.design, at).await?;
        tx.commit().await?;
        self.project_by_id(id).await
    }

    /// Adds a revision to a project — its design uploaded anew — and returns its number. The
    /// earlier revisions stay as they were; the project's parameters become the new one's.
    pub async fn add_revision(
        &self,
        project: ProjectId,
        revision: &NewRevision,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let at = time::to_db(now);
        let mut tx = self.main.begin_immediate().await?;
        let lock = match tx.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        };
        let touch = sql(format!("SELECT id FROM projects WHERE id = $1{lock}"));
        tx.fetch_one::<(String,)>(touch.bind(project.to_string())).await?;
        let last = sql("SELECT COALESCE(MAX(r.number), 0), COALESCE((SELECT MAX(position) + 1 FROM design_variants
                                                                      WHERE project_id = $1), 0)
                        FROM design_revisions r WHERE r.project_id = $1");
        let (last, first_position): (i64, i64) = tx.fetch_one(last.bind(project.to_string())).await?;
        insert_revision(&mut tx, project, last + 1, first_position, revision, at).await?;
        tx.execute(sql("UPDATE projects SET updated_at = $2 WHERE id = $1").bind(project.to_string()).bind(at)).await?;
        tx.commit().await?;
        Ok(last + 1)
    }

    /// Renames a project and sets its description.
    pub async fn update_project(
        &self,
        project: ProjectId,
        name: &str,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let update = sql("UPDATE projects SET name = $2, description = $3, updated_at = $4 WHERE id = $1");
        let query = update.bind(project.to_string()).bind(name).bind(description).bind(time::to_db(now));
        match self.main.execute(query).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// Deletes a project with every revision, variant and BOM of it.
    pub async fn delete_project(&self, project: ProjectId) -> Result<(), StoreError> {
        match self.main.execute(sql("DELETE FROM projects WHERE id = $1").bind(project.to_string())).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    /// A project's revisions, newest first.
    pub async fn revisions(&self, project: ProjectId) -> Result<Vec<RevisionRecord>, StoreError> {
        let query = sql("SELECT number, source_file, created_by, created_at FROM design_revisions
                         WHERE project_id = $1 ORDER BY number DESC");
        let rows: Vec<RevisionRow> = self.main.fetch_all(query.bind(project.to_string())).await?;
        Ok(rows
            .into_iter()
            .map(|r| RevisionRecord {
                number: r.number,
                source_file: r.source_file,
                created_by: r.created_by,
                created_at: time::from_db(r.created_at),
            })
            .collect())
    }

    /// A project by id. Callers check that the asker may see its workspace.
    pub async fn project_by_id(&self, id: ProjectId) -> Result<ProjectRecord, StoreError> {
        let query = sql(format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1"));
        self.main.fetch_one::<ProjectRow>(query.bind(id.to_string())).await?.into_record()
    }

    /// A page of a workspace's projects, oldest first.
    pub async fn projects_of_workspace(
        &self,
        workspace: WorkspaceId,
        page: ProjectPage,
    ) -> Result<Vec<ProjectRecord>, StoreError> {
        // Ids are lower-case UUIDs: '' sorts before all of them and '~' after.
        let after = page.after.map_or_else(String::new, |id| id.to_string());
        let before = page.before.map_or_else(|| "~".to_owned(), |id| id.to_string());
        let order = if page.from_end { "DESC" } else { "ASC" };
        let query = sql(format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE workspace_id = $1 AND id > $2 AND id < $3 ORDER BY id {order} LIMIT $4"
        ));
        let rows: Vec<ProjectRow> = self
            .main
            .fetch_all(query.bind(workspace.to_string()).bind(&after).bind(&before).bind(page.limit.max(0)))
            .await?;
        let mut projects = rows.into_iter().map(ProjectRow::into_record).collect::<Result<Vec<_>, _>>()?;
        if page.from_end {
            projects.reverse();
        }
        Ok(projects)
    }

    /// How many projects a workspace has; with `after`/`before`, how many come after (or before) that one.
    pub async fn count_projects(
        &self,
        workspace: WorkspaceId,
        after: Option<ProjectId>,
        before: Option<ProjectId>,
    ) -> Result<i64, StoreError> {
        let after = after.map_or_else(String::new, |id| id.to_string());
        let before = before.map_or_else(|| "~".to_owned(), |id| id.to_string());
        let query = sql("SELECT COUNT(*) FROM projects WHERE workspace_id = $1 AND id > $2 AND id < $3");
        self.main.scalar(query.bind(workspace.to_string()).bind(&after).bind(&before)).await
    }

    pub async fn project_parameters(&self, id: ProjectId) -> Result<Vec<(String, String)>, StoreError> {
        let query = sql("SELECT name, value FROM project_parameters WHERE project_id = $1 ORDER BY name");
        self.main.fetch_all(query.bind(id.to_string())).await
    }

    /// The variants of a project's current design (its last revision).
    pub async fn design_variants(&self, project: ProjectId) -> Result<Vec<VariantRecord>, StoreError> {
        self.revision_variants(project, None).await
    }

    /// The variants of a project's revision `number`, or of its last.
    pub async fn revision_variants(
        &self,
        project: ProjectId,
        number: Option<i64>,
    ) -> Result<Vec<VariantRecord>, StoreError> {
        let query = sql("SELECT id, name FROM design_variants
                         WHERE project_id = $1
                           AND revision = COALESCE($2, (SELECT MAX(revision) FROM design_variants WHERE project_id = $1))
                         ORDER BY position");
        self.main.fetch_all(query.bind(project.to_string()).bind(number)).await
    }

    /// A variant's BOM items in order, with their manufacturer parts.
    pub async fn bom_items(&self, variant_id: &str) -> Result<Vec<BomItemRecord>, StoreError> {
        let items = sql("SELECT id, name, description, value, footprint, quantity, instances, supplier_parts
                         FROM bom_items WHERE variant_id = $1 ORDER BY position");
        let rows: Vec<BomItemRow> = self.main.fetch_all(items.bind(variant_id)).await?;
        let parts = sql("SELECT p.item_id, p.company_name, p.part_number, p.supply_part_id
                         FROM bom_manufacturer_parts p JOIN bom_items i ON i.id = p.item_id
                         WHERE i.variant_id = $1 ORDER BY p.item_id, p.position");
        let parts: Vec<ManufacturerPartRow> = self.main.fetch_all(parts.bind(variant_id)).await?;
        let mut by_item: std::collections::HashMap<String, Vec<ManufacturerPartRecord>> = Default::default();
        for part in parts {
            by_item.entry(part.item_id).or_default().push(ManufacturerPartRecord {
                company_name: part.company_name,
                part_number: part.part_number,
                supply_part_id: part.supply_part_id,
            });
        }
        rows.into_iter()
            .map(|row| {
                Ok(BomItemRecord {
                    manufacturer_parts: by_item.remove(&row.id).unwrap_or_default(),
                    instances: from_json("designators", &row.instances)?,
                    supplier_parts: from_json("supplier parts", &row.supplier_parts)?,
                    id: row.id,
                    name: row.name,
                    description: row.description,
                    value: row.value,
                    footprint: row.footprint,
                    quantity: row.quantity,
                })
            })
            .collect()
    }
}
