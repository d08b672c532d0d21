//! No user data in error texts: items, user ids and answers full of a marker string go
//! through every failure path the guest has, and the marker appears in no error text.
//! (DynamoDB's own `message` is shown as DynamoDB wrote it; the scripted answers here
//! carry none with the marker.)

mod common;

const DRIVER: Driver = Driver::Stepped;

use common::*;
use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::StoreError;
use jovo_dynamodb_wasm::host::HttpResponse;

const MARKER: &str = "PRIVATE-7f3a";

fn text_of(error: &StoreError) -> String {
    format!("{error:?}")
}

fn assert_private(what: &str, result: Result<impl std::fmt::Debug, StoreError>) {
    let error = result.expect_err(what);
    let text = text_of(&error);
    assert!(!text.contains(MARKER), "{what}: {text}");
}

fn locking_config() -> jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::Config {
    let mut config = existing_table();
    config.table.optimistic_locking = Some(true);
    config
}

#[test]
fn invalid_items_are_described_without_their_values() {
    let m = MARKER;
    let deep = format!("{}\"{m}\"{}", "[".repeat(40), "]".repeat(40));
    let items = [
        format!(r#"{{"user":{{"name":"{m}","n":1e200}}}}"#),
        format!(r#"{{"user":{{"name":"{m}","n":123456789012345678901234567890123456789}}}}"#),
        format!(r#"{{"user":{{"name":"{m}""#),
        format!(r#"{{"user":{{"name":"{m}"}}, "x": {m}}}"#),
        format!(r#"["{m}"]"#),
        format!(r#""{m}""#),
        format!(r#"{{"d":{deep}}}"#),
        format!(r#"{{"a":{{"":"{m}"}}}}"#),
        format!(r#"{{"a":{{"k":"{m}","k":"{m}"}}}}"#),
        format!(r#"{{"user":"{}"}}"#, m.repeat(40_000)),
        format!(r#"{{"bad":"\q{m}"}}"#),
    ];
    let host = ScriptedHost::answering(vec![]);
    for item in items {
        assert_private(
            &item[..item.len().min(60)],
            client(existing_table(), &host).save_user("u", &item),
        );
    }
    for version in [
        format!(r#""{m}""#),
        "-1".into(),
        format!(r#"{{"v":"{m}"}}"#),
    ] {
        let item = format!(r#"{{"version":{version}}}"#);
        assert_private(&item, client(locking_config(), &host).save_user("u", &item));
    }
    assert!(host.requests.borrow().is_empty(), "nothing invalid is sent");
}

#[test]
fn user_ids_do_not_reach_error_texts() {
    let host = ScriptedHost::answering(vec![]);
    let long_id = MARKER.repeat(200);
    assert_private(
        "long id",
        client(existing_table(), &host).load_user(&long_id),
    );
    let too_large = format!(r#"{{"user":"{}"}}"#, "x".repeat(410_000));
    assert_private(
        "too large",
        client(existing_table(), &host).save_user(MARKER, &too_large),
    );
}

fn answer(status: u16, headers: &[(&str, String)], body: String) -> Answer {
    Ok(HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        body: body.into_bytes(),
    })
}

#[test]
fn malformed_answers_are_described_without_their_bodies() {
    let m = MARKER;
    let bodies = [
        format!("<html>{m}</html>"),
        format!(r#"{{"Item":{{"userId":{{"S":"u"}},"name":{{"S":"{m}"}},"x":{{"Q":"{m}"}}}}}}"#),
        format!(r#"{{"Item":{{"name":{{"S":"{m}"}},"n":{{"N":"{m}"}}}}}}"#),
        format!(r#"{{"Item":{{"name":{{"S":"{m}"#),
        format!(r#"["{m}"]"#),
    ];
    for body in bodies {
        let host =
            ScriptedHost::answering((0..4).map(|_| answer(200, &[], body.clone())).collect());
        assert_private(&body, client(existing_table(), &host).load_user("u"));
    }
    let damaged = format!(r#"{{"Item":{{"name":{{"S":"{m}"}}}}}}"#);
    let host = ScriptedHost::answering(
        (0..4)
            .map(|_| answer(200, &[("x-amz-crc32", "1".into())], damaged.clone()))
            .collect(),
    );
    assert_private("crc", client(existing_table(), &host).load_user("u"));
    let page = format!("<html><body>{m}: upstream failed</body></html>");
    let host = ScriptedHost::answering((0..4).map(|_| answer(502, &[], page.clone())).collect());
    assert_private(
        "proxy page",
        client(existing_table(), &host).save_user("u", r#"{"a":1}"#),
    );
}

#[test]
fn conflicts_are_described_without_the_items() {
    let m = MARKER;
    let conflict = error(400, "ConditionalCheckFailedException");
    let stored = format!(
        r#"{{"Item":{{"userId":{{"S":"u"}},"name":{{"S":"{m}-other"}},"version":{{"N":"9"}}}}}}"#
    );
    // The first answer is lost, the retry meets another writer's item: a real conflict.
    let host = ScriptedHost::answering(vec![
        Err(jovo_dynamodb_wasm::host::TransportError::Failed(
            "reset".into(),
        )),
        conflict,
        answer(200, &[], stored),
    ]);
    let item = format!(r#"{{"name":"{m}","version":3}}"#);
    assert_private(
        "conflict",
        client(locking_config(), &host).save_user(m, &item),
    );
}
