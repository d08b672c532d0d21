// User stories of mistakes: every bad user id, item or option given to the plugin or the edge
// entry fails with a DynamoDbError of code 'invalid-input' or 'invalid-config' that names
// what is wrong, before a single request goes out. Never a TypeError or RangeError from the
// binding or the runtime, never a synchronous throw from an async method.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DynamoDb, DynamoDbError } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { TEST_CREDENTIALS, pluginConfig } from './support/config.js';
import { saveUserDataWithOurs } from './support/items.js';

// A DynamoDB stand-in that counts what reaches it: the table exists, and no user has an item.
let server;
let endpoint;
let requests = 0;
before(async () => {
  server = createServer((request, response) => {
    requests++;
    request.resume();
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).split('.').pop();
      const answer = operation === 'DescribeTable'
        ? { Table: { TableName: 'any', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }] } }
        : {};
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(answer));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

/** Asserts that `run()` returns a promise (no synchronous throw) rejecting with `code`, and that nothing was sent. */
async function refused(run, code, message) {
  const sentBefore = requests;
  let result;
  try {
    result = run();
  } catch (error) {
    assert.fail(`threw synchronously instead of rejecting: ${error?.name}: ${error?.message}`);
  }
  assert.ok(result instanceof Promise, 'returns a promise');
  await assert.rejects(result, (error) => {
    assert.ok(error instanceof DynamoDbError, `a DynamoDbError, not ${error?.name}: ${error?.message}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
  assert.equal(requests, sentBefore, 'nothing was sent');
}

/** Ten thousand levels of { n: { n: ... } }. */
function nested(depth) {
  const root = {};
  let current = root;
  for (let level = 0; level < depth; level++) current = current.n = {};
  return root;
}

function circular() {
  const data = { name: 'loop' };
  data.self = { back: data };
  return data;
}

class Point {
  constructor() {
    this.x = 1;
  }
}

// $user.data that no save may store, with what the message must name.
const BAD_DATA = [
  ['NaN', { score: NaN }, /Special numeric value NaN at item\.user\.data\.score is not allowed/],
  ['Infinity', { list: [1, -Infinity] }, /Special numeric value -Infinity at item\.user\.data\.list\[1\]/],
  ['a Set of strings and a number', { tags: new Set(['a', 1]) }, /item\.user\.data\.tags is a Set of strings that also holds a number/],
  ['a Map inside a Set', { tags: new Set([new Map()]) }, /item\.user\.data\.tags is a Set holding an object \(Map\)/],
  ['an empty Set', { tags: new Set() }, /item\.user\.data\.tags is an empty Set/],
  ['a Blob', { bytes: new Blob(['ab']) }, /item\.user\.data\.bytes is a Blob/],
  ['a number beyond 2^53', { n: 2 ** 53 + 1 }, /item\.user\.data\.n is a number beyond ±Number\.MAX_SAFE_INTEGER/],
  ['a boxed BigInt', { n: Object(5n) }, /item\.user\.data\.n is a boxed BigInt/],
  ['a Map with keys 1 and "1"', { byId: new Map([[1, 'a'], ['1', 'b']]) }, /item\.user\.data\.byId\.1 is a second key of the Map/],
  ['a symbol', { s: Symbol('s') }, /is a symbol/],
  ['a cycle', circular(), /item\.user\.data\.self\.back refers back/],
  ['an array containing itself', (() => { const list = []; list.push(list); return { list }; })(), /circular/],
  ['10,000 levels of nesting', nested(10_000), /nested deeper than DynamoDB's 32 levels/],
  ['33 levels of nesting', nested(31), /nested deeper than DynamoDB's 32 levels/],
];

describe('the plugin refuses bad input before sending anything', () => {
  let plugin;
  before(() => {
    plugin = new DynamoDb(pluginConfig(endpoint));
  });
  after(() => plugin?.close());

  test('a working load reaches the stand-in (the request counter counts)', async () => {
    const sentBefore = requests;
    const jovo = { $user: { isNew: true }, setPersistableData() {} };
    await plugin.loadData('someone', jovo);
    assert.ok(requests > sentBefore);
    assert.equal(jovo.$user.isNew, true);
  });

  // 'user-\ud800' and 'user-\udbff' would both become 'user-\ufffd' in UTF-8: one item for three users.
  for (const userId of ['user-\ud800', 'user-\udbff', '\udc00user']) {
    test(`a user id with a lone surrogate (${JSON.stringify(userId)}) is invalid-input for loadData, saveData and deleteData`, async () => {
      const jovo = { $user: { isNew: true }, setPersistableData() {}, getPersistableData: () => ({ user: { data: {} } }) };
      await refused(() => plugin.loadData(userId, jovo), 'invalid-input', /user id is not valid Unicode: it holds a lone surrogate/);
      await refused(() => plugin.saveData(userId, jovo), 'invalid-input', /lone surrogate/);
      await refused(() => plugin.deleteData(userId), 'invalid-input', /lone surrogate/);
    });
  }

  for (const [what, userId] of [['a number', 5], ['undefined', undefined], ['null', null], ['an object', {}], ['an empty string', '']]) {
    test(`a user id that is ${what} is invalid-input for loadData, saveData and deleteData`, async () => {
      const jovo = { $user: { isNew: true }, setPersistableData() {}, getPersistableData: () => ({ user: { data: {} } }) };
      await refused(() => plugin.loadData(userId, jovo), 'invalid-input', /user id must be a non-empty string/);
      await refused(() => plugin.saveData(userId, jovo), 'invalid-input', /user id/);
      await refused(() => plugin.deleteData(userId), 'invalid-input', /user id/);
    });
  }

  for (const [what, data, message] of BAD_DATA) {
    test(`$user.data with ${what} is invalid-input`, async () => {
      await refused(() => saveUserDataWithOurs(plugin, 'bad-data', data), 'invalid-input', message);
    });
  }

  test('with removeUndefinedValues or convertClassInstanceToMap off, undefined and class instances are invalid-input', async () => {
    const strict = new DynamoDb(pluginConfig(endpoint, { libraryConfig: { marshall: { removeUndefinedValues: false, convertClassInstanceToMap: false } } }));
    await refused(() => saveUserDataWithOurs(strict, 'strict', { missing: undefined }), 'invalid-input', /item\.user\.data\.missing is undefined/);
    await refused(() => saveUserDataWithOurs(strict, 'strict', { point: new Point() }), 'invalid-input', /item\.user\.data\.point: an instance of Point\. Pass options\.convertClassInstanceToMap=true/);
    await strict.close();
  });

  test('error messages name where the bad value is, never the value', async () => {
    const secretish = 'value-that-must-not-appear';
    await assert.rejects(saveUserDataWithOurs(plugin, 'bad-data', { [secretish.slice(0, 3)]: NaN, other: secretish }), (error) => {
      assert.doesNotMatch(error.message, new RegExp(secretish));
      return true;
    });
  });
});

// Options of the wrong type or range, with the option the message must name.
const base = () => pluginConfig('http://127.0.0.1:1');
const BAD_PLUGIN_CONFIGS = [
  ['table.primaryKeyColumn: 5', (c) => (c.table.primaryKeyColumn = 5), /table\.primaryKeyColumn must be a string, not 5/],
  ['a BigInt table.readCapacityUnits', (c) => (c.table.readCapacityUnits = 5n), /table\.readCapacityUnits .*BigInt 5n/],
  ['a fractional table.writeCapacityUnits', (c) => (c.table.writeCapacityUnits = 1.5), /table\.writeCapacityUnits/],
  ['table.readCapacityUnits as a string', (c) => (c.table.readCapacityUnits = '2'), /table\.readCapacityUnits/],
  ['table.createTableOnInit: "yes"', (c) => (c.table.createTableOnInit = 'yes'), /table\.createTableOnInit must be true or false/],
  ['table.optimisticLocking: 1', (c) => (c.table.optimisticLocking = 1), /table\.optimisticLocking/],
  ['table.billingMode: 5', (c) => (c.table.billingMode = 5), /table\.billingMode/],
  ['table.versionAttribute: null', (c) => (c.table.versionAttribute = null), /table\.versionAttribute/],
  ['table.expireAfterDays: 0', (c) => (c.table.expireAfterDays = 0), /table\.expireAfterDays must be a whole number of days of at least 1/],
  ['table.expireAfterDays: 2^32', (c) => (c.table.expireAfterDays = 2 ** 32), /table\.expireAfterDays/],
  ['libraryConfig: "x"', (c) => (c.libraryConfig = 'x'), /libraryConfig must be an object/],
  ['dynamoDbClient.region: 5', (c) => (c.libraryConfig.dynamoDbClient.region = 5), /region must be a string/],
  ['dynamoDbClient.endpoint: 5', (c) => (c.libraryConfig.dynamoDbClient.endpoint = 5), /endpoint must be a URL string/],
  ['dynamoDbClient.endpoint: { hostname: 5 }', (c) => (c.libraryConfig.dynamoDbClient.endpoint = { hostname: 5 }), /endpoint/],
  ['credentials as a string', (c) => (c.libraryConfig.dynamoDbClient.credentials = 'AKID:secret'), /credentials must be \{ accessKeyId/],
  ['credentials without a secret', (c) => (c.libraryConfig.dynamoDbClient.credentials = { accessKeyId: 'AKID' }), /credentials\.secretAccessKey must be a string, not an undefined/],
  ['a numeric session token', (c) => (c.libraryConfig.dynamoDbClient.credentials = { ...TEST_CREDENTIALS, sessionToken: 5 }), /sessionToken/],
  ['maxAttempts: 0', (c) => (c.libraryConfig.dynamoDbClient.maxAttempts = 0), /maxAttempts must be a whole number from 1 to 20, not 0/],
  ['maxAttempts: 21', (c) => (c.libraryConfig.dynamoDbClient.maxAttempts = 21), /maxAttempts/],
  ['maxAttempts: "3"', (c) => (c.libraryConfig.dynamoDbClient.maxAttempts = '3'), /maxAttempts/],
  ['marshall.removeUndefinedValues: "true"', (c) => (c.libraryConfig.marshall = { removeUndefinedValues: 'true' }), /libraryConfig\.marshall\.removeUndefinedValues/],
  ['component: "fast"', (c) => (c.component = 'fast'), /component must be an object/],
  ['requestTimeoutMs: 0', (c) => (c.component.requestTimeoutMs = 0), /component\.requestTimeoutMs must be a whole number of milliseconds from 1 to 2147483647/],
  ['requestTimeoutMs: -1', (c) => (c.component.requestTimeoutMs = -1), /requestTimeoutMs/],
  ['requestTimeoutMs: 2^31 (Node timers overflow)', (c) => (c.component.requestTimeoutMs = 2 ** 31), /requestTimeoutMs/],
  ['requestTimeoutMs: 2^32 (beyond u32)', (c) => (c.component.requestTimeoutMs = 2 ** 32), /requestTimeoutMs/],
  ['requestTimeoutMs: "100"', (c) => (c.component.requestTimeoutMs = '100'), /requestTimeoutMs/],
  ['requestTimeoutMs: 1.5', (c) => (c.component.requestTimeoutMs = 1.5), /requestTimeoutMs/],
  ['tableReadyTimeoutMs: 0', (c) => (c.component.tableReadyTimeoutMs = 0), /tableReadyTimeoutMs/],
  ['tableReadyTimeoutMs: 2^31', (c) => (c.component.tableReadyTimeoutMs = 2 ** 31), /tableReadyTimeoutMs/],
  ['retryBaseDelayMs: -1', (c) => (c.component.retryBaseDelayMs = -1), /retryBaseDelayMs must be a whole number of milliseconds from 0/],
  ['retryBaseDelayMs: 0.5', (c) => (c.component.retryBaseDelayMs = 0.5), /retryBaseDelayMs/],
  ['retryMaxDelayMs: 2^31', (c) => (c.component.retryMaxDelayMs = 2 ** 31), /retryMaxDelayMs/],
  ['component.onSleep: 5', (c) => (c.component.onSleep = 5), /component\.onSleep must be a function/],
  ['operationTimeoutMs: 0', (c) => (c.component.operationTimeoutMs = 0), /component\.operationTimeoutMs must be a whole number of milliseconds from 1/],
  ['operationTimeoutMs: 2^31', (c) => (c.component.operationTimeoutMs = 2 ** 31), /operationTimeoutMs/],
  ['component.ca: a Buffer', (c) => (c.component.ca = Buffer.from('x')), /component\.ca must be a string/],
  ['component.proxy: true', (c) => (c.component.proxy = true), /component\.proxy must be a proxy URL string .* or false/],
  ['component.proxy: an https:// proxy', (c) => (c.component.proxy = 'https://proxy.example.com'), /component\.proxy must be an http:\/\/ proxy URL, not https:\/\//],
  ['component.proxy: not a URL', (c) => (c.component.proxy = 'http://user:pw@[nope'), /component\.proxy is not a proxy URL/],
  // The AWS SDK's way to pass an agent with a CA or a proxy: silently ignoring it would drop them.
  ['dynamoDbClient.requestHandler', (c) => (c.libraryConfig.dynamoDbClient.requestHandler = { handle() {} }), /requestHandler is not supported .*component\.ca .*AWS_CA_BUNDLE.*component\.proxy .*HTTPS_PROXY/],
];

describe('the plugin refuses bad options before anything starts', () => {
  for (const [what, mutate, message] of BAD_PLUGIN_CONFIGS) {
    test(`${what} is invalid-config at construction`, () => {
      const config = base();
      mutate(config);
      assert.throws(() => new DynamoDb(config), (error) => {
        assert.ok(error instanceof DynamoDbError, `a DynamoDbError, not ${error?.name}: ${error?.message}`);
        assert.equal(error.code, 'invalid-config');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('an option broken after construction (as a merged app config may be) makes initialize() reject', async () => {
    const plugin = new DynamoDb(pluginConfig(endpoint));
    plugin.config.component.requestTimeoutMs = 2 ** 31;
    await refused(() => plugin.initialize(), 'invalid-config', /requestTimeoutMs/);
    await plugin.close();
  });

  test('a region provider resolving to something not a string rejects with invalid-config', async () => {
    const plugin = new DynamoDb(pluginConfig(endpoint));
    plugin.config.libraryConfig.dynamoDbClient.region = async () => 42;
    await refused(() => plugin.loadData('someone', {}), 'invalid-config', /region resolved to 42/);
    await plugin.close();
  });

  test('retry delays of 0 are allowed: retry at once', async () => {
    const plugin = new DynamoDb(pluginConfig(endpoint, { component: { retryBaseDelayMs: 0, retryMaxDelayMs: 0 } }));
    await plugin.loadData('someone', { $user: {}, setPersistableData() {} });
    await plugin.close();
  });

  test('the obsolete component.asyncMode and component.poolSize are accepted, whatever they are, and ignored', async () => {
    const plugin = new DynamoDb(pluginConfig(endpoint, { component: { asyncMode: 'jspi', poolSize: -3 } }));
    const sentBefore = requests;
    await plugin.loadData('someone', { $user: {}, setPersistableData() {} });
    assert.ok(requests > sentBefore);
    await plugin.close();
    assert.doesNotThrow(() => new DynamoDb(pluginConfig(endpoint, { component: { asyncMode: 42, poolSize: 'many' } })));
  });
});

const CREDENTIALS = { ...TEST_CREDENTIALS };
const storeOptions = (client = {}, table = {}, rest = {}) => ({
  table: { name: 'edge-inputs', ...table },
  client: { endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...client },
  ...rest,
});

const BAD_STORE_OPTIONS = [
  ['no options at all', undefined, /table\.name is required/],
  ['table.primaryKeyColumn: 5', storeOptions({}, { primaryKeyColumn: 5 }), /table\.primaryKeyColumn must be a string/],
  ['a fractional table.readCapacityUnits', storeOptions({}, { readCapacityUnits: 2.5 }), /table\.readCapacityUnits/],
  ['a BigInt capacity beyond u64', storeOptions({}, { writeCapacityUnits: 2n ** 64n }), /table\.writeCapacityUnits/],
  ['client.operationTimeoutMs: 0', storeOptions({ operationTimeoutMs: 0 }), /client\.operationTimeoutMs must be a whole number of milliseconds from 1/],
  ['table.optimisticLocking: "no"', storeOptions({}, { optimisticLocking: 'no' }), /table\.optimisticLocking/],
  ['table.expireAfterDays: -1', storeOptions({}, { expireAfterDays: -1 }), /table\.expireAfterDays/],
  ['client: "x"', { table: { name: 'edge-inputs' }, client: 'x' }, /client must be an object/],
  ['client.region: 5', storeOptions({ region: 5 }), /client\.region must be a string/],
  ['client.endpoint: a URL object', storeOptions({ endpoint: new URL('http://127.0.0.1:1') }), /client\.endpoint must be a string/],
  ['client.credentials: "key"', storeOptions({ credentials: 'key' }), /client\.credentials must be/],
  ['client.credentials.accessKeyId: 1', storeOptions({ credentials: { accessKeyId: 1, secretAccessKey: 'x' } }), /client\.credentials\.accessKeyId must be a string, not a number/],
  ['client.requestTimeoutMs: 2^31', storeOptions({ requestTimeoutMs: 2 ** 31 }), /client\.requestTimeoutMs/],
  ['client.requestTimeoutMs: -5', storeOptions({ requestTimeoutMs: -5 }), /client\.requestTimeoutMs/],
  ['client.tableReadyTimeoutMs: "1s"', storeOptions({ tableReadyTimeoutMs: '1s' }), /client\.tableReadyTimeoutMs/],
  ['client.retryBaseDelayMs: 2^32', storeOptions({ retryBaseDelayMs: 2 ** 32 }), /client\.retryBaseDelayMs/],
  ['client.retryMaxDelayMs: NaN', storeOptions({ retryMaxDelayMs: NaN }), /client\.retryMaxDelayMs/],
  ['client.maxAttempts: 100', storeOptions({ maxAttempts: 100 }), /client\.maxAttempts/],
  ['marshall.convertEmptyValues: 1', storeOptions({}, {}, { marshall: { convertEmptyValues: 1 } }), /marshall\.convertEmptyValues/],
  ['an unknown option', storeOptions({}, { primaryKey: 'id' }), /unknown option table\.primaryKey/],
];

describe('the edge entry refuses bad input and options before sending anything', () => {
  for (const [what, options, message] of BAD_STORE_OPTIONS) {
    test(`openStore with ${what} rejects with invalid-config`, async () => {
      await refused(() => openStore(options), 'invalid-config', message);
    });
  }

  let store;
  before(async () => {
    store = await openStore(storeOptions());
  });

  test('a working load reaches the stand-in (the request counter counts)', async () => {
    const sentBefore = requests;
    assert.equal(await store.loadUser('someone'), null);
    assert.ok(requests > sentBefore);
  });

  for (const userId of ['user-\ud800', 'user-\udbff']) {
    test(`a user id with a lone surrogate (${JSON.stringify(userId)}) is invalid-input for loadUser, saveUser and deleteUser`, async () => {
      await refused(() => store.loadUser(userId), 'invalid-input', /user id is not valid Unicode/);
      await refused(() => store.saveUser(userId, {}), 'invalid-input', /lone surrogate/);
      await refused(() => store.deleteUser(userId), 'invalid-input', /lone surrogate/);
    });
  }

  for (const [what, userId] of [['a number', 5], ['undefined', undefined], ['an empty string', ''], ['an array', ['a']]]) {
    test(`a user id that is ${what} is invalid-input for loadUser, saveUser and deleteUser`, async () => {
      await refused(() => store.loadUser(userId), 'invalid-input', /user id must be a non-empty string/);
      await refused(() => store.saveUser(userId, {}), 'invalid-input', /user id/);
      await refused(() => store.deleteUser(userId), 'invalid-input', /user id/);
    });
  }

  for (const [what, item] of [['null', null], ['an array', [1]], ['a string', '{}'], ['undefined', undefined], ['a Set', new Set()], ['a number', 7]]) {
    test(`an item that is ${what} is invalid-input`, async () => {
      await refused(() => store.saveUser('u', item), 'invalid-input', /the item must be an object/);
    });
  }

  for (const [what, data, message] of BAD_DATA) {
    test(`an item with ${what} is invalid-input, marshalled exactly as the plugin marshals`, async () => {
      await refused(() => store.saveUser('u', { user: { data } }), 'invalid-input', message);
    });
  }
});
