//! The WIT `config`, validated once in `open` and with every default filled in.
//!
//! The rules are DynamoDB's own, so a bad config fails here, before any request, with a
//! message that names the option and the rule.

use crate::bindings::exports::jovo::dynamodb::store::{
    BillingMode, ClientConfig, Config, MarshallOptions, StoreError, TableConfig,
};
use crate::host::AwsCredentials;

pub const DEFAULT_PRIMARY_KEY_COLUMN: &str = "userId";
pub const DEFAULT_CAPACITY_UNITS: u64 = 2;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 5_000;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
pub const DEFAULT_RETRY_BASE_DELAY_MS: u32 = 50;
pub const DEFAULT_RETRY_MAX_DELAY_MS: u32 = 2_000;
pub const DEFAULT_TABLE_READY_TIMEOUT_MS: u32 = 60_000;
pub const DEFAULT_VERSION_ATTRIBUTE: &str = "version";
pub const DEFAULT_EXPIRY_ATTRIBUTE: &str = "expiresAt";
const MAX_EXPIRE_AFTER_DAYS: u32 = 36_500;
/// Signing needs a region; a local endpoint such as dynalite accepts any.
pub const REGION_FOR_CUSTOM_ENDPOINT: &str = "us-east-1";
const MAX_ATTEMPTS_LIMIT: u32 = 20;
const MAX_KEY_COLUMN_BYTES: usize = 255;

/// How the table is billed when this client creates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Billing {
    Provisioned { read_units: u64, write_units: u64 },
    PayPerRequest,
}

/// Validated settings of one client. Holds credentials, so it deliberately has no `Debug`.
pub struct Settings {
    pub table_name: String,
    pub create_table_on_init: bool,
    pub primary_key_column: String,
    pub billing: Billing,
    /// Absolute URL every request is posted to: `http(s)://host[:port]/path`, no query.
    pub uri: http::Uri,
    pub signing_region: String,
    pub credentials: Option<AwsCredentials>,
    pub request_timeout_ms: u32,
    pub max_attempts: u32,
    pub retry_base_delay_ms: u32,
    pub retry_max_delay_ms: u32,
    pub table_ready_timeout_ms: u32,
    /// The time limit of one whole operation, when the config sets one.
    pub operation_timeout_ms: Option<u32>,
    pub convert_empty_values: bool,
    /// The version attribute, when optimistic locking is on.
    pub version_attribute: Option<String>,
    pub expiry: Option<Expiry>,
}

/// Data retention: items expire `after_days` after their last save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub attribute: String,
    pub after_days: u32,
}

impl Settings {
    pub fn from_wit(config: Config) -> Result<Settings, StoreError> {
        let Config {
            table,
            client,
            marshall,
        } = config;
        validate_table_name(&table.name)?;
        let primary_key_column = primary_key_column(&table)?;
        let billing = billing(&table)?;
        let version_attribute = version_attribute(&table, &primary_key_column)?;
        let expiry = expiry(&table, &primary_key_column, version_attribute.as_deref())?;
        let (uri, signing_region) = endpoint(client.region.as_deref(), client.endpoint.as_deref())?;
        if let Some(credentials) = &client.credentials {
            validate_credentials(credentials)?;
        }
        let max_attempts = client.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
        if !(1..=MAX_ATTEMPTS_LIMIT).contains(&max_attempts) {
            return Err(invalid(format!(
                "the client option 'max attempts' is {max_attempts}; use 1 to {MAX_ATTEMPTS_LIMIT}"
            )));
        }
        let request_timeout_ms = positive(
            "the client option 'request timeout ms'",
            client.request_timeout_ms,
            DEFAULT_REQUEST_TIMEOUT_MS,
        )?;
        if client.operation_timeout_ms == Some(0) {
            return Err(invalid(
                "the client option 'operation timeout ms' is 0; give a positive number of milliseconds, or leave it unset for no limit per operation".into(),
            ));
        }
        Ok(Settings {
            table_name: table.name,
            create_table_on_init: table.create_table_on_init.unwrap_or(true),
            primary_key_column,
            billing,
            uri,
            signing_region,
            credentials: client.credentials,
            request_timeout_ms,
            max_attempts,
            retry_base_delay_ms: client
                .retry_base_delay_ms
                .unwrap_or(DEFAULT_RETRY_BASE_DELAY_MS),
            retry_max_delay_ms: client
                .retry_max_delay_ms
                .unwrap_or(DEFAULT_RETRY_MAX_DELAY_MS),
            table_ready_timeout_ms: client
                .table_ready_timeout_ms
                .unwrap_or(DEFAULT_TABLE_READY_TIMEOUT_MS),
            operation_timeout_ms: client.operation_timeout_ms,
            convert_empty_values: marshall.convert_empty_values.unwrap_or(false),
            version_attribute,
            expiry,
        })
    }
}

