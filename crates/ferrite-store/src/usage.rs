//! Reading part usage. Charging is the metering's job (a conditional update of `part_usage`);
//! this module only reads what it recorded, always through the organization that owns the app.

use std::collections::HashMap;

use chrono::NaiveDate;
use ferrite_core::{AppId, OrgId};

use crate::{
    Store, StoreError,
    db::{Execute, sql},
    parse_id,
};

const DAY_FORMAT: &str = "%Y-%m-%d";

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
