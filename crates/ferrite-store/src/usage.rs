//! Reading part usage, and keeping request counts. Charging is the metering's job (a conditional
//! update of `part_usage`); this module reads what it recorded, always through the organization
//! that owns the app. Request counts arrive in batches from each node's tally
//! (`ferrite_identity`), keyed by client id, and are added to `app_requests_daily`.

use std::collections::HashMap;

use chrono::NaiveDate;
use ferrite_core::{
    AppId, OrgId,
    requests::{RequestCounts, RequestOutcome},
};

use crate::{
    Store, StoreError,
    db::{Execute, rows_insert, sql},
    parse_id,
};

const DAY_FORMAT: &str = "%Y-%m-%d";

/// Requests of one app (by client id) on one UTC day with one outcome, as a node counted them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCount {
    pub client_id: String,
    pub day: NaiveDate,
    pub outcome: RequestOutcome,
    pub requests: i64,
}

/// Counts per statement: four values each, far below either backend's limit of bound values.
const COUNTS_PER_STATEMENT: usize = 1_000;

impl Store {
    /// Parts an app has used in `period` (`YYYY-MM` or `lifetime`); 0 when it has used none.
    pub async fn part_usage(&self, app: AppId, period: &str) -> Result<i64, StoreError> {
        let query = sql("SELECT used FROM part_usage WHERE app_id = $1 AND period = $2");
        let used: Option<i64> = self.main.optional_scalar(query.bind(app.to_string()).bind(period)).await?;
        Ok(used.unwrap_or(0))
    }

    /// Parts used by each of the organization's apps in its current period: `month` (`YYYY-MM`)
    /// for ordinary apps, `lifetime` for the evaluation app. Apps with no usage are absent.
    pub async fn org_usage(&self, org: OrgId, month: &str) -> Result<HashMap<AppId, i64>, StoreError> {
        let query = sql("SELECT a.id, u.used FROM applications a
                         JOIN part_usage u ON u.app_id = a.id
                                          AND u.period = CASE WHEN a.is_evaluation THEN 'lifetime' ELSE $2 END
                         WHERE a.org_id = $1");
        let rows: Vec<(String, i64)> = self.main.fetch_all(query.bind(org.to_string()).bind(month)).await?;
        rows.into_iter().map(|(id, used)| Ok((parse_id(&id)?, used))).collect()
    }

    /// Parts per UTC day for one of the organization's apps, from `from` to `to` inclusive, oldest
    /// first; days without usage are absent. Another organization's app reads as no usage.
    pub async fn daily_usage(
        &self,
        org: OrgId,
        app: AppId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, i64)>, StoreError> {
        let query = sql("SELECT d.day, d.parts FROM part_usage_daily d JOIN applications a ON a.id = d.app_id
                         WHERE d.app_id = $1 AND a.org_id = $2 AND d.day >= $3 AND d.day <= $4 ORDER BY d.day");
        let rows: Vec<(String, i64)> = self
            .main
            .fetch_all(
                query
                    .bind(app.to_string())
                    .bind(org.to_string())
                    .bind(from.format(DAY_FORMAT).to_string())
                    .bind(to.format(DAY_FORMAT).to_string()),
            )
            .await?;
        rows.into_iter()
            .map(|(day, parts)| {
                let day = NaiveDate::parse_from_str(&day, DAY_FORMAT)
                    .map_err(|_| StoreError::Database(format!("stored day `{day}` is not YYYY-MM-DD")))?;
                Ok((day, parts))
            })
            .collect()
    }
}

impl Store {
    /// Adds `counts` to the stored ones, in one transaction. A client id that no app has (any
    /// more) adds nothing: rows are only ever made for apps that exist. No two counts may share
    /// a client id, day and outcome (a tally's never do).
    pub async fn add_request_counts(&self, counts: &[RequestCount]) -> Result<(), StoreError> {
        if counts.is_empty() {
            return Ok(());
        }
        let days: Vec<String> = counts.iter().map(|c| c.day.format(DAY_FORMAT).to_string()).collect();
        let mut tx = self.main.begin_immediate().await?;
        for (chunk, days) in counts.chunks(COUNTS_PER_STATEMENT).zip(days.chunks(COUNTS_PER_STATEMENT)) {
            // VALUES columns are `column1`… on both backends. SQLite needs the WHERE to read the
            // ON CONFLICT as the upsert's, not the join's.
            let mut upsert = rows_insert(
                "INSERT INTO app_requests_daily (app_id, day, outcome, requests)
                 SELECT a.id, v.column2, v.column3, v.column4 FROM (VALUES",
                chunk.len(),
                4,
                ") AS v JOIN applications a ON a.client_id = v.column1 WHERE true
                 ON CONFLICT (app_id, day, outcome)
                 DO UPDATE SET requests = app_requests_daily.requests + excluded.requests",
            );
            for (count, day) in chunk.iter().zip(days) {
                upsert = upsert.bind(&count.client_id).bind(day).bind(count.outcome.key()).bind(count.requests);
            }
            tx.execute(upsert).await?;
        }
        tx.commit().await
    }

    /// Requests of each of the organization's apps from `from` to `to` inclusive (UTC days), by
    /// outcome. Apps without any are absent; outcomes this version does not know are skipped.
    pub async fn request_counts(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<AppId, RequestCounts>, StoreError> {
        let query = sql("SELECT r.app_id, r.outcome, CAST(SUM(r.requests) AS BIGINT)
                         FROM app_requests_daily r JOIN applications a ON a.id = r.app_id
                         WHERE a.org_id = $1 AND r.day >= $2 AND r.day <= $3
                         GROUP BY r.app_id, r.outcome");
        let rows: Vec<(String, String, i64)> = self
            .main
            .fetch_all(
                query
                    .bind(org.to_string())
                    .bind(from.format(DAY_FORMAT).to_string())
                    .bind(to.format(DAY_FORMAT).to_string()),
            )
            .await?;
        let mut counts: HashMap<AppId, RequestCounts> = HashMap::new();
        for (app, outcome, requests) in rows {
            if let Some(outcome) = RequestOutcome::from_key(&outcome) {
                counts.entry(parse_id(&app)?).or_default().add(outcome, requests);
            }
        }
        Ok(counts)
    }
}

/// Test support: records usage as if the metering had charged it (adding to what is there).
impl Store {
    #[doc(hidden)]
    pub async fn record_usage_for_tests(&self, app: AppId, period: &str, parts: i64) -> Result<(), StoreError> {
        let upsert = sql("INSERT INTO part_usage (app_id, period, used) VALUES ($1, $2, $3)
                          ON CONFLICT (app_id, period) DO UPDATE SET used = part_usage.used + excluded.used");
        self.main.execute(upsert.bind(app.to_string()).bind(period).bind(parts)).await?;
        Ok(())
    }

    #[doc(hidden)]
    pub async fn record_daily_usage_for_tests(&self, app: AppId, day: NaiveDate, parts: i64) -> Result<(), StoreError> {
        let upsert = sql(crate::metering::DAILY_UPSERT);
        self.main.execute(upsert.bind(app.to_string()).bind(day.format(DAY_FORMAT).to_string()).bind(parts)).await?;
        Ok(())
    }
}
