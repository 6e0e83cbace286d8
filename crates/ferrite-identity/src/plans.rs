//! The plans service: an organization's supply plan and the allocation of its parts to apps.
//!
//! The rules are `ferrite_core::plan`'s and the store applies them under the organization's lock;
//! this is the one caller of those store methods, holding the catalogue (configuration) and the
//! clock so that no edge passes either.

use std::{collections::HashMap, sync::Arc};

use ferrite_core::{
    AppId, Clock, OrgId,
    app::App,
    plan::{OrgPlan, Period, PlanCatalogue, PlanChange, RateLimit},
};
use ferrite_store::{NewApp, Store, StoreError};

/// Why a plan or allocation change was not made: the plans service's one error type.
pub use ferrite_store::PlanError;

pub struct Plans {
    store: Store,
    clock: Arc<dyn Clock>,
    catalogue: PlanCatalogue,
}

impl Plans {
    pub fn new(store: Store, clock: Arc<dyn Clock>, catalogue: PlanCatalogue) -> Self {
        Self { store, clock, catalogue }
    }

    /// The plans offered (configuration).
    pub fn catalogue(&self) -> &PlanCatalogue {
        &self.catalogue
    }

    /// The service's clock, so that pages showing periods see the same time as the rules.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The organization's plan now, applying a scheduled change that has come due.
    pub async fn settle(&self, org: OrgId) -> Result<OrgPlan, PlanError> {
        Ok(self.store.settle_plan(org, &self.catalogue, self.clock.now()).await?)
    }

    /// Switches to the plan named `plan`: an upgrade at once, a downgrade at the next period.
    pub async fn choose(&self, org: OrgId, plan: &str) -> Result<(PlanChange, OrgPlan), PlanError> {
        self.store.choose_plan(org, plan, &self.catalogue, self.clock.now()).await
    }

    /// An operator's change (`ferrite admin org set-plan`): plan `plan` from now, up or down,
    /// allocations scaled down to fit a smaller total.
    pub async fn set_now(&self, org: OrgId, plan: &str) -> Result<OrgPlan, PlanError> {
        self.store.set_plan_now(org, plan, &self.catalogue, self.clock.now()).await
    }

    /// Parts each of the organization's apps has used in its current period (the month, or the
    /// evaluation app's lifetime); apps with no usage are absent.
    pub async fn usage(&self, org: OrgId) -> Result<HashMap<AppId, i64>, PlanError> {
        Ok(self.store.org_usage(org, &Period::month_of(self.clock.now()).key()).await?)
    }

    /// Sets the part limits of some of the organization's Supply apps, all or none.
    pub async fn allocate(&self, org: OrgId, changes: &[(AppId, i64)]) -> Result<(), PlanError> {
        self.store.set_allocations(org, changes, &self.catalogue, self.clock.now()).await
    }

    /// Applies every scheduled plan change that has come due; returns how many organizations changed.
    pub async fn sweep_due(&self) -> Result<usize, PlanError> {
        Ok(self.store.settle_due_plans(&self.catalogue, self.clock.now()).await?)
    }

    /// The request-rate limit of an app of `org`'s: its plan's now, or the evaluation plan's for
    /// the evaluation app (whose allowance is the evaluation plan's whatever the organization's).
    pub(crate) async fn rate_limit(&self, org: OrgId, is_evaluation: bool) -> Result<Option<RateLimit>, StoreError> {
        if is_evaluation {
            return Ok(self.catalogue.evaluation().rate_limit);
        }
        let plan = self.store.org_plan(org).await?.settled(self.clock.now());
        Ok(self.catalogue.resolve(plan.plan.as_deref()).rate_limit)
    }

    /// Registers an app with `new.part_limit` parts taken from the plan, atomically (see `Accounts`).
    pub(crate) async fn create_app(&self, org: OrgId, new: &NewApp) -> Result<App, PlanError> {
        self.store.create_app_within_plan(org, new, &self.catalogue, self.clock.now()).await
    }
}
