//! `ferrite admin … list` and `… show`: what the server holds, as aligned plain-text tables or,
//! with `--json`, as one JSON document (an array for lists) whose snake_case field names are
//! documented in the README. Apps are shown without their secret or its hash, which `App` does not
//! even carry.

use std::collections::{HashMap, hash_map::Entry};

use chrono::{DateTime, SecondsFormat, Utc};
use ferrite_core::{
    app::App,
    org::{Organization, User},
    plan::{OrgPlan, Plan, thousands, unallocated},
    scope::AppScope,
};
use ferrite_identity::{Accounts, Plans};
use serde_json::{Value, json};

use super::print;

pub async fn user_list(accounts: &Accounts, json: bool) -> anyhow::Result<()> {
    let mut values = Vec::new();
    let mut rows = Vec::new();
    for user in accounts.users().await? {
        let organizations = accounts.memberships_of(user.id).await?.len();
        rows.push(vec![
            user.id.to_string(),
            user.email.clone(),
            yes_no(user.is_operator),
            organizations.to_string(),
            day(user.created_at),
        ]);
        values.push(json!({
            "id": user.id, "email": user.email, "is_operator": user.is_operator,
            "organizations": organizations, "created_at": timestamp(user.created_at),
        }));
    }
    print(json, Value::Array(values), || table(&["ID", "EMAIL", "OPERATOR", "ORGS", "CREATED"], &rows));
    Ok(())
}

pub async fn user_show(accounts: &Accounts, user: &User, json: bool) -> anyhow::Result<()> {
    let memberships = accounts.memberships_of(user.id).await?;
    let organizations: Vec<_> = memberships
        .iter()
        .map(|(org, role)| json!({ "id": org.id, "name": org.name, "role": role.as_str() }))
        .collect();
    let value = json!({
        "id": user.id, "email": user.email, "is_operator": user.is_operator,
        "created_at": timestamp(user.created_at), "organizations": organizations,
    });
    print(json, value, || {
        let rows: Vec<_> = memberships
            .iter()
            .map(|(org, role)| vec![org.id.to_string(), org.name.clone(), role.as_str().to_owned()])
            .collect();
        format!(
            "user {} ({})\noperator: {}\ncreated:  {}\n\norganizations\n{}",
            user.id,
            user.email,
            yes_no(user.is_operator),
            day(user.created_at),
            table(&["ID", "NAME", "ROLE"], &rows)
        )
    });
    Ok(())
}

pub async fn org_list(accounts: &Accounts, plans: &Plans, json: bool) -> anyhow::Result<()> {
    let mut values = Vec::new();
    let mut rows = Vec::new();
    for org in accounts.orgs().await? {
        let state = plans.settle(org.id).await?;
        let plan = plans.catalogue().resolve(state.plan.as_deref());
        let members = accounts.members_of(org.id).await?.len();
        let apps = accounts.apps_of_org(org.id).await?.len();
        let used: i64 = plans.usage(org.id).await?.values().sum();
        rows.push(vec![
            org.id.to_string(),
            org.name.clone(),
            plan.name.clone(),
            members.to_string(),
            apps.to_string(),
            thousands(used),
        ]);
        values.push(json!({
            "id": org.id, "name": org.name, "plan": plan.name, "members": members, "apps": apps,
            "parts_used": used, "created_at": timestamp(org.created_at),
        }));
    }
    print(json, Value::Array(values), || table(&["ID", "NAME", "PLAN", "MEMBERS", "APPS", "PARTS USED"], &rows));
    Ok(())
}

pub async fn org_show(accounts: &Accounts, plans: &Plans, org: &Organization, json: bool) -> anyhow::Result<()> {
    let state = plans.settle(org.id).await?;
    let plan = plans.catalogue().resolve(state.plan.as_deref());
    let members = accounts.members_of(org.id).await?;
    let apps = accounts.apps_of_org(org.id).await?;
    let usage = plans.usage(org.id).await?;
    let used_by = |app: &App| usage.get(&app.id).copied().unwrap_or(0);
    let allocated: i64 = apps.iter().filter(|app| counts_against_plan(app)).map(|app| app.part_limit).sum();
    let free = unallocated(plan.distributable(), [allocated]);
    let used: i64 = usage.values().sum();
    let value = json!({
        "id": org.id, "name": org.name, "created_at": timestamp(org.created_at),
        "plan": plan_json(plan, &state, allocated, free),
        "members": members.iter().map(|(user, role)| json!({
            "id": user.id, "email": user.email, "role": role.as_str(),
        })).collect::<Vec<_>>(),
        "apps": apps.iter().map(|app| app_json(app, used_by(app))).collect::<Vec<_>>(),
        "parts_used": used,
    });
    print(json, value, || {
        let member_rows: Vec<_> = members
            .iter()
            .map(|(user, role)| vec![user.id.to_string(), user.email.clone(), role.as_str().to_owned()])
            .collect();
        let app_rows: Vec<_> = apps
            .iter()
            .map(|app| {
                vec![
                    app.id.to_string(),
                    app.name.clone(),
                    app.client_id.clone(),
                    scopes(app).join(","),
                    thousands(app.part_limit),
                    thousands(used_by(app)),
                ]
            })
            .collect();
        let pending = state.pending.as_ref().map_or(String::new(), |p| {
            format!("\nscheduled: {} at {}", p.plan, p.effective_at.format("%Y-%m-%d %H:%M UTC"))
        });
        format!(
            "organization {} ({})\ncreated:   {}\nplan:      {} ({} parts{})\nallocated: {} ({} unallocated){pending}\nparts used this period: {}\n\nmembers\n{}\napps\n{}",
            org.id,
            org.name,
            day(org.created_at),
            plan.name,
            thousands(plan.parts_per_month),
            if plan.lifetime { ", lifetime" } else { " per month" },
            thousands(allocated),
            thousands(free),
            thousands(used),
            table(&["ID", "EMAIL", "ROLE"], &member_rows),
            table(&["ID", "NAME", "CLIENT ID", "SCOPES", "PART LIMIT", "USED"], &app_rows),
        )
    });
    Ok(())
}

