//! No user data in error texts (issue 11): an app saves and loads items full of a marker
//! string through every failure path a test can provoke against real servers — invalid
//! input, malformed answers, conflicts, a bad endpoint — and the marker (and an endpoint's
//! password) appears in no error text: not in `Display`, `{:?}` nor `{:#?}` of the error.
//!
//! Each case also asserts the error's code, so a case that fails some other way (or does
//! not fail) fails the test. Every case runs through the blocking store and the tokio store.
//!
//! Also: a credentials provider of the app whose error quotes a secret (the error names the
//! source, never its message), a session token with CR/LF in it, and a 1 MB error message
//! from the server (cut to 512 characters by the component).
//!
//! Servers: a real dynalite (support), the fault proxy in front of it (conflicts whose
//! answer is lost), and a tiny HTTP server of ours on 127.0.0.1 that answers each request
//! with a crafted body (malformed answers). DynamoDB's own `message` is shown as DynamoDB
//! wrote it; no crafted answer here puts the marker in it.

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};

use fault_proxy::{crc32, Fault, FaultProxy};
use jovo_dynamodb_host::{Config, Error, Runtime, COMPONENT};
use serde_json::{json, Value};
use support::*;

/// `PRIVATE-<random>`, new for every run.
fn marker() -> &'static str {
    static MARKER: OnceLock<String> = OnceLock::new();
    MARKER.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        format!("PRIVATE-{:08x}{:05x}", nanos, std::process::id())
    })
}

const PASSWORD: &str = "hunter2-pass-word";

/// The texts an app may log of an error.
fn texts(error: &Error) -> [String; 3] {
    [
        format!("{error}"),
        format!("{error:?}"),
        format!("{error:#?}"),
    ]
}

/// Asserts that `result` is an error with code `code` whose texts hold neither the marker
/// nor the password; returns its Display text.
#[track_caller]
fn private_error<T: std::fmt::Debug>(what: &str, code: &str, result: Result<T, Error>) -> String {
    let error = match result {
        Err(error) => error,
        Ok(value) => panic!("{what}: expected a {code} error, got Ok({value:?})"),
    };
    for text in texts(&error) {
        assert!(
            !text.contains(marker()),
            "{what}: the marker reached an error text: {text}"
        );
        assert!(
            !text.contains(PASSWORD),
            "{what}: the password reached an error text: {text}"
        );
    }
    assert_eq!(error.code(), code, "{what}: {error}");
    format!("{error}")
}

// ---- the two stores, behind one interface ---------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Kind {
    Blocking,
    Async,
}

const KINDS: [Kind; 2] = [Kind::Blocking, Kind::Async];

/// A store of either kind; the async one is driven on the shared tokio runtime.
enum Store {
    Blocking(Box<jovo_dynamodb_host::DynamoDbStore>),
    Async(jovo_dynamodb_host::AsyncDynamoDbStore),
}

impl Store {
    fn open(kind: Kind, config: Config) -> Result<Store, Error> {
        Store::open_on(runtime(), kind, config)
    }

    fn open_on(runtime: &Runtime, kind: Kind, config: Config) -> Result<Store, Error> {
        match kind {
            Kind::Blocking => runtime
                .open(config)
                .map(|store| Store::Blocking(Box::new(store))),
            Kind::Async => tokio()
                .block_on(async { runtime.open_async(config) })
                .map(Store::Async),
        }
    }

    fn load(&mut self, user_id: &str) -> Result<Option<Value>, Error> {
        match self {
            Store::Blocking(store) => store.load_user(user_id),
            Store::Async(store) => tokio().block_on(store.load_user(user_id)),
        }
    }

    fn save(&mut self, user_id: &str, item: &Value) -> Result<(), Error> {
        match self {
            Store::Blocking(store) => store.save_user(user_id, item),
            Store::Async(store) => tokio().block_on(store.save_user(user_id, item)),
        }
    }

    fn save_json(&mut self, user_id: &str, item: &str) -> Result<(), Error> {
        match self {
            Store::Blocking(store) => store.save_user_json(user_id, item),
            Store::Async(store) => tokio().block_on(store.save_user_json(user_id, item)),
        }
    }
}

fn quick(mut config: Config) -> Config {
    config.client.retry_base_delay_ms = Some(1);
    config.client.retry_max_delay_ms = Some(5);
    config
}

fn locking(mut config: Config) -> Config {
    config.table.optimistic_locking = Some(true);
    config
}

