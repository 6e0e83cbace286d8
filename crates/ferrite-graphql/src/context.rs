//! Per-request context: who is calling, and how many parts the answer holds.

use std::{collections::HashMap, sync::Mutex};

use async_graphql::Context;
use ferrite_core::scope::Scope;
use ferrite_identity::AccessClaims;

use crate::errors::missing_scope;

/// The verified token of the request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: AccessClaims,
}

impl Caller {
    /// The caller, if its token carries `scope`.
    pub fn require<'a>(ctx: &'a Context<'_>, scope: Scope) -> async_graphql::Result<&'a Caller> {
        let caller = ctx.data::<Caller>()?;
        if caller.claims.has_scope(scope) { Ok(caller) } else { Err(missing_scope(scope)) }
    }
}

/// Part objects placed in the answer: what the request is charged (PRODUCT.md §3). Resolvers
/// record them where they return part objects, by the response path of that field. GraphQL
/// merges the fields selected under one response key (a field asked twice, overlapping
/// fragments) into one answer, but async-graphql resolves each selection; a path therefore counts
/// once, so the charge is what the answer holds.
#[derive(Debug, Default)]
pub struct PartCounter(Mutex<HashMap<String, u64>>);

impl PartCounter {
    /// Records `parts` part objects placed at `path` (a response path such as `a.0.parts`).
    pub fn add_at(&self, path: String, parts: usize) {
        let mut placed = self.0.lock().expect("part counter lock");
        let at = placed.entry(path).or_default();
        *at = (*at).max(parts as u64);
    }

    pub fn total(&self) -> u64 {
        self.0.lock().expect("part counter lock").values().sum()
    }
}

/// Records `n` part objects as returned by the field being resolved.
pub fn count_parts(ctx: &Context<'_>, n: usize) {
    if let Ok(counter) = ctx.data::<std::sync::Arc<PartCounter>>() {
        let path = ctx.path_node.map(|node| node.to_string()).unwrap_or_default();
        counter.add_at(path, n);
    }
}
