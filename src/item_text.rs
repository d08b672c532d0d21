//! Item text: the JSON the hosts hand over and get back, plus four value forms for the
//! DynamoDB types JSON has no word for.
//!
//! ```text
//! $B"<base64>"        binary (B)
//! $SS[<string>,...]   string set (SS)
//! $NS[<number>,...]   number set (NS), the exact digits as JSON number tokens
//! $BS["<base64>",...] binary set (BS)
//! ```
//!
//! Each form starts with `$` where a JSON value starts, a place where JSON text can never
//! hold a `$` (inside strings it is an ordinary character), so no key or value of a user's
//! item can be mistaken for one; and an item without sets or binary is the same JSON text
//! as before, which every host keeps reading and writing with its fast JSON code. The tag
//! is followed directly by `"` or `[`. Base64 is RFC 4648's standard alphabet with padding,
//! in its one canonical spelling per byte string (as DynamoDB's own JSON carries it).

use crate::json::{Reader, SyntaxError};

/// One of the four forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Binary,
    StringSet,
    NumberSet,
    BinarySet,
}

impl Tag {
    const ALL: [Tag; 4] = [Tag::Binary, Tag::StringSet, Tag::NumberSet, Tag::BinarySet];

    /// DynamoDB's name of the type.
    pub fn attribute_type(self) -> &'static str {
        match self {
            Tag::Binary => "B",
            Tag::StringSet => "SS",
            Tag::NumberSet => "NS",
            Tag::BinarySet => "BS",
        }
    }

    /// The type of a DynamoDB attribute value, when it is one of the four.
    pub fn of_attribute_type(name: &str) -> Option<Tag> {
        Tag::ALL
            .into_iter()
            .find(|tag| tag.attribute_type() == name)
    }

    /// How the form starts in item text: `$B`, `$SS`, ...
    pub fn marker(self) -> &'static str {
        match self {
            Tag::Binary => "$B",
            Tag::StringSet => "$SS",
            Tag::NumberSet => "$NS",
            Tag::BinarySet => "$BS",
        }
    }

    /// What a value of the type is called in messages.
    pub fn kind(self) -> &'static str {
        match self {
            Tag::Binary => "binary",
            Tag::StringSet => "a string set",
            Tag::NumberSet => "a number set",
            Tag::BinarySet => "a binary set",
        }
    }

    /// The byte that must follow the marker.
    fn opener(self) -> u8 {
        match self {
            Tag::Binary => b'"',
            _ => b'[',
        }
    }
}

/// Reads the marker of a form (the reader stands at its `$`), leaving the reader at the
/// string or array that follows it.
pub fn read_tag(reader: &mut Reader<'_>) -> Result<Tag, SyntaxError> {
    let rest = reader.rest();
    for tag in Tag::ALL {
        let marker = tag.marker().as_bytes();
        if rest.starts_with(marker) && rest.get(marker.len()) == Some(&tag.opener()) {
            reader.position += marker.len();
            return Ok(tag);
        }
    }
    Err(reader.error(
        "a JSON value, or $B\"<base64>\", $SS[...], $NS[...] or $BS[...] for DynamoDB's binary and set types",
    ))
}

/// The number of bytes `text` encodes, when it is canonical padded base64; `None` otherwise.
pub fn base64_decoded_len(text: &[u8]) -> Option<usize> {
    if text.len() % 4 != 0 {
        return None;
    }
    let padding = text.iter().rev().take_while(|&&b| b == b'=').count();
    let data = &text[..text.len() - padding];
    if padding > 2 || !data.iter().all(|&b| sextet(b).is_some()) {
        return None;
    }
    // The bits after the last whole byte must be zero, or two spellings would stand for
    // the same bytes and a stored value could come back spelt differently.
    let unused_bits_mask = match padding {
        1 => 0b11,
        2 => 0b1111,
        _ => 0,
    };
    if let Some(&last) = data.last() {
        if sextet(last)? & unused_bits_mask != 0 {
            return None;
        }
    }
    Some(text.len() / 4 * 3 - padding)
}

fn sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_base64_gives_its_byte_count() {
        assert_eq!(base64_decoded_len(b""), Some(0));
        assert_eq!(base64_decoded_len(b"AA=="), Some(1));
        assert_eq!(base64_decoded_len(b"AAE="), Some(2));
        assert_eq!(base64_decoded_len(b"AAEC"), Some(3));
        assert_eq!(base64_decoded_len(b"+/+/AA=="), Some(4));
    }

    #[test]
    fn other_spellings_are_not_base64() {
        for text in [
            &b"A"[..],
            b"AA",
            b"AA=",
            b"A===",
            b"AB==", // unused bits set: "AA==" is the spelling of that byte
            b"AAF=",
            b"AA-_",
            b"AA==AA==",
            b"AA A",
        ] {
            assert_eq!(
                base64_decoded_len(text),
                None,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn markers_need_their_opening_bracket_right_after_them() {
        let read = |text: &str| {
            let mut reader = Reader::new(text.as_bytes());
            read_tag(&mut reader).map(|tag| (tag, reader.position))
        };
        assert_eq!(read("$B\"AA==\""), Ok((Tag::Binary, 2)));
        assert_eq!(read("$SS[\"a\"]"), Ok((Tag::StringSet, 3)));
        assert_eq!(read("$NS[1]"), Ok((Tag::NumberSet, 3)));
        assert_eq!(read("$BS[]"), Ok((Tag::BinarySet, 3)));
        for text in [
            "$B [1]",
            "$SS \"a\"",
            "$S\"a\"",
            "$ss[]",
            "$L[]",
            "$",
            "$B[\"AA==\"]",
        ] {
            assert!(read(text).is_err(), "{text}");
        }
    }
}
