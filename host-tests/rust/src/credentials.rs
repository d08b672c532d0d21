//! Credentials and region from the standard AWS environment variables, read on every
//! `host.credentials` call so that rotated values are picked up.

use crate::AwsCredentials;

pub fn from_environment() -> Result<AwsCredentials, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(access_key_id), Some(secret_access_key)) => Ok(AwsCredentials {
            access_key_id,
            secret_access_key,
            session_token: var("AWS_SESSION_TOKEN"),
        }),
        _ => Err("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set".into()),
    }
}

/// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
pub fn region_from_environment() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}
