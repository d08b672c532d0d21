// User stories of the table: created on the first request without failing it, with the
// configured billing mode, capacity and key, or reported missing when creation is off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDb as OriginalDynamoDb } from '@jovotech/db-dynamodb';
import { DynamoDb } from '../src/index.js';
import { dynamoDbClientConfig, pluginConfig, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { visit, visitCounterApp } from './support/jovo.js';

let dynalite;
let sdk;
const plugins = [];
before(async () => {
  dynalite = await startDynalite({ createTableMs: 500 }); // dynalite's default CREATING window
  sdk = new DynamoDBClient(dynamoDbClientConfig(dynalite.endpoint));
});
after(async () => {
  await Promise.all(plugins.map((plugin) => plugin.close()));
  sdk.destroy();
  await dynalite.stop();
});

function plugin(options) {
  const created = new DynamoDb(pluginConfig(dynalite.endpoint, options));
  plugins.push(created);
  return created;
}

async function describeTable(name) {
  return (await sdk.send(new DescribeTableCommand({ TableName: name }))).Table;
}

describe('the table', () => {
  test('the first request of a brand-new app succeeds while the table is still being created', async () => {
    const ours = plugin();
    await assert.rejects(describeTable(ours.config.table.name), { name: 'ResourceNotFoundException' });
    const started = Date.now();
    const report = await visit(visitCounterApp(ours), 'first-user');
    assert.equal(report.visits, 1);
    assert.ok(Date.now() - started >= 450, 'the request waited through the CREATING window');
    assert.equal((await describeTable(ours.config.table.name)).TableStatus, 'ACTIVE');
  });

  // Its initialize() starts CreateTable and throws "Creating a table. Please wait ..."; the
  // app hands that to its error listeners (by default a logger) and goes on, and the
  // request then fails reading the table that is still CREATING.
  test('the original plugin fails that same first request', async () => {
    const original = new OriginalDynamoDb({
      table: { name: uniqueTableName('original') },
      libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) },
    });
    const app = visitCounterApp(original);
    const reported = [];
    app.errorListeners.splice(0, app.errorListeners.length, (error) => reported.push(error.message));
    try {
      await assert.rejects(visit(app, 'first-user'), /ResourceNotFound|resource not found/);
    } finally {
      original.client.destroy();
    }
    assert.match(reported.join('\n'), /Creating a table\. Please wait a moment and resend the request/);
  });

  test('PAY_PER_REQUEST creates an on-demand table without provisioned throughput', async () => {
    const ours = plugin({ table: { billingMode: 'PAY_PER_REQUEST' } });
    assert.equal((await visit(visitCounterApp(ours), 'on-demand-user')).visits, 1);
    const table = await describeTable(ours.config.table.name);
    assert.equal(table.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(table.ProvisionedThroughput?.ReadCapacityUnits ?? 0, 0);
  });

  test('PROVISIONED tables get the configured capacity and primary key column', async () => {
    const ours = plugin({ table: { readCapacityUnits: 5, writeCapacityUnits: 7, primaryKeyColumn: 'id' } });
    await ours.initialize();
    const table = await describeTable(ours.config.table.name);
    assert.deepEqual(table.ProvisionedThroughput && [table.ProvisionedThroughput.ReadCapacityUnits, table.ProvisionedThroughput.WriteCapacityUnits], [5, 7]);
    assert.deepEqual(table.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
    assert.equal((await visit(visitCounterApp(ours), 'keyed-user')).visits, 1);
  });

  test('with createTableOnInit off, a missing table fails initialize() with code table-missing', async () => {
    const ours = plugin({ table: { createTableOnInit: false } });
    await assert.rejects(ours.initialize(), (error) => {
      assert.equal(error.code, 'table-missing');
      assert.match(error.message, new RegExp(ours.config.table.name));
      return true;
    });
    await assert.rejects(describeTable(ours.config.table.name), { name: 'ResourceNotFoundException' });
  });

  test('an existing table keyed by another column fails initialize() with code invalid-config', async () => {
    const name = uniqueTableName('other-key');
    await sdk.send(new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    const ours = plugin({ table: { name } });
    await assert.rejects(ours.initialize(), { code: 'invalid-config', message: /pk|userId/ });
  });
});
