//! AWS Signature Version 4 for service `dynamodb`, for the one request shape this component
//! sends: `POST` of a JSON body to a fixed URL with a few headers.
//!
//! Our own code rather than the `aws-sigv4` crate: that crate brings the AWS SDK's runtime
//! types (tokio, tracing, time, http 0.2 and 1) into the component, most of its size, and
//! derives the signing key (four HMACs) again for every request. The signatures are
//! checked byte for byte against `aws-sigv4` in this module's tests, and against moto's
//! verifier in the Rust host's tests.
//!
//! The time comes from the host's clock: `SystemTime::now()` does not exist on
//! wasm32-unknown-unknown.

use std::cell::RefCell;

use sha2::{Digest, Sha256};

use crate::host::AwsCredentials;

const SERVICE: &str = "dynamodb";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
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
    /// The URL's path, already canonical (config allows only unreserved characters).
    path: String,
    cached_key: RefCell<Option<SigningKey>>,
}

struct SigningKey {
    secret_digest: [u8; 32],
    date: String,
    key: [u8; 32],
}

impl Signer {
    /// `url` is an `http(s)://host[:port]/path` URL as validated by the config.
    pub fn new(url: &str, region: &str) -> Signer {
        let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        // HTTP clients leave a scheme's default port out of the Host header.
        let default_port = if scheme == "http" { ":80" } else { ":443" };
        let host = authority.strip_suffix(default_port).unwrap_or(authority);
        Signer {
            region: region.to_string(),
            host: host.to_string(),
            path: path.to_string(),
            cached_key: RefCell::new(None),
        }
    }

    /// The headers to add so DynamoDB accepts the request: `x-amz-date`, `authorization`
    /// and, for temporary credentials, `x-amz-security-token`. `headers` are the request's
    /// own headers (lower-case names); all of them are signed, with `host`.
    pub fn signature_headers(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        credentials: &AwsCredentials,
        now_ms: u64,
    ) -> Result<Vec<(String, String)>, String> {
        if now_ms > LATEST_SIGNABLE_MS {
            return Err(format!(
                "the host's clock reads {now_ms} ms since 1970, after the year 9999; fix the host's now-ms"
            ));
        }
        let timestamp = amz_date(now_ms);
        let date = &timestamp[..8];
        let mut signed: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.trim()))
            .collect();
        signed.push(("host", &self.host));
        signed.push(("x-amz-date", &timestamp));
        if let Some(token) = &credentials.session_token {
            signed.push(("x-amz-security-token", token));
        }
        signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

        let mut canonical = String::with_capacity(512);
        canonical.push_str("POST\n");
        canonical.push_str(&self.path);
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
        canonical.push_str(&hex(&Sha256::digest(body)));

        let scope = format!("{date}/{}/{SERVICE}/aws4_request", self.region);
        let string_to_sign = format!(
            "{ALGORITHM}\n{timestamp}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let signature = hmac(
            &self.key_for(&credentials.secret_access_key, date),
            string_to_sign.as_bytes(),
        );
        let authorization = format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_names}, Signature={}",
            credentials.access_key_id,
            hex(&signature)
        );

        let mut added = Vec::with_capacity(3);
        added.push(("x-amz-date".to_string(), timestamp.clone()));
        if let Some(token) = &credentials.session_token {
            added.push(("x-amz-security-token".to_string(), token.clone()));
        }
        added.push(("authorization".to_string(), authorization));
        Ok(added)
    }

    fn key_for(&self, secret: &str, date: &str) -> [u8; 32] {
        let secret_digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        let mut cached = self.cached_key.borrow_mut();
        if let Some(cached) = cached.as_ref() {
            if cached.date == date && cached.secret_digest == secret_digest {
                return cached.key;
            }
        }
        let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
        for part in [self.region.as_bytes(), SERVICE.as_bytes(), b"aws4_request"] {
            key = hmac(&key, part);
        }
        *cached = Some(SigningKey {
            secret_digest,
            date: date.to_string(),
            key,
        });
        key
    }
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// `YYYYMMDDTHHMMSSZ` for milliseconds since the epoch (at most year 9999).
fn amz_date(now_ms: u64) -> String {
    let seconds = now_ms / 1000;
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm,
/// for non-negative counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
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

    fn sign_at(now_ms: u64, token: Option<&str>) -> Vec<(String, String)> {
        Signer::new("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1")
            .signature_headers(&request_headers(), b"{}", &credentials(token), now_ms)
            .unwrap()
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
        ];
        for (url, region) in cases {
            for token in [None, Some("FwoGZXIvYXdzEBYaDH+session/token==")] {
                for now_ms in [1_440_938_160_000, 1_764_000_000_123] {
                    let body = br#"{"TableName":"users","Key":{"userId":{"S":"u"}}}"#;
                    let mut ours = Signer::new(url, region)
                        .signature_headers(&request_headers(), body, &credentials(token), now_ms)
                        .unwrap();
                    ours.sort();
                    let sdk = sdk_signature(url, region, body, &credentials(token), now_ms);
                    assert_eq!(ours, sdk, "{url} {region} {token:?} {now_ms}");
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
        let result = Signer::new("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1")
            .signature_headers(&[], b"{}", &credentials(None), u64::MAX);
        assert!(result.unwrap_err().contains("host's clock"));
        let last = Signer::new("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1")
            .signature_headers(&[], b"{}", &credentials(None), LATEST_SIGNABLE_MS)
            .unwrap();
        assert_eq!(value(&last, "x-amz-date"), Some("99991231T235959Z"));
    }

    #[test]
    fn the_signing_key_is_derived_once_a_day_and_again_when_the_secret_changes() {
        let signer = Signer::new("https://dynamodb.us-east-1.amazonaws.com/", "us-east-1");
        let sign = |secret: &str, now_ms: u64| {
            let mut credentials = credentials(None);
            credentials.secret_access_key = secret.into();
            signer
                .signature_headers(&request_headers(), b"{}", &credentials, now_ms)
                .unwrap()
        };
        let day = 1_764_000_000_000;
        let first = sign("secret-one", day);
        let first_key = signer.cached_key.borrow().as_ref().unwrap().key;
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
        let mut rotated_sorted = rotated.clone();
        rotated_sorted.sort();
        assert_eq!(
            rotated_sorted,
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
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400_000), "20000229T000000Z");
        assert_eq!(amz_date(1_709_251_199_000), "20240229T235959Z");
    }
}
