// CPU and wall time per operation of this process against a local dynalite (started here, in
// its own process, so its CPU is not counted): sequential loadData/saveData of a small Jovo
// item through the plugin (node:http transport), and loadUser/saveUser through the edge entry
// (fetch transport) on the same engine. Not a test: numbers for the README.
//
//   node scripts/measure-ops.mjs [operations per kind, default 2000]
// Run after scripts/build.mjs (it loads src/, which needs src/generated/).
import { openStore } from '../src/edge/index.js';
import { DynamoDb } from '../src/index.js';
import { TEST_CREDENTIALS, pluginConfig, uniqueTableName } from '../test/support/config.js';
import { startDynalite } from '../test/support/dynalite.js';
import { itemLoadedByOurs, saveUserDataWithOurs } from '../test/support/items.js';

const OPERATIONS = Number(process.argv[2] ?? 2000);
const WARM_UP = 200;
const DATA = { visits: 7, name: 'Ada', preferences: { language: 'en', units: 'metric' } };

async function measure(label, operation) {
  for (let index = 0; index < WARM_UP; index += 1) await operation(index);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < OPERATIONS; index += 1) await operation(index);
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpuBefore);
  const cpuMs = (user + system) / 1000;
  console.log(`${label.padEnd(34)} ${(cpuMs / OPERATIONS).toFixed(3)} ms CPU/op, ${(wallMs / OPERATIONS).toFixed(3)} ms wall/op`);
}

const dynalite = await startDynalite({ createTableMs: 0 });
try {
  console.log(`Node ${process.version}, ${OPERATIONS} sequential operations each, dynalite in another process`);
  const plugin = new DynamoDb(pluginConfig(dynalite.endpoint));
  await plugin.initialize();
  await measure('plugin saveData (node:http)', (index) => saveUserDataWithOurs(plugin, `user-${index % 50}`, DATA));
  await measure('plugin loadData (node:http)', (index) => itemLoadedByOurs(plugin, `user-${index % 50}`));

  const store = await openStore({
    table: { name: uniqueTableName('measure') },
    client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS },
  });
  await store.ensureTable();
  await measure('edge saveUser (fetch)', (index) => store.saveUser(`user-${index % 50}`, { user: { data: DATA } }));
  await measure('edge loadUser (fetch)', (index) => store.loadUser(`user-${index % 50}`));
} finally {
  await dynalite.stop();
}
