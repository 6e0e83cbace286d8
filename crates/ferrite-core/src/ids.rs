//! Typed identifiers: an organization id cannot be passed where an app id is expected.
//! They are UUIDv7 (time-ordered, so indexes stay compact) and travel as text.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person with a portal account.
    UserId
);
id_type!(
    /// An organization: owns applications and the supply plan.
    OrgId
);
id_type!(
    /// A registered application (not its OAuth client id, which is public and separate).
    AppId
);
id_type!(
    /// A design workspace: holds an organization's projects.
    WorkspaceId
);
id_type!(
    /// A design project.
    ProjectId
);
id_type!(
    /// A design file uploaded to make a project from.
    DesignFileId
);
id_type!(
    /// A batch of charges, named by the node that sends it, so that sending it again after a lost
    /// reply cannot charge it twice.
    ChargeBatchId
);
