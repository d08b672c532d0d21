// User stories of NumberValue across the package's entries as an app loads them: from the
// built dist/ files, by the package's own name ('jovo-dynamodb-wasm' and
// 'jovo-dynamodb-wasm/edge', resolved through package.json's exports), with import and with
// require(). Each entry carries its own copy of the class; a NumberValue made by any of them,
// or by util-dynamodb, is stored by every other as the number it holds (N), also after the
// app is bundled and minified.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NumberValueImpl as SdkNumberValue } from '@aws-sdk/util-dynamodb';
import { TEST_CREDENTIALS, dynamoDbClientConfig, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { rawItemReader } from './support/raw-items.js';

const require = createRequire(import.meta.url);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DECIMAL_38 = '0.12345678901234567890123456789012345678';

let dynalite;
let raw;
let table;
let entries;
before(async () => {
  dynalite = await startDynalite({ createTableMs: 0 });
  raw = rawItemReader(dynalite.endpoint);
  table = uniqueTableName('entries');
  entries = {
    'import jovo-dynamodb-wasm': await import('jovo-dynamodb-wasm'),
    'require jovo-dynamodb-wasm': require('jovo-dynamodb-wasm'),
    'import jovo-dynamodb-wasm/edge': await import('jovo-dynamodb-wasm/edge'),
    'require jovo-dynamodb-wasm/edge': require('jovo-dynamodb-wasm/edge'),
  };
});
after(async () => {
  raw?.close();
  await dynalite?.stop();
});

/** Saves `value` as user.data.n through one entry and returns the raw attribute value. */
async function storedThrough(name, userId, value) {
  const entry = entries[name];
  if (entry.openStore) {
    const store = await openEdge(entry);
    await store.saveUser(userId, { user: { data: { n: value } } });
  } else {
    const plugin = new entry.DynamoDb({ table: { name: table }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) } });
    await plugin.initialize();
    await plugin.saveData(userId, { getPersistableData: () => ({ user: { data: { n: value } } }) });
    await plugin.close();
  }
  return (await raw.get(table, userId)).user.M.data.M.n;
}

async function openEdge(entry) {
  const store = await entry.openStore({
    table: { name: table },
    client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
  });
  await store.ensureTable();
  return store;
}

test('every entry exports NumberValue, with import and with require()', () => {
  for (const [name, entry] of Object.entries(entries)) {
    assert.equal(typeof entry.NumberValue, 'function', name);
    assert.equal(new entry.NumberValue(DECIMAL_38).value, DECIMAL_38, name);
  }
});

test('a NumberValue made by one entry is stored as a number by every entry, and is an instance of each one\'s NumberValue', async () => {
  let user = 0;
  for (const [maker, { NumberValue }] of Object.entries(entries)) {
    const value = new NumberValue(DECIMAL_38);
    for (const [saver, entry] of Object.entries(entries)) {
      assert.deepEqual(await storedThrough(saver, `user-${user++}`, value), { N: DECIMAL_38 }, `made by ${maker}, saved by ${saver}`);
      assert.ok(value instanceof entry.NumberValue, `made by ${maker}, instanceof ${saver}'s`);
    }
  }
});

test('util-dynamodb\'s NumberValue, and a Set of NumberValues of two entries, are stored as numbers too', async () => {
  const names = Object.keys(entries);
  for (const [index, saver] of names.entries()) {
    assert.deepEqual(await storedThrough(saver, `sdk-${index}`, new SdkNumberValue(DECIMAL_38)), { N: DECIMAL_38 }, saver);
    const other = entries[names[(index + 2) % names.length]];
    const set = new Set([new entries[saver].NumberValue('1.5'), new other.NumberValue(DECIMAL_38)]);
    const stored = await storedThrough(saver, `set-${index}`, set);
    assert.deepEqual(new Set(stored.NS), new Set(['1.5', DECIMAL_38]), saver);
  }
});

test('an app bundled and minified with both entries stores one entry\'s NumberValue through the other as a number', async () => {
  const esbuild = await import('esbuild');
  const folder = await mkdtemp(join(tmpdir(), 'jovo-dynamodb-entries-'));
  try {
    // The app's node_modules holds the package (a link to this folder), as after npm install.
    await mkdir(join(folder, 'node_modules'));
    await symlink(PACKAGE_DIR, join(folder, 'node_modules', 'jovo-dynamodb-wasm'), 'dir');
    const app = join(folder, 'app.mjs');
    await writeFile(app, `
      import { DynamoDb, NumberValue } from 'jovo-dynamodb-wasm';
      import { openStore } from 'jovo-dynamodb-wasm/edge';
      const client = { endpoint: process.env.ENDPOINT, region: 'us-east-1', credentials: ${JSON.stringify(TEST_CREDENTIALS)} };
      const store = await openStore({ table: { name: process.env.TABLE }, client });
      await store.saveUser('minified', { user: { data: { n: new NumberValue(${JSON.stringify(DECIMAL_38)}) } } });
      const loaded = await store.loadUser('minified');
      console.log(JSON.stringify({ plugin: typeof DynamoDb, loadedIsPluginNumberValue: loaded.user.data.n instanceof NumberValue }));`);
    const bundled = join(folder, 'bundled.mjs');
    await esbuild.build({
      entryPoints: [app], bundle: true, minify: true, platform: 'node', format: 'esm', outfile: bundled, logLevel: 'error',
      external: ['@jovotech/framework'],
      // The CommonJS plugin bundle require()s the framework: give the ES module a require.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    const { stdout } = await promisify(execFile)(process.execPath, [bundled], {
      env: { ...process.env, ENDPOINT: dynalite.endpoint, TABLE: table, NODE_PATH: join(PACKAGE_DIR, 'node_modules') },
    });
    assert.deepEqual(JSON.parse(stdout), { plugin: 'function', loadedIsPluginNumberValue: true });
    assert.deepEqual((await raw.get(table, 'minified')).user.M.data.M.n, { N: DECIMAL_38 });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
