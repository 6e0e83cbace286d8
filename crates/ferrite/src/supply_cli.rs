//! `ferrite import`, `ferrite sync`, `ferrite reindex` and `ferrite connectors`. (`serve` runs the configured feeds on
//! schedule: `ferrite_supply::schedule`, started by `jobs`.)

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use ferrite_store::Store;
use ferrite_supply::{
    catalogue::Catalogue,
    connectors::live,
    feeds::Adapter,
    import::{self, ImportReport, Mode},
};

use crate::{
    config::{Config, FeedConfig, ModeArg, import_mode},
    progress::Shown,
    startup,
};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// jlcparts, nexar-json, digikey-v4, kitspace-partinfo, csv, tme, element14 or mouser
    adapter: Adapter,
    /// A file or directory (or an http:// base URL for jlcparts)
    source: String,
    /// The feed's name, which scopes snapshot removals [default: the adapter's name]
    #[arg(long)]
    feed: Option<String>,
    /// [default: snapshot for jlcparts and csv, incremental for the recordings: nexar-json, digikey-v4, kitspace-partinfo, tme, element14, mouser]
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Run only this configured feed
    #[arg(long)]
    feed: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Runs one feed, prints its report as soon as the catalogue is committed, then builds this
/// node's search index for the new catalogue (or opens the one another process built).
async fn run_feed(store: &Store, config: &Config, feed: &FeedRun<'_>, json: bool) -> anyhow::Result<()> {
    let mut progress = Shown::new();
    let options = config.catalogue_options();
    let (name, source, now) = (feed.name, feed.source, Utc::now());
    let result = import::import_with_aliases(
        store,
        &options.manufacturers,
        name,
        feed.adapter,
        source,
        feed.mode,
        now,
        &mut progress,
    )
    .await;
    progress.finish();
    let report =
        result.with_context(|| format!("import of feed `{}` failed; the catalogue is unchanged", feed.name))?;
    print(&report, json);
    Catalogue::open_with(store.clone(), &config.data_dir, options).await.with_context(|| {
        format!(
            "catalogue version {} is committed, but this node's search index could not be built (`ferrite reindex` builds it)",
            report.catalogue_version
        )
    })?;
    Ok(())
}

struct FeedRun<'a> {
    name: &'a str,
    adapter: Adapter,
    source: &'a str,
    mode: Mode,
}

fn print(report: &ImportReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string(report).expect("reports serialize"));
    } else {
        println!("{report}");
    }
}

pub async fn import(args: ImportArgs, config: &Config) -> anyhow::Result<()> {
    let store = startup::open_store(config).await?;
    let feed = args.feed.unwrap_or_else(|| args.adapter.name().to_owned());
    let mode = import_mode(args.adapter, args.mode);
    let run = FeedRun { name: &feed, adapter: args.adapter, source: &args.source, mode };
    run_feed(&store, config, &run, args.json).await
}

pub async fn sync(args: SyncArgs, config: &Config) -> anyhow::Result<()> {
    let feeds: Vec<&FeedConfig> =
        config.feeds.iter().filter(|f| args.feed.as_ref().is_none_or(|n| *n == f.name)).collect();
    if feeds.is_empty() {
        match &args.feed {
            Some(name) => bail!("no feed named `{name}` is configured"),
            None => bail!("no feeds are configured: add [[feeds]] tables to the configuration"),
        }
    }
    let store = startup::open_store(config).await?;
    for feed in feeds {
        let adapter: Adapter = feed.adapter.parse().map_err(|err| anyhow::anyhow!("{err}"))?;
        let run = FeedRun { name: &feed.name, adapter, source: &feed.source, mode: import_mode(adapter, feed.mode) };
        run_feed(&store, config, &run, args.json).await?;
    }
    Ok(())
}

pub async fn reindex(config: &Config) -> anyhow::Result<()> {
    let store = startup::open_store(config).await?;
    ferrite_supply::catalogue::discard_indexes(&config.data_dir).await.context("the old search index stays")?;
    let options = config.catalogue_options();
    let catalogue = Catalogue::open_with(store, &config.data_dir, options).await?;
    println!("search index rebuilt for catalogue version {}", catalogue.version());
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum ConnectorsCommand {
    /// Each connector's calls this minute and today against its budget, its health (failures in a
    /// row, the last error, until when it rests) and its refresh queue, over all nodes
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Look MPNs up now with every connector (or one), within their budgets, and import what they find
    Lookup {
        mpns: Vec<String>,
        #[arg(long)]
        connector: Option<String>,
    },
}

pub async fn connectors(command: ConnectorsCommand, config: &Config) -> anyhow::Result<()> {
    if config.connectors.is_empty() {
        bail!("no connectors are configured: add [[connectors]] tables to the configuration (see docs/connectors.md)");
    }
    let store = startup::open_store(config).await?;
    match command {
        ConnectorsCommand::Status { json } => {
            let report = live::status(&store, &config.connectors).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report).expect("reports serialize"));
            }
            for connector in report.iter().filter(|_| !json) {
                println!("{}", describe(connector, Utc::now()));
            }
        }
        ConnectorsCommand::Lookup { mpns, connector } => {
            let configs: Vec<_> = config
                .connectors
                .iter()
                .filter(|c| connector.as_ref().is_none_or(|name| name == c.name()))
                .cloned()
                .collect();
            if configs.is_empty() {
                bail!("no connector named `{}` is configured", connector.unwrap_or_default());
            }
            let catalogue = Catalogue::open_with(store.clone(), &config.data_dir, config.catalogue_options()).await?;
            let connectors = live::Connectors::new(store.clone(), catalogue, configs);
            let imported = connectors.live(&mpns, std::time::Duration::from_secs(600)).await;
            for connector in connectors.status().await? {
                println!("{}", describe(&connector, Utc::now()));
            }
            println!("{}", if imported { "offers written to the catalogue" } else { "nothing new was found" });
        }
    }
    Ok(())
}

/// One line per connector for operators.
fn describe(status: &live::ConnectorStatus, now: chrono::DateTime<Utc>) -> String {
    let health = &status.health;
    let state = match health.resting_until() {
        Some(until) if until > now => {
            format!("resting until {until} after {} failure(s) in a row", health.failures_in_row)
        }
        _ if health.calls == 0 => "not called yet".to_owned(),
        _ => "healthy".to_owned(),
    };
    let mut line = format!(
        "{} ({}): {state}; calls this minute {}/{}, today {}/{}; {} MPN(s) queued; {} call(s), {} failed",
        status.name,
        status.kind,
        status.spent.this_minute,
        status.per_minute,
        status.spent.today,
        status.per_day,
        status.queued,
        health.calls,
        health.failures,
    );
    if let Some(at) = health.last_success() {
        line.push_str(&format!("; last success {at}"));
    }
    if let (Some(at), Some(error)) = (health.last_failure(), &health.last_error) {
        line.push_str(&format!("; last failure {at}: {error}"));
    }
    line
}
