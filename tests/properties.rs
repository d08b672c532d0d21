//! Properties over generated input. `PROPTEST_CASES` sets the cases per property
//! (`make test` runs a bounded number; raise it for a long run).

mod common;
#[path = "oracle/marshal.rs"]
mod oracle;

/// The step-driven path; `a_client_survives_any_answer` also drives the blocking one.
const DRIVER: Driver = Driver::Stepped;

use common::*;
use jovo_dynamodb_wasm::host::HttpResponse;
use jovo_dynamodb_wasm::transcode::{self, ItemRules};
use jovo_dynamodb_wasm::{numbers, protocol};
use oracle::{item_size, marshal_item, unmarshal_item, MarshallOptions};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Decimal text DynamoDB can store: at most 38 significant digits, modest exponents.
fn dynamodb_number() -> impl Strategy<Value = Value> {
    let integer = any::<i64>().prop_map(|n| Value::Number(n.into()));
    let decimal = prop_oneof![
        "-?[1-9][0-9]{0,18}\\.[0-9]{0,18}[1-9]",
        "-?[1-9](\\.[0-9]{1,20})?[eE][+-]?[0-9]{1,2}",
    ]
    .prop_map(|text| Value::Number(text.parse().expect("generated JSON number")));
    prop_oneof![integer, decimal]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        dynamodb_number(),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((any::<String>(), json_value()), 0..6)
        .prop_map(|e| e.into_iter().collect())
}

/// Items DynamoDB accepts: no empty attribute names, no member named like the key column.
fn storable_item() -> impl Strategy<Value = Map<String, Value>> {
    json_object().prop_filter("storable names", |item| {
        names_storable(&Value::Object(item.clone()))
    })
}

fn names_storable(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .all(|(name, v)| !name.is_empty() && name != "userId" && names_storable(v)),
        Value::Array(items) => items.iter().all(names_storable),
        _ => true,
    }
}

const RULES: ItemRules<'static> = ItemRules {
    key_column: "userId",
    version_attribute: None,
    expiry_attribute: None,
    convert_empty_values: false,
};

/// JSON text of a string made of arbitrary UTF-16 code units, every unit escaped: lone
/// surrogates included, as JavaScript's JSON.stringify writes them.
fn utf16_string_literal() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![any::<u16>(), 0xD800u16..0xE000, Just(0x41u16)],
        0..12,
    )
    .prop_map(|units| {
        let escaped: String = units.iter().map(|u| format!("\\u{u:04x}")).collect();
        format!("\"{escaped}\"")
    })
}

fn any_response() -> impl Strategy<Value = HttpResponse> {
    (
        prop_oneof![Just(200u16), Just(400), Just(403), Just(500), any::<u16>()],
        prop::option::of("[0-9]{0,12}"),
        prop::collection::vec(any::<u8>(), 0..512),
    )
        .prop_map(|(status, crc, body)| HttpResponse {
            status,
            headers: crc
                .map(|c| ("x-amz-crc32".to_string(), c))
                .into_iter()
                .collect(),
            body,
        })
}

/// Bodies that are JSON and look roughly like DynamoDB's, so the parsers get past JSON.
fn dynamodb_like_body() -> impl Strategy<Value = Vec<u8>> {
    json_value().prop_map(|v| {
        serde_json::json!({ "Item": v, "Table": v, "__type": "x#ThrottlingException" })
            .to_string()
            .into_bytes()
    })
}

