// No user data in error texts (issue 11): an app saves and loads items full of a marker string
// through every failure path a test can provoke against real servers (invalid input, malformed
// answers, conflicts, a bad endpoint), and the marker (and an endpoint's password) appears in
// no error text: not in the message, String(error), the stack, util.inspect (hidden
// properties and causes included) nor JSON.stringify.
//
// Each case also asserts the DynamoDbError code, so a case that fails some other way, or does
// not fail, fails the test. Every case runs through the Jovo plugin (loadData/saveData, as a
// request does) and through the edge entry's openStore.
//
// Servers: a real dynalite, the fault proxy in front of it (a conflict whose answer is lost),
// and a tiny HTTP server of ours on 127.0.0.1 that answers each request with a crafted body
// (malformed answers). DynamoDB's own `message` is shown as DynamoDB wrote it; no crafted
// answer here puts the marker in it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DynamoDb, DynamoDbError, NumberValue } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { TEST_CREDENTIALS, pluginConfig, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { Fault, startFaultProxy } from './support/fault-proxy.js';
import { itemLoadedByOurs, saveUserDataWithOurs } from './support/items.js';

const MARKER = `PRIVATE-${randomBytes(6).toString('hex')}`;
const PASSWORD = 'hunter2-pass-word';
const QUICK = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

/** Every text of `error` an app, its logger or its error tracker may show. */
function errorTexts(error) {
  const texts = [];
  const seen = new Set();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); current = current.cause) {
    seen.add(current);
    texts.push(String(current), String(current.message), String(current.stack));
    texts.push(inspect(current, { depth: 10, showHidden: true }));
    texts.push(JSON.stringify(current) ?? '');
    if (typeof current === 'object') {
      texts.push(JSON.stringify(Object.getOwnPropertyNames(current).map((name) => [name, String(current[name])])));
    }
  }
  return texts;
}

/** Runs `run` (sync or async), which must fail with a DynamoDbError of `code` whose texts hold neither the marker nor the password. */
async function privateError(what, code, run) {
  let error;
  let result;
  try {
    result = await run();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error !== undefined, `${what}: expected ${code}, got ${inspect(result)}`);
  for (const text of errorTexts(error)) {
    assert.ok(!text.includes(MARKER), `${what}: the marker reached an error text: ${text}`);
    assert.ok(!text.includes(PASSWORD), `${what}: the password reached an error text: ${text}`);
  }
  assert.ok(error instanceof DynamoDbError, `${what}: a DynamoDbError, not ${error?.name}: ${error?.message}`);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  return error;
}

/** $user.data whose every value is the marker. */
function markedData() {
  return { name: MARKER, notes: [MARKER, { deep: { deeper: MARKER } }], lastSaid: `my secret is ${MARKER}`, visits: 3 };
}

// ---- the two ways in, behind one interface ------------------------------------------

const closers = [];
after(async () => {
  await Promise.all(closers.map((close) => close()));
});

/** The Jovo plugin, driven as a request drives it; one Jovo stand-in per visit. */
function pluginSubject(endpoint, table = {}) {
  const plugin = new DynamoDb(pluginConfig(endpoint, { table, component: { ...QUICK } }));
  closers.push(() => plugin.close());
  return {
    save: (userId, data) => saveUserDataWithOurs(plugin, userId, data),
    load: (userId) => itemLoadedByOurs(plugin, userId),
    /** A visit whose load and save share one Jovo object (the version travels with it). */
    visit(userId) {
      const jovo = {
        $user: { isNew: true },
        setPersistableData(item) {
          this.loaded = item;
        },
        getPersistableData() {
          return { user: { data: this.loaded.user.data } };
        },
      };
      return {
        load: async () => (await plugin.loadData(userId, jovo), jovo.loaded.user.data),
        save: () => plugin.saveData(userId, jovo),
      };
    },
  };
}

/** The edge entry's store. */
async function edgeSubject(endpoint, table = {}) {
  const store = await openStore({
    table: { name: uniqueTableName('edge'), ...table },
    client: { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS }, ...QUICK },
  });
  return {
    save: (userId, data) => store.saveUser(userId, { user: { data } }),
    saveItem: (userId, item) => store.saveUser(userId, item),
    load: (userId) => store.loadUser(userId),
    visit(userId) {
      let item;
      return {
        load: async () => ((item = await store.loadUser(userId)), item.user.data),
        save: () => store.saveUser(userId, item),
      };
    },
  };
}

