//! Items: what goes in comes out, and what is stored is exactly what the original
//! plugin (`marshall` of `@aws-sdk/util-dynamodb`) writes.

mod support;

use jovo_dynamodb_host::StoreError;
use serde_json::{json, Value};
use support::*;

/// A user item as a Jovo v4 app saves it with every stored element on.
fn jovo_item() -> Value {
    json!({
        "user": {"data": {"visits": 3, "name": "Ada", "premium": false, "tags": [], "prefs": {}}},
        "session": {
            "id": "amzn1.echo-api.session.1",
            "state": [
                {"component": "GameComponent", "resolve": {"win": "onWin"}},
                {"component": "HelpComponent", "config": null}
            ],
            "data": {"round": 2},
            "isNew": false,
            "updatedAt": "2026-11-24T10:00:00.000Z"
        },
        "history": {"items": [
            {"output": [{"message": "Welcome back!"}], "nlu": {"intent": {"name": "LaunchIntent"}}},
            {"output": [{"message": "Bye"}], "nlu": {"intent": {"name": "StopIntent"}, "entities": {}}}
        ]},
        "createdAt": "2026-11-01T08:00:00.000Z",
        "updatedAt": "2026-11-24T10:00:00.000Z"
    })
}

#[test]
fn a_jovo_item_round_trips_unchanged() {
    let table = unique_table("round-trip");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    store.save_user("user-1", &jovo_item()).unwrap();
    let mut expected = json!({"userId": "user-1"});
    expected
        .as_object_mut()
        .unwrap()
        .extend(jovo_item().as_object().unwrap().clone());
    assert_eq!(store.load_user("user-1").unwrap().unwrap(), expected);
}

#[test]
fn stored_attribute_values_are_exactly_what_the_original_plugin_writes() {
    let table = unique_table("wire-format");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    let item = json!({
        "user": {"data": {"visits": 3, "score": -1.25, "tags": ["a", true, null], "empty": {}, "list": []}},
        "createdAt": "2026-11-01T08:00:00.000Z"
    });
    store.save_user("user-2", &item).unwrap();
    let stored = raw_get_item(server(), &table, "userId", "user-2").unwrap();
    assert_eq!(
        stored,
        json!({
            "userId": {"S": "user-2"},
            "user": {"M": {"data": {"M": {
                "visits": {"N": "3"},
                "score": {"N": "-1.25"},
                "tags": {"L": [{"S": "a"}, {"BOOL": true}, {"NULL": true}]},
                "empty": {"M": {}},
                "list": {"L": []}
            }}}},
            "createdAt": {"S": "2026-11-01T08:00:00.000Z"}
        })
    );
}

