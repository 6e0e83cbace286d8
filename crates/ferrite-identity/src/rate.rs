//! Request-rate limits per app: the one rule the token endpoint and the API both apply.
//!
//! Each app is limited by its organization's plan (`[[plans]] rate_limit`; the evaluation app by
//! the evaluation plan) with GCRA (the `governor` crate): a steady rate of requests per second,
//! and a burst that may come at once after a quiet spell. Every app has its own cell, so one
//! app's traffic never slows another's.
//!
//! The bound: on one node, the requests of an app accepted over any span of `t` seconds are at
//! most `burst + requests_per_second × t`. The cells live in each node's memory and are not
//! shared (a shared cell would cost a store round trip per request), so behind a balancer of N
//! nodes an app gets at most N times its limit.

use std::{
    collections::HashMap,
    num::NonZeroU32,
    sync::{Arc, RwLock},
    time::Duration,
};

use axum::http::{HeaderName, HeaderValue, header};
use ferrite_core::{
    AppId, OrgId,
    app::App,
    plan::RateLimit,
    requests::{RefusalReason, RequestOutcome},
};
use ferrite_store::StoreError;
use governor::{
    Quota,
    clock::{Clock, DefaultClock},
    middleware::NoOpMiddleware,
    state::{InMemoryState, NotKeyed},
};

use crate::{Identity, Plans};

/// A request refused for going over its app's rate limit, and when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    pub limit: RateLimit,
    /// Until the next request would be accepted.
    pub retry_after: Duration,
}

impl RateLimited {
    /// `Retry-After` in whole seconds, rounded up and at least 1 (HTTP has no smaller unit, and
    /// `0` would invite an immediate retry that is refused again).
    pub fn retry_after_seconds(&self) -> u64 {
        let started_seconds = u64::from(self.retry_after.subsec_nanos() > 0);
        (self.retry_after.as_secs() + started_seconds).max(1)
    }

    pub fn message(&self) -> String {
        format!(
            "Too many requests: this app may send {} a second (bursts of {}). Retry after {} s.",
            self.limit.requests_per_second,
            self.limit.burst,
            self.retry_after_seconds()
        )
    }

    /// The headers of a refusal: `Retry-After`, and `RateLimit-Policy` and `RateLimit` as
    /// draft-ietf-httpapi-ratelimit-headers-11 writes them (a quota `q` per window `w` seconds;
    /// `r` remaining, `t` seconds until more).
    pub fn headers(&self) -> [(HeaderName, HeaderValue); 3] {
        let seconds = self.retry_after_seconds();
        let policy = format!("\"default\";q={};w=1", self.limit.requests_per_second);
        let state = format!("\"default\";r=0;t={seconds}");
        let value = |text: String| HeaderValue::from_str(&text).expect("digits and quotes make a header value");
        [
            (header::RETRY_AFTER, HeaderValue::from(seconds)),
            (HeaderName::from_static("ratelimit-policy"), value(policy)),
            (HeaderName::from_static("ratelimit"), value(state)),
        ]
    }
}

type Cell<C> = governor::RateLimiter<NotKeyed, InMemoryState, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// An app's cell, with the limit it was made for: a changed limit starts a new cell.
struct AppCell<C: Clock> {
    limit: RateLimit,
    cell: Cell<C>,
}

/// The GCRA cells of apps, keyed by app id, on a clock tests can drive (`FakeRelativeClock`).
pub struct RateLimiter<C: Clock = DefaultClock> {
    clock: C,
    cells: RwLock<HashMap<AppId, Arc<AppCell<C>>>>,
}

/// Cells [`RateLimiter`] keeps before it starts afresh; only apps that exist get one.
const MAX_CELLS: usize = 100_000;

