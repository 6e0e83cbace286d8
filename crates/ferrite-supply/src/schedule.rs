//! The daily refresh: each scheduled feed runs again once its last successful run is older than
//! its period; the catalogue picks the result up without a restart. `ferrite serve` runs a round
//! a minute (its jobs list); time comes from the clock, so tests move it instead of waiting.

use std::time::Duration;

use ferrite_core::Clock;
use ferrite_store::Store;

use crate::{
    catalogue::Catalogue,
    feeds::Adapter,
    import::{self, Mode},
};

/// A feed the server refreshes on its own.
#[derive(Debug, Clone)]
pub struct ScheduledFeed {
    pub name: String,
    pub adapter: Adapter,
    pub source: String,
    /// How long after its last successful run the feed is due again.
    pub every: Duration,
    pub mode: Mode,
}

/// Runs every feed that is due at the clock's time, one after the other, and refreshes the
/// catalogue after each import. A failure is logged and leaves the catalogue unchanged; the feed
/// stays due, so the next round tries again.
pub async fn run_due_feeds(store: &Store, catalogue: &Catalogue, feeds: &[ScheduledFeed], clock: &dyn Clock) {
    for feed in feeds {
        let due = match store.catalogue().last_feed_run(&feed.name).await {
            Ok(Some(last)) => clock.now() - last >= chrono::Duration::from_std(feed.every).unwrap_or_default(),
            Ok(None) => true,
            Err(err) => {
                tracing::warn!(feed = %feed.name, error = %err, "cannot tell when the feed last ran");
                false
            }
        };
        if !due {
            continue;
        }
        tracing::info!(feed = %feed.name, "scheduled refresh starting");
        let aliases = catalogue.manufacturer_aliases();
        let (name, source, now) = (&feed.name, &feed.source, clock.now());
        match import::import_with_aliases(store, aliases, name, feed.adapter, source, feed.mode, now, &mut ()).await {
            Ok(report) => {
                tracing::info!(feed = %feed.name, changed = report.changed(), version = report.catalogue_version, "scheduled refresh done");
                if let Err(err) = catalogue.refresh().await {
                    tracing::warn!(error = %err, "the catalogue could not be refreshed after the import");
                }
            }
            Err(err) => {
                tracing::error!(feed = %feed.name, error = %err, "scheduled refresh failed; the catalogue is unchanged")
            }
        }
    }
}