/// A user whose every value is the marker: top level, nested maps and lists.
fn marked_item() -> Value {
    let m = marker();
    json!({
        "user": {"data": {"name": m, "notes": [m, {"deep": {"deeper": m}}], "visits": 3}},
        "session": {"data": {"lastSaid": format!("my secret is {m}")}},
        "createdAt": m,
    })
}

// ---- a crafted DynamoDB: every request but DescribeTable gets the scripted answer -------

#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    /// A 200 with DynamoDB's content type and a correct `x-amz-crc32`.
    fn ok(body: String) -> Answer {
        let crc = crc32(body.as_bytes());
        Answer {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/x-amz-json-1.0".into()),
                ("x-amz-crc32".into(), crc.to_string()),
            ],
            body: body.into_bytes(),
        }
    }
}

struct CraftedServer {
    endpoint: String,
    answer: Arc<Mutex<Answer>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl CraftedServer {
    fn start() -> CraftedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the crafted server");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let answer = Arc::new(Mutex::new(Answer::ok("{}".into())));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (shared_answer, shared_requests) = (Arc::clone(&answer), Arc::clone(&requests));
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(connection) = connection else { continue };
                let (answer, requests) = (Arc::clone(&shared_answer), Arc::clone(&shared_requests));
                std::thread::spawn(move || serve_crafted(connection, &answer, &requests));
            }
        });
        CraftedServer {
            endpoint,
            answer,
            requests,
        }
    }

    fn answer_with(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
        self.requests.lock().unwrap().clear();
    }

    /// Operations seen since the last `answer_with`.
    fn operations(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn config(&self) -> Config {
        let mut config = quick(config(&self.endpoint, "users"));
        config.table.create_table_on_init = Some(false);
        config
    }
}