impl Default for RateLimiter {
    fn default() -> Self {
        Self::with_clock(DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    pub fn with_clock(clock: C) -> Self {
        Self { clock, cells: RwLock::default() }
    }

    /// Accepts one request of `app` under `limit`, or says when one would be accepted.
    pub fn check(&self, app: AppId, limit: RateLimit) -> Result<(), RateLimited> {
        let cell = self.cell(app, limit);
        cell.cell
            .check()
            .map_err(|not_until| RateLimited { limit, retry_after: not_until.wait_time_from(self.clock.now()) })
    }

    fn cell(&self, app: AppId, limit: RateLimit) -> Arc<AppCell<C>> {
        if let Some(cell) = self.cells.read().expect("rate cells lock").get(&app).filter(|cell| cell.limit == limit) {
            return Arc::clone(cell);
        }
        let mut cells = self.cells.write().expect("rate cells lock");
        if let Some(cell) = cells.get(&app).filter(|cell| cell.limit == limit) {
            return Arc::clone(cell);
        }
        if cells.len() >= MAX_CELLS {
            cells.clear();
        }
        let cell = Arc::new(AppCell { limit, cell: Cell::<C>::direct_with_clock(quota(limit), self.clock.clone()) });
        cells.insert(app, Arc::clone(&cell));
        cell
    }
}

fn quota(limit: RateLimit) -> Quota {
    let at_least_one = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(at_least_one(limit.requests_per_second)).allow_burst(at_least_one(limit.burst))
}

/// What [`Identity`] needs to limit rates: the cells, the plans service that says each app's
/// limit, and the organizations' limits it said, kept until the next refresh (a plan change
/// applies within `tokens.cache_refresh`).
#[derive(Default)]
pub(crate) struct RateLimits {
    limiter: RateLimiter,
    /// Set by [`crate::services`]; without it (an identity service on its own) nothing is limited.
    plans: RwLock<Option<Arc<Plans>>>,
    org_limits: RwLock<HashMap<OrgId, Option<RateLimit>>>,
}

impl RateLimits {
    pub(crate) fn use_plans(&self, plans: Arc<Plans>) {
        *self.plans.write().expect("rate plans lock") = Some(plans);
        self.forget_plans();
    }

    /// Drops the cached organizations' limits (on every refresh).
    pub(crate) fn forget_plans(&self) {
        self.org_limits.write().expect("rate plan cache lock").clear();
    }

    async fn limit_of(&self, plans: &Plans, app: &App) -> Result<Option<RateLimit>, StoreError> {
        if app.is_evaluation {
            return plans.rate_limit(app.org_id, true).await;
        }
        let cached = self.org_limits.read().expect("rate plan cache lock").get(&app.org_id).copied();
        if let Some(limit) = cached {
            return Ok(limit);
        }
        let limit = plans.rate_limit(app.org_id, false).await?;
        let mut cached = self.org_limits.write().expect("rate plan cache lock");
        if cached.len() >= MAX_CELLS {
            cached.clear();
        }
        cached.insert(app.org_id, limit);
        Ok(limit)
    }
}

impl Identity {
    /// Accepts one request of `app` under its plan's rate limit, or counts it refused for the
    /// rate limit and says when to retry. A limit that cannot be read (the store failing) lets
    /// the request through: the limit protects the service, and refusing every app because of
    /// an outage would be the larger harm.
    pub async fn check_rate(&self, app: &App) -> Result<(), RateLimited> {
        let Some(plans) = self.rates.plans.read().expect("rate plans lock").clone() else { return Ok(()) };
        if !plans.catalogue().limits_rates() {
            return Ok(());
        }
        let limit = match self.rates.limit_of(&plans, app).await {
            Ok(Some(limit)) => limit,
            Ok(None) => return Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, client_id = %app.client_id, "the app's rate limit could not be read");
                return Ok(());
            }
        };
        self.rates.limiter.check(app.id, limit).inspect_err(|_| {
            self.count_request(&app.client_id, RequestOutcome::Refused(RefusalReason::RateLimit));
            metrics::counter!("rate_limited_requests_total").increment(1);
        })
    }

