//! The test oracle: the guest's former tree-based marshalling (JSON values ↔ DynamoDB
//! attribute values as `serde_json::Value` trees), kept only to check that the one-pass
//! transcoder (`src/transcode.rs`) stores exactly what it stored.
#![allow(dead_code)]

use serde_json::{Map, Value};

use jovo_dynamodb_wasm::numbers;

/// DynamoDB's item size limit, 400 KB.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// DynamoDB nests documents at most 32 levels deep.
pub const MAX_DEPTH: usize = 32;

#[derive(Clone, Copy, Debug, Default)]
pub struct MarshallOptions {
    /// Empty strings become NULL (`convertEmptyValues`).
    pub convert_empty_values: bool,
}

/// Why a JSON value cannot become attribute values.
#[derive(Debug, PartialEq, Eq)]
pub struct MarshalError {
    /// Where in the item, e.g. `user.data.scores[3]`.
    pub path: String,
    pub reason: String,
}

/// The attribute map of a JSON object (the item's top level).
pub fn marshal_item(
    item: &Map<String, Value>,
    options: MarshallOptions,
) -> Result<Map<String, Value>, MarshalError> {
    let mut path = Vec::new();
    marshal_map(item, options, &mut path)
}

/// One step of the path to a value; turned into text only for an error message.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn marshal_map<'a>(
    map: &'a Map<String, Value>,
    options: MarshallOptions,
    path: &mut Vec<Step<'a>>,
) -> Result<Map<String, Value>, MarshalError> {
    let mut out = Map::with_capacity(map.len());
    for (name, value) in map {
        path.push(Step::Key(name));
        out.insert(name.clone(), marshal_value(value, options, path)?);
        path.pop();
    }
    Ok(out)
}

fn marshal_value<'a>(
    value: &'a Value,
    options: MarshallOptions,
    path: &mut Vec<Step<'a>>,
) -> Result<Value, MarshalError> {
    if path.len() > MAX_DEPTH {
        return Err(error(
            path,
            format!("nesting is deeper than DynamoDB's {MAX_DEPTH} levels"),
        ));
    }
    let (tag, inner) = match value {
        Value::Null => ("NULL", Value::Bool(true)),
        Value::Bool(b) => ("BOOL", Value::Bool(*b)),
        Value::Number(n) => {
            let text = n.to_string();
            if let Some(reason) = numbers::violation(&text) {
                return Err(error(path, reason));
            }
            ("N", Value::String(text))
        }
        Value::String(s) if s.is_empty() && options.convert_empty_values => {
            ("NULL", Value::Bool(true))
        }
        Value::String(s) => ("S", Value::String(s.clone())),
        Value::Array(items) => {
            let mut list = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                list.push(marshal_value(item, options, path)?);
                path.pop();
            }
            ("L", Value::Array(list))
        }
        Value::Object(map) => ("M", Value::Object(marshal_map(map, options, path)?)),
    };
    Ok(tagged(tag, inner))
}

fn tagged(tag: &str, inner: Value) -> Value {
    let mut map = Map::with_capacity(1);
    map.insert(tag.to_string(), inner);
    Value::Object(map)
}

fn error(path: &[Step], reason: String) -> MarshalError {
    let joined: String = path
        .iter()
        .map(|step| match step {
            Step::Key(name) => format!(".{name}"),
            Step::Index(index) => format!("[{index}]"),
        })
        .collect();
    MarshalError {
        path: joined.trim_start_matches('.').to_string(),
        reason,
    }
}

/// The JSON object of an attribute map that DynamoDB returned. Errors describe the first
/// attribute value that is not well-formed. Takes the map so that strings move, not copy.
pub fn unmarshal_item(attributes: Map<String, Value>) -> Result<Map<String, Value>, String> {
    attributes
        .into_iter()
        .map(|(name, value)| Ok((name, unmarshal_value(value)?)))
        .collect()
}

/// Sets (SS, NS, BS) become arrays and binary (B) stays base64 text: JSON has neither sets
/// nor bytes. The plugin never writes them; they appear only in items written by others.
fn unmarshal_value(value: Value) -> Result<Value, String> {
    let found = kind(&value);
    let entry = match value {
        Value::Object(map) if map.len() == 1 => map.into_iter().next(),
        _ => None,
    };
    let Some((tag, inner)) = entry else {
        return Err(format!(
            "expected an attribute value like {{\"S\": ...}}, got {found}"
        ));
    };
    match (tag.as_str(), inner) {
        ("S" | "B", Value::String(s)) => Ok(Value::String(s)),
        ("N", Value::String(s)) => number(&s),
        ("BOOL", Value::Bool(b)) => Ok(Value::Bool(b)),
        ("NULL", _) => Ok(Value::Null),
        ("M", Value::Object(map)) => Ok(Value::Object(unmarshal_item(map)?)),
        ("L", Value::Array(items)) => items.into_iter().map(unmarshal_value).collect(),
        ("SS" | "BS", Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(Value::String(s)),
                other => Err(format!("set member must be a string, got {}", kind(&other))),
            })
            .collect(),
        ("NS", Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => number(&s),
                other => Err(format!("NS member must be a string, got {}", kind(&other))),
            })
            .collect(),
        (tag, inner) => Err(format!(
            "attribute value {tag:?} with a {} is not a DynamoDB type",
            kind(&inner)
        )),
    }
}

