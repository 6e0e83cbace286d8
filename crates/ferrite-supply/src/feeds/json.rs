//! Reading JSON APIs that send `null` for what they could not resolve.

use serde::{Deserialize, Deserializer};

/// `null` read as empty (for lists GraphQL and REST APIs send as `null`).
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
