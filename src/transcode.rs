//! Items between JSON text and DynamoDB's wire JSON, each way in one pass over the text,
//! as `marshall` / `unmarshall` of `@aws-sdk/util-dynamodb` do with the plugin's defaults:
//! object → M, array → L, string → S, number → N (the exact digits), boolean → BOOL,
//! null → NULL.
//!
//! No value tree is built: the reader walks the input once and writes the output as it
//! goes, checking DynamoDB's rules on the way (nesting, numbers, names, the 400 KB size as
//! DynamoDB counts it). Strings are copied as the JSON text spells them, escapes included,
//! so every string DynamoDB can hold survives both ways, a lone UTF-16 surrogate (`\ud83d`,
//! half an emoji cut by `substring` in JavaScript) too.
//!
//! Errors say where (attribute path, byte offset) and what kind of value, never the value.

use std::borrow::Cow;

use crate::item_text::{base64_decoded_len, read_tag, Tag};
use crate::json::{is_json_number, kind_of, JsonString, Reader, SyntaxError, MAX_DEPTH_FOLLOWED};
use crate::numbers;

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// DynamoDB nests documents at most 32 levels deep.
pub const MAX_DEPTH: usize = 32;

/// What the item being saved must follow, besides DynamoDB's own rules.
#[derive(Clone, Copy, Debug)]
pub struct ItemRules<'a> {
    /// The partition key column: left out, since the user id is written there.
    pub key_column: &'a str,
    /// With optimistic locking: the version attribute, read out of the item and left out.
    pub version_attribute: Option<&'a str>,
    /// With data retention: the expiry attribute, left out (the component writes it).
    pub expiry_attribute: Option<&'a str>,
    /// Empty strings become NULL (`convertEmptyValues`).
    pub convert_empty_values: bool,
}

/// An item as DynamoDB attributes.
#[derive(Debug, PartialEq, Eq)]
pub struct MarshalledItem {
    /// The attributes as members of a JSON object, without the braces:
    /// `"user":{"M":{...}},"createdAt":{"S":"..."}`. Empty for an empty item.
    pub attributes: String,
    /// Their size as DynamoDB counts it (names plus values).
    pub size: usize,
    /// With optimistic locking, the version the item carried (`None`: absent or null).
    pub version: Option<u64>,
}

/// Why an item cannot be saved.
#[derive(Debug, PartialEq, Eq)]
pub enum ItemError {
    /// The text is not JSON.
    Syntax(SyntaxError),
    /// The JSON is not an object; the kind of value it is.
    NotAnObject(&'static str),
    /// An attribute breaks a rule. `path` is like `user.data.scores[1]`.
    Attribute { path: String, reason: String },
}

/// Transcodes the JSON object text of an item into DynamoDB attributes in one pass.
pub fn marshal_item(item: &str, rules: ItemRules<'_>) -> Result<MarshalledItem, ItemError> {
    let mut reader = Reader::new(item.as_bytes());
    match reader.peek().map_err(ItemError::Syntax)? {
        b'{' => {}
        other => return Err(ItemError::NotAnObject(kind_of(other))),
    }
    let mut writer = Marshaller {
        reader,
        out: String::with_capacity(item.len() + item.len() / 2 + 64),
        rules,
        path: Vec::new(),
    };
    let (size, version) = writer.top_level()?;
    writer.reader.end().map_err(ItemError::Syntax)?;
    Ok(MarshalledItem {
        attributes: writer.out,
        size,
        version,
    })
}

/// Transcodes a GetItem response body into the JSON object text of its item, or `None`
/// when the answer has no item. The error says what is wrong and where, never the data.
pub fn unmarshal_get_item(body: &[u8]) -> Result<Option<String>, String> {
    let text = std::str::from_utf8(body).map_err(|e| {
        format!(
            "the body is not UTF-8 text (byte {} of {})",
            e.valid_up_to(),
            body.len()
        )
    })?;
    let mut reader = Reader::new(text.as_bytes());
    let syntax = |e: SyntaxError| format!("the body is not JSON ({e})");
    if reader.peek().map_err(syntax)? != b'{' {
        return Err("the body is not a JSON object".into());
    }
    let mut item = None;
    reader.expect(b'{').map_err(syntax)?;
    if !reader.eat(b'}').map_err(syntax)? {
        loop {
            let name = reader.string().map_err(syntax)?;
            reader.expect(b':').map_err(syntax)?;
            if name.raw == "Item" && reader.peek().map_err(syntax)? == b'{' {
                let mut unmarshaller = Unmarshaller {
                    reader,
                    out: String::with_capacity(body.len()),
                    path: Vec::new(),
                };
                unmarshaller.map()?;
                reader = unmarshaller.reader;
                item = Some(unmarshaller.out);
            } else if name.raw == "Item" && reader.peek().map_err(syntax)? != b'n' {
                return Err("its Item is not an object".into());
            } else {
                reader.skip_value(0).map_err(syntax)?;
            }
            if !reader.comma_or(b'}').map_err(syntax)? {
                break;
            }
        }
    }
    reader.end().map_err(syntax)?;
    Ok(item)
}

/// One step of an attribute path; turned into text only for an error message.
#[derive(Clone, Copy)]
enum PathStep<'a> {
    Key(JsonString<'a>),
    Index(usize),
}

fn render_path(path: &[PathStep<'_>]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            PathStep::Key(name) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&name.decoded());
            }
            PathStep::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

/// The member names of one object, to find a repeated one once the object is read
/// (sorting beats a hash set in code size, and is as fast for objects of this size).
#[derive(Default)]
struct MemberNames<'a>(Vec<Cow<'a, [u8]>>);

impl<'a> MemberNames<'a> {
    fn add(&mut self, name: &JsonString<'a>) {
        self.0.push(name.decoded_bytes());
    }

