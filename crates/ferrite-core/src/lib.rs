//! Ferrite's domain: identifiers, scopes, organizations and their rules, and the clock.
//! Nothing here does I/O, so every rule can be tested with plain values.

pub mod access;
pub mod app;
pub mod clock;
pub mod design;
pub mod error;
pub mod ids;
pub mod keys;
pub mod metering;
pub mod money;
pub mod org;
pub mod plan;
pub mod requests;
pub mod scope;
pub mod slug;
pub mod units;

pub use clock::{Clock, FakeClock, SystemClock};
pub use error::DomainError;
pub use ids::{AppId, ChargeBatchId, DesignFileId, OrgId, ProjectId, UserId, WorkspaceId};
