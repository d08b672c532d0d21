//! No load and save ever changes a type or a digit (issue 17, item 5): arbitrary DynamoDB
//! items, all ten types nested in each other with edge values, are written raw by another
//! client (PutItem over plain HTTP), loaded and saved back through the stores, and read raw
//! again. The stored item must be the same before and after, through the typed API
//! (`load_user_item` / `save_user_item`) and through the exact text (`load_user_json` /
//! `save_user_json`), in both stores; and the typed item must say exactly what is stored.

#[path = "support/stores.rs"]
mod stores;
mod support;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use jovo_dynamodb_host::{AttributeValue, Item};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use stores::{AnyStore, KINDS};
use support::*;

/// Fixed, so every run tries the same items (and a failure is found again).
const SEED: [u8; 32] = *b"issue 17: no type changes, ever!";
const CASES: u32 = 300;

/// Strings: empty, ASCII with the characters JSON and item text treat specially (`"`, `\`,
/// `$`, control characters), and any Unicode, astral planes included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        2 => "[a-z$\"\\\\/\\x00-\\x1f]{1,8}",
        2 => "(?s).{1,8}",
        1 => "[\\x{10000}-\\x{10FFFF}]{1,3}",
        1 => Just("$B\"AAE=\"".to_string()),
    ]
}

/// A number of DynamoDB's range: 1 to 38 significant digits, the magnitude anywhere from
/// 1E-130 to 9.99…E+125, either sign, written plainly or with an exponent (dynalite keeps
/// its own plain spelling, as DynamoDB keeps its own).
fn number() -> impl Strategy<Value = String> {
    let digits = "[1-9][0-9]{0,37}";
    let spelled = (any::<bool>(), digits, -130i32..=125, any::<bool>()).prop_map(
        |(negative, digits, magnitude, exponent_form)| {
            let sign = if negative { "-" } else { "" };
            // value = 0.d1d2… × 10^(magnitude + 1), so its first digit is at 10^magnitude.
            let exponent = magnitude - (digits.len() as i32 - 1);
            if exponent_form {
                format!("{sign}{digits}E{exponent}")
            } else if exponent >= 0 {
                format!("{sign}{digits}{}", "0".repeat(exponent as usize))
            } else {
                let point = digits.len() as i32 + exponent;
                if point > 0 {
                    let (whole, fraction) = digits.split_at(point as usize);
                    format!("{sign}{whole}.{fraction}")
                } else {
                    format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
                }
            }
        },
    );
    prop_oneof![
        1 => Just("0".to_string()),
        1 => Just("1E+125".to_string()),
        1 => Just("-9.9999999999999999999999999999999999999E+125".to_string()),
        1 => Just("1E-130".to_string()),
        1 => Just("12345678901234567890123456789012345678".to_string()),
        1 => "-?[0-9]{1,3}",
        6 => spelled,
    ]
}

/// A number's value, for telling apart the members of a number set (`1` and `1.0` are one).
fn numeric_value(number: &str) -> (bool, String, i64) {
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().unwrap()),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let significant = digits.trim_start_matches('0');
    let leading_zeros = digits.len() - significant.len();
    let significant = significant.trim_end_matches('0');
    if significant.is_empty() {
        return (false, String::new(), 0);
    }
    let magnitude = exponent + whole.len() as i64 - 1 - leading_zeros as i64;
    (negative, significant.to_string(), magnitude)
}

/// Bytes: empty, short and arbitrary, or every byte value once.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(Vec::new()),
        6 => vec(any::<u8>(), 1..24),
        1 => Just((0..=255).collect()),
    ]
}

fn base64_of(bytes: &[u8]) -> Value {
    Value::String(BASE64.encode(bytes))
}