fn invalid(message: String) -> StoreError {
    StoreError::InvalidConfig(message)
}

/// DynamoDB: 3 to 255 characters of `a-z A-Z 0-9 _ - .`.
pub fn validate_table_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        return Err(invalid(
            "the table option 'name' is missing; set it to the DynamoDB table that keeps your users".into(),
        ));
    }
    let length = name.chars().count();
    if !(3..=255).contains(&length) {
        return Err(invalid(format!(
            "the table name '{}' has {length} characters; DynamoDB table names have 3 to 255",
            shorten(name)
        )));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(invalid(format!(
            "the table name '{}' contains {bad:?}; DynamoDB table names use only A-Z, a-z, 0-9, '_', '-' and '.'",
            shorten(name)
        )));
    }
    Ok(())
}

fn primary_key_column(table: &TableConfig) -> Result<String, StoreError> {
    let column = table
        .primary_key_column
        .clone()
        .unwrap_or_else(|| DEFAULT_PRIMARY_KEY_COLUMN.to_string());
    if column.is_empty() || column.len() > MAX_KEY_COLUMN_BYTES {
        return Err(invalid(format!(
            "the table option 'primary key column' ('{}') has {} bytes; use 1 to {MAX_KEY_COLUMN_BYTES} (or leave it unset for '{DEFAULT_PRIMARY_KEY_COLUMN}')",
            shorten(&column),
            column.len()
        )));
    }
    Ok(column)
}

fn version_attribute(table: &TableConfig, key_column: &str) -> Result<Option<String>, StoreError> {
    if !table.optimistic_locking.unwrap_or(false) {
        return Ok(None);
    }
    let name = table
        .version_attribute
        .clone()
        .unwrap_or_else(|| DEFAULT_VERSION_ATTRIBUTE.to_string());
    own_attribute("the table option 'version attribute'", &name, &[key_column])?;
    Ok(Some(name))
}

fn expiry(
    table: &TableConfig,
    key_column: &str,
    version_attribute: Option<&str>,
) -> Result<Option<Expiry>, StoreError> {
    let Some(after_days) = table.expire_after_days else {
        return Ok(None);
    };
    if !(1..=MAX_EXPIRE_AFTER_DAYS).contains(&after_days) {
        return Err(invalid(format!(
            "the table option 'expire after days' is {after_days}; use 1 to {MAX_EXPIRE_AFTER_DAYS}, or leave it unset to keep items forever"
        )));
    }
    let attribute = table
        .expiry_attribute
        .clone()
        .unwrap_or_else(|| DEFAULT_EXPIRY_ATTRIBUTE.to_string());
    let taken: Vec<&str> = [Some(key_column), version_attribute]
        .into_iter()
        .flatten()
        .collect();
    own_attribute("the table option 'expiry attribute'", &attribute, &taken)?;
    Ok(Some(Expiry {
        attribute,
        after_days,
    }))
}

/// An attribute the component writes itself: a valid name no other one of ours uses.
fn own_attribute(option: &str, name: &str, taken: &[&str]) -> Result<(), StoreError> {
    if name.is_empty() || name.len() > MAX_KEY_COLUMN_BYTES {
        return Err(invalid(format!(
            "{option} '{}' has {} bytes; use 1 to {MAX_KEY_COLUMN_BYTES}",
            shorten(name),
            name.len()
        )));
    }
    if taken.contains(&name) {
        return Err(invalid(format!(
            "{option} '{}' is already used by another attribute of the item (key column or version); pick another name",
            shorten(name)
        )));
    }
    Ok(())
}

