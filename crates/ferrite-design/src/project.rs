//! Making a project of a design file: parse it, link its parts to the catalogue, and store the
//! project whole — with its one variant and that variant's BOM — in one transaction, using up the
//! uploaded file in the same transaction; or a project's design uploaded anew as a new revision.
//! A file that does not parse stores nothing.

use chrono::{DateTime, Utc};
use ferrite_core::{DesignFileId, ProjectId, WorkspaceId};
use ferrite_store::{
    ManufacturerPartRecord, NewBomItem, NewProject, NewRevision, NewVariant, ProjectRecord, Store, StoreError,
};

use crate::{Bom, ParseError, linking::link};

/// A design without variants has one, named as Altium 365 names it.
pub const DEFAULT_VARIANT: &str = "[No Variations]";
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The name or description given with the file.
    #[error("{0}")]
    Invalid(String),
    #[error("the design file could not be read: {0}")]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file to make a project of, and what the project is to be called.
pub struct Upload {
    pub workspace: WorkspaceId,
    pub name: String,
    pub description: String,
    /// A person's id, or the client id of an app acting for itself.
    pub created_by: String,
    /// The file as uploaded: its name (kept as a parameter) and bytes.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The stored upload to use up, if the bytes come from one.
    pub file: Option<DesignFileId>,
}

/// A project's name: trimmed, 1 to 200 characters.
pub fn validate_name(name: &str) -> Result<String, CreateError> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err(CreateError::Invalid("the project needs a name".into())),
        n if n > MAX_NAME_CHARS => {
            Err(CreateError::Invalid(format!("the project name must be at most {MAX_NAME_CHARS} characters")))
        }
        _ => Ok(name.to_owned()),
    }
}

pub fn validate_description(description: &str) -> Result<String, CreateError> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(CreateError::Invalid(format!(
            "the project description must be at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(description.to_owned())
}

pub async fn create_project(store: &Store, upload: Upload, now: DateTime<Utc>) -> Result<ProjectRecord, CreateError> {
    let name = validate_name(&upload.name)?;
    let description = validate_description(&upload.description)?;
    let design = design_of(store, upload.created_by, upload.file_name, upload.bytes).await?;
    let new = NewProject { workspace_id: upload.workspace, name, description, design, from_file: upload.file };
    Ok(store.create_project(&new, now).await?)
}

/// Uploads a project's design anew: a new revision, the earlier ones kept. Returns its number.
pub async fn add_revision(
    store: &Store,
    project: ProjectId,
    created_by: String,
    file_name: String,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<i64, CreateError> {
    let design = design_of(store, created_by, file_name, bytes).await?;
    Ok(store.add_revision(project, &design, now).await?)
}

/// A design file as a project's revision: parsed, its parts linked to the catalogue, with its one
/// variant's BOM and the file's parameters.
async fn design_of(
    store: &Store,
    created_by: String,
    file_name: String,
    bytes: Vec<u8>,
) -> Result<NewRevision, CreateError> {
    let bom = parse_off_the_runtime(bytes).await?;
    let links = link(store, &bom).await?;
    let mut parameters = bom.parameters.clone();
    parameters.retain(|(name, _)| !["SourceFile", "SourceFormat", "Components"].contains(&name.as_str()));
    parameters.push(("SourceFile".into(), file_name.clone()));
    parameters.push(("SourceFormat".into(), bom.format.label()));
    parameters.push(("Components".into(), bom.components.to_string()));
    let items = bom.items.into_iter().zip(links).map(|(item, links)| NewBomItem {
        name: item.name,
        description: item.description,
        value: item.value,
        footprint: item.footprint,
        quantity: i64::from(item.quantity),
        instances: item.instances.into_iter().map(|i| (i.designator, i.fitted)).collect(),
        supplier_parts: item.supplier_parts.into_iter().map(|s| (s.seller, s.sku)).collect(),
        manufacturer_parts: item
            .parts
            .into_iter()
            .zip(links)
            .map(|(part, supply_part_id)| ManufacturerPartRecord {
                company_name: part.manufacturer,
                part_number: part.mpn,
                supply_part_id,
            })
            .collect(),
    });
    Ok(NewRevision {
        created_by,
        source_file: file_name,
        parameters,
        variants: vec![NewVariant { name: DEFAULT_VARIANT.into(), items: items.collect() }],
    })
}

/// Parsing a large file takes a while: not on the threads that serve requests.
async fn parse_off_the_runtime(bytes: Vec<u8>) -> Result<Bom, ParseError> {
    match tokio::task::spawn_blocking(move || crate::parse(&bytes)).await {
        Ok(result) => result,
        Err(err) => Err(ParseError::file(format!("the file could not be parsed: {err}"))),
    }
}