    fn repeated(mut self) -> Option<Cow<'a, [u8]>> {
        self.0.sort_unstable();
        self.0
            .windows(2)
            .find(|pair| pair[0] == pair[1])
            .map(|pair| pair[0].clone())
    }
}

struct Marshaller<'a, 'r> {
    reader: Reader<'a>,
    out: String,
    rules: ItemRules<'r>,
    path: Vec<PathStep<'a>>,
}

impl<'a> Marshaller<'a, '_> {
    fn attribute_error(&self, reason: impl Into<String>) -> ItemError {
        ItemError::Attribute {
            path: render_path(&self.path),
            reason: reason.into(),
        }
    }

    /// The item's own members: the reserved ones (key column, version, expiry) are left out.
    fn top_level(&mut self) -> Result<(usize, Option<u64>), ItemError> {
        let mut size = 0;
        let mut version = None;
        let mut names = MemberNames::default();
        self.reader.expect(b'{').map_err(ItemError::Syntax)?;
        if self.reader.eat(b'}').map_err(ItemError::Syntax)? {
            return Ok((0, None));
        }
        loop {
            let name = self.reader.string().map_err(ItemError::Syntax)?;
            self.reader.expect(b':').map_err(ItemError::Syntax)?;
            self.path.push(PathStep::Key(name));
            self.check_name(&name, &mut names)?;
            if name.is(self.rules.key_column)
                || self.rules.expiry_attribute.is_some_and(|a| name.is(a))
            {
                self.skip_attribute()?;
            } else if self.rules.version_attribute.is_some_and(|a| name.is(a)) {
                version = self.version()?;
            } else {
                if !self.out.is_empty() {
                    self.out.push(',');
                }
                self.push_name(&name);
                size += name.decoded_len + self.value()?;
            }
            self.path.pop();
            if !self.reader.comma_or(b'}').map_err(ItemError::Syntax)? {
                self.refuse_repeated(names)?;
                return Ok((size, version));
            }
        }
    }

    fn check_name(
        &self,
        name: &JsonString<'a>,
        names: &mut MemberNames<'a>,
    ) -> Result<(), ItemError> {
        if name.decoded_len == 0 {
            return Err(self.attribute_error(
                "an attribute name is empty; DynamoDB needs names of at least one character",
            ));
        }
        names.add(name);
        Ok(())
    }

    /// After an object: a name given twice would silently lose one of the values.
    fn refuse_repeated(&self, names: MemberNames<'a>) -> Result<(), ItemError> {
        let Some(name) = names.repeated() else {
            return Ok(());
        };
        let object = render_path(&self.path);
        let name = String::from_utf8_lossy(&name);
        let path = if object.is_empty() {
            name.into_owned()
        } else {
            format!("{object}.{name}")
        };
        Err(ItemError::Attribute {
            path,
            reason:
                "this attribute name appears twice in one object; give each member a unique name"
                    .into(),
        })
    }

    fn version(&mut self) -> Result<Option<u64>, ItemError> {
        let attribute = self.rules.version_attribute.unwrap_or("version");
        let found = match self.reader.peek().map_err(ItemError::Syntax)? {
            b'n' => {
                self.reader.skip_value(1).map_err(ItemError::Syntax)?;
                return Ok(None);
            }
            b'-' | b'0'..=b'9' => {
                let number = self.reader.number().map_err(ItemError::Syntax)?;
                match number.parse::<u64>() {
                    Ok(version) => return Ok(Some(version)),
                    Err(_) => "a number that is not a whole number from 0 up",
                }
            }
            other => kind_of(other),
        };
        Err(ItemError::Attribute {
            path: attribute.to_string(),
            reason: format!(
                "it is {found}; with optimistic locking it must be the version number load-user returned, or absent for a new user"
            ),
        })
    }

    fn push_name(&mut self, name: &JsonString<'_>) {
        self.out.push('"');
        self.out.push_str(name.raw);
        self.out.push_str("\":");
    }

    /// Writes one value as an attribute value; returns its size as DynamoDB counts it.
    fn value(&mut self) -> Result<usize, ItemError> {
        if self.path.len() > MAX_DEPTH {
            return Err(self.attribute_error(format!(
                "nesting is deeper than DynamoDB's {MAX_DEPTH} levels"
            )));
        }
        let reader = &mut self.reader;
        match reader.peek().map_err(ItemError::Syntax)? {
            b'"' => {
                let text = reader.string().map_err(ItemError::Syntax)?;
                if text.decoded_len == 0 && self.rules.convert_empty_values {
                    self.out.push_str("{\"NULL\":true}");
                    return Ok(1);
                }
                self.out.push_str("{\"S\":\"");
                self.out.push_str(text.raw);
                self.out.push_str("\"}");
                Ok(text.decoded_len)
            }
            b'-' | b'0'..=b'9' => {
                let number = reader.number().map_err(ItemError::Syntax)?;
                if let Some(reason) = numbers::violation(number) {
                    return Err(self.attribute_error(reason));
                }
                self.out.push_str("{\"N\":\"");
                self.out.push_str(number);
                self.out.push_str("\"}");
                Ok(numbers::stored_size(number))
            }
            b't' | b'f' => {
                let value = reader.boolean().map_err(ItemError::Syntax)?;
                self.out.push_str(if value {
                    "{\"BOOL\":true}"
                } else {
                    "{\"BOOL\":false}"
                });
                Ok(1)
            }
            b'n' => {
                reader.literal("null").map_err(ItemError::Syntax)?;
                self.out.push_str("{\"NULL\":true}");
                Ok(1)
            }
            b'[' => self.list(),
            b'{' => self.map(),
            b'$' => self.tagged(),
            _ => Err(ItemError::Syntax(reader.error("a JSON value"))),
        }
    }

    /// Checks a reserved attribute's value as far as its syntax and leaves it out.
    fn skip_attribute(&mut self) -> Result<(), ItemError> {
        if self.reader.peek().map_err(ItemError::Syntax)? != b'$' {
            return self.reader.skip_value(1).map_err(ItemError::Syntax);
        }
        let written = self.out.len();
        self.tagged()?;
        self.out.truncate(written);
        Ok(())
    }

    /// A binary or set value (see [`crate::item_text`]).
    fn tagged(&mut self) -> Result<usize, ItemError> {
        let tag = read_tag(&mut self.reader).map_err(ItemError::Syntax)?;
        if tag == Tag::Binary {
            let text = self.reader.string().map_err(ItemError::Syntax)?;
            let size = self.base64_size(&text, tag)?;
            if size == 0 && self.rules.convert_empty_values {
                self.out.push_str("{\"NULL\":true}");
                return Ok(1);
            }
            self.out.push_str("{\"B\":\"");
            self.out.push_str(text.raw);
            self.out.push_str("\"}");
            return Ok(size);
        }
        self.reader.expect(b'[').map_err(ItemError::Syntax)?;
        self.out.push_str("{\"");
        self.out.push_str(tag.attribute_type());
        self.out.push_str("\":[");
        if self.reader.eat(b']').map_err(ItemError::Syntax)? {
            return Err(self.tagged_error(
                tag,
                " without members; DynamoDB has no empty sets: store null, or leave the attribute out",
            ));
        }
        let mut size = 0;
        let mut members = Vec::new();
        loop {
            if !members.is_empty() {
                self.out.push(',');
            }
            self.path.push(PathStep::Index(members.len()));
            let (member_size, identity) = self.set_member(tag)?;
            self.path.pop();
            size += member_size;
            members.push(identity);
            if !self.reader.comma_or(b']').map_err(ItemError::Syntax)? {
                break;
            }
        }
        self.out.push_str("]}");
        members.sort_unstable();
        if members.windows(2).any(|pair| pair[0] == pair[1]) {
            return Err(self.tagged_error(
                tag,
                " that holds one member twice; a DynamoDB set holds each member once",
            ));
        }
        Ok(size)
    }

    /// Writes one member of a set; returns its size and what makes it the member it is
    /// (two members with the same identity are the same member to DynamoDB).
    fn set_member(&mut self, tag: Tag) -> Result<(usize, Cow<'a, [u8]>), ItemError> {
        if tag == Tag::NumberSet {
            let number = match self.reader.peek().map_err(ItemError::Syntax)? {
                b'-' | b'0'..=b'9' => self.reader.number().map_err(ItemError::Syntax)?,
                other => {
                    return Err(self.attribute_error(format!(
                        "it is {} in a number set; number set members are numbers",
                        kind_of(other)
                    )))
                }
            };
            if let Some(reason) = numbers::violation(number) {
                return Err(self.attribute_error(reason));
            }
            self.out.push('"');
            self.out.push_str(number);
            self.out.push('"');
            let identity = numbers::canonical(number).unwrap_or_default().into_bytes();
            return Ok((numbers::stored_size(number), Cow::Owned(identity)));
        }
        let other = self.reader.peek().map_err(ItemError::Syntax)?;
        if other != b'"' {
            return Err(self.attribute_error(format!(
                "it is {} in {}; its members are strings",
                kind_of(other),
                tag.kind()
            )));
        }
        let text = self.reader.string().map_err(ItemError::Syntax)?;
        let size = if tag == Tag::BinarySet {
            self.base64_size(&text, tag)?
        } else {
            text.decoded_len
        };
        self.out.push('"');
        self.out.push_str(text.raw);
        self.out.push('"');
        Ok((size, text.decoded_bytes()))
    }

    /// "it is <a string set><problem>", at the current path.
    fn tagged_error(&self, tag: Tag, problem: &str) -> ItemError {
        self.attribute_error(format!("it is {}{problem}", tag.kind()))
    }

    /// The byte count of a base64 string of a binary value or binary set member.
    fn base64_size(&self, text: &JsonString<'_>, tag: Tag) -> Result<usize, ItemError> {
        base64_decoded_len(&text.decoded_bytes()).ok_or_else(|| {
            self.tagged_error(
                tag,
                " whose text is not padded standard base64 (RFC 4648) in its canonical form",
            )
        })
    }

    fn list(&mut self) -> Result<usize, ItemError> {
        self.reader.expect(b'[').map_err(ItemError::Syntax)?;
        self.out.push_str("{\"L\":[");
        let mut size = 3;
        if !self.reader.eat(b']').map_err(ItemError::Syntax)? {
            let mut index = 0;
            loop {
                if index > 0 {
                    self.out.push(',');
                }
                self.path.push(PathStep::Index(index));
                size += 1 + self.value()?;
                self.path.pop();
                index += 1;
                if !self.reader.comma_or(b']').map_err(ItemError::Syntax)? {
                    break;
                }
            }
        }
        self.out.push_str("]}");
        Ok(size)
    }

    fn map(&mut self) -> Result<usize, ItemError> {
        self.reader.expect(b'{').map_err(ItemError::Syntax)?;
        self.out.push_str("{\"M\":{");
        let mut size = 3;
        if !self.reader.eat(b'}').map_err(ItemError::Syntax)? {
            let mut names = MemberNames::default();
            let mut first = true;
            loop {
                let name = self.reader.string().map_err(ItemError::Syntax)?;
                self.reader.expect(b':').map_err(ItemError::Syntax)?;
                self.path.push(PathStep::Key(name));
                self.check_name(&name, &mut names)?;
                if !first {
                    self.out.push(',');
                }
                first = false;
                self.push_name(&name);
                size += 1 + name.decoded_len + self.value()?;
                self.path.pop();
                if !self.reader.comma_or(b'}').map_err(ItemError::Syntax)? {
                    self.refuse_repeated(names)?;
                    break;
                }
            }
        }
        self.out.push_str("}}");
        Ok(size)
    }
}

