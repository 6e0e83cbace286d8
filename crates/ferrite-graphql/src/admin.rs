//! The `adm*` root fields (scope `user.access`): the caller's organizations and their apps, and
//! nothing of any other organization.

use std::collections::BTreeSet;

use async_graphql::{Context, Object, Result, SimpleObject};
use ferrite_core::{
    access::Visible,
    app::App,
    scope::{AppScope, Scope},
};
use ferrite_identity::AccountError;

use crate::{Caller, Services, errors::internal, scalars::DateTimeScalar};

#[derive(Default)]
pub struct AdminQuery;

#[derive(SimpleObject)]
pub struct AdmApplicationScope {
    pub application_id: String,
    pub scope: String,
}

#[derive(SimpleObject)]
pub struct AdmSupplyCounts {
    /// Parts charged this period.
    pub part_counter: i32,
    pub part_limit: i32,
}

#[derive(SimpleObject)]
pub struct AdmApplication {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub organization_id: Option<String>,
    pub scopes: Vec<AdmApplicationScope>,
    /// Supply apps only.
    pub supply_counts: Option<AdmSupplyCounts>,
    pub deleted: bool,
    pub created_date: DateTimeScalar,
}

#[derive(SimpleObject)]
pub struct AdmOrganization {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub created_date: DateTimeScalar,
    pub applications: Vec<AdmApplication>,
}

fn services<'a>(ctx: &'a Context<'_>) -> &'a std::sync::Arc<Services> {
    ctx.data_unchecked::<std::sync::Arc<Services>>()
}

/// The organizations the caller may see (`ferrite_core::access`).
async fn visible_orgs(ctx: &Context<'_>) -> Result<Visible> {
    let caller = Caller::require(ctx, Scope::UserAccess)?;
    crate::design::visible_orgs(services(ctx).identity.store(), &caller.claims).await.map_err(internal)
}

async fn application(ctx: &Context<'_>, app: App) -> Result<AdmApplication> {
    // Usage counters are metering's, read from the store as the meter writes them.
    let usage = services(ctx).identity.store();
    let supply_counts = if app.scopes.contains(AppScope::Supply) {
        let period = ferrite_core::plan::Period::for_app(app.is_evaluation, services(ctx).identity.now()).key();
        let used = usage.part_usage(app.id, &period).await.map_err(internal)?;
        Some(AdmSupplyCounts {
            part_counter: used.min(i32::MAX as i64) as i32,
            part_limit: app.part_limit.min(i32::MAX as i64) as i32,
        })
    } else {
        None
    };
    let scopes: BTreeSet<Scope> = app.scopes.api_scopes();
    Ok(AdmApplication {
        id: app.id.to_string(),
        name: app.name,
        description: Some(app.description).filter(|d| !d.is_empty()),
        organization_id: Some(app.org_id.to_string()),
        scopes: scopes
            .iter()
            .map(|s| AdmApplicationScope { application_id: app.id.to_string(), scope: s.as_str().to_owned() })
            .collect(),
        supply_counts,
        deleted: false,
        created_date: DateTimeScalar(app.created_at),
    })
}

#[Object]
impl AdminQuery {
    /// The caller's organizations with their applications.
    async fn adm_organizations(&self, ctx: &Context<'_>) -> Result<Option<Vec<AdmOrganization>>> {
        let accounts = &services(ctx).accounts;
        let mut answer = Vec::new();
        for (position, org) in visible_orgs(ctx).await?.into_orgs().into_iter().enumerate() {
            let mut applications = Vec::new();
            for app in accounts.apps_of_org(org.id).await.map_err(internal)? {
                applications.push(application(ctx, app).await?);
            }
            answer.push(AdmOrganization {
                id: org.id.to_string(),
                name: org.name,
                is_default: position == 0,
                created_date: DateTimeScalar(org.created_at),
                applications,
            });
        }
        Ok(Some(answer))
    }

    /// One application of the caller's organizations; null for any other id.
    async fn adm_application_by_id(&self, ctx: &Context<'_>, id: String) -> Result<Option<AdmApplication>> {
        let visible = visible_orgs(ctx).await?;
        let Ok(app_id) = id.parse() else { return Ok(None) };
        match services(ctx).accounts.app(app_id).await {
            Ok(app) if visible.sees(app.org_id) => Ok(Some(application(ctx, app).await?)),
            Ok(_) | Err(AccountError::NotFound) => Ok(None),
            Err(err) => Err(internal(err)),
        }
    }
}
