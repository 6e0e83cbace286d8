//! Bytes to text. Design files come from many tools: UTF-8 (with or without a byte-order mark),
//! UTF-16 from spreadsheet "Unicode text" exports, and Latin-1 from older ones.

use std::borrow::Cow;

use crate::ParseError;

pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes).map(Cow::Owned);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        // Not UTF-8: every byte is a Latin-1 character, so this cannot fail and loses nothing.
        Err(_) => Ok(Cow::Owned(bytes.iter().map(|&b| b as char).collect())),
    }
}

/// Refuses text holding a NUL character. It is valid UTF-8, but no design tool writes one into a
/// BOM: it means a binary file (a spreadsheet, UTF-16 without its byte-order mark), and
/// PostgreSQL cannot store it in text.
pub fn refuse_nul(text: &str) -> Result<(), ParseError> {
    match text.find('\0') {
        None => Ok(()),
        Some(at) => Err(ParseError::at(
            text[..at].matches('\n').count() as u64 + 1,
            "the file holds a NUL character, so it is not a text BOM (a spreadsheet file?); \
             upload a KiCad XML, CSV or TSV file",
        )),
    }
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        ParseError::at(line, "the file starts with a UTF-8 byte-order mark but is not valid UTF-8")
    })
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ParseError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ParseError::file("the file starts with a UTF-16 byte-order mark but has an odd length"));
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| ParseError::file("the file starts with a UTF-16 byte-order mark but is not valid UTF-16"))
}

/// A value as kept: trimmed, `~` (KiCad's "none") as empty, at most `MAX_VALUE_CHARS` characters.
pub fn clean(value: &str) -> String {
    let value = value.trim();
    if value == "~" {
        return String::new();
    }
    match value.char_indices().nth(crate::limits::MAX_VALUE_CHARS) {
        Some((cut, _)) => value[..cut].trim_end().to_owned(),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_marks_and_legacy_encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFRef,MPN").unwrap(), "Ref,MPN");
        let utf16le: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("Qty\t1".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode(&utf16le).unwrap(), "Qty\t1");
        let utf16be: Vec<u8> = [0xFE, 0xFF].into_iter().chain("µ".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&utf16be).unwrap(), "µ");
        assert_eq!(decode(b"10\xB5F").unwrap(), "10µF", "Latin-1");
        assert_eq!(refuse_nul("Ref,MPN\nR1,X\0\n").unwrap_err().line, Some(2));
        assert!(refuse_nul("Ref,MPN\nR1,X\n").is_ok());
        assert!(decode(b"\xEF\xBB\xBF\xFF").is_err());
    }

    #[test]
    fn values_are_trimmed_and_bounded() {
        assert_eq!(clean("  10k "), "10k");
        assert_eq!(clean("~"), "");
        assert_eq!(clean(&"x".repeat(5000)).len(), crate::limits::MAX_VALUE_CHARS);
    }
}
