//! `ensure-table`: find the table, create it when allowed, and wait until it is usable.
//!
//! The wait is what the original plugin lacked: it created the table and failed the request
//! ("Please wait a moment and resend the request"). Here the call returns once DynamoDB
//! reports the table ACTIVE, so the first request of a new app succeeds.

use crate::bindings::exports::jovo::dynamodb::store::{StoreError, TableStatus};
use crate::config::Settings;
use crate::host::Host;
use crate::protocol::{self, Acknowledged, Operation, TableDescription};
use crate::service::Service;

const FIRST_POLL_MS: u32 = 100;
const MAX_POLL_MS: u32 = 1_000;

pub async fn ensure<H: Host>(service: &Service<H>) -> Result<TableStatus, StoreError> {
    let settings = &*service.settings;
    let timeout_ms = u64::from(settings.table_ready_timeout_ms);
    let started = service.host.now_ms();
    let mut slept_ms: u64 = 0;
    let mut created: Option<TableStatus> = None;
    let mut polls: u32 = 0;
    loop {
        let last_status = match describe(service).await? {
            Some(table) if is_usable(&table.status) => {
                check_key_schema(settings, &table)?;
                return Ok(created.unwrap_or(TableStatus::AlreadyExisted));
            }
            Some(table) if is_transient(&table.status) => table.status,
            Some(table) => return Err(unusable(settings, &table.status)),
            None if !settings.create_table_on_init => return Err(table_missing(settings)),
            None if created.is_none() => {
                created = Some(create(service).await?);
                "CREATING".to_string()
            }
            // DescribeTable is eventually consistent: a just-created table may not show yet.
            None => "CREATING".to_string(),
        };
        let elapsed = service.host.now_ms().saturating_sub(started).max(slept_ms);
        if elapsed >= timeout_ms {
            return Err(StoreError::TimedOut(format!(
                "table '{}' is still {last_status} after {elapsed} ms; DynamoDB usually needs seconds to create a table: raise the client option 'table ready timeout ms' (now {timeout_ms}) or try again shortly",
                settings.table_name
            )));
        }
        let delay =
            poll_delay(polls).min(u32::try_from(timeout_ms - elapsed).unwrap_or(MAX_POLL_MS));
        if let (Some(left), Some(limit)) = (service.remaining_ms(), service.operation_timeout_ms())
        {
            if left <= u64::from(delay) {
                return Err(StoreError::TimedOut(format!(
                    "table '{}' is still {last_status}, and the client option 'operation timeout ms' ({limit} ms) ran out while waiting for it; the table will serve a later request once DynamoDB has made it ACTIVE (raise that option to wait longer)",
                    settings.table_name
                )));
            }
        }
        service.host.sleep(delay).await;
        slept_ms += u64::from(delay);
        polls += 1;
    }
}

/// 100, 200, 400, 800, 1000, 1000, ... ms.
fn poll_delay(polls: u32) -> u32 {
    FIRST_POLL_MS
        .saturating_mul(1 << polls.min(4))
        .min(MAX_POLL_MS)
}

/// UPDATING tables serve reads and writes.
fn is_usable(status: &str) -> bool {
    matches!(status, "ACTIVE" | "UPDATING")
}

/// States that end by themselves: a DELETING table disappears and is then created anew.
fn is_transient(status: &str) -> bool {
    matches!(status, "CREATING" | "DELETING")
}

fn unusable(settings: &Settings, status: &str) -> StoreError {
    StoreError::TableMissing(format!(
        "table '{}' exists but is {status}, so it cannot serve requests; restore or re-create it in the AWS console",
        settings.table_name
    ))
}

/// The table is gone and this client may not create it.
pub fn table_missing(settings: &Settings) -> StoreError {
    StoreError::TableMissing(format!(
        "table '{}' does not exist and the table option 'create table on init' is false; create the table (partition key '{}', type S) or turn that option on",
        settings.table_name, settings.primary_key_column
    ))
}

async fn describe<H: Host>(service: &Service<H>) -> Result<Option<TableDescription>, StoreError> {
    let body = protocol::describe_table(&service.settings.table_name);
    match service.call(Operation::DescribeTable, &body).await {
        Ok(answer) => protocol::table_description(answer)
            .map(Some)
            .map_err(|failure| failure.into_store_error(Operation::DescribeTable.name(), 1)),
        Err(failed) if failed.service_code() == Some("ResourceNotFoundException") => Ok(None),
        Err(failed) => Err(failed.into_store_error(Operation::DescribeTable)),
    }
}

async fn create<H: Host>(service: &Service<H>) -> Result<TableStatus, StoreError> {
    let settings = &service.settings;
    let body = protocol::create_table(
        &settings.table_name,
        &settings.primary_key_column,
        settings.billing,
    );
    match service
        .call::<Acknowledged>(Operation::CreateTable, &body)
        .await
    {
        Ok(_) => Ok(TableStatus::Created),
        // Another process (another Lambda instance) created it first: just as good.
        Err(failed) if failed.service_code() == Some("ResourceInUseException") => {
            Ok(TableStatus::CreatedConcurrently)
        }
        Err(failed) => Err(failed.into_store_error(Operation::CreateTable)),
    }
}

/// The plugin reads and writes `{<primary-key-column>: {S: userId}}` keys, so the table
/// must have exactly that partition key and no sort key.
fn check_key_schema(settings: &Settings, table: &TableDescription) -> Result<(), StoreError> {
    let expected = (settings.primary_key_column.clone(), "S".to_string());
    if table.partition_key.as_ref() == Some(&expected) && table.sort_key.is_none() {
        return Ok(());
    }
    let found = match (&table.partition_key, &table.sort_key) {
        (Some((name, kind)), None) => format!("partition key '{name}' of type {kind}"),
        (Some((name, kind)), Some(sort)) => {
            format!("partition key '{name}' of type {kind} and sort key '{sort}'")
        }
        (None, _) => "no partition key".to_string(),
    };
    Err(StoreError::InvalidConfig(format!(
        "table '{}' has {found}, but this plugin needs partition key '{}' of type S and no sort key; set the table option 'primary key column' to match or use another table",
        settings.table_name, settings.primary_key_column
    )))
}
