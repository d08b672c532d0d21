//! The typed item: DynamoDB's ten attribute types as one Rust enum, for
//! `load_user_item` / `save_user_item` of both stores.
//!
//! Unlike `serde_json::Value`, it has a word for binary and for the three sets, so a load
//! and a save never change an attribute's type. Conversion to and from the item text the
//! component speaks is in `item_text`.

use std::collections::HashSet;
use std::hash::Hash;

use crate::item_text;
use crate::{Error, Text};

/// One DynamoDB attribute value, any of the ten types. Variant names follow the AWS SDK for
/// Rust (`aws_sdk_dynamodb::types::AttributeValue`).
///
/// ```
/// use jovo_dynamodb_host::{AttributeValue, Item};
/// let mut data = Item::new();
/// data.insert("visits", 3);
/// data.insert("avatar", AttributeValue::B(vec![0x89, b'P', b'N', b'G']));
/// data.insert("badges", AttributeValue::Ss(vec!["early".into(), "loyal".into()]));
/// let mut item = Item::new();
/// item.insert("user", Item::from_iter([("data", AttributeValue::M(data))]));
/// assert_eq!(item.to_item_text()?, r#"{"user":{"data":{"visits":3,"avatar":$B"iVBORw==","badges":$SS["early","loyal"]}}}"#);
/// # Ok::<(), jovo_dynamodb_host::Error>(())
/// ```
///
/// Equality is DynamoDB's: map members and set members compare in any order; numbers
/// compare by their text (`N("1")` and `N("1.0")` differ here, though DynamoDB stores both
/// as 1).
#[derive(Clone, Debug)]
pub enum AttributeValue {
    /// A string (`S`), lone UTF-16 surrogates included (see [`Text`]).
    S(Text),
    /// A number (`N`) as its exact text: a JSON number such as `42`, `-1.5`,
    /// `12345678901234567890123456789012345678` or `1E+125`, never rounded through a
    /// float. DynamoDB's limits (38 significant digits, magnitudes 1E-130 to 1E+126) are
    /// checked by the component on save.
    N(String),
    /// Binary (`B`): the bytes.
    B(Vec<u8>),
    /// A boolean (`BOOL`).
    Bool(bool),
    /// `NULL`.
    Null,
    /// A map (`M`), its members in the order they were loaded or inserted.
    M(Map),
    /// A list (`L`).
    L(Vec<AttributeValue>),
    /// A string set (`SS`). DynamoDB keeps no order; members load in the order it returns
    /// them. On save the component refuses an empty set or a repeated member.
    Ss(Vec<Text>),
    /// A number set (`NS`), each member's exact text as in [`N`](Self::N). On save the
    /// component refuses an empty set or two members of the same value (`1` and `1.0`).
    Ns(Vec<String>),
    /// A binary set (`BS`). On save the component refuses an empty set or repeated bytes.
    Bs(Vec<Vec<u8>>),
}

impl AttributeValue {
    /// DynamoDB's name of the type: `"S"`, `"N"`, `"B"`, `"BOOL"`, `"NULL"`, `"M"`, `"L"`,
    /// `"SS"`, `"NS"` or `"BS"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// The string of an `S` that is valid Unicode.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AttributeValue::S(text) => text.as_str(),
            _ => None,
        }
    }

    /// The text of an `N`.
    pub fn as_number(&self) -> Option<&str> {
        match self {
            AttributeValue::N(digits) => Some(digits),
            _ => None,
        }
    }

    /// The bytes of a `B`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            AttributeValue::B(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The value of a `BOOL`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttributeValue::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The members of an `M`.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            AttributeValue::M(map) => Some(map),
            _ => None,
        }
    }

    /// The elements of an `L`.
    pub fn as_list(&self) -> Option<&[AttributeValue]> {
        match self {
            AttributeValue::L(list) => Some(list),
            _ => None,
        }
    }
}

impl PartialEq for AttributeValue {
    fn eq(&self, other: &AttributeValue) -> bool {
        use AttributeValue::*;
        match (self, other) {
            (S(a), S(b)) => a == b,
            (N(a), N(b)) => a == b,
            (B(a), B(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Null, Null) => true,
            (M(a), M(b)) => a == b,
            (L(a), L(b)) => a == b,
            (Ss(a), Ss(b)) => same_members(a, b),
            (Ns(a), Ns(b)) => same_members(a, b),
            (Bs(a), Bs(b)) => same_members(a, b),
            _ => false,
        }
    }
}

/// Set equality (members in any order; repeats, which DynamoDB refuses, count once).
fn same_members<T: Eq + Hash>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && {
        let a: HashSet<&T> = a.iter().collect();
        let b: HashSet<&T> = b.iter().collect();
        a == b
    }
}

