//! JSON text of items, read and written by hand for the one-pass item transcoder
//! ([`crate::transcode`]): a forward-only reader that checks the grammar as it goes and
//! keeps each string's escapes as written, string escaping, and a small tree to compare a
//! stored item with the one we wrote and to read the protocol's answers and error bodies.
//! Request bodies are `serde` types (see [`crate::protocol`]). serde_json cannot do the
//! transcoder's part: its
//! strings are Rust strings (a lone surrogate is an error, or bytes with no way back to
//! its `\uXXXX` escape on output), and it cannot count an item's size as DynamoDB does or
//! name the attribute path of an error as it reads.

/// How deep JSON may nest before it is refused rather than followed. DynamoDB documents
/// nest at most 32 levels (plus the attribute-value wrappers); this bounds the recursion
/// on a hostile answer.
pub const MAX_DEPTH_FOLLOWED: usize = 72;

use std::borrow::Cow;

/// A JSON string as it appears in the text.
#[derive(Clone, Copy, Debug)]
pub struct JsonString<'a> {
    /// Between the quotes, escapes as written.
    pub raw: &'a str,
    /// Whether `raw` has a backslash escape.
    pub escaped: bool,
    /// Its length in UTF-8 once decoded, as DynamoDB counts it (a lone surrogate as the
    /// three bytes of its generalised UTF-8 form).
    pub decoded_len: usize,
}

impl<'a> JsonString<'a> {
    /// The decoded text as generalised UTF-8 (a lone surrogate as its three-byte form):
    /// exact, so two different strings never compare equal.
    pub fn decoded_bytes(&self) -> Cow<'a, [u8]> {
        if self.escaped {
            Cow::Owned(decode_wtf8(self.raw))
        } else {
            Cow::Borrowed(self.raw.as_bytes())
        }
    }

    /// The decoded text for messages: a lone surrogate shows as U+FFFD.
    pub fn decoded(&self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(String::from_utf8_lossy(&decode_wtf8(self.raw)).into_owned())
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    pub fn is(&self, name: &str) -> bool {
        *self.decoded_bytes() == *name.as_bytes()
    }
}

/// Where and why JSON text stopped making sense.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub expected: &'static str,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.offset)
    }
}

