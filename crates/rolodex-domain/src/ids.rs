//! Integer identifiers of the model's entities. Each is its own type so that a customer id can
//! never be passed where a contact id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant: one business whose data is kept apart from every other's.
    TenantId
);
id_type!(
    /// A user account; users may be members of several tenants.
    UserId
);
id_type!(
    /// A customer of a tenant.
    CustomerId
);
id_type!(
    /// A contact person at a customer.
    ContactId
);
