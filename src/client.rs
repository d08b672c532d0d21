//! Item operations of one client: validate input, make sure the table exists before the
//! first item operation, build the item as the plugin stores it, and handle conflicts.
//! Above table management ([`table`], [`retention`]), which sits above [`Service`].

use std::cell::Cell;
use std::rc::Rc;

use crate::bindings::exports::jovo::dynamodb::store::{
    OperationRequest, OperationResult, SaveRequest, ServiceError, StoreError, TableStatus,
    TimeToLiveStatus,
};
use crate::config::Settings;
use crate::errors::Failure;
use crate::host::Host;
use crate::json::{self, Tree};
use crate::numbers;
use crate::protocol::{self, Acknowledged, Operation, Precondition};
use crate::service::Service;
use crate::transcode::{self, ItemError, ItemRules, MarshalledItem, MAX_ITEM_BYTES};
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
        self.service.start_operation();
        self.ensure_table_within_deadline().await
    }

    async fn ensure_table_within_deadline(&self) -> Result<TableStatus, StoreError> {
        let status = table::ensure(&self.service).await?;
        // `unavailable` is reported by ensure_time_to_live; it must not stop the app.
        retention::ensure(&self.service).await?;
        self.table_ready.set(true);
        Ok(status)
    }

    pub async fn ensure_time_to_live(&self) -> Result<TimeToLiveStatus, StoreError> {
        self.service.start_operation();
        retention::ensure(&self.service).await
    }

    pub async fn load_user(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        validate_user_id(user_id)?;
        self.service.start_operation();
        let settings = &self.service.settings;
        let body = protocol::get_item(&settings.table_name, &settings.primary_key_column, user_id);
        self.item_operation(Operation::GetItem, &body, |body| {
            transcode::unmarshal_get_item(body).map_err(Failure::Malformed)
        })
        .await
    }

    pub async fn save_user(&self, user_id: &str, item: &str) -> Result<(), StoreError> {
        validate_user_id(user_id)?;
        self.service.start_operation();
        let settings = &self.service.settings;
        let rules = ItemRules {
            key_column: &settings.primary_key_column,
            version_attribute: settings.version_attribute.as_deref(),
            expiry_attribute: settings.expiry.as_ref().map(|e| e.attribute.as_str()),
            convert_empty_values: settings.convert_empty_values,
        };
        let marshalled = transcode::marshal_item(item, rules).map_err(item_error)?;
        let precondition = settings
            .version_attribute
            .as_ref()
            .map(|attribute| Precondition {
                attribute: attribute.clone(),
                version: marshalled.version,
            });
        let members = self.item_members(user_id, &marshalled, precondition.as_ref())?;
        let body = protocol::put_item(&settings.table_name, &members, precondition.as_ref());
        match self
            .item_operation(Operation::PutItem, &body, protocol::decode::<Acknowledged>)
            .await
        {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionalConflict(conflict)) => {
                // A retry after a lost answer meets its own first write: not a conflict.
                if conflict.attempts > 1 && self.stored_item_is(user_id, &members).await {
                    return Ok(());
                }
                Err(conflict_error(precondition.as_ref(), conflict))
            }
            Err(other) => Err(other),
        }
    }

    pub async fn delete_user(&self, user_id: &str) -> Result<(), StoreError> {
        validate_user_id(user_id)?;
        self.service.start_operation();
        let settings = &self.service.settings;
        let body =
            protocol::delete_item(&settings.table_name, &settings.primary_key_column, user_id);
        self.item_operation(
            Operation::DeleteItem,
            &body,
            protocol::decode::<Acknowledged>,
        )
        .await
        .map(drop)
    }

    /// The members of the `Item` object as the plugin writes them: key column first, then
    /// the item's attributes, then the version and expiry attributes this component
    /// maintains. Refuses items over DynamoDB's size limit.
    fn item_members(
        &self,
        user_id: &str,
        marshalled: &MarshalledItem,
        precondition: Option<&Precondition>,
    ) -> Result<String, StoreError> {
        let settings = &self.service.settings;
        let key_column = &settings.primary_key_column;
        let mut members = String::with_capacity(marshalled.attributes.len() + 256);
        json::push_string(&mut members, key_column);
        members.push_str(":{\"S\":");
        json::push_string(&mut members, user_id);
        members.push('}');
        let mut size = key_column.len() + user_id.len() + marshalled.size;
        if !marshalled.attributes.is_empty() {
            members.push(',');
            members.push_str(&marshalled.attributes);
        }
        let mut push_number = |attribute: &str, value: u64| {
            let digits = value.to_string();
            members.push(',');
            json::push_string(&mut members, attribute);
            members.push_str(":{\"N\":\"");
            members.push_str(&digits);
            members.push_str("\"}");
            size += attribute.len() + numbers::stored_size(&digits);
        };
        if let Some(precondition) = precondition {
            let next = precondition.version.map_or(1, |v| v.saturating_add(1));
            push_number(&precondition.attribute, next);
        }
        if let Some(expiry) = &settings.expiry {
            let expires_at =
                self.service.host.now_ms() / 1000 + u64::from(expiry.after_days) * 86_400;
            push_number(&expiry.attribute, expires_at);
        }
        if size > MAX_ITEM_BYTES {
            return Err(StoreError::ItemTooLarge(format!(
                "the item is {size} bytes as DynamoDB counts them, over its limit of {MAX_ITEM_BYTES} bytes (400 KB); nothing was saved: store less per user (e.g. fewer history items) or keep large data elsewhere"
            )));
        }
        Ok(members)
    }

    /// Whether the stored item of `user_id` has exactly these attribute values.
    async fn stored_item_is(&self, user_id: &str, members: &str) -> bool {
        let Ok(expected) = Tree::parse(format!("{{{members}}}").as_bytes()) else {
            return false;
        };
        let settings = &self.service.settings;
        let body = protocol::get_item(&settings.table_name, &settings.primary_key_column, user_id);
        let read = |body: &[u8]| {
            Tree::parse(body).map_err(|e| Failure::Malformed(format!("the body is not JSON ({e})")))
        };
        self.service
            .call_with(Operation::GetItem, &body, read)
            .await
            .is_ok_and(|stored| {
                stored
                    .get(b"Item")
                    .is_some_and(|item| item.same_as(&expected))
            })
    }

    /// GetItem, PutItem or DeleteItem, after the table is known to exist. A table that
    /// vanished since (deleted by hand) is ensured once more when auto-create is on.
    async fn item_operation<T>(
        &self,
        operation: Operation,
        body: &[u8],
        decode: impl Fn(&[u8]) -> Result<T, Failure> + Copy,
    ) -> Result<T, StoreError> {
        self.ensure_table_once().await?;
        match self.service.call_with(operation, body, decode).await {
            Err(failed) if failed.service_code() == Some("ResourceNotFoundException") => {
                if !self.service.settings.create_table_on_init {
                    return Err(table::table_missing(&self.service.settings));
                }
                self.table_ready.set(false);
                self.ensure_table_once().await?;
                self.service
                    .call_with(operation, body, decode)
                    .await
                    .map_err(|f| f.into_store_error(operation))
            }
            other => other.map_err(|f| f.into_store_error(operation)),
        }
    }

    async fn ensure_table_once(&self) -> Result<(), StoreError> {
        if self.service.settings.create_table_on_init && !self.table_ready.get() {
            self.ensure_table_within_deadline().await?;
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

fn item_error(error: ItemError) -> StoreError {
    StoreError::InvalidInput(match error {
        ItemError::Syntax(e) => {
            format!("the item is not valid JSON ({e}); pass the JSON text of an object")
        }
        ItemError::NotAnObject(kind) => format!(
            "the item must be a JSON object like {{\"user\":{{\"data\":{{}}}}}}, got {kind}"
        ),
        ItemError::Attribute { path, reason } => format!("item attribute '{path}': {reason}"),
    })
}

fn conflict_error(precondition: Option<&Precondition>, conflict: ServiceError) -> StoreError {
    let expected = match precondition.and_then(|p| p.version) {
        Some(version) => format!("version {version}"),
        None => "no version yet (a new user)".into(),
    };
    StoreError::ConditionalConflict(ServiceError {
        message: format!(
            "the user was saved by another request after this item was loaded (expected {expected}); nothing was saved: load the user again, reapply the change and save. DynamoDB: {}",
            conflict.message
        ),
        ..conflict
    })
}