/// A forward-only JSON reader over text that is valid UTF-8.
pub struct Reader<'a> {
    text: &'a [u8],
    pub position: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a [u8]) -> Reader<'a> {
        Reader { text, position: 0 }
    }

    pub fn error(&self, expected: &'static str) -> SyntaxError {
        SyntaxError {
            offset: self.position,
            expected,
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.position) {
            self.position += 1;
        }
    }

    /// The text from the current position on.
    pub fn rest(&self) -> &'a [u8] {
        self.text.get(self.position..).unwrap_or_default()
    }

    /// The next significant byte, not consumed.
    pub fn peek(&mut self) -> Result<u8, SyntaxError> {
        self.skip_whitespace();
        self.text
            .get(self.position)
            .copied()
            .ok_or_else(|| self.error("a JSON value"))
    }

    pub fn eat(&mut self, byte: u8) -> Result<bool, SyntaxError> {
        if self.peek()? == byte {
            self.position += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    pub fn expect(&mut self, byte: u8) -> Result<(), SyntaxError> {
        if self.eat(byte)? {
            Ok(())
        } else {
            Err(self.error(match byte {
                b'{' => "'{'",
                b'[' => "'['",
                b':' => "':'",
                _ => "a JSON value",
            }))
        }
    }

    /// After a member or element: `true` for a comma (more follow), `false` for `close`.
    pub fn comma_or(&mut self, close: u8) -> Result<bool, SyntaxError> {
        match self.peek() {
            Ok(b',') => {
                self.position += 1;
                Ok(true)
            }
            Ok(byte) if byte == close => {
                self.position += 1;
                Ok(false)
            }
            _ => Err(self.error(if close == b'}' {
                "',' or '}'"
            } else {
                "',' or ']'"
            })),
        }
    }

    /// Only whitespace may follow the top-level value.
    pub fn end(&mut self) -> Result<(), SyntaxError> {
        self.skip_whitespace();
        if self.position == self.text.len() {
            Ok(())
        } else {
            Err(self.error("the end of the text"))
        }
    }

    pub fn literal(&mut self, word: &'static str) -> Result<(), SyntaxError> {
        self.skip_whitespace();
        if self.text[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(())
        } else {
            Err(self.error(word))
        }
    }

    pub fn boolean(&mut self) -> Result<bool, SyntaxError> {
        match self.peek()? {
            b't' => self.literal("true").map(|()| true),
            b'f' => self.literal("false").map(|()| false),
            _ => Err(self.error("true or false")),
        }
    }

    pub fn string(&mut self) -> Result<JsonString<'a>, SyntaxError> {
        if self.peek()? != b'"' {
            return Err(self.error("a string"));
        }
        self.position += 1;
        let start = self.position;
        let mut decoded_len = 0;
        let mut escaped = false;
        loop {
            let Some(&byte) = self.text.get(self.position) else {
                return Err(self.error("the end of a string"));
            };
            match byte {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    decoded_len += self.escape()?;
                }
                0x00..=0x1f => return Err(self.error("an escaped control character")),
                _ => {
                    self.position += 1;
                    decoded_len += 1;
                }
            }
        }
        // `start..position` lies between two quote bytes of valid UTF-8 text.
        let raw = std::str::from_utf8(&self.text[start..self.position])
            .map_err(|_| self.error("UTF-8 text"))?;
        self.position += 1;
        Ok(JsonString {
            raw,
            escaped,
            decoded_len,
        })
    }

    /// Consumes one escape sequence; returns its UTF-8 length once decoded.
    fn escape(&mut self) -> Result<usize, SyntaxError> {
        self.position += 1;
        let Some(&kind) = self.text.get(self.position) else {
            return Err(self.error("an escape sequence"));
        };
        self.position += 1;
        match kind {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(1),
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit)
                    && self.text[self.position..].starts_with(b"\\u")
                {
                    let saved = self.position;
                    self.position += 2;
                    if (0xDC00..0xE000).contains(&self.hex4()?) {
                        return Ok(4);
                    }
                    self.position = saved;
                }
                Ok(match unit {
                    0..0x80 => 1,
                    0x80..0x800 => 2,
                    _ => 3,
                })
            }
            _ => {
                self.position -= 1;
                Err(self.error("a valid escape sequence"))
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .ok_or_else(|| self.error("four hex digits"))?;
        let mut value = 0;
        for &digit in digits {
            let nibble = char::from(digit)
                .to_digit(16)
                .ok_or_else(|| self.error("four hex digits"))?;
            value = value * 16 + nibble;
        }
        self.position += 4;
        Ok(value)
    }

    /// A JSON number token, as written.
    pub fn number(&mut self) -> Result<&'a str, SyntaxError> {
        self.skip_whitespace();
        let start = self.position;
        let rest = &self.text[start..];
        let length = json_number_length(rest).ok_or_else(|| self.error("a number"))?;
        self.position += length;
        std::str::from_utf8(&rest[..length]).map_err(|_| self.error("a number"))
    }

    /// Skips one value, checking it is well-formed. `depth` is how deep it already is.
    pub fn skip_value(&mut self, depth: usize) -> Result<(), SyntaxError> {
        if depth > MAX_DEPTH_FOLLOWED {
            return Err(self.error("less deeply nested JSON"));
        }
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' | b'f' => self.boolean().map(drop),
            b'n' => self.literal("null"),
            b'[' => {
                self.position += 1;
                if !self.eat(b']')? {
                    loop {
                        self.skip_value(depth + 1)?;
                        if !self.comma_or(b']')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            b'{' => {
                self.position += 1;
                if !self.eat(b'}')? {
                    loop {
                        self.string()?;
                        self.expect(b':')?;
                        self.skip_value(depth + 1)?;
                        if !self.comma_or(b'}')? {
                            break;
                        }
                    }
                }
                Ok(())
            }
            _ => Err(self.error("a JSON value")),
        }
    }
}

/// The length of the JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`) that `text`
/// starts with, or `None` when it starts with none.
pub fn json_number_length(text: &[u8]) -> Option<usize> {
    let digits_from = |at: usize| {
        text[at.min(text.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut at = usize::from(text.first() == Some(&b'-'));
    match text.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at += digits_from(at),
        _ => return None,
    }
    if text.get(at) == Some(&b'.') {
        let fraction = digits_from(at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if let Some(b'e' | b'E') = text.get(at) {
        at += 1;
        if let Some(b'+' | b'-') = text.get(at) {
            at += 1;
        }
        let exponent = digits_from(at);
        if exponent == 0 {
            return None;
        }
        at += exponent;
    }
    Some(at)
}

pub fn is_json_number(text: &str) -> bool {
    json_number_length(text.as_bytes()) == Some(text.len())
}

/// The kind of JSON value that starts with `byte`, for messages.
pub fn kind_of(byte: u8) -> &'static str {
    match byte {
        b'{' => "an object",
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'$' => "a set or binary value",
        _ => "a number",
    }
}

/// Decodes the escapes of a JSON string body that the reader accepted, into generalised
/// UTF-8: a lone surrogate becomes its three-byte encoding (as in WTF-8), so decoding
/// loses nothing.
pub fn decode_wtf8(raw: &str) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(raw.len());
    let bytes = raw.as_bytes();
    let mut at = 0;
    let mut pending_high: Option<u32> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        if byte != b'\\' {
            flush_high(&mut decoded, &mut pending_high);
            decoded.push(byte);
            at += 1;
            continue;
        }
        let kind = bytes.get(at + 1).copied().unwrap_or(b'\\');
        at += 2;
        let simple = match kind {
            b'u' => None,
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            other => Some(other),
        };
        if let Some(simple) = simple {
            flush_high(&mut decoded, &mut pending_high);
            decoded.push(simple);
            continue;
        }
        let unit = raw
            .get(at..at + 4)
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .unwrap_or(0xFFFD);
        at += 4;
        match (pending_high.take(), unit) {
            (Some(high), 0xDC00..=0xDFFF) => {
                push_code_point(
                    &mut decoded,
                    0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00),
                );
            }
            (previous, 0xD800..=0xDBFF) => {
                if let Some(previous) = previous {
                    push_code_point(&mut decoded, previous);
                }
                pending_high = Some(unit);
            }
            (previous, unit) => {
                if let Some(previous) = previous {
                    push_code_point(&mut decoded, previous);
                }
                push_code_point(&mut decoded, unit);
            }
        }
    }
    flush_high(&mut decoded, &mut pending_high);
    decoded
}

fn flush_high(decoded: &mut Vec<u8>, pending_high: &mut Option<u32>) {
    if let Some(high) = pending_high.take() {
        push_code_point(decoded, high);
    }
}

/// UTF-8 encoding extended to the surrogate range (three bytes each).
fn push_code_point(out: &mut Vec<u8>, code: u32) {
    // Each shifted value is masked to fit a byte.
    let byte = |value: u32| (value & 0xFF) as u8;
    match code {
        0..0x80 => out.push(byte(code)),
        0x80..0x800 => out.extend([byte(0xC0 | code >> 6), byte(0x80 | (code & 0x3F))]),
        0x800..0x10000 => out.extend([
            byte(0xE0 | code >> 12),
            byte(0x80 | ((code >> 6) & 0x3F)),
            byte(0x80 | (code & 0x3F)),
        ]),
        _ => out.extend([
            byte(0xF0 | code >> 18),
            byte(0x80 | ((code >> 12) & 0x3F)),
            byte(0x80 | ((code >> 6) & 0x3F)),
            byte(0x80 | (code & 0x3F)),
        ]),
    }
}

/// Writes `text` as a JSON string, quotes included, escaping what JSON requires.
pub fn push_string(out: &mut String, text: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (at, c) in text.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if c < ' ' => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..at]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push_str(escape);
        }
        plain_from = at + c.len_utf8();
    }
    out.push_str(&text[plain_from..]);
    out.push('"');
}

