//! What live distributor connectors spend, how they fare, and what waits for them (migration
//! `connectors`). The budget is counted here, not in a node's memory, so several nodes on one
//! PostgreSQL never spend more than it together: a call is made only after [`Store::spend_call`]
//! took its count in both periods, each in one upsert that refuses a full window.

use chrono::{DateTime, Datelike, TimeZone, Utc};

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    time,
};

/// A connector's budget: calls per minute and per UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallBudget {
    pub per_minute: u32,
    pub per_day: u32,
}

/// What [`Store::spend_call`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spend {
    /// The call may be made; it is counted.
    Granted,
    /// A period's budget is spent; it renews at `until`.
    Exhausted { until: DateTime<Utc> },
}

/// The calls counted in a connector's current windows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CallsSpent {
    pub this_minute: u64,
    pub today: u64,
}

/// How a connector has fared, across all nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ConnectorHealth {
    pub connector: String,
    pub calls: i64,
    pub failures: i64,
    pub failures_in_row: i64,
    pub last_success_at: Option<i64>,
    pub last_failure_at: Option<i64>,
    pub last_error: Option<String>,
    pub resting_until: Option<i64>,
}

impl ConnectorHealth {
    pub fn last_success(&self) -> Option<DateTime<Utc>> {
        self.last_success_at.map(time::from_db)
    }
    pub fn last_failure(&self) -> Option<DateTime<Utc>> {
        self.last_failure_at.map(time::from_db)
    }
    pub fn resting_until(&self) -> Option<DateTime<Utc>> {
        self.resting_until.map(time::from_db)
    }
}

/// The result of one upstream call, as [`Store::record_call`] keeps it.
pub enum CallOutcome<'a> {
    Succeeded,
    /// Failed with `error` (a sentence with no credential); the connector rests until `rest_until`.
    Failed {
        error: &'a str,
        rest_until: DateTime<Utc>,
    },
}

