//! The command line. Global flags are the top configuration layer for every subcommand.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand};

use crate::{
    admin::{self, AdminCommand, KeysCommand},
    config::{Config, Overrides},
    logging, server, startup,
    supply_cli::{self, ImportArgs, SyncArgs},
};

#[derive(Debug, Parser)]
#[command(name = "ferrite", version, about = "Nexar-compatible server for electronic-component supply and design data")]
pub struct Cli {
    /// TOML configuration file (settings in it are overridden by FERRITE_* variables and flags)
    #[arg(long, global = true, env = "FERRITE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database, the search index and other files [default: ./ferrite-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB [default: a SQLite file in the data directory]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: GraphQL API, OAuth endpoints and portal on one port
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit
    Migrate,
    /// Manage people, organizations and apps (for operators and scripts)
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage the keys that sign tokens
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print the GraphQL schema (SDL) that this build serves
    ExportSchema,
    /// Import one feed into the catalogue (atomically) and report what changed
    Import(ImportArgs),
    /// Run the configured feeds now (the daily refresh, on demand)
    Sync(SyncArgs),
    /// Rebuild this node's search index from the catalogue
    Reindex,
    /// The live distributor connectors (`[[connectors]]`): their budget, health and queue
    #[command(subcommand)]
    Connectors(supply_cli::ConnectorsCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// URL that clients use to reach this server; the OAuth issuer [default: http://<listen>]
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
}

impl Cli {
    fn overrides(&self) -> Overrides {
        let serve = match &self.command {
            Command::Serve(args) => Some(args),
            _ => None,
        };
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            listen: serve.and_then(|s| s.listen.clone()),
            public_url: serve.and_then(|s| s.public_url.clone()),
        }
    }
}

/// Runs a parsed command line. Errors are printed as one `error:` line, never as a panic.
pub fn main(cli: Cli) -> ExitCode {
    let config = match Config::load(cli.config.as_deref(), &cli.overrides()) {
        Ok(config) => config,
        Err(err) => {
            report(&err);
            return ExitCode::from(2);
        }
    };
    let _log_writer = logging::init(&config);
    ferrite_supply::http::configure(config.fetch.clone());
    for name in crate::config::ignored_env_vars(std::env::vars_os().filter_map(|(name, _)| name.into_string().ok())) {
        tracing::warn!(variable = %name, "ignored: this FERRITE_ variable names no setting");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            report(&format!("cannot start the async runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(_) => server::serve(config).await,
            Command::Migrate => startup::open_store(&config).await.map(|_| ()),
            Command::Admin(command) => admin::run(command, &config).await,
            Command::Keys(command) => admin::keys(command, &config).await,
            Command::Import(args) => supply_cli::import(args, &config).await,
            Command::Sync(args) => supply_cli::sync(args, &config).await,
            Command::Reindex => supply_cli::reindex(&config).await,
            Command::Connectors(command) => supply_cli::connectors(command, &config).await,
            Command::ExportSchema => {
                print!("{}", ferrite_graphql::sdl());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&format!("{err:#}"));
            ExitCode::FAILURE
        }
    }
}

/// The one `error:` line, on stderr if it is still open (`eprintln!` would panic if not).
fn report(err: &dyn std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "error: {err}");
}
