// User stories of a Jovo v4 app with the plugin: the visit counter across requests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { TEST_CREDENTIALS, pluginConfig, uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { visit, visitCounterApp } from './support/jovo.js';
import { rawItemReader } from './support/raw-items.js';

let dynalite;
before(async () => {
  dynalite = await startDynalite();
});
after(() => dynalite.stop());

describe(`a Jovo app`, () => {
  const plugins = [];
  const appWith = (options = {}) => {
    const plugin = new DynamoDb(pluginConfig(dynalite.endpoint, { ...options }));
    plugins.push(plugin);
    return { app: visitCounterApp(plugin), plugin };
  };
  after(() => Promise.all(plugins.map((plugin) => plugin.close())));

  test('counts visits across requests: the data comes back from DynamoDB and isNew flips', async () => {
    const { app, plugin } = appWith();
    const first = await visit(app, 'user-a');
    const second = await visit(app, 'user-a');
    const third = await visit(app, 'user-a');
    assert.deepEqual([first.visits, second.visits, third.visits], [1, 2, 3]);
    assert.deepEqual([first.wasNew, second.wasNew, third.wasNew], [true, false, false]);
  });

  test('a second app on the same table sees the first app\'s users (nothing is kept in memory)', async () => {
    const { app, plugin } = appWith();
    await visit(app, 'user-b');
    await visit(app, 'user-b');
    const other = visitCounterApp(new DynamoDb(plugin.config));
    plugins.push(other.plugins.DynamoDb);
    const report = await visit(other, 'user-b');
    assert.equal(report.visits, 3);
    assert.equal(report.wasNew, false);
    assert.equal((await visit(other, 'user-c')).wasNew, true);
  });

  test('session data is stored only when storedElements.session is enabled', async () => {
    const withoutSession = appWith();
    await visit(withoutSession.app, 'user-d', { newSession: true });
    const lost = await visit(withoutSession.app, 'user-d', { newSession: false });
    assert.equal(lost.steps, 1, 'without session storage each request starts a fresh session');

    const withSession = appWith({ storedElements: { session: true } });
    await visit(withSession.app, 'user-d', { newSession: true });
    const kept = await visit(withSession.app, 'user-d', { newSession: false });
    assert.equal(kept.steps, 2, 'with session storage the session data comes back from DynamoDB');
  });

  test('history is stored only when enabled, and keeps at most `size` items', async () => {
    const withoutHistory = appWith();
    await visit(withoutHistory.app, 'user-e');
    assert.equal((await visit(withoutHistory.app, 'user-e')).historyLength, 0);

    const withHistory = appWith({ storedElements: { history: { enabled: true, size: 2 } } });
    const lengths = [];
    for (let request = 0; request < 4; request += 1) {
      lengths.push((await visit(withHistory.app, 'user-e')).historyLength);
    }
    assert.deepEqual(lengths, [0, 1, 2, 2]);
  });
});

describe('users whose ids differ only in a lone surrogate', () => {
  // In UTF-8 a lone surrogate can only become U+FFFD, so 'user-\ud800', 'user-\udbff' and
  // 'user-\ufffd' would be one item for three users. The first two are refused before
  // anything is sent; 'user-\ufffd' (valid Unicode) is a user like any other.
  let proxy;
  let plugin;
  before(async () => {
    proxy = await startFaultProxy(dynalite.endpoint);
  });
  after(async () => {
    await plugin?.close();
    await proxy?.stop();
  });

  test("never share an item: 'user-\\ufffd' saves and loads its own, 'user-\\ud800' and 'user-\\udbff' are refused before a request goes out", async () => {
    plugin = new DynamoDb(pluginConfig(proxy.endpoint));
    const app = visitCounterApp(plugin);
    assert.equal((await visit(app, 'user-\ufffd')).visits, 1);
    assert.equal((await visit(app, 'user-\ufffd')).visits, 2);
    await proxy.takeSeen();

    for (const userId of ['user-\ud800', 'user-\udbff']) {
      await assert.rejects(visit(app, userId), (error) => {
        assert.equal(error.code, 'invalid-input', error.message);
        assert.match(error.message, /lone surrogate/);
        return true;
      });
      assert.deepEqual((await proxy.takeSeen()).seen, [], `nothing was sent for ${JSON.stringify(userId)}`);
    }

    const report = await visit(app, 'user-\ufffd');
    assert.deepEqual([report.visits, report.wasNew], [3, false], "the refused ids neither read nor wrote 'user-\ufffd''s item");
    const reader = rawItemReader(dynalite.endpoint);
    try {
      const item = await reader.get(plugin.config.table.name, 'user-\ufffd');
      assert.equal(item?.userId?.S, 'user-\ufffd', 'stored under exactly U+FFFD');
    } finally {
      reader.close();
    }
  });

  test("never share an item through the edge entry either: 'user-\\ufffd' is its own, the lone surrogates are refused unsent", async () => {
    const store = await openStore({
      table: { name: uniqueTableName('edge') },
      client: { endpoint: proxy.endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
    });
    await store.ensureTable();
    await store.saveUser('user-\ufffd', { data: { owner: 'replacement character' } });
    await proxy.takeSeen();
    for (const userId of ['user-\ud800', 'user-\udbff']) {
      await assert.rejects(store.saveUser(userId, { data: { owner: 'lone surrogate' } }), { code: 'invalid-input' });
      await assert.rejects(store.loadUser(userId), { code: 'invalid-input' });
      assert.deepEqual((await proxy.takeSeen()).seen, [], `nothing was sent for ${JSON.stringify(userId)}`);
    }
    assert.deepEqual((await store.loadUser('user-\ufffd'))?.data, { owner: 'replacement character' });
  });
});