fn serve_crafted(connection: TcpStream, answer: &Mutex<Answer>, requests: &Mutex<Vec<String>>) {
    let Ok(read_half) = connection.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = connection;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let (mut length, mut operation) = (0usize, String::new());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    "x-amz-target" => {
                        operation = value.trim().rsplit('.').next().unwrap_or("").to_string()
                    }
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = if operation == "DescribeTable" {
            Answer::ok(
                json!({"Table": {"TableName": "users", "TableStatus": "ACTIVE",
                    "KeySchema": [{"AttributeName": "userId", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "userId", "AttributeType": "S"}]}})
                .to_string(),
            )
        } else {
            requests.lock().unwrap().push(operation);
            answer.lock().unwrap().clone()
        };
        let mut bytes = format!("HTTP/1.1 {} Crafted\r\n", reply.status);
        for (name, value) in &reply.headers {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        bytes.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(&reply.body);
        if writer
            .write_all(&bytes)
            .and_then(|_| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

fn crafted() -> &'static CraftedServer {
    static SERVER: OnceLock<CraftedServer> = OnceLock::new();
    SERVER.get_or_init(CraftedServer::start)
}

/// Tests that script the crafted server take turns.
fn crafted_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

// ---- user stories ---------------------------------------------------------------------

/// Items a developer's bug may hand over, each beside marker strings; with the code the
/// store must answer. All are refused before anything is sent.
fn invalid_items() -> Vec<(&'static str, String, &'static str)> {
    let m = marker();
    let deep = format!("{}\"{m}\"{}", "[".repeat(40), "]".repeat(40));
    vec![
        (
            "a number beyond DynamoDB's range",
            format!(r#"{{"user":{{"name":"{m}","n":1e200}}}}"#),
            "invalid-input",
        ),
        (
            "a number with 39 digits",
            format!(r#"{{"user":{{"name":"{m}","n":123456789012345678901234567890123456789}}}}"#),
            "invalid-input",
        ),
        (
            "a bare word where a value goes",
            format!(r#"{{"user":{{"name":"{m}"}}, "x": {m}}}"#),
            "invalid-input",
        ),
        (
            "JSON text cut short",
            format!(r#"{{"user":{{"name":"{m}""#),
            "invalid-input",
        ),
        (
            "a bad escape",
            format!(r#"{{"bad":"\q{m}"}}"#),
            "invalid-input",
        ),
        (
            "an array, not an object",
            format!(r#"["{m}"]"#),
            "invalid-input",
        ),
        (
            "a string, not an object",
            format!(r#""{m}""#),
            "invalid-input",
        ),
        (
            "nesting past 32 levels",
            format!(r#"{{"name":"{m}","d":{deep}}}"#),
            "invalid-input",
        ),
        (
            "an empty attribute name",
            format!(r#"{{"a":{{"":"{m}","b":"{m}"}}}}"#),
            "invalid-input",
        ),
        (
            "a repeated attribute name",
            format!(r#"{{"a":{{"k":"{m}","k":"{m}"}}}}"#),
            "invalid-input",
        ),
        (
            "an item over 400 KB of the marker",
            format!(r#"{{"user":"{}"}}"#, m.repeat(420_000 / m.len())),
            "item-too-large",
        ),
    ]
}

#[test]
fn invalid_items_are_refused_without_showing_their_values() {
    for kind in KINDS {
        // Where nothing answers: a request that went out would be transport-failed.
        let closed = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let mut config = quick(config(&closed, "users"));
        config.table.create_table_on_init = Some(false);
        let mut store = Store::open(kind, config.clone()).unwrap();
        let user = format!("user-{}", marker());
        for (what, item, code) in invalid_items() {
            private_error(
                &format!("{kind:?}: {what}"),
                code,
                store.save_json(&user, &item),
            );
        }
        // The same through save_user (a serde_json Value): not an object, too deep, too large.
        let m = marker();
        let mut deep = json!(m);
        for _ in 0..40 {
            deep = json!({ "n": deep, "v": m });
        }
        for (what, item, code) in [
            ("a Value that is a string", json!(m), "invalid-input"),
            ("a Value that is an array", json!([m, m]), "invalid-input"),
            (
                "a Value nested 40 levels",
                json!({ "user": deep }),
                "invalid-input",
            ),
            (
                "a Value over 400 KB",
                json!({ "user": m.repeat(35_000) }),
                "item-too-large",
            ),
        ] {
            private_error(&format!("{kind:?}: {what}"), code, store.save(&user, &item));
        }
        // With optimistic locking, a version that is not a whole number.
        let mut store = Store::open(kind, locking(config.clone())).unwrap();
        for version in [json!(m), json!({ "v": m }), json!(-1)] {
            let mut item = marked_item();
            item["version"] = version.clone();
            private_error(
                &format!("{kind:?}: version {version}"),
                "invalid-input",
                store.save(&user, &item),
            );
        }
    }
}

#[test]
fn user_ids_full_of_the_marker_are_refused_without_being_shown() {
    for kind in KINDS {
        let mut config = quick(config(server(), &unique_table("privacy-ids")));
        config.table.create_table_on_init = Some(true);
        let mut store = Store::open(kind, config).unwrap();
        let long_id = marker().repeat(2049 / marker().len() + 1);
        private_error(
            &format!("{kind:?}: load, long id"),
            "invalid-input",
            store.load(&long_id),
        );
        private_error(
            &format!("{kind:?}: save, long id"),
            "invalid-input",
            store.save(&long_id, &marked_item()),
        );
        // An id that is allowed, with an item that is too large.
        let too_large = json!({ "user": format!("{}", "x".repeat(410_000)), "name": marker() });
        private_error(
            &format!("{kind:?}: too large, marker id"),
            "item-too-large",
            store.save(marker(), &too_large),
        );
        // The marker id itself works: the store is fine, the errors were about the input.
        store.save(marker(), &marked_item()).unwrap();
        assert_eq!(
            store.load(marker()).unwrap(),
            Some(with_id(marked_item(), marker()))
        );
    }
}

fn with_id(mut item: Value, user_id: &str) -> Value {
    item["userId"] = json!(user_id);
    item
}

#[test]
fn malformed_answers_are_described_without_their_bodies() {
    let _turn = crafted_lock();
    let server = crafted();
    let m = marker();
    let loads = [
        (
            "a 200 that is an HTML page",
            Answer::ok(format!("<html><body>{m}</body></html>")),
        ),
        (
            "an attribute value of an unknown type",
            Answer::ok(format!(
                r#"{{"Item":{{"userId":{{"S":"u-{m}"}},"name":{{"S":"{m}"}},"x":{{"Q":"{m}"}},"more":{{"M":{{"k":{{"S":"{m}"}}}}}}}}}}"#
            )),
        ),
        (
            "a number attribute that is the marker",
            Answer::ok(format!(
                r#"{{"Item":{{"name":{{"S":"{m}"}},"n":{{"N":"{m}"}}}}}}"#
            )),
        ),
        (
            "JSON cut short",
            Answer::ok(format!(r#"{{"Item":{{"name":{{"S":"{m}"#)),
        ),
        ("an array, not an object", Answer::ok(format!(r#"["{m}"]"#))),
        ("a body that is not UTF-8", {
            let mut answer = Answer::ok(String::new());
            answer.body = [
                b"{\"Item\":{\"name\":{\"S\":\"".as_slice(),
                m.as_bytes(),
                b"\xff\xfe\"}}}",
            ]
            .concat();
            answer.headers[1].1 = crc32(&answer.body).to_string();
            answer
        }),
        ("a body whose x-amz-crc32 does not match", {
            let mut answer = Answer::ok(format!(
                r#"{{"Item":{{"userId":{{"S":"u"}},"name":{{"S":"{m}"}}}}}}"#
            ));
            answer.headers[1].1 = "1".into();
            answer
        }),
    ];
    for kind in KINDS {
        let mut store = Store::open(kind, server.config()).unwrap();
        for (what, answer) in &loads {
            server.answer_with(answer.clone());
            private_error(
                &format!("{kind:?}: load, {what}"),
                "malformed-response",
                store.load(&format!("user-{m}")),
            );
            assert!(
                server.operations().iter().all(|op| op == "GetItem")
                    && !server.operations().is_empty(),
                "{what}: {:?}",
                server.operations()
            );
        }
        // A gateway's error page (502, HTML) on a save of a marked item.
        server.answer_with(Answer {
            status: 502,
            headers: vec![("content-type".into(), "text/html".into())],
            body: format!("<html><body><h1>502 Bad Gateway</h1>{m}: upstream failed</body></html>")
                .into_bytes(),
        });
        let text = private_error(
            &format!("{kind:?}: save, 502 page"),
            "service",
            store.save(&format!("user-{m}"), &marked_item()),
        );
        assert!(text.contains("502"), "{text}");
        assert_eq!(
            server.operations(),
            vec!["PutItem"; 4],
            "{kind:?}: retried 4 times"
        );
        // The same page on a load.
        private_error(
            &format!("{kind:?}: load, 502 page"),
            "service",
            store.load(m),
        );
        // Error answers whose other parts hold the marker: an HTML 403 page, and a JSON
        // error with DynamoDB's own (plain) message beside a field full of the marker.
        server.answer_with(Answer {
            status: 403,
            headers: vec![("content-type".into(), "text/html".into())],
            body: format!("<html><body>Forbidden: {m}</body></html>").into_bytes(),
        });
        private_error(
            &format!("{kind:?}: load, 403 page"),
            "access-denied",
            store.load(m),
        );
        let error_body = json!({
            "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "message": "Requested resource not found",
            "Item": {"name": {"S": m}},
        });
        server.answer_with(Answer {
            status: 400,
            ..Answer::ok(error_body.to_string())
        });
        private_error(
            &format!("{kind:?}: save, an error answer with an item"),
            "table-missing",
            store.save(&format!("user-{m}"), &marked_item()),
        );
        // A 200 to the save whose body is not JSON.
        server.answer_with(Answer::ok(format!("not json {m}")));
        private_error(
            &format!("{kind:?}: save, a 200 that is not JSON"),
            "malformed-response",
            store.save(&format!("user-{m}"), &marked_item()),
        );
    }
}

/// Two overlapping visits of a user whose item is full of the marker: the later save is a
/// conflict. Then the loser retries with its stale version while the answer to its first
/// attempt is lost (truncated), so the store reads the item back to tell its own write from
/// another's: the conflict again, still without the item.
#[test]
fn conflicts_are_described_without_the_items() {
    for kind in KINDS {
        let table = unique_table("privacy-conflict");
        let config = quick(locking(config(server(), &table)));
        let proxy = FaultProxy::start(server());
        let mut first = Store::open(kind, config.clone()).unwrap();
        let mut through_proxy = config.clone();
        through_proxy.client.endpoint = Some(proxy.endpoint.clone());
        let mut second = Store::open(kind, through_proxy).unwrap();
        let user = format!("user-{}", marker());
        first.save(&user, &marked_item()).unwrap();
        let mut seen_by_first = first.load(&user).unwrap().unwrap();
        let mut seen_by_second = second.load(&user).unwrap().unwrap();
        seen_by_first["user"]["data"]["first"] = json!(format!("{} first", marker()));
        seen_by_second["user"]["data"]["second"] = json!(format!("{} second", marker()));
        first.save(&user, &seen_by_first).unwrap();
        private_error(
            &format!("{kind:?}: overlapping save"),
            "conditional-conflict",
            second.save(&user, &seen_by_second),
        );
        proxy.take_seen();
        proxy.push([Fault::Truncate]);
        private_error(
            &format!("{kind:?}: retried save, first answer lost"),
            "conditional-conflict",
            second.save(&user, &seen_by_second),
        );
        let operations: Vec<_> = proxy.take_seen().into_iter().map(|s| s.operation).collect();
        assert!(
            operations.iter().filter(|op| *op == "PutItem").count() >= 2,
            "{kind:?}: the lost answer was retried: {operations:?}"
        );
        // The first visit's data is what is stored.
        let stored = raw_get_item(server(), &table, "userId", &user).unwrap();
        assert!(stored["user"]["M"]["data"]["M"].get("first").is_some());
        assert!(stored["user"]["M"]["data"]["M"].get("second").is_none());
    }
}

#[test]
fn an_endpoint_with_a_password_or_a_query_is_refused_without_echoing_them() {
    let m = marker();
    for kind in KINDS {
        for endpoint in [
            format!("http://admin:{PASSWORD}@127.0.0.1:8000"),
            format!("http://{m}:{PASSWORD}@127.0.0.1:8000/"),
            format!("http://127.0.0.1:8000/?token={m}&password={PASSWORD}"),
            format!("https://dynamodb.local/#{m}"),
            format!("http://{m}@127.0.0.1:8000/?{PASSWORD}"),
            format!("ftp://{m}:{PASSWORD}@127.0.0.1:8000"),
            format!("http://{m}:{PASSWORD}@127.0.0.1:8000 /x"),
        ] {
            let config = config(&endpoint, "users");
            private_error(
                &format!("{kind:?}: endpoint {endpoint}"),
                "invalid-config",
                Store::open(kind, config).map(|_| ()),
            );
        }
    }
}

#[test]
fn a_credentials_provider_whose_error_quotes_a_secret_is_named_not_quoted() {
    let m = marker();
    let runtime = Runtime::from_component(COMPONENT, Some(&cache_dir()))
        .expect("load the embedded component")
        .with_environment(test_environment())
        .with_credentials_provider(move || {
            Err(format!(
                "login failed: secretAccessKey={m} password={PASSWORD}"
            ))
        });
    for kind in KINDS {
        let mut config = quick(config(server(), &unique_table("provider-secret")));
        config.client.credentials = None;
        let mut store = Store::open_on(&runtime, kind, config).unwrap();
        let text = private_error(
            &format!("{kind:?}: a provider error holding a secret"),
            "credentials-unavailable",
            store.load("user-1"),
        );
        assert!(
            text.contains("your credentials provider"),
            "{kind:?}: says which source failed: {text}"
        );
    }
}

#[test]
fn a_session_token_with_a_line_break_is_refused_without_being_shown() {
    let m = marker();
    for kind in KINDS {
        let mut config = quick(config(server(), &unique_table("crlf-token")));
        if let Some(credentials) = config.client.credentials.as_mut() {
            credentials.session_token = Some(format!("token-{m}\r\nx-injected: {PASSWORD}"));
        }
        let outcome = Store::open(kind, config).and_then(|mut store| store.load("user-1"));
        let error = outcome.expect_err("a token with CR/LF cannot be sent");
        for text in texts(&error) {
            assert!(
                !text.contains(m),
                "{kind:?}: the token reached an error text: {text}"
            );
            assert!(!text.contains(PASSWORD), "{kind:?}: {text}");
        }
    }
}

#[test]
fn a_megabyte_long_error_message_from_the_server_is_cut_short() {
    let _turn = crafted_lock();
    let server = crafted();
    let message = "a very long message from the server. ".repeat(28_000);
    let body = json!({
        "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
        "message": message,
    })
    .to_string();
    assert!(body.len() > 1_000_000);
    server.answer_with(Answer {
        status: 400,
        headers: vec![("content-type".into(), "application/x-amz-json-1.0".into())],
        body: body.into_bytes(),
    });
    for kind in KINDS {
        let mut store = Store::open(kind, server.config()).unwrap();
        let text = private_error(
            &format!("{kind:?}: a 1 MB error message"),
            "service",
            store.load("user-1"),
        );
        assert!(
            text.len() < 1_000,
            "{kind:?}: an error text of {} characters",
            text.len()
        );
    }
}
