//! Reading JSON APIs: `null` for what they could not resolve, objects whose member order matters,
//! and text that went through a Latin-1 decoder on its way to JSON.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A file's JSON document; a file that is not JSON is unusable.
pub(crate) fn document(bytes: &[u8], file: &str) -> Result<serde_json::Value, super::FeedError> {
    serde_json::from_slice(bytes).map_err(|e| super::FeedError::source(file, format!("not JSON: {e}")))
}

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

/// An object's members in the document's order (serde_json's own map sorts them by name, which
/// would number records otherwise than the file does).
pub(crate) struct Ordered<T>(pub(crate) Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Members<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Ordered(members))
            }
        }
        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// Text that was UTF-8 but was read as Latin-1 before it became JSON (`Â±5%`, `WÃ¼rth`), as it
/// was written (`±5%`, `Würth`). KiCost's caches were Python 2 pickles, whose byte strings a
/// converter reads as Latin-1. Text that is not such a misreading (plain ASCII, real Latin-1
/// such as `Würth`, anything beyond U+00FF) is returned as it is.
pub(crate) fn undo_latin1_misreading(text: &str) -> String {
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0xFF) {
        return text.to_owned();
    }
    // Every char is below U+0100: it is the Latin-1 byte of that value.
    let bytes: Vec<u8> = text.chars().map(|c| u32::from(c) as u8).collect();
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_misreadings_are_undone_and_nothing_else_changes() {
        for (read, written) in [
            ("Â±5%", "±5%"),
            ("WÃ¼rth Elektronik", "Würth Elektronik"),
            ("10.0 kÎ©", "10.0 kΩ"),
            ("PicoBladeâ\u{84}¢", "PicoBlade™"),
            ("Würth", "Würth"),
            ("125 °C", "125 °C"),
            ("10 kΩ", "10 kΩ"),
            ("plain", "plain"),
        ] {
            assert_eq!(undo_latin1_misreading(read), written, "{read:?}");
        }
    }

    #[test]
    fn members_keep_the_documents_order() {
        let Ordered(members) = serde_json::from_str::<Ordered<i64>>(r#"{"b": 1, "a": 2, "c": 3}"#).unwrap();
        let names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
        assert!(serde_json::from_str::<Ordered<i64>>("[1]").is_err());
    }
}
