//! `ferrite admin …` and `ferrite keys …`: the operator's and the test harness's way to manage
//! people, organizations, apps and keys without the portal.

use std::{io::Read, sync::Arc};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use ferrite_core::{
    AppId, OrgId, SystemClock, UserId,
    org::{Organization, User},
    plan::PlanChange,
    scope::AppScopes,
};
use ferrite_identity::{AccountError, Accounts, Algorithm, CreatedApp, Identity, PlanError};
use serde_json::json;

use crate::{config::Config, startup};

mod views;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Manage people who sign in to the portal
    #[command(subcommand)]
    User(UserCommand),
    /// Manage organizations
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage applications and their credentials
    #[command(subcommand)]
    App(AppCommand),
    /// Manage organizations' supply plans
    #[command(subcommand)]
    Plan(PlanCommand),
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Choose an organization's plan: an upgrade applies now, a downgrade at the next period
    Set {
        /// The organization, by id or by name
        #[arg(long)]
        org: String,
        /// A plan of the catalogue (`plans` in the configuration)
        #[arg(long)]
        plan: String,
    },
    /// The plan catalogue: each plan's name, parts per period and features (there are no prices)
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a person who can sign in (the password is read from standard input)
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: passwords never go on the command line)
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Everyone who can sign in, by email
    List {
        #[arg(long)]
        json: bool,
    },
    /// A person and their organizations with their role in each
    Show {
        /// The person, by email or by id
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Make a person an operator (a server administrator)
    Promote {
        /// The person, by email or by id
        user: String,
    },
    /// Make an operator an ordinary person again
    Demote {
        /// The person, by email or by id
        user: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization with an owner and its evaluation app
    Create {
        #[arg(long)]
        name: String,
        /// The owner's email; the person must exist
        #[arg(long)]
        owner: String,
        #[arg(long)]
        json: bool,
    },
    /// Every organization with its plan, member and app counts and parts used this period
    List {
        #[arg(long)]
        json: bool,
    },
    /// An organization's members, apps, plan and allocations, and usage this period
    Show {
        /// The organization, by id or by name
        org: String,
        #[arg(long)]
        json: bool,
    },
    /// Put an organization on a plan now, up or down (an operator's change; allocations above a
    /// smaller total are scaled down to fit)
    SetPlan {
        /// The organization, by id or by name
        org: String,
        /// A plan of the catalogue (`ferrite admin plan list`)
        plan: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app and print its client id and secret
    Create(CreateApp),
    /// Every app, or one organization's, with its part limit and parts used this period
    List {
        /// Only this organization's apps (by id or by name)
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// An app's details (never its secret)
    Show {
        /// The app, by id or by client id
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete an app; its tokens stop working within seconds
    Delete {
        /// The app's id
        id: String,
    },
    /// Set an app's part limit, taken from its organization's plan (refused beyond the unallocated parts)
    Limit {
        /// The app's id
        id: String,
        #[arg(long)]
        parts: i64,
    },
    /// Issue a new client secret; the previous one keeps working for `tokens.secret_overlap`
    RegenerateSecret {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateApp {
    /// The organization, by id or by name
    #[arg(long)]
    org: String,
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    description: String,
    /// supply, design, or supply,design (fixed once created)
    #[arg(long)]
    scopes: AppScopes,
    /// A redirect URI for the authorization-code flow; repeat for several
    #[arg(long = "redirect-uri")]
    redirect_uris: Vec<String>,
    /// Parts per period allocated to the app, from the plan's unallocated parts
    #[arg(long, default_value_t = 0)]
    part_limit: i64,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key; older keys stay published until their tokens expire
    Rotate {
        /// RS256, ES256 or EdDSA [default: the configured `tokens.algorithm`]
        #[arg(long)]
        algorithm: Option<Algorithm>,
    },
}

async fn identity(config: &Config) -> anyhow::Result<Arc<Identity>> {
    let store = startup::open_store(config).await?;
    let issuer = config.public_url_for(config.listen);
    Ok(Identity::start(store, Arc::new(SystemClock), config.tokens.clone(), issuer.as_str()).await?)
}

pub async fn run(command: AdminCommand, config: &Config) -> anyhow::Result<()> {
    let (accounts, plans) = ferrite_identity::services(&identity(config).await?, config.plan_catalogue()?);
    match command {
        AdminCommand::User(UserCommand::Create { email, password_stdin: _, json }) => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("cannot read the password from standard input")?;
            let password = password.strip_suffix('\n').unwrap_or(&password);
            let password = password.strip_suffix('\r').unwrap_or(password);
            let user = accounts.create_user(&email, password).await?;
            print(json, json!({ "id": user.id, "email": user.email }), || {
                format!("created user {} ({})", user.id, user.email)
            });
        }
        AdminCommand::Org(OrgCommand::Create { name, owner, json }) => {
            let key = ferrite_core::org::normalize_email(&owner)?;
            let owner = accounts.user_by_email(&key).await.with_context(|| format!("no person with email {owner}"))?;
            let org = accounts.create_org(&name, owner.id).await?;
            print(json, json!({ "id": org.id, "name": org.name }), || {
                format!("created organization {} ({})", org.id, org.name)
            });
        }
        AdminCommand::App(AppCommand::Create(args)) => {
            let org = resolve_org(&accounts, &args.org).await?;
            if args.part_limit < 0 {
                bail!("--part-limit must not be negative");
            }
            let created = accounts
                .create_app(org.id, &args.name, &args.description, args.scopes, &args.redirect_uris, args.part_limit)
                .await
                .map_err(|err| match err {
                    AccountError::Plan(err) => refused_allocation(err, args.part_limit),
                    err => err.into(),
                })?;
            print_credentials(args.json, &created);
        }
        AdminCommand::App(AppCommand::Delete { id }) => {
            accounts.delete_app(parse_app_id(&id)?).await.with_context(|| format!("app {id}"))?;
            println!("deleted app {id}");
        }
        AdminCommand::App(AppCommand::Limit { id, parts }) => {
            let app = accounts.app(parse_app_id(&id)?).await.with_context(|| format!("app {id}"))?;
            plans.allocate(app.org_id, &[(app.id, parts)]).await.map_err(|err| refused_allocation(err, parts))?;
            println!("app {id} ({}) now has a limit of {parts} parts", app.name);
        }
        AdminCommand::Plan(PlanCommand::Set { org, plan }) => {
            let org = resolve_org(&accounts, &org).await?;
            let (change, _) = plans.choose(org.id, &plan).await?;
            let chosen = plans.catalogue().get(&plan).map_or(plan.as_str(), |p| p.name.as_str());
            match change {
                PlanChange::Now => println!("organization {} ({}) is on {chosen} now", org.id, org.name),
                PlanChange::At(at) => println!(
                    "organization {} ({}) moves to {chosen} at {} (a downgrade applies at the next period)",
                    org.id,
                    org.name,
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                PlanChange::Unchanged => println!("organization {} ({}) stays on {chosen}", org.id, org.name),
            }
        }
        AdminCommand::User(UserCommand::List { json }) => views::user_list(&accounts, json).await?,
        AdminCommand::User(UserCommand::Show { user, json }) => {
            views::user_show(&accounts, &resolve_user(&accounts, &user).await?, json).await?;
        }
        AdminCommand::User(UserCommand::Promote { user }) => set_operator(&accounts, &user, true).await?,
        AdminCommand::User(UserCommand::Demote { user }) => set_operator(&accounts, &user, false).await?,
        AdminCommand::Org(OrgCommand::List { json }) => views::org_list(&accounts, &plans, json).await?,
        AdminCommand::Org(OrgCommand::Show { org, json }) => {
            views::org_show(&accounts, &plans, &resolve_org(&accounts, &org).await?, json).await?;
        }
        AdminCommand::Org(OrgCommand::SetPlan { org, plan }) => {
            let org = resolve_org(&accounts, &org).await?;
            let state = plans.set_now(org.id, &plan).await?;
            let name = state.plan.unwrap_or(plan);
            println!("organization {} ({}) is on {name} now", org.id, org.name);
        }
        AdminCommand::App(AppCommand::List { org, json }) => {
            let apps = match org {
                Some(org) => accounts.apps_of_org(resolve_org(&accounts, &org).await?.id).await?,
                None => {
                    let mut apps = Vec::new();
                    for org in accounts.orgs().await? {
                        apps.extend(accounts.apps_of_org(org.id).await?);
                    }
                    apps
                }
            };
            views::app_list(&plans, &apps, json).await?;
        }
        AdminCommand::App(AppCommand::Show { app, json }) => {
            views::app_show(&plans, &resolve_app(&accounts, &app).await?, json).await?;
        }
        AdminCommand::Plan(PlanCommand::List { json }) => views::plan_list(&plans, json),
        AdminCommand::App(AppCommand::RegenerateSecret { id, json }) => {
            let created = accounts.regenerate_secret(parse_app_id(&id)?).await.with_context(|| format!("app {id}"))?;
            print_credentials(json, &created);
        }
    }
    Ok(())
}

pub async fn keys(command: KeysCommand, config: &Config) -> anyhow::Result<()> {
    let identity = identity(config).await?;
    match command {
        KeysCommand::Rotate { algorithm } => {
            let kid = identity.rotate_key(algorithm.unwrap_or(config.tokens.algorithm)).await?;
            println!("new signing key {kid}");
        }
    }
    Ok(())
}

/// An organization named by id, or by a name that only one organization has.
async fn resolve_org(accounts: &Accounts, reference: &str) -> anyhow::Result<Organization> {
    if let Ok(id) = reference.parse::<OrgId>() {
        return accounts.org(id).await.with_context(|| format!("no organization with id {reference}"));
    }
    let mut named = accounts.orgs_named(reference).await?;
    match named.len() {
        0 => bail!("no organization is named {reference:?}"),
        1 => Ok(named.remove(0)),
        _ => {
            let ids: Vec<_> = named.iter().map(|org| org.id.to_string()).collect();
            bail!("{} organizations are named {reference:?}; give one of their ids: {}", ids.len(), ids.join(", "))
        }
    }
}

/// A person named by email (anything with an `@`) or by id.
async fn resolve_user(accounts: &Accounts, reference: &str) -> anyhow::Result<User> {
    if reference.contains('@') {
        return accounts.user_by_email(reference).await.with_context(|| format!("no person with email {reference}"));
    }
    let id: UserId = reference.parse().ok().with_context(|| format!("no person with email or id {reference:?}"))?;
    accounts.user(id).await.with_context(|| format!("no person with id {reference}"))
}

/// An app named by id or by client id.
async fn resolve_app(accounts: &Accounts, reference: &str) -> anyhow::Result<ferrite_core::app::App> {
    if let Ok(id) = reference.parse::<AppId>()
        && let Ok(app) = accounts.app(id).await
    {
        return Ok(app);
    }
    accounts.app_by_client_id(reference).await.with_context(|| format!("no app with id or client id {reference}"))
}

async fn set_operator(accounts: &Accounts, reference: &str, is_operator: bool) -> anyhow::Result<()> {
    let user = resolve_user(accounts, reference).await?;
    accounts.set_operator(user.id, is_operator).await?;
    let now = if is_operator { "is now an operator" } else { "is no longer an operator" };
    println!("user {} ({}) {now}", user.id, user.email);
    Ok(())
}

/// An allocation refusal, worded for the command line.
fn refused_allocation(err: PlanError, parts: i64) -> anyhow::Error {
    match err {
        PlanError::Allocation(refusal) => anyhow::anyhow!("refused: {parts} parts cannot be allocated: {refusal}"),
        err => err.into(),
    }
}

fn parse_app_id(id: &str) -> anyhow::Result<AppId> {
    id.parse().with_context(|| format!("{id:?} is not an app id"))
}

fn print_credentials(json: bool, created: &CreatedApp) {
    let app = &created.app;
    let scopes: Vec<_> = app.scopes.iter().map(|s| s.as_str()).collect();
    let value =
        json!({ "id": app.id, "client_id": app.client_id, "client_secret": created.client_secret, "scopes": scopes });
    print(json, value, || {
        format!(
            "app {} ({})\nclient id:     {}\nclient secret: {}\nThe secret is shown only now.",
            app.id, app.name, app.client_id, created.client_secret
        )
    });
}

fn print(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) {
    if json { println!("{value}") } else { println!("{}", text().trim_end()) }
}
