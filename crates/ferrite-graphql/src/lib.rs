//! The GraphQL API, compatible with Nexar's: supply (`sup*`), admin (`adm*`) and design (`des*`)
//! root fields, with names, arguments and types as in Nexar's public schema.
//!
//! `http` is the edge: it authenticates the token, runs the query, and counts the parts it
//! returns. Resolvers only read; each root field checks the scope it needs.

mod admin;
pub mod bounds;
mod context;
pub mod cost;
pub mod design;
pub mod errors;
// The fuzz targets (`fuzz/`) enable `fuzzing`; its tests run on random input in every test run.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod metering;
mod money;
mod scalars;
mod schema;
mod supply;

use std::sync::Arc;

use async_graphql::{EmptySubscription, MergedObject, Schema};
use ferrite_identity::{Accounts, Identity};
use ferrite_supply::{catalogue::Catalogue, connectors::live::Connectors};

pub use context::{Caller, PartCounter};
pub use metering::Meter;
pub use schema::{ApiSchema, schema};

#[derive(MergedObject, Default)]
pub struct Query(
    supply::SupplyQuery,
    supply::SupplyLookups,
    supply::facets::SupplySearchAidsQuery,
    admin::AdminQuery,
    design::DesignQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(design::DesignMutation);

/// How deeply one query's selections may nest. With [`cost::MAX_COST`] and the bounds in
/// [`bounds`], no request can make the server do unbounded work.
pub const MAX_DEPTH: usize = 16;

/// Everything resolvers reach, shared by all requests.
pub struct Services {
    pub identity: Arc<Identity>,
    /// Organizations and apps, for the `adm*` fields.
    pub accounts: Arc<Accounts>,
    /// Parts, search and the exchange rates answers convert prices at (`Catalogue::rates`).
    pub catalogue: Arc<Catalogue>,
    /// The live distributor connectors `distributorApi: true` asks, and which answers tell of
    /// stale parts (none unless configured).
    pub connectors: Arc<Connectors>,
    /// Base of `octopartUrl` links: this server's public URL.
    pub public_url: String,
}

/// The schema in SDL, as `ferrite export-schema` prints it and `schema.graphql` records it.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription).finish().sdl()
}
