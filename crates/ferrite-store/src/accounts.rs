//! People, organizations and memberships.

use chrono::{DateTime, Utc};
use ferrite_core::{
    AppId, OrgId, UserId,
    org::{Organization, Role, User},
};

use crate::{NewApp, Store, StoreError, dispatch, parse_id, time};

type UserRow = (String, String, i64);
type OrgRow = (String, String, i64);

fn user((id, email, created_at): UserRow) -> Result<User, StoreError> {
    Ok(User { id: parse_id(&id)?, email, created_at: time::from_db(created_at) })
}

fn org((id, name, created_at): OrgRow) -> Result<Organization, StoreError> {
    Ok(Organization { id: parse_id(&id)?, name, created_at: time::from_db(created_at) })
}

impl Store {
    /// Registers a person. `email_key` is the normalized email; `Conflict` if it is taken.
    pub async fn create_user(
        &self,
        email: &str,
        email_key: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let id = UserId::new();
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(email)
        .bind(email_key)
        .bind(password_hash)
        .bind(time::to_db(now))
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(User { id, email: email.to_owned(), created_at: time::from_db(time::to_db(now)) })
    }

    /// The person with this normalized email, with their password hash.
    pub async fn user_by_email(&self, email_key: &str) -> Result<(User, String), StoreError> {
        let (id, email, created_at, hash): (String, String, i64, String) = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, email, created_at, password_hash FROM users WHERE email_key = $1",
        )
        .bind(email_key)
        .fetch_one(pool)
        .await)?;
        Ok((user((id, email, created_at))?, hash))
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<User, StoreError> {
        let row: UserRow = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, email, created_at FROM users WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_one(pool)
        .await)?;
        user(row)
    }

    /// Creates an organization with `owner` as its first owner, its initial `apps` — the
    /// evaluation app among them holding `evaluation_allowance` parts — and its default design
    /// workspace, in one transaction.
    pub async fn create_org(
        &self,
        name: &str,
        owner: UserId,
        apps: &[NewApp],
        evaluation_allowance: i64,
        now: DateTime<Utc>,
    ) -> Result<Organization, StoreError> {
        let id = OrgId::new();
        let at = time::to_db(now);
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(id.to_string())
                .bind(name)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                .bind(id.to_string())
                .bind(owner.to_string())
                .bind(at)
                .execute(&mut *tx)
                .await?;
            for app in apps {
                let app = if app.is_evaluation {
                    &NewApp { part_limit: evaluation_allowance, ..app.clone() }
                } else {
                    app
                };
                crate::apps::insert_app(&mut tx, AppId::new(), id, app, at).await?;
            }
            crate::workspaces::insert_default_workspace!(tx, id, name, at);
            tx.commit().await
        })?;
        Ok(Organization { id, name: name.to_owned(), created_at: time::from_db(at) })
    }

    pub async fn org_by_id(&self, id: OrgId) -> Result<Organization, StoreError> {
        let row: OrgRow = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, name, created_at FROM organizations WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_one(pool)
        .await)?;
        org(row)
    }

    /// Organizations with exactly this name (names are not unique; ids are).
    pub async fn orgs_named(&self, name: &str) -> Result<Vec<Organization>, StoreError> {
        let rows: Vec<OrgRow> = dispatch!(self, pool => sqlx::query_as(
            "SELECT id, name, created_at FROM organizations WHERE name = $1 ORDER BY id",
        )
        .bind(name)
        .fetch_all(pool)
        .await)?;
        rows.into_iter().map(org).collect()
    }

    /// Adds a person to an organization, or changes their role there.
    pub async fn set_membership(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(org.to_string())
        .bind(user.to_string())
        .bind(role.as_str())
        .bind(time::to_db(now))
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The organizations a person belongs to, with their role in each, oldest first.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<(Organization, Role)>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT o.id, o.name, o.created_at, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id
             WHERE m.user_id = $1 ORDER BY o.created_at, o.id",
        )
        .bind(user.to_string())
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, name, created_at, role)| {
                let role =
                    role.parse().map_err(|_| StoreError::Database(format!("stored role `{role}` is unknown")))?;
                Ok((org((id, name, created_at))?, role))
            })
            .collect()
    }

    /// A person's role in an organization, or `NotFound` if they do not belong to it.
    pub async fn role_in(&self, org: OrgId, user: UserId) -> Result<Role, StoreError> {
        let role: String = dispatch!(self, pool => sqlx::query_scalar(
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2",
        )
        .bind(org.to_string())
        .bind(user.to_string())
        .fetch_one(pool)
        .await)?;
        role.parse().map_err(|_| StoreError::Database(format!("stored role `{role}` is unknown")))
    }

    /// The organization's members with their roles, owners first, then by email.
    pub async fn members_of(&self, org: OrgId) -> Result<Vec<(User, Role)>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = dispatch!(self, pool => sqlx::query_as(
            "SELECT u.id, u.email, u.created_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY m.role DESC, u.email_key",
        )
        .bind(org.to_string())
        .fetch_all(pool)
        .await)?;
        rows.into_iter()
            .map(|(id, email, created_at, role)| {
                let role =
                    role.parse().map_err(|_| StoreError::Database(format!("stored role `{role}` is unknown")))?;
                Ok((user((id, email, created_at))?, role))
            })
            .collect()
    }

    /// Removes a person from an organization. Refused with `Conflict` when they are its last owner
    /// (an organization always has one); `NotFound` when they are not a member. One statement, so
    /// two owners removing each other cannot leave none.
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<(), StoreError> {
        let removed = dispatch!(self, pool => sqlx::query(
            "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2
             AND (role <> 'owner' OR (SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner') > 1)",
        )
        .bind(org.to_string())
        .bind(user.to_string())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if removed == 1 {
            return Ok(());
        }
        self.role_in(org, user).await?;
        Err(StoreError::Conflict)
    }
}
