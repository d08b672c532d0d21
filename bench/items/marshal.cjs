// JSON values as DynamoDB attribute values, as `marshall` of @aws-sdk/util-dynamodb does with
// the plugin's defaults. Shared by the stub server (canned answers) and the Node floor
// (requests signed in advance).
'use strict';

function marshal(value) {
  if (value === null) return { NULL: true };
  if (typeof value === 'boolean') return { BOOL: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'string') return { S: value };
  if (Array.isArray(value)) return { L: value.map(marshal) };
  return { M: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, marshal(v)])) };
}

exports.marshal = marshal;