pub async fn app_list(plans: &Plans, apps: &[App], json: bool) -> anyhow::Result<()> {
    let mut values = Vec::new();
    let mut rows = Vec::new();
    let mut usage = HashMap::new();
    for app in apps {
        let of_org = match usage.entry(app.org_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(unread) => unread.insert(plans.usage(app.org_id).await?),
        };
        let used = of_org.get(&app.id).copied().unwrap_or(0);
        rows.push(vec![
            app.id.to_string(),
            app.org_id.to_string(),
            app.name.clone(),
            app.client_id.clone(),
            scopes(app).join(","),
            thousands(app.part_limit),
            thousands(used),
        ]);
        values.push(app_json(app, used));
    }
    print(json, Value::Array(values), || {
        table(&["ID", "ORG", "NAME", "CLIENT ID", "SCOPES", "PART LIMIT", "USED"], &rows)
    });
    Ok(())
}

pub async fn app_show(plans: &Plans, app: &App, json: bool) -> anyhow::Result<()> {
    let used = plans.usage(app.org_id).await?.get(&app.id).copied().unwrap_or(0);
    print(json, app_json(app, used), || {
        let uris = if app.redirect_uris.is_empty() { "-".to_owned() } else { app.redirect_uris.join(" ") };
        format!(
            "app {} ({})\norganization:  {}\ndescription:   {}\nscopes:        {}\nclient id:     {}\nclient secret: (hidden: shown only at creation and regeneration)\nredirect uris: {uris}\nevaluation:    {}\npart limit:    {}\nparts used:    {} this period\ncreated:       {}",
            app.id,
            app.name,
            app.org_id,
            app.description,
            scopes(app).join(","),
            app.client_id,
            yes_no(app.is_evaluation),
            thousands(app.part_limit),
            thousands(used),
            day(app.created_at),
        )
    });
    Ok(())
}

pub fn plan_list(plans: &Plans, json: bool) {
    let catalogue = plans.catalogue().plans();
    let values: Vec<_> = catalogue
        .iter()
        .map(|plan| {
            json!({
                "name": plan.name, "parts_per_month": plan.parts_per_month, "lifetime": plan.lifetime,
                "features": plan.features,
            })
        })
        .collect();
    let rows: Vec<_> = catalogue
        .iter()
        .map(|plan| {
            vec![
                plan.name.clone(),
                thousands(plan.parts_per_month),
                if plan.lifetime { "lifetime" } else { "month" }.to_owned(),
                plan.features.join(", "),
            ]
        })
        .collect();
    print(json, Value::Array(values), || table(&["NAME", "PARTS", "PER", "FEATURES"], &rows));
}

/// Apps whose part limit is taken from the plan: Supply apps other than the evaluation app.
fn counts_against_plan(app: &App) -> bool {
    !app.is_evaluation && app.scopes.contains(AppScope::Supply)
}

fn plan_json(plan: &Plan, state: &OrgPlan, allocated: i64, unallocated: i64) -> Value {
    let pending = state.pending.as_ref().map(|p| json!({ "plan": p.plan, "effective_at": timestamp(p.effective_at) }));
    json!({
        "name": plan.name, "parts_per_month": plan.parts_per_month, "lifetime": plan.lifetime,
        "allocated": allocated, "unallocated": unallocated, "pending": pending,
    })
}

fn app_json(app: &App, used: i64) -> Value {
    json!({
        "id": app.id, "org_id": app.org_id, "name": app.name, "description": app.description,
        "scopes": scopes(app), "client_id": app.client_id, "redirect_uris": app.redirect_uris,
        "is_evaluation": app.is_evaluation, "part_limit": app.part_limit, "parts_used": used,
        "created_at": timestamp(app.created_at),
    })
}

fn scopes(app: &App) -> Vec<&'static str> {
    app.scopes.iter().map(|s| s.as_str()).collect()
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn yes_no(yes: bool) -> String {
    if yes { "yes" } else { "no" }.to_owned()
}

/// Columns padded to their widest cell, two spaces apart, under a header line.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn tables_align_their_columns() {
        let rows = vec![vec!["1".to_owned(), "Acme Corporation".to_owned(), "x".to_owned()]];
        assert_eq!(table(&["ID", "NAME", "ROLE"], &rows), "ID  NAME              ROLE\n1   Acme Corporation  x\n");
    }
}