fn billing(table: &TableConfig) -> Result<Billing, StoreError> {
    match table.billing_mode.unwrap_or(BillingMode::Provisioned) {
        BillingMode::PayPerRequest => Ok(Billing::PayPerRequest),
        BillingMode::Provisioned => Ok(Billing::Provisioned {
            read_units: capacity(
                "the table option 'read capacity units'",
                table.read_capacity_units,
            )?,
            write_units: capacity(
                "the table option 'write capacity units'",
                table.write_capacity_units,
            )?,
        }),
    }
}

fn capacity(option: &str, value: Option<u64>) -> Result<u64, StoreError> {
    match value.unwrap_or(DEFAULT_CAPACITY_UNITS) {
        0 => Err(invalid(format!(
            "{option} is 0; a PROVISIONED table needs at least 1 (or use billing-mode pay-per-request)"
        ))),
        units => Ok(units),
    }
}

fn positive(option: &str, value: Option<u32>, default: u32) -> Result<u32, StoreError> {
    match value.unwrap_or(default) {
        0 => Err(invalid(format!(
            "{option} is 0; give a positive number of milliseconds (default {default})"
        ))),
        ms => Ok(ms),
    }
}

/// The request URL and the region to sign for.
fn endpoint(
    region: Option<&str>,
    endpoint: Option<&str>,
) -> Result<(http::Uri, String), StoreError> {
    let region = region.filter(|r| !r.is_empty());
    if let Some(region) = region {
        validate_region(region)?;
    }
    match (endpoint.filter(|e| !e.is_empty()), region) {
        (Some(endpoint), region) => Ok((
            endpoint_uri(endpoint)?,
            region.unwrap_or(REGION_FOR_CUSTOM_ENDPOINT).to_string(),
        )),
        (None, Some(region)) => Ok((regional_uri(region)?, region.to_string())),
        (None, None) => Err(invalid(
            "neither the client option 'region' nor the client option 'endpoint' is set; set the AWS region (e.g. 'us-east-1', or AWS_REGION in the host) or an endpoint such as 'http://127.0.0.1:8000'".into(),
        )),
    }
}

fn validate_region(region: &str) -> Result<(), StoreError> {
    let well_formed = region.len() <= 64
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if well_formed {
        Ok(())
    } else {
        Err(invalid(format!(
            "the client option 'region' ('{}') is not an AWS region name; use one like 'eu-west-1'",
            shorten(region)
        )))
    }
}

/// `https://dynamodb.<region>.amazonaws.com/`; China's regions live under `.amazonaws.com.cn`.
pub fn regional_uri(region: &str) -> Result<http::Uri, StoreError> {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://dynamodb.{region}.{suffix}/")
        .parse()
        .map_err(|_| {
            invalid(format!(
                "the client option 'region' ('{}') makes no valid endpoint URL; use a region like 'eu-west-1'",
                shorten(region)
            ))
        })
}

/// Accepts `http(s)://host[:port][/path]`, parsed by `http::Uri`, whose path is `/` when
/// the text has none: the path DynamoDB is posted to.
///
/// The path may hold only unreserved characters, so it is its own canonical form for
/// signing; user info, queries and fragments are refused (and never echoed: they may hold
/// a password or a token). `http::Uri` accepts more than that (any port digits, any host
/// characters, and it drops fragments silently), so the rules are checked on its parts.
fn endpoint_uri(endpoint: &str) -> Result<http::Uri, StoreError> {
    let reject = |why: &str| {
        invalid(format!(
            "the client option 'endpoint' ('{}') {why}; use an absolute URL such as 'http://127.0.0.1:8000'",
            shorten(&redacted_endpoint(endpoint))
        ))
    };
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        return Err(reject("does not start with http:// or https://"));
    }
    if endpoint
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(reject("contains whitespace"));
    }
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|_| reject("has no host, or characters a URL cannot have"))?;
    let authority = uri.authority().map_or("", http::uri::Authority::as_str);
    if endpoint.contains('#') || uri.query().is_some() || authority.contains('@') {
        return Err(reject("has a query, fragment or user info"));
    }
    let host = uri.host().unwrap_or("");
    if host.is_empty() {
        return Err(reject("has no host"));
    }
    if !valid_host(host) {
        return Err(reject(
            "has a host that is neither a name, an IPv4 nor a bracketed IPv6 address",
        ));
    }
    let port = authority.get(host.len()..).unwrap_or("");
    if !port.is_empty() && uri.port_u16().is_none() {
        return Err(reject("has a port that is not a number from 0 to 65535"));
    }
    let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
    if !uri.path().chars().all(unreserved) {
        return Err(reject(
            "has a path with characters other than letters, digits and -._~/",
        ));
    }
    Ok(uri)
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