impl From<Text> for AttributeValue {
    fn from(text: Text) -> AttributeValue {
        AttributeValue::S(text)
    }
}

impl From<&str> for AttributeValue {
    fn from(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }
}

impl From<String> for AttributeValue {
    fn from(text: String) -> AttributeValue {
        AttributeValue::S(text.into())
    }
}

impl From<bool> for AttributeValue {
    fn from(value: bool) -> AttributeValue {
        AttributeValue::Bool(value)
    }
}

macro_rules! numbers_from_integers {
    ($($integer:ty),*) => {$(
        impl From<$integer> for AttributeValue {
            fn from(number: $integer) -> AttributeValue {
                AttributeValue::N(number.to_string())
            }
        }
    )*};
}
numbers_from_integers!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128);

impl From<Map> for AttributeValue {
    fn from(map: Map) -> AttributeValue {
        AttributeValue::M(map)
    }
}

impl From<Vec<AttributeValue>> for AttributeValue {
    fn from(list: Vec<AttributeValue>) -> AttributeValue {
        AttributeValue::L(list)
    }
}

/// A whole item: the top-level map of attribute names to values.
pub type Item = Map;

/// A map (`M`) or a whole [`Item`]: members keep the order they were loaded in (DynamoDB's)
/// or inserted in, so an item saves back in the order it loaded. Lookups walk the members,
/// which for the tens of members of a Jovo item is as quick as hashing; equality ignores
/// the order, as DynamoDB does.
#[derive(Clone, Debug, Default)]
pub struct Map {
    members: Vec<(Text, AttributeValue)>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.members
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut AttributeValue> {
        self.members
            .iter_mut()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// Sets member `name`, in its place when it exists (returning the old value), else at
    /// the end.
    pub fn insert(
        &mut self,
        name: impl Into<Text>,
        value: impl Into<AttributeValue>,
    ) -> Option<AttributeValue> {
        let name = name.into();
        let value = value.into();
        match self.members.iter_mut().find(|(key, _)| *key == name) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                self.members.push((name, value));
                None
            }
        }
    }

    /// Removes member `name`, keeping the others' order.
    pub fn remove(&mut self, name: &str) -> Option<AttributeValue> {
        let index = self.members.iter().position(|(key, _)| key == name)?;
        Some(self.members.remove(index).1)
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Text, &AttributeValue)> {
        self.members.iter().map(|(key, value)| (key, value))
    }

    /// The item as item text: JSON, with binary and sets in their four tagged forms (what
    /// `save_user_item` sends). Fails with `invalid-input`, naming the attribute, when an
    /// `N` is not a JSON number.
    pub fn to_item_text(&self) -> Result<String, Error> {
        item_text::write(self)
    }

    /// Reads item text (what `load_user_json` returns) into a typed item.
    pub fn from_item_text(text: &str) -> Result<Map, Error> {
        item_text::read(text)
    }

    /// The members in order, for the writer.
    pub(crate) fn members(&self) -> &[(Text, AttributeValue)] {
        &self.members
    }

    /// A map of members known to have distinct names (the reader: DynamoDB's maps do).
    pub(crate) fn from_members(members: Vec<(Text, AttributeValue)>) -> Map {
        Map { members }
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len()
            && self.members.iter().all(|(key, value)| {
                other
                    .members
                    .iter()
                    .any(|(other_key, other_value)| key == other_key && value == other_value)
            })
    }
}

impl<K: Into<Text>, V: Into<AttributeValue>> FromIterator<(K, V)> for Map {
    /// Later members replace earlier ones of the same name, like [`Map::insert`].
    fn from_iter<I: IntoIterator<Item = (K, V)>>(members: I) -> Map {
        let mut map = Map::new();
        map.extend(members);
        map
    }
}

impl<K: Into<Text>, V: Into<AttributeValue>> Extend<(K, V)> for Map {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, members: I) {
        for (key, value) in members {
            self.insert(key, value);
        }
    }
}

impl IntoIterator for Map {
    type Item = (Text, AttributeValue);
    type IntoIter = std::vec::IntoIter<(Text, AttributeValue)>;
    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}
