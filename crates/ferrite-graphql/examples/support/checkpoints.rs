//! What `ferrite serve`'s jobs list does for a meter (crates/ferrite/src/jobs.rs), for the bench
//! programs that start one: on SQLite the meter's connection never checkpoints by itself.

use std::sync::Arc;

use ferrite_graphql::Meter;

/// Checkpoints the write-ahead log on the meter's period, for as long as the program runs.
pub fn spawn(meter: &Arc<Meter>) {
    let Some(every) = meter.checkpoint_every() else { return };
    let meter = meter.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let _ = meter.checkpoint().await;
        }
    });
}