const KINDS = [
  ['plugin', pluginSubject],
  ['edge', edgeSubject],
];

async function closedEndpoint() {
  const server = createTcpServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function nested(depth) {
  let value = { v: MARKER };
  for (let level = 0; level < depth; level++) value = { n: value, v: MARKER };
  return value;
}

function brokenNumber() {
  const number = new NumberValue('1.5');
  number.value = `1,"x":"${MARKER}"`; // broken JSON text, if it were written as it is
  return number;
}

// $user.data a developer's bug may hand over, each beside marker strings; with the code.
const INVALID_DATA = [
  ['a number beyond DynamoDB\'s range', () => ({ name: MARKER, n: 1e200 }), 'invalid-input'],
  ['a BigInt with 39 digits', () => ({ name: MARKER, n: 123456789012345678901234567890123456789n }), 'invalid-input'],
  ['NaN', () => ({ name: MARKER, n: NaN }), 'invalid-input'],
  ['a NumberValue whose text became broken JSON', () => ({ name: MARKER, n: brokenNumber() }), 'invalid-input'],
  ['nesting past 32 levels', () => nested(40), 'invalid-input'],
  ['a cycle', () => { const data = { name: MARKER }; data.self = data; return data; }, 'invalid-input'],
  ['an empty attribute name', () => ({ a: { '': MARKER, b: MARKER } }), 'invalid-input'],
  ['a repeated attribute name (Map keys 1 and "1")', () => ({ a: new Map([[1, MARKER], ['1', MARKER]]) }), 'invalid-input'],
  ['data over 400 KB of the marker', () => ({ big: MARKER.repeat(Math.ceil(420_000 / MARKER.length)) }), 'item-too-large'],
  ['a Set of markers and a number', () => ({ tags: new Set([MARKER, 1]) }), 'invalid-input'],
  ['a Set of the marker\'s bytes and the marker', () => ({ tags: new Set([Buffer.from(MARKER), MARKER]) }), 'invalid-input'],
  ['a Blob of the marker', () => ({ raw: new Blob([MARKER]) }), 'invalid-input'],
  ['a symbol named with the marker', () => ({ s: Symbol(MARKER) }), 'invalid-input'],
];

describe('invalid input full of the marker is refused without showing it', () => {
  let endpoint;
  before(async () => {
    endpoint = await closedEndpoint(); // a request that went out would be transport-failed
  });

  for (const [kind, open] of KINDS) {
    test(`${kind}: invalid $user.data`, async () => {
      const subject = await open(endpoint, { createTableOnInit: false });
      for (const [what, data, code] of INVALID_DATA) {
        await privateError(`${kind}: ${what}`, code, () => subject.save(`user-${MARKER}`, data()));
      }
      const longId = MARKER.repeat(Math.ceil(2049 / MARKER.length));
      await privateError(`${kind}: load, a long user id`, 'invalid-input', () => subject.load(longId));
      await privateError(`${kind}: save, a long user id`, 'invalid-input', () => subject.save(longId, markedData()));
      await privateError(`${kind}: too large, the marker as user id`, 'item-too-large', () => subject.save(MARKER, { big: 'x'.repeat(410_000), name: MARKER }));
    });
  }

  test('edge: items that are not objects, and versions that are not numbers', async () => {
    const store = await openStore({
      table: { name: 'users', createTableOnInit: false, optimisticLocking: true },
      client: { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS }, ...QUICK },
    });
    for (const [what, item] of [
      ['a string', MARKER],
      ['JSON text', JSON.stringify({ user: MARKER }).slice(0, -3)],
      ['an array', [MARKER]],
      ['a NumberValue', new NumberValue('1')],
    ]) {
      await privateError(`edge: the item is ${what}`, 'invalid-input', () => store.saveUser(`user-${MARKER}`, item));
    }
    for (const version of [MARKER, { v: MARKER }, -1, 1.5]) {
      await privateError(`edge: version ${inspect(version)}`, 'invalid-input', () => store.saveUser('u', { user: { data: markedData() }, version }));
    }
  });

  test('a NumberValue made of the marker is refused without showing it', async () => {
    await privateError('new NumberValue(marker)', 'invalid-input', () => new NumberValue(MARKER));
  });
});