#[test]
fn an_item_saved_by_the_original_plugin_loads_unchanged() {
    let table = unique_table("from-original");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    store.ensure_table().unwrap();
    // The attribute values @jovotech/db-dynamodb 4.1 writes for a user with data and history.
    let (status, body) = raw_call(
        server(),
        "PutItem",
        &json!({"TableName": table, "Item": {
            "userId": {"S": "amzn1.ask.account.ORIGINAL"},
            "user": {"M": {"data": {"M": {"visits": {"N": "12"}, "lastColor": {"S": "green"}}}}},
            "history": {"M": {"items": {"L": [{"M": {"output": {"L": [{"M": {"message": {"S": "Hi"}}}]}}}]}}},
            "createdAt": {"S": "2025-01-01T00:00:00.000Z"},
            "updatedAt": {"S": "2026-11-20T00:00:00.000Z"}
        }}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        store
            .load_user("amzn1.ask.account.ORIGINAL")
            .unwrap()
            .unwrap(),
        json!({
            "userId": "amzn1.ask.account.ORIGINAL",
            "user": {"data": {"visits": 12, "lastColor": "green"}},
            "history": {"items": [{"output": [{"message": "Hi"}]}]},
            "createdAt": "2025-01-01T00:00:00.000Z",
            "updatedAt": "2026-11-20T00:00:00.000Z"
        })
    );
}

#[test]
fn numbers_keep_every_digit() {
    let table = unique_table("numbers");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    // 38 significant digits, DynamoDB's maximum, far past what f64 (and JavaScript) keeps.
    let text = r#"{"big":12345678901234567890123456789012345678,"pi":3.1415926535897932384626433832795028842,"tiny":-0.0000000000000000000000000000000000001,"counter":9007199254740993}"#;
    store.save_user_json("precise", text).unwrap();
    let stored = raw_get_item(server(), &table, "userId", "precise").unwrap();
    assert_eq!(stored["big"]["N"], "12345678901234567890123456789012345678");
    assert_eq!(stored["counter"]["N"], "9007199254740993");
    let loaded = store.load_user("precise").unwrap().unwrap();
    assert_eq!(
        loaded["big"].to_string(),
        "12345678901234567890123456789012345678"
    );
    assert_eq!(
        loaded["pi"].to_string(),
        "3.1415926535897932384626433832795028842"
    );
    assert_eq!(loaded["counter"].to_string(), "9007199254740993");
}

#[test]
fn unicode_and_empty_values_survive() {
    let table = unique_table("unicode");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    let item =
        json!({"user": {"data": {"greeting": "Grüß dich 👋", "empty": "", "quote": "\"\\\n"}}});
    store.save_user("ü-ser ✓", &item).unwrap();
    assert_eq!(
        store.load_user("ü-ser ✓").unwrap().unwrap()["user"],
        item["user"]
    );
}

#[test]
fn saving_again_replaces_the_item_and_the_key_is_always_the_user_id() {
    let table = unique_table("replace");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    store
        .save_user("u", &json!({"user": {"data": {"a": 1}}, "session": {}}))
        .unwrap();
    store
        .save_user(
            "u",
            &json!({"userId": "someone-else", "user": {"data": {"b": 2}}}),
        )
        .unwrap();
    assert_eq!(
        store.load_user("u").unwrap().unwrap(),
        json!({"userId": "u", "user": {"data": {"b": 2}}})
    );
    assert!(raw_get_item(server(), &table, "userId", "someone-else").is_none());
}

#[test]
fn deleting_a_user_removes_the_item_and_deleting_again_is_fine() {
    let table = unique_table("delete");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    store.save_user("gone", &jovo_item()).unwrap();
    store.delete_user("gone").unwrap();
    assert_eq!(store.load_user("gone").unwrap(), None);
    assert!(raw_get_item(server(), &table, "userId", "gone").is_none());
    store.delete_user("gone").unwrap();
}

#[test]
fn an_item_just_under_400_kb_is_stored_and_one_over_is_refused_before_sending() {
    let table = unique_table("size");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    let fits = json!({"user": {"data": {"blob": "x".repeat(400 * 1024 - 200)}}});
    store.save_user("big", &fits).unwrap();
    assert!(raw_get_item(server(), &table, "userId", "big").is_some());

    let too_big = json!({"user": {"data": {"blob": "y".repeat(400 * 1024 + 1)}}});
    match store_error(store.save_user("big", &too_big)) {
        StoreError::ItemTooLarge(message) => assert!(message.contains("409600"), "{message}"),
        other => panic!("expected item-too-large, got {other:?}"),
    }
    // The earlier item is untouched: nothing was half-written.
    let stored = raw_get_item(server(), &table, "userId", "big").unwrap();
    assert!(stored["user"]["M"]["data"]["M"]["blob"]["S"]
        .as_str()
        .unwrap()
        .starts_with('x'));
}

#[test]
fn half_an_emoji_stored_by_a_javascript_app_loads_and_saves_back_unchanged() {
    // `"🎉".substring(0, 1)` in JavaScript: a lone high surrogate, which the original
    // plugin stores as it is and DynamoDB keeps. A Rust String cannot hold it.
    let table = unique_table("lone-surrogate");
    let mut store = runtime().open(config(server(), &table)).unwrap();
    let written = r#"{"user":{"data":{"nickname":"party \ud83c","ok":"\ud83c\udf89"}}}"#;
    store.save_user_json("user-3", written).unwrap();
    let loaded = store.load_user_json("user-3").unwrap().unwrap();
    assert!(
        loaded.contains(r#""nickname":"party \ud83c""#) && loaded.contains("🎉"),
        "{loaded}"
    );
    store.save_user_json("user-3", &loaded).unwrap();
    assert_eq!(store.load_user_json("user-3").unwrap().unwrap(), loaded);
    match store.load_user("user-3") {
        Err(error) => {
            assert_eq!(error.code(), "invalid-input");
            assert!(error.to_string().contains("load_user_json"), "{error}");
        }
        Ok(item) => panic!("a lone surrogate cannot be a Rust String, got {item:?}"),
    }
}
