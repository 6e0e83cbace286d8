//! `ferrite import`, `ferrite sync`, `ferrite reindex`, and the daily refresh that `serve` runs.

use std::{
    io::IsTerminal,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, ValueEnum};
use ferrite_store::Store;
use ferrite_supply::{
    catalogue::{Catalogue, CatalogueOptions},
    feeds::Adapter,
    import::{self, ImportReport, Mode, Progress},
};
use serde::{Deserialize, Serialize};

use crate::{config::Config, startup};

/// A feed the server refreshes on its own (`[[feeds]]` in the configuration).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    pub name: String,
    /// jlcparts, nexar-json, digikey-v4 or csv.
    pub adapter: String,
    /// A path, or an http:// base URL for jlcparts.
    pub source: String,
    /// How often it is re-run.
    #[serde(with = "humantime_serde", default = "daily")]
    pub every: Duration,
    /// snapshot (offers the source no longer lists are removed) or incremental.
    #[serde(default)]
    pub mode: Option<ModeArg>,
}

fn daily() -> Duration {
    Duration::from_secs(24 * 3600)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeArg {
    Snapshot,
    Incremental,
}

/// Whole-catalogue feeds replace what they brought before; recordings and samples add to it.
fn mode_for(adapter: Adapter, chosen: Option<ModeArg>) -> Mode {
    match chosen {
        Some(ModeArg::Snapshot) => Mode::Snapshot,
        Some(ModeArg::Incremental) => Mode::Incremental,
        None => match adapter {
            Adapter::Jlcparts | Adapter::Csv => Mode::Snapshot,
            Adapter::NexarJson | Adapter::DigikeyV4 => Mode::Incremental,
        },
    }
}

impl FeedConfig {
    pub fn validate(&self) -> Result<(), String> {
        self.adapter.parse::<Adapter>().map_err(|err| format!("feed `{}`: {err}", self.name))?;
        if self.name.trim().is_empty() {
            return Err("a feed needs a name".into());
        }
        if self.every < Duration::from_secs(60) {
            return Err(format!("feed `{}`: `every` must be at least 1m", self.name));
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// jlcparts, nexar-json, digikey-v4 or csv
    adapter: Adapter,
    /// A file or directory (or an http:// base URL for jlcparts)
    source: String,
    /// The feed's name, which scopes snapshot removals [default: the adapter's name]
    #[arg(long)]
    feed: Option<String>,
    /// [default: snapshot for jlcparts and csv, incremental for nexar-json and digikey-v4]
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

/// Progress on a terminal as a bar; elsewhere as a line every few seconds.
struct Shown {
    bar: Option<indicatif::ProgressBar>,
    last_line: Instant,
}

impl Shown {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} records {per_sec} eta {eta}")
                    .expect("a valid template"),
            );
            bar
        });
        Shown { bar, last_line: Instant::now() }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for Shown {
    fn update(&mut self, done: u64, total: Option<u64>) {
        match &self.bar {
            Some(bar) => {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            }
            None if self.last_line.elapsed() >= Duration::from_secs(5) => {
                self.last_line = Instant::now();
                match total {
                    Some(total) => tracing::info!("import: {done}/{total} records read"),
                    None => tracing::info!("import: {done} records read"),
                }
            }
            None => {}
        }
    }
}

/// Runs one feed, prints its report as soon as the catalogue is committed, then builds this
/// node's search index for the new catalogue (or opens the one another process built).
async fn run_feed(store: &Store, config: &Config, feed: &FeedRun<'_>, json: bool) -> anyhow::Result<()> {
    let mut progress = Shown::new();
    let result =
        import::import(store, feed.name, feed.adapter, feed.source, feed.mode, Utc::now(), &mut progress).await;
    progress.finish();
    let report =
        result.with_context(|| format!("import of feed `{}` failed; the catalogue is unchanged", feed.name))?;
    print(&report, json);
    let options = CatalogueOptions::with_rates(config.currency_rates.clone());
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
    let mode = mode_for(args.adapter, args.mode);
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
        let run = FeedRun { name: &feed.name, adapter, source: &feed.source, mode: mode_for(adapter, feed.mode) };
        run_feed(&store, config, &run, args.json).await?;
    }
    Ok(())
}

pub async fn reindex(config: &Config) -> anyhow::Result<()> {
    let store = startup::open_store(config).await?;
    ferrite_supply::catalogue::discard_indexes(&config.data_dir).await.context("the old search index stays")?;
    let options = CatalogueOptions::with_rates(config.currency_rates.clone());
    let catalogue = Catalogue::open_with(store, &config.data_dir, options).await?;
    println!("search index rebuilt for catalogue version {}", catalogue.version());
    Ok(())
}

/// The daily refresh: each configured feed runs when its last successful run is older than its
/// `every`; the catalogue picks the result up without a restart.
pub async fn run_schedule(store: Store, catalogue: Arc<Catalogue>, feeds: Vec<FeedConfig>) {
    loop {
        for feed in &feeds {
            let Ok(adapter) = feed.adapter.parse::<Adapter>() else { continue };
            let due = match store.catalogue().last_feed_run(&feed.name).await {
                Ok(Some(last)) => Utc::now() - last >= chrono::Duration::from_std(feed.every).unwrap_or_default(),
                Ok(None) => true,
                Err(err) => {
                    tracing::warn!(feed = %feed.name, error = %err, "cannot tell when the feed last ran");
                    false
                }
            };
            if !due {
                continue;
            }
            tracing::info!(feed = %feed.name, "scheduled refresh starting");
            match import::import(
                &store,
                &feed.name,
                adapter,
                &feed.source,
                mode_for(adapter, feed.mode),
                Utc::now(),
                &mut (),
            )
            .await
            {
                Ok(report) => {
                    tracing::info!(feed = %feed.name, changed = report.changed(), version = report.catalogue_version, "scheduled refresh done");
                    if let Err(err) = catalogue.refresh().await {
                        tracing::warn!(error = %err, "the catalogue could not be refreshed after the import");
                    }
                }
                Err(err) => {
                    tracing::error!(feed = %feed.name, error = %err, "scheduled refresh failed; the catalogue is unchanged")
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
