//! Charging parts to apps, a batch per transaction (group commit): read the accounts with their
//! rows locked, decide every charge in order (`ferrite_core::metering::settle`), write the new
//! totals and the per-day counts, commit. Nothing is answered before the commit, so no part that
//! a client receives goes uncounted, also when the process dies; and since every node locks the
//! same rows, no app is served past its limit, however many nodes charge it.

use std::collections::HashMap;

use ferrite_core::{
    AppId,
    metering::{Account, Outcome, settle},
};

use crate::{Pool, Store, StoreError, parse_id};

/// One request's charge.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    pub app: AppId,
    /// `YYYY-MM`, or `lifetime` for an evaluation app.
    pub period: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub parts: i64,
}

fn placeholders(from: usize, rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (0..per_row).map(|c| format!("${}", from + r * per_row + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Decides and records a batch of charges in one transaction; outcomes in the batch's order.
    pub async fn charge_batch(&self, charges: &[ChargeRequest]) -> Result<Vec<Outcome>, StoreError> {
        if charges.is_empty() {
            return Ok(Vec::new());
        }
        let mut accounts_keys: Vec<(String, String)> = Vec::new();
        for charge in charges {
            let key = (charge.app.to_string(), charge.period.clone());
            if !accounts_keys.contains(&key) {
                accounts_keys.push(key);
            }
        }
        let ensure = format!(
            "INSERT INTO part_usage (app_id, period, used) SELECT v.a, v.p, 0 FROM (VALUES {}) AS v (a, p)
             WHERE EXISTS (SELECT 1 FROM applications WHERE id = v.a) ON CONFLICT DO NOTHING",
            placeholders(1, accounts_keys.len(), 2)
        );
        let lock = if matches!(self.pool, Pool::Postgres(_)) { " FOR UPDATE OF u" } else { "" };
        let read = format!(
            "SELECT u.app_id, u.used, a.part_limit FROM part_usage u JOIN applications a ON a.id = u.app_id
             WHERE (u.app_id, u.period) IN (VALUES {}){lock}",
            placeholders(1, accounts_keys.len(), 2)
        );
        type AccountRow = (String, i64, i64);
        let sqlite_values =
            ensure.replace("AS v (a, p)", "AS v").replace("v.a", "v.column1").replace("v.p", "v.column2");

        let outcomes = crate::dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            // The first statement writes: on SQLite that takes the write lock at once, so the
            // read below cannot go stale before the update.
            let ensure_sql = if matches!(self.pool, Pool::Postgres(_)) { &ensure } else { &sqlite_values };
            let mut query = sqlx::query(ensure_sql);
            for (app, period) in &accounts_keys {
                query = query.bind(app).bind(period);
            }
            query.execute(&mut *tx).await?;
            let mut query = sqlx::query_as::<_, AccountRow>(&read);
            for (app, period) in &accounts_keys {
                query = query.bind(app).bind(period);
            }
            let rows = query.fetch_all(&mut *tx).await?;
            let mut accounts: HashMap<AppId, Account> = HashMap::new();
            for (app, used, limit) in rows {
                accounts.insert(parse_id(&app)?, Account { used, limit });
            }
            let before = accounts.clone();
            let decided: Vec<(AppId, i64)> = charges.iter().map(|c| (c.app, c.parts)).collect();
            let outcomes = settle(&decided, &mut accounts);
            let mut daily: HashMap<(AppId, &str), i64> = HashMap::new();
            for (charge, outcome) in charges.iter().zip(&outcomes) {
                if matches!(outcome, Outcome::Charged { .. }) && charge.parts > 0 {
                    *daily.entry((charge.app, charge.day.as_str())).or_default() += charge.parts;
                }
            }
            // One write per account whose total moved, not one per charge: a batch often holds
            // many charges of one app.
            let mut written = std::collections::HashSet::new();
            for charge in charges {
                let (Some(now), Some(was)) = (accounts.get(&charge.app), before.get(&charge.app)) else { continue };
                if now.used != was.used && written.insert(charge.app) {
                    sqlx::query("UPDATE part_usage SET used = $3 WHERE app_id = $1 AND period = $2")
                        .bind(charge.app.to_string()).bind(&charge.period).bind(now.used)
                        .execute(&mut *tx).await?;
                }
            }
            for ((app, day), parts) in &daily {
                sqlx::query(
                    "INSERT INTO part_usage_daily (app_id, day, parts) VALUES ($1, $2, $3)
                     ON CONFLICT (app_id, day) DO UPDATE SET parts = part_usage_daily.parts + excluded.parts",
                )
                .bind(app.to_string()).bind(*day).bind(*parts)
                .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            outcomes
        });
        Ok(outcomes)
    }
}
