//! Supply data: the catalogue model that feeds produce, the feed adapters, the importer that
//! writes them into the store, the search index, and the catalogue the API answers from.

pub mod catalogue;
pub mod connectors;
pub mod feeds;
// The fuzz targets (`fuzz/`) enable `fuzzing`; its tests run on random input in every test run.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod import;
pub mod manufacturers;
pub mod matching;
pub mod model;
pub mod pricing;
pub mod rates;
pub mod schedule;
pub mod search;
pub mod sellers;
pub mod similar;
