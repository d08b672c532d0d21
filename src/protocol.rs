//! DynamoDB's JSON protocol (`application/x-amz-json-1.0`): request bodies of the
//! operations we use, and responses turned into [`Json`] or a [`Failure`].

use crate::config::Billing;
use crate::errors::{Failure, ServiceFailure};
use crate::host::HttpResponse;
use crate::json::{self, Json};

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    DescribeTable,
    CreateTable,
    GetItem,
    PutItem,
    DeleteItem,
    DescribeTimeToLive,
    UpdateTimeToLive,
}

impl Operation {
    pub fn name(self) -> &'static str {
        match self {
            Operation::DescribeTable => "DescribeTable",
            Operation::CreateTable => "CreateTable",
            Operation::GetItem => "GetItem",
            Operation::PutItem => "PutItem",
            Operation::DeleteItem => "DeleteItem",
            Operation::DescribeTimeToLive => "DescribeTimeToLive",
            Operation::UpdateTimeToLive => "UpdateTimeToLive",
        }
    }

    /// The `x-amz-target` header value.
    pub fn target(self) -> &'static str {
        match self {
            Operation::DescribeTable => "DynamoDB_20120810.DescribeTable",
            Operation::CreateTable => "DynamoDB_20120810.CreateTable",
            Operation::GetItem => "DynamoDB_20120810.GetItem",
            Operation::PutItem => "DynamoDB_20120810.PutItem",
            Operation::DeleteItem => "DynamoDB_20120810.DeleteItem",
            Operation::DescribeTimeToLive => "DynamoDB_20120810.DescribeTimeToLive",
            Operation::UpdateTimeToLive => "DynamoDB_20120810.UpdateTimeToLive",
        }
    }
}

pub fn describe_table(table: &str) -> Vec<u8> {
    text(Json::object([("TableName", Json::string(table))]))
}

/// The plugin's table: one string partition key. PAY_PER_REQUEST tables carry no
/// ProvisionedThroughput at all, which DynamoDB requires.
pub fn create_table(table: &str, key_column: &str, billing: Billing) -> Vec<u8> {
    let mut members = vec![
        ("TableName", Json::string(table)),
        (
            "AttributeDefinitions",
            Json::Array(vec![Json::object([
                ("AttributeName", Json::string(key_column)),
                ("AttributeType", Json::string("S")),
            ])]),
        ),
        (
            "KeySchema",
            Json::Array(vec![Json::object([
                ("AttributeName", Json::string(key_column)),
                ("KeyType", Json::string("HASH")),
            ])]),
        ),
    ];
    match billing {
        Billing::Provisioned {
            read_units,
            write_units,
        } => {
            members.push(("BillingMode", Json::string("PROVISIONED")));
            members.push((
                "ProvisionedThroughput",
                Json::object([
                    ("ReadCapacityUnits", Json::Number(read_units.to_string())),
                    ("WriteCapacityUnits", Json::Number(write_units.to_string())),
                ]),
            ));
        }
        Billing::PayPerRequest => members.push(("BillingMode", Json::string("PAY_PER_REQUEST"))),
    }
    text(Json::Object(
        members
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
    ))
}

fn key(key_column: &str, user_id: &str) -> Json {
    Json::Object(vec![(
        key_column.to_string(),
        Json::object([("S", Json::string(user_id))]),
    )])
}

pub fn get_item(table: &str, key_column: &str, user_id: &str) -> Vec<u8> {
    text(Json::object([
        ("TableName", Json::string(table)),
        ("Key", key(key_column, user_id)),
        ("ConsistentRead", Json::Bool(true)),
    ]))
}

/// Optimistic locking: a write that succeeds only if the stored version attribute is still
/// `version`, or, for `None`, absent (a new user, or an item saved before locking was on).
#[derive(Debug, PartialEq, Eq)]
pub struct Precondition {
    pub attribute: String,
    pub version: Option<u64>,
}

