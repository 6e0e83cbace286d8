//! Uploaded design files: kept in the database (so any node can read them) until a project is
//! made of one — which deletes it in the project's transaction, so a file makes one project — or
//! until they expire. Expired files are removed whenever another is uploaded.

use chrono::{DateTime, Utc};
use ferrite_core::{DesignFileId, OrgId};

use crate::{Store, StoreError, dispatch, parse_id, time};

pub struct NewDesignFile<'a> {
    pub org: OrgId,
    /// The token's subject: a person's id, or the client id of an app acting for itself.
    pub uploader: &'a str,
    pub client_id: &'a str,
    pub name: &'a str,
    pub content: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignFile {
    pub id: DesignFileId,
    pub org_id: OrgId,
    pub uploader: String,
    pub client_id: String,
    pub name: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

type FileRow = (String, String, String, String, String, i64, i64, i64, Vec<u8>);

impl Store {
    pub async fn save_design_file(
        &self,
        new: &NewDesignFile<'_>,
        now: DateTime<Utc>,
    ) -> Result<DesignFile, StoreError> {
        let id = DesignFileId::new();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM design_files WHERE expires_at <= $1")
                .bind(time::to_db(now))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO design_files (id, org_id, uploader, client_id, name, content, size, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id.to_string())
            .bind(new.org.to_string())
            .bind(new.uploader)
            .bind(new.client_id)
            .bind(new.name)
            .bind(new.content)
            .bind(new.content.len() as i64)
            .bind(time::to_db(now))
            .bind(time::to_db(new.expires_at))
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(DesignFile {
            id,
            org_id: new.org,
            uploader: new.uploader.to_owned(),
            client_id: new.client_id.to_owned(),
            name: new.name.to_owned(),
            size: new.content.len() as i64,
            created_at: time::from_db(time::to_db(now)),
            expires_at: time::from_db(time::to_db(new.expires_at)),
        })
    }

    /// A file that has not expired, with its bytes. Callers check that the asker uploaded it.
    pub async fn design_file(&self, id: DesignFileId, now: DateTime<Utc>) -> Result<(DesignFile, Vec<u8>), StoreError> {
        let (id, org_id, uploader, client_id, name, size, created_at, expires_at, content): FileRow = dispatch!(self, pool => sqlx::query_as(
                "SELECT id, org_id, uploader, client_id, name, size, created_at, expires_at, content
                 FROM design_files WHERE id = $1 AND expires_at > $2",
            )
            .bind(id.to_string())
            .bind(time::to_db(now))
            .fetch_one(pool)
            .await)?;
        let file = DesignFile {
            id: parse_id(&id)?,
            org_id: parse_id(&org_id)?,
            uploader,
            client_id,
            name,
            size,
            created_at: time::from_db(created_at),
            expires_at: time::from_db(expires_at),
        };
        Ok((file, content))
    }
}
