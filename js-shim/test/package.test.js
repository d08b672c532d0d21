// User stories of the built package (dist/, as `npm pack` ships it): a CommonJS app
// require()s it and an ES module app imports it, on every Node.js version the suite runs
// on; the bundles carry their WebAssembly, so copies of the JavaScript files alone, with no
// .wasm file beside them, still work, and so does one `esbuild --bundle --platform=node
// --format=cjs` file of a CommonJS app (how Jovo deploys to Lambda).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TEST_CREDENTIALS, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const PACKAGE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));
const run = promisify(execFile);

let dynalite;
let lonely; // a folder holding nothing but copies of the JavaScript bundles
before(async () => {
  dynalite = await startDynalite({ createTableMs: 50 });
  lonely = await mkdtemp(join(tmpdir(), 'jovo-dynamodb-bundle-'));
  for (const file of ['index.cjs', 'generated.cjs', 'edge.mjs', 'edge.cjs']) await copyFile(join(DIST, file), join(lonely, file));
});
after(async () => {
  await dynalite?.stop();
  if (lonely) await rm(lonely, { recursive: true, force: true });
});

test('require() and import give the same DynamoDb and DynamoDbError classes', async () => {
  const required = createRequire(import.meta.url)('../dist/index.cjs');
  const imported = await import('../dist/index.mjs');
  assert.equal(imported.DynamoDb, required.DynamoDb);
  assert.equal(imported.DynamoDbError, required.DynamoDbError);
});

test('the bundles look nothing up by URL and start no worker', async () => {
  for (const file of ['index.cjs', 'generated.cjs', 'edge.mjs', 'edge.cjs']) {
    const code = await readFile(join(DIST, file), 'utf8');
    assert.doesNotMatch(code, /import\.meta/, file);
    assert.doesNotMatch(code, /worker_threads|new Worker\(/, file);
  }
});

function cjsAppScript(requirePath) {
  return `
    const { DynamoDb } = require(${JSON.stringify(requirePath)});
    const plugin = new DynamoDb({
      table: { name: ${JSON.stringify(uniqueTableName('cjs'))} },
      libraryConfig: { dynamoDbClient: { endpoint: process.env.ENDPOINT, region: 'us-east-1', credentials: ${JSON.stringify(TEST_CREDENTIALS)} } },
    });
    (async () => {
      await plugin.initialize();
      await plugin.saveData('cjs-user', { getPersistableData: () => ({ user: { data: { from: 'require' } } }) });
      const jovo = { $user: {}, setPersistableData(item) { this.item = item; } };
      await plugin.loadData('cjs-user', jovo);
      console.log(JSON.stringify(jovo.item.user));
    })().catch((error) => { console.error(error); process.exit(1); });`;
}

test('copies of the .cjs files alone, require()d by a CommonJS script, save and load a user', async () => {
  const { stdout } = await run(process.execPath, ['-e', cjsAppScript(join(lonely, 'index.cjs'))], {
    env: { ...process.env, ENDPOINT: dynalite.endpoint, NODE_PATH: PACKAGE_MODULES },
  });
  assert.deepEqual(JSON.parse(stdout), { data: { from: 'require' } });
});

test('one esbuild --bundle --platform=node --format=cjs file of a CommonJS app, alone in a folder, runs with no loader options', async () => {
  const esbuild = await import('esbuild');
  const app = join(lonely, 'app.cjs');
  const bundled = join(lonely, 'bundled.cjs');
  await writeFile(app, cjsAppScript('./index.cjs'));
  // The framework stays outside (resolved from node_modules at run time): bundling it is the
  // app's business (test/deploy does the whole Jovo app); this is about our package's files.
  await esbuild.build({ entryPoints: [app], bundle: true, platform: 'node', format: 'cjs', outfile: bundled, logLevel: 'error', external: ['@jovotech/framework'] });
  const alone = await mkdtemp(join(tmpdir(), 'jovo-dynamodb-bundled-'));
  try {
    await copyFile(bundled, join(alone, 'bundled.cjs'));
    const { stdout } = await run(process.execPath, [join(alone, 'bundled.cjs')], {
      env: { ...process.env, ENDPOINT: dynalite.endpoint, NODE_PATH: PACKAGE_MODULES },
    });
    assert.deepEqual(JSON.parse(stdout), { data: { from: 'require' } });
  } finally {
    await rm(alone, { recursive: true, force: true });
  }
});

for (const file of ['edge.mjs', 'edge.cjs']) {
  test(`a copy of dist/${file} (with generated.cjs) alone opens a store with its own inlined wasm and round-trips a user`, async () => {
    const open = file.endsWith('.mjs')
      ? `const { openStore } = await import(${JSON.stringify(join(lonely, file))});`
      : `const { openStore } = require(${JSON.stringify(join(lonely, file))});`;
    const script = `(async () => {
      ${open}
      const store = await openStore({
        table: { name: ${JSON.stringify(uniqueTableName('edge'))} },
        client: { endpoint: process.env.ENDPOINT, region: 'us-east-1', credentials: ${JSON.stringify(TEST_CREDENTIALS)} },
      });
      await store.saveUser('edge-user', { user: { data: { from: ${JSON.stringify(file)} } } });
      console.log(JSON.stringify(await store.loadUser('edge-user')));
    })().catch((error) => { console.error(error); process.exit(1); });`;
    const { stdout } = await run(process.execPath, ['-e', script], { env: { ...process.env, ENDPOINT: dynalite.endpoint } });
    assert.deepEqual(JSON.parse(stdout), { userId: 'edge-user', user: { data: { from: file } } });
  });
}
