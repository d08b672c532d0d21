// One round trip in a process of its own, for what Node.js reads only at start
// (NODE_EXTRA_CA_CERTS, NODE_USE_ENV_PROXY):
//   node round-trip-child.js '{"entry": "plugin" | "edge", "endpoint": "https://...", "component": {...}}'
// Prints one line of JSON: { ok: true, loaded } or { ok: false, code, message }.
import { DynamoDb } from '../../src/index.js';
import { openStore } from '../../src/edge/index.js';
import { TEST_CREDENTIALS, pluginConfig, uniqueTableName } from './config.js';
import { visit, visitCounterApp } from './jovo.js';

const { entry, endpoint, component = {} } = JSON.parse(process.argv[2]);

async function pluginRoundTrip() {
  const plugin = new DynamoDb(pluginConfig(endpoint, { component }));
  const app = visitCounterApp(plugin);
  await visit(app, 'child-user');
  const second = await visit(app, 'child-user');
  await plugin.close();
  return second.visits;
}

async function edgeRoundTrip() {
  const store = await openStore({
    table: { name: uniqueTableName('edge') },
    client: { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
  });
  await store.ensureTable();
  await store.saveUser('child-user', { user: { data: { visits: 2 } } });
  return (await store.loadUser('child-user')).user.data.visits;
}

try {
  const loaded = await (entry === 'edge' ? edgeRoundTrip() : pluginRoundTrip());
  process.stdout.write(`${JSON.stringify({ ok: true, loaded })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: error?.code, message: error?.message })}\n`);
}
