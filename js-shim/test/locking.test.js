// User stories of overlapping requests and data retention: two request cycles of the same
// user that overlap (load, load, save, save) lose the first one's change without optimistic
// locking, as the original plugin does; with it, the second save is a conflict and nothing
// is lost. With expireAfterDays every save stamps an expiry time, and a server without Time
// to Live (dynalite) is reported, not fatal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BaseComponent, Component, Logger } from '@jovotech/framework';
import { DynamoDb } from '../src/index.js';
import { pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { visit, visitCounterApp } from './support/jovo.js';
import { rawItemReader } from './support/raw-items.js';

const DAY_SECONDS = 86_400;

/** The visits the EntryWriter handles next, in order: what to add, and when. */
const pendingVisits = [];

/** Adds one entry to $user.data.entries, but only once the test lets its visit proceed. */
class EntryWriter extends BaseComponent {
  async LAUNCH() {
    const { entry, loaded, proceed } = pendingVisits.shift();
    loaded.resolve();
    await proceed.promise;
    this.$user.data.entries = [...(this.$user.data.entries ?? []), entry];
    return this.$send({ message: `added ${entry}` });
  }
}
Component({ global: true })(EntryWriter);

function deferred() {
  let resolve;
  const promise = new Promise((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Starts a visit that loads the user and then waits in its handler until `proceed()`. */
function startVisit(app, userId, entry) {
  const script = { entry, loaded: deferred(), proceed: deferred() };
  pendingVisits.push(script);
  const done = visit(app, userId);
  return {
    // A visit that fails before its handler must not leave the test waiting.
    loaded: Promise.race([script.loaded.promise, done]),
    proceed: () => script.proceed.resolve(),
    done,
  };
}

async function completeVisit(app, userId, entry) {
  const single = startVisit(app, userId, entry);
  single.proceed();
  await single.done;
}

/** load (first), load (second), save (first), save (second); the second save's error or undefined. */
async function twoOverlappingVisits(app, userId) {
  const first = startVisit(app, userId, 'from the first visit');
  await first.loaded;
  const second = startVisit(app, userId, 'from the second visit');
  await second.loaded;
  first.proceed();
  await first.done;
  second.proceed();
  return second.done.then(() => undefined, (error) => error);
}

function storedEntries(rawItem) {
  return rawItem.user.M.data.M.entries.L.map(({ S }) => S);
}

let dynalite;
let raw;
before(async () => {
  dynalite = await startDynalite();
  raw = rawItemReader(dynalite.endpoint);
});
after(async () => {
  raw.close();
  await dynalite.stop();
});

describe('locking and retention config mistakes', () => {
  test('a non-boolean optimisticLocking or a non-whole expireAfterDays fails at construction with invalid-config', () => {
    assert.throws(() => new DynamoDb({ table: { name: 'users', optimisticLocking: 'yes' } }), { code: 'invalid-config', message: /optimisticLocking/ });
    assert.throws(() => new DynamoDb({ table: { name: 'users', expireAfterDays: 0 } }), { code: 'invalid-config', message: /expireAfterDays/ });
    assert.throws(() => new DynamoDb({ table: { name: 'users', expireAfterDays: 1.5 } }), { code: 'invalid-config', message: /expireAfterDays/ });
  });

  test("the component's own rules (days beyond 36500, the key column as version attribute) fail initialize() with invalid-config", async () => {
    for (const table of [{ expireAfterDays: 40_000 }, { optimisticLocking: true, versionAttribute: 'userId' }]) {
      const plugin = new DynamoDb(pluginConfig(dynalite.endpoint, { table }));
      try {
        await assert.rejects(plugin.initialize(), { code: 'invalid-config' }, JSON.stringify(table));
      } finally {
        await plugin.close();
      }
    }
  });
});

describe(`overlapping requests of one user`, () => {
  const plugins = [];
  const appWith = (table = {}) => {
    const plugin = new DynamoDb(pluginConfig(dynalite.endpoint, { table }));
    plugins.push(plugin);
    const app = visitCounterApp(plugin, [EntryWriter]);
    // The app hands a failed save to its error listeners (by default a logger); keep them.
    const reported = [];
    app.errorListeners.splice(0, app.errorListeners.length, (error) => reported.push(error));
    return { app, table: plugin.config.table.name, reported };
  };
  after(() => Promise.all(plugins.map((plugin) => plugin.close())));

  test('without optimistic locking the later save silently overwrites the earlier one (the change is lost)', async () => {
    const { app, table } = appWith();
    await completeVisit(app, 'racer', 'created');
    const secondSaveError = await twoOverlappingVisits(app, 'racer');
    assert.equal(secondSaveError, undefined);
    const stored = await raw.get(table, 'racer');
    assert.deepEqual(storedEntries(stored), ['created', 'from the second visit'], 'the first visit\'s entry is lost');
    assert.equal(stored.version, undefined, 'no version attribute without locking');
  });

  test('with optimistic locking the later save fails with conditional-conflict and nothing is lost', async () => {
    const { app, table, reported } = appWith({ optimisticLocking: true });
    await completeVisit(app, 'racer', 'created');
    assert.deepEqual((await raw.get(table, 'racer')).version, { N: '1' }, 'a new user is saved as version 1');

    const secondSaveError = await twoOverlappingVisits(app, 'racer');
    assert.equal(secondSaveError?.code, 'conditional-conflict', String(secondSaveError));
    assert.equal(secondSaveError.name, 'DynamoDbError');
    assert.match(secondSaveError.message, /load the user again/);
    assert.deepEqual(reported, [secondSaveError], 'the app reported the conflict to its error listeners');
    const stored = await raw.get(table, 'racer');
    assert.deepEqual(storedEntries(stored), ['created', 'from the first visit']);
    assert.deepEqual(stored.version, { N: '2' });

    // The user tries again: the new request loads the first visit's change and keeps it.
    await completeVisit(app, 'racer', 'from the second visit');
    const retried = await raw.get(table, 'racer');
    assert.deepEqual(storedEntries(retried), ['created', 'from the first visit', 'from the second visit']);
    assert.deepEqual(retried.version, { N: '3' });
  });

  test('with optimistic locking two new users created at once: the second creation is a conflict', async () => {
    const { app, table } = appWith({ optimisticLocking: true });
    const secondSaveError = await twoOverlappingVisits(app, 'newcomer');
    assert.equal(secondSaveError?.code, 'conditional-conflict', String(secondSaveError));
    assert.deepEqual(storedEntries(await raw.get(table, 'newcomer')), ['from the first visit']);
  });

  test('a request that saves twice builds on its own first save, not a conflict with itself', async () => {
    const plugin = new DynamoDb(pluginConfig(dynalite.endpoint, { table: { optimisticLocking: true } }));
    plugins.push(plugin);
    await plugin.initialize();
    const data = { saves: 0 };
    const request = {
      $user: { isNew: true },
      setPersistableData() {},
      getPersistableData: () => ({ user: { data: { ...data } } }),
    };
    await plugin.loadData('twice', request);
    for (const saves of [1, 2]) {
      data.saves = saves;
      await plugin.saveData('twice', request);
    }
    const stored = await raw.get(plugin.config.table.name, 'twice');
    assert.deepEqual(stored.version, { N: '2' });
    assert.deepEqual(stored.user.M.data.M.saves, { N: '2' });
  });

  test('the version attribute can be renamed', async () => {
    const { app, table } = appWith({ optimisticLocking: true, versionAttribute: 'rev' });
    await completeVisit(app, 'renamed', 'one');
    await completeVisit(app, 'renamed', 'two');
    const stored = await raw.get(table, 'renamed');
    assert.deepEqual(stored.rev, { N: '2' });
    assert.equal(stored.version, undefined);
    assert.deepEqual(storedEntries(stored), ['one', 'two']);
  });
});

describe(`data retention`, () => {
  const plugins = [];
  const warnings = [];
  const originalWarn = Logger.warn;
  before(() => {
    Logger.warn = (...args) => warnings.push(args.join(' '));
  });
  after(async () => {
    Logger.warn = originalWarn;
    await Promise.all(plugins.map((plugin) => plugin.close()));
  });
  const pluginWith = (table) => {
    const plugin = new DynamoDb(pluginConfig(dynalite.endpoint, { table }));
    plugins.push(plugin);
    return plugin;
  };

  test('every save writes the expiry time: now + expireAfterDays, in epoch seconds', async () => {
    const plugin = pluginWith({ expireAfterDays: 30 });
    const app = visitCounterApp(plugin, [EntryWriter]);
    const before = Math.floor(Date.now() / 1000);
    await completeVisit(app, 'retained', 'one');
    const afterSave = Math.ceil(Date.now() / 1000);
    const expiresAt = Number((await raw.get(plugin.config.table.name, 'retained')).expiresAt.N);
    assert.ok(expiresAt >= before + 30 * DAY_SECONDS && expiresAt <= afterSave + 30 * DAY_SECONDS, `expiresAt ${expiresAt}`);
  });

  test('Time to Live missing on the server (dynalite) is reported as unavailable and logged, not thrown', async () => {
    const plugin = pluginWith({ expireAfterDays: 7, expiryAttribute: 'ttl' });
    warnings.length = 0;
    await plugin.initialize();
    assert.equal(plugin.timeToLive.status, 'unavailable');
    assert.match(plugin.timeToLive.reason, /TimeToLive/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`Time to Live is unavailable on table ${plugin.config.table.name}`));

    const app = visitCounterApp(plugin, [EntryWriter]);
    await completeVisit(app, 'stamped', 'one');
    const stored = await raw.get(plugin.config.table.name, 'stamped');
    assert.ok(Number(stored.ttl.N) > Date.now() / 1000 + 6 * DAY_SECONDS);
    assert.equal(stored.expiresAt, undefined);
  });

  test('without expireAfterDays items carry no expiry and Time to Live is not-configured', async () => {
    const plugin = pluginWith({});
    warnings.length = 0;
    await plugin.initialize();
    assert.deepEqual(plugin.timeToLive, { status: 'not-configured' });
    assert.deepEqual(warnings, []);
    await completeVisit(visitCounterApp(plugin, [EntryWriter]), 'forever', 'one');
    assert.equal((await raw.get(plugin.config.table.name, 'forever')).expiresAt, undefined);
  });
});
