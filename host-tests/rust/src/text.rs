//! [`Text`]: a DynamoDB string (an `S` value, a string set's member, a map key) as the
//! table holds it, which is not always something a Rust `String` can hold.
//!
//! JavaScript strings are UTF-16 code units with no rule that surrogates come in pairs:
//! `"🎉".substring(0, 1)` is a lone high surrogate, the original Jovo plugin stores it as it
//! is, and DynamoDB keeps it (it arrives as the JSON escape `\ud83c`). A Rust `String` is
//! UTF-8, which has no spelling for it. Refusing such an item would lock a Rust app out of
//! that user's data for good, and replacing the surrogate with U+FFFD would change a stored
//! value on the next save; so a `Text` holds either a `String` (every string that is valid
//! Unicode, the cheap and usual case) or the UTF-16 code units (only when a lone surrogate
//! is among them).

use std::borrow::Cow;
use std::fmt;

/// A string as DynamoDB stores it: valid Unicode (then [`Text::as_str`] gives it), or
/// UTF-16 holding a lone surrogate, as JavaScript apps can store.
///
/// ```
/// use jovo_dynamodb_host::Text;
/// let greeting = Text::from("hello");
/// assert_eq!(greeting.as_str(), Some("hello"));
/// assert_eq!(greeting, "hello");
///
/// let half_an_emoji = Text::from_utf16(&[0x70, 0xd83c]); // "p" and a lone high surrogate
/// assert_eq!(half_an_emoji.as_str(), None);
/// assert_eq!(half_an_emoji.to_string_lossy(), "p\u{fffd}");
/// assert_eq!(half_an_emoji.to_utf16(), vec![0x70, 0xd83c]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Text(Repr);

/// Invariant: `Utf16` only when the code units hold a lone surrogate, so each text has one
/// representation and the derived equality is the texts' equality.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Unicode(String),
    Utf16(Vec<u16>),
}

impl Text {
    /// The text of UTF-16 code units, lone surrogates and all.
    pub fn from_utf16(units: &[u16]) -> Text {
        match String::from_utf16(units) {
            Ok(string) => Text(Repr::Unicode(string)),
            Err(_) => Text(Repr::Utf16(units.to_vec())),
        }
    }

    /// The string, unless the text holds a lone surrogate.
    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::Unicode(string) => Some(string),
            Repr::Utf16(_) => None,
        }
    }

    /// The string, or the text back when it holds a lone surrogate.
    pub fn into_string(self) -> Result<String, Text> {
        match self.0 {
            Repr::Unicode(string) => Ok(string),
            utf16 => Err(Text(utf16)),
        }
    }

    /// The string with each lone surrogate replaced by U+FFFD (for display and logs; saving
    /// it back would change the stored value).
    pub fn to_string_lossy(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Unicode(string) => Cow::Borrowed(string),
            Repr::Utf16(units) => Cow::Owned(String::from_utf16_lossy(units)),
        }
    }

    /// The UTF-16 code units, as JavaScript sees the string.
    pub fn to_utf16(&self) -> Vec<u16> {
        match &self.0 {
            Repr::Unicode(string) => string.encode_utf16().collect(),
            Repr::Utf16(units) => units.clone(),
        }
    }

    /// Whether the text holds a lone surrogate (and [`as_str`](Self::as_str) is `None`).
    pub fn has_lone_surrogate(&self) -> bool {
        matches!(self.0, Repr::Utf16(_))
    }

    /// The characters, each lone surrogate as `Err(its code unit)`: what a writer needs.
    pub(crate) fn chars(&self) -> impl Iterator<Item = Result<char, u16>> + '_ {
        let (unicode, utf16) = match &self.0 {
            Repr::Unicode(string) => (Some(string.chars().map(Ok)), None),
            Repr::Utf16(units) => (
                None,
                Some(
                    char::decode_utf16(units.iter().copied())
                        .map(|c| c.map_err(|e| e.unpaired_surrogate())),
                ),
            ),
        };
        unicode
            .into_iter()
            .flatten()
            .chain(utf16.into_iter().flatten())
    }
}

impl Default for Text {
    fn default() -> Text {
        Text(Repr::Unicode(String::new()))
    }
}

impl From<String> for Text {
    fn from(string: String) -> Text {
        Text(Repr::Unicode(string))
    }
}

impl From<&str> for Text {
    fn from(string: &str) -> Text {
        Text(Repr::Unicode(string.to_string()))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}

/// Lossy: lone surrogates show as U+FFFD (`Debug` shows them exactly).
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

/// Like a string's `Debug`, with a lone surrogate as `\u{d83c}`.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Unicode(string) => fmt::Debug::fmt(string, f),
            Repr::Utf16(_) => {
                f.write_str("\"")?;
                for c in self.chars() {
                    match c {
                        Ok(c) => write!(f, "{}", c.escape_debug())?,
                        Err(unit) => write!(f, "\\u{{{unit:x}}}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}
