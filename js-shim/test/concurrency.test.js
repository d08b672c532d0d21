// User stories of many users at once: concurrent loads and saves must neither be lost nor
// mixed up while one component instance has many operations in flight.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs, saveUserDataWithOurs } from './support/items.js';
import { visit, visitCounterApp } from './support/jovo.js';

const USERS = 50;
const VISITS_PER_USER = 4;

let dynalite;
before(async () => {
  dynalite = await startDynalite();
});
after(() => dynalite.stop());

describe(`many users at once`, () => {
  let plugin;
  before(async () => {
    plugin = new DynamoDb(pluginConfig(dynalite.endpoint));
    await plugin.initialize();
  });
  after(() => plugin.close());

  test(`${USERS} users visiting ${VISITS_PER_USER} times each, all at once, keep every visit`, async () => {
    const app = visitCounterApp(plugin);
    const userIds = Array.from({ length: USERS }, (_, index) => `visitor-${index}`);
    const visitsOf = async (userId) => {
      const counts = [];
      for (let request = 0; request < VISITS_PER_USER; request += 1) counts.push((await visit(app, userId)).visits);
      return counts;
    };
    const countsPerUser = await Promise.all(userIds.map(visitsOf));
    for (const counts of countsPerUser) assert.deepEqual(counts, [1, 2, 3, 4]);
    for (const userId of userIds) {
      const item = await itemLoadedByOurs(plugin, userId);
      assert.equal(item.userId, userId);
      assert.equal(item.user.data.visits, VISITS_PER_USER);
    }
  });

  test('200 concurrent saveData and loadData calls for 50 users each end with that user\'s last item', async () => {
    const calls = [];
    for (let user = 0; user < USERS; user += 1) {
      const userId = `writer-${user}`;
      const save = (round) => saveUserDataWithOurs(plugin, userId, { user, round, note: `user ${user} round ${round}` });
      const firstSave = save(0);
      const secondSave = firstSave.then(() => save(1)); // one user's saves in order, users in parallel
      calls.push(firstSave, secondSave);
      calls.push(itemLoadedByOurs(plugin, userId), itemLoadedByOurs(plugin, userId));
    }
    assert.equal(calls.length, 4 * USERS);
    const outcomes = await Promise.allSettled(calls);
    assert.deepEqual(outcomes.filter(({ status }) => status === 'rejected'), []);
    const loadedWhileSaving = outcomes.map(({ value }) => value).filter((value) => typeof value === 'object');
    for (const item of loadedWhileSaving) assert.equal(item.userId, `writer-${item.user.data.user}`);
    for (let user = 0; user < USERS; user += 1) {
      const item = await itemLoadedByOurs(plugin, `writer-${user}`);
      assert.equal(item.userId, `writer-${user}`);
      assert.deepEqual(item.user.data, { user, round: 1, note: `user ${user} round 1` });
    }
  });
});