/// Padded standard base64, as the hosts write binary into item text.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// Item text of any value, sets and binary included, as a host writes it: no whitespace,
/// strings as serde_json escapes them, set members distinct.
fn item_text_value() -> impl Strategy<Value = String> {
    let quoted = |s: &String| Value::String(s.clone()).to_string();
    let leaf = prop_oneof![
        json_value()
            .prop_filter("storable names", names_storable)
            .prop_map(|v| v.to_string()),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| format!("$B\"{}\"", base64(&b))),
        prop::collection::btree_set(any::<String>(), 1..6).prop_map(move |set| {
            format!(
                "$SS[{}]",
                set.iter().map(quoted).collect::<Vec<_>>().join(",")
            )
        }),
        prop::collection::btree_set(any::<i64>(), 1..6).prop_map(|set| {
            format!(
                "$NS[{}]",
                set.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            )
        }),
        prop::collection::btree_set(prop::collection::vec(any::<u8>(), 0..12), 1..6).prop_map(
            |set| {
                format!(
                    "$BS[{}]",
                    set.iter()
                        .map(|b| format!("\"{}\"", base64(b)))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
        ),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|l| format!("[{}]", l.join(","))),
            prop::collection::btree_map("[a-z$]{1,6}", inner, 0..5).prop_map(|m| {
                let members: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn sets_and_binary_load_back_exactly_as_they_were_saved(
        members in prop::collection::btree_map("[a-z$]{1,6}", item_text_value(), 0..6)
    ) {
        let members: Vec<String> =
            members.iter().map(|(k, v)| format!("{}:{v}", Value::String(k.clone()))).collect();
        let text = format!("{{{}}}", members.join(","));
        let marshalled = transcode::marshal_item(&text, RULES).expect("a storable item");
        let body = format!("{{\"Item\":{{{}}}}}", marshalled.attributes);
        let loaded = transcode::unmarshal_get_item(body.as_bytes()).expect("own output").expect("an item");
        prop_assert_eq!(loaded, text);
    }

    #[test]
    fn any_tagged_text_is_marshalled_or_refused_without_panicking(
        tag in prop_oneof![Just("$B"), Just("$SS"), Just("$NS"), Just("$BS"), Just("$"), Just("$X")],
        rest in prop_oneof!["\\PC{0,40}", item_text_value()],
    ) {
        let _ = transcode::marshal_item(&format!("{{\"a\":{tag}{rest}}}"), RULES);
        let _ = transcode::marshal_item(&format!("{{\"a\":[{rest}]}}"), RULES);
    }

    #[test]
    fn the_one_pass_marshal_stores_what_the_tree_marshal_stored(item in storable_item(), convert_empty in any::<bool>()) {
        let text = Value::Object(item.clone()).to_string();
        let rules = ItemRules { convert_empty_values: convert_empty, ..RULES };
        let ours = transcode::marshal_item(&text, rules).expect("valid item");
        let oracle = marshal_item(&item, MarshallOptions { convert_empty_values: convert_empty }).expect("valid item");
        let ours_parsed: Value = serde_json::from_str(&format!("{{{}}}", ours.attributes)).expect("our output is JSON");
        prop_assert_eq!(ours_parsed.to_string(), Value::Object(oracle.clone()).to_string());
        prop_assert_eq!(ours.size, item_size(&oracle));
    }

    #[test]
    fn load_of_save_gives_back_the_item(item in storable_item()) {
        let text = Value::Object(item.clone()).to_string();
        let marshalled = transcode::marshal_item(&text, RULES).expect("valid item");
        let body = format!("{{\"Item\":{{{}}}}}", marshalled.attributes);
        let loaded = transcode::unmarshal_get_item(body.as_bytes()).expect("own output").expect("an item");
        let loaded: Value = serde_json::from_str(&loaded).expect("loaded JSON");
        prop_assert_eq!(loaded.to_string(), text);
    }

    #[test]
    fn the_one_pass_unmarshal_reads_what_the_tree_unmarshal_read(item in json_object()) {
        let attributes = marshal_item(&item, MarshallOptions::default()).expect("valid item");
        let body = serde_json::json!({ "Item": attributes.clone() }).to_string();
        let ours = transcode::unmarshal_get_item(body.as_bytes()).expect("valid body").expect("an item");
        let oracle = Value::Object(unmarshal_item(attributes).expect("own output"));
        let ours: Value = serde_json::from_str(&ours).expect("our output is JSON");
        prop_assert_eq!(ours.to_string(), oracle.to_string());
    }

    #[test]
    fn strings_survive_both_ways_as_utf16_code_units(literal in utf16_string_literal()) {
        let text = format!("{{\"s\":{literal},\"l\":[{literal}],\"m\":{{\"k\":{literal}}}}}");
        let marshalled = transcode::marshal_item(&text, RULES).expect("every string is storable");
        let body = format!("{{\"Item\":{{{}}}}}", marshalled.attributes);
        let loaded = transcode::unmarshal_get_item(body.as_bytes()).expect("own output").expect("an item");
        prop_assert_eq!(loaded, text);
    }

    #[test]
    fn any_item_text_is_marshalled_or_refused_without_panicking(text in prop_oneof!["\\PC{0,200}", json_value().prop_map(|v| v.to_string())]) {
        let _ = transcode::marshal_item(&text, RULES);
    }

    #[test]
    fn any_get_item_body_is_unmarshalled_or_refused_without_panicking(body in prop_oneof![prop::collection::vec(any::<u8>(), 0..512), dynamodb_like_body()]) {
        let _ = transcode::unmarshal_get_item(&body);
    }

    #[test]
    fn parsing_any_response_never_panics(response in any_response()) {
        let _ = protocol::parse_response::<protocol::DescribeTableOutput>(&response);
        let _ = protocol::parse_response::<protocol::DescribeTimeToLiveOutput>(&response);
        let _ = jovo_dynamodb_wasm::json::Tree::parse(&response.body);
        let _ = protocol::parse_error(&response);
    }

    #[test]
    fn a_client_survives_any_answer(body in prop_oneof![prop::collection::vec(any::<u8>(), 0..256), dynamodb_like_body()], status in prop_oneof![Just(200u16), Just(400), Just(500)]) {
        for driver in [Driver::Blocking, Driver::Stepped] {
            let host = ScriptedHost::answering((0..8).map(|_| Ok(HttpResponse { status, headers: vec![], body: body.clone() })).collect());
            let client = driven_client(driver, config(), &host);
            let _ = client.load_user("u");
            let _ = client.save_user("u", "{}");
        }
    }

    #[test]
    fn saving_any_user_id_and_item_text_never_panics(user_id in "\\PC{0,40}", item in prop_oneof!["\\PC{0,200}", json_object().prop_map(|o| Value::Object(o).to_string())], locking in any::<bool>()) {
        let mut config = config();
        config.table.create_table_on_init = Some(false);
        config.table.optimistic_locking = Some(locking);
        config.table.expire_after_days = Some(7);
        let host = ScriptedHost::answering((0..4).map(|_| Ok(HttpResponse { status: 200, headers: vec![], body: b"{}".to_vec() })).collect());
        let _ = client(config, &host).save_user(&user_id, &item);
        prop_assert!(host.requests.borrow().len() <= 1, "a valid save is one request, an invalid one none");
    }

    #[test]
    fn any_version_value_is_accepted_or_refused_without_panicking(version in json_value()) {
        let mut config = config();
        config.table.create_table_on_init = Some(false);
        config.table.optimistic_locking = Some(true);
        let host = ScriptedHost::answering(vec![Ok(HttpResponse { status: 200, headers: vec![], body: b"{}".to_vec() })]);
        let item = serde_json::json!({ "version": version }).to_string();
        let _ = client(config, &host).save_user("u", &item);
    }

    #[test]
    fn signing_with_any_credentials_and_time_never_panics(access in "\\PC{0,40}", secret in "\\PC{0,60}", token in prop::option::of("\\PC{0,80}"), now_ms in any::<u64>()) {
        let credentials = jovo_dynamodb_wasm::host::AwsCredentials { access_key_id: access, secret_access_key: secret, session_token: token };
        let uri: http::Uri = "https://dynamodb.us-east-1.amazonaws.com/".parse().unwrap();
        let mut request = http::Request::post(uri.clone()).body(b"{}".to_vec()).unwrap();
        let _ = jovo_dynamodb_wasm::signing::Signer::new(&uri, "us-east-1").sign(&mut request, &credentials, now_ms);
    }

    #[test]
    fn number_checks_never_panic(text in "\\PC{0,40}") {
        let _ = numbers::violation(&text);
        let _ = numbers::stored_size(&text);
    }

    #[test]
    fn any_config_is_accepted_or_refused_without_panicking(
        name in "\\PC{0,300}", region in prop::option::of("\\PC{0,20}"), endpoint in prop::option::of("(https?://)?\\PC{0,30}"), column in prop::option::of("\\PC{0,300}")
    ) {
        let mut config = config();
        config.table.name = name;
        config.table.primary_key_column = column;
        config.client.region = region;
        config.client.endpoint = endpoint;
        let _ = jovo_dynamodb_wasm::config::Settings::from_wit(config);
    }
}
