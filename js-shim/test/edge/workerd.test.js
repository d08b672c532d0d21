// The workerd example (examples/workerd) in the real workerd runtime against a real dynalite:
// the worker counts a user's visits through the component (the package's edge bundle, handed
// the core modules as precompiled wasm modules), over workerd's fetch. Stored items are read back raw from dynalite.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDynalite } from '../support/dynalite.js';
import { rawItem } from './support/raw-dynamodb.js';
import { startWorkerd } from './support/workerd.js';

const TABLE_NAME = 'edge-visits';
let dynalite;
let workerd;

before(async () => {
  dynalite = await startDynalite(); // 500 ms CREATING window: the first request waits it out
  workerd = await startWorkerd(workerBindings());
});

function workerBindings() {
  return {
    TABLE_NAME,
    DYNAMODB_ENDPOINT: dynalite.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTESTEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret-never-printed',
  };
}

after(async () => {
  await workerd?.stop();
  await dynalite?.stop();
});

async function visit(userId) {
  const started = performance.now();
  const response = await fetch(`${workerd.origin}/?user=${encodeURIComponent(userId)}`);
  const body = await response.json();
  return { status: response.status, body, elapsedMs: performance.now() - started };
}

test('the first request creates the table and counts the first visit', async () => {
  const first = await visit('alice');
  assert.equal(first.status, 200, `${JSON.stringify(first.body)}\n${workerd.log()}`);
  assert.deepEqual({ userId: first.body.userId, visits: first.body.visits }, { userId: 'alice', visits: 1 });
  console.log(
    `workerd first request: ${first.elapsedMs.toFixed(0)} ms round trip, first item loaded after ` +
      `${first.body.loadedAfterMs} ms in the worker (instantiate + create table + GetItem)`,
  );
  const warm = await visit('alice');
  console.log(`workerd warm request: ${warm.elapsedMs.toFixed(1)} ms round trip, loaded after ${warm.body.loadedAfterMs} ms`);
});

test("a returning visitor's counter goes up and dynalite holds the plugin's attribute values", async () => {
  for (const expected of [1, 2, 3]) {
    const { status, body } = await visit('bob');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.visits, expected);
  }
  assert.deepEqual(await rawItem(dynalite.endpoint, TABLE_NAME, 'bob'), {
    userId: { S: 'bob' },
    user: { M: { data: { M: { visits: { N: '3' } } } } },
  });
});

test('concurrent visitors of one isolate share its instance and every visit lands', async () => {
  const users = Array.from({ length: 12 }, (_, index) => `crowd-${index}`);
  const answers = await Promise.all(users.map((userId) => visit(userId)));
  assert.deepEqual(answers.map(({ status }) => status), users.map(() => 200));
  for (const userId of users) {
    assert.deepEqual(await rawItem(dynalite.endpoint, TABLE_NAME, userId), {
      userId: { S: userId },
      user: { M: { data: { M: { visits: { N: '1' } } } } },
    });
  }
});

test('an empty user id is an invalid-input error, code and all', async () => {
  const { status, body } = await visit('');
  assert.equal(status, 400);
  assert.equal(body.code, 'invalid-input');
  assert.match(body.message, /user id/);
});

test("after a restart of workerd the visitor's count goes on from the stored item", async () => {
  await workerd.stop();
  workerd = await startWorkerd(workerBindings());
  const { status, body, elapsedMs } = await visit('bob');
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.visits, 4);
  console.log(
    `workerd first request of a new isolate, table existing: ${elapsedMs.toFixed(0)} ms round trip, ` +
      `first item loaded after ${body.loadedAfterMs} ms in the worker (instantiate + DescribeTable + GetItem)`,
  );
});
