//! The item as a `serde_json::Value` (`load_user`): the fast path for the JSON-shaped items
//! Jovo apps save, and a clear refusal for what a `Value` cannot hold without changing it.

use serde_json::Value;

use crate::item::{AttributeValue, Map};
use crate::{item_text, Error, StoreError};

/// The item text the component returned, as a `Value`. Item text without sets, binary or
/// lone surrogates is plain JSON and goes straight to serde_json. When serde_json refuses
/// it, the item text reader finds out why: an attribute a `Value` has no type for (binary,
/// a set: as a string or an array it would be saved back as `S` or `L`, changing its type
/// for every other reader of the table) or a string a Rust `String` cannot hold. Either is
/// an `invalid-input` naming the first such attribute and the two lossless ways to load it.
pub(crate) fn parse_item(text: Option<String>) -> Result<Option<Value>, Error> {
    let Some(text) = text else {
        return Ok(None);
    };
    match serde_json::from_str(&text) {
        Ok(value) => Ok(Some(value)),
        Err(json_error) => {
            let item = item_text::read(&text)?;
            let (path, kind) = first_beyond_json(&item).ok_or_else(|| {
                // The reader accepts the text and finds nothing JSON lacks, yet serde_json
                // refused it: a disagreement between the two parsers, i.e. a bug.
                Error::Runtime(wasmtime::Error::msg(format!(
                    "serde_json refused item text that holds only JSON types ({json_error}); please report this"
                )))
            })?;
            Err(Error::Store(StoreError::InvalidInput(format!(
                "item attribute '{path}' is {kind}, which serde_json::Value has no lossless form for (a String cannot hold a lone surrogate; binary or a set would be saved back as a string or a list); load the item with load_user_item (typed, every DynamoDB type) or load_user_json (its exact text, which save_user_json writes back unchanged)"
            ))))
        }
    }
}

/// The path and kind of the first attribute (in the item's order) that JSON cannot carry.
fn first_beyond_json(item: &Map) -> Option<(String, &'static str)> {
    fn in_map(map: &Map, path: &str) -> Option<(String, &'static str)> {
        map.iter().find_map(|(name, value)| {
            let name_text = name.to_string_lossy();
            let path = if path.is_empty() {
                name_text.into_owned()
            } else {
                format!("{path}.{name_text}")
            };
            if name.has_lone_surrogate() {
                return Some((path, LONE_SURROGATE_NAME));
            }
            in_value(value, path)
        })
    }

    fn in_value(value: &AttributeValue, path: String) -> Option<(String, &'static str)> {
        let kind = match value {
            AttributeValue::B(_) => "binary (B)",
            AttributeValue::Ss(_) => "a string set (SS)",
            AttributeValue::Ns(_) => "a number set (NS)",
            AttributeValue::Bs(_) => "a binary set (BS)",
            AttributeValue::S(text) if text.has_lone_surrogate() => LONE_SURROGATE,
            AttributeValue::M(map) => return in_map(map, &path),
            AttributeValue::L(list) => {
                return list
                    .iter()
                    .enumerate()
                    .find_map(|(index, element)| in_value(element, format!("{path}[{index}]")))
            }
            _ => return None,
        };
        Some((path, kind))
    }

    in_map(item, "")
}

const LONE_SURROGATE: &str =
    "a string with a lone UTF-16 surrogate (half an emoji, as JavaScript apps can store)";
const LONE_SURROGATE_NAME: &str =
    "named with a lone UTF-16 surrogate (half an emoji, as JavaScript apps can store)";
