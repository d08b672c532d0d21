//! The tokio store: drives the component's step-driven export (`client.start`,
//! `operation.advance`) with async I/O, so one store serves many concurrent operations.
//!
//! The wasmtime store of the instance is behind a tokio mutex that is held only while the
//! component computes a step (validate, marshal, sign, parse: tens of microseconds), never
//! while a request is on the wire or a backoff sleeps. Operations of many users therefore
//! overlap their I/O, and the component itself keeps each operation's retries and backoff.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

use crate::async_http::AsyncHttp;
use crate::bindings::exports::jovo::dynamodb::store::{HttpResponse, TransportError};
use crate::bindings::exports::jovo::dynamodb::store::{
    OperationRequest, OperationResult, OutgoingRequest, SaveRequest, Step,
};
use crate::bindings::Persistence;
use crate::credentials::CredentialsCache;
use crate::json_value::parse_item;
use crate::transport::HostState;
use crate::{item_text, Error, Item, TableStatus, TimeToLiveStatus};

/// One client of one table for async code (tokio), in its own component instance.
/// `Clone` (a handle), `Send` and `Sync`: share one store between all tasks; any number of
/// operations may run at once. Opened with [`Runtime::open_async`](crate::Runtime::open_async).
///
/// ```no_run
/// # async fn example() -> Result<(), jovo_dynamodb_host::Error> {
/// use jovo_dynamodb_host::{Config, Runtime};
/// let store = Runtime::load_default()?.open_async(Config::for_table("users"))?;
/// store.save_user("user-1", &serde_json::json!({"user": {"data": {"visits": 1}}})).await?;
/// let item = store.load_user("user-1").await?; // Some(json) or None
/// # Ok(()) }
/// ```
///
/// Dropping an operation's future abandons it (the component forgets it at the next step
/// of any other operation, or when the store is dropped).
#[derive(Clone)]
pub struct AsyncDynamoDbStore {
    inner: Arc<Inner>,
}

struct Inner {
    instance: tokio::sync::Mutex<Instance>,
    /// Operations whose future was dropped while another one held the instance; dropped
    /// in the component by the next operation that takes it.
    abandoned: Mutex<Vec<ResourceAny>>,
    http: AsyncHttp,
    /// The runtime's credentials: fetched before a step when there are none, refreshed in
    /// the background after a step that signed with ones about to expire; `None` when the
    /// config carries its own.
    credentials: Option<Arc<CredentialsCache>>,
}

struct Instance {
    store: Store<HostState>,
    bindings: Persistence,
    client: ResourceAny,
}

impl Instance {
    fn drop_abandoned(&mut self, abandoned: &Mutex<Vec<ResourceAny>>) {
        let operations = std::mem::take(
            &mut *abandoned
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for operation in operations {
            // A trapped instance refuses this too; nothing more to free then.
            let _ = operation.resource_drop(&mut self.store);
        }
    }
}

/// An operation in flight; dropping it (the future was cancelled, or the component
/// trapped) drops the operation resource in the component.
struct InFlight<'a> {
    inner: &'a Inner,
    operation: Option<ResourceAny>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let Some(operation) = self.operation.take() else {
            return;
        };
        match self.inner.instance.try_lock() {
            Ok(mut instance) => {
                let _ = operation.resource_drop(&mut instance.store);
            }
            Err(_) => self
                .inner
                .abandoned
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(operation),
        }
    }
}

impl AsyncDynamoDbStore {
    pub(crate) fn new(
        store: Store<HostState>,
        bindings: Persistence,
        client: ResourceAny,
        http: AsyncHttp,
        credentials: Option<Arc<CredentialsCache>>,
    ) -> AsyncDynamoDbStore {
        AsyncDynamoDbStore {
            inner: Arc::new(Inner {
                instance: tokio::sync::Mutex::new(Instance {
                    store,
                    bindings,
                    client,
                }),
                abandoned: Mutex::new(Vec::new()),
                http,
                credentials,
            }),
        }
    }

    /// Makes sure the table exists and is ACTIVE, creating it when allowed.
    pub async fn ensure_table(&self) -> Result<TableStatus, Error> {
        match self.run(OperationRequest::EnsureTable).await? {
            OperationResult::EnsureTable(status) => Ok(status),
            other => Err(unexpected(other)),
        }
    }

    /// Turns on Time to Live when `expire-after-days` is set, and says how it stands.
    pub async fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, Error> {
        match self.run(OperationRequest::EnsureTimeToLive).await? {
            OperationResult::EnsureTimeToLive(status) => Ok(status),
            other => Err(unexpected(other)),
        }
    }

