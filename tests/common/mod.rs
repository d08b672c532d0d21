//! A scripted host for the guest's native tests: answers from a queue, records every
//! request and sleep, and a clock that moves only when the client sleeps or sends.
//!
//! The same scripted scenarios run through the three drivers of the guest's logic: each test
//! binary that includes this module names its [`Driver`] as `crate::DRIVER`, and
//! [`client`] drives operations that way.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use std::future::Future;

use jovo_dynamodb_wasm::bindings::exports::jovo::dynamodb::store::{
    Config, OperationRequest, OperationResult, SaveRequest, StoreError, TableStatus,
    TimeToLiveStatus,
};
use jovo_dynamodb_wasm::client::Client;
use jovo_dynamodb_wasm::config::Settings;
use jovo_dynamodb_wasm::drive::{block_on, Step, StepOperation};
use jovo_dynamodb_wasm::host::{
    AwsCredentials, Environment, Host, HttpRequest, HttpResponse, Outcome, TransportError,
};
use jovo_dynamodb_wasm::wasi::{WasiHost, WasiIo};

pub type Answer = Result<HttpResponse, TransportError>;

#[derive(Default)]
pub struct ScriptedHost {
    answers: RefCell<VecDeque<Answer>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub sleeps: RefCell<Vec<u32>>,
    /// The timeout the client gave each request it sent.
    pub timeouts: RefCell<Vec<u32>>,
    clock_ms: Cell<u64>,
    /// What the WASI driver reads through `wasi:cli/environment`.
    pub environment: RefCell<Vec<(String, String)>>,
}

/// The scripted host's clock at the start of every test (2023-11-14T22:13:20Z).
pub const START_MS: u64 = 1_700_000_000_000;

impl ScriptedHost {
    pub fn answering(answers: Vec<Answer>) -> ScriptedHost {
        let host = ScriptedHost {
            answers: RefCell::new(answers.into()),
            ..ScriptedHost::default()
        };
        host.clock_ms.set(START_MS);
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

impl ScriptedHost {
    /// Replaces the answers not used yet.
    pub fn script_next(&self, answers: Vec<Answer>) {
        *self.answers.borrow_mut() = answers.into();
    }

    /// The host's clock now.
    pub fn now(&self) -> u64 {
        self.clock_ms.get()
    }

    fn answer(&self, request: HttpRequest, timeout_ms: u32) -> Outcome {
        self.requests.borrow_mut().push(request);
        self.timeouts.borrow_mut().push(timeout_ms);
        let answer = self.answers.borrow_mut().pop_front().unwrap_or_else(|| {
            panic!(
                "the client sent more requests than scripted: {:?}",
                self.operations()
            )
        });
        // A stalled server takes the whole timeout; anything else answers in 1 ms.
        let took = match &answer {
            Err(TransportError::TimedOut(why)) if why == STALLED => u64::from(timeout_ms),
            _ => 1,
        };
        self.clock_ms.set(self.clock_ms.get() + took);
        answer
    }

    /// The `x-amz-date` of the `n`th request sent.
    pub fn signed_at(&self, n: usize) -> String {
        self.requests.borrow()[n]
            .headers
            .iter()
            .find(|(k, _)| k == "x-amz-date")
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn wait(&self, ms: u32) {
        self.sleeps.borrow_mut().push(ms);
        self.clock_ms.set(self.clock_ms.get() + u64::from(ms));
    }
}

impl Environment for &ScriptedHost {
    fn now_ms(&self) -> u64 {
        self.clock_ms.get()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        Err("the scripted host has no credentials".into())
    }
}

/// As a blocking host: every future is ready at once.
impl Host for &ScriptedHost {
    fn send(&self, request: HttpRequest, timeout_ms: u32) -> impl Future<Output = Outcome> {
        std::future::ready(self.answer(request, timeout_ms))
    }

    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        self.wait(ms);
        std::future::ready(())
    }
}

/// How a test drives the guest's logic.
#[derive(Clone, Copy, Debug)]
pub enum Driver {
    /// As the blocking `client` methods do: the host's futures are ready at once.
    Blocking,
    /// As `client.start` does: the test performs each send and sleep step.
    Stepped,
    /// As the WASI build's `client` methods do: [`WasiHost`] over WASI calls that block
    /// (here the scripted host's), credentials from the environment variables.
    Wasi,
}

impl Driver {
    /// The reason a driver gives when it has no credentials to sign with.
    pub fn no_credentials_reason(self) -> &'static str {
        match self {
            Driver::Blocking | Driver::Stepped => "the scripted host has no credentials",
            Driver::Wasi => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
        }
    }
}

/// The scripted host behind the WASI driver's blocking calls.
struct ScriptedWasi<'a>(&'a ScriptedHost);

