//! What every portal handler reaches: identity (sessions, CSRF), the accounts and plans
//! services, the supply catalogue (the API's, with its cache) that prices BOMs, and the store for
//! what is none of these (design workspaces, usage counters).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ferrite_identity::{Accounts, Identity, Plans};
use ferrite_store::Store;
use ferrite_supply::catalogue::Catalogue;

#[derive(Clone)]
pub struct Portal {
    pub identity: Arc<Identity>,
    pub accounts: Arc<Accounts>,
    pub plans: Arc<Plans>,
    pub catalogue: Arc<Catalogue>,
}

impl Portal {
    pub fn new(identity: Arc<Identity>, accounts: Arc<Accounts>, plans: Arc<Plans>, catalogue: Arc<Catalogue>) -> Self {
        Self { identity, accounts, plans, catalogue }
    }

    /// Reads that are neither accounts nor plans: design workspaces and usage counters.
    pub fn store(&self) -> &Store {
        self.identity.store()
    }

    /// The identity service's clock, so that tests move the portal's time with it.
    pub fn now(&self) -> DateTime<Utc> {
        self.identity.now()
    }

    /// Cookies are `Secure` when the server is reached over TLS.
    pub fn secure_cookies(&self) -> bool {
        ferrite_identity::http::secure_cookies(&self.identity)
    }
}
