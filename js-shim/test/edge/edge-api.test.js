// The edge entry (src/edge) in Node.js itself (a fetch runtime; no JSPI needed, so on Node 20,
// 22 and 24 alike) against a real dynalite: its own inlined core modules and every way to
// hand over others, the error codes, concurrent calls on one store, and gzip-encoded answers.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { CORE_MODULE_NAMES, openStore } from '../../src/edge/index.js';
import { startDynalite } from '../support/dynalite.js';
import { startGzipProxy } from './support/gzip-proxy.js';
import { rawItem } from './support/raw-dynamodb.js';
import { startStaticServer } from './support/static-server.js';

const DIST = new URL('../../dist/', import.meta.url);
const CREDENTIALS = { accessKeyId: 'AKIDTESTEXAMPLE', secretAccessKey: 'test-secret-never-printed' };

let dynalite;
let wasmBytes;

before(async () => {
  dynalite = await startDynalite({ createTableMs: 50 });
  wasmBytes = Object.fromEntries(
    await Promise.all(CORE_MODULE_NAMES.map(async (name) => [name, await readFile(new URL(name, DIST))])),
  );
});

after(() => dynalite?.stop());

function storeOptions({ table = {}, client = {}, ...rest } = {}) {
  return {
    table: { name: 'edge-api', ...table },
    client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: CREDENTIALS, ...client },
    wasm: wasmBytes,
    ...rest,
  };
}

test('without `wasm`, the store runs on the core modules inlined in the package', async () => {
  const { wasm, ...options } = storeOptions();
  const store = await openStore(options);
  await store.saveUser('dana', { user: { data: { inlined: true } } });
  assert.deepEqual(await store.loadUser('dana'), { userId: 'dana', user: { data: { inlined: true } } });
});

test('dist/ holds exactly the core modules the edge entry asks for', async () => {
  const wasmFiles = (await readdir(DIST)).filter((name) => name.endsWith('.wasm')).sort();
  assert.deepEqual(wasmFiles, [...CORE_MODULE_NAMES].sort());
});

test('a saved user loads back, and dynalite holds the plugin\'s attribute values', async () => {
  const store = await openStore(storeOptions());
  assert.equal(await store.loadUser('erin'), null);
  await store.saveUser('erin', { user: { data: { visits: 1, tags: ['a'], ok: true, none: null } } });
  assert.deepEqual(await store.loadUser('erin'), {
    userId: 'erin',
    user: { data: { visits: 1, tags: ['a'], ok: true, none: null } },
  });
  assert.deepEqual(await rawItem(dynalite.endpoint, 'edge-api', 'erin'), {
    userId: { S: 'erin' },
    user: { M: { data: { M: { visits: { N: '1' }, tags: { L: [{ S: 'a' }] }, ok: { BOOL: true }, none: { NULL: true } } } } },
  });
  await store.deleteUser('erin');
  assert.equal(await store.loadUser('erin'), null);
});

test('the core modules load as Modules, from Responses, and from a folder URL over HTTP', async () => {
  const modules = Object.fromEntries(
    await Promise.all(Object.entries(wasmBytes).map(async ([name, bytes]) => [name, await WebAssembly.compile(bytes)])),
  );
  const asResponse = (name) => new Response(wasmBytes[name], { headers: { 'content-type': 'application/wasm' } });
  const site = await startStaticServer();
  try {
    for (const wasm of [modules, asResponse, `${site.origin}/dist`]) {
      const store = await openStore(storeOptions({ wasm }));
      await store.saveUser('frank', { user: { data: { source: typeof wasm } } });
      assert.equal((await store.loadUser('frank')).user.data.source, typeof wasm);
    }
  } finally {
    await site.close();
  }
});

