//! The jovo-dynamodb component: one user item per user in one DynamoDB table.
//!
//! One load or save reads in one pass: `lib.rs` (the `store` export) → [`client`] (item
//! operations: validation, table on first use, locking) → [`table`] / [`retention`] (table
//! management) → [`service`] (sign, send, retry, parse errors) → [`host`]. [`transcode`] and
//! [`protocol`] turn items and requests into DynamoDB JSON and back. Each layer calls only
//! the ones below it.
//!
//! The logic is async code over the [`host::Host`] trait; [`drive`] runs it either blocking
//! (the `client` methods, over the `host.send` import) or step by step (`client.start`).

// The guest must never panic (a panic is a trap the host cannot recover from); lint the
// shortcuts that would.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod client;
pub mod config;
pub mod deadline;
pub mod drive;
pub mod errors;
pub mod host;
pub mod item_text;
pub mod json;
pub mod numbers;
pub mod protocol;
pub mod retention;
pub mod retry;
pub mod service;
pub mod signing;
pub mod table;
pub mod transcode;
pub mod wasi;

/// Generated from `wit/`. Nothing generated leaks out under another name. The `wasi`
/// feature builds world `persistence-wasi`: the same `store` export over WASI imports.
pub mod bindings {
    #[cfg(not(feature = "wasi"))]
    wit_bindgen::generate!({ path: "wit", world: "persistence" });
    #[cfg(feature = "wasi")]
    wit_bindgen::generate!({ path: "wit", world: "persistence-wasi", generate_all });
}

use std::cell::RefCell;
use std::future::Future;

use bindings::exports::jovo::dynamodb::store::{
    self, Config, OperationRequest, OperationResult, OutgoingRequest, StoreError, TableStatus,
    TimeToLiveStatus,
};
use drive::{block_on, internal_error, ComponentHost, Step, StepOperation, BLOCKING, ENVIRONMENT};
use host::Outcome;

/// The exported `store` interface.
struct Component;

impl store::Guest for Component {
    type Client = ClientResource;
    type Operation = OperationResource;
}

/// The `client` resource: a [`client::Client`] over the blocking imports; step-driven
/// operations borrow its state over hosts of their own.
pub struct ClientResource(client::Client<ComponentHost>);

impl ClientResource {
    fn blocking<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        block_on(operation)
            .unwrap_or_else(|| Err(internal_error("a blocking host import did not complete")))
    }
}

impl store::GuestClient for ClientResource {
    fn open(config: Config) -> Result<store::Client, StoreError> {
        // In a WASI runtime the region may come from the environment, as in the AWS SDKs.
        #[cfg(feature = "wasi")]
        let config = {
            use wasi::WasiIo;
            let mut config = config;
            if config.client.region.is_none() {
                config.client.region = wasi::region_from_environment(&wasi::Wasi.environment());
            }
            config
        };
        let settings = config::Settings::from_wit(config)?;
        Ok(store::Client::new(ClientResource(client::Client::new(
            settings,
            ComponentHost::Blocking(BLOCKING),
        ))))
    }

    fn ensure_table(&self) -> Result<TableStatus, StoreError> {
        self.blocking(self.0.ensure_table())
    }

    fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, StoreError> {
        self.blocking(self.0.ensure_time_to_live())
    }

    fn load_user(&self, user_id: String) -> Result<Option<String>, StoreError> {
        self.blocking(self.0.load_user(&user_id))
    }

    fn save_user(&self, user_id: String, item: String) -> Result<(), StoreError> {
        self.blocking(self.0.save_user(&user_id, &item))
    }

    fn delete_user(&self, user_id: String) -> Result<(), StoreError> {
        self.blocking(self.0.delete_user(&user_id))
    }

    fn start(&self, request: OperationRequest) -> store::Operation {
        let operation = StepOperation::start(ENVIRONMENT, |host| {
            let client = self.0.with_host(ComponentHost::Stepped(host));
            async move { client.run(request).await }
        });
        store::Operation::new(OperationResource(RefCell::new(operation)))
    }
}

/// The `operation` resource: one step-driven operation. The component is single-threaded
/// and a method call runs to its end before the next, so the `RefCell` is never contended.
pub struct OperationResource(RefCell<StepOperation<'static, OperationResult>>);

impl store::GuestOperation for OperationResource {
    fn advance(&self, outcome: Option<Outcome>) -> store::Step {
        let Ok(mut operation) = self.0.try_borrow_mut() else {
            return store::Step::Done(Err(internal_error(
                "an operation was advanced from within itself",
            )));
        };
        match operation.advance(outcome) {
            Step::Send(request, timeout_ms) => store::Step::Send(OutgoingRequest {
                request,
                timeout_ms,
            }),
            Step::Sleep(ms) => store::Step::Sleep(ms),
            Step::Done(result) => store::Step::Done(result),
        }
    }
}

// Exported only for wasm: the export names (`jovo:dynamodb/store@0.1.0#...`) are not valid
// symbols for a native linker, and native builds exist only to run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);
