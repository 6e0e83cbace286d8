//! `manifest.json`: the categories, the shards holding each, and the attributes table's name.

use std::io::Read;

use serde::Deserialize;

use super::store::Store;
use crate::feeds::FeedError;

pub(super) const MANIFEST: &str = "manifest.json";
const DEFAULT_LUT: &str = "attributes-lut.json.gz";

#[derive(Deserialize)]
pub(super) struct Manifest {
    #[serde(rename = "attributesLut")]
    attributes_lut: Option<String>,
    pub(super) categories: Vec<Category>,
    #[serde(rename = "totalComponents")]
    total_components: Option<u64>,
}

#[derive(Deserialize)]
pub(super) struct Category {
    pub(super) category: String,
    pub(super) subcategory: String,
    #[serde(default)]
    pub(super) shards: Vec<String>,
    #[serde(rename = "componentCount")]
    component_count: Option<u64>,
}

impl Manifest {
    pub(super) fn load(store: &Store) -> Result<Manifest, FeedError> {
        let at = store.describe(MANIFEST);
        let mut bytes = Vec::new();
        store
            .open(MANIFEST)?
            .read_to_end(&mut bytes)
            .map_err(|e| FeedError::source(&at, super::store::read_error(&e)))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| FeedError::source(&at, format!("not a jlcparts manifest: {e}")))?;
        // An empty catalogue is far likelier a broken mirror than real, and importing it would
        // remove every offer.
        if manifest.categories.iter().all(|c| c.shards.is_empty()) {
            return Err(FeedError::source(at, "the manifest lists no shards"));
        }
        Ok(manifest)
    }

    pub(super) fn lut_name(&self) -> &str {
        self.attributes_lut.as_deref().unwrap_or(DEFAULT_LUT)
    }

    /// Parts in the layout, for progress: the manifest's total, or the sum over categories.
    pub(super) fn total(&self) -> Option<u64> {
        self.total_components.or_else(|| self.categories.iter().map(|c| c.component_count).sum())
    }
}
