//! Invitations to join an organization. The link's token is random; only its hash is stored.

use chrono::{DateTime, Utc};
use ferrite_core::{
    OrgId, UserId,
    org::{Organization, Role},
};

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    parse_id, time,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub org_id: OrgId,
    /// Who may accept it (compared without case).
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What it takes to invite someone; the token arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub org: OrgId,
    pub email: &'a str,
    pub email_key: &'a str,
    pub role: Role,
    pub invited_by: UserId,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

/// An invitation's row as stored.
#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: String,
    org_id: String,
    email: String,
    role: String,
    created_at: i64,
    expires_at: i64,
}

const COLUMNS: &str = "id, org_id, email, role, created_at, expires_at";

impl InvitationRow {
    fn into_invitation(self) -> Result<Invitation, StoreError> {
        let role = self.role;
        Ok(Invitation {
            id: self.id,
            org_id: parse_id(&self.org_id)?,
            email: self.email,
            role: role.parse().map_err(|_| StoreError::Database(format!("stored role `{role}` is unknown")))?,
            created_at: time::from_db(self.created_at),
            expires_at: time::from_db(self.expires_at),
        })
    }
}

impl Store {
    pub async fn create_invitation(
        &self,
        new: &NewInvitation<'_>,
        now: DateTime<Utc>,
    ) -> Result<Invitation, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let insert = sql(
            "INSERT INTO invitations (id, token_hash, org_id, email, email_key, role, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        );
        self.main
            .execute(
                insert
                    .bind(&id)
                    .bind(new.token_hash)
                    .bind(new.org.to_string())
                    .bind(new.email)
                    .bind(new.email_key)
                    .bind(new.role.as_str())
                    .bind(new.invited_by.to_string())
                    .bind(time::to_db(now))
                    .bind(time::to_db(new.expires_at)),
            )
            .await?;
        Ok(Invitation {
            id,
            org_id: new.org,
            email: new.email.to_owned(),
            role: new.role,
            created_at: time::from_db(time::to_db(now)),
            expires_at: time::from_db(time::to_db(new.expires_at)),
        })
    }

    /// The organization's invitations not yet accepted nor expired, newest first.
    pub async fn pending_invitations(&self, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Invitation>, StoreError> {
        let query = sql(format!(
            "SELECT {COLUMNS} FROM invitations WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id"
        ));
        let rows: Vec<InvitationRow> = self.main.fetch_all(query.bind(org.to_string()).bind(time::to_db(now))).await?;
        rows.into_iter().map(InvitationRow::into_invitation).collect()
    }

    /// Withdraws one of the organization's invitations; `NotFound` for another organization's.
    pub async fn revoke_invitation(&self, org: OrgId, id: &str) -> Result<(), StoreError> {
        let delete = sql("DELETE FROM invitations WHERE id = $1 AND org_id = $2");
        let deleted = self.main.execute(delete.bind(id).bind(org.to_string())).await?;
        if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// The live invitation with this token, and the organization it is to.
    pub async fn invitation_by_token(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(Invitation, Organization), StoreError> {
        let query = sql(format!(
            "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
        ));
        let row: InvitationRow = self.main.fetch_one(query.bind(token_hash).bind(time::to_db(now))).await?;
        let invitation = row.into_invitation()?;
        let org = self.org_by_id(invitation.org_id).await?;
        Ok((invitation, org))
    }

    /// Uses the invitation for `user`, whose normalized email must be the invited one: marks it
    /// accepted and adds the membership, in one transaction. An existing membership keeps its role.
    /// `NotFound` when there is no such live invitation for that email.
    pub async fn accept_invitation(
        &self,
        token_hash: &[u8],
        user: UserId,
        email_key: &str,
        now: DateTime<Utc>,
    ) -> Result<OrgId, StoreError> {
        let at = time::to_db(now);
        let mut tx = self.main.begin().await?;
        let accept = sql("UPDATE invitations SET accepted_at = $3
                          WHERE token_hash = $1 AND email_key = $2 AND accepted_at IS NULL AND expires_at > $3
                          RETURNING org_id, role");
        let accepted: Option<(String, String)> =
            tx.fetch_optional(accept.bind(token_hash).bind(email_key).bind(at)).await?;
        let Some((org, role)) = accepted else { return Err(StoreError::NotFound) };
        let join = sql("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (org_id, user_id) DO NOTHING");
        tx.execute(join.bind(&org).bind(user.to_string()).bind(&role).bind(at)).await?;
        tx.commit().await?;
        parse_id(&org)
    }
}