/// A parsed JSON value, to tell whether a stored item is the one we wrote (see
/// `Client::stored_item_is`): strings exactly as DynamoDB compares them, lone surrogates
/// included; and the answers and error bodies of the protocol, read from it by
/// [`crate::protocol::Answer`] (serde_json's reading side measured 82 KB of component).
/// A `serde` attribute-value type that keeps lone surrogates (through serde_json's bytes)
/// measured 21 KB of component against this tree's few KB.
#[derive(Debug)]
pub enum Tree {
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    /// Decoded, in generalised UTF-8 (see [`decode_wtf8`]).
    String(Vec<u8>),
    Array(Vec<Tree>),
    /// Members in their order, names decoded like strings.
    Object(Vec<(Vec<u8>, Tree)>),
}

impl Tree {
    /// Parses a whole JSON text.
    pub fn parse(text: &[u8]) -> Result<Tree, SyntaxError> {
        let text = std::str::from_utf8(text).map_err(|e| SyntaxError {
            offset: e.valid_up_to(),
            expected: "UTF-8 text",
        })?;
        let mut reader = Reader::new(text.as_bytes());
        let value = Tree::read(&mut reader, 0)?;
        reader.end()?;
        Ok(value)
    }

    fn read(reader: &mut Reader<'_>, depth: usize) -> Result<Tree, SyntaxError> {
        if depth > MAX_DEPTH_FOLLOWED {
            return Err(reader.error("less deeply nested JSON"));
        }
        Ok(match reader.peek()? {
            b'"' => Tree::String(reader.string()?.decoded_bytes().into_owned()),
            b'-' | b'0'..=b'9' => Tree::Number(reader.number()?.to_string()),
            b't' | b'f' => Tree::Bool(reader.boolean()?),
            b'n' => {
                reader.literal("null")?;
                Tree::Null
            }
            b'[' => {
                reader.expect(b'[')?;
                let mut elements = Vec::new();
                if !reader.eat(b']')? {
                    loop {
                        elements.push(Tree::read(reader, depth + 1)?);
                        if !reader.comma_or(b']')? {
                            break;
                        }
                    }
                }
                Tree::Array(elements)
            }
            b'{' => {
                reader.expect(b'{')?;
                let mut members = Vec::new();
                if !reader.eat(b'}')? {
                    loop {
                        let name = reader.string()?.decoded_bytes().into_owned();
                        reader.expect(b':')?;
                        members.push((name, Tree::read(reader, depth + 1)?));
                        if !reader.comma_or(b'}')? {
                            break;
                        }
                    }
                }
                Tree::Object(members)
            }
            _ => return Err(reader.error("a JSON value")),
        })
    }