test('twenty users saved at once on one store all land, in parallel on one instance', async () => {
  const store = await openStore(storeOptions());
  const users = Array.from({ length: 20 }, (_, index) => `many-${index}`);
  await Promise.all(users.map((userId, index) => store.saveUser(userId, { user: { data: { index } } })));
  const loaded = await Promise.all(users.map((userId) => store.loadUser(userId)));
  assert.deepEqual(loaded.map((item) => item.user.data.index), users.map((_, index) => index));
});

test('errors carry the WIT case name as their code', async () => {
  await assert.rejects(openStore(storeOptions({ table: { primaryKey: 'id' } })), {
    code: 'invalid-config',
    message: /unknown option table\.primaryKey/,
  });
  await assert.rejects(openStore(storeOptions({ table: { name: 'no spaces allowed' } })), { code: 'invalid-config' });
  await assert.rejects(openStore(storeOptions({ wasm: {} })), { code: 'invalid-config', message: /jovo_dynamodb\.core\.wasm/ });

  const store = await openStore(storeOptions());
  await assert.rejects(store.loadUser(''), { code: 'invalid-input' });
  await assert.rejects(store.saveUser('gina', { deep: nested(40) }), { code: 'invalid-input' });

  const anonymous = await openStore(storeOptions({ client: { credentials: undefined } }));
  await assert.rejects(anonymous.loadUser('gina'), { code: 'credentials-unavailable', message: /no client\.credentials/ });

  const unreachable = await openStore(storeOptions({ client: { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 } }));
  await assert.rejects(unreachable.loadUser('gina'), { code: 'transport-failed' });
});

test('Time to Live: not-configured without expireAfterDays; dynalite, which has no such API, says unavailable', async () => {
  const plain = await openStore(storeOptions());
  assert.deepEqual(await plain.ensureTimeToLive(), { status: 'not-configured' });
  const expiring = await openStore(storeOptions({ table: { name: 'edge-expiring', expireAfterDays: 30 } }));
  const { status, reason } = await expiring.ensureTimeToLive();
  assert.equal(status, 'unavailable');
  assert.equal(typeof reason, 'string');
});

test('credentials from an async provider sign the requests', async () => {
  let calls = 0;
  const provider = async () => {
    calls += 1;
    return { ...CREDENTIALS, expiration: new Date(Date.now() + 3_600_000) };
  };
  const store = await openStore(storeOptions({ client: { credentials: provider } }));
  await store.saveUser('hank', { user: { data: {} } });
  assert.deepEqual(await store.loadUser('hank'), { userId: 'hank', user: { data: {} } });
  assert.equal(calls, 1, 'keys valid for an hour are fetched once');
});

test('a provider whose keys carry no expiration is asked before each operation, and a failure keeps keys that still work', async () => {
  let calls = 0;
  let failing = false;
  const provider = async () => {
    calls += 1;
    if (failing) throw new Error('the identity service is down');
    return calls === 1 ? { ...CREDENTIALS } : { ...CREDENTIALS, expiration: new Date(Date.now() + 120_000) };
  };
  const store = await openStore(storeOptions({ client: { credentials: provider } }));
  await store.saveUser('iris', { user: { data: {} } });
  await store.loadUser('iris');
  assert.equal(calls, 2, 'no expiration: asked again, as the other hosts do');
  failing = true;
  assert.deepEqual(await store.loadUser('iris'), { userId: 'iris', user: { data: {} } }, 'keys valid for 2 more minutes still sign');
  assert.equal(calls, 3);
});

test('gzip-encoded answers (as browsers and workerd get them) pass despite x-amz-crc32', async () => {
  const proxy = await startGzipProxy(dynalite.endpoint);
  try {
    const store = await openStore(storeOptions({ client: { endpoint: proxy.endpoint, maxAttempts: 1 } }));
    await store.saveUser('ivy', { user: { data: { zipped: true } } });
    assert.deepEqual(await store.loadUser('ivy'), { userId: 'ivy', user: { data: { zipped: true } } });
  } finally {
    await proxy.close();
  }
});

function nested(depth) {
  return depth === 0 ? {} : { next: nested(depth - 1) };
}
