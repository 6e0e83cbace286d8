//! Types of Nexar's schema for data Ferrite's catalogue does not hold (CAD models, series,
//! reference designs, sponsored companion parts, CircuitMaker statistics, shipping countries,
//! category blurbs). They exist so that a client's query validates; the fields that reach them
//! always answer null or `[]`, so these are never built. `docs/nexar-compatibility.md` lists them.
#![allow(dead_code)]

use async_graphql::{ID, SimpleObject};

use super::types::SupPart;

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupPartCad {
    /// URL to add this part to your Upverter library.
    pub add_to_library_url: Option<String>,
    /// If true, a STEP model is included with the tool-specific downloads.
    #[graphql(name = "has3dModel")]
    pub has_3d_model: bool,
    pub has_altium: bool,
    pub has_eagle: bool,
    pub has_orcad: bool,
    pub has_kicad: bool,
    pub download_url_altium: String,
    pub download_url_eagle: String,
    pub download_url_orcad: String,
    pub download_url_kicad: String,
    pub footprint_image_url: Option<String>,
    pub symbol_image_url: Option<String>,
}

/// A product line or family of parts from the manufacturer.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupPartSeries {
    pub id: ID,
    pub name: String,
    pub url: String,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupReferenceDesign {
    pub name: String,
    pub url: String,
}

/// A part the manufacturer names as a companion, for instance a mated connector.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupSponsoredPart {
    #[graphql(name = "_cacheId")]
    pub cache_id: String,
    #[graphql(deprecation = "use part.id instead")]
    pub ppid: ID,
    #[graphql(deprecation = "unused")]
    pub source_id: ID,
    pub part: SupPart,
    pub url: String,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupCircuitMakerPartInfo {
    pub comments: i32,
    pub fabrications: i32,
    pub projects: i32,
    pub rates: i32,
    pub releases: i32,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupCountry {
    pub name: String,
    pub country_code: String,
    pub continent_code: String,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupBlurb {
    pub name: String,
    pub path_name: String,
    pub description: String,
    pub content: String,
    pub meta_description: String,
    pub meta_title: String,
}
