//! Reading JSON APIs that send `null` for what they could not resolve.

use serde::{Deserialize, Deserializer};

/// `null` read as empty (for lists GraphQL and REST APIs send as `null`).
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A reader of KiCost's recordings: one object mapping cache names to API answers.
pub(crate) trait Recording {
    /// Reads one answer; `Err` says why the entry is not one.
    fn answer(&mut self, key: &str, answer: &serde_json::Value) -> Result<(), String>;
    /// Reports an entry that is not an answer.
    fn refuse(&mut self, key: &str, reason: String);
}

/// Every entry of a recording, through `reader`: an entry that is not an answer is reported and the
/// read goes on; a file none of whose entries is one is not a recording of `what` and fails.
pub(crate) fn read_recording(
    reader: &mut impl Recording,
    file: &str,
    entries: &serde_json::Map<String, serde_json::Value>,
    what: &str,
) -> Result<(), super::FeedError> {
    let mut answers = 0;
    for (key, value) in entries {
        match reader.answer(key, value) {
            Ok(()) => answers += 1,
            Err(reason) => reader.refuse(key, reason),
        }
    }
    if answers == 0 {
        return Err(super::FeedError::source(file, format!("neither {what} nor a recording of them")));
    }
    Ok(())
}
