//! What every portal handler reaches: identity (sessions, CSRF), the accounts and plans
//! services, and the store for what is neither (design workspaces, usage counters).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ferrite_identity::{Accounts, Identity, Plans};
use ferrite_store::Store;

#[derive(Clone)]
pub struct Portal {
    pub identity: Arc<Identity>,
    pub accounts: Arc<Accounts>,
    pub plans: Arc<Plans>,
}

impl Portal {
    pub fn new(identity: Arc<Identity>, accounts: Arc<Accounts>, plans: Arc<Plans>) -> Self {
        Self { identity, accounts, plans }
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
