//! Uploaded design files: kept in the database (so any node can read them) until a project is
//! made of one — which uses it up, so a file makes one project — or until they expire. Expired
//! files are removed whenever another is uploaded, and by `remove_expired_design_files`, which
//! `ferrite serve` runs every minute.
//!
//! What one uploader and one organization may hold in files waiting to become projects is
//! bounded ([`UploadQuota`]), counted in the transaction that stores a file, so concurrent uploads
//! on any number of nodes cannot pass it.
//!
//! On SQLite the files live in a database file of their own (`<main>-uploads.db`), so their bytes
//! never go through the main file's write lock and WAL; on PostgreSQL in a table of their own.

use chrono::{DateTime, Utc};
use ferrite_core::{DesignFileId, OrgId};

use crate::{
    Store, StoreError,
    backend::Backend,
    db::{Execute, sql},
    parse_id, time,
};

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

/// The most bytes of files waiting to become projects (uploaded, not used up, not expired).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    /// Per uploader (the token's subject: a person, or an app acting for itself), in all
    /// organizations together.
    pub per_uploader: u64,
    pub per_org: u64,
}

/// Whose quota an upload would pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaHolder {
    Uploader,
    Organization,
}

#[derive(Debug, thiserror::Error)]
pub enum SaveFileError {
    /// Storing the file would put `holder` past `limit` bytes: `pending` are waiting already.
    /// The earliest of them expires at `frees_at`.
    #[error("files waiting to become projects hold {pending} of {limit} bytes")]
    OverQuota { holder: QuotaHolder, limit: u64, pending: u64, frees_at: Option<DateTime<Utc>> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A file's row as stored, with its bytes.
#[derive(sqlx::FromRow)]
struct FileRow {
    id: String,
    org_id: String,
    uploader: String,
    client_id: String,
    name: String,
    size: i64,
    created_at: i64,
    expires_at: i64,
    content: Vec<u8>,
}

impl Store {
    /// Stores an uploaded file, unless it would put its uploader or organization past `quota`.
    pub async fn save_design_file(
        &self,
        new: &NewDesignFile<'_>,
        quota: UploadQuota,
        now: DateTime<Utc>,
    ) -> Result<DesignFile, SaveFileError> {
        let id = DesignFileId::new();
        let size = new.content.len() as u64;
        let org = new.org.to_string();
        let mut tx = self.uploads.begin().await?;
        // The first statement writes: on SQLite it takes the file's write lock, so the sums
        // below are not raced. On PostgreSQL, locks per organization, then per uploader (always
        // in that order, so two uploads never wait for each other in a cycle).
        tx.execute(sql("DELETE FROM design_files WHERE expires_at <= $1").bind(time::to_db(now))).await?;
        if tx.backend() == Backend::Postgres {
            for (space, key) in [(1, org.as_str()), (2, new.uploader)] {
                tx.execute(
                    sql("SELECT pg_advisory_xact_lock(CAST($1 AS INTEGER), hashtext($2))").bind(space).bind(key),
                )
                .await?;
            }
        }
        let mut over = None;
        for (holder, limit, column, key) in [
            (QuotaHolder::Uploader, quota.per_uploader, "uploader", new.uploader),
            (QuotaHolder::Organization, quota.per_org, "org_id", org.as_str()),
        ] {
            let sum = sql(format!(
                "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT), MIN(expires_at) FROM design_files WHERE {column} = $1"
            ));
            let (pending, frees_at): (i64, Option<i64>) = tx.fetch_one(sum.bind(key)).await?;
            let pending = pending.max(0) as u64;
            if pending.saturating_add(size) > limit {
                over = Some(SaveFileError::OverQuota { holder, limit, pending, frees_at: frees_at.map(time::from_db) });
                break;
            }
        }
        if over.is_none() {
            let insert = sql(
                "INSERT INTO design_files (id, org_id, uploader, client_id, name, content, size, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            );
            tx.execute(
                insert
                    .bind(id.to_string())
                    .bind(&org)
                    .bind(new.uploader)
                    .bind(new.client_id)
                    .bind(new.name)
                    .bind(new.content)
                    .bind(size as i64)
                    .bind(time::to_db(now))
                    .bind(time::to_db(new.expires_at)),
            )
            .await?;
        }
        // Committed either way: the expired files are gone.
        tx.commit().await?;
        if let Some(over) = over {
            return Err(over);
        }
        Ok(DesignFile {
            id,
            org_id: new.org,
            uploader: new.uploader.to_owned(),
            client_id: new.client_id.to_owned(),
            name: new.name.to_owned(),
            size: size as i64,
            created_at: time::from_db(time::to_db(now)),
            expires_at: time::from_db(time::to_db(new.expires_at)),
        })
    }

    /// Removes the files that expired by `now`; how many.
    pub async fn remove_expired_design_files(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.uploads.execute(sql("DELETE FROM design_files WHERE expires_at <= $1").bind(time::to_db(now))).await
    }

    /// A file that has not expired, with its bytes. Callers check that the asker uploaded it.
    pub async fn design_file(&self, id: DesignFileId, now: DateTime<Utc>) -> Result<(DesignFile, Vec<u8>), StoreError> {
        let query = sql("SELECT id, org_id, uploader, client_id, name, size, created_at, expires_at, content
                         FROM design_files WHERE id = $1 AND expires_at > $2");
        let row: FileRow = self.uploads.fetch_one(query.bind(id.to_string()).bind(time::to_db(now))).await?;
        row.into_file()
    }

    /// Claims a file that has not expired for the project about to be made of it: one request
    /// wins it, and a claimed file makes no other project. Only for SQLite, where files and
    /// projects are in two database files (see `create_project`).
    pub(crate) async fn claim_sqlite_design_file(
        &self,
        id: DesignFileId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.uploads.backend() != Backend::Sqlite {
            return Err(StoreError::Database("files are claimed apart from projects only on SQLite".into()));
        }
        let claim = sql("UPDATE design_files SET claimed = TRUE WHERE id = $1 AND expires_at > $2 AND NOT claimed");
        let claimed = self.uploads.execute(claim.bind(id.to_string()).bind(time::to_db(now))).await?;
        if claimed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Ends a claim: the file is used up (deleted), or free again for another try.
    pub(crate) async fn settle_sqlite_claim(&self, id: DesignFileId, used: bool) -> Result<(), StoreError> {
        if self.uploads.backend() != Backend::Sqlite {
            return Ok(());
        }
        let settle = if used {
            "DELETE FROM design_files WHERE id = $1"
        } else {
            "UPDATE design_files SET claimed = FALSE WHERE id = $1"
        };
        self.uploads.execute(sql(settle).bind(id.to_string())).await?;
        Ok(())
    }
}

impl FileRow {
    fn into_file(self) -> Result<(DesignFile, Vec<u8>), StoreError> {
        let file = DesignFile {
            id: parse_id(&self.id)?,
            org_id: parse_id(&self.org_id)?,
            uploader: self.uploader,
            client_id: self.client_id,
            name: self.name,
            size: self.size,
            created_at: time::from_db(self.created_at),
            expires_at: time::from_db(self.expires_at),
        };
        Ok((file, self.content))
    }
}
