//! A scripted host for the guest's native tests: answers from a queue, records every
//! request and sleep, and a clock that moves only when the client sleeps or sends.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::Config;
use jovo_dynamodb_wasm::client::Client;
use jovo_dynamodb_wasm::config::Settings;
use jovo_dynamodb_wasm::host::{AwsCredentials, Host, HttpRequest, HttpResponse, TransportError};

pub type Answer = Result<HttpResponse, TransportError>;

#[derive(Default)]
pub struct ScriptedHost {
    answers: RefCell<VecDeque<Answer>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub sleeps: RefCell<Vec<u32>>,
    clock_ms: Cell<u64>,
}

impl ScriptedHost {
    pub fn answering(answers: Vec<Answer>) -> ScriptedHost {
        let host = ScriptedHost {
            answers: RefCell::new(answers.into()),
            ..ScriptedHost::default()
        };
        host.clock_ms.set(1_700_000_000_000);
        host
    }

    /// The `x-amz-target` operation of every request sent, e.g. `["DescribeTable", "GetItem"]`.
    pub fn operations(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|r| {
                r.headers
                    .iter()
                    .find(|(k, _)| k == "x-amz-target")
                    .map(|(_, v)| v.trim_start_matches("DynamoDB_20120810.").to_string())
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl Host for &ScriptedHost {
    fn send(
        &self,
        request: &HttpRequest,
        _timeout_ms: u32,
    ) -> Result<HttpResponse, TransportError> {
        self.requests.borrow_mut().push(request.clone());
        self.clock_ms.set(self.clock_ms.get() + 1);
        self.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            panic!(
                "the client sent more requests than scripted: {:?}",
                self.operations()
            )
        })
    }

    fn now_ms(&self) -> u64 {
        self.clock_ms.get()
    }

    fn sleep_ms(&self, ms: u32) {
        self.sleeps.borrow_mut().push(ms);
        self.clock_ms.set(self.clock_ms.get() + u64::from(ms));
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        Err("the scripted host has no credentials".into())
    }
}

pub fn ok(body: &str) -> Answer {
    Ok(HttpResponse {
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    })
}

pub fn error(status: u16, code: &str) -> Answer {
    Ok(HttpResponse {
        status,
        headers: vec![("x-amzn-RequestId".into(), "REQ-1".into())],
        body: format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{code} happened"}}"#
        )
        .into_bytes(),
    })
}

pub fn table(status: &str) -> Answer {
    ok(&format!(
        r#"{{"Table":{{"TableStatus":"{status}","KeySchema":[{{"AttributeName":"userId","KeyType":"HASH"}}],"AttributeDefinitions":[{{"AttributeName":"userId","AttributeType":"S"}}]}}}}"#
    ))
}

/// The plugin's defaults for table "users" in eu-west-1, with fixed test credentials.
pub fn config() -> Config {
    let mut config = jovo_dynamodb_wasm::config::defaults_for("users", "eu-west-1");
    config.client.credentials = Some(AwsCredentials {
        access_key_id: "AKIDTEST".into(),
        secret_access_key: "secret".into(),
        session_token: None,
    });
    config
}

pub fn client(config: Config, host: &ScriptedHost) -> Client<&ScriptedHost> {
    let settings =
        Settings::from_wit(config).unwrap_or_else(|_| panic!("test config must be valid"));
    Client::new(settings, host)
}

/// A config whose table is taken as existing, so only item requests are sent.
pub fn existing_table() -> Config {
    let mut config = config();
    config.table.create_table_on_init = Some(false);
    config
}
