//! Applies scheduled plan changes (downgrades) when their period starts, even in organizations
//! nobody looks at: the allocations must fit the new plan from its first minute.

use std::{sync::Arc, time::Duration};

use ferrite_identity::Plans;

/// Runs for ever; every `every`, settles the plans whose change has come due.
pub async fn run_plan_scheduler(plans: Arc<Plans>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match plans.sweep_due().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(organizations = n, "scheduled plan changes applied"),
            Err(err) => tracing::warn!(error = %err, "scheduled plan changes could not be applied"),
        }
    }
}
