//! Every periodic job of `ferrite serve`, in one list: what runs, how often, on what. A job's
//! round is a function of its dependencies and the clock, written in the crate that owns its rule;
//! this module only starts the rounds on their periods and stops them at shutdown.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use anyhow::Context;
use ferrite_core::Clock;
use ferrite_supply::{
    rates::RatesFeed,
    schedule::{self, ScheduledFeed},
};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::AppState;

/// How often each node checks whether another node (or `ferrite sync`) changed the catalogue.
const CATALOGUE_CHECK: Duration = Duration::from_secs(5);
/// How often each node looks at the stored exchange rates (and fetches them when they are older
/// than `exchange_rates.refresh_every`): another node's fetch reaches this one within this.
const RATES_CHECK: Duration = Duration::from_secs(15 * 60);
/// How often the feed schedule looks for feeds that are due.
const FEED_CHECK: Duration = Duration::from_secs(60);
/// How often the connectors look up the stale parts that answers touched (each within its budget;
/// each pass that finds something is one import, so one new catalogue version).
const CONNECTOR_REFRESH: Duration = Duration::from_secs(60);
/// How often due plan changes are applied in organizations nobody looks at.
const PLAN_SWEEP: Duration = Duration::from_secs(60);
/// How often charge batch records past any resend are removed (PostgreSQL).
const CHARGE_BATCH_PRUNE: Duration = Duration::from_secs(60);
/// How often each node writes the requests it counted (answered, refused) to the store: how
/// long another node's usage page may lag behind (this node's page writes them first).
const REQUEST_COUNTS_FLUSH: Duration = Duration::from_secs(5);
/// How often Prometheus histograms are drained: they are summarized lazily, so this bounds memory.
const METRICS_UPKEEP: Duration = Duration::from_secs(5);
/// Expired grants are purged once per this many cache refreshes (an hour at the default 2 s).
const GRANT_PURGE_REFRESHES: u32 = 1800;

type Round = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A round run every `every`, the first after `first_after`.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub first_after: Duration,
    round: Box<dyn Fn(Arc<dyn Clock>) -> Round + Send + Sync>,
}

impl Job {
    /// A job whose round gets a clone of `deps` and the clock; its first round runs at once.
    pub fn new<D, F, R>(name: &'static str, every: Duration, deps: D, round: F) -> Job
    where
        D: Clone + Send + Sync + 'static,
        F: Fn(D, Arc<dyn Clock>) -> R + Send + Sync + 'static,
        R: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Job {
            name,
            every,
            first_after: Duration::ZERO,
            round: Box::new(move |clock| Box::pin(round(deps.clone(), clock))),
        }
    }

    /// The same job, with its first round one period after the start.
    fn first_after_one_period(self) -> Job {
        Job { first_after: self.every, ..self }
    }
}

