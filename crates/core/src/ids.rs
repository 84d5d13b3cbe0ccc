//! Identifiers of the things jiedao keeps: UUID v7, so they sort by creation time and index well.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh identifier, ordered after every one made before it.
            pub fn new() -> Self {
                $name(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                $name(uuid)
            }

            pub fn uuid(self) -> Uuid {
                self.0
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
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map($name)
            }
        }
    };
}

id_type!(
    /// A node of the organisation tree.
    OrgUnitId
);
id_type!(
    /// A handling department (处置部门).
    DepartmentId
);
id_type!(
    /// A person who logs in.
    UserId
);
id_type!(
    /// A platform (平台) of a platform set.
    PlatformId
);
id_type!(
    /// A case (事件 / 案卷).
    CaseId
);
id_type!(
    /// A category of the category tree.
    CategoryId
);
id_type!(
    /// A system allowed to report cases through the API (a sensor platform, the 12345 hotline).
    ClientId
);
id_type!(
    /// A stored photo or file.
    AttachmentId
);
id_type!(
    /// A background job in the store's queue.
    JobId
);
