// User stories of a Jovo v4 app with the plugin: the visit counter across requests.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { visit, visitCounterApp } from './support/jovo.js';

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
