//! Plans: the current plan and its period, "Manage supply plan" (switching) and "Manage app
//! limits" (distributing the plan's parts across Supply apps). Only owners change either.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use ferrite_core::{
    AppId,
    plan::{Period, PlanChange, decide_change, thousands},
    scope::AppScope,
};
use ferrite_identity::PlanError;
use serde::Deserialize;

use super::apps::period_words;
use crate::{
    error::{PortalError, internal},
    field_errors::FieldErrors,
    forms::FormData,
    member::Member,
    state::Portal,
    views::{self, AllocationRow, EvaluationRow, PlanCard, PlansPage},
};

const LIMIT_FIELD: &str = "limit.";

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// What the page shows after a form was refused: the submitted values, and why.
#[derive(Default)]
struct Refused<'a> {
    form: Option<&'a FormData>,
    error: Option<String>,
    errors: FieldErrors,
}

async fn page(
    portal: &Portal,
    member: &Member,
    notice: Option<String>,
    refused: Refused<'_>,
) -> Result<PlansPage, PortalError> {
    let now = portal.now();
    let state = portal.plans.settle(member.org.id).await?;
    let catalogue = portal.plans.catalogue();
    let current = catalogue.resolve(state.plan.as_deref());
    let period = if current.lifetime {
        format!(
            "The evaluation plan: {} parts for the evaluation app, for its lifetime. Choose a monthly plan to give parts to your own apps.",
            thousands(current.parts_per_month)
        )
    } else {
        format!("This period: {}.", period_words(&Period::month_of(now)))
    };
    let pending = state.pending.as_ref().map(|p| {
        format!(
            "From {} the plan becomes {}: a downgrade takes effect when the next period starts. Allocations above its total are then reduced proportionally.",
            views::date(p.effective_at),
            p.plan
        )
    });
    let catalogue = catalogue
        .plans()
        .iter()
        .map(|plan| {
            let is_current = plan.name == current.name;
            let is_pending = state.pending.as_ref().is_some_and(|p| p.plan == plan.name);
            let action = match (is_current, is_pending, decide_change(current, plan, now)) {
                (true, _, _) if state.pending.is_some() => "Keep",
                (true, _, _) | (_, true, _) => "",
                (_, _, PlanChange::At(_)) => "Downgrade",
                _ if plan.distributable() > current.distributable() => "Upgrade",
                _ => "Switch",
            };
            PlanCard {
                name: plan.name.clone(),
                parts: thousands(plan.parts_per_month),
                per: if plan.lifetime { "for the evaluation app, lifetime" } else { "a month" },
                features: plan.features.clone(),
                current: is_current,
                pending: is_pending,
                action,
            }
        })
        .collect();

    let usage = portal.store().org_usage(member.org.id, &Period::month_of(now).key()).await?;
    let mut allocations = Vec::new();
    let mut evaluation = None;
    let mut allocated = 0;
    for app in member.apps().await?.into_iter().filter(|a| a.scopes.contains(AppScope::Supply)) {
        let used = thousands(usage.get(&app.id).copied().unwrap_or(0));
        if app.is_evaluation {
            evaluation = Some(EvaluationRow { name: app.name, limit: thousands(app.part_limit), used });
            continue;
        }
        allocated += app.part_limit;
        let field = format!("{LIMIT_FIELD}{}", app.id);
        let value = refused.form.map_or_else(|| app.part_limit.to_string(), |f| f.get(&field).to_owned());
        allocations.push(AllocationRow { name: app.name, field, value, used });
    }
    let total = current.distributable();
    Ok(PlansPage {
        shell: member.shell("plans"),
        is_owner: member.is_owner(),
        plan_name: current.name.clone(),
        period,
        pending,
        catalogue,
        total: thousands(total),
        unallocated: thousands(total - allocated),
        over: allocated > total,
        allocations,
        evaluation,
        notice,
        error: refused.error,
        errors: refused.errors,
    })
}

pub async fn show(
    State(portal): State<Portal>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, PortalError> {
    let notice = match done.done.as_deref() {
        Some("now") => Some("The new plan applies now.".to_owned()),
        Some("later") => Some("The change is scheduled for the start of the next period.".to_owned()),
        Some("same") => Some("The plan stays as it is; no change is scheduled.".to_owned()),
        Some("limits") => Some("The part limits were saved.".to_owned()),
        _ => None,
    };
    let page = page(&portal, &member, notice, Refused::default()).await?;
    Ok(member.page(&page))
}

pub async fn choose(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    member.require_owner()?;
    let change = match portal.plans.choose(member.org.id, form.get("plan")).await {
        Ok((change, _)) => change,
        Err(PlanError::UnknownPlan(_)) => return Err(PortalError::BadRequest("There is no such plan.".into())),
        Err(err) => return Err(internal(err)),
    };
    let done = match change {
        PlanChange::Now => "now",
        PlanChange::At(_) => "later",
        PlanChange::Unchanged => "same",
    };
    Ok(Redirect::to(&format!("/plans?done={done}")).into_response())
}

pub async fn allocate(State(portal): State<Portal>, member: Member, form: FormData) -> Result<Response, PortalError> {
    member.check_csrf(&form)?;
    member.require_owner()?;
    let mut errors = FieldErrors::default();
    let mut changes: HashMap<AppId, i64> = HashMap::new();
    for (id, value) in form.with_prefix(LIMIT_FIELD) {
        let field = format!("{LIMIT_FIELD}{id}");
        let Ok(app) = id.parse::<AppId>() else { return Err(PortalError::NotFound) };
        match value.trim().parse::<i64>() {
            Ok(parts) if parts >= 0 => {
                changes.insert(app, parts);
            }
            _ => errors.add(field, "Enter a whole number of parts, 0 or more."),
        }
    }
    let refused_with = |error: Option<String>, errors: FieldErrors| Refused { form: Some(&form), error, errors };
    if !errors.is_empty() {
        let page = page(&portal, &member, None, refused_with(None, errors)).await?;
        return Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let changes: Vec<_> = changes.into_iter().collect();
    match portal.plans.allocate(member.org.id, &changes).await {
        Ok(()) => Ok(Redirect::to("/plans?done=limits#limits").into_response()),
        Err(PlanError::Allocation(err)) => {
            let error = format!("Not saved: {err}. Take parts from another app first, or choose a bigger plan.");
            let page = page(&portal, &member, None, refused_with(Some(error), FieldErrors::default())).await?;
            Ok(member.page_with(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(PlanError::Store(err)) => Err(err.into()),
        Err(err) => Err(internal(err)),
    }
}
