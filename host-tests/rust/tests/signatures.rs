//! Real signatures and least privilege, against a moto server that checks SigV4 and IAM
//! policies (installed by scripts/install-moto.sh, started and stopped by these tests).
//!
//! The IAM user of the Jovo docs, with exactly the seed's eight DynamoDB permissions, can
//! do everything the plugin does; a wrong secret or a missing permission is the typed
//! `access-denied` error (moto answers 403 with XML, not DynamoDB's JSON); temporary
//! credentials carry their session token; and no credential appears in any error text.

#[path = "support/moto.rs"]
mod moto;
mod support;

use std::sync::{Mutex, OnceLock};

use jovo_dynamodb_host::{
    AwsCredentials, Config, Error, StoreError, TableStatus, TimeToLiveStatus,
};
use moto::{Key, Moto, SEED_PERMISSIONS};
use serde_json::json;
use support::{store_error, unique_table};

struct Setup {
    moto: Moto,
    /// The user of the Jovo docs: exactly the eight permissions.
    app: Key,
    /// The same without dynamodb:PutItem.
    no_put: Key,
    /// Temporary credentials of a role with the eight permissions (with a session token).
    role: Key,
    /// The eight plus dynamodb:DescribeTimeToLive and dynamodb:UpdateTimeToLive.
    ttl_admin: Key,
    /// The eight plus dynamodb:DescribeTimeToLive only.
    ttl_reader: Key,
}

/// One moto per test binary; users, role and keys are made before auth is switched on.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let moto = Moto::start();
        let app = moto.user_with_policy("jovo-app", &SEED_PERMISSIONS);
        let without_put: Vec<&str> = SEED_PERMISSIONS
            .into_iter()
            .filter(|p| *p != "dynamodb:PutItem")
            .collect();
        let no_put = moto.user_with_policy("jovo-no-put", &without_put);
        let role = moto.assumed_role("jovo-role", &SEED_PERMISSIONS);
        let with = |extra: &[&'static str]| -> Vec<&'static str> {
            SEED_PERMISSIONS.iter().chain(extra).copied().collect()
        };
        let ttl_admin = moto.user_with_policy(
            "jovo-ttl-admin",
            &with(&["dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive"]),
        );
        let ttl_reader =
            moto.user_with_policy("jovo-ttl-reader", &with(&["dynamodb:DescribeTimeToLive"]));
        moto.enable_auth();
        Setup {
            moto,
            app,
            no_put,
            role,
            ttl_admin,
            ttl_reader,
        }
    })
}

fn config_for(table: &str, key: &Key) -> Config {
    let mut config = Config::for_table(table).with_endpoint(&setup().moto.endpoint);
    config.client.credentials = Some(AwsCredentials {
        access_key_id: key.access_key_id.clone(),
        secret_access_key: key.secret_access_key.clone(),
        session_token: key.session_token.clone(),
    });
    config
}

/// Every credential value this suite signs with, right or wrong.
fn credential_values() -> Vec<String> {
    let setup = setup();
    let mut values = vec![WRONG_SECRET.to_string(), WRONG_TOKEN.to_string()];
    for key in [
        &setup.app,
        &setup.no_put,
        &setup.role,
        &setup.ttl_admin,
        &setup.ttl_reader,
    ] {
        values.push(key.access_key_id.clone());
        values.push(key.secret_access_key.clone());
        values.extend(key.session_token.clone());
    }
    values
}

const WRONG_SECRET: &str = "wrongSecretKeyWrongSecretKeyWrong0123456";
const WRONG_TOKEN: &str = "FwoGZXIvYXdzEBogusSessionTokenValue0123456789";

/// Every error the suite produced, with the test that produced it.
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The error of `result`, after checking that neither its text nor its `Debug` form holds
/// any credential value.
fn checked_error<T: std::fmt::Debug>(result: Result<T, Error>) -> Error {
    let error = match result {
        Err(e) => e,
        Ok(value) => panic!("expected an error, got {value:?}"),
    };
    let texts = [error.to_string(), format!("{error:?}")];
    for text in &texts {
        for secret in credential_values() {
            assert!(
                !text.contains(&secret),
                "an error text contains a credential value: {text}"
            );
        }
    }
    ERRORS.lock().unwrap().push(texts[0].clone());
    error
}

