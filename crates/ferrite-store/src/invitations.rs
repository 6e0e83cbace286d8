//! Invitations to join an organization. The link's token is random; only its hash is stored.

use chrono::{DateTime, Utc};
use ferrite_core::{
    OrgId, UserId,
    org::{Organization, Role},
};

use crate::{Store, StoreError, dispatch, parse_id, time};

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

type InvitationRow = (String, String, String, String, i64, i64);
const COLUMNS: &str = "id, org_id, email, role, created_at, expires_at";

fn invitation((id, org_id, email, role, created_at, expires_at): InvitationRow) -> Result<Invitation, StoreError> {
    Ok(Invitation {
        id,
        org_id: parse_id(&org_id)?,
        email,
        role: role.parse().map_err(|_| StoreError::Database(format!("stored role `{role}` is unknown")))?,
        created_at: time::from_db(created_at),
        expires_at: time::from_db(expires_at),
    })
}

impl Store {
    pub async fn create_invitation(
        &self,
        new: &NewInvitation<'_>,
        now: DateTime<Utc>,
    ) -> Result<Invitation, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        dispatch!(self, pool => sqlx::query(
            "INSERT INTO invitations (id, token_hash, org_id, email, email_key, role, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(new.token_hash)
        .bind(new.org.to_string())
        .bind(new.email)
        .bind(new.email_key)
        .bind(new.role.as_str())
        .bind(new.invited_by.to_string())
        .bind(time::to_db(now))
        .bind(time::to_db(new.expires_at))
        .execute(pool)
        .await
        .map(|_| ()))?;
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
        let sql = format!(
            "SELECT {COLUMNS} FROM invitations WHERE org_id = $1 AND accepted_at IS NULL AND expires_at > $2
             ORDER BY created_at DESC, id"
        );
        let rows: Vec<InvitationRow> = dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(org.to_string())
            .bind(time::to_db(now))
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(invitation).collect()
    }

    /// Withdraws one of the organization's invitations; `NotFound` for another organization's.
    pub async fn revoke_invitation(&self, org: OrgId, id: &str) -> Result<(), StoreError> {
        let deleted = dispatch!(self, pool => sqlx::query("DELETE FROM invitations WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org.to_string())
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if deleted == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// The live invitation with this token, and the organization it is to.
    pub async fn invitation_by_token(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(Invitation, Organization), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2"
        );
        let row: InvitationRow = dispatch!(self, pool => sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(time::to_db(now))
            .fetch_one(pool)
            .await)?;
        let invitation = invitation(row)?;
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
        let org: String = dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let accepted: Option<(String, String)> = sqlx::query_as(
                "UPDATE invitations SET accepted_at = $3
                 WHERE token_hash = $1 AND email_key = $2 AND accepted_at IS NULL AND expires_at > $3
                 RETURNING org_id, role",
            )
            .bind(token_hash)
            .bind(email_key)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((org, role)) = accepted else { return Err(StoreError::NotFound) };
            sqlx::query(
                "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (org_id, user_id) DO NOTHING",
            )
            .bind(&org)
            .bind(user.to_string())
            .bind(&role)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            org
        });
        parse_id(&org)
    }
}
