//! Applications and their client credentials. There is no way to change an app's scopes here:
//! `update_app` takes only the editable fields.

use chrono::{DateTime, Utc};
use ferrite_core::{AppId, OrgId, app::App};

use crate::{
    Store, StoreError,
    db::{Execute, Tx, sql},
    parse_id, time,
};

/// What it takes to register an app. The secret arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewApp {
    pub name: String,
    pub description: String,
    pub scopes: ferrite_core::scope::AppScopes,
    pub client_id: String,
    pub secret_hash: Vec<u8>,
    pub redirect_uris: Vec<String>,
    pub is_evaluation: bool,
    pub part_limit: i64,
}

/// The hashes an app's client secret is checked against.
#[derive(Debug, Clone)]
pub struct SecretHashes {
    pub current: Vec<u8>,
    /// The secret replaced by the last regeneration, with the time it stops being accepted.
    pub previous: Option<(Vec<u8>, DateTime<Utc>)>,
}

/// Inserts an app and its redirect URIs inside the caller's transaction.
pub(crate) async fn insert_app(tx: &mut Tx, id: AppId, org: OrgId, new: &NewApp, at: i64) -> Result<(), StoreError> {
    let insert =
        sql("INSERT INTO applications (id, org_id, name, description, scopes, client_id, secret_hash, is_evaluation,
                                   part_limit, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
    tx.execute(
        insert
            .bind(id.to_string())
            .bind(org.to_string())
            .bind(&new.name)
            .bind(&new.description)
            .bind(new.scopes.to_string())
            .bind(&new.client_id)
            .bind(&new.secret_hash)
            .bind(new.is_evaluation)
            .bind(new.part_limit)
            .bind(at),
    )
    .await?;
    insert_redirect_uris(tx, id, &new.redirect_uris).await
}

async fn insert_redirect_uris(tx: &mut Tx, app: AppId, uris: &[String]) -> Result<(), StoreError> {
    for uri in uris {
        let insert = sql("INSERT INTO app_redirect_uris (app_id, uri) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        tx.execute(insert.bind(app.to_string()).bind(uri)).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AppRow {
    id: String,
    org_id: String,
    name: String,
    description: String,
    scopes: String,
    client_id: String,
    is_evaluation: bool,
    part_limit: i64,
    created_at: i64,
    secret_hash: Vec<u8>,
    previous_secret_hash: Option<Vec<u8>>,
    previous_secret_expires: Option<i64>,
}

const APP_COLUMNS: &str = "id, org_id, name, description, scopes, client_id, is_evaluation, part_limit, created_at, \
                           secret_hash, previous_secret_hash, previous_secret_expires";

impl AppRow {
    fn into_app(self, redirect_uris: Vec<String>) -> Result<(App, SecretHashes), StoreError> {
        let scopes =
            self.scopes.parse().map_err(|_| StoreError::Database(format!("stored scopes `{}`", self.scopes)))?;
        let app = App {
            id: parse_id(&self.id)?,
            org_id: parse_id(&self.org_id)?,
            name: self.name,
            description: self.description,
            scopes,
            client_id: self.client_id,
            redirect_uris,
            is_evaluation: self.is_evaluation,
            part_limit: self.part_limit,
            created_at: time::from_db(self.created_at),
        };
        let previous = self.previous_secret_hash.zip(self.previous_secret_expires.map(time::from_db));
        Ok((app, SecretHashes { current: self.secret_hash, previous }))
    }
}

impl Store {
    pub async fn create_app(&self, org: OrgId, new: &NewApp, now: DateTime<Utc>) -> Result<App, StoreError> {
        let id = AppId::new();
        let mut tx = self.main.begin().await?;
        insert_app(&mut tx, id, org, new, time::to_db(now)).await?;
        tx.commit().await?;
        self.app_by_id(id).await
    }

    pub async fn app_by_id(&self, id: AppId) -> Result<App, StoreError> {
        Ok(self.app_where("id", &id.to_string()).await?.0)
    }

    /// One of the organization's apps. Another organization's app is `NotFound`, exactly like an
    /// app that does not exist: this is how the portal reaches apps, so it cannot reach others'.
    pub async fn app_of_org(&self, org: OrgId, id: AppId) -> Result<App, StoreError> {
        let (app, _) = self.app_where("id", &id.to_string()).await?;
        if app.org_id == org { Ok(app) } else { Err(StoreError::NotFound) }
    }

    /// The app holding this OAuth client id, with the hashes its secret is checked against.
    pub async fn app_by_client_id(&self, client_id: &str) -> Result<(App, SecretHashes), StoreError> {
        self.app_where("client_id", client_id).await
    }

    async fn app_where(&self, column: &'static str, value: &str) -> Result<(App, SecretHashes), StoreError> {
        let query = sql(format!("SELECT {APP_COLUMNS} FROM applications WHERE {column} = $1"));
        let row: AppRow = self.main.fetch_one(query.bind(value)).await?;
        let uris = self.redirect_uris(&row.id).await?;
        row.into_app(uris)
    }

    async fn redirect_uris(&self, app_id: &str) -> Result<Vec<String>, StoreError> {
        self.main.scalars(sql("SELECT uri FROM app_redirect_uris WHERE app_id = $1 ORDER BY uri").bind(app_id)).await
    }

    /// An organization's apps, oldest first.
    pub async fn apps_of_org(&self, org: OrgId) -> Result<Vec<App>, StoreError> {
        let query = sql(format!("SELECT {APP_COLUMNS} FROM applications WHERE org_id = $1 ORDER BY created_at, id"));
        let rows: Vec<AppRow> = self.main.fetch_all(query.bind(org.to_string())).await?;
        let mut apps = Vec::with_capacity(rows.len());
        for row in rows {
            let uris = self.redirect_uris(&row.id).await?;
            apps.push(row.into_app(uris)?.0);
        }
        Ok(apps)
    }

    /// Changes what may change after creation: name, description and redirect URIs. Never scopes.
    pub async fn update_app(
        &self,
        id: AppId,
        name: &str,
        description: &str,
        redirect_uris: &[String],
    ) -> Result<App, StoreError> {
        let mut tx = self.main.begin().await?;
        let update = sql("UPDATE applications SET name = $2, description = $3 WHERE id = $1");
        if tx.execute(update.bind(id.to_string()).bind(name).bind(description)).await? == 0 {
            return Err(StoreError::NotFound);
        }
        tx.execute(sql("DELETE FROM app_redirect_uris WHERE app_id = $1").bind(id.to_string())).await?;
        insert_redirect_uris(&mut tx, id, redirect_uris).await?;
        tx.commit().await?;
        self.app_by_id(id).await
    }

    /// Replaces the secret hash, keeping the old one valid until `previous_expires`.
    pub async fn replace_secret(
        &self,
        id: AppId,
        new_hash: &[u8],
        previous_expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let update = sql(
            "UPDATE applications SET previous_secret_hash = secret_hash, previous_secret_expires = $3, secret_hash = $2
             WHERE id = $1",
        );
        let updated =
            self.main.execute(update.bind(id.to_string()).bind(new_hash).bind(time::to_db(previous_expires))).await?;
        if updated == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Deletes an app and leaves a tombstone so every node refuses its tokens.
    pub async fn delete_app(&self, id: AppId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.main.begin().await?;
        let delete = sql("DELETE FROM applications WHERE id = $1 RETURNING client_id");
        let Some(client_id) = tx.optional_scalar::<String>(delete.bind(id.to_string())).await? else {
            return Err(StoreError::NotFound);
        };
        let tombstone = sql("INSERT INTO deleted_apps (app_id, client_id, deleted_at) VALUES ($1, $2, $3)");
        tx.execute(tombstone.bind(id.to_string()).bind(client_id).bind(time::to_db(now))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Client ids of apps deleted after `since`.
    pub async fn deleted_clients_since(&self, since: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.main
            .scalars(sql("SELECT client_id FROM deleted_apps WHERE deleted_at > $1").bind(time::to_db(since)))
            .await
    }
}
