//! AWS Signature Version 4 for service `dynamodb`, for the one request shape this component
//! sends: `POST` of a JSON body to a fixed URL with a few headers.
//!
//! The signing key and the signature come from `aws-sigv4`'s `sign::v4` primitives. The
//! canonical request is ours, built from the `http::Request`: `aws-sigv4`'s full
//! `http_request::sign()` adds ~164 KB to the component (measured in wasm32, opt-level s,
//! LTO) for generality one request shape does not need, and would derive the signing key
//! (four HMACs) again for every request. The signatures are checked byte for byte against
//! that `sign()` in this module's tests, and against moto's verifier in the Rust host's tests.
//!
//! The time comes from the host's clock: `SystemTime::now()` does not exist on
//! wasm32-unknown-unknown.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use sha2::{Digest, Sha256};

use crate::host::AwsCredentials;

const SERVICE: &str = "dynamodb";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
/// 9999-12-31T23:59:59Z: `x-amz-date` has four digits for the year, so a broken host clock
/// must be refused here.
const LATEST_SIGNABLE_MS: u64 = 253_402_300_799_000;

/// Signs requests to one URL in one region. Keeps the signing key of the last day it signed
/// for: it depends only on the secret, the date, the region and the service, so it is
/// derived once a day instead of once a request. The secret itself is not kept; a digest
/// of it tells whether the credentials changed since, and a change takes effect at once.
pub struct Signer {
    region: String,
    /// The `host` header the host's HTTP client will send for the URL.
    host: String,
    cached_key: RefCell<Option<SigningKey>>,
}

struct SigningKey {
    secret_digest: [u8; 32],
    date: String,
    key: Vec<u8>,
}

impl Signer {
    /// For requests to `uri`, an `http(s)://host[:port]/path` URL as validated by the config.
    pub fn new(uri: &http::Uri, region: &str) -> Signer {
        let authority = uri.authority().map_or("", http::uri::Authority::as_str);
        // HTTP clients leave a scheme's default port out of the Host header.
        let default_port = if uri.scheme_str() == Some("http") {
            ":80"
        } else {
            ":443"
        };
        let host = authority.strip_suffix(default_port).unwrap_or(authority);
        Signer {
            region: region.to_string(),
            host: host.to_string(),
            cached_key: RefCell::new(None),
        }
    }

    /// Adds what DynamoDB needs to accept `request`: `x-amz-date`, `authorization` and, for
    /// temporary credentials, `x-amz-security-token`. Every header the request has is
    /// signed, with `host`. The URI's path is already canonical (the config allows only
    /// unreserved characters) and it has no query.
    pub fn sign(
        &self,
        request: &mut http::Request<Vec<u8>>,
        credentials: &AwsCredentials,
        now_ms: u64,
    ) -> Result<(), String> {
        if now_ms > LATEST_SIGNABLE_MS {
            return Err(format!(
                "the host's clock reads {now_ms} ms since 1970, after the year 9999; fix the host's now-ms"
            ));
        }
        let time = UNIX_EPOCH + Duration::from_millis(now_ms);
        let timestamp = amz_date(now_ms)?;
        let date = &timestamp[..8];
        let headers = request.headers_mut();
        headers.insert(X_AMZ_DATE, header_value(&timestamp)?);
        if let Some(token) = &credentials.session_token {
            headers.insert(X_AMZ_SECURITY_TOKEN, header_value(token)?);
        }
        let headers = request.headers();
        let mut signed: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        for (name, value) in headers {
            let value = value
                .to_str()
                .map_err(|_| format!("header '{name}' is not visible ASCII"))?;
            signed.push((name.as_str(), value.trim()));
        }
        signed.push(("host", &self.host));
        signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

        let mut canonical = String::with_capacity(512);
        canonical.push_str(request.method().as_str());
        canonical.push('\n');
        canonical.push_str(request.uri().path());
        canonical.push_str("\n\n");
        for (name, value) in &signed {
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(value);
            canonical.push('\n');
        }
        canonical.push('\n');
        let signed_names = signed
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(";");
        canonical.push_str(&signed_names);
        canonical.push('\n');
        canonical.push_str(&hex::encode(Sha256::digest(request.body())));

        let scope = format!("{date}/{}/{SERVICE}/aws4_request", self.region);
        let string_to_sign = format!(
            "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let signature = self.signature(&credentials.secret_access_key, date, time, &string_to_sign);
        let authorization = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_names}, Signature={signature}",
            credentials.access_key_id
        );
        let authorization = header_value(&authorization)?;
        request.headers_mut().insert(AUTHORIZATION, authorization);
        Ok(())
    }

    /// The signature of `string_to_sign` with the signing key of `date`, derived only when
    /// the day or the secret changed.
    fn signature(
        &self,
        secret: &str,
        date: &str,
        time: SystemTime,
        string_to_sign: &str,
    ) -> String {
        let secret_digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let mut cached = self.cached_key.borrow_mut();
        let key = match cached.take() {
            Some(key) if key.date == date && key.secret_digest == secret_digest => key,
            _ => SigningKey {
                secret_digest,
                date: date.to_string(),
                key: generate_signing_key(secret, time, &self.region, SERVICE)
                    .as_ref()
                    .to_vec(),
            },
        };
        let signature = calculate_signature(&key.key, string_to_sign.as_bytes());
        *cached = Some(key);
        signature
    }
}

