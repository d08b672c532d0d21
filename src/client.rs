//! Item operations of one client: validate input, make sure the table exists before the
//! first item operation, build the item as the plugin stores it, and handle conflicts.
//! Above table management ([`table`], [`retention`]), which sits above [`Service`].

use std::cell::Cell;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::bindings::exports::jovo::dynamodb::store::{
    OperationRequest, OperationResult, SaveRequest, ServiceError, StoreError, TableStatus,
    TimeToLiveStatus,
};
use crate::config::Settings;
use crate::host::Host;
use crate::marshal::{self, MarshallOptions, MAX_ITEM_BYTES};
use crate::protocol::{self, Operation, Precondition};
use crate::service::Service;
use crate::{retention, table};

/// DynamoDB partition key values hold at most 2048 bytes.
pub const MAX_USER_ID_BYTES: usize = 2048;

pub struct Client<H> {
    service: Service<H>,
    /// Set once `ensure-table` succeeded, so later operations skip DescribeTable. Shared by
    /// every operation of the client, also those in flight at once.
    table_ready: Rc<Cell<bool>>,
}

impl<H> Client<H> {
    /// The same client (settings, table state, backoff) over another host: each step-driven
    /// operation runs over a host of its own.
    pub fn with_host<G: Host>(&self, host: G) -> Client<G> {
        Client {
            service: self.service.with_host(host),
            table_ready: Rc::clone(&self.table_ready),
        }
    }
}

impl<H: Host> Client<H> {
    pub fn new(settings: Settings, host: H) -> Client<H> {
        Client {
            service: Service::new(settings, host),
            table_ready: Rc::new(Cell::new(false)),
        }
    }

    /// Runs `request`: what the blocking method of the same name does.
    pub async fn run(&self, request: OperationRequest) -> Result<OperationResult, StoreError> {
        Ok(match request {
            OperationRequest::EnsureTable => {
                OperationResult::EnsureTable(self.ensure_table().await?)
            }
            OperationRequest::EnsureTimeToLive => {
                OperationResult::EnsureTimeToLive(self.ensure_time_to_live().await?)
            }
            OperationRequest::LoadUser(user_id) => {
                OperationResult::LoadUser(self.load_user(&user_id).await?)
            }
            OperationRequest::SaveUser(SaveRequest { user_id, item }) => {
                self.save_user(&user_id, &item).await?;
                OperationResult::SaveUser
            }
            OperationRequest::DeleteUser(user_id) => {
                self.delete_user(&user_id).await?;
                OperationResult::DeleteUser
            }
        })
    }

    pub async fn ensure_table(&self) -> Result<TableStatus, StoreError> {
        let status = table::ensure(&self.service).await?;
        // `unavailable` is reported by ensure_time_to_live; it must not stop the app.
        retention::ensure(&self.service).await?;
        self.table_ready.set(true);
        Ok(status)
    }

    pub async fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, StoreError> {
        retention::ensure(&self.service).await
    }

