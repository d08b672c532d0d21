// Reads an item straight from dynalite with one hand-made GetItem request, below every client
// of ours, so a test sees exactly the attribute values that were stored. dynalite wants an
// Authorization header of the right shape but checks no signature.
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=AKIDTESTEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, ' +
  'SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000';

/** The raw attribute values of the item whose `userId` is `userId`, or undefined. */
export async function rawItem(endpoint, tableName, userId) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'x-amz-date': '20240101T000000Z',
      authorization: AUTHORIZATION,
    },
    body: JSON.stringify({ TableName: tableName, Key: { userId: { S: userId } }, ConsistentRead: true }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`GetItem answered HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body.Item;
}