// ---- a crafted DynamoDB: every request but DescribeTable gets the scripted answer ----------

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A 200 with DynamoDB's content type and a correct x-amz-crc32. */
function ok(body) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-crc32': String(crc32(bytes)) }, body: bytes };
}

describe('malformed answers are described without their bodies', () => {
  let server;
  let endpoint;
  let answer = ok('{}');
  let operations = [];
  before(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const operation = String(request.headers['x-amz-target']).split('.').pop();
        let reply = answer;
        if (operation === 'DescribeTable') {
          reply = ok(JSON.stringify({ Table: { TableName: 'users', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }] } }));
        } else {
          operations.push(operation);
        }
        response.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length });
        response.end(reply.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => {
    server.closeAllConnections?.();
    server.close();
  });

  function answerWith(next) {
    answer = next;
    operations = [];
  }

  const m = MARKER;
  const damaged = ok(`{"Item":{"userId":{"S":"u"},"name":{"S":"${m}"}}}`);
  const LOADS = [
    ['a 200 that is an HTML page', ok(`<html><body>${m}</body></html>`)],
    ['an attribute value of an unknown type', ok(`{"Item":{"userId":{"S":"u-${m}"},"name":{"S":"${m}"},"x":{"Q":"${m}"},"more":{"M":{"k":{"S":"${m}"}}}}}`)],
    ['a number attribute that is the marker', ok(`{"Item":{"name":{"S":"${m}"},"n":{"N":"${m}"}}}`)],
    ['JSON cut short', ok(`{"Item":{"name":{"S":"${m}`)],
    ['an array, not an object', ok(`["${m}"]`)],
    ['a body that is not UTF-8', ok(Buffer.concat([Buffer.from(`{"Item":{"name":{"S":"${m}`), Buffer.from([0xff, 0xfe]), Buffer.from('"}}}')]))],
    ['a body whose x-amz-crc32 does not match', { ...damaged, headers: { ...damaged.headers, 'x-amz-crc32': '1' } }],
  ];

  for (const [kind, open] of KINDS) {
    test(kind, async () => {
      const subject = await open(endpoint, { createTableOnInit: false });
      for (const [what, next] of LOADS) {
        answerWith(next);
        await privateError(`${kind}: load, ${what}`, 'malformed-response', () => subject.load(`user-${m}`));
        assert.deepEqual(operations, ['GetItem', 'GetItem', 'GetItem', 'GetItem'], what);
      }
      // A gateway's error page (502, HTML) on a save of a marked item, and on a load.
      answerWith({ status: 502, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<html><body><h1>502 Bad Gateway</h1>${m}: upstream failed</body></html>`) });
      const error = await privateError(`${kind}: save, 502 page`, 'service', () => subject.save(`user-${m}`, markedData()));
      assert.match(error.message, /502/);
      assert.deepEqual(operations, ['PutItem', 'PutItem', 'PutItem', 'PutItem']);
      await privateError(`${kind}: load, 502 page`, 'service', () => subject.load(m));
      // Error answers whose other parts hold the marker: an HTML 403 page, and a JSON error
      // with DynamoDB's own (plain) message beside a field full of the marker.
      answerWith({ status: 403, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<html><body>Forbidden: ${m}</body></html>`) });
      await privateError(`${kind}: load, 403 page`, 'access-denied', () => subject.load(m));
      const errorBody = ok(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found', Item: { name: { S: m } } }));
      answerWith({ ...errorBody, status: 400 });
      await privateError(`${kind}: save, an error answer with an item`, 'table-missing', () => subject.save(`user-${m}`, markedData()));
      // A 200 to the save whose body is not JSON.
      answerWith(ok(`not json ${m}`));
      await privateError(`${kind}: save, a 200 that is not JSON`, 'malformed-response', () => subject.save(`user-${m}`, markedData()));
    });
  }
});

