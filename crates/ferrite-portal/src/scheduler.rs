//! Applies scheduled plan changes (downgrades) when their period starts, even in organizations
//! nobody looks at: the allocations must fit the new plan from its first minute. `ferrite serve`
//! runs it once a minute (its jobs list).

use chrono::{DateTime, Utc};
use ferrite_core::plan::PlanCatalogue;
use ferrite_identity::Identity;
use ferrite_store::StoreError;

/// Settles the plans whose change has come due at `now`.
pub async fn sweep_due_plans(identity: &Identity, plans: &PlanCatalogue, now: DateTime<Utc>) -> Result<(), StoreError> {
    let settled = identity.store().settle_due_plans(plans, now).await?;
    if settled > 0 {
        tracing::info!(organizations = settled, "scheduled plan changes applied");
    }
    Ok(())
}