    /// The member `name` of an object.
    pub fn get(&self, name: &[u8]) -> Option<&Tree> {
        match self {
            Tree::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Equality as DynamoDB means it: objects compare regardless of member order, and so
    /// do the members of sets (the arrays of `SS`, `NS` and `BS` attribute values), which
    /// DynamoDB may return in another order than they were written.
    pub fn same_as(&self, other: &Tree) -> bool {
        match (self, other) {
            (Tree::Object(ours), Tree::Object(theirs)) => {
                ours.len() == theirs.len()
                    && ours.iter().all(|(name, value)| {
                        other.get(name).is_some_and(|theirs| match (value, theirs) {
                            (Tree::Array(a), Tree::Array(b))
                                if matches!(name.as_slice(), b"SS" | b"NS" | b"BS") =>
                            {
                                a.len() == b.len()
                                    && a.iter().all(|m| b.iter().any(|n| m.same_as(n)))
                            }
                            _ => value.same_as(theirs),
                        })
                    })
            }
            (Tree::Array(ours), Tree::Array(theirs)) => {
                ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| a.same_as(b))
            }
            (Tree::Null, Tree::Null) => true,
            (Tree::Bool(a), Tree::Bool(b)) => a == b,
            (Tree::Number(a), Tree::Number(b)) => a == b,
            (Tree::String(a), Tree::String(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_members_compare_in_any_order_but_list_elements_do_not() {
        let tree = |text: &str| Tree::parse(text.as_bytes()).unwrap();
        assert!(tree(r#"{"a":{"SS":["x","y"]}}"#).same_as(&tree(r#"{"a":{"SS":["y","x"]}}"#)));
        assert!(!tree(r#"{"a":{"SS":["x","y"]}}"#).same_as(&tree(r#"{"a":{"SS":["y","z"]}}"#)));
        assert!(!tree(r#"{"a":{"L":["x","y"]}}"#).same_as(&tree(r#"{"a":{"L":["y","x"]}}"#)));
    }

    #[test]
    fn strings_are_escaped_as_json_requires() {
        let mut out = String::new();
        push_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn decoding_escapes_keeps_lone_halves_exactly() {
        assert_eq!(
            decode_wtf8(r"a\u00e9\n\ud83d\ude00"),
            "a\u{e9}\n\u{1F600}".as_bytes()
        );
        assert_eq!(decode_wtf8(r"\ud83d!"), [0xED, 0xA0, 0xBD, b'!']);
        assert_eq!(
            decode_wtf8(r"\ude00\ud83d"),
            [0xED, 0xB8, 0x80, 0xED, 0xA0, 0xBD]
        );
    }

    #[test]
    fn stored_items_are_the_same_in_any_member_order_and_keep_lone_surrogates() {
        let a = Tree::parse(br#"{"x":1,"y":{"p":"\ud83d","q":[1]}}"#).unwrap();
        let b = Tree::parse(br#"{"y":{"q":[1],"p":"\ud83d"},"x":1}"#).unwrap();
        let c = Tree::parse(br#"{"y":{"q":[1],"p":"\ud83e"},"x":1}"#).unwrap();
        assert!(a.same_as(&b));
        assert!(
            !a.same_as(&c),
            "different lone surrogates are different strings"
        );
        assert!(Tree::parse(b"[1] 2").is_err());
        let deep = "[".repeat(MAX_DEPTH_FOLLOWED + 2);
        assert!(Tree::parse(deep.as_bytes()).is_err());
    }
}