    /// [`Identity::check_rate`] for an API request, whose token names the app by client id.
    pub async fn check_api_rate(&self, client_id: &str) -> Result<(), RateLimited> {
        let limited = self
            .rates
            .plans
            .read()
            .expect("rate plans lock")
            .as_ref()
            .is_some_and(|plans| plans.catalogue().limits_rates());
        if !limited {
            return Ok(());
        }
        match self.client(client_id).await {
            Ok(client) => self.check_rate(&client.0).await,
            // A deleted app's tokens are refused by revocation; nothing to limit here.
            Err(StoreError::NotFound) => Ok(()),
            Err(err) => {
                tracing::warn!(error = %err, client_id, "the app of a token could not be read for its rate limit");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn limit(requests_per_second: u32, burst: u32) -> RateLimit {
        RateLimit { requests_per_second, burst }
    }

    fn accepted(limiter: &RateLimiter<FakeRelativeClock>, app: AppId, limit: RateLimit, tries: usize) -> usize {
        (0..tries).filter(|_| limiter.check(app, limit).is_ok()).count()
    }

    #[test]
    fn a_burst_then_the_steady_rate() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(clock.clone());
        let (app, five_a_second) = (AppId::new(), limit(5, 3));
        assert_eq!(accepted(&limiter, app, five_a_second, 10), 3, "the burst, at once");
        let refused = limiter.check(app, five_a_second).unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(200));
        assert_eq!(refused.retry_after_seconds(), 1);
        clock.advance(Duration::from_millis(200));
        assert_eq!(accepted(&limiter, app, five_a_second, 10), 1, "one more every 1/5 s");
        let steady = (0..10)
            .filter(|_| {
                clock.advance(Duration::from_millis(100));
                limiter.check(app, five_a_second).is_ok()
            })
            .count();
        assert_eq!(steady, 5, "trying ten times a second, the rate is accepted and no more");
    }

    #[test]
    fn a_quiet_spell_refills_the_burst_and_no_more() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(clock.clone());
        let (app, two_a_second) = (AppId::new(), limit(2, 4));
        assert_eq!(accepted(&limiter, app, two_a_second, 10), 4);
        clock.advance(Duration::from_secs(1));
        assert_eq!(accepted(&limiter, app, two_a_second, 10), 2, "a second refills two");
        clock.advance(Duration::from_secs(60));
        assert_eq!(accepted(&limiter, app, two_a_second, 10), 4, "a minute refills the burst, not 120");
    }

    #[test]
    fn apps_are_limited_independently() {
        let limiter = RateLimiter::with_clock(FakeRelativeClock::default());
        let (busy, quiet, one) = (AppId::new(), AppId::new(), limit(1, 1));
        assert_eq!(accepted(&limiter, busy, one, 5), 1);
        assert!(limiter.check(quiet, one).is_ok(), "another app's traffic does not count");
        assert!(limiter.check(busy, one).is_err());
    }

    #[test]
    fn a_changed_limit_applies_at_once() {
        let limiter = RateLimiter::with_clock(FakeRelativeClock::default());
        let app = AppId::new();
        assert_eq!(accepted(&limiter, app, limit(1, 1), 5), 1);
        assert_eq!(accepted(&limiter, app, limit(10, 5), 10), 5, "a new plan's burst");
    }

    #[test]
    fn a_refusal_says_when_in_whole_seconds_and_in_the_draft_syntax() {
        let refused = RateLimited { limit: limit(20, 40), retry_after: Duration::from_millis(1500) };
        let headers: HashMap<_, _> = refused
            .headers()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(headers["retry-after"], "2");
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=20;w=1");
        assert_eq!(headers["ratelimit"], "\"default\";r=0;t=2");
        let soon = RateLimited { retry_after: Duration::from_millis(3), ..refused };
        assert_eq!(soon.retry_after_seconds(), 1, "never 0");
    }
}