/// The endpoint as it may appear in a message: without user info, query or fragment.
fn redacted_endpoint(endpoint: &str) -> String {
    let cut = endpoint.find(['?', '#']).unwrap_or(endpoint.len());
    let endpoint = &endpoint[..cut];
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("", endpoint));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let separator = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{separator}***@{}", &rest[at + 1..])
        }
        None => endpoint.to_string(),
    }
}

fn validate_credentials(credentials: &AwsCredentials) -> Result<(), StoreError> {
    // Header values must be visible ASCII; the values themselves are never echoed.
    let printable = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic());
    let token_ok = credentials.session_token.as_deref().is_none_or(printable);
    if printable(&credentials.access_key_id)
        && printable(&credentials.secret_access_key)
        && token_ok
    {
        Ok(())
    } else {
        Err(invalid(
            "the client option 'credentials' has an empty access key id or secret, or a value with spaces or non-ASCII characters; check the keys you copied".into(),
        ))
    }
}

/// Keeps user-supplied text in messages readable when it is absurdly long.
pub fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    if text.chars().count() <= MAX_CHARS {
        text.to_string()
    } else {
        let head: String = text.chars().take(MAX_CHARS).collect();
        format!("{head}...")
    }
}

/// A config with only the table name and region set: every option at its default. For
/// this crate's tests; the hosts have constructors of their own.
pub fn defaults_for(table: &str, region: &str) -> Config {
    Config {
        table: TableConfig {
            name: table.into(),
            create_table_on_init: None,
            primary_key_column: None,
            read_capacity_units: None,
            write_capacity_units: None,
            billing_mode: None,
            optimistic_locking: None,
            version_attribute: None,
            expire_after_days: None,
            expiry_attribute: None,
        },
        client: ClientConfig {
            region: Some(region.into()),
            endpoint: None,
            credentials: None,
            request_timeout_ms: None,
            max_attempts: None,
            retry_base_delay_ms: None,
            retry_max_delay_ms: None,
            table_ready_timeout_ms: None,
            operation_timeout_ms: None,
        },
        marshall: MarshallOptions {
            remove_undefined_values: None,
            convert_class_instance_to_map: None,
            convert_empty_values: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str) -> Config {
        super::defaults_for(name, "eu-west-1")
    }

    fn message(result: Result<Settings, StoreError>) -> String {
        match result {
            Err(StoreError::InvalidConfig(message)) => message,
            Err(other) => panic!("expected invalid-config, got {other:?}"),
            Ok(_) => panic!("expected invalid-config, got Ok"),
        }
    }

    #[test]
    fn defaults_are_the_plugins() {
        let settings = Settings::from_wit(config("users")).unwrap();
        assert!(settings.create_table_on_init);
        assert_eq!(settings.primary_key_column, "userId");
        assert_eq!(
            settings.billing,
            Billing::Provisioned {
                read_units: 2,
                write_units: 2
            }
        );
        assert_eq!(settings.uri, "https://dynamodb.eu-west-1.amazonaws.com/");
        assert_eq!(settings.signing_region, "eu-west-1");
    }

    #[test]
    fn china_regions_use_their_own_domain() {
        let mut c = config("users");
        c.client.region = Some("cn-north-1".into());
        let settings = Settings::from_wit(c).unwrap();
        assert_eq!(
            settings.uri,
            "https://dynamodb.cn-north-1.amazonaws.com.cn/"
        );
    }

    #[test]
    fn table_names_follow_dynamodb_rules() {
        assert!(message(Settings::from_wit(config(""))).contains("missing"));
        assert!(message(Settings::from_wit(config("ab"))).contains("3 to 255"));
        assert!(message(Settings::from_wit(config(&"a".repeat(256)))).contains("3 to 255"));
        assert!(message(Settings::from_wit(config("my table"))).contains("' '"));
        assert!(Settings::from_wit(config(&"a".repeat(255))).is_ok());
        assert!(Settings::from_wit(config("A-b_c.9")).is_ok());
    }

    #[test]
    fn zero_capacity_is_rejected_only_for_provisioned_tables() {
        let mut c = config("users");
        c.table.read_capacity_units = Some(0);
        assert!(message(Settings::from_wit(c)).contains("read capacity units"));
        let mut c = config("users");
        c.table.read_capacity_units = Some(0);
        c.table.billing_mode = Some(BillingMode::PayPerRequest);
        assert_eq!(
            Settings::from_wit(c).unwrap().billing,
            Billing::PayPerRequest
        );
    }

    #[test]
    fn endpoint_or_region_is_required_and_checked() {
        let mut c = config("users");
        c.client.region = None;
        assert!(message(Settings::from_wit(c)).contains("neither"));
        for bad in [
            "127.0.0.1:8000",
            "ftp://x",
            "http://",
            "http://:80",
            "http://a b",
            "http://h/?q",
            "http://h?",
            "http://h/#fragment",
            "http://user:password@h/",
            "http://h:99999",
            "http://h:x",
            "http://h:",
            "http://*h",
            "http://h/a%20b",
            "http://[::1",
        ] {
            let mut c = config("users");
            c.client.endpoint = Some(bad.into());
            assert!(
                message(Settings::from_wit(c)).contains("client option 'endpoint'"),
                "{bad}"
            );
        }
        for secret_bearing in ["http://user:pa55word@h/", "http://h/?token=t0ken#s3cret"] {
            let mut c = config("users");
            c.client.endpoint = Some(secret_bearing.into());
            let text = message(Settings::from_wit(c));
            assert!(text.contains("query, fragment or user info"), "{text}");
            assert!(
                !text.contains("pa55word") && !text.contains("t0ken") && !text.contains("s3cret")
            );
        }
        let mut c = config("users");
        c.client.region = None;
        c.client.endpoint = Some("http://127.0.0.1:8000".into());
        let settings = Settings::from_wit(c).unwrap();
        assert_eq!(settings.uri, "http://127.0.0.1:8000/");
        assert_eq!(settings.signing_region, "us-east-1");
    }

    #[test]
    fn locking_and_expiry_are_off_unless_asked_and_checked_when_on() {
        let settings = Settings::from_wit(config("users")).unwrap();
        assert_eq!((settings.version_attribute, settings.expiry), (None, None));
        let mut c = config("users");
        c.table.optimistic_locking = Some(true);
        c.table.expire_after_days = Some(30);
        let settings = Settings::from_wit(c).unwrap();
        assert_eq!(settings.version_attribute.as_deref(), Some("version"));
        assert_eq!(
            settings.expiry,
            Some(Expiry {
                attribute: "expiresAt".into(),
                after_days: 30
            })
        );
        let mut c = config("users");
        c.table.expire_after_days = Some(0);
        assert!(message(Settings::from_wit(c)).contains("expire after days"));
        let mut c = config("users");
        c.table.optimistic_locking = Some(true);
        c.table.version_attribute = Some("userId".into());
        assert!(message(Settings::from_wit(c)).contains("already used"));
        let mut c = config("users");
        c.table.optimistic_locking = Some(true);
        c.table.expire_after_days = Some(1);
        c.table.expiry_attribute = Some("version".into());
        assert!(message(Settings::from_wit(c)).contains("already used"));
    }

    #[test]
    fn credential_values_never_appear_in_messages() {
        let mut c = config("users");
        c.client.credentials = Some(AwsCredentials {
            access_key_id: "AKIDSECRETVALUE".into(),
            secret_access_key: "bad secret".into(),
            session_token: None,
        });
        let text = message(Settings::from_wit(c));
        assert!(!text.contains("AKIDSECRETVALUE") && !text.contains("bad secret"));
    }
}