fn access_denied_code(error: Error) -> (String, u16, u32) {
    match store_error::<()>(Err(error)) {
        StoreError::AccessDenied(service) => (service.code, service.status, service.attempts),
        other => panic!("expected access-denied, got {other:?}"),
    }
}

#[test]
fn the_user_with_exactly_the_eight_permissions_can_ensure_save_load_and_delete() {
    let table = unique_table("moto-app");
    let mut store = support::runtime()
        .open(config_for(&table, &setup().app))
        .unwrap();
    assert_eq!(store.ensure_table().unwrap(), TableStatus::Created);
    let item = json!({"user": {"data": {"visits": 1}}, "createdAt": "2026-11-24T10:00:00.000Z"});
    store.save_user("user-1", &item).unwrap();
    let loaded = store.load_user("user-1").unwrap().unwrap();
    assert_eq!(loaded["user"], item["user"]);
    assert_eq!(loaded["userId"], "user-1");
    store.delete_user("user-1").unwrap();
    assert_eq!(store.load_user("user-1").unwrap(), None);
    // A second client finds the table through DescribeTable alone.
    let mut again = support::runtime()
        .open(config_for(&table, &setup().app))
        .unwrap();
    assert_eq!(again.ensure_table().unwrap(), TableStatus::AlreadyExisted);
}

fn retention_config(table: &str, key: &Key) -> Config {
    let mut config = config_for(table, key);
    config.table.expire_after_days = Some(30);
    config
}

#[test]
fn time_to_live_is_turned_on_where_the_server_and_the_policy_allow_it() {
    let table = unique_table("moto-ttl");
    let mut admin = support::runtime()
        .open(retention_config(&table, &setup().ttl_admin))
        .unwrap();
    admin.ensure_table().unwrap();
    assert!(matches!(
        admin.ensure_time_to_live().unwrap(),
        TimeToLiveStatus::Enabled
    ));
    admin
        .save_user("u", &json!({"user": {"data": {}}}))
        .unwrap();
    assert!(admin.load_user("u").unwrap().unwrap()["expiresAt"].is_number());
    // A client that may only describe finds it on: it really is on at the server, since
    // this identity could not have turned it on.
    let mut reader = support::runtime()
        .open(retention_config(&table, &setup().ttl_reader))
        .unwrap();
    assert!(matches!(
        reader.ensure_time_to_live().unwrap(),
        TimeToLiveStatus::Enabled
    ));
}

