//! Every DynamoDB type through the typed API (`load_user_item` / `save_user_item`), both
//! stores: sets and binary saved as DynamoDB's SS, NS, BS and B and loaded back as such,
//! items of other clients loaded and saved with no type changed, and DynamoDB's rules for
//! sets enforced by the component before anything is sent.

#[path = "support/stores.rs"]
mod stores;
mod support;

use jovo_dynamodb_host::{AttributeValue, Item, StoreError, Text};
use serde_json::{json, Value};
use stores::{AnyStore, Kind, KINDS};
use support::*;

/// A store of `kind` on a new table that exists (so raw calls can use it at once).
fn store_on_new_table(kind: Kind, purpose: &str) -> (AnyStore, String) {
    let table = unique_table(purpose);
    let mut store = AnyStore::open(runtime(), kind, config(server(), &table)).unwrap();
    // The first save creates the table, which the raw calls of the tests need.
    store.save_json("placeholder", "{}").unwrap();
    (store, table)
}

fn raw(table: &str, user_id: &str) -> Value {
    sets_sorted(&raw_get_item(server(), table, "userId", user_id).expect("the stored item"))
}

fn invalid_input(result: Result<impl std::fmt::Debug, jovo_dynamodb_host::Error>) -> String {
    match store_error(result) {
        StoreError::InvalidInput(message) => message,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

/// What an app keeps: a profile picture, badges, lucky numbers and key fingerprints.
fn user_with_sets_and_binary() -> Item {
    let data = Item::from_iter([
        ("visits", AttributeValue::from(3)),
        ("avatar", AttributeValue::B((0..=255).collect())),
        ("nothing", AttributeValue::B(Vec::new())),
        (
            "badges",
            AttributeValue::Ss(vec!["early".into(), "".into(), "$B\"not a tag\"".into()]),
        ),
        (
            "lucky",
            AttributeValue::Ns(vec![
                "7".into(),
                "-2.5".into(),
                "12345678901234567890123456789012345678".into(),
            ]),
        ),
        (
            "keys",
            AttributeValue::Bs(vec![vec![], vec![0], vec![255, 0, 1]]),
        ),
        (
            "history",
            AttributeValue::L(vec![
                AttributeValue::Ss(vec!["a".into()]),
                AttributeValue::M(Item::from_iter([("raw", AttributeValue::B(vec![1, 2]))])),
                AttributeValue::Null,
                AttributeValue::Bool(false),
            ]),
        ),
    ]);
    Item::from_iter([("user", Item::from_iter([("data", data)]))])
}

/// The same item as DynamoDB holds it (sets sorted as `sets_sorted` sorts them).
fn user_with_sets_and_binary_stored(user_id: &str) -> Value {
    let every_byte = base64_of(&(0..=255).collect::<Vec<u8>>());
    sets_sorted(&json!({
        "userId": {"S": user_id},
        "user": {"M": {"data": {"M": {
            "visits": {"N": "3"},
            "avatar": {"B": every_byte},
            "nothing": {"B": ""},
            "badges": {"SS": ["early", "", "$B\"not a tag\""]},
            "lucky": {"NS": ["7", "-2.5", "12345678901234567890123456789012345678"]},
            "keys": {"BS": ["", "AA==", "/wAB"]},
            "history": {"L": [
                {"SS": ["a"]},
                {"M": {"raw": {"B": "AQI="}}},
                {"NULL": true},
                {"BOOL": false}
            ]}
        }}}}
    }))
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn sets_and_binary_saved_through_the_typed_api_are_stored_as_dynamodb_types_and_load_back() {
    for kind in KINDS {
        let (mut store, table) = store_on_new_table(kind, "typed-save");
        let item = user_with_sets_and_binary();
        store.save_item("collector", &item).unwrap();
        assert_eq!(
            raw(&table, "collector"),
            user_with_sets_and_binary_stored("collector"),
            "{kind:?}"
        );

        let loaded = store.load_item("collector").unwrap().expect("the item");
        let mut expected = item.clone();
        expected.insert("userId", "collector");
        assert_eq!(loaded, expected, "{kind:?}");
        let data = loaded.get("user").unwrap().as_map().unwrap().get("data");
        let data = data.unwrap().as_map().unwrap();
        assert_eq!(
            data.get("avatar").unwrap().as_bytes(),
            Some(&(0..=255).collect::<Vec<u8>>()[..])
        );
        assert_eq!(data.get("visits").unwrap().as_number(), Some("3"));
    }
}

#[test]
fn sets_and_binary_written_by_another_client_load_as_typed_values_and_save_back_unchanged() {
    for kind in KINDS {
        let (mut store, table) = store_on_new_table(kind, "typed-foreign");
        // What the original plugin's `marshall` writes for `new Set([...])`, `Uint8Array`
        // and numbers past JavaScript's precision.
        let written = json!({
            "userId": {"S": "original"},
            "user": {"M": {"data": {"M": {
                "tags": {"SS": ["vip", "beta"]},
                "ids": {"NS": ["9007199254740993", "1"]},
                "thumb": {"B": "iVBORw0KGgo="},
                "chunks": {"BS": ["AAE=", "/w=="]}
            }}}}
        });
        raw_put_item(server(), &table, &written);
        let before = raw(&table, "original");

        let item = store.load_item("original").unwrap().expect("the item");
        let data = item.get("user").unwrap().as_map().unwrap();
        let data = data.get("data").unwrap().as_map().unwrap();
        assert_eq!(
            data.get("tags"),
            Some(&AttributeValue::Ss(vec!["beta".into(), "vip".into()]))
        );
        assert_eq!(
            data.get("ids"),
            Some(&AttributeValue::Ns(vec![
                "1".into(),
                "9007199254740993".into()
            ]))
        );
        assert_eq!(
            data.get("thumb"),
            Some(&AttributeValue::B(b"\x89PNG\r\n\x1a\n".to_vec()))
        );
        assert_eq!(
            data.get("chunks"),
            Some(&AttributeValue::Bs(vec![vec![0, 1], vec![255]]))
        );

        store.save_item("original", &item).unwrap();
        assert_eq!(raw(&table, "original"), before, "{kind:?}");
    }
}

#[test]
fn load_user_json_gives_the_exact_item_text_and_save_user_json_writes_it_back() {
    for kind in KINDS {
        let (mut store, table) = store_on_new_table(kind, "typed-text");
        raw_put_item(
            server(),
            &table,
            &json!({
                "userId": {"S": "text"},
                "tags": {"SS": ["a"]},
                "ids": {"NS": ["12345678901234567890123"]},
                "blob": {"B": "AAE="},
                "chunks": {"BS": ["/w=="]},
                "note": {"S": "costs $5"}
            }),
        );
        let before = raw(&table, "text");
        let text = store.load_json("text").unwrap().expect("the item");
        for form in [
            r#""tags":$SS["a"]"#,
            r#""ids":$NS[12345678901234567890123]"#,
            r#""blob":$B"AAE=""#,
            r#""chunks":$BS["/w=="]"#,
            r#""note":"costs $5""#,
        ] {
            assert!(text.contains(form), "{kind:?}: {form} not in {text}");
        }
        store.save_json("text", &text).unwrap();
        assert_eq!(raw(&table, "text"), before, "{kind:?}");
        assert_eq!(store.load_json("text").unwrap().unwrap(), text);

        // An item without sets or binary is the plain JSON it always was.
        store
            .save_json(
                "plain",
                r#"{"user":{"data":{"price":"$5","n":12345678901234567890123}}}"#,
            )
            .unwrap();
        let plain = store.load_json("plain").unwrap().unwrap();
        let parsed: Value = serde_json::from_str(&plain).expect("plain JSON");
        assert_eq!(parsed["user"]["data"]["price"], "$5");
        assert_eq!(
            parsed["user"]["data"]["n"].to_string(),
            "12345678901234567890123"
        );
    }
}

#[test]
fn load_user_refuses_an_item_with_a_set_or_binary_naming_the_attribute_instead_of_changing_its_type(
) {
    for kind in KINDS {
        let (mut store, table) = store_on_new_table(kind, "typed-value");
        raw_put_item(
            server(),
            &table,
            &json!({
                "userId": {"S": "u"},
                "user": {"M": {"data": {"M": {
                    "name": {"S": "Ada"},
                    "history": {"L": [{"S": "x"}, {"BS": ["c2VjcmV0"]}]}
                }}}}
            }),
        );
        let message = invalid_input(store.load("u"));
        assert!(
            message.contains("'user.data.history[1]'") && message.contains("binary set (BS)"),
            "{kind:?}: {message}"
        );
        assert!(message.contains("load_user_item"), "{message}");
        assert!(!message.contains("c2VjcmV0"), "{message}");

        // JSON-shaped items still load as serde_json values.
        store
            .save("plain", &json!({"user": {"data": {"tags": ["a", "b"]}}}))
            .unwrap();
        assert_eq!(
            store.load("plain").unwrap().unwrap()["user"]["data"]["tags"],
            json!(["a", "b"])
        );
    }
}

#[test]
fn empty_sets_and_repeated_members_are_refused_by_the_component_and_nothing_is_written() {
    for kind in KINDS {
        let (mut store, table) = store_on_new_table(kind, "typed-rules");
        store.save_item("u", &user_with_sets_and_binary()).unwrap();
        let before = raw(&table, "u");
        for (name, set, expected) in [
            ("empty", AttributeValue::Ss(vec![]), "without members"),
            ("noNumbers", AttributeValue::Ns(vec![]), "without members"),
            ("noBytes", AttributeValue::Bs(vec![]), "without members"),
            (
                "twice",
                AttributeValue::Ss(vec!["secret".into(), "secret".into()]),
                "twice",
            ),
            (
                "sameValue",
                AttributeValue::Ns(vec!["1".into(), "1.0".into()]),
                "twice",
            ),
            (
                "sameBytes",
                AttributeValue::Bs(vec![b"secret".to_vec(), b"secret".to_vec()]),
                "twice",
            ),
            (
                "tooManyDigits",
                AttributeValue::Ns(vec!["123456789012345678901234567890123456789".into()]),
                "significant digits",
            ),
        ] {
            let mut item = user_with_sets_and_binary();
            let prefs = Item::from_iter([(name, set)]);
            item.insert("user", Item::from_iter([("prefs", prefs)]));
            let message = invalid_input(store.save_item("u", &item));
            // The component names the set (or its member), never the members' values.
            let path = format!("user.prefs.{name}");
            assert!(message.contains(&path), "{kind:?} {name}: {message}");
            assert!(message.contains(expected), "{kind:?} {name}: {message}");
            assert!(!message.contains("secret"), "{kind:?} {name}: {message}");
            assert!(!message.contains("c2VjcmV0"), "{kind:?} {name}: {message}");
        }
        assert_eq!(raw(&table, "u"), before, "{kind:?}");
    }
}

#[test]
fn a_number_whose_text_is_not_a_number_is_refused_naming_the_attribute() {
    for kind in KINDS {
        let (mut store, _table) = store_on_new_table(kind, "typed-number");
        let item = Item::from_iter([(
            "user",
            Item::from_iter([("score", AttributeValue::N("12 apples".into()))]),
        )]);
        let message = invalid_input(store.save_item("u", &item));
        assert!(message.contains("'user.score'"), "{message}");
        assert!(!message.contains("apples"), "{message}");
    }
}

#[test]
fn half_an_emoji_loads_through_the_typed_api_and_saves_back_unchanged() {
    // `"🎉".substring(0, 1)` in JavaScript, stored by a JavaScript app: in a string, a set
    // member and a map key.
    let written =
        r#"{"user":{"data":{"nickname":"party \ud83c","tags":$SS["\udf89","ok"],"\ud83c":1}}}"#;
    for kind in KINDS {
        let (mut store, _table) = store_on_new_table(kind, "typed-surrogate");
        store.save_json("u", written).unwrap();
        let text_before = store.load_json("u").unwrap().unwrap();

        let item = store.load_item("u").unwrap().expect("the item");
        let data = item.get("user").unwrap().as_map().unwrap();
        let data = data.get("data").unwrap().as_map().unwrap();
        match data.get("nickname") {
            Some(AttributeValue::S(nickname)) => {
                assert_eq!(nickname.as_str(), None);
                assert_eq!(nickname.to_string_lossy(), "party \u{fffd}");
                assert_eq!(
                    *nickname,
                    Text::from_utf16(&[0x70, 0x61, 0x72, 0x74, 0x79, 0x20, 0xd83c])
                );
            }
            other => panic!("{kind:?}: {other:?}"),
        }
        assert!(data.iter().any(|(name, _)| name.to_utf16() == [0xd83c]));

        store.save_item("u", &item).unwrap();
        assert_eq!(
            store.load_json("u").unwrap().unwrap(),
            text_before,
            "{kind:?}"
        );

        let message = invalid_input(store.load("u"));
        assert!(message.contains("'user.data.nickname'"), "{message}");
        assert!(message.contains("load_user_item"), "{message}");
    }
}

#[test]
fn a_jovo_item_saved_as_json_loads_through_the_typed_api_with_every_digit() {
    let (mut store, _table) = store_on_new_table(KINDS[0], "typed-json");
    store
        .save_json(
            "u",
            r#"{"user":{"data":{"big":12345678901234567890123456789012345678,"tiny":1E-130,"name":"Ada","on":true,"none":null,"list":[1,"a"]}}}"#,
        )
        .unwrap();
    let item = store.load_item("u").unwrap().expect("the item");
    let data = item.get("user").unwrap().as_map().unwrap();
    let data = data.get("data").unwrap().as_map().unwrap();
    assert_eq!(
        data.get("big").unwrap().as_number(),
        Some("12345678901234567890123456789012345678")
    );
    assert_eq!(data.get("name").unwrap().as_str(), Some("Ada"));
    assert_eq!(data.get("on").unwrap().as_bool(), Some(true));
    assert_eq!(data.get("none"), Some(&AttributeValue::Null));
    assert_eq!(
        data.get("list").unwrap().as_list().unwrap(),
        &[AttributeValue::from(1), AttributeValue::from("a")]
    );
}
