//! Item text, the string an item crosses the component boundary as, to and from the typed
//! [`Map`]: JSON (RFC 8259) plus four forms for the types JSON has no word for, each
//! starting with `$` where a JSON value starts (a place valid JSON never has a `$`, so no
//! key or value can be mistaken for one):
//!
//! ```text
//! $B"<base64>"         binary (B)
//! $SS[<string>,...]    string set (SS)
//! $NS[<number>,...]    number set (NS), exact digits as JSON number tokens
//! $BS["<base64>",...]  binary set (BS)
//! ```
//!
//! Base64 is RFC 4648's standard alphabet with `=` padding, canonical, as DynamoDB's own
//! JSON carries it. Strings keep every UTF-16 code unit: a `\ud83c` escape with no partner
//! is read into a [`Text`] holding the lone surrogate and written back as the same escape.
//!
//! Both directions are single passes over the text. Errors name the attribute path
//! (`user.data.tags[2]`, as the component's messages do), never the value; the path is
//! built only when an error unwinds, so the usual, valid item pays nothing for it.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::item::{AttributeValue, Map};
use crate::{Error, StoreError, Text};

/// Deeper than DynamoDB's 32 levels: only malformed text reaches it, and the reader's
/// recursion stays far from the stack's end.
const MAX_DEPTH: usize = 64;

/// Writes `item` as item text. Strings and numbers go out as they are; only an `N` whose
/// text is not a JSON number is refused here (the component would see broken JSON and
/// could not name the attribute). DynamoDB's own rules (empty or repeated set members,
/// digits and magnitudes) are the component's to check, as for every host.
pub(crate) fn write(item: &Map) -> Result<String, Error> {
    let mut out = String::with_capacity(256);
    write_map(&mut out, item).map_err(|e| {
        Error::Store(StoreError::InvalidInput(format!(
            "item attribute '{}': {}",
            e.path(),
            e.reason
        )))
    })?;
    Ok(out)
}

/// Reads the item text the component returned (or a user passes to
/// [`Map::from_item_text`]): an object at the top.
pub(crate) fn read(text: &str) -> Result<Map, Error> {
    let mut reader = Reader {
        bytes: text.as_bytes(),
        text,
        at: 0,
        depth: 0,
    };
    reader.skip_space();
    let item = match reader.peek() {
        Some(b'{') => reader.map(),
        _ => Err(reader.fail("an object")),
    }
    .and_then(|item| {
        reader.skip_space();
        match reader.peek() {
            None => Ok(item),
            Some(_) => Err(reader.fail("the end of the item")),
        }
    });
    item.map_err(|e| {
        let path = e.path();
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" in attribute '{path}'")
        };
        Error::Store(StoreError::InvalidInput(format!(
            "the item text is not readable at byte {}{at}: expected {}",
            e.offset, e.reason
        )))
    })
}

/// A failure and where: the path's steps innermost first, as they were added while the
/// error unwound.
struct Failure {
    reverse_path: Vec<Step>,
    reason: String,
    offset: usize,
}

enum Step {
    Key(Text),
    Index(usize),
}

impl Failure {
    fn at(self, step: Step) -> Failure {
        let mut failure = self;
        failure.reverse_path.push(step);
        failure
    }

    fn path(&self) -> String {
        let mut text = String::new();
        for step in self.reverse_path.iter().rev() {
            match step {
                Step::Key(name) => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(&name.to_string_lossy());
                }
                Step::Index(index) => text.push_str(&format!("[{index}]")),
            }
        }
        text
    }
}

// ---- writing ----

fn write_map(out: &mut String, map: &Map) -> Result<(), Failure> {
    out.push('{');
    for (index, (name, value)) in map.members().iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_string(out, name);
        out.push(':');
        write_value(out, value).map_err(|e| e.at(Step::Key(name.clone())))?;
    }
    out.push('}');
    Ok(())
}