/// The PutItem body. `item_members` are the members of the `Item` object, already
/// marshalled (see [`crate::transcode`]); large items are never parsed into a tree here.
pub fn put_item(table: &str, item_members: &str, precondition: Option<&Precondition>) -> Vec<u8> {
    let mut body = String::with_capacity(item_members.len() + 256);
    body.push_str("{\"TableName\":");
    json::push_string(&mut body, table);
    body.push_str(",\"Item\":{");
    body.push_str(item_members);
    body.push('}');
    if let Some(Precondition { attribute, version }) = precondition {
        let names = Json::object([("#v", Json::string(attribute))]).to_text();
        match version {
            None => body.push_str(",\"ConditionExpression\":\"attribute_not_exists(#v)\""),
            Some(version) => body.push_str(&format!(
                ",\"ConditionExpression\":\"#v = :v\",\"ExpressionAttributeValues\":{{\":v\":{{\"N\":\"{version}\"}}}}"
            )),
        }
        body.push_str(",\"ExpressionAttributeNames\":");
        body.push_str(&names);
    }
    body.push('}');
    body.into_bytes()
}

pub fn describe_time_to_live(table: &str) -> Vec<u8> {
    describe_table(table)
}

pub fn enable_time_to_live(table: &str, attribute: &str) -> Vec<u8> {
    text(Json::object([
        ("TableName", Json::string(table)),
        (
            "TimeToLiveSpecification",
            Json::object([
                ("Enabled", Json::Bool(true)),
                ("AttributeName", Json::string(attribute)),
            ]),
        ),
    ]))
}

/// `(TimeToLiveStatus, AttributeName)` of a DescribeTimeToLive answer; DISABLED tables
/// have no attribute name.
pub fn time_to_live_description(body: &Json) -> Result<(String, Option<String>), Failure> {
    let description = body
        .get("TimeToLiveDescription")
        .filter(|d| d.is_object())
        .ok_or_else(|| {
            Failure::Malformed("DescribeTimeToLive answer has no TimeToLiveDescription".into())
        })?;
    let status = description
        .get("TimeToLiveStatus")
        .and_then(Json::as_str)
        .unwrap_or("DISABLED")
        .to_string();
    let attribute = description
        .get("AttributeName")
        .and_then(Json::as_str)
        .map(str::to_string);
    Ok((status, attribute))
}

pub fn delete_item(table: &str, key_column: &str, user_id: &str) -> Vec<u8> {
    text(Json::object([
        ("TableName", Json::string(table)),
        ("Key", key(key_column, user_id)),
    ]))
}

fn text(json: Json) -> Vec<u8> {
    json.to_text().into_bytes()
}

/// Whether the response is a sound success: its `x-amz-crc32` (when present) matches and
/// the status is 200. Errors become [`Failure::Service`] with DynamoDB's code.
pub fn check_response(response: &HttpResponse) -> Result<(), Failure> {
    if let Some(expected) = header(response, "x-amz-crc32") {
        let actual = crc32fast::hash(&response.body);
        if expected.trim().parse::<u32>().ok() != Some(actual) {
            return Err(Failure::Malformed(format!(
                "x-amz-crc32 does not match the body's CRC32 ({} bytes); the response was damaged in transit",
                response.body.len()
            )));
        }
    }
    if (300..400).contains(&response.status) {
        return Err(Failure::Redirect(describe_redirect(response)));
    }
    if response.status != 200 {
        return Err(Failure::Service(parse_error(response)));
    }
    Ok(())
}

