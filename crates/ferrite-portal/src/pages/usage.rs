//! Usage: per Supply app, the parts used this period against its limit, the reset date, and a
//! chart of parts per day.

use axum::{extract::State, response::Response};
use ferrite_core::{
    plan::{Period, thousands},
    scope::AppScope,
};

use super::{apps::period_words, chart};
use crate::{
    error::PortalError,
    member::Member,
    state::Portal,
    views::{self, UsageCard, UsagePage},
};

pub async fn show(State(portal): State<Portal>, member: Member) -> Result<Response, PortalError> {
    let now = portal.now();
    let mut cards = Vec::new();
    for app in member.apps().await?.into_iter().filter(|a| a.scopes.contains(AppScope::Supply)) {
        let period = Period::for_app(app.is_evaluation, now);
        let used = portal.store().part_usage(app.id, &period.key()).await?;
        let days = period.days_until(now);
        let (Some(first), Some(last)) = (days.first(), days.last()) else { continue };
        let daily = portal.store().daily_usage(member.org.id, app.id, *first, *last).await?;
        let resets = match period.resets_at() {
            Some(at) => format!("resets on {}", views::date(at)),
            None => "never resets".to_owned(),
        };
        cards.push(UsageCard {
            id: app.id.to_string(),
            name: app.name.clone(),
            used: thousands(used),
            limit: thousands(app.part_limit),
            percent: views::percent(used, app.part_limit),
            period: period_words(&period).split(',').next().unwrap_or_default().to_owned(),
            resets,
            chart: chart::parts_per_day(&period.chart_days(now), &daily, now.date_naive()),
        });
    }
    Ok(member.page(&UsagePage { shell: member.shell("usage"), apps: cards }))
}