/// The minute and the UTC day `now` falls in, with when each ends.
fn windows(now: DateTime<Utc>) -> [(&'static str, DateTime<Utc>, DateTime<Utc>); 2] {
    let minute = DateTime::from_timestamp(now.timestamp() - now.timestamp().rem_euclid(60), 0).unwrap_or(now);
    let day = Utc.with_ymd_and_hms(now.year(), now.month(), now.day(), 0, 0, 0).single().unwrap_or(now);
    [("minute", minute, minute + chrono::Duration::minutes(1)), ("day", day, day + chrono::Duration::days(1))]
}

impl Store {
    /// Counts one call of `connector` if both its minute's and its day's budget allow it, or
    /// counts nothing. Atomic across nodes: each period's upsert refuses a full window, and the
    /// two run in one transaction.
    pub async fn spend_call(
        &self,
        connector: &str,
        budget: CallBudget,
        now: DateTime<Utc>,
    ) -> Result<Spend, StoreError> {
        let mut tx = self.main.begin_immediate().await?;
        for ((period, start, end), limit) in windows(now).into_iter().zip([budget.per_minute, budget.per_day]) {
            let upsert = sql("INSERT INTO connector_calls (connector, period, window_start, calls) \
                 VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (connector, period) DO UPDATE SET \
                   calls = CASE WHEN connector_calls.window_start = excluded.window_start \
                           THEN connector_calls.calls + 1 ELSE 1 END, \
                   window_start = excluded.window_start \
                 WHERE connector_calls.window_start <> excluded.window_start OR connector_calls.calls < $4 \
                 RETURNING calls");
            let counted: Option<i64> = if limit == 0 {
                None
            } else {
                (&mut tx)
                    .optional_scalar(
                        upsert.bind(connector).bind(period).bind(time::to_db(start)).bind(i64::from(limit)),
                    )
                    .await?
            };
            if counted.is_none() {
                return Ok(Spend::Exhausted { until: end });
            }
        }
        tx.commit().await?;
        Ok(Spend::Granted)
    }

    /// The calls `connector` has made in the current minute and day.
    pub async fn calls_spent(&self, connector: &str, now: DateTime<Utc>) -> Result<CallsSpent, StoreError> {
        let rows: Vec<(String, i64, i64)> = self
            .main
            .fetch_all(
                sql("SELECT period, window_start, calls FROM connector_calls WHERE connector = $1").bind(connector),
            )
            .await?;
        let mut spent = CallsSpent::default();
        for (period, start, _) in windows(now) {
            let calls = rows
                .iter()
                .find(|(p, at, _)| p == period && *at == time::to_db(start))
                .map_or(0, |(_, _, calls)| *calls as u64);
            match period {
                "minute" => spent.this_minute = calls,
                _ => spent.today = calls,
            }
        }
        Ok(spent)
    }

    /// Keeps the outcome of one call of `connector`.
    pub async fn record_call(
        &self,
        connector: &str,
        outcome: CallOutcome<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = time::to_db(now);
        let statement = match outcome {
            CallOutcome::Succeeded => sql("INSERT INTO connector_health (connector, calls, last_success_at) \
                 VALUES ($1, 1, $2) \
                 ON CONFLICT (connector) DO UPDATE SET calls = connector_health.calls + 1, \
                   failures_in_row = 0, last_success_at = $2, resting_until = NULL")
            .bind(connector)
            .bind(now),
            CallOutcome::Failed { error, rest_until } => sql("INSERT INTO connector_health \
                   (connector, calls, failures, failures_in_row, last_failure_at, last_error, resting_until) \
                 VALUES ($1, 1, 1, 1, $2, $3, $4) \
                 ON CONFLICT (connector) DO UPDATE SET calls = connector_health.calls + 1, \
                   failures = connector_health.failures + 1, \
                   failures_in_row = connector_health.failures_in_row + 1, \
                   last_failure_at = $2, last_error = $3, resting_until = $4")
            .bind(connector)
            .bind(now)
            .bind(error)
            .bind(time::to_db(rest_until)),
        };
        self.main.execute(statement).await?;
        Ok(())
    }

    /// How `connector` has fared (all zero before its first call).
    pub async fn connector_health(&self, connector: &str) -> Result<ConnectorHealth, StoreError> {
        let read = sql("SELECT connector, calls, failures, failures_in_row, last_success_at, last_failure_at, \
             last_error, resting_until FROM connector_health WHERE connector = $1");
        let found: Option<ConnectorHealth> = self.main.fetch_optional(read.bind(connector)).await?;
        Ok(found.unwrap_or_else(|| ConnectorHealth { connector: connector.to_owned(), ..Default::default() }))
    }

    /// Asks `connector` to refresh each of `mpns`, asked for `times` times: queued once, its
    /// count raised by as many.
    pub async fn queue_refresh(
        &self,
        connector: &str,
        mpns: &[(&str, u32)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = time::to_db(now);
        for (mpn, times) in mpns {
            let upsert =
                sql("INSERT INTO connector_queue (connector, mpn, requests, queued_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (connector, mpn) DO UPDATE SET requests = connector_queue.requests + $3");
            self.main.execute(upsert.bind(connector).bind(*mpn).bind(i64::from(*times)).bind(now)).await?;
        }
        Ok(())
    }

    /// Takes up to `limit` MPNs from `connector`'s queue, the most asked for first (then the
    /// longest waiting). Each is taken by one node only: the delete claims it.
    pub async fn take_refresh(&self, connector: &str, limit: u32) -> Result<Vec<String>, StoreError> {
        let claim = sql("DELETE FROM connector_queue WHERE connector = $1 AND mpn IN \
             (SELECT mpn FROM connector_queue WHERE connector = $1 ORDER BY requests DESC, queued_at, mpn LIMIT $2) \
             RETURNING mpn");
        self.main.scalars(claim.bind(connector).bind(i64::from(limit))).await
    }

    /// Keeps that `connector` looked `mpn_key` up at `now` and found `parts` parts.
    pub async fn record_lookup(
        &self,
        connector: &str,
        mpn_key: &str,
        parts: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let upsert =
            sql("INSERT INTO connector_lookups (connector, mpn_key, looked_up_at, parts) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (connector, mpn_key) DO UPDATE SET looked_up_at = $3, parts = $4");
        self.main.execute(upsert.bind(connector).bind(mpn_key).bind(time::to_db(now)).bind(parts as i64)).await?;
        Ok(())
    }

    /// The MPN keys `connector` looked up at `since` or later: no more than its budget allowed
    /// calls since then.
    pub async fn looked_up_since(&self, connector: &str, since: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let read = sql("SELECT mpn_key FROM connector_lookups WHERE connector = $1 AND looked_up_at >= $2");
        self.main.scalars(read.bind(connector).bind(time::to_db(since))).await
    }

    /// MPNs waiting for `connector`.
    pub async fn queued_refreshes(&self, connector: &str) -> Result<u64, StoreError> {
        let count: i64 =
            self.main.scalar(sql("SELECT COUNT(*) FROM connector_queue WHERE connector = $1").bind(connector)).await?;
        Ok(count as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_falls_in_its_minute_and_its_utc_day() {
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 23, 59, 30).unwrap();
        let [(_, minute, minute_end), (_, day, day_end)] = windows(now);
        assert_eq!(minute, Utc.with_ymd_and_hms(2026, 12, 4, 23, 59, 0).unwrap());
        assert_eq!(minute_end, Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap());
        assert_eq!(day, Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap());
        assert_eq!(day_end, minute_end);
    }
}