/// `HTTP 307 to https://elsewhere.example:8443`: the status and the origin of `Location`,
/// never its path or query (a presigned URL's query holds credentials), nor user info.
fn describe_redirect(response: &HttpResponse) -> String {
    let status = response.status;
    let Some(location) = header(response, "location") else {
        return format!("HTTP {status} without a Location");
    };
    let Some((scheme, rest)) = location.split_once("://") else {
        return format!("HTTP {status} to a path on the same server");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let shown = |text: &str| {
        !text.is_empty()
            && text.len() <= 255
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    };
    if shown(scheme) && shown(host) {
        format!("HTTP {status} to {scheme}://{host}")
    } else {
        format!("HTTP {status} to a location that cannot be shown")
    }
}

/// The JSON object of a success body. The error says what is wrong, not what the body holds.
pub fn json_object(body: &[u8]) -> Result<Json, Failure> {
    match Json::parse(body) {
        Ok(json) if json.is_object() => Ok(json),
        Ok(_) => Err(Failure::Malformed(
            "the body is JSON but not an object".into(),
        )),
        Err(e) => Err(Failure::Malformed(format!(
            "the body is not JSON ({e}, of {} bytes)",
            body.len()
        ))),
    }
}

/// The JSON object of a 200 response, or why there is none.
pub fn parse_response(response: &HttpResponse) -> Result<Json, Failure> {
    check_response(response)?;
    json_object(&response.body)
}

/// An error response: DynamoDB's JSON `{"__type": "ns#Code", "message": ...}`, the
/// `x-amzn-errortype` header, or the XML `<Code>` of IAM-style errors, whichever is there.
pub fn parse_error(response: &HttpResponse) -> ServiceFailure {
    let json = Json::parse(&response.body).ok();
    let field = |names: &[&str]| {
        names.iter().find_map(|name| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(Json::as_str)
                .map(str::to_string)
        })
    };
    let text = String::from_utf8_lossy(&response.body);
    let code = field(&["__type", "code", "Code"])
        .or_else(|| header(response, "x-amzn-errortype").map(str::to_string))
        .or_else(|| xml_element(&text, "Code"))
        .map(|raw| strip_namespace(&raw))
        .filter(|code| !code.is_empty())
        .unwrap_or_else(|| format!("HTTP{}", response.status));
    let message = field(&["message", "Message"])
        .or_else(|| xml_element(&text, "Message"))
        .map(|message| shortened(message, MAX_MESSAGE_CHARS))
        .unwrap_or_else(|| describe_body(&response.body));
    ServiceFailure {
        status: response.status,
        code: shortened(code, MAX_CODE_CHARS),
        message,
        request_id: header(response, "x-amzn-requestid")
            .or_else(|| header(response, "x-amz-request-id"))
            .map(|id| shortened(id.to_string(), MAX_CODE_CHARS)),
        date_ms: header(response, "date").and_then(http_date_ms),
    }
}

/// DynamoDB's own messages are a line or two; anything longer comes from something in
/// between (a proxy's page) and would only bury what matters.
const MAX_MESSAGE_CHARS: usize = 512;
const MAX_CODE_CHARS: usize = 128;

fn shortened(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

/// An HTTP `Date` (`Mon, 07 Dec 2026 21:14:40 GMT`) as epoch milliseconds.
fn http_date_ms(value: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(value.trim()).ok()?;
    let since_epoch = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    u64::try_from(since_epoch.as_millis()).ok()
}

/// `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` → `ResourceNotFoundException`;
/// `UnrecognizedClientException:http://...` → `UnrecognizedClientException`.
fn strip_namespace(raw: &str) -> String {
    let after_hash = raw.rsplit('#').next().unwrap_or(raw);
    after_hash
        .split(':')
        .next()
        .unwrap_or(after_hash)
        .trim()
        .to_string()
}

fn xml_element(text: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = text.find(&open)? + open.len();
    let length = text.get(start..)?.find(&format!("</{name}>"))?;
    text.get(start..start + length)
        .map(|s| s.trim().to_string())
}

pub fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// What an error body without a message was, without quoting it (a proxy's page may
/// echo the request).
fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        "empty body".into()
    } else {
        format!("a {}-byte body without a message", body.len())
    }
}

/// What DescribeTable says about the table.
#[derive(Debug, PartialEq, Eq)]
pub struct TableDescription {
    pub status: String,
    /// `(name, type)` of the HASH key, `type` being S, N or B.
    pub partition_key: Option<(String, String)>,
    pub sort_key: Option<String>,
}

