//! Data retention: turning on DynamoDB Time to Live for the expiry attribute that every
//! save writes when `expire-after-days` is set.
//!
//! A server or identity that cannot do Time to Live (dynalite has no UpdateTimeToLive; the
//! plugin's documented IAM policy lacks the two TTL permissions) must not break the app:
//! items are still saved with their expiry attribute, and the status says what is missing.

use crate::bindings::exports::jovo::dynamodb::store::{StoreError, TimeToLiveStatus};
use crate::errors::Failure;
use crate::host::Host;
use crate::protocol::{self, Acknowledged, Operation};
use crate::service::{Failed, Service};

pub async fn ensure<H: Host>(service: &Service<H>) -> Result<TimeToLiveStatus, StoreError> {
    let Some(expiry) = &service.settings.expiry else {
        return Ok(TimeToLiveStatus::NotConfigured);
    };
    let table = &service.settings.table_name;
    let described = service
        .call(
            Operation::DescribeTimeToLive,
            &protocol::describe_time_to_live(table),
        )
        .await;
    let response = match described {
        Ok(response) => response,
        Err(failed) => return unavailable_or_error(failed, Operation::DescribeTimeToLive),
    };
    let (status, attribute) = protocol::time_to_live_description(response)
        .map_err(|f| f.into_store_error(Operation::DescribeTimeToLive.name(), 1))?;
    let on = matches!(status.as_str(), "ENABLED" | "ENABLING");
    match attribute {
        Some(name) if on && name == expiry.attribute => return Ok(TimeToLiveStatus::Enabled),
        Some(name) if on => {
            return Err(StoreError::InvalidConfig(format!(
                "table '{table}' has Time to Live on attribute '{name}', but the table option 'expiry attribute' is '{}'; set it to '{name}' (a table has one TTL attribute)",
                expiry.attribute
            )))
        }
        _ => {}
    }
    let body = protocol::enable_time_to_live(table, &expiry.attribute);
    match service
        .call::<Acknowledged>(Operation::UpdateTimeToLive, &body)
        .await
    {
        Ok(_) => Ok(TimeToLiveStatus::Enabled),
        Err(failed) => unavailable_or_error(failed, Operation::UpdateTimeToLive),
    }
}

/// DynamoDB's refusals become `unavailable` with advice; transport trouble stays an error.
fn unavailable_or_error(
    failed: Failed,
    operation: Operation,
) -> Result<TimeToLiveStatus, StoreError> {
    let Failure::Service(service) = &failed.failure else {
        return Err(failed.into_store_error(operation));
    };
    let advice = if service.is_access_denied() {
        "grant dynamodb:DescribeTimeToLive and dynamodb:UpdateTimeToLive, or turn Time to Live on in the console"
    } else {
        "this server has no Time to Live; items keep their expiry attribute and are not deleted by it"
    };
    Ok(TimeToLiveStatus::Unavailable(format!(
        "{} answered {}: {}; {advice}",
        operation.name(),
        service.code,
        service.message
    )))
}