/// A raw DynamoDB attribute value (wire JSON) of any of the ten types, nested up to four
/// levels.
fn attribute_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        3 => text().prop_map(|s| json!({"S": s})),
        3 => number().prop_map(|n| json!({"N": n})),
        2 => bytes().prop_map(|b| json!({"B": base64_of(&b)})),
        1 => any::<bool>().prop_map(|b| json!({"BOOL": b})),
        1 => Just(json!({"NULL": true})),
        2 => btree_set(text(), 1..5).prop_map(|set| json!({"SS": set})),
        2 => vec(number(), 1..5).prop_map(|numbers| {
            let mut distinct: BTreeMap<(bool, String, i64), String> = BTreeMap::new();
            for number in numbers {
                distinct.entry(numeric_value(&number)).or_insert(number);
            }
            json!({"NS": distinct.into_values().collect::<Vec<_>>()})
        }),
        2 => btree_set(bytes(), 1..4)
            .prop_map(|set| json!({"BS": set.iter().map(|b| base64_of(b)).collect::<Vec<_>>()})),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(|list| json!({"L": list})),
            btree_map(name(), inner, 0..5).prop_map(|map| json!({"M": map})),
        ]
    })
}

/// Attribute and member names: never empty (DynamoDB refuses that), otherwise anything.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z][a-zA-Z0-9]{0,6}",
        1 => "(?s).{1,6}",
    ]
}

/// A whole raw item without its key (added per case).
fn raw_item() -> impl Strategy<Value = BTreeMap<String, Value>> {
    btree_map(
        name().prop_filter("the key column", |n| n != "userId"),
        attribute_value(),
        1..6,
    )
}

/// The raw attribute value a typed one stands for: the typed API must say exactly what is
/// stored.
fn wire(value: &AttributeValue) -> Value {
    let text = |t: &jovo_dynamodb_host::Text| {
        Value::String(t.as_str().expect("no lone surrogate generated").to_string())
    };
    match value {
        AttributeValue::S(s) => json!({"S": text(s)}),
        AttributeValue::N(n) => json!({"N": n}),
        AttributeValue::B(b) => json!({"B": base64_of(b)}),
        AttributeValue::Bool(b) => json!({"BOOL": b}),
        AttributeValue::Null => json!({"NULL": true}),
        AttributeValue::M(map) => json!({"M": wire_map(map)}),
        AttributeValue::L(list) => json!({"L": list.iter().map(wire).collect::<Vec<_>>()}),
        AttributeValue::Ss(set) => json!({"SS": set.iter().map(text).collect::<Vec<_>>()}),
        AttributeValue::Ns(set) => json!({"NS": set}),
        AttributeValue::Bs(set) => {
            json!({"BS": set.iter().map(|b| base64_of(b)).collect::<Vec<_>>()})
        }
    }
}

fn wire_map(map: &Item) -> Value {
    Value::Object(
        map.iter()
            .map(|(name, value)| (name.as_str().unwrap().to_string(), wire(value)))
            .collect(),
    )
}

#[test]
fn no_load_and_save_changes_a_type_or_a_digit_whatever_the_item() {
    let table = unique_table("no-type-changes");
    let stores: Vec<AnyStore> = KINDS
        .iter()
        .map(|&kind| AnyStore::open(runtime(), kind, config(server(), &table)).unwrap())
        .collect();
    let stores = RefCell::new(stores);
    // The first save creates the table, which raw PutItem needs.
    stores.borrow_mut()[0]
        .save_json("table-made", "{}")
        .unwrap();

    let case = Cell::new(0usize);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED));
    let result = runner.run(&raw_item(), |attributes| {
        let n = case.get();
        case.set(n + 1);
        let user_id = format!("user-{n}");
        // Cases alternate between the blocking and the tokio store.
        let store = &mut stores.borrow_mut()[n % 2];
        let mut written = serde_json::Map::new();
        written.insert("userId".into(), json!({"S": user_id}));
        written.extend(attributes);
        raw_put_item(server(), &table, &Value::Object(written));
        let stored = || sets_sorted(&raw_get_item(server(), &table, "userId", &user_id).unwrap());
        let before = stored();

        let item = store.load_item(&user_id).unwrap().expect("the item");
        prop_assert_eq!(sets_sorted(&wire_map(&item)), before.clone(), "typed item");
        store.save_item(&user_id, &item).unwrap();
        prop_assert_eq!(
            stored(),
            before.clone(),
            "after load_user_item/save_user_item"
        );

        let text = store.load_json(&user_id).unwrap().expect("the item");
        store.save_json(&user_id, &text).unwrap();
        prop_assert_eq!(stored(), before, "after load_user_json/save_user_json");
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