impl WasiIo for ScriptedWasi<'_> {
    fn exchange(&self, request: &HttpRequest, timeout_ms: u32) -> Outcome {
        self.0.answer(request.clone(), timeout_ms)
    }

    fn sleep(&self, ms: u32) {
        self.0.wait(ms)
    }

    fn now_ms(&self) -> u64 {
        self.0.now()
    }

    fn environment(&self) -> Vec<(String, String)> {
        self.0.environment.borrow().clone()
    }
}

/// A client of the scripted host, driven by the test binary's [`Driver`].
pub struct TestClient<'a> {
    client: Client<&'a ScriptedHost>,
    host: &'a ScriptedHost,
    driver: Driver,
}

impl TestClient<'_> {
    pub fn ensure_table(&self) -> Result<TableStatus, StoreError> {
        match self.run(OperationRequest::EnsureTable)? {
            OperationResult::EnsureTable(status) => Ok(status),
            other => panic!("ensure-table returned {other:?}"),
        }
    }

    pub fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, StoreError> {
        match self.run(OperationRequest::EnsureTimeToLive)? {
            OperationResult::EnsureTimeToLive(status) => Ok(status),
            other => panic!("ensure-time-to-live returned {other:?}"),
        }
    }

    pub fn load_user(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        match self.run(OperationRequest::LoadUser(user_id.into()))? {
            OperationResult::LoadUser(item) => Ok(item),
            other => panic!("load-user returned {other:?}"),
        }
    }

    pub fn save_user(&self, user_id: &str, item: &str) -> Result<(), StoreError> {
        let request = SaveRequest {
            user_id: user_id.into(),
            item: item.into(),
        };
        self.run(OperationRequest::SaveUser(request)).map(drop)
    }

    pub fn delete_user(&self, user_id: &str) -> Result<(), StoreError> {
        self.run(OperationRequest::DeleteUser(user_id.into()))
            .map(drop)
    }

    fn run(&self, request: OperationRequest) -> Result<OperationResult, StoreError> {
        match self.driver {
            Driver::Blocking => block_on(self.client.run(request))
                .unwrap_or_else(|| panic!("a blocking operation did not complete")),
            Driver::Wasi => {
                let client = self.client.with_host(WasiHost(ScriptedWasi(self.host)));
                block_on(client.run(request))
                    .unwrap_or_else(|| panic!("a WASI operation did not complete"))
            }
            Driver::Stepped => {
                let mut operation = StepOperation::start(self.host, |host| {
                    let client = self.client.with_host(host);
                    async move { client.run(request).await }
                });
                let mut outcome = None;
                loop {
                    match operation.advance(outcome.take()) {
                        Step::Send(request, timeout_ms) => {
                            outcome = Some(self.host.answer(request, timeout_ms))
                        }
                        Step::Sleep(ms) => self.host.wait(ms),
                        Step::Done(result) => return result,
                    }
                }
            }
        }
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

/// What the scripted host answers for a server that accepts the request and never answers:
/// the request's whole timeout passes.
pub const STALLED: &str = "stalled server";

pub fn stalled() -> Answer {
    Err(TransportError::TimedOut(STALLED.into()))
}

/// An error answer with a `Date` header and a message of its own.
pub fn dated_error(status: u16, code: &str, message: &str, date: &str) -> Answer {
    Ok(HttpResponse {
        status,
        headers: vec![("Date".into(), date.into())],
        body: format!(r#"{{"__type":"com.amazon.coral.service#{code}","message":"{message}"}}"#)
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

/// A client of `host`, driven as the test binary's `DRIVER` says.
pub fn client(config: Config, host: &ScriptedHost) -> TestClient<'_> {
    driven_client(crate::DRIVER, config, host)
}

pub fn driven_client(driver: Driver, config: Config, host: &ScriptedHost) -> TestClient<'_> {
    let settings =
        Settings::from_wit(config).unwrap_or_else(|_| panic!("test config must be valid"));
    TestClient {
        client: Client::new(settings, host),
        host,
        driver,
    }
}

/// A config whose table is taken as existing, so only item requests are sent.
pub fn existing_table() -> Config {
    let mut config = config();
    config.table.create_table_on_init = Some(false);
    config
}
