//! DynamoDB's JSON protocol (`application/x-amz-json-1.0`): the request bodies of the
//! operations we use as `serde` types written by serde_json; their answers and the error
//! bodies read from our own [`Tree`] (serde_json's reading side measured 82 KB of
//! component, see [`Answer`]); and the checks every response goes through. Items
//! themselves are transcoded in one pass by [`crate::transcode`]; the PutItem body is the
//! only place both meet.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::config::Billing;
use crate::errors::{Failure, ServiceFailure};
use crate::host::HttpResponse;
use crate::json::Tree;

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

/// `{"S": value}`: how the plugin's partition key is written.
#[derive(Serialize)]
struct StringValue<'a> {
    #[serde(rename = "S")]
    s: &'a str,
}

/// A JSON object of one member whose name is not known at compile time, such as
/// `{<key column>: {"S": user id}}` (a map type would cost more code for nothing).
struct One<'a, V>(&'a str, V);

impl<V: Serialize> Serialize for One<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &self.1)?;
        map.end()
    }
}

type Key<'a> = One<'a, StringValue<'a>>;

fn key<'a>(key_column: &'a str, user_id: &'a str) -> Key<'a> {
    One(key_column, StringValue { s: user_id })
}

/// DescribeTable and DescribeTimeToLive name only the table.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TableRequest<'a> {
    table_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeDefinition<S> {
    attribute_name: S,
    attribute_type: S,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KeySchemaElement<S> {
    attribute_name: S,
    key_type: S,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProvisionedThroughput {
    read_capacity_units: u64,
    write_capacity_units: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CreateTableInput<'a> {
    table_name: &'a str,
    attribute_definitions: [AttributeDefinition<&'a str>; 1],
    key_schema: [KeySchemaElement<&'a str>; 1],
    billing_mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    provisioned_throughput: Option<ProvisionedThroughput>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct GetItemInput<'a> {
    table_name: &'a str,
    key: Key<'a>,
    consistent_read: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteItemInput<'a> {
    table_name: &'a str,
    key: Key<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateTimeToLiveInput<'a> {
    table_name: &'a str,
    time_to_live_specification: TimeToLiveSpecification<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TimeToLiveSpecification<'a> {
    enabled: bool,
    attribute_name: &'a str,
}

/// `{"N": digits}`: the expected version of a conditional put.
#[derive(Serialize)]
struct NumberValue {
    #[serde(rename = "N")]
    n: String,
}

/// PutItem without its `Item`, which [`put_item`] writes in front of it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PutItemEnvelope<'a> {
    table_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition_expression: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<One<'static, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<One<'static, NumberValue>>,
}

/// The JSON text of a request body. Our types hold only strings, numbers and maps with
/// string keys, which always serialize; an empty body would be refused by DynamoDB.
fn body(message: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(message).unwrap_or_default()
}

pub fn describe_table(table: &str) -> Vec<u8> {
    body(&TableRequest { table_name: table })
}

/// The plugin's table: one string partition key. PAY_PER_REQUEST tables carry no
/// ProvisionedThroughput at all, which DynamoDB requires.
pub fn create_table(table: &str, key_column: &str, billing: Billing) -> Vec<u8> {
    let (billing_mode, provisioned_throughput) = match billing {
        Billing::Provisioned {
            read_units,
            write_units,
        } => (
            "PROVISIONED",
            Some(ProvisionedThroughput {
                read_capacity_units: read_units,
                write_capacity_units: write_units,
            }),
        ),
        Billing::PayPerRequest => ("PAY_PER_REQUEST", None),
    };
    body(&CreateTableInput {
        table_name: table,
        attribute_definitions: [AttributeDefinition {
            attribute_name: key_column,
            attribute_type: "S",
        }],
        key_schema: [KeySchemaElement {
            attribute_name: key_column,
            key_type: "HASH",
        }],
        billing_mode,
        provisioned_throughput,
    })
}

pub fn get_item(table: &str, key_column: &str, user_id: &str) -> Vec<u8> {
    body(&GetItemInput {
        table_name: table,
        key: key(key_column, user_id),
        consistent_read: true,
    })
}

/// Optimistic locking: a write that succeeds only if the stored version attribute is still
/// `version`, or, for `None`, absent (a new user, or an item saved before locking was on).
#[derive(Debug, PartialEq, Eq)]
pub struct Precondition {
    pub attribute: String,
    pub version: Option<u64>,
}

/// The PutItem body. `item_members` are the members of the `Item` object, already
/// marshalled (see [`crate::transcode`]): large items are copied once, never parsed or
/// serialized again here. The rest of the body is a [`PutItemEnvelope`].
pub fn put_item(table: &str, item_members: &str, precondition: Option<&Precondition>) -> Vec<u8> {
    let envelope = PutItemEnvelope {
        table_name: table,
        condition_expression: precondition.map(|p| match p.version {
            None => "attribute_not_exists(#v)",
            Some(_) => "#v = :v",
        }),
        expression_attribute_names: precondition.map(|p| One("#v", p.attribute.as_str())),
        expression_attribute_values: precondition.and_then(|p| p.version).map(|version| {
            One(
                ":v",
                NumberValue {
                    n: version.to_string(),
                },
            )
        }),
    };
    let envelope = body(&envelope);
    // `{"Item":{<members>},` + the envelope's members (it always has TableName).
    let mut text = Vec::with_capacity(item_members.len() + envelope.len() + 16);
    text.extend_from_slice(b"{\"Item\":{");
    text.extend_from_slice(item_members.as_bytes());
    text.extend_from_slice(b"},");
    text.extend_from_slice(envelope.get(1..).unwrap_or_default());
    text
}

pub fn describe_time_to_live(table: &str) -> Vec<u8> {
    describe_table(table)
}

pub fn enable_time_to_live(table: &str, attribute: &str) -> Vec<u8> {
    body(&UpdateTimeToLiveInput {
        table_name: table,
        time_to_live_specification: TimeToLiveSpecification {
            enabled: true,
            attribute_name: attribute,
        },
    })
}

pub fn delete_item(table: &str, key_column: &str, user_id: &str) -> Vec<u8> {
    body(&DeleteItemInput {
        table_name: table,
        key: key(key_column, user_id),
    })
}

/// An answer body read from its JSON [`Tree`], as `#[derive(Deserialize)]` would read it:
/// members we do not use are ignored, an absent or `null` optional member is `None`, a
/// member of another JSON type (or a string holding a lone surrogate) is an error.
/// Ours rather than serde_json's: the answers are a few small bodies off the item path,
/// and reading them through serde_json (its deserializer, the derived visitors and the
/// float formatting its type errors link) measured 82 KB of the component (370,998 bytes with
/// it, 288,956 bytes with no reading at all): over the 300 KB budget on its own.
pub trait Answer: Sized {
    fn read(tree: &Tree) -> Result<Self, Unexpected>;
}

/// Which member of an answer was not what we expected (our own names, never the body's
/// content).
#[derive(Debug)]
pub struct Unexpected(&'static str);

/// `tree` itself, if it is an object.
fn object(tree: &Tree, name: &'static str) -> Result<(), Unexpected> {
    match tree {
        Tree::Object(_) => Ok(()),
        _ => Err(Unexpected(name)),
    }
}

/// The member `name` of the object `tree`; absent and `null` alike are `None`.
fn member<'a>(tree: &'a Tree, name: &'static str) -> Option<&'a Tree> {
    tree.get(name.as_bytes())
        .filter(|value| !matches!(value, Tree::Null))
}

fn text(tree: &Tree, name: &'static str) -> Result<String, Unexpected> {
    match tree {
        Tree::String(bytes) => String::from_utf8(bytes.clone()).map_err(|_| Unexpected(name)),
        _ => Err(Unexpected(name)),
    }
}

fn optional_text(tree: &Tree, name: &'static str) -> Result<Option<String>, Unexpected> {
    member(tree, name)
        .map(|value| text(value, name))
        .transpose()
}

/// The answer of an operation whose answer we do not read (CreateTable, PutItem,
/// DeleteItem, UpdateTimeToLive): any JSON object.
#[derive(Debug)]
pub struct Acknowledged {}

impl Answer for Acknowledged {
    fn read(tree: &Tree) -> Result<Self, Unexpected> {
        object(tree, "the answer")?;
        Ok(Acknowledged {})
    }
}

pub struct DescribeTimeToLiveOutput {
    time_to_live_description: Option<TimeToLiveDescription>,
}

struct TimeToLiveDescription {
    time_to_live_status: Option<String>,
    attribute_name: Option<String>,
}

impl Answer for DescribeTimeToLiveOutput {
    fn read(tree: &Tree) -> Result<Self, Unexpected> {
        object(tree, "the answer")?;
        let time_to_live_description = match member(tree, "TimeToLiveDescription") {
            None => None,
            Some(description) => {
                object(description, "TimeToLiveDescription")?;
                Some(TimeToLiveDescription {
                    time_to_live_status: optional_text(description, "TimeToLiveStatus")?,
                    attribute_name: optional_text(description, "AttributeName")?,
                })
            }
        };
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description,
        })
    }
}

/// `(TimeToLiveStatus, AttributeName)` of a DescribeTimeToLive answer; DISABLED tables
/// have no attribute name.
pub fn time_to_live_description(
    answer: DescribeTimeToLiveOutput,
) -> Result<(String, Option<String>), Failure> {
    let description = answer.time_to_live_description.ok_or_else(|| {
        Failure::Malformed("DescribeTimeToLive answer has no TimeToLiveDescription".into())
    })?;
    let status = description
        .time_to_live_status
        .unwrap_or_else(|| "DISABLED".into());
    Ok((status, description.attribute_name))
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

/// The answer of a 200 response as `T`, or why there is none.
pub fn parse_response<T: Answer>(response: &HttpResponse) -> Result<T, Failure> {
    check_response(response)?;
    decode(&response.body)
}

/// A success body as `T`. The error says what is wrong and where, never what the body
/// holds.
pub fn decode<T: Answer>(body: &[u8]) -> Result<T, Failure> {
    let tree = Tree::parse(body).map_err(|e| {
        Failure::Malformed(format!(
            "the body is not JSON ({e}, of {} bytes)",
            body.len()
        ))
    })?;
    T::read(&tree).map_err(|Unexpected(name)| {
        Failure::Malformed(format!(
            "the body is JSON but not the answer expected ({name} is not what DynamoDB sends, {} bytes)",
            body.len()
        ))
    })
}

/// The string member `name` of an error body in generalised UTF-8 (see
/// [`crate::json::decode_wtf8`]), shown with a lone surrogate as U+FFFD.
fn lossy_member(tree: &Tree, name: &str) -> Option<String> {
    match tree.get(name.as_bytes()) {
        Some(Tree::String(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    }
}

/// An error response: DynamoDB's JSON `{"__type": "ns#Code", "message": ...}` (or the
/// spellings `code`, `Code`, `Message` of other AWS services and servers in front of
/// DynamoDB), the `x-amzn-errortype` header, or the XML `<Code>` of IAM-style errors,
/// whichever is there.
pub fn parse_error(response: &HttpResponse) -> ServiceFailure {
    let json = Tree::parse(&response.body).unwrap_or(Tree::Null);
    let text = String::from_utf8_lossy(&response.body);
    let code = lossy_member(&json, "__type")
        .or_else(|| lossy_member(&json, "code"))
        .or_else(|| lossy_member(&json, "Code"))
        .or_else(|| header(response, "x-amzn-errortype").map(str::to_string))
        .or_else(|| xml_element(&text, "Code"))
        .map(|raw| strip_namespace(&raw))
        .filter(|code| !code.is_empty())
        .unwrap_or_else(|| format!("HTTP{}", response.status));
    let message = lossy_member(&json, "message")
        .or_else(|| lossy_member(&json, "Message"))
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

pub struct DescribeTableOutput {
    table: Option<TableWire>,
}

struct TableWire {
    table_status: Option<String>,
    key_schema: Option<Vec<KeySchemaElement<String>>>,
    attribute_definitions: Option<Vec<AttributeDefinition<String>>>,
}

/// The optional array member `name` of `tree`, each element an object read by `element`.
fn optional_list<T>(
    tree: &Tree,
    name: &'static str,
    element: impl Fn(&Tree) -> Result<T, Unexpected>,
) -> Result<Option<Vec<T>>, Unexpected> {
    match member(tree, name) {
        None => Ok(None),
        Some(Tree::Array(elements)) => elements
            .iter()
            .map(|value| {
                object(value, name)?;
                element(value)
            })
            .collect::<Result<Vec<T>, Unexpected>>()
            .map(Some),
        Some(_) => Err(Unexpected(name)),
    }
}

/// A required string member, as the derived reading of a non-optional `String` field.
fn required_text(tree: &Tree, name: &'static str) -> Result<String, Unexpected> {
    tree.get(name.as_bytes())
        .ok_or(Unexpected(name))
        .and_then(|value| text(value, name))
}

impl Answer for DescribeTableOutput {
    fn read(tree: &Tree) -> Result<Self, Unexpected> {
        object(tree, "the answer")?;
        let table = match member(tree, "Table") {
            None => None,
            Some(table) => {
                object(table, "Table")?;
                Some(TableWire {
                    table_status: optional_text(table, "TableStatus")?,
                    key_schema: optional_list(table, "KeySchema", |element| {
                        Ok(KeySchemaElement {
                            attribute_name: required_text(element, "AttributeName")?,
                            key_type: required_text(element, "KeyType")?,
                        })
                    })?,
                    attribute_definitions: optional_list(
                        table,
                        "AttributeDefinitions",
                        |element| {
                            Ok(AttributeDefinition {
                                attribute_name: required_text(element, "AttributeName")?,
                                attribute_type: required_text(element, "AttributeType")?,
                            })
                        },
                    )?,
                })
            }
        };
        Ok(DescribeTableOutput { table })
    }
}

pub fn table_description(answer: DescribeTableOutput) -> Result<TableDescription, Failure> {
    let malformed = |what: &str| Failure::Malformed(format!("DescribeTable answer {what}"));
    let table = answer
        .table
        .ok_or_else(|| malformed("has no Table object"))?;
    let status = table
        .table_status
        .ok_or_else(|| malformed("has no TableStatus"))?;
    let keys = table.key_schema.unwrap_or_default();
    let definitions = table.attribute_definitions.unwrap_or_default();
    let key_named = |kind: &str| {
        keys.iter()
            .find(|k| k.key_type == kind)
            .map(|k| k.attribute_name.clone())
    };
    let attribute_type = |name: &str| {
        definitions
            .iter()
            .find(|d| d.attribute_name == name)
            .map_or_else(|| "?".to_string(), |d| d.attribute_type.clone())
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
        assert!(
            parse_response::<Acknowledged>(&response(200, &[("x-amz-crc32", &good)], body)).is_ok()
        );
        let bad = parse_response::<Acknowledged>(&response(200, &[("x-amz-crc32", "1")], body))
            .unwrap_err();
        assert!(matches!(bad, Failure::Malformed(m) if m.contains("x-amz-crc32")));
    }

    #[test]
    fn non_json_success_is_malformed() {
        for body in ["", "[1]", "{\"Item\":", "<html>"] {
            assert!(
                matches!(
                    parse_response::<Acknowledged>(&response(200, &[], body)),
                    Err(Failure::Malformed(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn describe_reads_status_and_key() {
        let body = br#"{"Table":{"TableStatus":"CREATING","ProvisionedThroughput":{"ReadCapacityUnits":2},"KeySchema":[{"AttributeName":"userId","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"userId","AttributeType":"S"}]}}"#;
        let description = table_description(decode(body).unwrap()).unwrap();
        assert_eq!(description.status, "CREATING");
        assert_eq!(
            description.partition_key,
            Some(("userId".into(), "S".into()))
        );
        assert_eq!(description.sort_key, None);
    }

    #[test]
    fn malformed_answers_are_described_without_their_content() {
        let Err(Failure::Malformed(message)) =
            decode::<DescribeTableOutput>(br#"{"Table":"secret-value"}"#)
        else {
            panic!("a string Table is malformed");
        };
        assert!(!message.contains("secret-value"), "{message}");
        assert!(message.contains("not the answer expected"), "{message}");
    }

    #[test]
    fn answers_read_like_derived_types() {
        let answer: DescribeTimeToLiveOutput = decode(
            br#"{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"ttl","X":[1]}}"#,
        )
        .unwrap();
        assert_eq!(
            time_to_live_description(answer).unwrap(),
            ("ENABLED".to_string(), Some("ttl".to_string()))
        );
        let answer: DescribeTimeToLiveOutput =
            decode(br#"{"TimeToLiveDescription":{"AttributeName":null}}"#).unwrap();
        assert_eq!(
            time_to_live_description(answer).unwrap(),
            ("DISABLED".to_string(), None)
        );
        for body in [
            r#"{"TimeToLiveDescription":{"TimeToLiveStatus":1}}"#,
            r#"{"TimeToLiveDescription":{"AttributeName":"\ud83d"}}"#,
            r#"{"TimeToLiveDescription":[]}"#,
        ] {
            assert!(
                decode::<DescribeTimeToLiveOutput>(body.as_bytes()).is_err(),
                "{body}"
            );
        }
        for body in [
            r#"{"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"k"}]}}"#,
            r#"{"Table":{"TableStatus":"ACTIVE","KeySchema":{}}}"#,
            r#"{"Table":{"TableStatus":"ACTIVE","AttributeDefinitions":["k"]}}"#,
        ] {
            assert!(
                decode::<DescribeTableOutput>(body.as_bytes()).is_err(),
                "{body}"
            );
        }
    }

    #[test]
    fn error_messages_with_lone_surrogates_keep_their_code() {
        let failure = parse_error(&response(
            400,
            &[],
            r#"{"__type":"x#ValidationException","message":"bad \ud83d name"}"#,
        ));
        assert_eq!(failure.code, "ValidationException");
        assert!(failure.message.starts_with("bad \u{fffd}") && failure.message.ends_with(" name"));
    }
}
