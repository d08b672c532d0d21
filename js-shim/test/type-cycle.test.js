// Issue 17 item 5 for Node: no load and save through this package changes a type or a digit.
// fast-check (fixed seed) generates raw DynamoDB items of all ten types, nested, with edge
// values (test/support/arbitrary-items.js); each is written raw with the AWS SDK's PutItem,
// as another writer of the table would, then loaded and saved back once through the Jovo
// plugin's loadData/saveData and once through the edge entry's loadUser/saveUser (each under
// its own user id). The raw item read back afterwards must equal the one read before: same
// types, same number digits, same bytes, set members the same set.
//
// The cases are sampled up front and run several at a time; a failure names the case index,
// which `JS_SHIM_TYPE_CYCLE_ONLY=<index>` reruns alone. 300 cases on each Node version; in
// `make test` on this shared 2-core machine they took 34 s on Node 20, 11 s on Node 22 and
// 10 s on Node 24. `JS_SHIM_TYPE_CYCLE_CASES=<n>` overrides the count.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { DynamoDb } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { PATIENT_TIMEOUTS, dynamoDbClientConfig, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs } from './support/items.js';
import { rawItemReader } from './support/raw-items.js';
import { ATTRIBUTE_NAMES, rawAttributes } from './support/arbitrary-items.js';
import { compareAttributes, describeAttributes } from './support/deep-equality.js';

const SEED = 5_2026;
const CASES = Number(process.env.JS_SHIM_TYPE_CYCLE_CASES ?? 300);
const ONLY = process.env.JS_SHIM_TYPE_CYCLE_ONLY;
const CONCURRENT_CASES = 8;

let dynalite;
let tableName;
let raw;
let plugin;
let edge;
before(async () => {
  dynalite = await startDynalite();
  // The plugin stores the top-level attributes it is told to (storedElements): all of them.
  const config = pluginConfig(dynalite.endpoint, {
    storedElements: Object.fromEntries(ATTRIBUTE_NAMES.map((name) => [name, true])),
    component: { ...PATIENT_TIMEOUTS },
  });
  plugin = new DynamoDb(config);
  await plugin.initialize();
  tableName = config.table.name;
  edge = await openStore({ table: { name: tableName }, client: { ...dynamoDbClientConfig(dynalite.endpoint), ...PATIENT_TIMEOUTS } });
  raw = rawItemReader(dynalite.endpoint);
});
after(async () => {
  await plugin?.close();
  raw?.close();
  await dynalite?.stop();
});

/** Loads the user's item with the plugin and saves it back, as a request that changes nothing does. */
async function cycleThroughPlugin(userId) {
  const item = await itemLoadedByOurs(plugin, userId);
  delete item.userId; // saveData writes the key itself
  await plugin.saveData(userId, { getPersistableData: () => item });
}

async function cycleThroughEdge(userId) {
  await edge.saveUser(userId, await edge.loadUser(userId));
}

/** The problems of one case: [] when both cycles left the raw item as it was. */
async function runCase(index, attributes) {
  const ids = { plugin: `cycle-${index}-plugin`, edge: `cycle-${index}-edge` };
  await Promise.all(Object.values(ids).map((userId) => raw.put(tableName, { userId: { S: userId }, ...attributes })));
  const stored = await raw.getMany(tableName, Object.values(ids));
  const cycles = await Promise.allSettled([cycleThroughPlugin(ids.plugin), cycleThroughEdge(ids.edge)]);
  const afterwards = await raw.getMany(tableName, Object.values(ids));
  const problems = [];
  for (const [entry, settled] of [['plugin', cycles[0]], ['edge', cycles[1]]]) {
    const userId = ids[entry];
    if (settled.status === 'rejected') {
      problems.push(`the ${entry} failed: ${settled.reason?.code ?? settled.reason?.name}: ${settled.reason?.message}`);
      continue;
    }
    const { unexplained } = compareAttributes({ M: afterwards[userId] }, { M: stored[userId] });
    if (unexplained.length) {
      const places = unexplained.map(({ path, ours, original }) => `at ${path}: after ${describeAttributes({ v: ours })}, before ${describeAttributes({ v: original })}`);
      problems.push(`the ${entry}'s load and save changed the item: ${places.join('; ')}`);
    }
  }
  return problems;
}

test(`a raw item of any DynamoDB types loads and saves back unchanged through the plugin and the edge entry (${ONLY ?? CASES} cases, seed ${SEED})`, async (t) => {
  const cases = fc.sample(rawAttributes, { seed: SEED, numRuns: ONLY ? Number(ONLY) + 1 : CASES });
  const indices = ONLY ? [Number(ONLY)] : cases.map((_, index) => index);
  const started = performance.now();
  const failures = [];
  let next = 0;
  async function worker() {
    while (next < indices.length) {
      const index = indices[next++];
      const problems = await runCase(index, cases[index]);
      if (problems.length) failures.push({ index, problems });
    }
  }
  await Promise.all(Array.from({ length: CONCURRENT_CASES }, worker));
  t.diagnostic(`${indices.length} cases in ${((performance.now() - started) / 1000).toFixed(1)} s on Node ${process.versions.node}`);
  failures.sort((a, b) => a.index - b.index);
  const report = failures
    .slice(0, 10)
    .map(({ index, problems }) => `case ${index}: ${inspect(cases[index], { depth: 8, breakLength: Infinity, maxArrayLength: 10 })}\n  - ${problems.join('\n  - ')}`)
    .join('\n\n');
  assert.equal(failures.length, 0, `${failures.length} of ${indices.length} items changed in a load and save; the first:\n\n${report}`);
});
