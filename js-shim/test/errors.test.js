// User stories of mistakes and failures: each surfaces as a DynamoDbError with a stable
// `code` (the WIT store-error case) and a message that says what to fix.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDb, DynamoDbError } from '../src/index.js';
import { TEST_CREDENTIALS, dynamoDbClientConfig, pluginConfig, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { startProxy } from './support/proxy.js';
import { saveUserDataWithOurs } from './support/items.js';

let dynalite;
const plugins = [];
before(async () => {
  dynalite = await startDynalite();
});
after(async () => {
  await Promise.all(plugins.map((plugin) => plugin.close()));
  await dynalite.stop();
});

function plugin(config) {
  const created = new DynamoDb(config);
  plugins.push(created);
  return created;
}

/** Asserts a DynamoDbError with `code` whose message matches `pattern` and holds no secret. */
function failsWith(code, pattern) {
  return (error) => {
    assert.ok(error instanceof DynamoDbError, `expected a DynamoDbError, got ${inspect(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    assert.doesNotMatch(inspect(error, { depth: 5 }), new RegExp(TEST_CREDENTIALS.secretAccessKey));
    return true;
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('bad config', () => {
  test('a missing table name fails at construction with code invalid-config', () => {
    assert.throws(() => new DynamoDb({}), failsWith('invalid-config', /table\.name is missing/));
    assert.throws(() => new DynamoDb({ table: { name: '' } }), failsWith('invalid-config', /table\.name is missing/));
    assert.throws(() => new DynamoDb({ table: { name: '<YOUR-TABLE-NAME>' } }), failsWith('invalid-config', /table\.name is missing/));
  });

  test('an invalid table name fails initialize() with code invalid-config, naming the rule', async () => {
    for (const name of ['ab', 'bad name!', 'x'.repeat(256)]) {
      const config = pluginConfig(dynalite.endpoint, { table: { name } });
      await assert.rejects(plugin(config).initialize(), failsWith('invalid-config', /table name|3 to 255|characters/i), name);
    }
  });

  test('an unknown billing mode or capacity fails at construction', () => {
    assert.throws(() => new DynamoDb({ table: { name: 'users', billingMode: 'ON_DEMAND' } }), failsWith('invalid-config', /PAY_PER_REQUEST/));
    assert.throws(() => new DynamoDb({ table: { name: 'users', readCapacityUnits: 0 } }), failsWith('invalid-config', /readCapacityUnits/));
  });

  test('neither region nor endpoint fails initialize() with code invalid-config', async () => {
    const saved = { AWS_REGION: process.env.AWS_REGION, AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const config = { table: { name: uniqueTableName() }, libraryConfig: { dynamoDbClient: { credentials: TEST_CREDENTIALS } } };
      await assert.rejects(plugin(config).initialize(), failsWith('invalid-config', /region/i));
    } finally {
      for (const [key, value] of Object.entries(saved)) if (value !== undefined) process.env[key] = value;
    }
  });
});

describe('failures at run time', () => {
  test('an unreachable endpoint fails with code transport-failed and the reason', async () => {
    const config = pluginConfig(`http://127.0.0.1:${await closedPort()}`, { component: { retryBaseDelayMs: 1 } });
    config.libraryConfig.dynamoDbClient.maxAttempts = 2;
    await assert.rejects(plugin(config).initialize(), failsWith('transport-failed', /ECONNREFUSED|fetch failed/));
  });

  test('a server slower than requestTimeoutMs fails with code timed-out', async () => {
    const slow = await startProxy(dynalite.endpoint, { delayMs: 1000 });
    try {
      const config = pluginConfig(slow.endpoint, { component: { requestTimeoutMs: 200, retryBaseDelayMs: 1 } });
      config.libraryConfig.dynamoDbClient.maxAttempts = 1;
      await assert.rejects(plugin(config).initialize(), failsWith('timed-out', /200 ms|time/));
    } finally {
      await slow.stop();
    }
  });

  test("DynamoDB's own errors carry code service, DynamoDB's code, message, request id and attempts", async () => {
    const name = uniqueTableName('numeric-key');
    const sdk = new DynamoDBClient(dynamoDbClientConfig(dynalite.endpoint));
    await sdk.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    sdk.destroy();
    await new Promise((resolve) => setTimeout(resolve, 600)); // past dynalite's CREATING window
    const ours = plugin(pluginConfig(dynalite.endpoint, { table: { name, createTableOnInit: false } }));
    await assert.rejects(saveUserDataWithOurs(ours, 'not-a-number', {}), (error) => {
      failsWith('service', /ValidationException: .+\(HTTP 400, request id \S+, 1 attempt\)/)(error);
      assert.equal(error.serviceCode, 'ValidationException');
      assert.equal(error.statusCode, 400);
      assert.equal(error.attempts, 1);
      assert.ok(error.requestId);
      return true;
    });
  });

  test('an item over 400 KB fails with code item-too-large and nothing is sent', async () => {
    const ours = plugin(pluginConfig(dynalite.endpoint));
    await ours.initialize();
    await assert.rejects(saveUserDataWithOurs(ours, 'big', { text: 'x'.repeat(410 * 1024) }), failsWith('item-too-large', /\d/));
  });
});