struct Unmarshaller<'a> {
    reader: Reader<'a>,
    out: String,
    path: Vec<PathStep<'a>>,
}

impl<'a> Unmarshaller<'a> {
    fn fail(&self, what: &str) -> String {
        let path = render_path(&self.path);
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at attribute '{path}'")
        };
        format!("{what}{at} (byte {})", self.reader.position)
    }

    fn syntax(&self, e: SyntaxError) -> String {
        let path = render_path(&self.path);
        if path.is_empty() {
            format!("the body is not JSON ({e})")
        } else {
            format!("the body is not JSON ({e}, in attribute '{path}')")
        }
    }

    /// An attribute map (`{"name": {"S": ...}, ...}`) as a JSON object.
    fn map(&mut self) -> Result<(), String> {
        if self.path.len() > MAX_DEPTH_FOLLOWED {
            return Err(self.fail("the item nests deeper than DynamoDB allows"));
        }
        self.reader.expect(b'{').map_err(|e| self.syntax(e))?;
        self.out.push('{');
        if !self.reader.eat(b'}').map_err(|e| self.syntax(e))? {
            let mut first = true;
            loop {
                let name = self.reader.string().map_err(|e| self.syntax(e))?;
                self.reader.expect(b':').map_err(|e| self.syntax(e))?;
                if !first {
                    self.out.push(',');
                }
                first = false;
                self.out.push('"');
                self.out.push_str(name.raw);
                self.out.push_str("\":");
                self.path.push(PathStep::Key(name));
                self.attribute_value()?;
                self.path.pop();
                if !self.reader.comma_or(b'}').map_err(|e| self.syntax(e))? {
                    break;
                }
            }
        }
        self.out.push('}');
        Ok(())
    }

    /// `{"<type>": <value>}` as the item-text value it stands for: JSON for the types JSON
    /// has, a `$` form for binary and sets (see [`crate::item_text`]).
    fn attribute_value(&mut self) -> Result<(), String> {
        if self.reader.peek().map_err(|e| self.syntax(e))? != b'{' {
            return Err(self.fail("expected an attribute value like {\"S\": ...}"));
        }
        self.reader.expect(b'{').map_err(|e| self.syntax(e))?;
        if self.reader.eat(b'}').map_err(|e| self.syntax(e))? {
            return Err(self.fail("an attribute value has no type"));
        }
        let tag = self.reader.string().map_err(|e| self.syntax(e))?;
        self.reader.expect(b':').map_err(|e| self.syntax(e))?;
        if let Some(tag) = Tag::of_attribute_type(tag.raw) {
            self.out.push_str(tag.marker());
        }
        match tag.raw {
            "S" | "B" => self.string()?,
            "N" => self.number()?,
            "BOOL" => {
                let value = self.reader.boolean().map_err(|e| self.syntax(e))?;
                self.out.push_str(if value { "true" } else { "false" });
            }
            "NULL" => {
                self.reader.skip_value(0).map_err(|e| self.syntax(e))?;
                self.out.push_str("null");
            }
            "M" => {
                if self.reader.peek().map_err(|e| self.syntax(e))? != b'{' {
                    return Err(self.fail("an M attribute value is not an object"));
                }
                self.map()?;
            }
            "L" => self.array(|this| this.attribute_value())?,
            "SS" | "BS" => self.array(|this| this.string())?,
            "NS" => self.array(|this| this.number())?,
            _ => return Err(self.fail("an attribute value has a type DynamoDB does not have")),
        }
        if self.reader.eat(b'}').map_err(|e| self.syntax(e))? {
            Ok(())
        } else {
            Err(self.fail("an attribute value has more than one type"))
        }
    }

    fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        if self.path.len() > MAX_DEPTH_FOLLOWED {
            return Err(self.fail("the item nests deeper than DynamoDB allows"));
        }
        if self.reader.peek().map_err(|e| self.syntax(e))? != b'[' {
            return Err(self.fail("a list or set attribute value is not an array"));
        }
        self.reader.expect(b'[').map_err(|e| self.syntax(e))?;
        self.out.push('[');
        if !self.reader.eat(b']').map_err(|e| self.syntax(e))? {
            let mut index = 0;
            loop {
                if index > 0 {
                    self.out.push(',');
                }
                self.path.push(PathStep::Index(index));
                element(self)?;
                self.path.pop();
                index += 1;
                if !self.reader.comma_or(b']').map_err(|e| self.syntax(e))? {
                    break;
                }
            }
        }
        self.out.push(']');
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        if self.reader.peek().map_err(|e| self.syntax(e))? != b'"' {
            return Err(self.fail("a string attribute value is not a string"));
        }
        let text = self.reader.string().map_err(|e| self.syntax(e))?;
        self.out.push('"');
        self.out.push_str(text.raw);
        self.out.push('"');
        Ok(())
    }

    fn number(&mut self) -> Result<(), String> {
        if self.reader.peek().map_err(|e| self.syntax(e))? != b'"' {
            return Err(self.fail("a number attribute value is not a string"));
        }
        let text = self.reader.string().map_err(|e| self.syntax(e))?;
        let digits = text.decoded();
        if !is_json_number(&digits) {
            return Err(self.fail("a number attribute value is not a decimal number"));
        }
        self.out.push_str(&digits);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: ItemRules<'static> = ItemRules {
        key_column: "userId",
        version_attribute: None,
        expiry_attribute: None,
        convert_empty_values: false,
    };

    fn marshal(item: &str) -> String {
        marshal_item(item, RULES).unwrap().attributes
    }

    #[test]
    fn a_jovo_item_marshals_like_util_dynamodb() {
        assert_eq!(
            marshal(
                r#"{"user":{"data":{"visits":3,"tags":["a",true,null],"empty":{}}},"createdAt":"2026"}"#
            ),
            r#""user":{"M":{"data":{"M":{"visits":{"N":"3"},"tags":{"L":[{"S":"a"},{"BOOL":true},{"NULL":true}]},"empty":{"M":{}}}}}},"createdAt":{"S":"2026"}"#
        );
    }

    #[test]
    fn numbers_keep_every_digit_and_strings_every_escape() {
        assert_eq!(
            marshal(r#"{"n": 12345678901234567890.000000001, "s": "\ud83d \u00e9\n"}"#),
            r#""n":{"N":"12345678901234567890.000000001"},"s":{"S":"\ud83d \u00e9\n"}"#
        );
    }

    #[test]
    fn a_lone_surrogate_loads_back_as_it_was_stored() {
        let body = r#"{"Item":{"userId":{"S":"u"},"name":{"S":"cut \ud83d"}}}"#;
        assert_eq!(
            unmarshal_get_item(body.as_bytes()).unwrap().unwrap(),
            r#"{"userId":"u","name":"cut \ud83d"}"#
        );
    }

    #[test]
    fn reserved_attributes_are_left_out_and_the_version_read() {
        let rules = ItemRules {
            version_attribute: Some("version"),
            expiry_attribute: Some("expiresAt"),
            ..RULES
        };
        let marshalled =
            marshal_item(r#"{"userId":"x","a":1,"version":7,"expiresAt":5}"#, rules).unwrap();
        assert_eq!(marshalled.attributes, r#""a":{"N":"1"}"#);
        assert_eq!(marshalled.version, Some(7));
        assert_eq!(marshalled.size, 1 + 2);
    }

    #[test]
    fn sizes_count_decoded_bytes() {
        // ab + "x\u00e9" (1 + 2 bytes), n + N(1234): 2 + 3, 1 + 3
        let marshalled = marshal_item(r#"{"ab":"x\u00e9","n":1234}"#, RULES).unwrap();
        assert_eq!(marshalled.size, 2 + 3 + 1 + 3);
        let pair = marshal_item(r#"{"e":"\ud83d\ude00","l":"\ud83d"}"#, RULES).unwrap();
        assert_eq!(pair.size, 1 + 4 + 1 + 3);
    }

    #[test]
    fn errors_name_the_attribute_but_not_the_value() {
        let error = marshal_item(r#"{"user":{"data":{"list":[1,1e200]}}}"#, RULES).unwrap_err();
        match error {
            ItemError::Attribute { path, reason } => {
                assert_eq!(path, "user.data.list[1]");
                assert!(
                    reason.contains("range") && !reason.contains("1e200"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_and_repeated_names_are_refused_with_their_path() {
        let empty = marshal_item(r#"{"a":{"":1}}"#, RULES).unwrap_err();
        assert!(
            matches!(&empty, ItemError::Attribute { path, reason } if path == "a." && reason.contains("empty")),
            "{empty:?}"
        );
        let twice = marshal_item(r#"{"a":1,"b":{"c":1,"c":2}}"#, RULES).unwrap_err();
        assert!(
            matches!(&twice, ItemError::Attribute { path, reason } if path == "b.c" && reason.contains("twice")),
            "{twice:?}"
        );
    }

    #[test]
    fn syntax_errors_give_the_byte_offset() {
        assert_eq!(
            marshal_item(r#"{"a": tru}"#, RULES),
            Err(ItemError::Syntax(SyntaxError {
                offset: 6,
                expected: "true"
            }))
        );
        assert_eq!(
            marshal_item("[1]", RULES),
            Err(ItemError::NotAnObject("an array"))
        );
        assert!(matches!(
            marshal_item(r#"{"a":1} x"#, RULES),
            Err(ItemError::Syntax(_))
        ));
    }

    #[test]
    fn sets_and_binary_marshal_as_their_dynamodb_types_at_any_depth() {
        assert_eq!(
            marshal(
                r#"{"b":$B"AAE=","e":$B"","ss":$SS["a","",  "$B"],"l":[$NS[1, -2.5e3],{"bs":$BS["/w==","AA=="]}]}"#
            ),
            r#""b":{"B":"AAE="},"e":{"B":""},"ss":{"SS":["a","","$B"]},"l":{"L":[{"NS":["1","-2.5e3"]},{"M":{"bs":{"BS":["/w==","AA=="]}}}]}"#
        );
        // A `$` inside a string or a name is an ordinary character.
        assert_eq!(
            marshal(r#"{"$SS":"$SS[\"a\"]"}"#),
            r#""$SS":{"S":"$SS[\"a\"]"}"#
        );
    }

    #[test]
    fn sets_and_binary_count_their_members_bytes() {
        // b + 2 bytes; ss + (1 + 2 + 0); ns + N(1) + N(123): 2 + 1 + 2 + 3; bs + 1 + 2
        let marshalled = marshal_item(
            r#"{"b":$B"AAE=","ss":$SS["a","\u00e9",""],"ns":$NS[1,123],"bs":$BS["AA==","AAE="]}"#,
            RULES,
        )
        .unwrap();
        assert_eq!(marshalled.size, (1 + 2) + (2 + 3) + (2 + 2 + 3) + (2 + 3));
    }

    #[test]
    fn sets_follow_dynamodbs_rules() {
        let reason = |item: &str| match marshal_item(item, RULES) {
            Err(ItemError::Attribute { path, reason }) => format!("{path}: {reason}"),
            other => panic!("{item}: {other:?}"),
        };
        assert!(
            reason(r#"{"a":{"s":$SS[]}}"#).starts_with("a.s: it is a string set without members")
        );
        assert!(reason(r#"{"s":$SS["x","y","x"]}"#).contains("holds one member twice"));
        assert!(reason(r#"{"s":$SS["\u00e9","é"]}"#).contains("twice"));
        assert!(reason(r#"{"n":$NS[1,2,1.0]}"#).contains("twice"));
        assert!(reason(r#"{"n":$NS[0,-0]}"#).contains("twice"));
        assert!(reason(r#"{"b":$BS["AA==","AA=="]}"#).contains("twice"));
        let too_precise = reason(r#"{"n":$NS[1,123456789012345678901234567890123456789]}"#);
        assert!(
            too_precise.starts_with("n[1]: the number has 39 significant digits"),
            "{too_precise}"
        );
        assert!(reason(r#"{"n":$NS["1"]}"#).starts_with("n[0]: it is a string in a number set"));
        assert!(reason(r#"{"s":$SS[1]}"#).starts_with("s[0]: it is a number in a string set"));
        assert!(reason(r#"{"b":$B"AB=="}"#)
            .starts_with("b: it is binary whose text is not padded standard base64"));
        assert!(
            reason(r#"{"b":$BS["AA==","x"]}"#).starts_with("b[1]: it is a binary set whose text")
        );
        // Different spellings of different numbers, strings and bytes are fine.
        assert!(marshal_item(r#"{"n":$NS[1,10,0.1,-1]}"#, RULES).is_ok());
        assert!(matches!(
            marshal_item(r#"{"x":$L[1]}"#, RULES),
            Err(ItemError::Syntax(SyntaxError { offset: 5, .. }))
        ));
    }

    #[test]
    fn empty_binary_follows_convert_empty_values_as_empty_strings_do() {
        let rules = ItemRules {
            convert_empty_values: true,
            ..RULES
        };
        let marshalled = marshal_item(r#"{"b":$B"","s":"","bs":$BS[""]}"#, rules).unwrap();
        assert_eq!(
            marshalled.attributes,
            r#""b":{"NULL":true},"s":{"NULL":true},"bs":{"BS":[""]}"#
        );
    }

    #[test]
    fn a_reserved_attribute_holding_a_set_is_left_out_too() {
        let rules = ItemRules {
            expiry_attribute: Some("expiresAt"),
            ..RULES
        };
        let marshalled =
            marshal_item(r#"{"userId":$SS["x"],"expiresAt":$B"AA==","a":1}"#, rules).unwrap();
        assert_eq!(marshalled.attributes, r#""a":{"N":"1"}"#);
    }

    #[test]
    fn unmarshal_reads_every_dynamodb_type() {
        let body = r#"{"Item":{"s":{"S":"x"},"n":{"N":"1.50"},"b":{"BOOL":false},"z":{"NULL":true},
            "m":{"M":{"l":{"L":[{"N":"1"}]}}},"ss":{"SS":["a"]},"ns":{"NS":["2"]},"bin":{"B":"AAE="}},
            "ConsumedCapacity":{"CapacityUnits":1}}"#;
        assert_eq!(
            unmarshal_get_item(body.as_bytes()).unwrap().unwrap(),
            r#"{"s":"x","n":1.50,"b":false,"z":null,"m":{"l":[1]},"ss":$SS["a"],"ns":$NS[2],"bin":$B"AAE="}"#
        );
        let nested = r#"{"Item":{"l":{"L":[{"BS":["AA==","/w=="]},{"M":{"ns":{"NS":["-1e-130","12345678901234567890123456789012345678"]}}}]}}}"#;
        assert_eq!(
            unmarshal_get_item(nested.as_bytes()).unwrap().unwrap(),
            r#"{"l":[$BS["AA==","/w=="],{"ns":$NS[-1e-130,12345678901234567890123456789012345678]}]}"#
        );
        assert_eq!(unmarshal_get_item(b"{}").unwrap(), None);
    }

    #[test]
    fn unmarshal_errors_say_where_without_the_data() {
        for (body, expected) in [
            (r#"{"Item":{"x":"S"}}"#, "at attribute 'x'"),
            (r#"{"Item":{"x":{"S":1}}}"#, "not a string"),
            (
                r#"{"Item":{"x":{"N":"secret-one"}}}"#,
                "not a decimal number",
            ),
            (
                r#"{"Item":{"x":{"Q":"secret"}}}"#,
                "type DynamoDB does not have",
            ),
            (
                r#"{"Item":{"x":{"S":"secret","N":"1"}}}"#,
                "more than one type",
            ),
            (r#"{"Item":{"x":{"S":"secret"}"#, "not JSON"),
        ] {
            let error = unmarshal_get_item(body.as_bytes()).unwrap_err();
            assert!(error.contains(expected), "{body}: {error}");
            assert!(!error.contains("secret"), "{error}");
        }
    }
}
