//! Per-request context: who is calling, and how many parts the answer holds.

use std::sync::atomic::{AtomicU64, Ordering};

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
/// add to it exactly where part objects are returned to the client.
#[derive(Debug, Default)]
pub struct PartCounter(AtomicU64);

impl PartCounter {
    pub fn add(&self, parts: usize) {
        self.0.fetch_add(parts as u64, Ordering::Relaxed);
    }

    pub fn total(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Records `n` part objects as returned by this request.
pub fn count_parts(ctx: &Context<'_>, n: usize) {
    if let Ok(counter) = ctx.data::<std::sync::Arc<PartCounter>>() {
        counter.add(n);
    }
}
