//! Organizations' supply plans and the allocation of a plan's parts to apps.
//!
//! Every change runs in one transaction that first takes the organization's lock (`lock_and_settle`) — `FOR UPDATE`
//! on its row on PostgreSQL, `BEGIN IMMEDIATE` (the database's write lock) on SQLite — so that
//! concurrent changes, on one node or many, see each other and the sum of allocations can never
//! pass the plan's total. The rules themselves are `ferrite_core::plan`'s; this only persists.

use chrono::{DateTime, Utc};
use ferrite_core::{
    AppId, OrgId,
    app::App,
    plan::{
        AllocationError, Allocations, OrgPlan, PendingChange, PlanCatalogue, PlanChange, apply_change, decide_change,
    },
    scope::{AppScope, AppScopes},
};

use crate::{
    NewApp, Store, StoreError,
    apps::insert_app,
    backend::Backend,
    db::{Execute, Tx, sql},
    parse_id, time,
};

/// Why a plan or allocation change was not made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Allocation(#[from] AllocationError),
    #[error("there is no plan named `{0}`")]
    UnknownPlan(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An organization's plan columns.
#[derive(sqlx::FromRow)]
struct PlanRow {
    plan: Option<String>,
    pending_plan: Option<String>,
    pending_plan_at: Option<i64>,
}

/// What counts of an app against its organization's plan.
#[derive(sqlx::FromRow)]
struct AllocationRow {
    id: String,
    scopes: String,
    is_evaluation: bool,
    part_limit: i64,
}

impl From<PlanRow> for OrgPlan {
    fn from(row: PlanRow) -> OrgPlan {
        let pending = row
            .pending_plan
            .zip(row.pending_plan_at)
            .map(|(plan, at)| PendingChange { plan, effective_at: time::from_db(at) });
        OrgPlan { plan: row.plan, pending }
    }
}

fn is_supply(scopes: &str) -> Result<bool, StoreError> {
    let scopes: AppScopes = scopes.parse().map_err(|_| StoreError::Database(format!("stored scopes `{scopes}`")))?;
    Ok(scopes.contains(AppScope::Supply))
}

/// The allocations that count against a plan: those of Supply apps other than the evaluation app.
fn allocations(total: i64, rows: &[AllocationRow]) -> Result<Allocations, StoreError> {
    let mut parts = Vec::new();
    for row in rows {
        if !row.is_evaluation && is_supply(&row.scopes)? {
            parts.push((parse_id::<AppId>(&row.id)?, row.part_limit));
        }
    }
    Ok(Allocations::new(total, parts))
}

/// Opens a transaction holding organization `org`'s lock — the database's write lock on SQLite
/// (a deferred BEGIN would let two writers read the same sums and both write: a lost update),
/// `FOR UPDATE` on its row on PostgreSQL — applies a plan change that has come due (scaling
/// allocations down to the new total), and returns the organization's settled plan state and
/// the rows of its apps.
async fn lock_and_settle(
    store: &Store,
    org: OrgId,
    catalogue: &PlanCatalogue,
    now: DateTime<Utc>,
) -> Result<(Tx, OrgPlan, Vec<AllocationRow>), StoreError> {
    let mut tx = store.main.begin_immediate().await?;
    let lock = match tx.backend() {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    };
    let org_id = org.to_string();
    let read = sql(format!("SELECT plan, pending_plan, pending_plan_at FROM organizations WHERE id = $1{lock}"));
    let stored: OrgPlan = tx.fetch_one::<PlanRow>(read.bind(&org_id)).await?.into();
    let state = stored.settled(now);
    let apps = sql("SELECT id, scopes, is_evaluation, part_limit FROM applications WHERE org_id = $1 ORDER BY id");
    let mut rows: Vec<AllocationRow> = tx.fetch_all(apps.bind(&org_id)).await?;
    if state != stored {
        write_plan(&mut tx, org, &state).await?;
        let mut fitted = allocations(catalogue.resolve(state.plan.as_deref()).distributable(), &rows)?;
        for (app, parts) in fitted.fit() {
            set_limit(&mut tx, app, parts).await?;
            if let Some(row) = rows.iter_mut().find(|row| row.id == app.to_string()) {
                row.part_limit = parts;
            }
        }
        tracing::info!(org_id = %org, plan = ?state.plan, "scheduled plan change applied");
    }
    Ok((tx, state, rows))
}

async fn write_plan(tx: &mut Tx, org: OrgId, state: &OrgPlan) -> Result<(), StoreError> {
    let update = sql("UPDATE organizations SET plan = $2, pending_plan = $3, pending_plan_at = $4 WHERE id = $1");
    tx.execute(
        update
            .bind(org.to_string())
            .bind(&state.plan)
            .bind(state.pending.as_ref().map(|p| p.plan.as_str()))
            .bind(state.pending.as_ref().map(|p| time::to_db(p.effective_at))),
    )
    .await?;
    Ok(())
}

async fn set_limit(tx: &mut Tx, app: AppId, parts: i64) -> Result<(), StoreError> {
    tx.execute(sql("UPDATE applications SET part_limit = $2 WHERE id = $1").bind(app.to_string()).bind(parts)).await?;
    Ok(())
}

impl Store {
    /// The organization's plan as stored (a scheduled change may already be due: see [`Store::settle_plan`]).
    pub async fn org_plan(&self, org: OrgId) -> Result<OrgPlan, StoreError> {
        let read = sql("SELECT plan, pending_plan, pending_plan_at FROM organizations WHERE id = $1");
        Ok(self.main.fetch_one::<PlanRow>(read.bind(org.to_string())).await?.into())
    }

    /// The organization's plan at `now`, applying a scheduled change that has come due.
    pub async fn settle_plan(
        &self,
        org: OrgId,
        catalogue: &PlanCatalogue,
        now: DateTime<Utc>,
    ) -> Result<OrgPlan, StoreError> {
        let stored = self.org_plan(org).await?;
        if !stored.change_is_due(now) {
            return Ok(stored);
        }
        let (tx, state, _) = lock_and_settle(self, org, catalogue, now).await?;
        tx.commit().await?;
        Ok(state)
    }

    /// Applies every scheduled plan change that has come due; returns how many organizations changed.
    pub async fn settle_due_plans(&self, catalogue: &PlanCatalogue, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due: Vec<String> = self
            .main
            .scalars(
                sql("SELECT id FROM organizations WHERE pending_plan_at IS NOT NULL AND pending_plan_at <= $1")
                    .bind(time::to_db(now)),
            )
            .await?;
        for org in &due {
            self.settle_plan(parse_id(org)?, catalogue, now).await?;
        }
        Ok(due.len())
    }

    /// Switches the organization to plan `target`: an upgrade at once, a downgrade at the start of
    /// the next period (choosing the current plan cancels a scheduled downgrade).
    pub async fn choose_plan(
        &self,
        org: OrgId,
        target: &str,
        catalogue: &PlanCatalogue,
        now: DateTime<Utc>,
    ) -> Result<(PlanChange, OrgPlan), PlanError> {
        let target = catalogue.get(target).ok_or_else(|| PlanError::UnknownPlan(target.to_owned()))?;
        let (mut tx, state, _) = lock_and_settle(self, org, catalogue, now).await?;
        let current = catalogue.resolve(state.plan.as_deref());
        let change = decide_change(current, target, now);
        let next = apply_change(&state, target, &change);
        write_plan(&mut tx, org, &next).await?;
        tx.commit().await?;
        tracing::info!(org_id = %org, plan = %target.name, ?change, "plan chosen");
        Ok((change, next))
    }

    /// An operator's change: the organization is on plan `target` from `now`, whatever its size,
    /// and any scheduled change is dropped. Allocations above the new total are scaled down to fit,
    /// as when a downgrade lands; usage so far in the period is kept.
    pub async fn set_plan_now(
        &self,
        org: OrgId,
        target: &str,
        catalogue: &PlanCatalogue,
        now: DateTime<Utc>,
    ) -> Result<OrgPlan, PlanError> {
        let target = catalogue.get(target).ok_or_else(|| PlanError::UnknownPlan(target.to_owned()))?;
        let (mut tx, _, rows) = lock_and_settle(self, org, catalogue, now).await?;
        let next = OrgPlan { plan: Some(target.name.clone()), pending: None };
        write_plan(&mut tx, org, &next).await?;
        for (app, parts) in allocations(target.distributable(), &rows)?.fit() {
            set_limit(&mut tx, app, parts).await?;
        }
        tx.commit().await?;
        tracing::info!(org_id = %org, plan = %target.name, "plan set by an operator");
        Ok(next)
    }

    /// Sets the part limits of some of the organization's Supply apps, all or none: refused when
    /// the allocations would exceed the plan's distributable total (saying by how much), for the
    /// evaluation app, for apps without the Supply scope, and with `NotFound` for an app that is
    /// not the organization's.
    pub async fn set_allocations(
        &self,
        org: OrgId,
        changes: &[(AppId, i64)],
        catalogue: &PlanCatalogue,
        now: DateTime<Utc>,
    ) -> Result<(), PlanError> {
        let (mut tx, state, rows) = lock_and_settle(self, org, catalogue, now).await?;
        for (app, _) in changes {
            let Some(row) = rows.iter().find(|row| row.id == app.to_string()) else {
                return Err(StoreError::NotFound.into());
            };
            if row.is_evaluation {
                return Err(AllocationError::EvaluationFixed.into());
            }
            if !is_supply(&row.scopes)? {
                return Err(AllocationError::NotSupply.into());
            }
        }
        let total = catalogue.resolve(state.plan.as_deref()).distributable();
        let mut allocations = allocations(total, &rows)?;
        allocations.set_many(changes)?;
        for (app, parts) in changes {
            set_limit(&mut tx, *app, *parts).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Registers an app with `new.part_limit` parts taken from the plan, atomically: if they are
    /// not unallocated, nothing is created.
    pub async fn create_app_within_plan(
        &self,
        org: OrgId,
        new: &NewApp,
        catalogue: &PlanCatalogue,
        now: DateTime<Utc>,
    ) -> Result<App, PlanError> {
        let id = AppId::new();
        let (mut tx, state, rows) = lock_and_settle(self, org, catalogue, now).await?;
        if new.part_limit != 0 {
            if new.is_evaluation {
                return Err(AllocationError::EvaluationFixed.into());
            }
            if !new.scopes.contains(AppScope::Supply) {
                return Err(AllocationError::NotSupply.into());
            }
            let total = catalogue.resolve(state.plan.as_deref()).distributable();
            let existing = allocations(total, &rows)?;
            ferrite_core::plan::check_allocations(total, existing.iter().map(|(_, n)| n).chain([new.part_limit]))?;
        }
        insert_app(&mut tx, id, org, new, time::to_db(now)).await?;
        tx.commit().await?;
        Ok(self.app_by_id(id).await?)
    }
}
