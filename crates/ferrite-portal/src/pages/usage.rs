//! Usage: the organization's parts against its plan and its apps' requests; then per Supply app
//! the parts used this period against its limit, a warning near and at it, the reset date, its
//! requests (answered, refused by reason) and a chart of parts per day.

use axum::{extract::State, response::Response};
use chrono::{DateTime, Datelike, Utc};
use ferrite_core::{
    metering::{LimitWarning, limit_warning},
    plan::{Period, thousands},
    requests::RequestCounts,
    scope::AppScope,
};

use super::{apps::period_words, chart};
use crate::{
    error::PortalError,
    member::Member,
    state::Portal,
    views::{self, LimitBanner, RequestsView, UsageCard, UsagePage, UsageSummary},
};

pub async fn show(State(portal): State<Portal>, member: Member) -> Result<Response, PortalError> {
    // This node's latest counts first, so that a request just made shows; other nodes' arrive
    // within their flush period. Counts that cannot be written yet wait for the next flush.
    if let Err(err) = portal.identity.flush_request_counts().await {
        tracing::warn!(error = %err, "request counts could not be written before showing usage");
    }
    let now = portal.now();
    let month = Period::month_of(now);
    let today = now.date_naive();
    let month_start = today - chrono::Days::new(u64::from(today.day0()));
    let requests = portal.store().request_counts(member.org.id, month_start, today).await?;
    let mut cards = Vec::new();
    let (mut monthly_used, mut evaluation_used, mut monthly_apps) = (0, 0, 0);
    let mut org_requests = RequestCounts::default();
    for app in member.apps().await?.into_iter().filter(|a| a.scopes.contains(AppScope::Supply)) {
        let period = Period::for_app(app.is_evaluation, now);
        let used = portal.store().part_usage(app.id, &period.key()).await?;
        if app.is_evaluation {
            evaluation_used = used;
        } else {
            (monthly_used, monthly_apps) = (monthly_used + used, monthly_apps + 1);
        }
        let days = period.days_until(now);
        let (Some(first), Some(last)) = (days.first(), days.last()) else { continue };
        let daily = portal.store().daily_usage(member.org.id, app.id, *first, *last).await?;
        let resets = match period.resets_at() {
            Some(at) => format!("resets on {}", views::date(at)),
            None => "never resets".to_owned(),
        };
        let counts = requests.get(&app.id).cloned().unwrap_or_default();
        org_requests.merge(&counts);
        cards.push(UsageCard {
            id: app.id.to_string(),
            name: app.name.clone(),
            used: thousands(used),
            limit: thousands(app.part_limit),
            percent: views::percent(used, app.part_limit),
            period: period_words(&period).split(',').next().unwrap_or_default().to_owned(),
            resets,
            warning: views::limit_banner(used, app.part_limit, period.resets_at()),
            requests: RequestsView::of(&counts),
            chart: chart::parts_per_day(&period.chart_days(now), &daily, today),
        });
    }
    let plan = portal.plans.settle(member.org.id).await?;
    let plan = portal.plans.catalogue().resolve(plan.plan.as_deref());
    // The evaluation plan's parts are the evaluation app's, for its lifetime; a monthly plan's
    // are shared by the other apps, each month.
    let (used, across, period) = if plan.lifetime {
        (evaluation_used, "by the evaluation app".to_owned(), period_words(&Period::Lifetime))
    } else {
        let across = if monthly_apps == 1 { "across 1 app".to_owned() } else { format!("across {monthly_apps} apps") };
        (monthly_used, across, period_words(&month))
    };
    let summary = UsageSummary {
        plan: plan.name.clone(),
        period,
        used: thousands(used),
        total: thousands(plan.parts_per_month),
        percent: views::percent(used, plan.parts_per_month),
        across,
        warning: plan_banner(used, plan.parts_per_month, if plan.lifetime { None } else { month.resets_at() }),
        requests: RequestsView::of(&org_requests),
    };
    Ok(member.page(&UsagePage { shell: member.shell("usage"), summary, apps: cards }))
}

/// The organization's warning: its apps have used most or all of the plan's parts.
fn plan_banner(used: i64, total: i64, resets: Option<DateTime<Utc>>) -> Option<LimitBanner> {
    Some(match limit_warning(used, total)? {
        LimitWarning::Near => LimitBanner {
            reached: false,
            message: format!(
                "{} % of the plan's parts used ({} of {}).",
                views::share(used, total),
                thousands(used),
                thousands(total)
            ),
        },
        LimitWarning::Reached => LimitBanner {
            reached: true,
            message: match resets {
                Some(at) => {
                    format!(
                        "All of the plan's parts are used: requests for parts are refused until {}.",
                        views::date(at)
                    )
                }
                None => "All of the evaluation allowance is used: choose a monthly plan for more parts.".to_owned(),
            },
        },
    })
}
