//! Applications and their client credentials. There is no way to change an app's scopes here:
//! `update_app` takes only the editable fields.

use chrono::{DateTime, Utc};
use ferrite_core::{AppId, OrgId, app::App};

use crate::{Store, StoreError, dispatch, parse_id, time};

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

/// Inserts an app and its redirect URIs inside the caller's transaction, on either backend.
pub(crate) async fn insert_app<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    id: AppId,
    org: OrgId,
    new: &NewApp,
    at: i64,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Vec<u8>: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(
        "INSERT INTO applications (id, org_id, name, description, scopes, client_id, secret_hash, is_evaluation,
                                   part_limit, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(new.name.clone())
    .bind(new.description.clone())
    .bind(new.scopes.to_string())
    .bind(new.client_id.clone())
    .bind(new.secret_hash.clone())
    .bind(new.is_evaluation)
    .bind(new.part_limit)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    for uri in &new.redirect_uris {
        sqlx::query("INSERT INTO app_redirect_uris (app_id, uri) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id.to_string())
            .bind(uri.clone())
            .execute(&mut **tx)
            .await?;
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
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            insert_app(&mut tx, id, org, new, time::to_db(now)).await?;
            tx.commit().await
        })?;
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
        let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE {column} = $1");
        let row: AppRow = dispatch!(self, pool => sqlx::query_as(&sql).bind(value).fetch_one(pool).await)?;
        let uris = self.redirect_uris(&row.id).await?;
        row.into_app(uris)
    }

    async fn redirect_uris(&self, app_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(
            dispatch!(self, pool => sqlx::query_scalar("SELECT uri FROM app_redirect_uris WHERE app_id = $1 ORDER BY uri")
            .bind(app_id)
            .fetch_all(pool)
            .await)?,
        )
    }

    /// An organization's apps, oldest first.
    pub async fn apps_of_org(&self, org: OrgId) -> Result<Vec<App>, StoreError> {
        let sql = format!("SELECT {APP_COLUMNS} FROM applications WHERE org_id = $1 ORDER BY created_at, id");
        let rows: Vec<AppRow> =
            dispatch!(self, pool => sqlx::query_as(&sql).bind(org.to_string()).fetch_all(pool).await)?;
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
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query("UPDATE applications SET name = $2, description = $3 WHERE id = $1")
                .bind(id.to_string())
                .bind(name)
                .bind(description)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if updated == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("DELETE FROM app_redirect_uris WHERE app_id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            for uri in redirect_uris {
                sqlx::query("INSERT INTO app_redirect_uris (app_id, uri) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id.to_string())
                    .bind(uri)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        self.app_by_id(id).await
    }

    /// Replaces the secret hash, keeping the old one valid until `previous_expires`.
    pub async fn replace_secret(
        &self,
        id: AppId,
        new_hash: &[u8],
        previous_expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let updated = dispatch!(self, pool => sqlx::query(
            "UPDATE applications SET previous_secret_hash = secret_hash, previous_secret_expires = $3, secret_hash = $2
             WHERE id = $1",
        )
        .bind(id.to_string())
        .bind(new_hash)
        .bind(time::to_db(previous_expires))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if updated == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Deletes an app and leaves a tombstone so every node refuses its tokens.
    pub async fn delete_app(&self, id: AppId, now: DateTime<Utc>) -> Result<(), StoreError> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let client_id: Option<String> = sqlx::query_scalar("DELETE FROM applications WHERE id = $1 RETURNING client_id")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(client_id) = client_id else { return Err(StoreError::NotFound) };
            sqlx::query("INSERT INTO deleted_apps (app_id, client_id, deleted_at) VALUES ($1, $2, $3)")
                .bind(id.to_string())
                .bind(client_id)
                .bind(time::to_db(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Client ids of apps deleted after `since`.
    pub async fn deleted_clients_since(&self, since: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        Ok(dispatch!(self, pool => sqlx::query_scalar("SELECT client_id FROM deleted_apps WHERE deleted_at > $1")
            .bind(time::to_db(since))
            .fetch_all(pool)
            .await)?)
    }
}