/// The jobs of a node serving `state`, with the configured feeds.
pub fn list(state: &AppState, feeds: Vec<ScheduledFeed>, rates: RatesFeed) -> Vec<Job> {
    let identity = &state.identity;
    let mut jobs = vec![
        Job::new("identity caches", identity.refresh_every(), identity.clone(), |identity, _| async move {
            identity.refresh().await.context("identity caches could not be refreshed")
        }),
        Job::new(
            "expired grants",
            identity.refresh_every() * GRANT_PURGE_REFRESHES,
            identity.clone(),
            |identity, clock| async move {
                identity.purge_expired_grants(clock.now()).await.context("expired grants could not be purged")
            },
        )
        .first_after_one_period(),
        Job::new("catalogue version", CATALOGUE_CHECK, state.catalogue.clone(), |catalogue, _| async move {
            catalogue.refresh().await.context("the catalogue could not be refreshed")
        }),
        Job::new(
            "feed schedule",
            FEED_CHECK,
            (state.store.clone(), state.catalogue.clone(), Arc::new(feeds)),
            |(store, catalogue, feeds), clock| async move {
                schedule::run_due_feeds(&store, &catalogue, &feeds, &*clock).await;
                Ok(())
            },
        ),
        Job::new(
            "exchange rates",
            RATES_CHECK,
            (state.store.clone(), state.catalogue.clone(), Arc::new(rates)),
            |(store, catalogue, rates), clock| async move {
                ferrite_supply::rates::refresh(&store, &catalogue, &rates, clock.now())
                    .await
                    .context("the stored exchange rates could not be read or kept")
            },
        ),
        // `Plans` reads the same clock as every job.
        Job::new("plan sweep", PLAN_SWEEP, state.plans.clone(), |plans, _| async move {
            let settled = plans.sweep_due().await.context("scheduled plan changes could not be applied")?;
            if settled > 0 {
                tracing::info!(organizations = settled, "scheduled plan changes applied");
            }
            Ok(())
        }),
        Job::new(
            "upload sweep",
            ferrite_graphql::design::upload::SWEEP_EVERY,
            identity.clone(),
            |identity, clock| async move {
                ferrite_graphql::design::upload::remove_expired_files(&identity, clock.now())
                    .await
                    .context("expired design files could not be removed")
            },
        ),
        Job::new("request counts", REQUEST_COUNTS_FLUSH, identity.clone(), |identity, _| async move {
            identity.flush_request_counts().await.context("request counts could not be written")
        })
        .first_after_one_period(),
        Job::new("charge batch records", CHARGE_BATCH_PRUNE, state.store.clone(), |store, _| async move {
            store.forget_old_charge_batches().await.map(drop).context("old charge batch records could not be removed")
        }),
        Job::new("metrics upkeep", METRICS_UPKEEP, state.metrics.clone(), |metrics, _| async move {
            metrics.run_upkeep();
            Ok(())
        }),
    ];
    if !state.connectors.is_empty() {
        jobs.push(Job::new(
            "connector refresh",
            CONNECTOR_REFRESH,
            state.connectors.clone(),
            |connectors, _| async move {
                connectors.refresh_queued().await.context("the connectors' refresh queue could not be run")
            },
        ));
    }
    if let Some(every) = state.api.meter.checkpoint_every() {
        jobs.push(Job::new("write-ahead log checkpoint", every, state.api.meter.clone(), |meter, _| async move {
            meter.checkpoint().await.context("a write-ahead log checkpoint failed")
        }));
    }
    jobs
}

/// Jobs running until [`Running::stop`].
pub struct Running {
    stop: CancellationToken,
    tasks: TaskTracker,
}

/// Starts each job on a task of its own.
pub fn start(jobs: Vec<Job>, clock: Arc<dyn Clock>) -> Running {
    let running = Running { stop: CancellationToken::new(), tasks: TaskTracker::new() };
    for job in jobs {
        running.tasks.spawn(run(job, clock.clone(), running.stop.clone()));
    }
    running.tasks.close();
    running
}

impl Running {
    /// Stops every job, a round in progress included (each round leaves the data whole if it is
    /// dropped half-way: an import is one transaction), and waits until they have stopped.
    pub async fn stop(self) {
        self.stop.cancel();
        self.tasks.wait().await;
    }
}

/// A round every period; a round that overruns its period delays the next rather than causing a
/// burst of them.
async fn run(job: Job, clock: Arc<dyn Clock>, stop: CancellationToken) {
    let mut tick = tokio::time::interval_at(Instant::now() + job.first_after, job.every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while stop.run_until_cancelled(tick.tick()).await.is_some() {
        if let Some(Err(err)) = stop.run_until_cancelled((job.round)(clock.clone())).await {
            tracing::warn!(job = job.name, error = format!("{err:#}"), "a periodic job failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use ferrite_core::FakeClock;

    use super::*;

    fn counting(counter: &Arc<AtomicU32>, every: Duration) -> Job {
        Job::new("count", every, counter.clone(), |counter, _| async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }

    #[tokio::test(start_paused = true)]
    async fn rounds_run_on_their_periods_and_stop_on_shutdown() {
        let (now, later) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
        let clock = Arc::new(FakeClock::at(chrono::Utc::now()));
        let every = Duration::from_secs(10);
        let running = start(vec![counting(&now, every), counting(&later, every).first_after_one_period()], clock);
        tokio::time::sleep(Duration::from_secs(25)).await;
        assert_eq!(now.load(Ordering::SeqCst), 3, "at 0, 10 and 20 s");
        assert_eq!(later.load(Ordering::SeqCst), 2, "at 10 and 20 s");
        running.stop().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(now.load(Ordering::SeqCst), 3, "no round after the stop");
    }
}
