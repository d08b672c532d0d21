// The hand-written canonical-ABI binding of the core module (src/engine/component.js), driven
// directly, without a server: what each call lowers and lifts, that a caller's type mistake
// leaves the instance usable, and that a trap makes it refuse every later call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ComponentError, MAIN_CORE_MODULE, instantiateStore } from '../src/engine/component.js';
import { inlineCoreModule } from '../src/engine/inline-wasm.js';

const CREDENTIALS = { accessKeyId: 'AKIDBINDINGTEST', secretAccessKey: 'binding-test-secret' };

function config(overrides = {}) {
  return {
    table: { name: 'binding-test', createTableOnInit: false, primaryKeyColumn: 'userId', readCapacityUnits: 2n, billingMode: 'provisioned', ...overrides.table },
    client: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 2, retryBaseDelayMs: 1, ...overrides.client },
    marshall: { removeUndefinedValues: true, ...overrides.marshall },
  };
}

async function openClient(overrides) {
  const store = await instantiateStore(await inlineCoreModule(MAIN_CORE_MODULE), { credentials: () => CREDENTIALS });
  return store.Client.open(config(overrides));
}

const header = (request, name) => request.headers.find(([key]) => key === name)?.[1];

test('open lowers the config record: endpoint, region and table name reach the signed request', async () => {
  const client = await openClient();
  const operation = client.start({ tag: 'load-user', val: 'alice' });
  const step = operation.advance(undefined);
  operation.dispose();
  assert.equal(step.tag, 'send');
  const { request, timeoutMs } = step.val;
  assert.equal(request.method, 'POST');
  assert.equal(request.url, 'http://127.0.0.1:9/');
  assert.equal(header(request, 'x-amz-target'), 'DynamoDB_20120810.GetItem');
  assert.match(header(request, 'authorization'), /^AWS4-HMAC-SHA256 Credential=AKIDBINDINGTEST\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/);
  assert.ok(request.body instanceof Uint8Array);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(request.body)), { TableName: 'binding-test', Key: { userId: { S: 'alice' } }, ConsistentRead: true });
  assert.ok(Number.isInteger(timeoutMs) && timeoutMs > 0);
});

test('open lifts a store-error as ComponentError with the WIT payload', async () => {
  await assert.rejects(openClient({ table: { name: 'no spaces allowed' } }), (error) => {
    assert.ok(error instanceof ComponentError);
    assert.equal(error.payload.tag, 'invalid-config');
    assert.equal(typeof error.payload.val, 'string');
    return true;
  });
});

test('strings of every width cross exactly: ASCII, two-, three- and four-byte UTF-8', async () => {
  const client = await openClient();
  for (const userId of ['a', 'zoë', '€uro', '😀', `${'x'.repeat(300)}ü😀€`, 'ü'.repeat(1000)]) {
    const item = JSON.stringify({ user: { data: { text: `${userId}|${userId}` } } });
    const operation = client.start({ tag: 'save-user', val: { userId, item } });
    const step = operation.advance(undefined);
    operation.dispose();
    const body = JSON.parse(new TextDecoder().decode(step.val.request.body));
    assert.deepEqual(body.Item.userId, { S: userId });
    assert.deepEqual(body.Item.user.M.data.M.text, { S: `${userId}|${userId}` });
  }
});

test('a response is lowered (status, headers, body) and the result lifted: no item is undefined', async () => {
  const client = await openClient();
  const operation = client.start({ tag: 'load-user', val: 'nobody' });
  operation.advance(undefined);
  const body = new TextEncoder().encode('{}');
  const step = operation.advance({ tag: 'ok', val: { status: 200, headers: [['content-type', 'application/x-amz-json-1.0'], ['x-amzn-requestid', 'r-1']], body } });
  operation.dispose();
  assert.deepEqual(step, { tag: 'done', val: { tag: 'ok', val: { tag: 'load-user', val: undefined } } });
});

test('a transport error is lowered; past max attempts the result is the lifted store-error', async () => {
  const client = await openClient();
  const operation = client.start({ tag: 'delete-user', val: 'carol' });
  let step = operation.advance(undefined);
  const seen = [];
  while (step.tag !== 'done') {
    seen.push(step.tag);
    step = operation.advance(step.tag === 'send' ? { tag: 'err', val: { tag: 'failed', val: 'connection refused' } } : undefined);
  }
  operation.dispose();
  assert.deepEqual(seen, ['send', 'sleep', 'send']);
  assert.equal(step.val.tag, 'err');
  assert.equal(step.val.val.tag, 'transport-failed');
  assert.match(step.val.val.val, /connection refused/);
});

test('a service error is lifted with its record (code, message, request id, status, attempts)', async () => {
  const client = await openClient({ client: { maxAttempts: 1 } });
  const operation = client.start({ tag: 'load-user', val: 'dave' });
  operation.advance(undefined);
  const body = new TextEncoder().encode(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'not allowed' }));
  const step = operation.advance({ tag: 'ok', val: { status: 400, headers: [['x-amzn-requestid', 'req-42']], body } });
  operation.dispose();
  assert.equal(step.tag, 'done');
  assert.equal(step.val.tag, 'err');
  assert.deepEqual(step.val.val, { tag: 'access-denied', val: { code: 'AccessDeniedException', message: 'not allowed', requestId: 'req-42', status: 400, attempts: 1 } });
});

test("a caller's type mistake is a TypeError before anything is lowered; the instance stays usable", async () => {
  const client = await openClient();
  assert.throws(() => client.start({ tag: 'load-user', val: 42 }), TypeError);
  assert.throws(() => client.start({ tag: 'save-user', val: { userId: 'x', item: {} } }), TypeError);
  assert.throws(() => client.start({ tag: 'no-such-operation' }), TypeError);
  const operation = client.start({ tag: 'load-user', val: 'still-works' });
  assert.equal(operation.advance(undefined).tag, 'send');
  operation.dispose();
  operation.dispose(); // idempotent
  assert.throws(() => operation.advance(undefined), /disposed/);
});

test('after a trap the instance refuses every call', async () => {
  const client = await openClient();
  const operation = client.start({ tag: 'load-user', val: 'eve' });
  operation.advance(undefined);
  assert.throws(() => operation.advance({ tag: 'not-a-result-case' }), TypeError);
  assert.throws(() => client.start({ tag: 'load-user', val: 'eve' }), (error) => error instanceof WebAssembly.RuntimeError && /trapped earlier/.test(error.message));
  operation.dispose(); // no call into the trapped instance, no throw
});

test('the credentials import: its err case reaches the operation as credentials-unavailable', async () => {
  const store = await instantiateStore(await inlineCoreModule(MAIN_CORE_MODULE), {
    credentials: () => {
      throw Object.assign(new Error('no credentials here'), { payload: 'no credentials here' });
    },
  });
  const client = store.Client.open(config());
  const operation = client.start({ tag: 'load-user', val: 'frank' });
  const step = operation.advance(undefined);
  operation.dispose();
  assert.equal(step.tag, 'done');
  assert.deepEqual(step.val.val, { tag: 'credentials-unavailable', val: step.val.val.val });
  assert.match(step.val.val.val, /no credentials here/);
});
