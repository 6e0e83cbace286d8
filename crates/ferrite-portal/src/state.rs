//! What every portal handler reaches: identity (people, sessions, apps), the plan catalogue, and
//! the supply catalogue (the API's, with its cache) that prices BOMs.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ferrite_core::plan::PlanCatalogue;
use ferrite_identity::Identity;
use ferrite_store::Store;
use ferrite_supply::catalogue::Catalogue;

#[derive(Clone)]
pub struct Portal {
    pub identity: Arc<Identity>,
    pub plans: Arc<PlanCatalogue>,
    pub catalogue: Arc<Catalogue>,
}

impl Portal {
    pub fn new(identity: Arc<Identity>, plans: PlanCatalogue, catalogue: Arc<Catalogue>) -> Self {
        Self { identity, plans: Arc::new(plans), catalogue }
    }

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