    /// The stored item of `user_id` as typed attribute values, or `None` (see
    /// [`DynamoDbStore::load_user_item`](crate::DynamoDbStore::load_user_item)).
    pub async fn load_user_item(&self, user_id: &str) -> Result<Option<Item>, Error> {
        self.load_user_json(user_id)
            .await?
            .map(|text| item_text::read(&text))
            .transpose()
    }

    /// Replaces the stored item of `user_id` with `item` (see
    /// [`DynamoDbStore::save_user_item`](crate::DynamoDbStore::save_user_item)).
    pub async fn save_user_item(&self, user_id: &str, item: &Item) -> Result<(), Error> {
        self.save_user_json(user_id, &item_text::write(item)?).await
    }

    /// The stored item of `user_id` as a `serde_json::Value`, or `None`; an item holding
    /// binary, a set or a lone surrogate fails with `invalid-input` (see
    /// [`DynamoDbStore::load_user`](crate::DynamoDbStore::load_user)).
    pub async fn load_user(&self, user_id: &str) -> Result<Option<Value>, Error> {
        parse_item(self.load_user_json(user_id).await?)
    }

    /// The stored item of `user_id` as the exact item text the component returned (see
    /// [`DynamoDbStore::load_user_json`](crate::DynamoDbStore::load_user_json)).
    pub async fn load_user_json(&self, user_id: &str) -> Result<Option<String>, Error> {
        match self
            .run(OperationRequest::LoadUser(user_id.to_string()))
            .await?
        {
            OperationResult::LoadUser(text) => Ok(text),
            other => Err(unexpected(other)),
        }
    }

    /// Replaces the stored item of `user_id` with `item` (a JSON object), written by
    /// serde_json as plain JSON.
    pub async fn save_user(&self, user_id: &str, item: &Value) -> Result<(), Error> {
        self.save_user_json(user_id, &item.to_string()).await
    }

    /// Like [`save_user`](Self::save_user), with the item as item text (see
    /// [`DynamoDbStore::save_user_json`](crate::DynamoDbStore::save_user_json)).
    pub async fn save_user_json(&self, user_id: &str, item: &str) -> Result<(), Error> {
        let request = OperationRequest::SaveUser(SaveRequest {
            user_id: user_id.to_string(),
            item: item.to_string(),
        });
        match self.run(request).await? {
            OperationResult::SaveUser => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Deletes the stored item of `user_id`; a missing item is not an error.
    pub async fn delete_user(&self, user_id: &str) -> Result<(), Error> {
        match self
            .run(OperationRequest::DeleteUser(user_id.to_string()))
            .await?
        {
            OperationResult::DeleteUser => Ok(()),
            other => Err(unexpected(other)),
        }
    }

    /// Starts `request` and performs its steps until it is done.
    async fn run(&self, request: OperationRequest) -> Result<OperationResult, Error> {
        let inner = &*self.inner;
        let mut in_flight = InFlight {
            inner,
            operation: None,
        };
        let mut outcome: Option<Result<HttpResponse, TransportError>> = None;
        loop {
            if let Some(credentials) = &inner.credentials {
                credentials.ensure_usable().await;
            }
            let step = {
                let mut instance = inner.instance.lock().await;
                instance.drop_abandoned(&inner.abandoned);
                let Instance {
                    store,
                    bindings,
                    client,
                } = &mut *instance;
                let api = bindings.jovo_dynamodb_store();
                let operation = match in_flight.operation {
                    Some(operation) => operation,
                    None => {
                        let started = api.client().call_start(&mut *store, *client, &request)?;
                        in_flight.operation = Some(started);
                        started
                    }
                };
                let step = api.operation().call_advance(
                    &mut *store,
                    operation,
                    outcome.as_ref().map(Result::as_ref),
                )?;
                if matches!(step, Step::Done(_)) {
                    in_flight.operation = None;
                    operation.resource_drop(&mut *store)?;
                }
                step
            };
            if let Some(credentials) = &inner.credentials {
                credentials.refresh_if_wanted();
            }
            outcome = match step {
                Step::Send(OutgoingRequest {
                    request,
                    timeout_ms,
                }) => Some(inner.http.send(request, timeout_ms).await),
                Step::Sleep(ms) => {
                    tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
                    None
                }
                Step::Done(result) => return result.map_err(Error::Store),
            };
        }
    }
}

fn unexpected(result: OperationResult) -> Error {
    Error::Runtime(wasmtime::Error::msg(format!(
        "the component finished with the result of another operation: {result:?}"
    )))
}