fn single_entry(value: &Value) -> Option<(&str, &Value)> {
    match value {
        Value::Object(map) if map.len() == 1 => map.iter().next().map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

fn number(text: &str) -> Result<Value, String> {
    text.parse::<serde_json::Number>()
        .map(Value::Number)
        .map_err(|_| {
            format!(
                "N value {:?} is not a number",
                jovo_dynamodb_wasm::config::shorten(text)
            )
        })
}

/// The JSON type of `value`, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The item's size as DynamoDB counts it: attribute names plus values, where strings
/// count their UTF-8 bytes, numbers one byte per two digits plus one, BOOL and NULL one
/// byte, and M and L three bytes plus one per element.
pub fn item_size(attributes: &Map<String, Value>) -> usize {
    attributes
        .iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &Value) -> usize {
    match single_entry(value) {
        Some(("S" | "B", Value::String(s))) => s.len(),
        Some(("N", Value::String(s))) => numbers::stored_size(s),
        Some(("M", Value::Object(map))) => {
            3 + map
                .iter()
                .map(|(name, v)| 1 + name.len() + value_size(v))
                .sum::<usize>()
        }
        Some(("L", Value::Array(items))) => {
            3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>()
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn marshal(value: Value) -> Value {
        let Value::Object(map) = value else {
            panic!("test item must be an object")
        };
        Value::Object(marshal_item(&map, MarshallOptions::default()).unwrap())
    }

    #[test]
    fn jovo_item_marshals_like_util_dynamodb() {
        let item = json!({
            "user": {"data": {"visits": 3, "tags": ["a", true, null], "empty": {}}},
            "createdAt": "2026-11-24T02:00:00.000Z"
        });
        assert_eq!(
            marshal(item),
            json!({
                "user": {"M": {"data": {"M": {
                    "visits": {"N": "3"},
                    "tags": {"L": [{"S": "a"}, {"BOOL": true}, {"NULL": true}]},
                    "empty": {"M": {}}
                }}}},
                "createdAt": {"S": "2026-11-24T02:00:00.000Z"}
            })
        );
    }

    #[test]
    fn numbers_keep_every_digit() {
        let item: Value = serde_json::from_str(r#"{"n": 12345678901234567890.000000001}"#).unwrap();
        assert_eq!(
            marshal(item),
            json!({"n": {"N": "12345678901234567890.000000001"}})
        );
    }

    #[test]
    fn empty_strings_stay_strings_unless_asked() {
        let map = json!({"s": ""}).as_object().unwrap().clone();
        let kept = marshal_item(&map, MarshallOptions::default()).unwrap();
        assert_eq!(Value::Object(kept), json!({"s": {"S": ""}}));
        let converted = marshal_item(
            &map,
            MarshallOptions {
                convert_empty_values: true,
            },
        )
        .unwrap();
        assert_eq!(Value::Object(converted), json!({"s": {"NULL": true}}));
    }

    #[test]
    fn errors_name_the_attribute() {
        let item: Value =
            serde_json::from_str(r#"{"user": {"data": {"list": [1, 1e200]}}}"#).unwrap();
        let err = marshal_item(item.as_object().unwrap(), MarshallOptions::default()).unwrap_err();
        assert_eq!(err.path, "user.data.list[1]");
        assert!(err.reason.contains("range"));
    }

    #[test]
    fn nesting_is_limited_like_dynamodb() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH + 1 {
            deep = json!([deep]);
        }
        let err = marshal_item(
            json!({"d": deep}).as_object().unwrap(),
            MarshallOptions::default(),
        )
        .unwrap_err();
        assert!(err.reason.contains("32 levels"));
    }

    #[test]
    fn unmarshal_reads_every_dynamodb_type() {
        let stored = json!({
            "s": {"S": "x"}, "n": {"N": "1.50"}, "b": {"BOOL": false}, "z": {"NULL": true},
            "m": {"M": {"l": {"L": [{"N": "1"}]}}}, "ss": {"SS": ["a"]}, "ns": {"NS": ["2"]},
            "bin": {"B": "AAE="}
        });
        let item = unmarshal_item(stored.as_object().unwrap().clone()).unwrap();
        assert_eq!(
            serde_json::to_string(&item).unwrap(),
            r#"{"s":"x","n":1.50,"b":false,"z":null,"m":{"l":[1]},"ss":["a"],"ns":[2],"bin":"AAE="}"#
        );
    }

    #[test]
    fn unmarshal_rejects_what_is_not_an_attribute_value() {
        for bad in [
            json!({"x": "S"}),
            json!({"x": {"S": 1}}),
            json!({"x": {"N": "one"}}),
            json!({"x": {"Q": "?"}}),
            json!({"x": {"S": "a", "N": "1"}}),
        ] {
            assert!(
                unmarshal_item(bad.as_object().unwrap().clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn size_counts_names_and_values() {
        let attributes = marshal(json!({"ab": "xyz", "n": 1234, "l": [true]}));
        // ab+xyz = 5, n+N(1234) = 1+3, l + (3 + 1 + 1) = 6
        assert_eq!(item_size(attributes.as_object().unwrap()), 15);
    }
}