    pub async fn load_user(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        validate_user_id(user_id)?;
        let body = protocol::get_item(
            &self.service.settings.table_name,
            &self.service.settings.primary_key_column,
            user_id,
        );
        let mut response = self.item_operation(Operation::GetItem, &body).await?;
        let attributes = match response.swap_remove("Item") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(attributes)) => attributes,
            Some(_) => {
                return Err(malformed(
                    "GetItem answered with an Item that is not an object",
                ))
            }
        };
        let item = marshal::unmarshal_item(attributes).map_err(|why| {
            malformed(&format!(
                "GetItem returned an item DynamoDB cannot have stored: {why}"
            ))
        })?;
        serde_json::to_string(&Value::Object(item))
            .map(Some)
            .map_err(|e| malformed(&format!("the loaded item cannot be written as JSON: {e}")))
    }

    pub async fn save_user(&self, user_id: &str, item: &str) -> Result<(), StoreError> {
        validate_user_id(user_id)?;
        let mut fields = parse_item(item)?;
        let precondition = self.precondition(&mut fields)?;
        let attributes = self.item_attributes(user_id, fields, precondition.as_ref())?;
        let body = protocol::put_item(
            &self.service.settings.table_name,
            attributes,
            precondition.as_ref(),
        );
        match self.item_operation(Operation::PutItem, &body).await {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionalConflict(conflict)) => {
                // A retry after a lost answer meets its own first write: not a conflict.
                if conflict.attempts > 1 && self.stored_item_is(user_id, &body["Item"]).await {
                    return Ok(());
                }
                Err(conflict_error(user_id, precondition.as_ref(), conflict))
            }
            Err(other) => Err(other),
        }
    }

    pub async fn delete_user(&self, user_id: &str) -> Result<(), StoreError> {
        validate_user_id(user_id)?;
        let body = protocol::delete_item(
            &self.service.settings.table_name,
            &self.service.settings.primary_key_column,
            user_id,
        );
        self.item_operation(Operation::DeleteItem, &body)
            .await
            .map(drop)
    }

    /// With optimistic locking: what the stored item must be for this save to win, taken
    /// from (and removed from) the version attribute of the item being saved.
    fn precondition(
        &self,
        fields: &mut Map<String, Value>,
    ) -> Result<Option<Precondition>, StoreError> {
        let Some(attribute) = &self.service.settings.version_attribute else {
            return Ok(None);
        };
        let version = match fields.shift_remove(attribute) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
            Some(other) => {
                return Err(StoreError::InvalidInput(format!(
                    "item attribute '{attribute}' is {}; with optimistic locking it must be the version number load-user returned, or absent for a new user",
                    crate::config::shorten(&other.to_string())
                )))
            }
        };
        Ok(Some(Precondition {
            attribute: attribute.clone(),
            version,
        }))
    }

    /// The marshalled item as the plugin writes it: key column first, then the item's
    /// attributes, then the version and expiry attributes this component maintains.
    fn item_attributes(
        &self,
        user_id: &str,
        mut fields: Map<String, Value>,
        precondition: Option<&Precondition>,
    ) -> Result<Map<String, Value>, StoreError> {
        let settings = &self.service.settings;
        let key_column = &settings.primary_key_column;
        fields.shift_remove(key_column);
        if let Some(expiry) = &settings.expiry {
            fields.shift_remove(&expiry.attribute);
        }
        let options = MarshallOptions {
            convert_empty_values: settings.convert_empty_values,
        };
        let marshalled = marshal::marshal_item(&fields, options).map_err(|e| {
            StoreError::InvalidInput(format!("item attribute '{}': {}", e.path, e.reason))
        })?;
        let mut attributes = Map::with_capacity(marshalled.len() + 3);
        attributes.insert(key_column.clone(), serde_json::json!({ "S": user_id }));
        attributes.extend(marshalled);
        if let Some(precondition) = precondition {
            let next = precondition.version.map_or(1, |v| v.saturating_add(1));
            attributes.insert(precondition.attribute.clone(), number(next));
        }
        if let Some(expiry) = &settings.expiry {
            let expires_at =
                self.service.host.now_ms() / 1000 + u64::from(expiry.after_days) * 86_400;
            attributes.insert(expiry.attribute.clone(), number(expires_at));
        }
        let size = marshal::item_size(&attributes);
        if size > MAX_ITEM_BYTES {
            return Err(StoreError::ItemTooLarge(format!(
                "the item of user '{}' is {size} bytes as DynamoDB counts them, over its limit of {MAX_ITEM_BYTES} bytes (400 KB); nothing was saved: store less per user (e.g. fewer history items) or keep large data elsewhere",
                crate::config::shorten(user_id)
            )));
        }
        Ok(attributes)
    }

    /// Whether the stored item of `user_id` has exactly these attribute values.
    async fn stored_item_is(&self, user_id: &str, expected: &Value) -> bool {
        let body = protocol::get_item(
            &self.service.settings.table_name,
            &self.service.settings.primary_key_column,
            user_id,
        );
        self.service
            .call(Operation::GetItem, &body)
            .await
            .is_ok_and(|response| response.get("Item") == Some(expected))
    }

    /// GetItem, PutItem or DeleteItem, after the table is known to exist. A table that
    /// vanished since (deleted by hand) is ensured once more when auto-create is on.
    async fn item_operation(
        &self,
        operation: Operation,
        body: &Value,
    ) -> Result<Map<String, Value>, StoreError> {
        self.ensure_table_once().await?;
        match self.service.call(operation, body).await {
            Err(failed) if failed.service_code() == Some("ResourceNotFoundException") => {
                if !self.service.settings.create_table_on_init {
                    return Err(table::table_missing(&self.service.settings));
                }
                self.table_ready.set(false);
                self.ensure_table_once().await?;
                self.service
                    .call(operation, body)
                    .await
                    .map_err(|f| f.into_store_error(operation))
            }
            other => other.map_err(|f| f.into_store_error(operation)),
        }
    }

    async fn ensure_table_once(&self) -> Result<(), StoreError> {
        if self.service.settings.create_table_on_init && !self.table_ready.get() {
            self.ensure_table().await?;
        }
        Ok(())
    }
}

fn validate_user_id(user_id: &str) -> Result<(), StoreError> {
    if user_id.is_empty() {
        return Err(StoreError::InvalidInput(
            "the user id is empty; DynamoDB keys need at least one character".into(),
        ));
    }
    if user_id.len() > MAX_USER_ID_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "the user id has {} bytes; DynamoDB partition keys hold at most {MAX_USER_ID_BYTES} (hash longer ids)",
            user_id.len()
        )));
    }
    Ok(())
}

fn parse_item(item: &str) -> Result<Map<String, Value>, StoreError> {
    match serde_json::from_str::<Value>(item) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(StoreError::InvalidInput(format!(
            "the item must be a JSON object like {{\"user\":{{\"data\":{{}}}}}}, got {}",
            marshal::kind(&other)
        ))),
        Err(e) => Err(StoreError::InvalidInput(format!(
            "the item is not valid JSON ({e}); pass the JSON text of an object"
        ))),
    }
}

fn number(value: u64) -> Value {
    serde_json::json!({ "N": value.to_string() })
}

fn conflict_error(
    user_id: &str,
    precondition: Option<&Precondition>,
    conflict: ServiceError,
) -> StoreError {
    let expected = match precondition.and_then(|p| p.version) {
        Some(version) => format!("version {version}"),
        None => "no version yet (a new user)".into(),
    };
    StoreError::ConditionalConflict(ServiceError {
        message: format!(
            "user '{}' was saved by another request after this item was loaded (expected {expected}); nothing was saved: load the user again, reapply the change and save. DynamoDB: {}",
            crate::config::shorten(user_id),
            conflict.message
        ),
        ..conflict
    })
}

fn malformed(why: &str) -> StoreError {
    StoreError::MalformedResponse(format!("{why}; check that the endpoint is DynamoDB"))
}