describe('a server error message of 1 MB', () => {
  let server;
  let endpoint;
  before(async () => {
    // Every answer is DynamoDB's JSON error shape with a 1 MB message (the marker at its end).
    const message = `${'this message goes on and on. '.repeat(36_200)}${MARKER}`;
    const body = Buffer.from(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message }));
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'content-length': body.length });
        response.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => {
    server.closeAllConnections?.();
    server.close();
  });

  for (const [kind, open] of KINDS) {
    test(`${kind}: stays short in the error text (cut to 512 characters)`, async () => {
      const subject = await open(endpoint, { createTableOnInit: false });
      const error = await privateError(`${kind}: load`, 'service', () => subject.load('u'));
      assert.match(error.message, /this message goes on and on/);
      assert.ok(error.message.length < 1000, `${error.message.length} characters`);
    });
  }
});

// Two overlapping visits of a user whose item is full of the marker: the later save is a
// conflict. Then the loser saves again with its stale version while the answer to its first
// attempt is lost (truncated), so the store reads the item back to tell its own write from
// another's: the conflict again, still without the item.
describe('conflicts are described without the items', () => {
  let dynalite;
  let proxy;
  before(async () => {
    dynalite = await startDynalite();
    proxy = await startFaultProxy(dynalite.endpoint);
  });
  after(async () => {
    await proxy?.stop();
    await dynalite?.stop();
  });

  for (const [kind, open] of KINDS) {
    test(kind, async () => {
      const name = uniqueTableName('privacy-conflict');
      const first = await open(dynalite.endpoint, { name, optimisticLocking: true });
      const second = await open(proxy.endpoint, { name, optimisticLocking: true });
      const user = `user-${MARKER}`;
      await first.save(user, markedData());
      const firstVisit = first.visit(user);
      const secondVisit = second.visit(user);
      (await firstVisit.load()).first = `${MARKER} first`;
      (await secondVisit.load()).second = `${MARKER} second`;
      await firstVisit.save();
      await privateError(`${kind}: overlapping save`, 'conditional-conflict', () => secondVisit.save());
      await proxy.takeSeen();
      await proxy.push([Fault.truncate]);
      await privateError(`${kind}: saved again, first answer lost`, 'conditional-conflict', () => secondVisit.save());
      const { seen } = await proxy.takeSeen();
      assert.ok(seen.filter((s) => s.operation === 'PutItem').length >= 2, `the lost answer was retried: ${inspect(seen)}`);
      const stored = (await first.load(user)).user.data;
      assert.equal(stored.first, `${MARKER} first`);
      assert.equal(stored.second, undefined);
    });
  }
});

describe('an endpoint with a password or a query is refused without echoing them', () => {
  const ENDPOINTS = [
    `http://admin:${PASSWORD}@127.0.0.1:8000`,
    `http://${MARKER}:${PASSWORD}@127.0.0.1:8000/`,
    `http://127.0.0.1:8000/?token=${MARKER}&password=${PASSWORD}`,
    `https://dynamodb.local/#${MARKER}`,
    `http://${MARKER}@127.0.0.1:8000/?${PASSWORD}`,
    `ftp://${MARKER}:${PASSWORD}@127.0.0.1:8000`,
    `http://${MARKER}:${PASSWORD}@127.0.0.1:8000 /x`,
    new URL(`http://${MARKER}:${PASSWORD}@127.0.0.1:8000/?q=${MARKER}`),
    { protocol: 'http:', hostname: '127.0.0.1', port: 8000, path: `/?token=${MARKER}&p=${PASSWORD}` },
  ];

  test('plugin: at construction or initialize()', async () => {
    for (const endpoint of ENDPOINTS) {
      await privateError(`plugin: endpoint ${inspect(endpoint)}`, 'invalid-config', async () => {
        const plugin = new DynamoDb(pluginConfig(endpoint));
        closers.push(() => plugin.close());
        await plugin.initialize();
      });
    }
  });

  test('edge: openStore', async () => {
    for (const endpoint of ENDPOINTS) {
      await privateError(`edge: endpoint ${inspect(endpoint)}`, 'invalid-config', () => openStore({
        table: { name: 'users' },
        client: { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
      }));
    }
  });
});
