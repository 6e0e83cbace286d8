//! People, organizations and memberships.

use chrono::{DateTime, Utc};
use ferrite_core::{
    AppId, OrgId, UserId,
    org::{Organization, Role, User},
};

use crate::{
    NewApp, Store, StoreError,
    apps::insert_app,
    db::{Execute, sql},
    parse_id, time,
    workspaces::insert_default_workspace,
};

/// A person's row as stored.
#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    created_at: i64,
    is_operator: bool,
}

/// An organization's row as stored.
#[derive(sqlx::FromRow)]
struct OrgRow {
    id: String,
    name: String,
    created_at: i64,
}

/// A row joined with a membership's role.
#[derive(sqlx::FromRow)]
struct WithRole<T> {
    #[sqlx(flatten)]
    row: T,
    role: String,
}

impl UserRow {
    fn into_user(self) -> Result<User, StoreError> {
        Ok(User {
            id: parse_id(&self.id)?,
            email: self.email,
            created_at: time::from_db(self.created_at),
            is_operator: self.is_operator,
        })
    }
}

impl OrgRow {
    fn into_org(self) -> Result<Organization, StoreError> {
        Ok(Organization { id: parse_id(&self.id)?, name: self.name, created_at: time::from_db(self.created_at) })
    }
}

fn role(stored: &str) -> Result<Role, StoreError> {
    stored.parse().map_err(|_| StoreError::Database(format!("stored role `{stored}` is unknown")))
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
        let insert =
            sql("INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)");
        self.main
            .execute(insert.bind(id.to_string()).bind(email).bind(email_key).bind(password_hash).bind(time::to_db(now)))
            .await?;
        Ok(User { id, email: email.to_owned(), created_at: time::from_db(time::to_db(now)), is_operator: false })
    }

    /// The person with this normalized email, with their password hash.
    pub async fn user_by_email(&self, email_key: &str) -> Result<(User, String), StoreError> {
        #[derive(sqlx::FromRow)]
        struct WithHash {
            #[sqlx(flatten)]
            user: UserRow,
            password_hash: String,
        }
        let query = sql("SELECT id, email, created_at, is_operator, password_hash FROM users WHERE email_key = $1");
        let row: WithHash = self.main.fetch_one(query.bind(email_key)).await?;
        Ok((row.user.into_user()?, row.password_hash))
    }

    /// Everyone who can sign in, by email.
    pub async fn all_users(&self) -> Result<Vec<User>, StoreError> {
        let query = sql("SELECT id, email, created_at, is_operator FROM users ORDER BY email_key");
        let rows: Vec<UserRow> = self.main.fetch_all(query).await?;
        rows.into_iter().map(UserRow::into_user).collect()
    }

    /// Makes a person a server administrator, or no longer one; `NotFound` for an unknown id.
    pub async fn set_operator(&self, id: UserId, is_operator: bool) -> Result<(), StoreError> {
        let update = sql("UPDATE users SET is_operator = $2 WHERE id = $1");
        if self.main.execute(update.bind(id.to_string()).bind(is_operator)).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn user_by_id(&self, id: UserId) -> Result<User, StoreError> {
        let query = sql("SELECT id, email, created_at, is_operator FROM users WHERE id = $1");
        self.main.fetch_one::<UserRow>(query.bind(id.to_string())).await?.into_user()
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
        let mut tx = self.main.begin().await?;
        let insert = sql("INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)");
        tx.execute(insert.bind(id.to_string()).bind(name).bind(at)).await?;
        let owner_row = sql("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)");
        tx.execute(owner_row.bind(id.to_string()).bind(owner.to_string()).bind(at)).await?;
        for app in apps {
            let app = if app.is_evaluation { &NewApp { part_limit: evaluation_allowance, ..app.clone() } } else { app };
            insert_app(&mut tx, AppId::new(), id, app, at).await?;
        }
        insert_default_workspace(&mut tx, id, name, at).await?;
        tx.commit().await?;
        Ok(Organization { id, name: name.to_owned(), created_at: time::from_db(at) })
    }

    pub async fn org_by_id(&self, id: OrgId) -> Result<Organization, StoreError> {
        let query = sql("SELECT id, name, created_at FROM organizations WHERE id = $1");
        self.main.fetch_one::<OrgRow>(query.bind(id.to_string())).await?.into_org()
    }

    /// Every organization, oldest first.
    pub async fn all_orgs(&self) -> Result<Vec<Organization>, StoreError> {
        let query = sql("SELECT id, name, created_at FROM organizations ORDER BY created_at, id");
        let rows: Vec<OrgRow> = self.main.fetch_all(query).await?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    /// Organizations with exactly this name (names are not unique; ids are).
    pub async fn orgs_named(&self, name: &str) -> Result<Vec<Organization>, StoreError> {
        let query = sql("SELECT id, name, created_at FROM organizations WHERE name = $1 ORDER BY id");
        let rows: Vec<OrgRow> = self.main.fetch_all(query.bind(name)).await?;
        rows.into_iter().map(OrgRow::into_org).collect()
    }

    /// Adds a person to an organization, or changes their role there.
    pub async fn set_membership(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let upsert = sql("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
                          ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role");
        self.main
            .execute(upsert.bind(org.to_string()).bind(user.to_string()).bind(role.as_str()).bind(time::to_db(now)))
            .await?;
        Ok(())
    }

    /// The organizations a person belongs to, with their role in each, oldest first.
    pub async fn memberships_of(&self, user: UserId) -> Result<Vec<(Organization, Role)>, StoreError> {
        let query =
            sql("SELECT o.id, o.name, o.created_at, m.role FROM memberships m JOIN organizations o ON o.id = m.org_id
             WHERE m.user_id = $1 ORDER BY o.created_at, o.id");
        let rows: Vec<WithRole<OrgRow>> = self.main.fetch_all(query.bind(user.to_string())).await?;
        rows.into_iter().map(|r| Ok((r.row.into_org()?, role(&r.role)?))).collect()
    }

    /// A person's role in an organization, or `NotFound` if they do not belong to it.
    pub async fn role_in(&self, org: OrgId, user: UserId) -> Result<Role, StoreError> {
        let query = sql("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2");
        role(&self.main.scalar::<String>(query.bind(org.to_string()).bind(user.to_string())).await?)
    }

    /// The organization's members with their roles, owners first, then by email.
    pub async fn members_of(&self, org: OrgId) -> Result<Vec<(User, Role)>, StoreError> {
        let query =
            sql("SELECT u.id, u.email, u.created_at, u.is_operator, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.org_id = $1 ORDER BY m.role DESC, u.email_key");
        let rows: Vec<WithRole<UserRow>> = self.main.fetch_all(query.bind(org.to_string())).await?;
        rows.into_iter().map(|r| Ok((r.row.into_user()?, role(&r.role)?))).collect()
    }

    /// Changes a member's role. Refused with `Conflict` when it would leave the organization no
    /// owner; `NotFound` when they are not a member.
    pub async fn change_role(&self, org: OrgId, user: UserId, role: Role) -> Result<(), StoreError> {
        let update = "UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2";
        self.keeping_an_owner(org, user, Some(role), update).await
    }

    /// Removes a person from an organization. Refused with `Conflict` when they are its last owner
    /// (an organization always has one); `NotFound` when they are not a member.
    pub async fn remove_member(&self, org: OrgId, user: UserId) -> Result<(), StoreError> {
        self.keeping_an_owner(org, user, None, "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2").await
    }

    /// Runs `change` — a statement on `user`'s membership of `org` (`$1`, `$2`) that gives them
    /// the role `$3`, or with `None` removes them — unless it would take the organization's last
    /// owner away. It holds the organization's lock (SQLite's write lock; its row `FOR UPDATE` on
    /// PostgreSQL), so two owners demoting or removing each other at once cannot leave none.
    async fn keeping_an_owner(
        &self,
        org: OrgId,
        user: UserId,
        new_role: Option<Role>,
        change: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.main.begin_immediate().await?;
        let lock = match tx.backend() {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => " FOR UPDATE",
        };
        tx.fetch_one::<(String,)>(
            sql(format!("SELECT id FROM organizations WHERE id = $1{lock}")).bind(org.to_string()),
        )
        .await?;
        let role_of = sql("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2");
        let current = role(&tx.scalar::<String>(role_of.bind(org.to_string()).bind(user.to_string())).await?)?;
        let owners = sql("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'");
        let owners: i64 = tx.scalar(owners.bind(org.to_string())).await?;
        if current == Role::Owner && new_role != Some(Role::Owner) && owners <= 1 {
            return Err(StoreError::Conflict);
        }
        let mut change = sql(change).bind(org.to_string()).bind(user.to_string());
        if let Some(role) = new_role {
            change = change.bind(role.as_str());
        }
        tx.execute(change).await?;
        tx.commit().await?;
        Ok(())
    }
}