pub fn table_description(body: &Json) -> Result<TableDescription, Failure> {
    let malformed = |what: &str| Failure::Malformed(format!("DescribeTable answer {what}"));
    let table = body
        .get("Table")
        .filter(|t| t.is_object())
        .ok_or_else(|| malformed("has no Table object"))?;
    let status = table
        .get("TableStatus")
        .and_then(Json::as_str)
        .ok_or_else(|| malformed("has no TableStatus"))?
        .to_string();
    let key_named = |kind: &str| {
        table
            .get("KeySchema")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|k| k.get("KeyType").and_then(Json::as_str) == Some(kind))
            .and_then(|k| k.get("AttributeName").and_then(Json::as_str))
            .map(str::to_string)
    };
    let attribute_type = |name: &str| {
        table
            .get("AttributeDefinitions")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .find(|d| d.get("AttributeName").and_then(Json::as_str) == Some(name))
            .and_then(|d| d.get("AttributeType").and_then(Json::as_str))
            .unwrap_or("?")
            .to_string()
    };
    let partition_key = key_named("HASH").map(|name| {
        let kind = attribute_type(&name);
        (name, kind)
    });
    Ok(TableDescription {
        status,
        partition_key,
        sort_key: key_named("RANGE"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parsed(body: Vec<u8>) -> Value {
        serde_json::from_slice(&body).unwrap()
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn pay_per_request_tables_have_no_throughput() {
        let body = parsed(create_table("t", "userId", Billing::PayPerRequest));
        assert_eq!(body["BillingMode"], "PAY_PER_REQUEST");
        assert!(body.get("ProvisionedThroughput").is_none());
        let body = parsed(create_table(
            "t",
            "userId",
            Billing::Provisioned {
                read_units: 2,
                write_units: 3,
            },
        ));
        assert_eq!(body["ProvisionedThroughput"]["WriteCapacityUnits"], 3);
    }

    #[test]
    fn conditional_puts_name_attributes_through_placeholders() {
        let absent = Precondition {
            attribute: "version".into(),
            version: None,
        };
        let body = parsed(put_item("t", r#""userId":{"S":"u"}"#, Some(&absent)));
        assert_eq!(body["Item"]["userId"]["S"], "u");
        assert_eq!(body["ConditionExpression"], "attribute_not_exists(#v)");
        assert_eq!(body["ExpressionAttributeNames"]["#v"], "version");
        let version = Precondition {
            attribute: "version".into(),
            version: Some(7),
        };
        let body = parsed(put_item("t", "", Some(&version)));
        assert_eq!(body["ConditionExpression"], "#v = :v");
        assert_eq!(body["ExpressionAttributeValues"][":v"]["N"], "7");
        assert!(parsed(put_item("t", "", None))
            .get("ConditionExpression")
            .is_none());
    }

    #[test]
    fn json_errors_lose_their_namespace() {
        let failure = parse_error(&response(
            400,
            &[("x-amzn-RequestId", "req-1")],
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        ));
        assert_eq!(failure.code, "ResourceNotFoundException");
        assert_eq!(failure.message, "Requested resource not found");
        assert_eq!(failure.request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn xml_errors_of_iam_are_understood() {
        let failure = parse_error(&response(
            403,
            &[],
            "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>",
        ));
        assert_eq!(failure.code, "SignatureDoesNotMatch");
        assert!(failure.message.starts_with("The request signature"));
    }

    #[test]
    fn error_type_header_is_a_fallback() {
        let failure = parse_error(&response(
            400,
            &[(
                "X-Amzn-ErrorType",
                "UnrecognizedClientException:http://internal/",
            )],
            "",
        ));
        assert_eq!(failure.code, "UnrecognizedClientException");
        assert_eq!(failure.message, "empty body");
    }

    #[test]
    fn crc_mismatch_is_malformed() {
        let body = "{}";
        let good = crc32fast::hash(body.as_bytes()).to_string();
        assert!(parse_response(&response(200, &[("x-amz-crc32", &good)], body)).is_ok());
        let bad = parse_response(&response(200, &[("x-amz-crc32", "1")], body)).unwrap_err();
        assert!(matches!(bad, Failure::Malformed(m) if m.contains("x-amz-crc32")));
    }

    #[test]
    fn non_json_success_is_malformed() {
        for body in ["", "[1]", "{\"Item\":", "<html>"] {
            assert!(
                matches!(
                    parse_response(&response(200, &[], body)),
                    Err(Failure::Malformed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn describe_reads_status_and_key() {
        let body = Json::parse(br#"{"Table":{"TableStatus":"CREATING","KeySchema":[{"AttributeName":"userId","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"userId","AttributeType":"S"}]}}"#).unwrap();
        let description = table_description(&body).unwrap();
        assert_eq!(description.status, "CREATING");
        assert_eq!(
            description.partition_key,
            Some(("userId".into(), "S".into()))
        );
        assert_eq!(description.sort_key, None);
    }
}
