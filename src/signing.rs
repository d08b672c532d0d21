//! AWS Signature Version 4 for service `dynamodb`, by the `aws-sigv4` crate.
//!
//! The time comes from the host's clock: `SystemTime::now()` does not exist on
//! wasm32-unknown-unknown.

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

use crate::host::AwsCredentials;

const SERVICE: &str = "dynamodb";
/// 9999-12-31T23:59:59Z: the date formatting inside aws-sigv4 panics past year 9999, so a
/// broken host clock must be refused here.
const LATEST_SIGNABLE_MS: u64 = 253_402_300_799_000;

/// The headers to add to a request so DynamoDB accepts it: `x-amz-date`,
/// `authorization` and, for temporary credentials, `x-amz-security-token`.
///
/// `headers` are the request's own headers; all of them are signed. `host` is derived
/// from `url`, as the host's HTTP client will send it.
pub fn signature_headers(
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    credentials: &AwsCredentials,
    region: &str,
    now_ms: u64,
) -> Result<Vec<(String, String)>, String> {
    if now_ms > LATEST_SIGNABLE_MS {
        return Err(format!(
            "the host's clock reads {now_ms} ms since 1970, after the year 9999; fix the host's now-ms"
        ));
    }
    let identity = Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
        credentials.session_token.clone(),
        None,
        "jovo-dynamodb",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(UNIX_EPOCH + Duration::from_millis(now_ms))
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot prepare the signature: {e}"))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    // aws-sigv4's errors describe the request, never the credentials.
    .map_err(|e| format!("cannot sign the request: {e}"))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| format!("cannot sign the request: {e}"))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(token: Option<&str>) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(str::to_string),
        }
    }

    fn sign_at(now_ms: u64, token: Option<&str>) -> Vec<(String, String)> {
        let headers = vec![
            (
                "content-type".to_string(),
                "application/x-amz-json-1.0".to_string(),
            ),
            (
                "x-amz-target".to_string(),
                "DynamoDB_20120810.GetItem".to_string(),
            ),
        ];
        signature_headers(
            "https://dynamodb.us-east-1.amazonaws.com/",
            &headers,
            b"{}",
            &credentials(token),
            "us-east-1",
            now_ms,
        )
        .unwrap()
    }

    fn value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn signs_with_the_hosts_clock() {
        // 2015-08-30T12:36:00Z, the date of AWS's SigV4 test suite.
        let headers = sign_at(1_440_938_160_000, None);
        assert_eq!(value(&headers, "x-amz-date"), Some("20150830T123600Z"));
        let authorization = value(&headers, "authorization").unwrap();
        assert!(authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
        ));
        assert!(!authorization.contains("wJalrXUtnFEMI"));
    }

    #[test]
    fn session_tokens_are_sent_and_signed() {
        let headers = sign_at(1_440_938_160_000, Some("TOKEN"));
        assert_eq!(value(&headers, "x-amz-security-token"), Some("TOKEN"));
        assert!(value(&headers, "authorization")
            .unwrap()
            .contains("x-amz-security-token"));
    }

    #[test]
    fn a_clock_beyond_year_9999_is_an_error_not_a_panic() {
        let result = signature_headers(
            "https://dynamodb.us-east-1.amazonaws.com/",
            &[],
            b"{}",
            &credentials(None),
            "us-east-1",
            u64::MAX,
        );
        assert!(result.unwrap_err().contains("host's clock"));
    }

    #[test]
    fn the_same_input_gives_the_same_signature() {
        assert_eq!(
            sign_at(1_700_000_000_000, None),
            sign_at(1_700_000_000_000, None)
        );
        assert_ne!(
            sign_at(1_700_000_000_000, None),
            sign_at(1_700_000_001_000, None)
        );
    }
}