fn write_value(out: &mut String, value: &AttributeValue) -> Result<(), Failure> {
    match value {
        AttributeValue::S(text) => write_string(out, text),
        AttributeValue::N(digits) => write_number(out, digits)?,
        AttributeValue::B(bytes) => {
            out.push_str("$B");
            write_base64(out, bytes);
        }
        AttributeValue::Bool(true) => out.push_str("true"),
        AttributeValue::Bool(false) => out.push_str("false"),
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::M(map) => write_map(out, map)?,
        AttributeValue::L(list) => {
            out.push('[');
            for (index, element) in list.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_value(out, element).map_err(|e| e.at(Step::Index(index)))?;
            }
            out.push(']');
        }
        AttributeValue::Ss(members) => {
            out.push_str("$SS");
            write_members(out, members, |out, member| {
                write_string(out, member);
                Ok(())
            })?;
        }
        AttributeValue::Ns(members) => {
            out.push_str("$NS");
            write_members(out, members, |out, member| write_number(out, member))?;
        }
        AttributeValue::Bs(members) => {
            out.push_str("$BS");
            write_members(out, members, |out, member| {
                write_base64(out, member);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// `[m1,m2,...]`; a failing member is named by its index, as in a list.
fn write_members<T>(
    out: &mut String,
    members: &[T],
    mut write_member: impl FnMut(&mut String, &T) -> Result<(), Failure>,
) -> Result<(), Failure> {
    out.push('[');
    for (index, member) in members.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_member(out, member).map_err(|e| e.at(Step::Index(index)))?;
    }
    out.push(']');
    Ok(())
}

fn write_base64(out: &mut String, bytes: &[u8]) {
    out.push('"');
    BASE64.encode_string(bytes, out);
    out.push('"');
}

fn write_number(out: &mut String, digits: &str) -> Result<(), Failure> {
    if !is_json_number(digits.as_bytes()) {
        return Err(Failure {
            reverse_path: Vec::new(),
            reason: format!(
                "a number's text must be a JSON number such as 42, -1.5 or 1.5E+125 (got {} characters that are not)",
                digits.chars().count()
            ),
            offset: 0,
        });
    }
    out.push_str(digits);
    Ok(())
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, RFC 8259's number.
fn is_json_number(bytes: &[u8]) -> bool {
    number_length(bytes) == Some(bytes.len())
}

/// How many bytes at the start of `bytes` form a JSON number, if they start one.
fn number_length(bytes: &[u8]) -> Option<usize> {
    let digits_from = |at: usize| {
        bytes[at.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    match bytes.get(at) {
        Some(b'0') => at += 1,
        Some(b'1'..=b'9') => at += digits_from(at),
        _ => return None,
    }
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits_from(at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
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

/// A JSON string: `"` and `\` escaped, control characters as escapes, lone surrogates as
/// `\udXXX`; everything else as it is (UTF-8).
fn write_string(out: &mut String, text: &Text) {
    out.push('"');
    match text.as_str() {
        Some(string) => {
            // Copy the runs between the characters that need an escape.
            let mut run_start = 0;
            for (at, byte) in string.bytes().enumerate() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    out.push_str(&string[run_start..at]);
                    escape_char(out, char::from(byte));
                    run_start = at + 1;
                }
            }
            out.push_str(&string[run_start..]);
        }
        None => {
            for c in text.chars() {
                match c {
                    Ok(c) if c == '"' || c == '\\' || c < ' ' => escape_char(out, c),
                    Ok(c) => out.push(c),
                    Err(lone_surrogate) => out.push_str(&format!("\\u{lone_surrogate:04x}")),
                }
            }
        }
    }
    out.push('"');
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
    }
}

// ---- reading ----

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn fail(&self, expected: &str) -> Failure {
        Failure {
            reverse_path: Vec::new(),
            reason: expected.to_string(),
            offset: self.at,
        }
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), Failure> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.fail(expected))
        }
    }

    fn value(&mut self) -> Result<AttributeValue, Failure> {
        self.skip_space();
        match self.peek() {
            Some(b'{') => Ok(AttributeValue::M(self.map()?)),
            Some(b'[') => {
                let list = self.nested(|reader| {
                    reader.sequence(|reader, index| {
                        reader.value().map_err(|e| e.at(Step::Index(index)))
                    })
                })?;
                Ok(AttributeValue::L(list))
            }
            Some(b'"') => Ok(AttributeValue::S(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(AttributeValue::N(self.number()?.to_string())),
            Some(b't') => self.literal("true", AttributeValue::Bool(true)),
            Some(b'f') => self.literal("false", AttributeValue::Bool(false)),
            Some(b'n') => self.literal("null", AttributeValue::Null),
            Some(b'$') => self.tagged(),
            _ => Err(self.fail("a value")),
        }
    }

    fn literal(&mut self, word: &str, value: AttributeValue) -> Result<AttributeValue, Failure> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.fail("a value"))
        }
    }

    /// One of the four forms; the reader stands at its `$`.
    fn tagged(&mut self) -> Result<AttributeValue, Failure> {
        let rest = &self.bytes[self.at..];
        // `$BS[` before `$B"`: both start with `$B`.
        if rest.starts_with(b"$BS[") {
            self.at += 3;
            let members = self.set(|reader| reader.base64())?;
            Ok(AttributeValue::Bs(members))
        } else if rest.starts_with(b"$B\"") {
            self.at += 2;
            Ok(AttributeValue::B(self.base64()?))
        } else if rest.starts_with(b"$SS[") {
            self.at += 3;
            Ok(AttributeValue::Ss(self.set(|reader| reader.string())?))
        } else if rest.starts_with(b"$NS[") {
            self.at += 3;
            let members = self.set(|reader| Ok(reader.number()?.to_string()))?;
            Ok(AttributeValue::Ns(members))
        } else {
            Err(self.fail("$B\", $SS[, $NS[ or $BS[ (the only tagged forms)"))
        }
    }

    /// The members of a set, each after optional space.
    fn set<T>(
        &mut self,
        mut member: impl FnMut(&mut Reader<'a>) -> Result<T, Failure>,
    ) -> Result<Vec<T>, Failure> {
        self.sequence(|reader, index| {
            reader.skip_space();
            member(reader).map_err(|e| e.at(Step::Index(index)))
        })
    }

    /// `[item, item, ...]`, the reader at the `[`.
    fn sequence<T>(
        &mut self,
        mut item: impl FnMut(&mut Reader<'a>, usize) -> Result<T, Failure>,
    ) -> Result<Vec<T>, Failure> {
        self.expect(b'[', "[")?;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(item(self, items.len())?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(items);
                }
                _ => return Err(self.fail(", or ]")),
            }
        }
    }

    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Reader<'a>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        if self.depth == MAX_DEPTH {
            return Err(self.fail("fewer nested maps and lists"));
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// `{"name": value, ...}`, the reader at the `{`.
    fn map(&mut self) -> Result<Map, Failure> {
        self.nested(|reader| {
            reader.expect(b'{', "{")?;
            let mut members = Vec::new();
            reader.skip_space();
            if reader.peek() == Some(b'}') {
                reader.at += 1;
                return Ok(Map::from_members(members));
            }
            loop {
                reader.skip_space();
                if reader.peek() != Some(b'"') {
                    return Err(reader.fail("a member name"));
                }
                let name = reader.string()?;
                reader.skip_space();
                reader.expect(b':', ":")?;
                match reader.value() {
                    Ok(value) => members.push((name, value)),
                    Err(e) => return Err(e.at(Step::Key(name))),
                }
                reader.skip_space();
                match reader.peek() {
                    Some(b',') => reader.at += 1,
                    Some(b'}') => {
                        reader.at += 1;
                        return Ok(Map::from_members(members));
                    }
                    _ => return Err(reader.fail(", or }")),
                }
            }
        })
    }

    /// A number token, as it is written.
    fn number(&mut self) -> Result<&'a str, Failure> {
        match number_length(&self.bytes[self.at..]) {
            Some(length) => {
                let token = &self.text[self.at..self.at + length];
                self.at += length;
                Ok(token)
            }
            None => Err(self.fail("a number")),
        }
    }

    /// `"<base64>"`, decoded.
    fn base64(&mut self) -> Result<Vec<u8>, Failure> {
        let start = self.at;
        let text = self.string()?;
        text.as_str()
            .and_then(|text| BASE64.decode(text).ok())
            .ok_or_else(|| Failure {
                reverse_path: Vec::new(),
                reason: "canonical base64 (RFC 4648, standard alphabet, padded)".to_string(),
                offset: start,
            })
    }

    /// A JSON string, the reader at its `"`. Strings without escapes (nearly all) are one
    /// slice copy; escapes go through [`TextBuilder`], which switches to UTF-16 only when
    /// an escape is a lone surrogate.
    fn string(&mut self) -> Result<Text, Failure> {
        self.expect(b'"', "a string")?;
        let mut text: Option<TextBuilder> = None;
        let mut run_start = self.at;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let run = &self.text[run_start..self.at];
                    self.at += 1;
                    return Ok(match text {
                        None => Text::from(run),
                        Some(mut builder) => {
                            builder.push_str(run);
                            builder.finish()
                        }
                    });
                }
                Some(b'\\') => {
                    let builder = text.get_or_insert_with(TextBuilder::default);
                    builder.push_str(&self.text[run_start..self.at]);
                    self.at += 1;
                    self.escape(builder)?;
                    run_start = self.at;
                }
                Some(byte) if byte < 0x20 => {
                    return Err(self.fail("an escape for a control character"))
                }
                Some(_) => self.at += 1,
                None => return Err(self.fail("the end of the string")),
            }
        }
    }

    /// One escape after its `\`.
    fn escape(&mut self, builder: &mut TextBuilder) -> Result<(), Failure> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let unit = self.hex4()?;
                if (0xd800..0xdc00).contains(&unit) {
                    // A high surrogate pairs with a directly following `\u` low one.
                    if self.bytes[self.at..].starts_with(b"\\u") {
                        let after_high = self.at;
                        self.at += 2;
                        let low = self
                            .hex4()
                            .ok()
                            .filter(|low| (0xdc00..0xe000).contains(low));
                        if let Some(low) = low {
                            let c = 0x10000
                                + ((u32::from(unit) - 0xd800) << 10)
                                + (u32::from(low) - 0xdc00);
                            builder.push_char(char::from_u32(c).expect("a surrogate pair"));
                            return Ok(());
                        }
                        // Not a low surrogate: read it as an escape of its own.
                        self.at = after_high;
                    }
                    builder.push_lone_surrogate(unit);
                } else if (0xdc00..0xe000).contains(&unit) {
                    builder.push_lone_surrogate(unit);
                } else {
                    builder.push_char(char::from_u32(u32::from(unit)).expect("not a surrogate"));
                }
                return Ok(());
            }
            _ => return Err(self.fail("an escape")),
        };
        self.at += 1;
        builder.push_char(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, Failure> {
        let hex = self
            .bytes
            .get(self.at..self.at + 4)
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .ok_or_else(|| self.fail("four hex digits"))?;
        let unit = u16::from_str_radix(std::str::from_utf8(hex).expect("ASCII"), 16)
            .expect("four hex digits");
        self.at += 4;
        Ok(unit)
    }
}

