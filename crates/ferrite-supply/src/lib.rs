//! Supply data: the catalogue model that feeds produce, the feed adapters, the importer that
//! writes them into the store, the search index, and the catalogue the API answers from.

pub mod catalogue;
pub mod feeds;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod matching;
pub mod model;
pub mod pricing;
pub mod search;