fn header_value(text: &str) -> Result<HeaderValue, String> {
    HeaderValue::from_str(text)
        .map_err(|_| "a signature header would not be a valid HTTP header value".to_string())
}

/// `YYYYMMDDTHHMMSSZ` for milliseconds since the epoch (at most year 9999).
fn amz_date(now_ms: u64) -> Result<String, String> {
    let seconds = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    let time = time::OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| format!("the host's clock reads {now_ms} ms since 1970, which is no date"))?;
    Ok(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    ))
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

    fn request_headers() -> Vec<(String, String)> {
        vec![
            (
                "content-type".to_string(),
                "application/x-amz-json-1.0".to_string(),
            ),
            (
                "x-amz-target".to_string(),
                "DynamoDB_20120810.GetItem".to_string(),
            ),
        ]
    }

    /// The headers `signer` adds to our request to `url`, sorted.
    fn added_by(
        signer: &Signer,
        url: &str,
        body: &[u8],
        credentials: &AwsCredentials,
        now_ms: u64,
    ) -> Result<Vec<(String, String)>, String> {
        let mut request = http::Request::post(url);
        for (name, value) in request_headers() {
            request = request.header(name, value);
        }
        let mut request = request.body(body.to_vec()).unwrap();
        let before = request.headers().len();
        signer.sign(&mut request, credentials, now_ms)?;
        let mut added: Vec<(String, String)> = request
            .headers()
            .iter()
            .skip(before)
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
            .collect();
        added.sort();
        Ok(added)
    }

    fn signed(
        url: &str,
        region: &str,
        body: &[u8],
        credentials: &AwsCredentials,
        now_ms: u64,
    ) -> Vec<(String, String)> {
        let signer = Signer::new(&url.parse().unwrap(), region);
        added_by(&signer, url, body, credentials, now_ms).unwrap()
    }

    fn sign_at(now_ms: u64, token: Option<&str>) -> Vec<(String, String)> {
        signed(
            "https://dynamodb.us-east-1.amazonaws.com/",
            "us-east-1",
            b"{}",
            &credentials(token),
            now_ms,
        )
    }

    fn value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// What the `aws-sigv4` crate (the AWS SDK's signer) adds to the same request.
    fn sdk_signature(
        url: &str,
        region: &str,
        body: &[u8],
        credentials: &AwsCredentials,
        now_ms: u64,
    ) -> Vec<(String, String)> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        use aws_sigv4::sign::v4;
        use std::time::{Duration, UNIX_EPOCH};
        let identity = aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            credentials.session_token.clone(),
            None,
            "test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(SERVICE)
            .time(UNIX_EPOCH + Duration::from_millis(now_ms))
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers = request_headers();
        let request = SignableRequest::new(
            "POST",
            url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(request, &params).unwrap().into_parts();
        let mut added: Vec<(String, String)> = instructions
            .headers()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        added.sort();
        added
    }

    #[test]
    fn signatures_equal_the_aws_sdks_for_every_endpoint_shape() {
        let cases = [
            ("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1"),
            (
                "https://dynamodb.cn-north-1.amazonaws.com.cn/",
                "cn-north-1",
            ),
            ("http://127.0.0.1:8000/", "us-east-1"),
            ("http://localhost:4566/dynamodb/", "eu-west-1"),
            ("https://example.com:443/", "eu-west-1"),
            ("http://[::1]:8000/", "us-east-1"),
            ("https://dynamodb.example.com:8443/", "us-west-2"),
            ("http://example.com:80/", "us-east-1"),
        ];
        // A secret longer than HMAC-SHA256's 64-byte block is hashed into the key first.
        let long_secret = "x".repeat(100);
        for (url, region) in cases {
            for token in [None, Some("FwoGZXIvYXdzEBYaDH+session/token==")] {
                for secret in [None, Some(long_secret.as_str())] {
                    for now_ms in [1_440_938_160_000, 1_764_000_000_123] {
                        let body = br#"{"TableName":"users","Key":{"userId":{"S":"u"}}}"#;
                        let mut credentials = credentials(token);
                        if let Some(secret) = secret {
                            credentials.secret_access_key = secret.into();
                        }
                        let ours = signed(url, region, body, &credentials, now_ms);
                        let sdk = sdk_signature(url, region, body, &credentials, now_ms);
                        assert_eq!(ours, sdk, "{url} {region} {token:?} {secret:?} {now_ms}");
                    }
                }
            }
        }
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
        let url = "https://dynamodb.us-east-1.amazonaws.com/";
        let signer = Signer::new(&url.parse().unwrap(), "us-east-1");
        let result = added_by(&signer, url, b"{}", &credentials(None), u64::MAX);
        assert!(result.unwrap_err().contains("host's clock"));
        let last = added_by(&signer, url, b"{}", &credentials(None), LATEST_SIGNABLE_MS).unwrap();
        assert_eq!(value(&last, "x-amz-date"), Some("99991231T235959Z"));
    }

    #[test]
    fn the_signing_key_is_derived_once_a_day_and_again_when_the_secret_changes() {
        let url = "https://dynamodb.us-east-1.amazonaws.com/";
        let signer = Signer::new(&url.parse().unwrap(), "us-east-1");
        let sign = |secret: &str, now_ms: u64| {
            let mut credentials = credentials(None);
            credentials.secret_access_key = secret.into();
            added_by(&signer, url, b"{}", &credentials, now_ms).unwrap()
        };
        let day = 1_764_000_000_000;
        let first = sign("secret-one", day);
        let first_key = signer.cached_key.borrow().as_ref().unwrap().key.clone();
        sign("secret-one", day + 60_000);
        assert_eq!(signer.cached_key.borrow().as_ref().unwrap().key, first_key);
        // A rotated secret signs differently at once, as the SDK would.
        let rotated = sign("secret-two", day);
        assert_ne!(
            value(&first, "authorization"),
            value(&rotated, "authorization")
        );
        let mut expected = credentials(None);
        expected.secret_access_key = "secret-two".into();
        assert_eq!(
            rotated,
            sdk_signature(
                "https://dynamodb.us-east-1.amazonaws.com/",
                "us-east-1",
                b"{}",
                &expected,
                day
            )
        );
        // The next day derives a new key.
        sign("secret-two", day + 86_400_000);
        assert_ne!(signer.cached_key.borrow().as_ref().unwrap().key, first_key);
    }

    #[test]
    fn dates_convert_like_the_calendar() {
        assert_eq!(amz_date(0).unwrap(), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400_000).unwrap(), "20000229T000000Z");
        assert_eq!(amz_date(1_709_251_199_000).unwrap(), "20240229T235959Z");
    }
}