/// A string with escapes, built as a `String` until a lone surrogate makes it UTF-16.
enum TextBuilder {
    Unicode(String),
    Utf16(Vec<u16>),
}

impl Default for TextBuilder {
    fn default() -> TextBuilder {
        TextBuilder::Unicode(String::new())
    }
}

impl TextBuilder {
    fn push_str(&mut self, run: &str) {
        match self {
            TextBuilder::Unicode(string) => string.push_str(run),
            TextBuilder::Utf16(units) => units.extend(run.encode_utf16()),
        }
    }

    fn push_char(&mut self, c: char) {
        match self {
            TextBuilder::Unicode(string) => string.push(c),
            TextBuilder::Utf16(units) => units.extend(c.encode_utf16(&mut [0; 2]).iter()),
        }
    }

    fn push_lone_surrogate(&mut self, unit: u16) {
        if let TextBuilder::Unicode(string) = self {
            *self = TextBuilder::Utf16(string.encode_utf16().collect());
        }
        if let TextBuilder::Utf16(units) = self {
            units.push(unit);
        }
    }

    fn finish(self) -> Text {
        match self {
            TextBuilder::Unicode(string) => Text::from(string),
            TextBuilder::Utf16(units) => Text::from_utf16(&units),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str) -> Map {
        read(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn message(error: Error) -> String {
        match error {
            Error::Store(StoreError::InvalidInput(message)) => message,
            other => panic!("expected invalid-input, got {other}"),
        }
    }

    #[test]
    fn every_type_reads_and_writes_back_the_same_text() {
        let text = r#"{"s":"a\"b\\c\n\u0001 ü 🎉 $","n":-12.5E+3,"big":12345678901234567890123456789012345678,"b":$B"AAH/","empty":$B"","t":true,"f":false,"z":null,"m":{"x":[1,{"y":[]}],"e":{}},"ss":$SS["","a","$B\"x\""],"ns":$NS[1,2.5,1E-130],"bs":$BS["","AA==","/w=="]}"#;
        let item = read_ok(text);
        assert_eq!(item.get("b"), Some(&AttributeValue::B(vec![0, 1, 255])));
        assert_eq!(item.get("empty"), Some(&AttributeValue::B(vec![])));
        assert_eq!(
            item.get("ns"),
            Some(&AttributeValue::Ns(vec![
                "1".into(),
                "2.5".into(),
                "1E-130".into()
            ]))
        );
        assert_eq!(
            item.get("ss"),
            Some(&AttributeValue::Ss(vec![
                "".into(),
                "a".into(),
                "$B\"x\"".into()
            ]))
        );
        assert_eq!(
            item.get("s").unwrap().as_str(),
            Some("a\"b\\c\n\u{1} ü 🎉 $")
        );
        assert_eq!(write(&item).unwrap(), text);
    }

    #[test]
    fn space_where_json_allows_it_is_read() {
        let item = read_ok(" { \"a\" : $SS[ \"x\" , \"y\" ] , \"b\" : [ 1 , $B\"AA==\" ] } ");
        assert_eq!(
            write(&item).unwrap(),
            r#"{"a":$SS["x","y"],"b":[1,$B"AA=="]}"#
        );
    }

    #[test]
    fn lone_surrogates_are_kept_and_pairs_joined() {
        let item = read_ok(
            r#"{"lone":"party \ud83c","pair":"\ud83c\udf89","low":"\udf89x","\ud800":$SS["\udbff"]}"#,
        );
        let lone = match item.get("lone") {
            Some(AttributeValue::S(text)) => text.clone(),
            other => panic!("{other:?}"),
        };
        assert!(lone.has_lone_surrogate());
        assert_eq!(lone.to_utf16().last(), Some(&0xd83c));
        assert_eq!(item.get("pair").unwrap().as_str(), Some("🎉"));
        assert_eq!(
            write(&item).unwrap(),
            r#"{"lone":"party \ud83c","pair":"🎉","low":"\udf89x","\ud800":$SS["\udbff"]}"#
        );
    }

    #[test]
    fn a_number_that_is_not_json_is_refused_with_its_path() {
        let mut data = Map::new();
        data.insert("scores", AttributeValue::Ns(vec!["1".into(), "NaN".into()]));
        let item = Map::from_iter([("user", Map::from_iter([("data", data)]))]);
        let message = message(write(&item).unwrap_err());
        assert!(message.contains("'user.data.scores[1]'"), "{message}");
        assert!(!message.contains("NaN"), "{message}");
        for bad in ["", "+1", "01", ".5", "1.", "1e", "- 1", "0x10", "1 "] {
            assert!(!is_json_number(bad.as_bytes()), "{bad:?}");
        }
        for good in [
            "0",
            "-0",
            "1.5",
            "-1.5e-7",
            "1E+125",
            "12345678901234567890",
        ] {
            assert!(is_json_number(good.as_bytes()), "{good:?}");
        }
    }

    #[test]
    fn unreadable_text_names_the_place() {
        for (text, expected) in [
            (r#"{"a":{"b":$X[]}}"#, "attribute 'a.b'"),
            (r#"{"a":[1,$B"AB=="]}"#, "attribute 'a[1]'"),
            (r#"{"a":$B"AAA"}"#, "canonical base64"),
            (r#"{"a":$SS[1]}"#, "a string"),
            (r#"[1]"#, "an object"),
            (r#"{"a":1} x"#, "the end of the item"),
            (r#"{"a":"\ud83c"#, "the end of the string"),
        ] {
            let message = message(read(text).unwrap_err());
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
