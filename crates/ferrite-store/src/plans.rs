//! Organizations' supply plans and the allocation of a plan's parts to apps.
//!
//! Every change runs in one transaction that first takes the organization's lock — `FOR UPDATE`
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

use crate::{Backend, NewApp, Store, StoreError, dispatch, parse_id, time};

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

impl From<sqlx::Error> for PlanError {
    fn from(err: sqlx::Error) -> Self {
        PlanError::Store(err.into())
    }
}

type PlanRow = (Option<String>, Option<String>, Option<i64>);
/// (id, scopes, is_evaluation, part_limit)
type AllocationRow = (String, String, bool, i64);

fn org_plan((plan, pending_plan, pending_at): PlanRow) -> OrgPlan {
    let pending =
        pending_plan.zip(pending_at).map(|(plan, at)| PendingChange { plan, effective_at: time::from_db(at) });
    OrgPlan { plan, pending }
}

fn is_supply(scopes: &str) -> Result<bool, StoreError> {
    let scopes: AppScopes = scopes.parse().map_err(|_| StoreError::Database(format!("stored scopes `{scopes}`")))?;
    Ok(scopes.contains(AppScope::Supply))
}

/// The allocations that count against a plan: those of Supply apps other than the evaluation app.
fn allocations(total: i64, rows: &[AllocationRow]) -> Result<Allocations, StoreError> {
    let mut parts = Vec::new();
    for (id, scopes, is_evaluation, limit) in rows {
        if !is_evaluation && is_supply(scopes)? {
            parts.push((parse_id::<AppId>(id)?, *limit));
        }
    }
    Ok(Allocations::new(total, parts))
}

/// How each backend takes an organization's lock: the statement that opens the transaction, and
/// the suffix of the `SELECT` that reads the organization's row.
fn locking(backend: Backend) -> (&'static str, &'static str) {
    match backend {
        // A deferred BEGIN would let two writers read the same sums and both write (a lost update).
        Backend::Sqlite => ("BEGIN IMMEDIATE", ""),
        Backend::Postgres => ("BEGIN", " FOR UPDATE"),
    }
}

/// Inside a transaction on `$tx`: locks organization `$org`, applies a plan change that has come
/// due (scaling allocations down to the new total), and evaluates to the organization's settled
/// plan state and the rows of its apps.
macro_rules! lock_and_settle {
    ($tx:ident, $org:expr, $lock_suffix:expr, $catalogue:expr, $now:expr) => {{
        let org_id = $org.to_string();
        let row: PlanRow = sqlx::query_as(&format!(
            "SELECT plan, pending_plan, pending_plan_at FROM organizations WHERE id = $1{}",
            $lock_suffix
        ))
        .bind(&org_id)
        .fetch_one(&mut *$tx)
        .await?;
        let stored = org_plan(row);
        let state = stored.settled($now);
        let rows: Vec<AllocationRow> = sqlx::query_as(
            "SELECT id, scopes, is_evaluation, part_limit FROM applications WHERE org_id = $1 ORDER BY id",
        )
        .bind(&org_id)
        .fetch_all(&mut *$tx)
        .await?;
        let mut rows = rows;
        if state != stored {
            write_plan!($tx, org_id, state);
            let mut fitted = allocations($catalogue.resolve(state.plan.as_deref()).distributable(), &rows)?;
            for (app, parts) in fitted.fit() {
                set_limit!($tx, app, parts);
                if let Some(row) = rows.iter_mut().find(|row| row.0 == app.to_string()) {
                    row.3 = parts;
                }
            }
            tracing::info!(org_id = %$org, plan = ?state.plan, "scheduled plan change applied");
        }
        (state, rows)
    }};
}

macro_rules! write_plan {
    ($tx:ident, $org_id:expr, $state:expr) => {
        sqlx::query("UPDATE organizations SET plan = $2, pending_plan = $3, pending_plan_at = $4 WHERE id = $1")
            .bind(&$org_id)
            .bind($state.plan.clone())
            .bind($state.pending.as_ref().map(|p| p.plan.clone()))
            .bind($state.pending.as_ref().map(|p| time::to_db(p.effective_at)))
            .execute(&mut *$tx)
            .await?
    };
}

macro_rules! set_limit {
    ($tx:ident, $app:expr, $parts:expr) => {
        sqlx::query("UPDATE applications SET part_limit = $2 WHERE id = $1")
            .bind($app.to_string())
            .bind($parts)
            .execute(&mut *$tx)
            .await?
    };
}

impl Store {
    /// The organization's plan as stored (a scheduled change may already be due: see [`Store::settle_plan`]).
    pub async fn org_plan(&self, org: OrgId) -> Result<OrgPlan, StoreError> {
        let row: PlanRow = dispatch!(self, pool => sqlx::query_as(
            "SELECT plan, pending_plan, pending_plan_at FROM organizations WHERE id = $1",
        )
        .bind(org.to_string())
        .fetch_one(pool)
        .await)?;
        Ok(org_plan(row))
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
        let (begin, lock) = locking(self.backend());
        let state = dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let (state, _) = lock_and_settle!(tx, org, lock, catalogue, now);
            tx.commit().await?;
            state
        });
        Ok(state)
    }

    /// Applies every scheduled plan change that has come due; returns how many organizations changed.
    pub async fn settle_due_plans(&self, catalogue: &PlanCatalogue, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due: Vec<String> = dispatch!(self, pool => sqlx::query_scalar(
            "SELECT id FROM organizations WHERE pending_plan_at IS NOT NULL AND pending_plan_at <= $1",
        )
        .bind(time::to_db(now))
        .fetch_all(pool)
        .await)?;
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
        let (begin, lock) = locking(self.backend());
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let (state, _) = lock_and_settle!(tx, org, lock, catalogue, now);
            let current = catalogue.resolve(state.plan.as_deref());
            let change = decide_change(current, target, now);
            let next = apply_change(&state, target, &change);
            write_plan!(tx, org.to_string(), next);
            tx.commit().await?;
            tracing::info!(org_id = %org, plan = %target.name, ?change, "plan chosen");
            Ok((change, next))
        })
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
        let (begin, lock) = locking(self.backend());
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let (state, rows) = lock_and_settle!(tx, org, lock, catalogue, now);
            for (app, _) in changes {
                let Some((_, scopes, is_evaluation, _)) = rows.iter().find(|row| row.0 == app.to_string()) else {
                    return Err(StoreError::NotFound.into());
                };
                if *is_evaluation {
                    return Err(AllocationError::EvaluationFixed.into());
                }
                if !is_supply(scopes)? {
                    return Err(AllocationError::NotSupply.into());
                }
            }
            let total = catalogue.resolve(state.plan.as_deref()).distributable();
            let mut allocations = allocations(total, &rows)?;
            allocations.set_many(changes)?;
            for (app, parts) in changes {
                set_limit!(tx, app, *parts);
            }
            tx.commit().await?;
            Ok(())
        })
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
        let (begin, lock) = locking(self.backend());
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let (state, rows) = lock_and_settle!(tx, org, lock, catalogue, now);
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
            crate::apps::insert_app(&mut tx, id, org, new, time::to_db(now)).await?;
            tx.commit().await?;
        });
        Ok(self.app_by_id(id).await?)
    }
}