#[test]
fn with_only_the_seeds_permissions_time_to_live_is_reported_not_fatal() {
    let table = unique_table("moto-ttl-denied");
    let mut store = support::runtime()
        .open(retention_config(&table, &setup().app))
        .unwrap();
    assert_eq!(store.ensure_table().unwrap(), TableStatus::Created);
    match store.ensure_time_to_live().unwrap() {
        TimeToLiveStatus::Unavailable(reason) => {
            assert!(reason.contains("dynamodb:UpdateTimeToLive"), "{reason}");
            for secret in credential_values() {
                assert!(!reason.contains(&secret), "{reason}");
            }
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    store
        .save_user("u", &json!({"user": {"data": {}}}))
        .unwrap();
}

#[test]
fn a_wrong_secret_key_is_access_denied_not_a_parse_error() {
    let mut key = setup().app.clone();
    key.secret_access_key = WRONG_SECRET.to_string();
    let mut store = support::runtime()
        .open(config_for(&unique_table("moto-wrong-secret"), &key))
        .unwrap();
    let error = checked_error(store.load_user("user-1"));
    assert_eq!(error.code(), "access-denied", "{error}");
    let (code, status, attempts) = access_denied_code(error);
    assert_eq!(
        (code.as_str(), status, attempts),
        ("SignatureDoesNotMatch", 403, 1)
    );
}

#[test]
fn an_unknown_access_key_is_access_denied() {
    let key = Key {
        access_key_id: "AKIAUNKNOWNUNKNOWN00".into(),
        secret_access_key: WRONG_SECRET.into(),
        session_token: None,
    };
    let mut store = support::runtime()
        .open(config_for(&unique_table("moto-unknown-key"), &key))
        .unwrap();
    let error = checked_error(store.save_user("user-1", &json!({"user": {"data": {}}})));
    let (code, status, _) = access_denied_code(error);
    assert_eq!(status, 403, "{code}");
}

#[test]
fn temporary_credentials_carry_their_session_token_and_are_accepted() {
    let role = &setup().role;
    // STS temporary keys: ASIA… with a session token that moto compares on every request.
    assert!(role.access_key_id.starts_with("ASIA") && role.session_token.is_some());
    let table = unique_table("moto-session");
    let mut store = support::runtime().open(config_for(&table, role)).unwrap();
    store.ensure_table().unwrap();
    store
        .save_user(
            "user-1",
            &json!({"user": {"data": {"via": "assumed role"}}}),
        )
        .unwrap();
    assert_eq!(
        store.load_user("user-1").unwrap().unwrap()["user"]["data"]["via"],
        "assumed role"
    );

    // The token is really checked: a wrong one, or none, is refused.
    let mut wrong_token = role.clone();
    wrong_token.session_token = Some(WRONG_TOKEN.to_string());
    let mut store = support::runtime()
        .open(config_for(&table, &wrong_token))
        .unwrap();
    let error = checked_error(store.load_user("user-1"));
    assert_eq!(access_denied_code(error).1, 403);

    let mut no_token = role.clone();
    no_token.session_token = None;
    let mut store = support::runtime()
        .open(config_for(&table, &no_token))
        .unwrap();
    let error = checked_error(store.load_user("user-1"));
    assert_eq!(access_denied_code(error).1, 403);
}

#[test]
fn a_user_whose_policy_lacks_put_item_is_denied_on_save() {
    let table = unique_table("moto-no-put");
    let mut store = support::runtime()
        .open(config_for(&table, &setup().no_put))
        .unwrap();
    // Everything else of the plugin still works for this user.
    store.ensure_table().unwrap();
    assert_eq!(store.load_user("user-1").unwrap(), None);
    store.delete_user("user-1").unwrap();
    let error = checked_error(store.save_user("user-1", &json!({"user": {"data": {}}})));
    assert_eq!(error.code(), "access-denied", "{error}");
    let (code, status, attempts) = access_denied_code(error);
    assert_eq!((code.as_str(), status, attempts), ("AccessDenied", 403, 1));
}

#[test]
fn no_error_of_the_suite_contains_a_credential() {
    // Errors of every kind this suite can provoke, each checked by `checked_error`, plus
    // the ones other tests collected so far (tests run in parallel: each also checks its
    // own errors as it makes them).
    let table = unique_table("moto-errors");
    let mut wrong = setup().app.clone();
    wrong.secret_access_key = WRONG_SECRET.to_string();
    wrong.session_token = Some(WRONG_TOKEN.to_string());
    let mut store = support::runtime().open(config_for(&table, &wrong)).unwrap();
    checked_error(store.ensure_table());
    checked_error(store.save_user("", &json!({})));
    checked_error(store.save_user_json("user-1", "not json"));
    let mut no_put = support::runtime()
        .open(config_for(&table, &setup().no_put))
        .unwrap();
    checked_error(no_put.save_user("user-1", &json!({"user": {}})));
    let mut unreachable = config_for(&table, &setup().app);
    unreachable.client.endpoint = Some("http://127.0.0.1:9".into());
    unreachable.client.max_attempts = Some(1);
    let mut store = support::runtime().open(unreachable).unwrap();
    checked_error(store.load_user("user-1"));

    let errors = ERRORS.lock().unwrap().clone();
    assert!(errors.len() >= 5, "{errors:?}");
    println!("errors checked so far:\n{}", errors.join("\n"));
    for error in &errors {
        for secret in credential_values() {
            assert!(!error.contains(&secret), "{error}");
        }
    }
}
