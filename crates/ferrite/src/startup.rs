//! What must hold before the server takes requests, each failure worded for the operator.

use std::path::Path;

use anyhow::Context;
use ferrite_store::{Backend, ConnectOptions, Store};

use crate::config::Config;

/// Creates the data directory if needed and proves it writable.
pub fn prepare_data_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("the data directory {} cannot be created", dir.display()))?;
    let probe = dir.join(".ferrite-write-test");
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .with_context(|| format!("the data directory {} is not writable", dir.display()))
}

/// Opens the configured store and migrates it to this build's schema.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    if Backend::from_url(url.expose())? == Backend::Sqlite {
        prepare_data_dir(&config.data_dir)?;
    }
    let options = ConnectOptions { max_connections: config.database_max_connections, ..Default::default() };
    let store = Store::connect(url.expose(), &options).await?;
    store.migrate().await?;
    tracing::info!(database = %url, backend = ?store.backend(), "store ready");
    Ok(store)
}
